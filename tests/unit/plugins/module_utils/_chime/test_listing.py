# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of one AWS account's listing (module_utils/_chime/listing.py): the NextToken loop, its
per-page retries and failures, and the client; botocore's Stubber checks every request against the model."""

import os

import botocore.config
import botocore.exceptions
import pytest
import yaml

from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime import retries
from ansible_collections.chime.admin.plugins.module_utils._chime.errors import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils._chime.transformations import normalize_account
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import EMAIL
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import FAST
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import FakeClock
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import add_error as _error
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import add_page as _page
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import failing_once as _failing_once
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import raw as _raw

from fake_chime.testing import TENANT
from fake_chime.testing import create_chime_client
from fake_chime.testing import make_client


def _list(client, name=None, **options):
    return listing.list_chime_accounts(client, name, ListingOptions(**options))


def test_pages_through_every_result_with_one_call_per_page(stubbed):
    client, stub = stubbed
    _page(stub, [_raw(1), _raw(2)], "t1", {"MaxResults": 2})
    _page(stub, [_raw(3), _raw(4)], "t2", {"MaxResults": 2, "NextToken": "t1"})
    _page(stub, [_raw(5)], None, {"MaxResults": 2, "NextToken": "t2"})
    accounts = _list(client, page_size=2)
    assert [a["account_id"] for a in accounts] == ["id-1", "id-2", "id-3", "id-4", "id-5"]


def test_empty_listing_takes_one_call(stubbed):
    client, stub = stubbed
    _page(stub, [], None, {"MaxResults": 200})
    assert _list(client) == []


def test_filters_are_sent(stubbed):
    client, stub = stubbed
    _page(stub, [_raw(1)], None, {"MaxResults": 200, "Name": "Eng", "UserEmail": EMAIL})
    assert len(_list(client, name="Eng", user_email=EMAIL)) == 1


def test_duplicates_across_pages_are_kept_once_at_first_position(stubbed):
    client, stub = stubbed
    _page(stub, [_raw(1), _raw(2)], "t1")
    _page(stub, [_raw(2), _raw(3)], None)
    assert [a["account_id"] for a in _list(client, page_size=2)] == ["id-1", "id-2", "id-3"]


def test_repeated_token_fails_as_a_pagination_loop(stubbed):
    client, stub = stubbed
    _page(stub, [_raw(1)], "t1")
    _page(stub, [_raw(2)], "t2")
    _page(stub, [_raw(3)], "t1")
    with pytest.raises(ChimeListingError) as info:
        _list(client, page_size=1)
    assert "pagination looped" in info.value.message and "after page 3" in info.value.message
    assert info.value.code == "PaginationLoop"


@pytest.mark.parametrize(
    "code,status",
    [
        ("ThrottledClientException", 429),
        ("Throttled", 429),
        ("Throttling", 429),
        ("ServiceUnavailableException", 503),
        ("ServiceUnavailable", 503),
        ("ServiceFailureException", 500),
        ("ServiceFailure", 500),
    ],
)
def test_retries_only_the_failed_page_for_both_spellings(stubbed, code, status):
    client, stub = stubbed
    _page(stub, [_raw(1)], "t1", {"MaxResults": 1})
    _error(stub, code, status, {"MaxResults": 1, "NextToken": "t1"})
    _error(stub, code, status, {"MaxResults": 1, "NextToken": "t1"})
    _page(stub, [_raw(2)], None, {"MaxResults": 1, "NextToken": "t1"})
    accounts = _list(client, page_size=1, **FAST)
    assert [a["account_id"] for a in accounts] == ["id-1", "id-2"]


def test_retry_budget_exhausted_fails_with_code_and_attempts(stubbed):
    client, stub = stubbed
    _page(stub, [_raw(1)], "t1")
    for _attempt in range(3):
        _error(stub, "ThrottledClientException", 429)
    with pytest.raises(ChimeListingError) as info:
        _list(client, page_size=1, backoff_retries=2, **FAST)
    assert info.value.code == "ThrottledClientException"
    assert "ListAccounts on page 2 after 3 attempts returned ThrottledClientException" in info.value.message


def test_connection_errors_and_malformed_answers_are_retried():
    calls = []

    class FlakyClient:
        def list_accounts(self, **params):
            calls.append(params.get("NextToken"))
            if len(calls) == 2:
                raise botocore.exceptions.ConnectionClosedError(endpoint_url="http://x/accounts")
            if len(calls) == 3:
                return {"ResponseMetadata": {}}  # what botocore makes of a body cut short
            if len(calls) == 4:
                raise botocore.exceptions.ReadTimeoutError(endpoint_url="http://x/accounts")
            return {"Accounts": [_raw(len(calls))], "NextToken": None if calls[-1] else "t1"}

    accounts = _list(FlakyClient(), page_size=1, **FAST)
    assert calls == [None, "t1", "t1", "t1", "t1"]  # page 1 once; only page 2 again
    assert [a["account_id"] for a in accounts] == ["id-1", "id-5"]


# Every connection-level failure botocore has, recognised by its class family, not by a list of names:
# ProxyConnectionError was missing from the old name list and failed a task at once.
TRANSIENT_FAILURES = [
    botocore.exceptions.ProxyConnectionError(proxy_url="http://proxy:3128", error="refused"),
    botocore.exceptions.ConnectTimeoutError(endpoint_url="http://x/accounts"),
    botocore.exceptions.EndpointConnectionError(endpoint_url="http://x/accounts"),
    botocore.exceptions.ConnectionClosedError(endpoint_url="http://x/accounts"),
    botocore.exceptions.ResponseStreamingError(error="reset"),
    botocore.exceptions.HTTPClientError(error="reset by peer"),
]


@pytest.mark.parametrize("error", TRANSIENT_FAILURES, ids=lambda e: type(e).__name__)
def test_transient_failures_are_retried_by_class(error):
    client, calls = _failing_once(error)
    assert [a["account_id"] for a in _list(client, **FAST)] == ["id-1"]
    assert len(calls) == 2


@pytest.mark.parametrize(
    "error",
    [
        botocore.exceptions.SSLError(endpoint_url="https://x/accounts", error="certificate verify failed"),
        botocore.exceptions.NoCredentialsError(),
        botocore.exceptions.ParamValidationError(report="bad"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_permanent_botocore_failures_fail_at_once(error):
    client, calls = _failing_once(error)
    with pytest.raises(ChimeListingError) as info:
        _list(client, **FAST)
    assert len(calls) == 1 and info.value.code == type(error).__name__
    assert "attempts" not in info.value.message


def test_unretried_errors_fail_at_once_with_permission_hint(stubbed):
    client, stub = stubbed
    _error(stub, "ForbiddenException", 403)
    with pytest.raises(ChimeListingError) as info:
        _list(client, **FAST)
    assert info.value.denied and "chime:ListAccounts" in info.value.message
    assert "ForbiddenException" in info.value.message and "attempts" not in info.value.message
    assert info.value.response["Error"]["Code"] == "ForbiddenException"


def test_bad_request_is_not_denied_and_not_retried(stubbed):
    client, stub = stubbed
    _error(stub, "BadRequestException", 400)
    with pytest.raises(ChimeListingError) as info:
        _list(client, **FAST)
    assert not info.value.denied and "chime:ListAccounts" not in info.value.message


@pytest.mark.parametrize("code", ["NotFoundException", "NotFound"])
def test_unknown_email_is_no_account(stubbed, code):
    client, stub = stubbed
    _error(stub, code, 404)
    assert _list(client, user_email=EMAIL) == []


def test_not_found_without_email_filter_is_a_failure(stubbed):
    client, stub = stubbed
    _error(stub, "NotFoundException", 404)
    with pytest.raises(ChimeListingError):
        _list(client)


def test_email_never_reaches_error_messages():
    class Failing:
        def list_accounts(self, **params):
            raise botocore.exceptions.EndpointConnectionError(
                endpoint_url="http://x/accounts?user-email=ana.silva%40example.com"
            )

    with pytest.raises(ChimeListingError) as info:
        _list(Failing(), user_email=EMAIL, backoff_retries=0)
    assert "ana.silva" not in info.value.message and "<user_email>" in info.value.message


def test_client_config_names_the_collection_and_turns_botocore_retries_off():
    config = listing.client_config()
    assert config.user_agent_extra.endswith(f" chime.admin/{listing.COLLECTION_VERSION}")
    assert config.user_agent_extra.startswith("APN/1.0 Ansible/")
    assert config.retries == {"total_max_attempts": 1}


def test_collection_version_matches_galaxy_yml():
    root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..")
    with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
        assert yaml.safe_load(handle)["version"] == listing.COLLECTION_VERSION


def test_client_keeps_wire_timestamps_and_normalisation_turns_them_into_iso(fake):
    connect = {"aws_access_key_id": "AKIAFAKETESTKEY00001", "aws_secret_access_key": "fake-secret-key-for-tests"}
    client = create_chime_client(None, fake.url, connect)
    raw = client.list_accounts(MaxResults=1)["Accounts"][0]
    assert isinstance(raw["CreatedTimestamp"], str)
    assert normalize_account(raw)["created_timestamp"].endswith("+00:00")
    assert client.meta.region_name == "us-east-1"
    assert client.meta.config.retries["total_max_attempts"] == 1


def test_user_aws_config_wins_over_the_collection_defaults(fake):
    connect = {"aws_config": botocore.config.Config(retries={"max_attempts": 4}, read_timeout=7)}
    client = create_chime_client("eu-west-1", fake.url, connect)
    assert client.meta.config.retries["total_max_attempts"] == 5  # max_attempts 4: five attempts
    assert client.meta.config.read_timeout == 7 and client.meta.region_name == "eu-west-1"


@pytest.mark.parametrize(
    "connect,words",
    [
        ({"profile_name": "no-such-profile"}, "The config profile (no-such-profile) could not be found"),
        ({"aws_access_key_id": "AKIAONLY"}, "Partial credentials found"),
    ],
)
def test_client_creation_failures_are_listing_errors(fake, monkeypatch, connect, words):
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    with pytest.raises(ChimeListingError) as info:
        create_chime_client(None, fake.url, connect)
    assert info.value.message.startswith("Couldn't connect to AWS: ") and words in info.value.message


def test_malformed_endpoint_is_a_listing_error():
    with pytest.raises(ChimeListingError, match="Invalid endpoint"):
        create_chime_client(None, "not a url", {})


def test_throttles_engage_the_pacer_for_the_rest_of_the_listing(monkeypatch):
    slept, clock, real_pacer = [], FakeClock(), retries.AdaptivePacer

    def recording_sleep(seconds):
        slept.append(seconds)
        clock.sleep(seconds)

    # The listing's own pacer class, given a clock that only moves when it sleeps.
    monkeypatch.setattr(listing, "AdaptivePacer", lambda: real_pacer(clock=clock, sleep=recording_sleep))
    calls = []

    class Throttling:
        def list_accounts(self, **params):
            calls.append(params.get("NextToken"))
            if len(calls) == 2:
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": "Throttled"}, "ResponseMetadata": {"HTTPStatusCode": 429}}, "ListAccounts"
                )
            return {"Accounts": [_raw(len(calls))], "NextToken": f"t{len(calls)}" if len(calls) < 5 else None}

    assert len(_list(Throttling(), page_size=1, **FAST)) == 4
    assert calls == [None, "t1", "t1", "t3", "t4"]
    # Nothing was paced before the throttle; every request after it was, and the retry also
    # waited its backoff (which does not go through the pacer's sleep).
    assert len(slept) == 3 and all(seconds > 0 for seconds in slept)


class _EndlessTokens:
    """A Chime client whose every page carries one account and a NextToken never seen before."""

    def __init__(self):
        self.calls = 0

    def list_accounts(self, **_params):
        self.calls += 1
        return {"Accounts": [_raw(self.calls)], "NextToken": f"token-{self.calls}"}


def test_fresh_tokens_forever_stop_at_the_page_limit_with_no_partial_list(monkeypatch):
    monkeypatch.setattr(listing, "MAX_PAGES", 5)
    client = _EndlessTokens()
    with pytest.raises(ChimeListingError) as info:
        _list(client)
    assert info.value.code == "PaginationLimit"
    assert info.value.message == (
        "Failed to list Chime accounts: ListAccounts pagination stopped: a NextToken came back after page 5, the most"
        " a listing follows (5 pages). Refusing to return a partial list."
    )
    assert client.calls == 5  # no sixth request


def test_a_listing_of_exactly_the_page_limit_succeeds(monkeypatch):
    monkeypatch.setattr(listing, "MAX_PAGES", 3)
    client = _EndlessTokens()
    original = client.list_accounts

    def three_pages(**params):
        page = original(**params)
        return page if client.calls < 3 else {"Accounts": page["Accounts"]}  # the third page is the last

    client.list_accounts = three_pages
    assert [a["account_id"] for a in _list(client)] == ["id-1", "id-2", "id-3"]


def test_the_page_limit_is_ten_thousand_pages():
    assert listing.MAX_PAGES == 10_000  # 2,000,000 accounts at 200 a page
    listing.check_page_limit(9_999, "Listing")
    with pytest.raises(ChimeListingError, match=r"^Listing pagination stopped: .* \(10000 pages\)"):
        listing.check_page_limit(10_000, "Listing")


def test_fresh_tokens_from_the_fake_endpoint_stop_at_the_page_limit(fake, monkeypatch):
    monkeypatch.setattr(listing, "MAX_PAGES", 4)
    fake.set_faults(TENANT, endless_tokens_at_page=0)
    with pytest.raises(ChimeListingError) as info:
        _list(make_client(fake), page_size=200)
    assert info.value.code == "PaginationLimit" and "(4 pages)" in info.value.message
    assert fake.stats()["requests"] == 4


@pytest.mark.parametrize(
    "url",
    [
        "http://chime.example.com",
        "HTTP://chime.example.com:8080/",
        "Http://10.0.0.5:4566",
        "http://127.0.0.1.evil.example",  # a name that starts like a loopback address
        "http://127.0.0.1@evil.example",  # user info, then the remote host
        "http://localhost@evil.example:80",
        "http://user:pass@[2001:db8::1]:8080",
        "http://localhost.evil.example",
        "http://0.0.0.0:8080",  # every interface: not loopback
        "http://[::ffff:10.0.0.1]",
        "  http://chime.example.com",  # urllib strips the leading blanks, as botocore does not refuse them
    ],
)
def test_plain_http_to_a_remote_host_is_cleartext(url):
    assert listing.is_cleartext_remote(url) is True


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://chime.example.com",
        "HTTPS://10.0.0.5",
        "http://localhost:8080",
        "http://LOCALHOST",
        "http://localhost.",
        "http://127.0.0.1:4566",
        "http://127.255.255.254",
        "http://[::1]:8080/path",
        "http://[::ffff:127.0.0.1]",
        "http://evil.example@127.0.0.1:8080",  # user info of a remote name, then loopback
        "http://[::1",  # unparseable: the client refuses it
        "not a url",
        "http://",
        42,
    ],
)
def test_https_loopback_and_unjudgeable_urls_are_not_cleartext(url):
    assert listing.is_cleartext_remote(url) is False


def test_the_cleartext_warning_names_the_client_and_only_the_host():
    warning = listing.cleartext_warning("sts", "http://AKIA:hunter2@sts.example.com:8443/secret/path")
    assert warning == (
        "The STS endpoint http://sts.example.com:8443 (from endpoint_url, the environment or the AWS profile) is plain"
        " HTTP to a host that is not this machine's loopback: requests, their signatures, any session token and"
        " STS's role keys cross the network in clear text. Use https://."
    )
    assert listing.cleartext_warning("chime", "http://127.0.0.1:9000") is None
    assert listing.cleartext_warning("chime", "https://chime.example.com") is None


_PROFILE = """[profile audit]
endpoint_url = http://everything.example.com
services = audit-services

[services audit-services]
sts =
  endpoint_url = http://sts.example.com:8080
organizations =
  endpoint_url = https://organizations.example.com
"""
_KEYS = {"aws_access_key_id": "AKIAFAKETESTKEY00001", "aws_secret_access_key": "fake-secret-key-for-tests"}


@pytest.fixture
def profile(monkeypatch, tmp_path):
    """An AWS config file whose profile ``audit`` points every client at plain HTTP, STS through its services
    section and Organizations at HTTPS; no endpoint variable set."""
    for variable in list(os.environ):
        if variable.startswith("AWS_ENDPOINT_URL") or variable in (
            "AWS_PROFILE",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ):
            monkeypatch.delenv(variable)
    path = tmp_path / "config"
    path.write_text(_PROFILE)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(path))
    return dict(_KEYS, profile_name="audit")


def _hosts(warnings):
    return [w.split(" ")[1] + " " + w.split(" ")[3] for w in warnings]


def test_each_client_warns_from_the_endpoint_botocore_resolved_from_the_profile(profile):
    connection = listing.AwsConnection(None, None, profile)
    assert connection.warnings == []  # nothing made yet
    connection.client("sts")
    connection.client("organizations")
    connection.client("chime")
    connection.client("s3")
    connection.client("sts")  # reused: no second warning
    assert _hosts(connection.warnings) == [
        "STS http://sts.example.com:8080",
        "Chime http://everything.example.com",
        "S3 http://everything.example.com",
    ]
    with connection.role_client({"AccessKeyId": "ASIA1", "SecretAccessKey": "s", "SessionToken": "t"}):
        pass
    assert len(connection.warnings) == 3  # the roles' Chime client: the same endpoint, the same warning


def test_the_environment_and_the_option_are_judged_as_botocore_resolves_them(profile, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", "http://organizations.example.net")
    connection = listing.AwsConnection(None, "https://chime.example.com", profile)
    connection.client("organizations")
    connection.client("chime")  # the option wins over the profile
    assert _hosts(connection.warnings) == ["Organizations http://organizations.example.net"]
    # Told to ignore configured endpoints, botocore uses AWS's own (HTTPS) ones: nothing to warn of.
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    connection = listing.AwsConnection(None, None, profile)
    for service in ("sts", "organizations", "chime", "s3"):
        connection.client(service)
    assert connection.warnings == []


HOSTILE_RECORDS = {
    "a CreatedTimestamp that is no timestamp": dict(_raw(2), CreatedTimestamp="the day before yesterday"),
    "a null sign-in delegate group": dict(_raw(2), SigninDelegateGroups=[None]),
    "no AwsAccountId": {k: v for k, v in _raw(2).items() if k != "AwsAccountId"},
    "no AccountId": {k: v for k, v in _raw(2).items() if k != "AccountId"},
}


class _HostileOnce:
    """Page 2's first answer holds ``record``; its retry is sound."""

    def __init__(self, record, times=1):
        self.record, self.times, self.calls = record, times, []

    def list_accounts(self, **params):
        self.calls.append(params.get("NextToken"))
        if params.get("NextToken") is None:
            return {"Accounts": [_raw(1)], "NextToken": "t1"}
        if len(self.calls) <= 1 + self.times:
            return {"Accounts": [_raw(3), self.record]}
        return {"Accounts": [_raw(3), _raw(2)]}


@pytest.mark.parametrize("record", HOSTILE_RECORDS.values(), ids=HOSTILE_RECORDS.keys())
def test_a_malformed_record_is_retried_as_a_malformed_answer(record):
    client = _HostileOnce(record)
    accounts = _list(client, page_size=1, **FAST)
    assert client.calls == [None, "t1", "t1"] and [a["account_id"] for a in accounts] == ["id-1", "id-3", "id-2"]


@pytest.mark.parametrize("record", HOSTILE_RECORDS.values(), ids=HOSTILE_RECORDS.keys())
def test_a_malformed_record_for_good_fails_naming_the_page_and_the_record(record):
    with pytest.raises(ChimeListingError) as info:
        _list(_HostileOnce(record, times=3), page_size=1, backoff_retries=2, **FAST)
    message = info.value.message
    assert info.value.code == "MalformedResponseError" and "ListAccounts on page 2 after 3 attempts" in message
    assert "record 2 of the page" in message
