# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fault injection for the fake Chime endpoint: what to break, for which tenant, and when."""

import threading
import time
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from typing import List
from typing import Optional

# kind -> (HTTP status, x-amzn-ErrorType, body Code)
ERRORS = {
    "throttle": (429, "ThrottledClientException", "Throttled"),
    "500": (500, "ServiceFailureException", "ServiceFailure"),
    "503": (503, "ServiceUnavailableException", "ServiceUnavailable"),
    "forbidden": (403, "ForbiddenException", "AccessDenied"),
}
# The Chime SDK's old namespace refuses a retired API with a 403 that speaks of deprecation, as the chime API
# may once its end of support has come: x-amzn-ErrorType ForbiddenException and a body with only a Message.
DEPRECATED_MESSAGE = "User: {arn} is not authorized to call deprecated ListAccounts API."
# A plain refusal that names the caller, as AWS's refusals do: AccessDeniedException, with the caller's ARN (the
# fake's GetCallerIdentity answer for the request's key), whatever the ARN's names say.
DENIED_CALLER_MESSAGE = "User: {arn} is not authorized to perform: chime:ListAccounts on resource: *"
# A proxy in front of the service answers with an HTML page of its own, about 2 MB (kind -> HTTP status).
# html_403_entities is a short 403 page that writes the user-email filter and the caller's ARN as HTML does,
# with character references: @ as &#64;, and each character of the ARN's last part as &#NN;.
HTML_ERRORS = {"html_502": 502, "html_403": 403, "html_403_entities": 403}
HTML_ERROR_BYTES = 2 * 1024 * 1024
KINDS = set(ERRORS) | set(HTML_ERRORS) | {"drop", "timeout", "malformed", "deprecated", "denied_caller"}


@dataclass
class FaultRule:
    """One scheduled fault. Exactly one trigger applies, checked in this order:

    - ``on_page`` (>= 0): the first ``count`` requests for that page (0 is the first page);
    - ``every`` (> 0): every ``every``-th request to the tenant;
    - ``at`` (> 0): ``count`` consecutive requests starting at the ``at``-th request to the tenant.
    """

    kind: str
    on_page: int = -1
    every: int = 0
    at: int = 0
    count: int = 1
    fired: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(KINDS)}")

    def fires(self, request_number: int, page: Optional[int]) -> bool:
        """Whether this rule breaks the ``request_number``-th request (1-based), for ``page``."""
        if self.on_page >= 0:
            hit = page == self.on_page and self.fired < self.count
        elif self.every > 0:
            hit = request_number % self.every == 0
        elif self.at > 0:
            hit = self.at <= request_number < self.at + self.count
        else:
            hit = False
        if hit:
            self.fired += 1
        return hit


class TokenBucket:
    """Requests-per-second limit: ``rate`` tokens a second, at most ``capacity`` saved up."""

    def __init__(self, rate: float, capacity: Optional[float] = None):
        self.rate = rate
        self.capacity = capacity if capacity else max(1.0, rate)
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> bool:
        """Spend one token; False when the bucket is empty (the request is throttled)."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return True
            return False


@dataclass
class Faults:
    """Everything that can go wrong for one tenant. All of it combines."""

    rules: List[FaultRule] = field(default_factory=list)
    rate_limit: float = 0.0  # token-bucket requests per second; 0 = unlimited
    rate_burst: float = 0.0  # bucket capacity; 0 = one second's worth
    latency: float = 0.0  # seconds added to every request
    timeout_delay: float = 5.0  # how long a "timeout" fault stalls before it answers
    omit_error_header: bool = False  # leave x-amzn-ErrorType out: clients see the short body Code
    repeat_record_at_page: int = -1  # that page starts with the previous page's last record
    token_loop_at_page: int = -1  # from that page on, NextToken repeats the token just received
    endless_tokens_at_page: int = -1  # from that page on, a fresh NextToken every time, even past the last record
    expire_token_at_page: int = -1  # the token for that page is refused as expired, every time
    token_ttl: float = 0.0  # seconds a token lives; 0 = forever
    unknown_email_404: bool = False  # unknown user-email: 404 NotFoundException (else an empty list)
    bucket: Optional[TokenBucket] = None

    @classmethod
    def from_dict(cls, spec: dict) -> "Faults":
        """Build from a JSON-style dict (the control API and the command line use this)."""
        known = {f.name for f in fields(cls)} - {"bucket"}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown fault settings {sorted(unknown)}; known: {sorted(known)}")
        spec = dict(spec)
        spec["rules"] = [r if isinstance(r, FaultRule) else FaultRule(**r) for r in spec.get("rules", [])]
        faults = cls(**spec)
        if faults.rate_limit > 0:
            faults.bucket = TokenBucket(faults.rate_limit, faults.rate_burst or None)
        return faults

    def pick(self, request_number: int, page: Optional[int]) -> Optional[str]:
        """The fault kind to inject into this request, or None. Every rule sees every request."""
        chosen = None
        if self.bucket is not None and not self.bucket.take():
            chosen = "throttle"
        for rule in self.rules:
            if rule.fires(request_number, page) and chosen is None:
                chosen = rule.kind
        return chosen
