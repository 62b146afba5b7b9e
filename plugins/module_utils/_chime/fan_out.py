# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Chime accounts across many AWS accounts: through a list of IAM roles, or through every active
account of an AWS organization; several AWS accounts at once, with a status for each."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

from concurrent.futures import ThreadPoolExecutor

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    BotoCoreError = ClientError = None  # handled by AnsibleAWSModule / AWSLookupBase

from .errors import MAX_CODE
from .errors import ChimeListingError
from .errors import MalformedResponseError
from .errors import bounded
from .errors import redact
from .listing import OPERATION
from .listing import check_next_page
from .options import ROLE_ARN_RE
from .options import ListingOptions
from .retries import Retrying
from .retries import call_failure
from .retries import retried
from .transformations import summarize
from .transformations import union_by_account_id

ORGANIZATIONS_PAGE_SIZE = 20  # the service's maximum
ORGANIZATIONS_LISTING = "Organizations ListAccounts"
# 25,000 pages of 20 are 500,000 AWS accounts, far above any organization's quota of member accounts (10 by
# default, raised on request to a few thousand): a list that long is an endpoint that never stops paging.
MAX_ORGANIZATIONS_PAGES = 25_000
ACTIVE = "ACTIVE"


class _Calls:
    """Calls of STS and Organizations, each retried on its own with the listing's backoff options."""

    def __init__(self, options):
        self.retrying = Retrying(options)

    def call(self, operation, function, **params):
        """``function(**params)``, retried; a failure for good raises :class:`ChimeListingError`."""
        try:
            return self.retrying.call(function, **params)
        except (ClientError, BotoCoreError, MalformedResponseError) as error:
            # Unlike the Chime listing's, these messages count the attempts of a retried failure even
            # when there was only one (backoff_retries 0).
            attempts = self.retrying.attempts if retried(error) else None
            raise call_failure(operation, error, attempts, params.get("ExternalId"), "<external_id>") from None


def caller_identity(connection, options=None):
    """STS ``GetCallerIdentity`` of ``connection``'s identity (``Account``, ``Arn``, ``UserId``), retried
    with the backoff options of the :class:`ListingOptions` ``options`` (the defaults for ``None``); a
    failure raises :class:`ChimeListingError`.

    Asked once per connection: the answer is kept as ``connection.caller`` (where the connection has that
    attribute, as :class:`AwsConnection` has), and the listing across AWS accounts takes it from there. The
    STS client is the one that listing uses (:func:`sts_client`): an audit makes one STS client, not two."""
    options = ListingOptions() if options is None else options
    known = getattr(connection, "caller", None)
    if known is not None:
        return known
    answer = _Calls(options).call("STS GetCallerIdentity", sts_client(connection, options).get_caller_identity)
    if hasattr(connection, "caller"):
        connection.caller = answer
    return answer


def sts_client(connection, options):
    """The STS client for ``options``: one for every call, its pool sized for the fan-out's threads when the
    options ask for AWS accounts beyond the caller's (clients are thread-safe; the connection keeps it)."""
    return connection.client("sts", options.concurrency if options.fan_out_requested else None)


def _targets_from_roles(role_arns):
    seen = set()
    for arn in role_arns:
        if arn not in seen:
            seen.add(arn)
            yield ROLE_ARN_RE.fullmatch(arn).group(2), arn


def _targets_from_organization(connection, options, calls, role_name):
    """The caller's own AWS account, then each member account as its Organizations page arrives: ``(id, role
    ARN)`` for an active member (``None`` for the caller's own account), a :class:`_Settled` entry for any other."""
    caller = caller_identity(connection, options)
    partition = caller["Arn"].split(":")[1]
    yield caller["Account"], None
    organizations = connection.client("organizations")
    params, seen, tokens, pages = {"MaxResults": ORGANIZATIONS_PAGE_SIZE}, {caller["Account"]}, set(), 0
    while True:  # one call per page, each retried on its own, as for Chime
        try:
            page = calls.call(ORGANIZATIONS_LISTING, organizations.list_accounts, **params)
        except ChimeListingError as error:
            if error.denied or error.code == "AWSOrganizationsNotInUseException":
                error.message += (
                    " organization_role_name needs the credentials of the organization's management account or of"
                    " a delegated administrator, allowed organizations:ListAccounts."
                )
                error.args = (error.message,)
            raise
        pages += 1
        for member in page.get("Accounts", []):
            if member["Id"] in seen:  # the caller's own, or one a page gave before
                continue
            seen.add(member["Id"])
            state = member.get("State") or member.get("Status")
            if state == ACTIVE:
                yield member["Id"], f"arn:{partition}:iam::{member['Id']}:role/{role_name}"
            elif not state:
                # Neither State nor the older Status: the state is unknown, so the AWS account is neither listed
                # nor taken for suspended or closing. It fails, counted and named with the others: never skipped.
                message = (
                    f"Not listed: {ORGANIZATIONS_LISTING} gave the AWS account no State (nor Status), so its state"
                    " is unknown; it is neither listed nor skipped as suspended or closing."
                )
                yield _Settled(_entry(member["Id"], None, "failed", [], message), "UnknownState")
            else:
                yield _Settled(
                    _entry(
                        member["Id"], None, "skipped", [], f"Skipped: the AWS account is {state} in AWS Organizations."
                    )
                )
        token = page.get("NextToken")
        if not token:
            return
        check_next_page(
            f"Failed to list Chime accounts: {ORGANIZATIONS_LISTING}", token, tokens, pages, MAX_ORGANIZATIONS_PAGES
        )
        params["NextToken"] = token


class _Settled:
    """An AWS account whose entry is known without a request: skipped, or failed with the error ``code``."""

    def __init__(self, entry, code=None):
        self.entry = entry
        self.error = None if code is None else ChimeListingError(entry["message"], code=code)


def _entry(aws_account_id, role_arn, status, accounts, message=None):
    entry = {"aws_account_id": aws_account_id, "role_arn": role_arn, "status": status, "accounts": accounts}
    if message is not None:
        entry["message"] = message
    return entry


def _list_one(connection, sts, calls, target, assume, list_accounts, pool):
    """One AWS account: ``(entry, error)``, the error a :class:`ChimeListingError` or None."""
    aws_account_id, role_arn = target
    # What the entry and every message show of the role ARN: a role's name may hold an e-mail address (IAM
    # allows @), which no output holds. The ARN itself is what STS is asked for.
    shown = None if role_arn is None else shown_role_arn(role_arn)
    try:
        if role_arn is None:
            accounts = list_accounts(connection.client("chime"))
        else:
            answer = calls.call(f"STS AssumeRole of {shown}", sts.assume_role, RoleArn=role_arn, **assume)
            with connection.role_client(answer["Credentials"], pool) as client:
                accounts = list_accounts(client)
        _check_aws_account(aws_account_id, accounts)
    except ChimeListingError as error:
        status = "denied" if error.denied else "failed"
        return _entry(aws_account_id, shown, status, [], error.message), error
    return _entry(aws_account_id, shown, "listed", accounts), None


def shown_role_arn(role_arn):
    """``role_arn`` as results, reports and messages show it: any part that holds an e-mail address withheld
    (:func:`redact`), the partition, the AWS account and the role's path kept."""
    return redact(role_arn)


def _check_aws_account(aws_account_id, accounts):
    """Refuse a listing with a Chime account of another AWS account than the one listed: whatever mixed them up
    (an endpoint, a role into the wrong account, credentials crossed between threads), the AWS account fails."""
    for number, account in enumerate(accounts, 1):
        if account["aws_account_id"] != aws_account_id:
            raise ChimeListingError(
                f"Failed to list Chime accounts: {OPERATION} answered with Chime accounts of another AWS account"
                f" ({bounded(account['aws_account_id'], MAX_CODE)}, account {number} of the listing) than the one"
                " listed. Refusing to count them for this one.",
                code="AwsAccountMismatch",
            )


def list_across_aws_accounts(connection, list_accounts, options):
    """List Chime accounts in each AWS account that the :class:`ListingOptions` ``options`` ask for,
    ``options.concurrency`` AWS accounts at a time.

    ``connection`` is the caller's :class:`AwsConnection`; ``list_accounts(client)`` lists one AWS
    account's Chime accounts (its pages one after another, as NextToken requires). With
    ``organization_role_name``, the organization's active member accounts are listed through that
    role and the caller's own account with the caller's credentials; suspended and closing accounts
    are reported as skipped. The organization is streamed: each member account is started as soon as
    its Organizations page arrives, while the next pages are read.

    Returns ``(accounts, aws_accounts, warnings)``: every Chime account once, sorted by AWS account
    and in API order within one; one entry per AWS account, sorted by ID, with its status
    (``listed``, ``denied``, ``skipped``) and its count; and one warning per refused AWS account when
    ``on_denied`` is ``warn``. Raises :class:`ChimeListingError` naming every AWS account that failed,
    after all were tried, and every refused one when ``on_denied`` is ``error``: a partial list is
    never a success. A failed Organizations page fails at once: the AWS accounts not yet started are
    not started. No credential and no external ID is part of any result or message.
    """
    calls = _Calls(options)
    pool = options.concurrency
    sts = sts_client(connection, options)  # one client for every AssumeRole: clients are thread-safe
    if options.role_arns:
        targets = _targets_from_roles(options.role_arns)
    else:
        targets = _targets_from_organization(connection, options, calls, options.organization_role_name)
    assume = {"RoleSessionName": options.role_session_name}
    if options.external_id is not None:
        assume["ExternalId"] = options.external_id
    futures, skipped = [], []
    with ThreadPoolExecutor(max_workers=options.concurrency) as executor:
        try:
            for target in targets:
                if isinstance(target, _Settled):
                    skipped.append((target.entry, target.error))
                else:
                    futures.append(
                        executor.submit(_list_one, connection, sts, calls, target, assume, list_accounts, pool)
                    )
            results = [future.result() for future in futures]
        except BaseException:
            # A failed Organizations page, an unexpected error in one AWS account, or an interrupt: those
            # already running end, the rest never start.
            for future in futures:
                future.cancel()
            raise
    results += skipped
    return _outcome(sorted(results, key=lambda r: r[0]["aws_account_id"]), options.on_denied)


def _outcome(results, on_denied):
    entries = [entry for entry, _error in results]
    failed = [
        (entry, error)
        for entry, error in results
        if entry["status"] == "failed" or (entry["status"] == "denied" and on_denied == "error")
    ]
    if failed:
        lines = "; ".join(f"{entry['aws_account_id']}: {entry['message']}" for entry, _error in failed)
        raise ChimeListingError(
            f"Failed to list Chime accounts in {len(failed)} of {len(entries)} AWS accounts: {lines}."
            " Refusing to return a partial list.",
            code=failed[0][1].code,
            denied=all(error.denied for _entry, error in failed),
        )
    warnings = []
    if on_denied == "warn":
        warnings = [
            f"AWS account {entry['aws_account_id']} was not listed: {entry['message']}"
            for entry in entries
            if entry["status"] == "denied"
        ]
    # Keyed by (AWS account, Chime account): two roles into one AWS account give its accounts once.
    accounts = union_by_account_id(
        [entry["accounts"] for entry in entries], key=lambda a: (a["aws_account_id"], a["account_id"])
    )
    for entry in entries:
        entry["accounts"] = len(entry["accounts"])
    return accounts, entries, warnings


def summarize_across(accounts):
    """:func:`summarize`, with the count of Chime accounts in each AWS account (``by_aws_account``)."""
    summary = summarize(accounts)
    counts = {}
    for account in accounts:
        counts[account["aws_account_id"]] = counts.get(account["aws_account_id"], 0) + 1
    summary["by_aws_account"] = dict(sorted(counts.items()))
    return summary
