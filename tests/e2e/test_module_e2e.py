# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chime_account_info end to end: ansible-playbook, the collection, HTTP, the fake endpoint."""

import math

import pytest

from e2e.playbooks import CREDENTIALS
from e2e.playbooks import FAST_RETRIES
from e2e.playbooks import module_args
from fake_chime import generate
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT

MODULE = "chime.admin.chime_account_info"


def _task(fake, register="r", **options):
    return {"name": "List", MODULE: dict(CREDENTIALS, endpoint_url=fake.url, **options), "register": register}


def _failing(fake, **options):
    return dict(_task(fake, **options), ignore_errors=True)


@pytest.fixture
def big(fake):
    """Replace the tenant's data with 1,234 accounts."""
    fake.add_tenant(generate(1234, seed=5, aws_account_id=TENANT), ACCESS_KEY, SECRET_KEY)
    return fake


def test_full_listing_of_1234_accounts_takes_exactly_7_calls(big, play):
    result = play([_task(big)])
    assert result.rc == 0, result.output
    accounts = result.saved["r"]["accounts"]
    expected = [a["AccountId"] for a in big.tenants[TENANT].data.accounts]
    assert [a["account_id"] for a in accounts] == expected
    assert big.stats()["requests"] == math.ceil(1234 / 200) == 7
    assert result.saved["r"]["summary"]["total"] == 1234
    assert result.saved["r"]["changed"] is False
    assert set(accounts[0]) == {
        "aws_account_id", "account_id", "name", "account_type", "created_timestamp",
        "default_license", "supported_licenses", "account_status", "signin_delegate_groups",
    }  # fmt: skip


def test_filters_and_page_size_as_sent_on_the_wire(fake, play):
    email, account_id = next(iter(fake.tenants[TENANT].data.users.items()))
    prefix = fake.tenants[TENANT].data.accounts[0]["Name"][:4]
    result = play(
        [_task(fake, "by_name", name=prefix, page_size=7), _task(fake, "by_email", user_email=email)],
        save=("by_name", "by_email"),
    )
    assert result.rc == 0, result.output
    log = fake.requests()
    name_requests = [e["query"] for e in log if "name" in e["query"]]
    assert name_requests and all(q["name"] == prefix and q["max-results"] == "7" for q in name_requests)
    assert all(a["name"].startswith(prefix) for a in result.saved["by_name"]["accounts"])
    assert [q for q in (e["query"] for e in log) if "user-email" in q] == [{"user-email": email, "max-results": "200"}]
    assert [a["account_id"] for a in result.saved["by_email"]["accounts"]] == [account_id]


@pytest.mark.parametrize(
    "faults",
    [
        {"rules": [{"kind": "throttle", "on_page": 1, "count": 3}]},
        {"rules": [{"kind": "throttle", "on_page": 2, "count": 2}], "omit_error_header": True},
        {"rules": [{"kind": "500", "on_page": 0}, {"kind": "503", "on_page": 2, "count": 2}]},
        {"rules": [{"kind": "503", "on_page": 1}], "omit_error_header": True},
    ],
    ids=["throttle-burst", "throttle-body-code", "500-and-503", "503-body-code"],
)
def test_throttling_and_faults_are_survived_with_a_complete_result(fake, play, faults):
    fake.set_faults(TENANT, faults)
    result = play([_task(fake, **FAST_RETRIES)])
    assert result.rc == 0, result.output
    assert len(result.saved["r"]["accounts"]) == 450
    pages = [e["page"] for e in fake.requests()]
    failed = [e["page"] for e in fake.requests() if e["status"] != 200]
    # Each failed page is asked for again; pages that succeeded are never asked for again.
    assert pages == sorted(pages) and sorted(set(pages)) == [0, 1, 2]
    assert len(pages) == 3 + len(failed)


def test_token_loop_fails_with_a_clear_message(fake, play):
    fake.set_faults(TENANT, token_loop_at_page=1)
    result = play([_failing(fake, page_size=50)])
    assert result.saved["r"]["failed"] is True
    assert "pagination looped" in result.saved["r"]["msg"]
    assert "accounts" not in result.saved["r"]
    assert fake.stats()["requests"] == 2


def test_forbidden_fails_naming_the_permission(fake, play):
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    result = play([_failing(fake)])
    failure = result.saved["r"]
    assert failure["failed"] is True and "accounts" not in failure
    assert "ListAccounts" in failure["msg"] and "ForbiddenException" in failure["msg"]
    assert "chime:ListAccounts" in failure["msg"] and "2026-02-20" in failure["msg"]


@pytest.mark.bad_signatures
def test_bad_signature_fails(fake, play):
    task = _failing(fake)
    task[MODULE]["secret_key"] = "not-the-right-secret"
    result = play([task])
    assert result.saved["r"]["failed"] is True
    assert "ForbiddenException" in result.saved["r"]["msg"] and "chime:ListAccounts" in result.saved["r"]["msg"]
    assert "not-the-right-secret" not in result.output


def test_email_and_secret_never_shown_at_vvvv_with_invocation_injected(fake, play):
    email = next(iter(fake.tenants[TENANT].data.users))
    secret_marker = "S3cretMarker-e2e-0001"
    fake.add_credential(TENANT, "AKIAMARKERKEY0000001", secret_marker)
    good = dict(_task(fake, user_email=email), register="good")
    good[MODULE].update(access_key="AKIAMARKERKEY0000001", secret_key=secret_marker)
    bad = _failing(fake, user_email=email)
    bad[MODULE].update(access_key="AKIAMARKERKEY0000001", secret_key=secret_marker)
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "on_page": 0, "count": 1}])
    result = play([bad, good], save=("r", "good"), env={"ANSIBLE_INJECT_INVOCATION": "1"}, args=["-vvvv"])
    assert result.rc == 0, result.output
    assert result.saved["r"]["failed"] is True and len(result.saved["good"]["accounts"]) == 1
    assert "invocation" in result.output  # the injected invocation is there, with its values masked
    for secret in (email, email.replace("@", "%40"), secret_marker):
        assert secret not in result.output
        assert secret not in str(result.saved)


EXTERNAL_ID_REFUSAL = (
    "external_id must be 8 to 1224 characters of [\\w+=,.@:/-] (value not shown): a shorter one would also be masked"
    " wherever it appears in the results, and AWS advises long random values."
)


@pytest.mark.parametrize("external_id", ["short", "e", "ab"])
def test_a_short_external_id_is_refused_in_words_it_does_not_mask(fake, play, external_id):
    """STS takes 2 characters, the collection 8: a shorter external ID is refused before any request, and the
    refusal reads whole. The module masks a no_log value wherever it appears in its result; an external ID that is
    refused is not masked, else "short" would show as "a ********er one", and "e" every e of the message. At -vvvv,
    with the invocation injected."""
    task = _failing(fake, role_arns=["arn:aws:iam::210987654321:role/ChimeAudit"], external_id=external_id)
    result = play([task], env={"ANSIBLE_INJECT_INVOCATION": "1"}, args=["-vvvv"])
    assert result.rc == 0, result.output
    registered = result.saved["r"]
    assert registered["failed"] is True and registered["msg"] == EXTERNAL_ID_REFUSAL, registered["msg"]
    assert EXTERNAL_ID_REFUSAL.replace("\\", "\\\\") in result.stdout  # the job's output (JSON-escaped) reads whole
    # ... and the value itself is shown nowhere: the invocation masks it as every no_log value is masked.
    assert module_args(result, registered)["external_id"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert f'"{external_id}"' not in result.output
    assert fake.log == []  # refused before any request


def test_module_defaults_through_the_collection_group(fake, play):
    task = {"name": "List", MODULE: {"endpoint_url": fake.url}, "register": "r"}
    defaults = {"module_defaults": {"group/chime.admin.aws": dict(CREDENTIALS)}}
    result = play([task], play_extra=defaults)
    assert result.rc == 0, result.output
    assert len(result.saved["r"]["accounts"]) == 450


def test_check_mode(fake, play):
    result = play([_task(fake)], args=["--check"])
    assert result.rc == 0, result.output
    assert result.saved["r"]["changed"] is False and len(result.saved["r"]["accounts"]) == 450


def test_no_region_anywhere_signs_for_us_east_1(fake, play):
    result = play([_task(fake)])
    assert result.rc == 0, result.output
    assert {e["region"] for e in fake.requests()} == {"us-east-1"}


def test_region_from_the_environment_is_used(fake, play):
    result = play([_task(fake)], env={"AWS_REGION": "eu-west-1"})
    assert result.rc == 0, result.output
    assert {e["region"] for e in fake.requests()} == {"eu-west-1"}


def test_credentials_from_environment_variables(fake, play):
    task = {"name": "List", MODULE: {"endpoint_url": fake.url}, "register": "r"}
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    result = play([task], env=env)
    assert result.rc == 0, result.output
    assert len(result.saved["r"]["accounts"]) == 450


def test_user_agent_names_the_collection(fake, play):
    result = play([_task(fake)])
    assert result.rc == 0, result.output
    assert all("chime.admin/0.3.0" in e["user_agent"] for e in fake.requests())


@pytest.mark.parametrize("not_found_404", [False, True], ids=["empty-list", "404"])
def test_unknown_email_gives_no_accounts_either_way(fake, play, not_found_404):
    fake.set_faults(TENANT, unknown_email_404=not_found_404)
    result = play([_task(fake, user_email="nobody.here@example.com")])
    assert result.rc == 0, result.output
    assert result.saved["r"]["accounts"] == [] and result.saved["r"]["summary"]["total"] == 0
    assert [e["status"] for e in fake.requests()] == [404 if not_found_404 else 200]
