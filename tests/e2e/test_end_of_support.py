# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Amazon Chime service's end of support, end to end, through the module, the lookup and the account_audit
role: a botocore without the chime model (hidden from every process of the run by fake_chime/no_chime.py's
shim) fails before any request; a 403 about the deprecated API says so; a proxy's 2 MB HTML error page is quoted
cut, escaped and without the e-mail filter."""

import os

import botocore
import pytest

from e2e.playbooks import CREDENTIALS
from e2e.playbooks import FAST_RETRIES
from fake_chime.endpoints import chime_data_path
from fake_chime.endpoints import unresolvable_names_shim
from fake_chime.no_chime import shimmed_environment
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT

MODULE = "chime.admin.chime_account_info"
NO_CHIME_MODEL = (
    f'The installed botocore {botocore.__version__} no longer includes the Amazon Chime API (no "chime" service'
    " model), which AWS ended on 2026-02-20. botocore 1.35.69 and later releases include it, up to at least 1.44.18,"
    " the newest checked: install one of those, for example pip install 'botocore>=1.35.69,<=1.44.18'"
    " 'boto3>=1.35.69,<=1.44.18'. Even with it, the chime API may no longer answer at all."
)
END_OF_SUPPORT = (
    f"returned ForbiddenException: User: arn:aws:iam::{TENANT}:user/fake-auditor is not authorized to call"
    " deprecated ListAccounts API. This is the Amazon Chime service's end of support (2026-02-20), not a missing"
    " IAM permission: the service no longer serves this API. It fails the listing whatever on_denied says."
)


UNREACHABLE = (
    "The Amazon Chime service ended on 2026-02-20, and its endpoint may no longer answer (this is botocore's"
    " default Chime endpoint: no endpoint_url is set)."
)
DEFAULT = object()  # no endpoint_url at all: botocore's own Chime endpoint


def _module(fake, **options):
    options = dict(CREDENTIALS, **dict({"endpoint_url": fake.url}, **options))
    if options["endpoint_url"] is DEFAULT:
        del options["endpoint_url"]
    return {"name": "List", MODULE: options, "register": "r", "ignore_errors": True}


def _lookup(fake, **options):
    options = dict(CREDENTIALS, **dict({"endpoint_url": fake.url}, **options))
    if options["endpoint_url"] is DEFAULT:
        del options["endpoint_url"]
    args = ", ".join(f"{k}={v!r}" for k, v in options.items())
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


def _role(fake, tmp_path, **variables):
    audit = {"account_audit_endpoint_url": fake.url, "account_audit_dest": str(tmp_path / "audit")}
    audit.update({f"account_audit_{key}": value for key, value in dict(CREDENTIALS, **variables).items()})

    if audit["account_audit_endpoint_url"] is DEFAULT:
        del audit["account_audit_endpoint_url"]
    return {"ansible.builtin.include_role": {"name": "chime.admin.account_audit"}, "vars": audit}


@pytest.mark.parametrize("on_denied", ["skip", "warn"])
def test_an_end_of_support_answer_fails_whatever_on_denied_says(fake, play, tmp_path, on_denied):
    """A finished service is not a missing permission: never a silent, empty success, in any door."""
    fake.set_faults(TENANT, rules=[{"kind": "deprecated", "every": 1}])
    result = play([_module(fake, on_denied=on_denied), dict(_lookup(fake, on_denied=on_denied), register="looked")],
                  save=("r", "looked"))  # fmt: skip
    module, looked_up = result.saved["r"], result.saved["looked"]
    assert module["failed"] is True and module["msg"].endswith(END_OF_SUPPORT), module
    assert looked_up["failed"] is True and looked_up["msg"].endswith(END_OF_SUPPORT), looked_up
    assert "accounts" not in module
    audit = play([_role(fake, tmp_path, on_denied=on_denied)], save=("account_audit_result",),
                 env={"AWS_ENDPOINT_URL_STS": fake.url})  # fmt: skip
    assert audit.rc == 2, audit.output
    opening = "Chime account audit incomplete: Failed to list Chime accounts: ListAccounts on page 1"
    assert f"{opening} {END_OF_SUPPORT}" in audit.stdout


@pytest.mark.parametrize(
    "arn",
    [
        f"arn:aws:iam::{TENANT}:user/deprecated/bob",
        f"arn:aws:sts::{TENANT}:assumed-role/End-of-Support-Cleanup/auditing",
        f"arn:aws:iam::{TENANT}:user/no-longer-supported",
    ],
)
def test_a_plain_refusal_naming_such_a_principal_keeps_the_permission_hint(fake, play, arn):
    fake.add_credential(TENANT, "AKIAPRINCIPALNAMES01", SECRET_KEY, arn=arn)
    fake.set_faults(TENANT, rules=[{"kind": "denied_caller", "every": 1}])
    credentials = {"access_key": "AKIAPRINCIPALNAMES01", "secret_key": SECRET_KEY}
    tasks = [_module(fake, **credentials), dict(_lookup(fake, on_denied="warn", **credentials), register="looked")]
    result = play(tasks, save=("r", "looked"))
    module = result.saved["r"]
    assert module["failed"] is True and module["error"]["code"] == "AccessDeniedException"
    assert module["msg"].endswith(
        "Check that the credentials are valid and allow chime:ListAccounts. Amazon Chime reached end of support on"
        " 2026-02-20; the service may also refuse accounts it no longer serves."
    )
    assert "not a missing IAM permission" not in result.output
    assert result.saved["looked"].get("failed") is not True and "[WARNING]" in result.output  # a refusal: warned
    assert "chime:ListAccounts on resource: *" in result.output


def test_the_default_endpoint_refusing_connections_says_the_service_ended(fake, play, tmp_path):
    """No endpoint_url: botocore's own resolution is moved (AWS_DATA_PATH) to a closed loopback port."""
    env = {"AWS_DATA_PATH": chime_data_path(tmp_path / "data", "127.0.0.1:9"), "AWS_ENDPOINT_URL_STS": fake.url}
    retries = dict(FAST_RETRIES, backoff_retries=1)
    tasks = [
        _module(fake, endpoint_url=DEFAULT, **retries),
        dict(_lookup(fake, endpoint_url=DEFAULT, **retries), register="looked"),
        dict(_module(fake, endpoint_url="http://127.0.0.1:9", **retries), register="given"),
    ]
    result = play(tasks, save=("r", "looked", "given"), env=env)
    module, looked_up, given = result.saved["r"], result.saved["looked"], result.saved["given"]
    opening = "Failed to list Chime accounts: ListAccounts on page 1 after 2 attempts returned EndpointConnectionError:"
    assert module["msg"].startswith(opening) and module["msg"].endswith(UNREACHABLE), module
    assert looked_up["failed"] is True and looked_up["msg"].endswith(UNREACHABLE), looked_up
    assert given["failed"] is True and given["msg"].startswith(opening) and "2026-02-20" not in given["msg"]
    audit = play([_role(fake, tmp_path, endpoint_url=DEFAULT, **retries)], save=("account_audit_result",), env=env)
    assert audit.rc == 2 and "Chime account audit incomplete: Failed to list Chime accounts" in audit.stdout
    assert f"{UNREACHABLE}" in audit.stdout, audit.output
    assert [e["path"] for e in fake.log] == ["/"]  # the audit's GetCallerIdentity: never the fake's Chime


def test_a_default_endpoint_whose_name_does_not_resolve_fails_at_once_and_says_the_service_ended(fake, play, tmp_path):
    """A name that does not exist is not retried (the resolver's answer would be the same); nothing is looked up
    for real: the shim answers EAI_NONAME for names under .invalid."""
    log = tmp_path / "lookups.log"
    shim = unresolvable_names_shim(tmp_path / "shim", log)
    env = {"AWS_DATA_PATH": chime_data_path(tmp_path / "data", "chime.retired.invalid"),
           "PYTHONPATH": shim + os.pathsep + os.environ.get("PYTHONPATH", "")}  # fmt: skip
    result = play([_module(fake, endpoint_url=DEFAULT, backoff_retries=5, **FAST_RETRIES)], env=env)
    module = result.saved["r"]
    assert module["msg"].startswith(
        "Failed to list Chime accounts: ListAccounts on page 1 returned EndpointConnectionError:"
    ), module
    assert module["msg"].endswith(UNREACHABLE) and "attempts" not in module["msg"]
    assert log.read_text().splitlines() == ["chime.retired.invalid"]  # one attempt, not six
    assert ACCESS_KEY  # the fake's key signed nothing: no request reached any endpoint
    assert fake.log == []
