# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one home of Chime account listing for chime.admin: validation, paging, retries, facts.

The module ``chime_account_info`` and the lookup ``chime_accounts`` are thin doors onto this API:

- :func:`validate_options` checks option values before any request is sent;
- :func:`client_config` is the botocore configuration the Chime client is created with;
- :func:`list_chime_accounts` pages through ``ListAccounts`` and returns normalised accounts;
- :func:`normalize_account` and :func:`summarize` turn API records into facts;
- :class:`ChimeListingError` is the one failure both doors report.
"""

import datetime
import re
import sys
import time
from urllib.parse import quote
from urllib.parse import quote_plus

try:
    import boto3
    import botocore.config
    import botocore.session
    import botocore.utils
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError
    from botocore.exceptions import SSLError
except ImportError:
    BotoCoreError = ClientError = None  # handled by AnsibleAWSModule / AWSLookupBase
    BotoConnectionError = HTTPClientError = SSLError = None

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict

COLLECTION = "chime.admin"
COLLECTION_VERSION = "0.1.0"  # kept equal to galaxy.yml's version by a unit test
DEFAULT_REGION = "us-east-1"  # Chime is global: botocore signs for us-east-1 whatever the region
OPERATION = "ListAccounts"
PERMISSION = "chime:ListAccounts"
END_OF_SUPPORT = "2026-02-20"

DEFAULT_PAGE_SIZE = 200
DEFAULT_BACKOFF_RETRIES = 10
DEFAULT_BACKOFF_DELAY = 0.1
DEFAULT_BACKOFF_MAX_DELAY = 30.0

# Chime's throttling and fault codes in both spellings: botocore reports the x-amzn-ErrorType
# header's exception name when the header is present, else the body's short Code.
# AWSRetry's default list only has Throttling and ServiceUnavailable of these.
THROTTLE_CODES = ("ThrottledClientException", "Throttled", "Throttling")
RETRY_ERROR_CODES = THROTTLE_CODES + (
    "ServiceUnavailableException",
    "ServiceUnavailable",
    "ServiceFailureException",
    "ServiceFailure",
)
# The retry code given to a transient failure that is not an AWS error (see ChimeRetry): a dropped
# or refused connection, a timeout, a proxy failure, or a 200 whose body is not a ListAccounts answer.
TRANSIENT = "TransientError"
RETRIED = frozenset(RETRY_ERROR_CODES + (TRANSIENT,))
DENIED_CODES = {
    "UnauthorizedClientException",
    "Unauthorized",
    "ForbiddenException",
    "Forbidden",
    "AccessDenied",
    "AccessDeniedException",
}
NOT_FOUND_CODES = {"NotFoundException", "NotFound"}

_EMAIL_RE = re.compile(r".+@.+\..+")
_NAME_RE = re.compile(r".*\S.*", re.DOTALL)

# The nine members of ListAccounts' Account shape. A fixed mapping instead of
# camel_dict_to_snake_dict for these: it is exact for the known keys and several times faster on
# large listings. Members a newer API adds still go through camel_dict_to_snake_dict.
ACCOUNT_KEYS = (
    ("AwsAccountId", "aws_account_id"),
    ("AccountId", "account_id"),
    ("Name", "name"),
    ("AccountType", "account_type"),
    ("CreatedTimestamp", "created_timestamp"),
    ("DefaultLicense", "default_license"),
    ("SupportedLicenses", "supported_licenses"),
    ("AccountStatus", "account_status"),
    ("SigninDelegateGroups", "signin_delegate_groups"),
)
_KNOWN = {camel for camel, snake in ACCOUNT_KEYS}
UNKNOWN = "unknown"


class ChimeInputError(AnsibleAWSError, ValueError):
    """An option value that breaks a constraint; the message names the option and what is allowed."""


class MalformedResponseError(AnsibleAWSError):
    """A successful HTTP answer whose body is not a ListAccounts result (retried as transient)."""


class ChimeListingError(AnsibleAWSError):
    """ListAccounts failed for good: after retries, on a pagination loop, or on a refusal.

    An ``AnsibleAWSError``, as amazon.aws's module_utils raise, so ``fail_json_aws`` reports it with
    its ``response``. ``message`` names the operation and the error code (and, on a refusal, the IAM
    permission); ``code`` is the error code; ``response`` is the AWS error response, where there was
    one. None of them holds the user e-mail filter, which is why the botocore exception is not kept
    as ``exception``: its text would carry the filter.
    """

    def __init__(self, message, code=None, response=None, denied=False):
        super().__init__(message)
        self.code = code
        self.response = response
        self.denied = denied


def _transient_classes():
    # botocore's own retry checker treats these two families as transient. A certificate failure
    # (SSLError, a ConnectionError) is left out: it fails the same way every time, and retrying it
    # would only delay a clear error by the whole backoff.
    if BotoConnectionError is None:
        return (MalformedResponseError,), ()
    return (BotoConnectionError, HTTPClientError, MalformedResponseError), (SSLError,)


TRANSIENT_CLASSES, PERMANENT_CLASSES = _transient_classes()


def is_transient(error):
    """True for a failure below the AWS error layer that asking again may cure."""
    return isinstance(error, TRANSIENT_CLASSES) and not isinstance(error, PERMANENT_CLASSES)


class ChimeRetry(AWSRetry):
    """AWSRetry that also retries transient connection failures and malformed answers, not only ClientError."""

    base_class = tuple(c for c in (ClientError, BotoCoreError, MalformedResponseError) if c is not None)

    @staticmethod
    def status_code_from_exception(error):
        """The AWS error code of a ClientError; :data:`TRANSIENT` for a transient failure, recognised
        by class as botocore's retry checker does; the exception's class name otherwise."""
        if ClientError is not None and isinstance(error, ClientError):
            return error.response.get("Error", {}).get("Code")
        if is_transient(error):
            return TRANSIENT
        return type(error).__name__


def _check_range(option, value, low, high):
    if value is None or not low <= value <= high:
        raise ChimeInputError(f"{option} must be between {low} and {high}, got {value!r}.")


def validate_options(
    name=None,
    user_email=None,
    page_size=DEFAULT_PAGE_SIZE,
    backoff_retries=DEFAULT_BACKOFF_RETRIES,
    backoff_delay=DEFAULT_BACKOFF_DELAY,
    backoff_max_delay=DEFAULT_BACKOFF_MAX_DELAY,
):
    """Check option values against ListAccounts' constraints and sane retry bounds.

    Raises :class:`ChimeInputError` naming the option. The e-mail value is never echoed.
    """
    if name is not None:
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            length = len(name) if isinstance(name, str) else type(name).__name__
            raise ChimeInputError(f"name must be an account-name prefix of 1 to 100 characters, got {length}.")
        if not _NAME_RE.fullmatch(name):
            raise ChimeInputError("name must contain a character that is not white space.")
    if user_email is not None and not (isinstance(user_email, str) and _EMAIL_RE.fullmatch(user_email)):
        raise ChimeInputError("user_email must be an e-mail address matching .+@.+\\..+ (value not shown).")
    _check_range("page_size", page_size, 1, 200)
    _check_range("backoff_retries", backoff_retries, 0, 100)
    _check_range("backoff_delay", backoff_delay, 0.001, 300)
    _check_range("backoff_max_delay", backoff_max_delay, 0.001, 3600)
    if backoff_max_delay < backoff_delay:
        raise ChimeInputError(
            f"backoff_max_delay ({backoff_max_delay}) must not be below backoff_delay ({backoff_delay})."
        )


def option_spec():
    """Argument spec of the options the module and the lookup share (the lookup's docs mirror it)."""
    return dict(
        user_email=dict(type="str", no_log=True),
        page_size=dict(type="int", default=DEFAULT_PAGE_SIZE, aliases=["max_results"]),
        backoff_retries=dict(type="int", default=DEFAULT_BACKOFF_RETRIES),
        backoff_delay=dict(type="float", default=DEFAULT_BACKOFF_DELAY),
        backoff_max_delay=dict(type="float", default=DEFAULT_BACKOFF_MAX_DELAY),
    )


def client_config():
    """Extra botocore configuration for the Chime client.

    The User-Agent names Ansible and this collection with its version, as amazon.aws's names
    amazon.aws, without changing amazon.aws's process-wide collection info (the lookup shares the
    controller with other collections' lookups).

    botocore's own retries are turned off: they differ by retry mode (standard and adaptive do
    not retry Chime's 429) and would multiply with the per-page retries here, outside the
    backoff options. A user's ``aws_config`` is merged after this and still wins.
    """
    return botocore.config.Config(
        user_agent_extra=f"APN/1.0 Ansible/{ANSIBLE_VERSION} {COLLECTION}/{COLLECTION_VERSION}",
        retries={"total_max_attempts": 1},
    )


def _wire_timestamp(value):
    return value


def create_chime_client(region, endpoint_url, connect_params):
    """A Chime client from amazon.aws's connection info: ``get_aws_connection_info()`` of the module
    or of the lookup gives ``(region, endpoint_url, connect_params)``.

    The client is built here rather than with ``module.client()`` for one reason: botocore parses
    every ``CreatedTimestamp`` with dateutil, which took about two thirds of the CPU of a listing
    (see docs/performance.md). The client's response parser keeps the wire string instead, through
    botocore's public ``response_parser_factory`` component (as the AWS CLI does), and
    :func:`normalize_account` turns it into the same ISO 8601 UTC string. Credentials, profile,
    endpoint, certificate options and ``aws_config`` are used exactly as amazon.aws uses them.
    No region anywhere means ``us-east-1``: Chime is global.

    Raises :class:`ChimeListingError` when the client cannot be created (unknown profile, partial
    credentials, malformed endpoint URL).
    """
    params = dict(connect_params)
    profile = params.pop("profile_name", None)
    user_config = params.pop("aws_config", None)
    config = client_config() if user_config is None else client_config().merge(user_config)  # the user's win
    try:
        core_session = botocore.session.Session()
        core_session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=_wire_timestamp)
        session = boto3.session.Session(botocore_session=core_session, profile_name=profile)
        return session.client(
            "chime", region_name=region or DEFAULT_REGION, endpoint_url=endpoint_url, config=config, **params
        )
    except (ValueError, BotoCoreError) as error:
        raise ChimeListingError(f"Couldn't connect to AWS: {error}", code=type(error).__name__) from None


class AdaptivePacer:
    """A client-side rate limiter that adapts to throttling, for one listing.

    Nothing is spaced until the service first throttles. From then on requests start at least
    ``interval`` seconds apart. Throttles in a row double the interval (finding the limit fast);
    a throttle after a success widens it by 15%, and every success narrows it by 0.5%. The request
    rate then settles just under the service's limit instead of bouncing off it and paying a
    backoff wait each time.
    """

    MIN_INTERVAL = 0.005
    RAMP = 2.0
    GROWTH = 1.15
    DECAY = 0.995

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self.clock, self.sleep = clock, sleep
        self.interval, self.last_start, self.successes = 0.0, None, 0

    def before_request(self):
        """Wait, if need be, until the interval since the last request's start has passed."""
        if self.interval and self.last_start is not None:
            wait = self.last_start + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self.last_start = self.clock()

    def throttled(self):
        """The service said slow down: widen the interval."""
        factor = self.GROWTH if self.successes else self.RAMP
        self.interval = max(self.interval * factor, self.MIN_INTERVAL)
        self.successes = 0

    def succeeded(self):
        """A request went through: narrow the interval a little."""
        self.interval *= self.DECAY
        self.successes += 1


def _fetch_page(client, params, pacer):
    pacer.before_request()
    try:
        response = client.list_accounts(**params)
    except ClientError as error:
        if ChimeRetry.status_code_from_exception(error) in THROTTLE_CODES:
            pacer.throttled()
        raise
    # botocore turns a 200 whose body is not JSON into an empty result instead of an error;
    # taking that for the last page would return a truncated list as success.
    if not isinstance(response.get("Accounts"), list):
        raise MalformedResponseError("the ListAccounts answer has no Accounts list")
    pacer.succeeded()
    return response


def _redact(text, secret):
    if not secret:
        return text
    for form in (secret, quote(secret, safe=""), quote_plus(secret), quote(secret)):
        text = text.replace(form, "<user_email>")
    return text


def _failure(error, user_email, pages, attempts):
    where = f"on page {pages + 1}" + (f" after {attempts} attempts" if attempts > 1 else "")
    if ClientError is not None and isinstance(error, ClientError):
        err = error.response.get("Error", {})
        code = err.get("Code", "Unknown")
        detail = _redact(str(err.get("Message", "")), user_email)
        response = {
            "Error": {"Code": code, "Message": detail},
            "ResponseMetadata": error.response.get("ResponseMetadata", {}),
        }
    else:
        code, detail, response = type(error).__name__, _redact(str(error), user_email), None
    message = f"Failed to list Chime accounts: {OPERATION} {where} returned {code}: {detail}"
    denied = code in DENIED_CODES
    if denied:
        message += (
            f" Check that the credentials are valid and allow {PERMISSION}. Amazon Chime reached end of"
            f" support on {END_OF_SUPPORT}; the service may also refuse accounts it no longer serves."
        )
    return ChimeListingError(message, code=code, response=response, denied=denied)


def list_chime_accounts(
    client,
    name=None,
    user_email=None,
    page_size=DEFAULT_PAGE_SIZE,
    backoff_retries=DEFAULT_BACKOFF_RETRIES,
    backoff_delay=DEFAULT_BACKOFF_DELAY,
    backoff_max_delay=DEFAULT_BACKOFF_MAX_DELAY,
):
    """List every Chime account that matches the filters, normalised, in API order, each once.

    One ``list_accounts`` call per page, following NextToken. A throttled or failed page is retried
    alone with jittered backoff: pages already fetched are kept. A NotFoundException on a
    ``user_email`` filter means no account. Raises :class:`ChimeListingError` on any other failure,
    and when a NextToken comes back a second time: a partial list is never returned.
    """
    # The retry wraps one page fetch (not the client, not a paginator): a paginator wrapped in a
    # retry decorator starts again from page 1 on every throttle.
    fetch = ChimeRetry.jittered_backoff(
        retries=backoff_retries + 1, delay=backoff_delay, max_delay=backoff_max_delay, catch_extra_error_codes=RETRIED
    )(_fetch_page)
    params = {"MaxResults": page_size}
    if name is not None:
        params["Name"] = name
    if user_email is not None:
        params["UserEmail"] = user_email
    pages, seen_tokens, pacer = [], set(), AdaptivePacer()
    while True:
        try:
            response = fetch(client, params, pacer)
        except (ClientError, BotoCoreError, MalformedResponseError) as error:
            code = ChimeRetry.status_code_from_exception(error)
            if user_email is not None and code in NOT_FOUND_CODES:
                return []
            attempts = backoff_retries + 1 if code in RETRIED else 1
            raise _failure(error, user_email, len(pages), attempts) from None
        pages.append([normalize_account(raw) for raw in response["Accounts"]])
        token = response.get("NextToken")
        if not token:
            return union_by_account_id(pages)
        if token in seen_tokens:
            raise ChimeListingError(
                f"Failed to list Chime accounts: {OPERATION} pagination looped: a NextToken came back a second time"
                f" after page {len(pages)}. Refusing to return a partial list.",
                code="PaginationLoop",
            )
        seen_tokens.add(token)
        params["NextToken"] = token


def union_by_account_id(listings):
    """Join lists of normalised accounts in order, keeping each ``account_id`` once, at its first position."""
    seen, joined = set(), []
    for listing in listings:
        for account in listing:
            if account["account_id"] not in seen:
                seen.add(account["account_id"])
                joined.append(account)
    return joined


def _iso(value):
    if value is None:
        return None
    if isinstance(value, str):
        try:
            # fromisoformat reads the service's form; it takes "Z" only from Python 3.11 on.
            value = datetime.datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
        except ValueError:
            value = botocore.utils.parse_timestamp(value)
    elif isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).isoformat()


def _shared(value):
    # Enumerations and the AWS account ID repeat in every record: one string object each keeps
    # large listings smaller in memory.
    return sys.intern(value) if isinstance(value, str) else value


def normalize_account(raw):
    """One API ``Account`` as facts: all nine snake_case keys, absent members as None (lists as []),
    ``created_timestamp`` as an ISO 8601 string in UTC."""
    account = {snake: raw.get(camel) for camel, snake in ACCOUNT_KEYS}
    for key in ("aws_account_id", "account_type", "default_license", "account_status"):
        account[key] = _shared(account[key])
    account["created_timestamp"] = _iso(account["created_timestamp"])
    account["supported_licenses"] = [_shared(license) for license in account["supported_licenses"] or []]
    groups = account["signin_delegate_groups"] or []
    account["signin_delegate_groups"] = [{"group_name": g.get("GroupName")} for g in groups]
    extra = {k: v for k, v in raw.items() if k not in _KNOWN}
    if extra:
        account.update(camel_dict_to_snake_dict(extra))
    return account


def _count(accounts, key):
    counts = {}
    for account in accounts:
        value = account.get(key) or UNKNOWN
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def summarize(accounts):
    """Counts over normalised accounts: ``total``, ``by_status``, ``by_type``, ``by_default_license``.

    Keys are the API's values (Active, Suspended, Team, Pro, ...); an absent member counts as ``unknown``.
    """
    return {
        "total": len(accounts),
        "by_status": _count(accounts, "account_status"),
        "by_type": _count(accounts, "account_type"),
        "by_default_license": _count(accounts, "default_license"),
    }
