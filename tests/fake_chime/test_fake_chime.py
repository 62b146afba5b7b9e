# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake endpoint's own tests, driven through boto3's real chime client over HTTP."""

import datetime
import json
import os
import subprocess
import sys
import urllib.request

import botocore.exceptions
import pytest

from fake_chime import FakeChime
from fake_chime import generate
from fake_chime import load
from fake_chime.data import ACCOUNT_TYPES
from fake_chime.data import LICENSES
from fake_chime.data import OPTIONAL_MEMBERS
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import ACCOUNTS
from fake_chime.testing import TENANT
from fake_chime.testing import make_client


def _all_pages(client, **params):
    pages, token = [], None
    while True:
        kwargs = dict(params, NextToken=token) if token else dict(params)
        response = client.list_accounts(**kwargs)
        pages.append(response["Accounts"])
        token = response.get("NextToken")
        if not token:
            return pages


def _error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def test_pages_have_at_most_max_results_and_cover_everything(fake, client):
    pages = _all_pages(client, MaxResults=200)
    assert [len(p) for p in pages] == [200, 200, 50]
    ids = [a["AccountId"] for p in pages for a in p]
    assert len(ids) == len(set(ids)) == ACCOUNTS
    assert fake.stats()["requests"] == 3


def test_default_page_size_is_100(client):
    assert [len(p) for p in _all_pages(client)] == [100, 100, 100, 100, 50]


def test_tokens_are_opaque_and_unknown_tokens_are_refused(client):
    token = client.list_accounts(MaxResults=10)["NextToken"]
    # Opaque: random, not derived from the offset (the same page asked for twice gets another token), and
    # not the offset itself. ("10" not in token failed whenever the random text happened to hold "10".)
    again = client.list_accounts(MaxResults=10)["NextToken"]
    assert len(token) >= 16 and again != token and not token.isdigit()
    response = _error(lambda: client.list_accounts(NextToken="not-a-token"))
    assert response["Error"]["Code"] == "BadRequestException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_timestamps_parse_to_aware_datetimes(client):
    account = client.list_accounts(MaxResults=1)["Accounts"][0]
    assert isinstance(account["CreatedTimestamp"], datetime.datetime)
    assert account["CreatedTimestamp"].utcoffset() == datetime.timedelta(0)


def test_generator_covers_every_type_license_status_and_missing_member():
    accounts = generate(16, seed=3).accounts
    assert {a.get("AccountType") for a in accounts} >= set(ACCOUNT_TYPES)
    assert {a.get("DefaultLicense") for a in accounts} >= set(LICENSES)
    assert {a.get("AccountStatus") for a in accounts} >= {"Active", "Suspended"}
    assert any(not set(OPTIONAL_MEMBERS) & set(a) for a in accounts)
    assert any(a.get("SigninDelegateGroups") for a in generate(200, seed=3).accounts)
    assert any(any(ord(c) > 127 for c in a["Name"]) for a in accounts)
    assert generate(16, seed=3).accounts == accounts  # seeded: the same data every time


def test_name_prefix_and_user_email_filters(fake, client):
    data = fake.tenants[TENANT].data
    prefix = data.accounts[0]["Name"].split(" ")[0]
    expected = [a["AccountId"] for a in data.accounts if a["Name"].startswith(prefix)]
    got = [a["AccountId"] for p in _all_pages(client, Name=prefix, MaxResults=7) for a in p]
    assert got == expected and 0 < len(got) < ACCOUNTS
    email, account_id = next(iter(data.users.items()))
    assert [a["AccountId"] for a in client.list_accounts(UserEmail=email)["Accounts"]] == [account_id]
    assert client.list_accounts(UserEmail="nobody@example.com")["Accounts"] == []


@pytest.mark.parametrize(
    "params",
    # botocore itself refuses MaxResults below 1 and an empty Name; the rest reach the service.
    [{"MaxResults": 201}, {"MaxResults": 500}, {"Name": "   "}, {"Name": "x" * 101}, {"UserEmail": "no-at-sign"}],
)
def test_constraint_violations_are_400(client, params):
    response = _error(lambda: client.list_accounts(**params))
    assert response["Error"]["Code"] == "BadRequestException"


@pytest.mark.parametrize(
    "kind,status,header_code,body_code",
    [
        ("throttle", 429, "ThrottledClientException", "Throttled"),
        ("500", 500, "ServiceFailureException", "ServiceFailure"),
        ("503", 503, "ServiceUnavailableException", "ServiceUnavailable"),
        ("forbidden", 403, "ForbiddenException", "AccessDenied"),
    ],
)
@pytest.mark.parametrize("omit_header", [False, True])
def test_error_classes_with_and_without_the_header(fake, client, kind, status, header_code, body_code, omit_header):
    fake.set_faults(TENANT, rules=[{"kind": kind, "on_page": 0}], omit_error_header=omit_header)
    response = _error(client.list_accounts)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["Error"]["Code"] == (body_code if omit_header else header_code)
    assert len(client.list_accounts()["Accounts"]) == 100  # count=1: the next request succeeds


def test_deprecated_fault_is_a_403_forbidden_that_names_the_deprecated_api(fake, client):
    fake.set_faults(TENANT, rules=[{"kind": "deprecated", "on_page": 0}])
    response = _error(client.list_accounts)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert response["Error"]["Code"] == "ForbiddenException"
    assert response["Error"]["Message"] == (
        f"User: arn:aws:iam::{TENANT}:user/fake-auditor is not authorized to call deprecated ListAccounts API."
    )
    assert fake.requests()[0]["fault"] == "deprecated"


@pytest.mark.parametrize("kind,status", [("html_502", 502), ("html_403", 403)])
def test_html_fault_is_a_proxy_page_of_2_mb_that_botocore_takes_whole_for_the_message(fake, client, kind, status):
    fake.set_faults(TENANT, rules=[{"kind": kind, "on_page": 0}])
    response = _error(lambda: client.list_accounts(UserEmail="ana.silva@example.com"))
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["Error"]["Code"] == str(status)  # no x-amzn-ErrorType, no JSON: the status is the code
    message = response["Error"]["Message"]
    assert len(message) > 2 * 1024 * 1024 - 16 and message.startswith("<!DOCTYPE html>") and message.endswith("</html>")
    assert "ANA.SILVA%40EXAMPLE.COM" in message and "\x1b[31m" in message


def test_not_found_for_unknown_email_when_asked(fake, client):
    fake.set_faults(TENANT, unknown_email_404=True)
    response = _error(lambda: client.list_accounts(UserEmail="nobody@example.com"))
    assert response["Error"]["Code"] == "NotFoundException"


def test_signature_is_checked(fake):
    wrong_secret = make_client(fake, secret_key="not-the-secret")
    response = _error(wrong_secret.list_accounts)
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (403, "ForbiddenException")
    unknown_key = make_client(fake, access_key="AKIAUNKNOWNKEY000000")
    response = _error(unknown_key.list_accounts)
    assert (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]) == (
        401,
        "UnauthorizedClientException",
    )
    log = fake.requests()
    assert [e["status"] for e in log] == [403, 401]
    assert log[0]["access_key"] == ACCESS_KEY and log[0]["region"] == "us-east-1"


def test_session_token_is_checked(fake):
    fake.add_credential(TENANT, "AKIATEMPORARY0000001", "temp-secret", session_token="the-token")
    assert make_client(fake, "AKIATEMPORARY0000001", "temp-secret", aws_session_token="the-token").list_accounts()
    response = _error(make_client(fake, "AKIATEMPORARY0000001", "temp-secret", aws_session_token="other").list_accounts)
    assert response["Error"]["Code"] == "ForbiddenException"


def test_tenants_are_kept_apart(fake, client):
    other = generate(5, seed=9, aws_account_id="444455556666")
    fake.add_tenant(other, "AKIAOTHERTENANT00001", "other-secret")
    theirs = make_client(fake, "AKIAOTHERTENANT00001", "other-secret").list_accounts()
    assert {a["AwsAccountId"] for a in theirs["Accounts"]} == {"444455556666"}
    assert len(theirs["Accounts"]) == 5
    token = client.list_accounts(MaxResults=5)["NextToken"]
    response = _error(lambda: make_client(fake, "AKIAOTHERTENANT00001", "other-secret").list_accounts(NextToken=token))
    assert response["Error"]["Code"] == "BadRequestException"  # a token is only good for its tenant
    assert fake.stats()["by_tenant"] == {TENANT: 1, "444455556666": 2}


def _outcomes(client, requests):
    outcomes = []
    for _attempt in range(requests):
        try:
            client.list_accounts(MaxResults=1)
            outcomes.append("ok")
        except botocore.exceptions.ClientError:
            outcomes.append("throttled")
    return outcomes


def test_throttle_every_kth_and_bursts(fake, client):
    fake.set_faults(TENANT, rules=[{"kind": "throttle", "every": 3}])
    assert _outcomes(client, 6) == ["ok", "ok", "throttled", "ok", "ok", "throttled"]
    fake.set_faults(TENANT, rules=[{"kind": "throttle", "at": 2, "count": 3}])
    assert _outcomes(client, 6) == ["ok", "throttled", "throttled", "throttled", "ok", "ok"]


def test_token_bucket_limits_the_rate(fake, client):
    fake.set_faults(TENANT, rate_limit=2, rate_burst=2)
    codes = []
    for _attempt in range(5):
        try:
            client.list_accounts(MaxResults=1)
            codes.append(200)
        except botocore.exceptions.ClientError as error:
            codes.append(error.response["ResponseMetadata"]["HTTPStatusCode"])
    assert codes[:2] == [200, 200] and 429 in codes[2:]


def test_dropped_connection_and_timeout(fake):
    fake.set_faults(TENANT, rules=[{"kind": "drop", "on_page": 0}])
    with pytest.raises(botocore.exceptions.ConnectionClosedError):
        make_client(fake).list_accounts()
    fake.set_faults(TENANT, rules=[{"kind": "timeout", "on_page": 0}], timeout_delay=1.5)
    with pytest.raises(botocore.exceptions.ReadTimeoutError):
        make_client(fake, read_timeout=0.5).list_accounts()


def test_latency_is_added(fake, client):
    fake.set_faults(TENANT, latency=0.3)
    started = datetime.datetime.now()
    client.list_accounts(MaxResults=1)
    assert (datetime.datetime.now() - started).total_seconds() >= 0.3


def test_malformed_body_reaches_the_client_as_an_empty_result(fake, client):
    # botocore does not raise on a 200 whose JSON is cut short: it returns no Accounts at all.
    fake.set_faults(TENANT, rules=[{"kind": "malformed", "on_page": 0}])
    assert "Accounts" not in client.list_accounts()


def test_record_repeated_across_a_page_boundary(fake, client):
    fake.set_faults(TENANT, repeat_record_at_page=1)
    pages = _all_pages(client, MaxResults=200)
    assert pages[1][0] == pages[0][-1]
    assert len({a["AccountId"] for p in pages for a in p}) == ACCOUNTS


def test_token_loop_repeats_the_same_token(fake, client):
    fake.set_faults(TENANT, token_loop_at_page=1)
    first = client.list_accounts(MaxResults=10)["NextToken"]
    second = client.list_accounts(MaxResults=10, NextToken=first)["NextToken"]
    assert second == first


def test_endless_tokens_are_fresh_every_time_even_past_the_last_record(fake, client):
    fake.set_faults(TENANT, endless_tokens_at_page=1)
    token, seen, records = None, set(), 0
    for _page in range(ACCOUNTS // 100 + 5):  # well past the last record
        answer = client.list_accounts(MaxResults=100, **({"NextToken": token} if token else {}))
        records += len(answer["Accounts"])
        token = answer["NextToken"]
        assert token not in seen
        seen.add(token)
    assert records == ACCOUNTS  # past the end the pages are empty, and a token still comes back


def test_tokens_expire(fake, client):
    fake.set_faults(TENANT, expire_token_at_page=1)
    token = client.list_accounts(MaxResults=10)["NextToken"]
    response = _error(lambda: client.list_accounts(MaxResults=10, NextToken=token))
    assert response["Error"]["Code"] == "BadRequestException" and "expired" in response["Error"]["Message"]
    fake.set_faults(TENANT, token_ttl=0.2)
    token = client.list_accounts(MaxResults=10)["NextToken"]
    datetime_wait = datetime.datetime.now() + datetime.timedelta(seconds=0.3)
    while datetime.datetime.now() < datetime_wait:
        pass
    assert "expired" in _error(lambda: client.list_accounts(MaxResults=10, NextToken=token))["Error"]["Message"]


def test_control_api_and_loader(fake, client, tmp_path):
    client.list_accounts(MaxResults=1)
    with urllib.request.urlopen(f"{fake.url}/_fake/stats") as answer:
        assert json.load(answer)["requests"] == 1
    with urllib.request.urlopen(f"{fake.url}/_fake/log") as answer:
        entry = json.load(answer)[0]
    assert entry["query"] == {"max-results": "1"} and entry["status"] == 200 and entry["access_key"] == ACCESS_KEY
    request = urllib.request.Request(
        f"{fake.url}/_fake/faults/{TENANT}", data=json.dumps({"rules": [{"kind": "503"}]}).encode(), method="PUT"
    )
    urllib.request.urlopen(request).close()
    assert fake.tenants[TENANT].faults.rules[0].kind == "503"
    urllib.request.urlopen(urllib.request.Request(f"{fake.url}/_fake/reset", data=b"", method="POST")).close()
    assert fake.stats()["requests"] == 0
    path = tmp_path / "accounts.yml"
    path.write_text(
        "aws_account_id: '999988887777'\naccounts:\n  - {AccountId: a1, Name: Zürich}\nusers: {z@example.com: a1}\n",
        encoding="utf-8",
    )
    with FakeChime() as other:
        other.add_tenant(load(str(path)), "AKIALOADED000000001", "s")
        accounts = make_client(other, "AKIALOADED000000001", "s").list_accounts(UserEmail="z@example.com")["Accounts"]
    assert accounts == [{"AwsAccountId": "999988887777", "AccountId": "a1", "Name": "Zürich"}]


def test_the_no_chime_shim_hides_the_model_from_a_new_process_and_only_it(tmp_path):
    from fake_chime.no_chime import shimmed_environment

    script = (
        "import boto3, botocore.exceptions, botocore.session\n"
        "assert 'chime' not in botocore.session.Session().get_available_services()\n"
        "assert 'sts' in botocore.session.Session().get_available_services()\n"
        "boto3.client('sts', region_name='us-east-1')\n"
        "try:\n"
        "    boto3.client('chime', region_name='us-east-1')\n"
        "except botocore.exceptions.UnknownServiceError:\n"
        "    print('unknown service')\n"
    )
    env = dict(os.environ, **shimmed_environment(tmp_path / "shim"))
    completed = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False)
    assert (completed.returncode, completed.stdout) == (0, "unknown service\n"), completed.stderr
