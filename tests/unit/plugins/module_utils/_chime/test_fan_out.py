# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the listing across AWS accounts (module_utils/_chime/fan_out.py), with scripted STS,
Organizations and Chime clients."""

import contextlib
import threading

import botocore.exceptions
import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime import fan_out
from ansible_collections.chime.admin.plugins.module_utils._chime.errors import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions

FAST = {"backoff_retries": 2, "backoff_delay": 0.001, "backoff_max_delay": 0.001}
CALLER = "999988887777"


def _error(code, status, operation, message=None):
    error = {"Code": code, "Message": message or f"{code} here"}
    return botocore.exceptions.ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, operation)


class Scripted:
    """An AwsConnection stand-in: STS and Organizations answer from a script; the 'chime client' of an
    AWS account is just its ID, which the listing function receives."""

    def __init__(self, members=(), refuse=(), throttle_once=(), pages_of=2):
        self.members, self.refuse, self.throttle_once = list(members), set(refuse), set(throttle_once)
        self.pages_of, self.assumed, self.org_pages = pages_of, [], 0
        self.lock = threading.Lock()

    def client(self, service, pool=None):
        return CALLER if service == "chime" else self

    @contextlib.contextmanager
    def role_client(self, credentials, pool=None):
        yield credentials["AccessKeyId"].split("-")[1]

    def get_caller_identity(self):
        return {"Account": CALLER, "Arn": f"arn:aws-cn:iam::{CALLER}:user/auditor"}

    def list_accounts(self, MaxResults, NextToken=None):
        start = int(NextToken or 0)
        self.org_pages += 1
        page = {"Accounts": self.members[start : start + self.pages_of]}
        if start + self.pages_of < len(self.members):
            page["NextToken"] = str(start + self.pages_of)
        return page

    def assume_role(self, RoleArn, RoleSessionName, ExternalId=None):
        account = RoleArn.split(":")[4]
        with self.lock:
            self.assumed.append(RoleArn)
            if account in self.throttle_once:
                self.throttle_once.discard(account)
                raise _error("Throttling", 400, "AssumeRole")
        if account in self.refuse:
            raise _error("AccessDenied", 403, "AssumeRole")
        return {"Credentials": {"AccessKeyId": f"ASIA-{account}", "SecretAccessKey": "s", "SessionToken": "t"}}


def _across(connection, list_accounts, **options):
    return fan_out.list_across_aws_accounts(connection, list_accounts, ListingOptions(**options))


def _member(account_id, status="ACTIVE"):
    return {"Id": account_id, "Status": status}


def _lister(fail=(), deny=()):
    def list_accounts(client):
        if client in fail:
            raise ChimeListingError(f"ListAccounts returned ServiceFailure in {client}", code="ServiceFailure")
        if client in deny:
            raise ChimeListingError("ListAccounts returned ForbiddenException", code="Forbidden", denied=True)
        return [{"aws_account_id": client, "account_id": f"{client}-{n}"} for n in range(2)]

    return list_accounts


def test_organization_members_are_listed_sorted_with_a_status_each():
    members = [_member("333333333333"), _member(CALLER), _member("111111111111"), _member("222222222222", "SUSPENDED")]
    connection = Scripted(members, throttle_once={"333333333333"})
    accounts, entries, warnings = _across(
        connection, _lister(), organization_role_name="audit/Chime", concurrency=3, **FAST
    )
    assert [a["account_id"] for a in accounts] == [
        "111111111111-0", "111111111111-1", "333333333333-0", "333333333333-1", f"{CALLER}-0", f"{CALLER}-1",
    ]  # fmt: skip
    assert [(e["aws_account_id"], e["status"], e["accounts"]) for e in entries] == [
        ("111111111111", "listed", 2),
        ("222222222222", "skipped", 0),
        ("333333333333", "listed", 2),
        (CALLER, "listed", 2),
    ]
    assert entries[0]["role_arn"] == "arn:aws-cn:iam::111111111111:role/audit/Chime"  # the caller's partition
    assert entries[3]["role_arn"] is None and warnings == []
    assert connection.org_pages == 2  # every page of Organizations ListAccounts
    assert sorted(connection.assumed).count("arn:aws-cn:iam::333333333333:role/audit/Chime") == 2  # throttled, retried


@pytest.mark.parametrize("mode,warned", [("warn", 2), ("skip", 0)])
def test_refusals_are_reported_and_left_out(mode, warned):
    arns = [f"arn:aws:iam::{n * 12}:role/R" for n in "123"]
    connection = Scripted(refuse={"1" * 12})
    accounts, entries, warnings = _across(connection, _lister(deny={"2" * 12}), role_arns=arns, on_denied=mode, **FAST)
    assert {a["aws_account_id"] for a in accounts} == {"3" * 12}
    assert [e["status"] for e in entries] == ["denied", "denied", "listed"]
    assert "AccessDenied" in entries[0]["message"] and "Forbidden" in entries[1]["message"]
    assert len(warnings) == warned


def test_failures_fail_after_every_account_was_tried_naming_each():
    arns = [f"arn:aws:iam::{n * 12}:role/R" for n in "1234"]
    listed = []

    def lister(client):
        listed.append(client)
        return _lister(fail={"1" * 12, "3" * 12}, deny={"2" * 12})(client)

    with pytest.raises(ChimeListingError) as info:
        _across(Scripted(), lister, role_arns=arns, on_denied="error", concurrency=1, **FAST)
    assert sorted(listed) == sorted(n * 12 for n in "1234")
    message = info.value.message
    assert "3 of 4 AWS accounts" in message and "partial list" in message
    assert all(n * 12 in message for n in "123") and "4" * 12 not in message


def test_duplicate_roles_are_assumed_once_and_external_id_is_not_echoed():
    arn = "arn:aws:iam::111111111111:role/R"
    connection = Scripted(refuse={"111111111111"})

    def refusing_with_id(RoleArn, RoleSessionName, ExternalId=None):
        connection.assumed.append((RoleArn, RoleSessionName, ExternalId))
        raise _error("AccessDenied", 403, "AssumeRole", f"not allowed with external ID {ExternalId}")

    connection.assume_role = refusing_with_id
    _accounts, entries, _warnings = _across(
        connection, _lister(), role_arns=[arn, arn], external_id="secret-external-id", on_denied="skip", **FAST
    )
    assert connection.assumed == [(arn, "chime-admin", "secret-external-id")] and len(entries) == 1
    assert "secret-external-id" not in entries[0]["message"] and "<external_id>" in entries[0]["message"]


class _Identity:
    """An AwsConnection stand-in whose STS GetCallerIdentity fails with ``failures`` first."""

    def __init__(self, failures):
        self.failures, self.calls = list(failures), 0

    def client(self, service, pool=None):
        assert service == "sts"
        return self

    def get_caller_identity(self):
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"Account": CALLER, "Arn": f"arn:aws:iam::{CALLER}:user/auditor", "UserId": "AIDA"}


def test_caller_identity_is_retried_with_the_backoff_options():
    connection = _Identity([_error("Throttling", 400, "GetCallerIdentity")] * 2)
    assert fan_out.caller_identity(connection, ListingOptions(**FAST))["Account"] == CALLER
    assert connection.calls == 3
    connection = _Identity([_error("Throttling", 400, "GetCallerIdentity")] * 3)
    with pytest.raises(ChimeListingError) as info:
        fan_out.caller_identity(connection, ListingOptions(**FAST))
    assert info.value.message == "STS GetCallerIdentity after 3 attempts returned Throttling: Throttling here"
    assert connection.calls == 3 and info.value.code == "Throttling" and not info.value.denied


def test_caller_identity_refused_fails_at_once_as_denied():
    connection = _Identity([_error("AccessDenied", 403, "GetCallerIdentity", "not you")])
    with pytest.raises(ChimeListingError) as info:
        fan_out.caller_identity(connection)  # the default options
    assert info.value.message == "STS GetCallerIdentity returned AccessDenied: not you"
    assert info.value.denied and connection.calls == 1


def test_summary_across_aws_accounts_counts_each_one():
    accounts = [{"aws_account_id": aws, "account_id": n, "account_status": "Active"} for aws, n in
                [("222222222222", "a"), ("111111111111", "b"), ("222222222222", "c")]]  # fmt: skip
    summary = fan_out.summarize_across(accounts)
    assert summary["by_aws_account"] == {"111111111111": 1, "222222222222": 2}
    assert list(summary["by_aws_account"]) == ["111111111111", "222222222222"]  # sorted by ID
    assert summary["total"] == 3 and summary["by_status"] == {"Active": 3}


class _Streamed(Scripted):
    """An organization whose last Organizations page is only answered once a role of an earlier page was
    assumed: a listing that read every page before assuming any role would wait here until the timeout."""

    def __init__(self, members, pages_of):
        super().__init__(members, pages_of=pages_of)
        self.first_role = threading.Event()
        self.order = []

    def list_accounts(self, MaxResults, NextToken=None):  # noqa: N803 (boto3's parameter names)
        if NextToken is not None and int(NextToken) + self.pages_of >= len(self.members):
            assert self.first_role.wait(10), "no role was assumed before the last Organizations page"
        with self.lock:
            self.order.append(("page", NextToken))
        return super().list_accounts(MaxResults, NextToken)

    def assume_role(self, RoleArn, RoleSessionName, ExternalId=None):  # noqa: N803
        with self.lock:
            self.order.append(("role", RoleArn.split(":")[4]))
        self.first_role.set()
        return super().assume_role(RoleArn, RoleSessionName, ExternalId)


def test_the_organization_is_streamed_roles_start_while_later_pages_are_read():
    members = [_member(f"{n:012d}") for n in range(1, 10)]
    connection = _Streamed(members, pages_of=3)
    accounts, entries, _warnings = _across(connection, _lister(), organization_role_name="R", concurrency=4, **FAST)
    pages = [i for i, (kind, _value) in enumerate(connection.order) if kind == "page"]
    roles = [i for i, (kind, _value) in enumerate(connection.order) if kind == "role"]
    assert len(pages) == 3 and len(roles) == 9 and min(roles) < max(pages)
    # The results are as a listing that read every page first gives: sorted, each AWS account once.
    assert [e["aws_account_id"] for e in entries] == sorted([CALLER] + [m["Id"] for m in members])
    assert len(accounts) == 20 and all(e["status"] == "listed" for e in entries)


def test_a_member_a_later_page_gives_again_is_listed_once():
    members = [_member("111111111111"), _member("222222222222"), _member("111111111111")]
    connection = Scripted(members, pages_of=2)
    _accounts, entries, _warnings = _across(connection, _lister(), organization_role_name="R", **FAST)
    assert [e["aws_account_id"] for e in entries] == ["111111111111", "222222222222", CALLER]
    assert len(connection.assumed) == 2


class _Endless(Scripted):
    def __init__(self, token):
        super().__init__()
        self.token = token

    def list_accounts(self, MaxResults, NextToken=None):  # noqa: N803
        self.org_pages += 1
        return {"Accounts": [], "NextToken": self.token(self.org_pages)}


def test_organizations_pagination_that_loops_or_never_ends_fails_with_no_partial_list(monkeypatch):
    connection = _Endless(lambda page: "same")
    with pytest.raises(ChimeListingError) as info:
        _across(connection, _lister(), organization_role_name="R", **FAST)
    assert info.value.code == "PaginationLoop" and "after page 2" in info.value.message
    monkeypatch.setattr(fan_out, "MAX_ORGANIZATIONS_PAGES", 30)
    connection = _Endless(lambda page: f"token-{page}")
    with pytest.raises(ChimeListingError) as info:
        _across(connection, _lister(), organization_role_name="R", **FAST)
    assert info.value.code == "PaginationLimit" and connection.org_pages == 30
    assert info.value.message == (
        "Failed to list Chime accounts: Organizations ListAccounts pagination stopped: a NextToken came back after"
        " page 30, the most a listing follows (30 pages). Refusing to return a partial list."
    )


def test_a_failed_organizations_page_fails_and_starts_no_more_aws_accounts():
    members = [_member(f"{n:012d}") for n in range(1, 7)]
    connection = Scripted(members, pages_of=2)
    pages = connection.list_accounts

    def failing(MaxResults, NextToken=None):  # noqa: N803
        if NextToken == "4":
            raise _error("AccessDeniedException", 403, "ListAccounts")
        return pages(MaxResults, NextToken)

    connection.list_accounts = failing
    with pytest.raises(ChimeListingError) as info:
        _across(connection, _lister(), organization_role_name="R", concurrency=2, **FAST)
    assert "Organizations ListAccounts returned AccessDeniedException" in info.value.message
    assert "delegated administrator" in info.value.message
    assert not {arn.split(":")[4] for arn in connection.assumed} & {"000000000005", "000000000006"}


def test_an_unexpected_error_in_one_aws_account_starts_no_more_of_them(monkeypatch):
    """40 AWS accounts, 2 at a time; the first one's listing raises an unexpected error. Every other listing holds
    its thread until the fan-out shuts its pool down, which it does only after it has cancelled what had not
    started: so no timing decides what this sees. A thread freed by the failure may have taken one more AWS account
    before the cancel (the third); no fourth can start."""
    arns = [f"arn:aws:iam::{n:012d}:role/R" for n in range(1, 41)]
    listed, released = [], threading.Event()

    class Pool(fan_out.ThreadPoolExecutor):
        def shutdown(self, *args, **kwargs):  # the fan-out's with block ends here, after its cancel
            released.set()
            super().shutdown(*args, **kwargs)

    def lister(client):
        listed.append(client)
        if client == f"{1:012d}":
            raise KeyError("unexpected")
        assert released.wait(timeout=60), "the pool was never shut down"  # a bound against a hang, not a clock
        return []

    monkeypatch.setattr(fan_out, "ThreadPoolExecutor", Pool)
    with pytest.raises(KeyError):
        _across(Scripted(), lister, role_arns=arns, concurrency=2, **FAST)
    assert listed[0] == f"{1:012d}" and set(listed) <= {f"{n:012d}" for n in (1, 2, 3)}, listed


def test_a_member_with_neither_state_nor_status_fails_counted_and_named_never_skipped():
    members = [_member("111111111111"), {"Id": "222222222222"}, _member("333333333333", "SUSPENDED")]
    with pytest.raises(ChimeListingError) as info:
        _across(Scripted(members), _lister(), organization_role_name="R", on_denied="skip", **FAST)
    message = info.value.message
    assert "1 of 4 AWS accounts: 222222222222: Not listed" in message and "no State (nor Status)" in message
    assert info.value.code == "UnknownState" and not info.value.denied


def test_a_listing_with_records_of_another_aws_account_fails_that_aws_account():
    def crossed(client):  # the second AWS account's listing holds a record of the first
        accounts = _lister()(client)
        if client == "2" * 12:
            accounts[1] = dict(accounts[1], aws_account_id="1" * 12)
        return accounts

    arns = [f"arn:aws:iam::{n * 12}:role/R" for n in "123"]
    with pytest.raises(ChimeListingError) as info:
        _across(Scripted(), crossed, role_arns=arns, on_denied="warn", **FAST)
    message = info.value.message
    assert "1 of 3 AWS accounts: 222222222222: Failed to list Chime accounts" in message
    assert "another AWS account (111111111111, account 2 of the listing)" in message
    assert info.value.code == "AwsAccountMismatch"


def test_the_callers_own_listing_is_cross_checked_too():
    def crossed(client):
        return [{"aws_account_id": "1" * 12, "account_id": "x"}] if client == CALLER else _lister()(client)

    with pytest.raises(ChimeListingError, match=f"1 of 2 AWS accounts: {CALLER}: .*another AWS account"):
        _across(Scripted([_member("222222222222")]), crossed, organization_role_name="R", **FAST)


class _Counted(Scripted):
    """Scripted, with a ``caller`` slot as AwsConnection has, counting GetCallerIdentity and the STS clients."""

    caller = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.identities, self.sts_pools = 0, []

    def client(self, service, pool=None):
        if service == "sts":
            self.sts_pools.append(pool)
        return super().client(service, pool)

    def get_caller_identity(self):
        self.identities += 1
        return super().get_caller_identity()


def test_the_audit_asks_the_caller_identity_once_with_the_listings_sts_client():
    # The audit asks GetCallerIdentity first, then lists the organization, which needs the caller's account.
    connection = _Counted([_member("111111111111")])
    options = ListingOptions(organization_role_name="R", concurrency=5, **FAST)
    assert fan_out.caller_identity(connection, options)["Account"] == CALLER
    _accounts, entries, _warnings = fan_out.list_across_aws_accounts(connection, _lister(), options)
    assert [e["status"] for e in entries] == ["listed", "listed"]
    assert connection.identities == 1
    assert set(connection.sts_pools) == {5}  # one STS client (the connection keeps one per pool size)
