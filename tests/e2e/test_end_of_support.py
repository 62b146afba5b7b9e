# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Amazon Chime service's end of support, end to end, through the module, the lookup and the account_audit
role: a botocore without the chime model (hidden from every process of the run by fake_chime/no_chime.py's
shim) fails before any request; a 403 about the deprecated API says so; a proxy's 2 MB HTML error page is quoted
cut, escaped and without the e-mail filter."""

import botocore

from e2e.playbooks import CREDENTIALS
from fake_chime.no_chime import shimmed_environment
from fake_chime.testing import TENANT

MODULE = "chime.admin.chime_account_info"
NO_CHIME_MODEL = (
    f'The installed botocore {botocore.__version__} no longer includes the Amazon Chime API (no "chime" service'
    " model), which AWS ended on 2026-02-20. botocore 1.35.69 to 1.44.8 include it: install one of those, for"
    " example pip install 'botocore<=1.44.8' 'boto3<=1.44.8'. Even with it, the chime API may no longer answer at all."
)
END_OF_SUPPORT = (
    f"returned ForbiddenException: User: arn:aws:iam::{TENANT}:user/fake-auditor is not authorized to call"
    " deprecated ListAccounts API. This is the Amazon Chime service's end of support (2026-02-20), not a missing"
    " IAM permission: the service no longer serves this API."
)


def _module(fake, **options):
    return {"name": "List", MODULE: dict(CREDENTIALS, endpoint_url=fake.url, **options), "register": "r",
            "ignore_errors": True}  # fmt: skip


def _lookup(fake, **options):
    args = ", ".join(f"{k}={v!r}" for k, v in dict(CREDENTIALS, endpoint_url=fake.url, **options).items())
    expression = "{{ query('chime.admin.chime_accounts', " + args + ") }}"
    return {"name": "Look up", "ansible.builtin.set_fact": {"x": expression}, "register": "r", "ignore_errors": True}


def test_module_without_the_chime_model_fails_before_any_request(fake, play, tmp_path):
    result = play([_module(fake)], env=shimmed_environment(tmp_path / "shim"))
    assert result.saved["r"]["failed"] is True, result.output
    assert result.saved["r"]["msg"] == NO_CHIME_MODEL
    assert "Traceback" not in result.stdout and "MODULE FAILURE" not in result.output
    assert fake.log == []


def test_lookup_without_the_chime_model_fails_before_any_request(fake, play, tmp_path):
    result = play([_lookup(fake)], env=shimmed_environment(tmp_path / "shim"))
    assert result.saved["r"]["failed"] is True, result.output
    assert f"chime_accounts: {NO_CHIME_MODEL}" in result.saved["r"]["msg"]
    assert "Traceback" not in result.output
    assert fake.log == []


def test_audit_role_without_the_chime_model_fails_before_sts_or_any_request(fake, play, tmp_path):
    audit = {"account_audit_endpoint_url": fake.url, "account_audit_dest": str(tmp_path / "audit")}
    audit.update({f"account_audit_{key}": value for key, value in CREDENTIALS.items()})
    task = {"ansible.builtin.include_role": {"name": "chime.admin.account_audit"}, "vars": audit}
    env = dict(shimmed_environment(tmp_path / "shim"), AWS_ENDPOINT_URL_STS=fake.url)
    result = play([task], save=("account_audit_result",), env=env)
    assert result.rc == 2, result.output
    assert f"Chime account audit incomplete: {NO_CHIME_MODEL}" in result.stdout
    assert "Traceback" not in result.output
    assert fake.log == [] and not (tmp_path / "audit").exists()


def test_module_and_lookup_on_a_deprecated_api_name_the_end_of_support(fake, play):
    fake.set_faults(TENANT, rules=[{"kind": "deprecated", "every": 1}])
    module = play([_module(fake)]).saved["r"]
    looked_up = play([_lookup(fake)]).saved["r"]
    assert module["msg"] == f"Failed to list Chime accounts: ListAccounts on page 1 {END_OF_SUPPORT}"
    assert module["error"]["code"] == "ForbiddenException"
    assert f"chime_accounts: Failed to list Chime accounts: ListAccounts on page 1 {END_OF_SUPPORT}" in looked_up["msg"]
    assert "chime:ListAccounts" not in module["msg"] + looked_up["msg"]
    assert [e["fault"] for e in fake.requests()] == ["deprecated", "deprecated"]


def test_a_proxys_2_mb_html_page_is_cut_escaped_and_holds_no_e_mail(fake, play):
    email = next(iter(fake.tenants[TENANT].data.users))
    fake.set_faults(TENANT, rules=[{"kind": "html_502", "at": 1}, {"kind": "html_403", "at": 2}])
    result = play([_module(fake, user_email=email), dict(_lookup(fake, user_email=email), register="looked")],
                  save=("r", "looked"), args=["-vvvv"])  # fmt: skip
    module, looked_up = result.saved["r"], result.saved["looked"]
    assert module["msg"].startswith("Failed to list Chime accounts: ListAccounts on page 1 returned 502: <!DOCTYPE")
    assert "returned 403: <!DOCTYPE" in looked_up["msg"]
    for msg in (module["msg"], looked_up["msg"]):
        assert "... (cut at 500 of " in msg and "\\u001b[31m" in msg and "\x1b" not in msg and len(msg) < 1000
    assert "http_headers" not in module["response_metadata"]
    assert len(result.output) < 200_000  # the 2 MB pages are nowhere in the output
    for secret in (email, email.upper(), email.replace("@", "%40").upper()):
        assert secret not in result.output and secret not in str(result.saved)
    assert len(fake.requests()) == 2
