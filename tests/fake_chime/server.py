# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake Amazon Chime endpoint that speaks ListAccounts' wire protocol over real HTTP.

``GET /accounts`` is served as the REST-JSON service does: SigV4-checked, paged with opaque
next-tokens, with AWS-shaped errors. Control endpoints under ``/_fake/`` (never signed, never
used by a real client) let tests read counters and the request log and change faults.

``POST /`` answers STS ``GetCallerIdentity`` (Query protocol) for the same credentials, so that a
client whose ``AWS_ENDPOINT_URL_STS`` points here learns the AWS account of the key it uses for
Chime. Those requests are logged under the path ``/``, apart from ListAccounts'.
"""

import base64
import hashlib
import json
import re
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Dict
from typing import List
from typing import Optional
from urllib.parse import parse_qs
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from .data import TenantData
from .faults import DENIED_CALLER_MESSAGE
from .faults import DEPRECATED_MESSAGE
from .faults import ERRORS
from .faults import HTML_ERROR_BYTES
from .faults import HTML_ERRORS
from .faults import Faults
from .sigv4 import Credential
from .sigv4 import verify

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200
_EMAIL_RE = re.compile(r"^.+@.+\..+$")
_NAME_RE = re.compile(r".*\S.*", re.DOTALL)
STS_VERSION = "2011-06-15"
_STS_NS = f"https://sts.amazonaws.com/doc/{STS_VERSION}/"


@dataclass
class _Token:
    tenant: str
    filters: tuple
    offset: int
    page: int
    issued: float


@dataclass
class _Tenant:
    data: TenantData
    faults: Faults = field(default_factory=Faults)
    requests: int = 0
    encoded: List[str] = field(default_factory=list)  # each account's JSON, serialised once
    filtered: Dict[tuple, List[int]] = field(default_factory=dict)

    def __post_init__(self):
        self.encoded = [json.dumps(a, ensure_ascii=False) for a in self.data.accounts]

    def select(self, name: Optional[str], email: Optional[str]) -> Optional[List[int]]:
        """Indices of the accounts that match the filters; None for an unknown e-mail."""
        key = (name, email)
        if key not in self.filtered:
            indices = range(len(self.data.accounts))
            if email is not None:
                account_id = self.data.users.get(email)
                if account_id is None:
                    return None
                indices = [i for i in indices if self.data.accounts[i]["AccountId"] == account_id]
            if name is not None:
                indices = [i for i in indices if self.data.accounts[i]["Name"].startswith(name)]
            self.filtered[key] = list(indices)
        return self.filtered[key]


class CredentialStore(dict):
    """Known key pairs by access key. ``resolvers`` are asked about a key that is not known (for
    example, a role's temporary credentials that another fake service issued); what they answer is
    remembered."""

    def __init__(self):
        super().__init__()
        self.resolvers = []

    def __missing__(self, access_key):
        for resolve in self.resolvers:
            credential = resolve(access_key)
            if credential is not None:
                self[access_key] = credential
                return credential
        raise KeyError(access_key)

    def get(self, access_key, default=None):
        """The credential of ``access_key``, asking the resolvers if need be."""
        try:
            return self[access_key]
        except KeyError:
            return default


class _Error(Exception):
    def __init__(self, status: int, error_type: str, code: str, message: str):
        super().__init__(message)
        self.status, self.error_type, self.code, self.message = status, error_type, code, message


def _bad_request(message: str) -> _Error:
    return _Error(400, "BadRequestException", "BadRequest", message)


def caller_identity(credential: Credential) -> Dict[str, str]:
    """What STS ``GetCallerIdentity`` says about ``credential``: an IAM user for a long-term key, an
    assumed role's session for a key with a session token. The user id is derived from the access
    key, so that it stays the same from run to run."""
    digest = base64.b32encode(hashlib.sha256(credential.access_key.encode("utf-8")).digest()).decode("ascii")
    if credential.arn is not None:
        arn, user_id = credential.arn, f"AIDA{digest[:17]}"
    elif credential.session_token is None:
        arn, user_id = f"arn:aws:iam::{credential.tenant}:user/fake-auditor", f"AIDA{digest[:17]}"
    else:
        arn = f"arn:aws:sts::{credential.tenant}:assumed-role/FakeAuditor/fake-session"
        user_id = f"AROA{digest[:17]}:fake-session"
    return {"Arn": arn, "UserId": user_id, "Account": credential.tenant}


class FakeChime:
    """The fake service: tenants (AWS accounts), their credentials and faults, counters and a log.

    Use as a context manager, or call :meth:`start` and :meth:`stop`. ``url`` is the endpoint_url.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.credentials: CredentialStore = CredentialStore()
        self.tenants: Dict[str, _Tenant] = {}
        self.tokens: Dict[str, _Token] = {}
        self.log: List[dict] = []
        self.lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None
        self._thread: Optional[threading.Thread] = None

    # ----- set-up -------------------------------------------------------------------------
    def add_tenant(self, data: TenantData, access_key: str, secret_key: str, session_token: Optional[str] = None):
        """Serve ``data`` to requests signed with ``access_key``/``secret_key`` (and the session token)."""
        with self.lock:
            self.tenants[data.aws_account_id] = _Tenant(data)
            self.credentials[access_key] = Credential(access_key, secret_key, data.aws_account_id, session_token)
        return self

    def add_credential(
        self, tenant: str, access_key: str, secret_key: str, session_token: Optional[str] = None, arn=None
    ):
        """Another key pair for an existing tenant; ``arn`` is the caller GetCallerIdentity names (by default
        an IAM user for a long-term key, an assumed role's session for one with a session token)."""
        with self.lock:
            self.credentials[access_key] = Credential(access_key, secret_key, tenant, session_token, arn)
        return self

    def set_faults(self, tenant: str, faults=None, **settings):
        """Replace a tenant's faults with a :class:`Faults`, a dict, or keyword settings.

        The tenant's request count starts again from 0, so ``at`` and ``every`` count from here.
        """
        if faults is None:
            faults = settings
        if not isinstance(faults, Faults):
            faults = Faults.from_dict(faults)
        with self.lock:
            self.tenants[tenant].faults = faults
            self.tenants[tenant].requests = 0
        return faults

    def reset(self):
        """Forget counters, the request log, issued tokens and all faults."""
        with self.lock:
            self.log.clear()
            self.tokens.clear()
            for tenant in self.tenants.values():
                tenant.requests = 0
                tenant.faults = Faults()

    # ----- observation --------------------------------------------------------------------
    def requests(self, tenant: Optional[str] = None, path: str = "/accounts") -> List[dict]:
        """The request log for ListAccounts (optionally one tenant's), oldest first. ``path="/"`` gives
        the STS requests instead, each with its ``action``."""
        with self.lock:
            return [e for e in self.log if e["path"] == path and (tenant is None or e["tenant"] == tenant)]

    def stats(self) -> dict:
        """Counters: requests in all, by status, and by tenant."""
        with self.lock:
            entries = [e for e in self.log if e["path"] == "/accounts"]
        by_status: Dict[str, int] = {}
        by_tenant: Dict[str, int] = {}
        for entry in entries:
            by_status[str(entry["status"])] = by_status.get(str(entry["status"]), 0) + 1
            by_tenant[str(entry["tenant"])] = by_tenant.get(str(entry["tenant"]), 0) + 1
        return {"requests": len(entries), "by_status": by_status, "by_tenant": by_tenant}

    # ----- life cycle ---------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The endpoint_url that clients use."""
        return f"http://{self.host}:{self.port}"

    def start(self):
        """Bind (port 0 picks a free port) and serve in a background thread."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-chime", daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ----- ListAccounts -------------------------------------------------------------------
    def list_accounts(self, tenant: _Tenant, query: Dict[str, List[str]]):
        """Answer one ListAccounts request: returns (fault kind or None, page number, body)."""
        name, email, token_text, max_results = (
            query.get(k, [None])[0] for k in ("name", "user-email", "next-token", "max-results")
        )
        token = self.tokens.get(token_text) if token_text is not None else None
        page = 0 if token_text is None else (token.page if token else None)
        faults = tenant.faults
        with self.lock:
            tenant.requests += 1
            fault = faults.pick(tenant.requests, page)
        if fault:
            return fault, page, None
        size = _check_inputs(name, email, max_results)
        filters = (name, email)
        if token_text is not None:
            _check_token(token, token_text, tenant, filters, faults)
        indices = tenant.select(name, email)
        if indices is None:
            if faults.unknown_email_404:
                raise _Error(404, "NotFoundException", "NotFound", "The requested user was not found.")
            indices = []
        start = token.offset if token else 0
        if page and page == faults.repeat_record_at_page:
            start -= 1
        chosen = indices[start : start + size]
        body = '{"Accounts":[' + ",".join(tenant.encoded[i] for i in chosen) + "]"
        if token_text and 0 <= faults.token_loop_at_page <= page:
            # The token just received comes back, even from the last page: a loop, never an end.
            body += ',"NextToken":' + json.dumps(token_text)
        elif start + size < len(indices) or 0 <= faults.endless_tokens_at_page <= page:
            next_text = secrets.token_urlsafe(24)
            with self.lock:
                self.tokens[next_text] = _Token(
                    tenant.data.aws_account_id, filters, start + size, page + 1, time.time()
                )
            body += ',"NextToken":' + json.dumps(next_text)
        return None, page, body + "}"


def _check_inputs(name, email, max_results) -> int:
    if name is not None and not (1 <= len(name) <= 100 and _NAME_RE.fullmatch(name)):
        raise _bad_request("1 validation error detected: Value at 'name' failed to satisfy constraint.")
    if email is not None and not _EMAIL_RE.match(email):
        raise _bad_request("1 validation error detected: Value at 'userEmail' failed to satisfy constraint.")
    if max_results is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(max_results)
    except ValueError:
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise _bad_request(
            "1 validation error detected: Value at 'maxResults' failed to satisfy constraint: "
            "Member must have value less than or equal to 200."
        )
    return size


def _check_token(token: Optional[_Token], text: str, tenant: _Tenant, filters: tuple, faults: Faults):
    if token is None or token.tenant != tenant.data.aws_account_id or token.filters != filters:
        raise _bad_request("The next token is not valid.")
    expired = faults.token_ttl > 0 and time.time() - token.issued > faults.token_ttl
    if expired or token.page == faults.expire_token_at_page:
        raise _bad_request("The next token has expired.")


def html_error_page(status: int, path: str) -> str:
    """A proxy's error page of about :data:`HTML_ERROR_BYTES`: as some proxies do, it echoes the request's
    path (its ``user-email`` filter too), upper-cased, and before it a terminal escape sequence, a carriage
    return and a bidirectional override. It starts with a doctype: botocore replaces a 5xx body that starts
    with ``<html>`` by the status's reason phrase, but takes any other non-JSON body whole for the message."""
    head = f"<!DOCTYPE html>\n<html><head><title>{status} Error</title></head><body>\x1b[31m<h1>{status}</h1>\r\u202e"
    head += f"<p>Upstream failed for {escape(path.upper())}</p>"
    tail = "</body></html>"
    filler = "<!-- padding -->" * ((HTML_ERROR_BYTES - len(head) - len(tail)) // 16)
    return head + filler + tail


def entities_error_page(arn: str, user_email: str) -> str:
    """A gateway's short 403 page (the ``html_403_entities`` fault): the filter with ``@`` as ``&#64;``, and the
    caller's ARN with each character of its last part as a decimal character reference."""
    head, _slash, last = arn.rpartition("/")
    encoded = "".join(f"&#{ord(char)};" for char in last)
    return (
        "<!DOCTYPE html>\n<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1>"
        f"<p>No access for {escape(user_email).replace('@', '&#64;')}.</p>"
        f"<p>Principal: {escape(head)}/{encoded}</p></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeChime/1.0"
    fake: FakeChime = None
    entry: Optional[dict] = None  # the ListAccounts request being answered, logged once

    def setup(self):
        super().setup()
        # Headers and body go out as two writes: without TCP_NODELAY, Nagle's algorithm holds the
        # body until the client's delayed ACK of the headers, about 40 ms per response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass  # the request log is the record; stderr stays quiet

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    @staticmethod
    def _new_entry(method, path, **extra):
        """A request's log entry, before anything about it is known but its method and path."""
        entry = {"method": method, "path": path, **extra, "query": {}, "access_key": None, "region": None}
        entry.update(tenant=None, status=None, page=None, fault=None, time=time.time())
        return entry

    def _record(self):
        """Put the request being answered into the log, once, before its answer leaves: a client
        that reads the counters right after its call returned then always sees it."""
        entry, self.entry = self.entry, None
        if entry is not None:
            entry["done"] = time.time()
            with self.fake.lock:
                self.fake.log.append(entry)

    def _send(self, status: int, body: str, headers: Optional[dict] = None, content_type: str = "application/json"):
        payload = body.encode("utf-8")
        headers = dict(headers or {})
        self._record()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", headers.pop("x-amzn-RequestId", None) or secrets.token_hex(16))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_error(self, error: _Error, omit_header: bool):
        headers = {} if omit_header else {"x-amzn-ErrorType": f"{error.error_type}:http://internal.amazon.com/"}
        self._send(error.status, json.dumps({"Code": error.code, "Message": error.message}), headers)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        if parts.path.startswith("/_fake/"):
            return self._control("GET", parts.path, parts.query)
        body = self._body()
        self.entry = entry = self._new_entry("GET", parts.path)
        try:
            query = parse_qs(parts.query, keep_blank_values=True)
            entry["query"] = {k: v[0] for k, v in query.items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            check = verify("GET", parts.path, parts.query, headers, body, self.fake.credentials)
            entry.update(access_key=check.access_key, region=check.region, user_agent=headers.get("user-agent"))
            if check.error == "unknown-key":
                raise _Error(401, "UnauthorizedClientException", "Unauthorized", "The security token is not valid.")
            if check.error:
                raise _Error(403, "ForbiddenException", "Forbidden", f"Signature check failed: {check.reason}.")
            tenant = self.fake.tenants[self.fake.credentials[check.access_key].tenant]
            entry["tenant"] = tenant.data.aws_account_id
            if parts.path != "/accounts":
                raise _Error(404, "NotFoundException", "NotFound", f"No route for {parts.path}.")
            if tenant.faults.latency:
                time.sleep(tenant.faults.latency)
            fault, entry["page"], answer = self.fake.list_accounts(tenant, query)
            entry["fault"] = fault
            if fault is None:
                entry["status"] = 200
                return self._send(200, answer)
            return self._inject(fault, tenant.faults, entry)
        except _Error as error:
            entry["status"] = error.status
            omit = bool(entry["tenant"]) and self.fake.tenants[entry["tenant"]].faults.omit_error_header
            return self._send_error(error, omit)
        finally:
            self._record()  # a request that got no answer (an unexpected error) is still counted

    def _inject(self, fault: str, faults: Faults, entry: dict):
        if fault in ERRORS:
            status, error_type, code = ERRORS[fault]
            entry["status"] = status
            return self._send_error(
                _Error(status, error_type, code, f"Injected fault: {fault}."), faults.omit_error_header
            )
        if fault == "deprecated":
            entry["status"] = 403
            arn = caller_identity(self.fake.credentials[entry["access_key"]])["Arn"]
            headers = {"x-amzn-ErrorType": "ForbiddenException:http://internal.amazon.com/"}
            return self._send(403, json.dumps({"Message": DEPRECATED_MESSAGE.format(arn=arn)}), headers)
        if fault == "denied_caller":
            entry["status"] = 403
            arn = caller_identity(self.fake.credentials[entry["access_key"]])["Arn"]
            headers = {"x-amzn-ErrorType": "AccessDeniedException:http://internal.amazon.com/"}
            return self._send(403, json.dumps({"Message": DENIED_CALLER_MESSAGE.format(arn=arn)}), headers)
        if fault == "html_403_entities":
            entry["status"] = 403
            arn = caller_identity(self.fake.credentials[entry["access_key"]])["Arn"]
            page = entities_error_page(arn, parse_qs(urlsplit(self.path).query).get("user-email", [""])[0])
            return self._send(403, page, content_type="text/html")
        if fault in HTML_ERRORS:
            entry["status"] = HTML_ERRORS[fault]
            return self._send(entry["status"], html_error_page(entry["status"], self.path), content_type="text/html")
        if fault == "drop":
            entry["status"] = "dropped"
            self._record()
            self.close_connection = True
            return None
        if fault == "timeout":
            entry["status"] = "timeout"
            # Logged before the wait: the client gives up, retries and may finish before it ends.
            self._record()
            time.sleep(faults.timeout_delay)
            self.close_connection = True
            return None
        entry["status"] = 200  # malformed: a 200 whose JSON body is cut short
        return self._send(200, '{"Accounts": [{"AwsAccountId": "1111')

    def do_POST(self):  # noqa: N802
        parts = urlsplit(self.path)
        if parts.path == "/":
            return self._sts(parts.query)
        return self._control("POST", parts.path)

    def _sts(self, query_string: str):
        """STS's Query protocol at ``POST /``: ``GetCallerIdentity`` for any credential the fake knows
        (the resolvers' included), signed for the service ``sts`` in any region. Logged, before the
        answer leaves, under the path ``/`` with the action asked for."""
        body = self._body()
        self.entry = entry = self._new_entry("POST", "/", action=None)
        request_id = secrets.token_hex(16)
        try:
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()}
            entry["action"] = form.get("Action")
            headers = {k.lower(): v for k, v in self.headers.items()}
            check = verify("POST", "/", query_string, headers, body, self.fake.credentials, service="sts")
            entry.update(access_key=check.access_key, region=check.region, user_agent=headers.get("user-agent"))
            if check.error == "unknown-key" or check.reason == "session token mismatch":
                raise _Error(
                    403, "Sender", "InvalidClientTokenId", "The security token included in the request is invalid."
                )
            if check.error:
                raise _Error(
                    403,
                    "Sender",
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature you provided. Check your AWS "
                    "Secret Access Key and signing method. Consult the service documentation for details.",
                )
            credential = self.fake.credentials[check.access_key]
            entry["tenant"] = credential.tenant
            if entry["action"] != "GetCallerIdentity" or form.get("Version") != STS_VERSION:
                raise _Error(
                    400,
                    "Sender",
                    "InvalidAction",
                    f"Could not find operation {entry['action']} for version {form.get('Version')}",
                )
            result = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in caller_identity(credential).items())
            entry["status"] = 200
            answer = (
                f'<GetCallerIdentityResponse xmlns="{_STS_NS}"><GetCallerIdentityResult>{result}'
                f"</GetCallerIdentityResult><ResponseMetadata><RequestId>{request_id}</RequestId>"
                "</ResponseMetadata></GetCallerIdentityResponse>"
            )
            return self._send(200, answer, {"x-amzn-RequestId": request_id}, content_type="text/xml")
        except _Error as error:
            entry["status"] = error.status
            answer = (
                f'<ErrorResponse xmlns="{_STS_NS}"><Error><Type>{error.error_type}</Type><Code>{error.code}</Code>'
                f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            )
            return self._send(error.status, answer, {"x-amzn-RequestId": request_id}, content_type="text/xml")
        finally:
            self._record()  # a request that got no answer (an unexpected error) is still logged

    def do_PUT(self):  # noqa: N802
        return self._control("PUT", urlsplit(self.path).path)

    def _control(self, method: str, path: str, query_string: str = ""):
        """``GET /_fake/stats``, ``GET /_fake/log`` (ListAccounts'; ``?path=/`` for STS's),
        ``POST /_fake/reset``, ``PUT /_fake/faults/<tenant>``."""
        try:
            if method == "GET" and path == "/_fake/stats":
                return self._send(200, json.dumps(self.fake.stats()))
            if method == "GET" and path == "/_fake/log":
                log_path = parse_qs(query_string).get("path", ["/accounts"])[0]
                return self._send(200, json.dumps(self.fake.requests(path=log_path), ensure_ascii=False))
            if method == "POST" and path == "/_fake/reset":
                self.fake.reset()
                return self._send(200, "{}")
            if method == "PUT" and path.startswith("/_fake/faults/"):
                spec = json.loads(self._body() or b"{}")
                self.fake.set_faults(path.rsplit("/", 1)[1], spec)
                return self._send(200, "{}")
            return self._send(404, json.dumps({"Code": "NotFound", "Message": f"No control route {method} {path}"}))
        except (KeyError, ValueError, TypeError) as error:
            return self._send(400, json.dumps({"Code": "BadRequest", "Message": str(error)}))
