# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""secret_key, session_token and user_email never appear in output, results, warnings or failures."""

import json
import os

import pytest

from e2e.playbooks import FAST_RETRIES
from fake_chime.testing import TENANT

SECRET = "SecretMarker-9f3b1c5d"
TOKEN = "TokenMarker-77aa11bb"
EMAIL = "marker.person+audit@example.com"
KEY = "AKIAMARKERSECRETS001"
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, so botocore raises a connection error


def _module(endpoint, register, **extra):
    options = {"endpoint_url": endpoint, "access_key": KEY, "secret_key": SECRET, "session_token": TOKEN}
    options.update(user_email=EMAIL, **extra)
    return {"name": register, "chime.admin.chime_account_info": options, "register": register, "ignore_errors": True}


def _lookup(endpoint, register, **extra):
    options = {"endpoint_url": endpoint, "access_key": KEY, "secret_key": SECRET, "session_token": TOKEN}
    options.update(user_email=EMAIL, **extra)
    args = ", ".join(f"{k}={v!r}" for k, v in options.items())
    return {
        "name": register,
        "ansible.builtin.set_fact": {f"{register}_value": "{{ query('chime.admin.chime_accounts', " + args + ") }}"},
        "register": register,
        "ignore_errors": True,
    }


def test_markers_never_leak(fake, play):
    account_id = fake.tenants[TENANT].data.accounts[5]["AccountId"]
    fake.tenants[TENANT].data.users[EMAIL] = account_id
    fake.add_credential(TENANT, KEY, SECRET, session_token=TOKEN)
    # The first request of each door is refused (403), the rest succeed.
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "at": 1}, {"kind": "forbidden", "at": 3}])
    tasks = [
        _module(fake.url, "m_denied"),
        _module(fake.url, "m_ok"),
        _lookup(fake.url, "l_warned", on_denied="warn"),
        _lookup(fake.url, "l_ok"),
        _module(CLOSED, "m_unreachable", backoff_retries=0),
        _lookup(CLOSED, "l_unreachable", backoff_retries=0),
        _module(fake.url, "m_bad_input", page_size=0),
        _module(fake.url, "m_throttled", backoff_retries=1, **FAST_RETRIES),
    ]
    names = [t["register"] for t in tasks] + ["l_ok_value", "l_warned_value"]
    env = {"ANSIBLE_INJECT_INVOCATION": "1"}
    fake_log_before = len(fake.log)
    result = play(tasks, save=names, env=env, args=["-vvvv"])
    assert result.rc == 0, result.output
    saved = result.saved
    # The runs did what they should, so the absence of the markers means something.
    assert saved["m_denied"]["failed"] and "ForbiddenException" in saved["m_denied"]["msg"]
    assert [a["account_id"] for a in saved["m_ok"]["accounts"]] == [account_id]
    assert saved["l_warned_value"] == [] and "[WARNING]" in result.output and "chime:ListAccounts" in result.output
    assert [a["account_id"] for a in saved["l_ok_value"]] == [account_id]
    assert "EndpointConnectionError" in saved["m_unreachable"]["msg"]
    assert "<user_email>" in saved["m_unreachable"]["msg"] and "<user_email>" in saved["l_unreachable"]["msg"]
    assert saved["m_bad_input"]["failed"] and "page_size" in saved["m_bad_input"]["msg"]
    assert "invocation" in result.output
    assert len(fake.log) > fake_log_before
    for marker in (SECRET, TOKEN, EMAIL, EMAIL.replace("@", "%40"), EMAIL.replace("+", "%2B").replace("@", "%40")):
        assert marker not in result.stdout, marker
        assert marker not in result.stderr, marker
        assert marker not in str(saved), marker


# The caller's own address, in an ARN part, as STS names it: an IAM user or a federated user named by e-mail, an
# assumed role's session named by AWS IAM Identity Center. It is in no input of the runs below: only the fake's
# answers hold it, so any trace of it in any output is a leak.
CALLER_EMAIL = "alice.auditor@privacy-marker.example"
CALLERS = {
    "iam_user": f"arn:aws:iam::{TENANT}:user/{CALLER_EMAIL}",
    "federated_user": f"arn:aws:sts::{TENANT}:federated-user/{CALLER_EMAIL}",
    "sso_session": f"arn:aws:sts::{TENANT}:assumed-role/AWSReservedSSO_Auditor_0123abcd/{CALLER_EMAIL}",
}


def leaks(text, addresses=(CALLER_EMAIL,)):
    """The forms of ``addresses`` found in ``text``: any part of the address in any letter case, URL-encoded
    (once or twice), or written in HTML character references (as html_403_entities writes it)."""
    found = []
    folded = text.casefold()
    for address in addresses:
        local, _at, domain = address.partition("@")
        forms = [local, domain, address.replace("@", "%40"), address.replace("@", "%2540")]
        forms += ["".join(f"&#{ord(char)};" for char in part[:4]) for part in (local, domain)]
        forms += [address.replace("@", "&#64;"), address.replace("@", "\\u0040")]
        found += [form for form in forms if form.casefold() in folded]
    return found


@pytest.mark.parametrize("kind", sorted(CALLERS))
def test_the_callers_address_is_in_no_output_of_the_module_or_the_lookup(fake, play, kind):
    """Refusals quote the caller's ARN: as they are (AccessDeniedException) and in a gateway's HTML page written in
    character references, with the user_email filter's @ as &#64;. Through the module (on_denied error and warn)
    and the lookup (warn), at -vvvv."""
    account_id = fake.tenants[TENANT].data.accounts[5]["AccountId"]
    fake.tenants[TENANT].data.users[EMAIL] = account_id
    fake.add_credential(TENANT, KEY, SECRET, session_token=TOKEN, arn=CALLERS[kind])
    fake.set_faults(
        TENANT, rules=[{"kind": "denied_caller", "at": 1, "count": 3}, {"kind": "html_403_entities", "at": 4}]
    )
    tasks = [
        _module(fake.url, "m_denied"),
        _module(fake.url, "m_warned", on_denied="warn"),
        _lookup(fake.url, "l_warned", on_denied="warn"),
        _module(fake.url, "m_entities"),
        _module(fake.url, "m_ok"),
    ]
    names = [t["register"] for t in tasks] + ["l_warned_value"]
    result = play(tasks, save=names, env={"ANSIBLE_INJECT_INVOCATION": "1"}, args=["-vvvv"])
    assert result.rc == 0, result.output
    saved = result.saved
    withheld = "<e-mail address withheld>"
    principal = CALLERS[kind].rsplit("/", 1)[0] + f"/{withheld}"
    assert saved["m_denied"]["failed"] and f"User: {principal} is not authorized" in saved["m_denied"]["msg"]
    assert f"User: {principal} is not authorized" in saved["m_warned"]["warnings"][0]
    assert saved["l_warned_value"] == [] and f"User: {principal} is not authorized" in result.stdout
    entities = saved["m_entities"]["msg"]
    assert "returned 403: <!DOCTYPE html>" in entities and "No access for <user_email>." in entities
    assert f"{CALLERS[kind].rsplit('/', 1)[0]}/{withheld}" in entities
    assert [a["account_id"] for a in saved["m_ok"]["accounts"]] == [account_id]
    for text in (result.stdout, result.stderr, json.dumps(saved)):
        assert not leaks(text, (CALLER_EMAIL, EMAIL)), leaks(text, (CALLER_EMAIL, EMAIL))
    assert "invocation" in result.output


def _every_file(folder):
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.rglob("*")) if p.is_file())


def test_the_callers_address_is_in_no_output_of_an_audit_job(tmp_path):
    """The role run as AWX runs it (ansible-runner, -vvvv), with reports in every format, in S3: the caller is an
    IAM user named by e-mail in a complete run, an Identity Center session in a run whose only AWS account refuses
    (on_denied warn, the refusal naming the caller) and whose upload S3 refuses naming the caller too, and a
    federated user in a run that fails on a gateway's page (on_denied error). Nothing the jobs leave holds the
    address: output, job events, set_stats, the private data directory with its reports, and the S3 objects."""
    from e2e.awx_jobs import run_job
    from e2e.awx_jobs import stats_data
    from fake_chime.data import audit_sample
    from fake_chime.s3 import FakeS3
    from fake_chime.server import FakeChime

    tenant, key, secret, token = "444455556666", "ASIAPRIVACYTEMPKEY01", "privacy-temporary-secret", "PrivacyToken-1"
    bucket = f"chime-privacy-{tenant}"
    with FakeChime() as chime, FakeS3() as s3:
        chime.add_tenant(audit_sample(40, seed=3, aws_account_id=tenant), key, secret, session_token=token)
        s3.add_credential(key, secret, tenant, session_token=token)
        s3.create_bucket(bucket, tenant)
        envvars = {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_SESSION_TOKEN": token}
        envvars.update(AWS_ENDPOINT_URL_STS=chime.url, AWS_CONFIG_FILE=os.devnull, **s3.env())
        envvars.update(AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        survey = {"account_audit_endpoint_url": chime.url, "audit_s3_bucket": bucket, "audit_fail_on_violation": False}
        survey.update(account_audit_formats=["json", "csv", "markdown", "html", "ocsf"], **{
            f"account_audit_{name}": value for name, value in FAST_RETRIES.items()})  # fmt: skip

        def job(name, arn, **extra):
            chime.credentials[key].arn = arn.replace(TENANT, tenant)
            return run_job(tmp_path / name, envvars, dict(survey, **extra), cmdline="-vvvv")

        complete = job("complete", CALLERS["iam_user"])
        assert complete.status == "successful", complete.stdout
        listed_as = f"Listed as: arn:aws:iam::{tenant}:user/<e-mail address withheld>"
        assert listed_as in complete.stdout and stats_data(complete)["account_audit_outcome"] == "non_compliant"

        chime.set_faults(tenant, rules=[{"kind": "denied_caller", "every": 1}])
        caller = CALLERS["sso_session"].replace(TENANT, tenant)
        s3.deny_put("*.csv", f"User: {caller} is not authorized to perform: s3:PutObject on resource")
        refused = job("refused", CALLERS["sso_session"], account_audit_on_denied="warn")
        principal = caller.rsplit("/", 1)[0] + "/<e-mail address withheld>"
        assert f"User: {principal} is not authorized to perform: chime:ListAccounts" in refused.stdout
        assert f"User: {principal} is not authorized to perform: s3:PutObject" in refused.stdout
        assert stats_data(refused)["account_audit_outcome"] == "incomplete"
        s3.clear_denials()

        chime.set_faults(tenant, rules=[{"kind": "html_403_entities", "every": 1}])
        failed = job("failed", CALLERS["federated_user"], account_audit_on_denied="error")
        assert failed.status == "failed" and "returned 403: <!DOCTYPE html>" in failed.stdout
        assert "federated-user/<e-mail address withheld>" in failed.stdout

        reports = [s3.get(bucket, k).decode("utf-8") for k in s3.objects(bucket)]
        assert len(reports) >= 6 and any(listed_as.replace("Listed as: ", "") in text for text in reports)
        outputs = [("s3", "\n".join(reports))]
        outputs += [(name, _every_file(tmp_path / name)) for name in ("complete", "refused", "failed")]
        for name, text in outputs:
            assert not leaks(text), (name, leaks(text))


PROFILE_EMAIL = "profile.owner@profile-marker.example"


def test_a_profile_named_by_an_address_that_cannot_be_found_is_named_withheld_in_every_door(fake, play, tmp_path):
    """botocore's "could not connect" failures quote the profile's name (here an unknown one, named by an e-mail
    address): the module, the lookup and the action withhold it, at -vvvv."""
    options = {"endpoint_url": fake.url, "profile": PROFILE_EMAIL}
    lookup_args = ", ".join(f"{k}={v!r}" for k, v in options.items())
    tasks = [
        {"chime.admin.chime_account_info": options, "register": "m", "ignore_errors": True},
        {
            "ansible.builtin.set_fact": {"x": "{{ query('chime.admin.chime_accounts', " + lookup_args + ") }}"},
            "register": "l",
            "ignore_errors": True,
        },
        {
            "chime.admin.chime_account_audit": dict(options, dest=str(tmp_path / "audit")),
            "register": "a",
            "ignore_errors": True,
        },
    ]
    result = play(tasks, save=["m", "l", "a"], args=["-vvvv"])
    assert result.rc == 0, result.output
    for door in ("m", "l", "a"):
        message = result.saved[door]["msg"]
        assert result.saved[door]["failed"] and "Couldn't connect to AWS" in message, (door, message)
        assert "<e-mail address withheld>" in message and "could not be found" in message, (door, message)
    for text in (result.stdout, result.stderr, json.dumps(result.saved)):
        assert not leaks(text, (PROFILE_EMAIL,)), leaks(text, (PROFILE_EMAIL,))


def test_the_actions_refusal_of_a_value_ansible_core_checks_withholds_an_address(fake, play, tmp_path):
    """ansible-core's own argument check quotes the value it refuses ("got: ..."): the action's "did not run"
    refusal goes through the same redaction as every other message."""
    options = {"endpoint_url": fake.url, "on_denied": PROFILE_EMAIL, "dest": str(tmp_path / "audit")}
    task = {"chime.admin.chime_account_audit": options, "register": "a", "ignore_errors": True}
    result = play([task], save=["a"], args=["-vvvv"])
    message = result.saved["a"]["msg"]
    assert message.startswith("Chime account audit did not run: ") and "on_denied must be one of" in message, message
    assert "got: <e-mail address withheld>" in message and result.saved["a"]["outcome"] == "incomplete"
    for text in (result.stdout, result.stderr, json.dumps(result.saved)):
        assert not leaks(text, (PROFILE_EMAIL,)), leaks(text, (PROFILE_EMAIL,))
