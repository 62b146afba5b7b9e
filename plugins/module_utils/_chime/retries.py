# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which failures are retried, the one retry helper and the one failure builder of every call, and the
client-side pacer."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

import socket
import time

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError
    from botocore.exceptions import HTTPClientError
    from botocore.exceptions import SSLError
except ImportError:
    BotoCoreError = ClientError = None  # handled by AnsibleAWSModule / AWSLookupBase
    BotoConnectionError = HTTPClientError = SSLError = None

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from .errors import ChimeListingError
from .errors import MalformedResponseError
from .errors import describe_error
from .service import END_OF_SUPPORT_HINT
from .service import ends_support

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
# STS and Organizations, for listings across AWS accounts: AWSRetry's own list (retried in any case,
# named here so that failures report their attempts) and Organizations' throttle and fault codes.
AWS_RETRY_CODES = (
    "RequestLimitExceeded",
    "Unavailable",
    "InternalFailure",
    "InternalError",
    "TooManyRequestsException",
    "ServiceException",
)
# Security Hub's throttle (LimitExceededException, HTTP 429: BatchImportFindings has a low rate limit) and its
# fault (InternalException), for the audit's delivery of findings.
SECURITY_HUB_RETRY_CODES = ("LimitExceededException", "InternalException")
RETRIED = frozenset(RETRY_ERROR_CODES + AWS_RETRY_CODES + SECURITY_HUB_RETRY_CODES + (TRANSIENT,))
DENIED_CODES = {
    "UnauthorizedClientException",
    "Unauthorized",
    "ForbiddenException",
    "Forbidden",
    "AccessDenied",
    "AccessDeniedException",
}
NOT_FOUND_CODES = {"NotFoundException", "NotFound"}


def _transient_classes():
    # botocore's own retry checker treats these two families as transient. A certificate failure
    # (SSLError, a ConnectionError) is left out: it fails the same way every time, and retrying it
    # would only delay a clear error by the whole backoff.
    if BotoConnectionError is None:
        return (MalformedResponseError,), ()
    return (BotoConnectionError, HTTPClientError, MalformedResponseError), (SSLError,)


TRANSIENT_CLASSES, PERMANENT_CLASSES = _transient_classes()
# The resolver's answers that a name does not exist, as against a resolver that failed for now (EAI_AGAIN):
# a name that does not resolve is not retried. Asking again gets the same answer from the DNS, so the retries
# would only delay the failure by the whole backoff (66 s with the defaults), and an endpoint whose name is
# gone (a retired service's, say) never comes back. A temporary failure of the resolver is retried, as a
# refused or dropped connection is.
NO_SUCH_NAME = frozenset(
    getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY") if hasattr(socket, name)
)


def name_not_found(error):
    """True when ``error`` (botocore's EndpointConnectionError, say) comes from a name the resolver says does not
    exist: a ``socket.gaierror`` with one of :data:`NO_SUCH_NAME`, wrapped by urllib3 and botocore."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, socket.gaierror):
            return error.errno in NO_SUCH_NAME
        kwargs = getattr(error, "kwargs", None)
        wrapped = kwargs.get("error") if isinstance(kwargs, dict) else None
        error = wrapped if isinstance(wrapped, BaseException) else error.__cause__ or error.__context__
    return False


def is_transient(error):
    """True for a failure below the AWS error layer that asking again may cure."""
    return (
        isinstance(error, TRANSIENT_CLASSES) and not isinstance(error, PERMANENT_CLASSES) and not name_not_found(error)
    )


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


def retried(error):
    """True when ``error`` is one that :class:`Retrying` retries (so the call made every attempt)."""
    return ChimeRetry.status_code_from_exception(error) in RETRIED


class Retrying:
    """Calls retried one at a time with the backoff options of a ``ListingOptions``: Chime's, STS's and
    Organizations' throttles and faults, and transient connection failures, with jittered backoff.

    One helper may serve several threads at once (the fan-out's STS calls).
    """

    def __init__(self, options):
        self.attempts = options.backoff_retries + 1
        self.delay, self.max_delay = options.backoff_delay, options.backoff_max_delay

    def call(self, function, *args, **kwargs):
        """``function(*args, **kwargs)``, retried; the last failure is raised as it is."""
        # AWSRetry.jittered_backoff makes one delay iterator per decorator, which every call through it
        # resets and advances: a decorator shared by threads would mix their delays. One per call keeps
        # each call's delays its own.
        decorator = ChimeRetry.jittered_backoff(
            retries=self.attempts, delay=self.delay, max_delay=self.max_delay, catch_extra_error_codes=RETRIED
        )
        return decorator(function)(*args, **kwargs)


def call_failure(operation, error, attempts=None, secret=None, placeholder="<user_email>", denied_hint=None):
    """The :class:`ChimeListingError` of a call that failed for good.

    Its message is ``<operation>[ after <attempts> attempts] returned <code>: <detail>``, with ``secret``
    and every e-mail address redacted from the detail and the response, and ``denied_hint`` (the Chime call's)
    added when the service refused. A 403 whose own wording speaks of deprecation or end of support gets,
    instead of that permission hint, :data:`END_OF_SUPPORT_HINT`, and is not a refusal: no IAM change would make
    the service answer, so ``on_denied`` does not apply and it fails the listing (with ``end_of_support`` set).
    STS and Organizations calls pass no hint, and their refusals stay as they are.
    """
    code, detail, response = describe_error(error, secret, placeholder)
    where = f" after {attempts} attempts" if attempts is not None else ""
    message = f"{operation}{where} returned {code}: {detail}"
    denied = code in DENIED_CODES
    ended = bool(denied and denied_hint and ends_support(code, detail))
    if denied and denied_hint:
        message += f" {END_OF_SUPPORT_HINT if ended else denied_hint}"
    return ChimeListingError(message, code=code, response=response, denied=denied and not ended, end_of_support=ended)


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
