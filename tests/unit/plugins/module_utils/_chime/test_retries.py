# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the retries (module_utils/_chime/retries.py): which failures are retried, the retry
helper and the failure builder of every call, and the client-side pacer."""

import random
import threading
import time

import botocore.exceptions
import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime import errors
from ansible_collections.chime.admin.plugins.module_utils._chime import retries
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import FakeClock


def test_pacer_spaces_nothing_until_the_first_throttle():
    clock = FakeClock()
    pacer = retries.AdaptivePacer(clock=clock, sleep=clock.sleep)
    for _request in range(5):
        pacer.before_request()
        pacer.succeeded()
    assert clock.slept == [] and pacer.interval == 0


def test_pacer_doubles_on_throttles_in_a_row_then_adapts_gently():
    clock = FakeClock()
    pacer = retries.AdaptivePacer(clock=clock, sleep=clock.sleep)
    pacer.before_request()
    pacer.throttled()
    assert pacer.interval == retries.AdaptivePacer.MIN_INTERVAL
    pacer.throttled()
    pacer.throttled()
    assert pacer.interval == pytest.approx(0.02)  # doubled twice
    pacer.before_request()  # no time has passed: waits the whole interval
    assert clock.slept == [0.02]
    pacer.succeeded()
    assert pacer.interval == pytest.approx(0.02 * 0.995)
    pacer.throttled()  # after a success: widened by 15%, not doubled
    assert pacer.interval == pytest.approx(0.02 * 0.995 * 1.15)
    clock.now += 1.0  # a slow caller is not made to wait
    pacer.before_request()
    assert clock.slept == [0.02]


def test_concurrent_calls_through_one_retry_helper_keep_their_own_delays(monkeypatch):
    slept = {}
    monkeypatch.setattr(
        time, "sleep", lambda seconds: slept.setdefault(threading.current_thread().name, []).append(seconds)
    )
    monkeypatch.setattr(random, "uniform", lambda low, high: high)  # every wait its whole bound: 1, 2, 4, ...
    retrying = retries.Retrying(ListingOptions(backoff_retries=5, backoff_delay=1.0, backoff_max_delay=100.0))
    results = {}

    def throttle():
        return botocore.exceptions.ClientError({"Error": {"Code": "Throttling"}}, "AssumeRole")

    def other():
        failures = [throttle()]

        def call():
            if failures:
                raise failures.pop()
            return "other"

        results["other"] = retrying.call(call)

    def first():
        attempts = []

        def call():
            attempts.append(len(attempts) + 1)
            if len(attempts) == 3:  # after its second wait, another thread calls through the same helper
                worker = threading.Thread(target=other, name="other")
                worker.start()
                worker.join()
            if len(attempts) < 5:
                raise throttle()
            return "first"

        results["first"] = retrying.call(call)

    worker = threading.Thread(target=first, name="first")
    worker.start()
    worker.join()
    assert results == {"first": "first", "other": "other"}
    # With one delay iterator shared by the two calls, the other call's start would have reset the
    # first call's bound: its fourth wait would be 4, not 8.
    assert slept == {"first": [1.0, 2.0, 4.0, 8.0], "other": [1.0]}


def _client_error(code, message="injected"):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, "ListAccounts")


@pytest.mark.parametrize(
    "error,expected",
    [
        (_client_error("ThrottledClientException"), True),
        (_client_error("Throttled"), True),
        (_client_error("ServiceFailure"), True),
        (_client_error("TooManyRequestsException"), True),  # Organizations
        (_client_error("AccessDenied"), False),
        (_client_error("BadRequestException"), False),
        (botocore.exceptions.ConnectionClosedError(endpoint_url="http://x"), True),
        (botocore.exceptions.ReadTimeoutError(endpoint_url="http://x"), True),
        (errors.MalformedResponseError("no Accounts list"), True),
        (botocore.exceptions.SSLError(endpoint_url="https://x", error="certificate verify failed"), False),
        (botocore.exceptions.NoCredentialsError(), False),
    ],
    ids=lambda value: value if isinstance(value, bool) else f"{type(value).__name__}",
)
def test_which_failures_are_retried(error, expected):
    assert retries.retried(error) is expected


def _failing(errors_to_raise):
    calls = []

    def call(*args, **kwargs):
        calls.append((args, kwargs))
        if errors_to_raise:
            raise errors_to_raise.pop(0)
        return "answer"

    return call, calls


def test_the_helper_makes_every_attempt_then_raises_the_last_failure_as_it_is(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    failures = [_client_error("Throttled", f"attempt {n}") for n in range(1, 5)]
    last = failures[2]
    call, calls = _failing(failures)
    helper = retries.Retrying(ListingOptions(backoff_retries=2))
    assert helper.attempts == 3
    with pytest.raises(botocore.exceptions.ClientError) as info:
        helper.call(call, "page", token="t1")
    assert info.value is last and calls == [(("page",), {"token": "t1"})] * 3
    call, calls = _failing([_client_error("Throttled"), _client_error("Throttled")])
    assert helper.call(call) == "answer" and len(calls) == 3


def test_the_helper_raises_a_failure_it_does_not_retry_at_once(monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda seconds: pytest.fail("waited before a failure that is not retried"))
    denied = _client_error("AccessDenied")
    call, calls = _failing([denied])
    with pytest.raises(botocore.exceptions.ClientError) as info:
        retries.Retrying(ListingOptions()).call(call)
    assert info.value is denied and len(calls) == 1


@pytest.mark.parametrize(
    "code,attempts,hint,message",
    [
        ("Throttled", 3, "Ask again.", "ListAccounts on page 2 after 3 attempts returned Throttled: for <user_email>"),
        ("Throttled", None, "Ask again.", "ListAccounts on page 2 returned Throttled: for <user_email>"),
        ("Forbidden", None, "Ask again.", "ListAccounts on page 2 returned Forbidden: for <user_email> Ask again."),
        ("Forbidden", None, None, "ListAccounts on page 2 returned Forbidden: for <user_email>"),
    ],
)
def test_the_failure_builder_counts_attempts_redacts_and_hints_only_on_a_refusal(code, attempts, hint, message):
    error = _client_error(code, "for ana@example.com")
    failure = retries.call_failure("ListAccounts on page 2", error, attempts, "ana@example.com", denied_hint=hint)
    assert failure.message == message and failure.code == code and failure.denied is (code == "Forbidden")
    assert failure.response["Error"] == {"Code": code, "Message": "for <user_email>"}


def _refusal(code, message):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, "ListAccounts")


DEPRECATED = "User: arn:aws:iam::111122223333:user/a is not authorized to call deprecated ListAccounts API."


def test_a_403_of_end_of_support_gets_its_sentence_instead_of_the_permission_hint():
    failure = retries.call_failure("ListAccounts", _refusal("ForbiddenException", DEPRECATED), denied_hint="HINT")
    assert failure.message == (
        f"ListAccounts returned ForbiddenException: {DEPRECATED} This is the Amazon Chime service's end of support"
        " (2026-02-20), not a missing IAM permission: the service no longer serves this API. It fails the listing"
        " whatever on_denied says."
    )
    # Not a refusal: on_denied warn or skip would make it silent.
    assert failure.denied is False and failure.end_of_support is True and failure.code == "ForbiddenException"


def test_a_plain_403_keeps_the_permission_hint_and_a_401_that_says_deprecated_too():
    plain = retries.call_failure("ListAccounts", _refusal("ForbiddenException", "not authorized"), denied_hint="HINT")
    assert plain.message == "ListAccounts returned ForbiddenException: not authorized HINT"
    unauthorized = retries.call_failure("ListAccounts", _refusal("Unauthorized", "deprecated token"), denied_hint="H")
    assert unauthorized.message == "ListAccounts returned Unauthorized: deprecated token H"


def test_a_call_without_a_hint_gets_no_end_of_support_sentence():
    """STS and Organizations calls pass no hint: their refusals are not Chime's end of support."""
    failure = retries.call_failure("STS AssumeRole", _refusal("AccessDenied", "role is deprecated"))
    assert failure.message == "STS AssumeRole returned AccessDenied: role is deprecated" and failure.denied
    assert failure.end_of_support is False


def _unresolved(errno):
    """botocore's error for a name that the resolver could not resolve, wrapped as urllib3 and botocore wrap it."""
    import socket

    import urllib3.exceptions

    cause = socket.gaierror(errno, "resolver")
    try:
        try:
            raise cause
        except socket.gaierror as error:
            raise urllib3.exceptions.NewConnectionError(None, "Failed to resolve 'chime.example'") from error
    except urllib3.exceptions.NewConnectionError as wrapped:
        return botocore.exceptions.EndpointConnectionError(endpoint_url="https://chime.example/accounts", error=wrapped)


def test_a_name_that_does_not_exist_is_not_retried_and_a_resolver_that_failed_for_now_is(monkeypatch):
    import socket

    monkeypatch.setattr(time, "sleep", lambda seconds: pytest.fail("waited before a failure that is not retried"))
    for errno in retries.NO_SUCH_NAME:
        missing = _unresolved(errno)
        assert retries.name_not_found(missing) and not retries.retried(missing)
        call, calls = _failing([missing])
        with pytest.raises(botocore.exceptions.EndpointConnectionError):
            retries.Retrying(ListingOptions()).call(call)
        assert len(calls) == 1
    assert socket.EAI_NONAME in retries.NO_SUCH_NAME
    for temporary in (_unresolved(socket.EAI_AGAIN), botocore.exceptions.EndpointConnectionError(endpoint_url="x")):
        assert not retries.name_not_found(temporary) and retries.retried(temporary)
