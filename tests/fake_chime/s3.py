# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake Amazon S3 for the tests: moto in server mode on loopback, behind a gate that refuses what
moto would let through.

moto stores the objects and speaks S3's REST-XML protocol (multipart uploads, checksums, aws-chunked
bodies), but checks no signature and knows no bucket owner, access policy or KMS key. The gate in
front of it does, so that a test sees the refusals a real bucket would give:

- every S3 request's SigV4 signature is checked against the credentials registered with
  :meth:`FakeS3.add_credential` (InvalidAccessKeyId, SignatureDoesNotMatch, InvalidToken);
- every request on a bucket must carry ``x-amz-expected-bucket-owner`` equal to the owner the bucket
  was created for (AccessDenied otherwise, which real S3 only answers to a wrong owner: the fake is
  stricter so that a caller which forgets the header fails in the tests);
- puts of chosen keys are refused (:meth:`FakeS3.deny_put`), as a bucket policy would;
- SSE-KMS with a key not registered with :meth:`FakeS3.add_kms_key` fails as KMS would.

Every request is logged before its answer leaves, so a test that reads :meth:`FakeS3.requests` right
after a client call returned sees that call. Requests signed for another service (moto serves STS
too) are passed on unchecked and logged with their ``service``.

moto keeps its state in process-global backends, shared by every FakeS3 and FakeOrganization of the
process. A FakeS3 serves only the buckets it created (others answer NoSuchBucket), and deletes them
from moto when it stops, so a later test may use the same names; two FakeS3 alive at the same time
must use different bucket names (:meth:`FakeS3.create_bucket` refuses a name moto has already).
ListBuckets is passed to moto, which lists the caller's account's buckets of every FakeS3. Only
path-style addressing is served, which botocore uses for an ``endpoint_url`` that is an IP address.
"""

import fnmatch
import hashlib
import io
import re
import secrets
import threading
import time
from typing import Dict
from typing import List
from typing import Optional
from urllib.parse import parse_qs
from urllib.parse import quote
from urllib.parse import unquote
from xml.sax.saxutils import escape

import boto3
import botocore.config

from .moto_serving import MotoServer
from .server import CredentialStore
from .sigv4 import Credential
from .sigv4 import verify

REGION = "us-east-1"
_SERVICE_RE = re.compile(r"Credential=[^/,\s]+/[^/,\s]+/[^/,\s]+/([^/,\s]+)/aws4_request")
_ACCESS_KEY_RE = re.compile(r"Credential=([^/,\s]+)/")
_HEX_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_PRESERVED_NAMES = "moto.preserved_header_names"  # moto's environ key for header names with underscores

# Query parameters that name a subresource, and the name S3's operations give it.
_SUBRESOURCES = {
    "acl": "Acl",
    "tagging": "Tagging",
    "versioning": "Versioning",
    "policy": "Policy",
    "encryption": "Encryption",
    "lifecycle": "LifecycleConfiguration",
    "cors": "Cors",
    "ownershipControls": "OwnershipControls",
    "publicAccessBlock": "PublicAccessBlock",
    "location": "Location",
    "logging": "Logging",
    "notification": "NotificationConfiguration",
    "website": "Website",
    "replication": "Replication",
    "object-lock": "ObjectLockConfiguration",
    "accelerate": "AccelerateConfiguration",
    "requestPayment": "RequestPayment",
    "attributes": "Attributes",
    "retention": "Retention",
    "legal-hold": "LegalHold",
}
# What deny_put refuses: every operation that writes an object's content under a key.
PUT_OPERATIONS = frozenset(
    {"PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "CopyObject", "UploadPartCopy"}
)
_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete"}


def operation_name(method: str, bucket: Optional[str], key: Optional[str], query: dict, headers: dict) -> str:
    """The S3 operation a path-style request asks for, from its method, path and query (as S3's own
    request routing decides it, for the operations a client of this collection may send)."""
    sub = next((name for param, name in _SUBRESOURCES.items() if param in query), None)
    if not bucket:
        return "ListBuckets" if method == "GET" else f"{method} /"
    if not key:
        if method == "GET" and query.get("list-type") == ["2"]:
            return "ListObjectsV2"
        if method == "GET" and "uploads" in query:
            return "ListMultipartUploads"
        if method == "GET" and "versions" in query:
            return "ListObjectVersions"
        if method == "POST" and "delete" in query:
            return "DeleteObjects"
        if method == "HEAD":
            return "HeadBucket"
        if sub and method in _VERBS:
            return f"{_VERBS[method]}Bucket{sub}"
        return {"GET": "ListObjects", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method, f"{method} bucket")
    copy = "x-amz-copy-source" in headers
    if "uploadId" in query:
        if method == "PUT":
            return "UploadPartCopy" if copy else "UploadPart"
        names = {"POST": "CompleteMultipartUpload", "GET": "ListParts", "DELETE": "AbortMultipartUpload"}
        return names.get(method, f"{method} upload")
    if method == "POST" and "uploads" in query:
        return "CreateMultipartUpload"
    if method == "POST" and "restore" in query:
        return "RestoreObject"
    if method == "HEAD":
        return "HeadObject"
    if sub and method in _VERBS:
        return f"{_VERBS[method]}Object{sub}"
    names = {"GET": "GetObject", "PUT": "CopyObject" if copy else "PutObject", "DELETE": "DeleteObject"}
    return names.get(method, f"{method} object")


def _headers(environ: dict) -> Dict[str, str]:
    """The request's headers, lower-case, as sent: the names moto's handler kept with underscores
    (object metadata) come back under those names, since the signature covers them so."""
    preserved = environ.get(_PRESERVED_NAMES) or {}
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[preserved.get(key, key[5:].replace("_", "-")).lower()] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.lower().replace("_", "-")] = environ[key]
    return headers


def _read_body(environ: dict) -> bytes:
    """Read the whole body, and put it back for moto. A body in HTTP chunked transfer encoding has
    no length: werkzeug decodes the chunks and marks the input as ending by itself."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = stream.read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, **extra: str):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


class _Gate:
    """WSGI layer in front of moto: checks, refuses, logs; passes on the rest (see the module)."""

    def __init__(self, app, internal_key: str):
        self.app, self.internal_key = app, internal_key
        self.credentials = CredentialStore()
        self.owners: Dict[str, str] = {}
        self.denied: List[str] = []
        self.denied_operations: List[tuple] = []  # (operation, key pattern)
        self.holds: List[Hold] = []
        self.denied_message = "Access Denied"
        self.kms_keys: set = set()
        self.log: List[dict] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = _read_body(environ)
        headers = _headers(environ)
        method = environ["REQUEST_METHOD"]
        service = _SERVICE_RE.search(headers.get("authorization", ""))
        if service is not None and service.group(1) != "s3":
            return self._pass_other(environ, start_response, service.group(1), headers, body)
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/"))
        raw_path = raw.split("?", 1)[0]
        query_string = environ.get("QUERY_STRING", "")
        query = parse_qs(query_string, keep_blank_values=True)
        bucket, _slash, key = raw_path.lstrip("/").partition("/")
        bucket, key = unquote(bucket) or None, unquote(key) or None
        entry = {
            "service": "s3",
            "method": method,
            "bucket": bucket,
            "key": key,
            "operation": operation_name(method, bucket, key, query, headers),
            "expected_owner": headers.get("x-amz-expected-bucket-owner"),
            "expected_owner_sent": "x-amz-expected-bucket-owner" in headers,
            "sse": headers.get("x-amz-server-side-encryption"),
            "kms_key_id": headers.get("x-amz-server-side-encryption-aws-kms-key-id"),
            "content_sha256": headers.get("x-amz-content-sha256"),
            "access_key": None,
            "account": None,
            "status": None,
            "error": None,
            "time": time.time(),
        }
        try:
            account = self._check(entry, method, raw_path, query_string, headers, body)
        except _Refusal as refusal:
            entry.update(status=refusal.status, error=refusal.code)
            self._record(entry)
            return self._error(start_response, method, refusal)
        except Exception as error:  # a fault of the gate's own: logged and answered, not lost
            refusal = _Refusal(500, "InternalError", f"The fake S3's gate failed: {error!r}")
            entry.update(status=500, error=refusal.code)
            self._record(entry)
            return self._error(start_response, method, refusal)
        # moto files a request under the account it names in this header: a bucket then belongs to
        # its owner's account in moto too, and a caller's requests come from the caller's account.
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account
        return self._pass(environ, start_response, entry)

    def _check(self, entry, method, raw_path, query_string, headers, body) -> str:
        """Refuse the request as S3 would (raises :class:`_Refusal`); return the AWS account moto
        should see it come from."""
        if "authorization" not in headers:
            raise _Refusal(403, "AccessDenied", "Access Denied")  # anonymous, or a presigned URL
        check = verify(method, raw_path, query_string, headers, body, self.credentials, service="s3")
        entry["access_key"] = check.access_key
        if check.error == "unknown-key":
            raise _Refusal(
                403,
                "InvalidAccessKeyId",
                "The AWS Access Key Id you provided does not exist in our records.",
                AWSAccessKeyId=check.access_key or "",
            )
        if check.reason == "session token mismatch":
            raise _Refusal(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
        if check.error:
            raise _Refusal(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. "
                "Check your key and signing method.",
                AWSAccessKeyId=check.access_key or "",
            )
        declared = headers.get("x-amz-content-sha256", "")
        if _HEX_SHA256_RE.match(declared) and hashlib.sha256(body).hexdigest() != declared:
            raise _Refusal(
                400,
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            )
        internal = entry["internal"] = check.access_key == self.internal_key
        credential = self.credentials[check.access_key]
        bucket, key, operation = entry["bucket"], entry["key"], entry["operation"]
        entry["account"] = credential.tenant
        if bucket is None:
            return credential.tenant or _DEFAULT_ACCOUNT
        with self.lock:
            owner = self.owners.get(bucket)
            denied = key is not None and any(fnmatch.fnmatchcase(key, p) for p in self.denied)
            refused = any(op == operation and fnmatch.fnmatchcase(key or "", p) for op, p in self.denied_operations)
            hold = next((h for h in self.holds if h.matches(operation, key)), None)
            if hold is not None:
                self.holds.remove(hold)
            kms_known = entry["kms_key_id"] is None or self._kms_known(entry["kms_key_id"])
        if operation == "CreateBucket" and not internal:
            raise _Refusal(403, "AccessDenied", "Access Denied")  # buckets are made with FakeS3.create_bucket
        if owner is None:
            raise _Refusal(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=bucket)
        if operation != "CreateBucket" and entry["expected_owner"] != owner:
            raise _Refusal(403, "AccessDenied", "Access Denied")
        if not internal and denied and operation in PUT_OPERATIONS:
            raise _Refusal(403, "AccessDenied", self.denied_message)
        if not internal and refused:
            raise _Refusal(403, "AccessDenied", "Access Denied")
        if hold is not None and not internal:
            hold.arrived.set()
            if not hold.release.wait(timeout=120):
                raise _Refusal(500, "InternalError", "a held request was never released")
        if not internal and entry["sse"] in ("aws:kms", "aws:kms:dsse") and not kms_known:
            raise _Refusal(400, "KMS.NotFoundException", f"Invalid keyId {entry['kms_key_id']}")
        return owner if internal else (credential.tenant or _DEFAULT_ACCOUNT)

    def _kms_known(self, key_id: str) -> bool:
        """A key is known by its id, or by an ARN that ends in ``key/<id>`` or names a known alias."""
        if key_id in self.kms_keys:
            return True
        resource = key_id.split(":", 5)[5] if key_id.startswith("arn:") and key_id.count(":") >= 5 else None
        return resource is not None and (resource in self.kms_keys or resource.removeprefix("key/") in self.kms_keys)

    def _pass(self, environ, start_response, entry):
        status = {}

        def capture(line, response_headers, exc_info=None):
            status["code"] = int(line.split(" ", 1)[0])
            return start_response(line, response_headers, exc_info)

        answer = self.app(environ, capture)
        if "code" not in status:  # an application that starts its response lazily
            answer = list(answer)
        entry["status"] = status.get("code")
        self._record(entry)
        return answer

    def _pass_other(self, environ, start_response, service, headers, body):
        """A request signed for another service (STS): moto's answer, unchecked, logged."""
        form = parse_qs(body.decode("utf-8", "replace")) if b"=" in body else {}
        operation = (form.get("Action") or [headers.get("x-amz-target", "").rsplit(".", 1)[-1] or None])[0]
        entry = {"service": service, "method": environ["REQUEST_METHOD"], "operation": operation, "time": time.time()}
        entry.update(bucket=None, key=None, expected_owner=None, expected_owner_sent=False, sse=None)
        key = _ACCESS_KEY_RE.search(headers.get("authorization", ""))
        entry.update(access_key=key.group(1) if key else None, status=None, error=None)
        return self._pass(environ, start_response, entry)

    def _record(self, entry):
        """Log the request (not the fake's own, made by its helpers) before its answer leaves."""
        if entry.pop("internal", False):
            return
        entry["done"] = time.time()
        with self.lock:
            self.log.append(entry)

    @staticmethod
    def _error(start_response, method, refusal):
        """S3's XML error; no body for HEAD, as S3 sends none (botocore then reads the status)."""
        request_id = secrets.token_hex(8).upper()
        extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in refusal.extra.items())
        payload = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{refusal.code}</Code>'
            f"<Message>{escape(refusal.message)}</Message>{extra}<RequestId>{request_id}</RequestId>"
            f"<HostId>{secrets.token_urlsafe(24)}</HostId></Error>"
        ).encode()
        headers = [
            ("Content-Type", "application/xml"),
            ("Content-Length", "0" if method == "HEAD" else str(len(payload))),
            ("x-amz-request-id", request_id),
        ]
        start_response(f"{refusal.status} {_REASONS.get(refusal.status, 'Error')}", headers)
        return [] if method == "HEAD" else [payload]


class Hold:
    """One request held at the gate (see :meth:`FakeS3.hold`): ``arrived`` is set when it reaches the gate,
    which passes it on to moto only once ``release`` is set."""

    def __init__(self, operation: str, pattern: str):
        self.operation, self.pattern = operation, pattern
        self.arrived, self.release = threading.Event(), threading.Event()

    def matches(self, operation, key) -> bool:
        return operation == self.operation and fnmatch.fnmatchcase(key or "", self.pattern)


_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}
_DEFAULT_ACCOUNT = "123456789012"  # moto's, for a caller whose credential names no account


class FakeS3:
    """moto's S3 behind the gate, on a free loopback port. ``url`` is the endpoint_url (and the
    value for ``AWS_ENDPOINT_URL_S3``). Use as a context manager, or call :meth:`start` and :meth:`stop`.

    The helpers :meth:`objects`, :meth:`get` and :meth:`put` use a credential of the fake's own,
    which passes the gate's checks (ExpectedBucketOwner included) but is spared its refusals on
    demand, and whose requests are not logged.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host, self.port = host, port
        self.url: Optional[str] = None
        self._internal = (f"AKIAFAKES3{secrets.token_hex(5).upper()}", secrets.token_urlsafe(24))
        # The gate exists before the server does: credentials, denials and KMS keys may be set first.
        self.gate = _Gate(None, self._internal[0])
        self.gate.credentials[self._internal[0]] = Credential(self._internal[0], self._internal[1], None)
        self._server = None
        self._client = None

    # ----- life cycle ---------------------------------------------------------------------
    def start(self):
        """Serve moto behind the gate in a background thread."""
        self._server = MotoServer(self.gate, self.host, self.port, "fake-s3")
        self.url = self._server.start()
        self.port = self._server.port
        self._client = self.client(*self._internal)
        return self

    def stop(self):
        """Stop serving, close the socket, and delete this fake's buckets and objects from moto."""
        if self._server is not None:
            self._server.stop()
        with self.gate.lock:
            buckets = list(self.gate.owners)
            self.gate.owners.clear()
        for name in buckets:
            _forget_bucket(name)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ----- set-up -------------------------------------------------------------------------
    @property
    def credentials(self) -> CredentialStore:
        """The credentials the gate accepts; append to its ``resolvers`` to accept keys another fake
        issued (for example ``FakeOrganization.resolve`` for moto's role credentials)."""
        return self.gate.credentials

    def add_credential(self, access_key: str, secret_key: str, account_id: str, session_token: Optional[str] = None):
        """Accept requests signed with this key pair (and session token), as AWS account ``account_id``."""
        with self.gate.lock:
            self.gate.credentials[access_key] = Credential(access_key, secret_key, account_id, session_token)
        return self

    def create_bucket(self, name: str, owner_account: str, versioning: bool = False, object_lock: bool = False):
        """Create bucket ``name`` in moto, owned by ``owner_account``: every request on it must then
        carry ``x-amz-expected-bucket-owner: <owner_account>``. With ``versioning``, versioning is turned on;
        with ``object_lock``, Object Lock too (at creation, as S3 requires)."""
        from moto.s3.models import s3_backends

        with self.gate.lock:
            # moto would answer 200 to its owner's second CreateBucket in us-east-1, as S3 does: two
            # fakes would then share the bucket without knowing.
            if name in self.gate.owners or name in s3_backends.bucket_accounts:
                raise ValueError(f"bucket {name} exists already in this process's moto (moto's state is global)")
            self.gate.owners[name] = owner_account
        try:
            self._client.create_bucket(Bucket=name, **({"ObjectLockEnabledForBucket": True} if object_lock else {}))
            if versioning and not object_lock:  # Object Lock turns versioning on by itself
                self._client.put_bucket_versioning(
                    Bucket=name, ExpectedBucketOwner=owner_account, VersioningConfiguration={"Status": "Enabled"}
                )
        except Exception:
            with self.gate.lock:
                self.gate.owners.pop(name, None)
            raise
        return self

    def add_kms_key(self, key_id: str):
        """Accept SSE-KMS with this key id (also named by an ARN ending in ``key/<key_id>``)."""
        with self.gate.lock:
            self.gate.kms_keys.add(key_id)
        return self

    def deny_put(self, pattern: str, message: str = "Access Denied"):
        """Refuse with AccessDenied every write of an object whose key matches ``pattern`` (fnmatch,
        case-sensitive, ``*`` matches ``/`` too): PutObject, the multipart upload's steps, copies. ``message``
        is the refusal's (S3 names the caller's ARN in some: "User: ... is not authorized to perform: ...")."""
        with self.gate.lock:
            self.gate.denied.append(pattern)
            self.gate.denied_message = message
        return self

    def deny(self, operation: str, pattern: str = "*"):
        """Refuse with AccessDenied every ``operation`` (GetObject, ListObjectsV2...) on a key matching
        ``pattern`` (fnmatch; a bucket-level operation has the key "")."""
        with self.gate.lock:
            self.gate.denied_operations.append((operation, pattern))
        return self

    def hold(self, operation: str, pattern: str) -> Hold:
        """Hold the next ``operation`` on a key matching ``pattern`` at the gate until the returned
        :class:`Hold` is released: a test's way to make one run slow at a chosen request."""
        hold = Hold(operation, pattern)
        with self.gate.lock:
            self.gate.holds.append(hold)
        return hold

    def clear_denials(self):
        """Forget every :meth:`deny_put` and :meth:`deny` pattern, and release every hold."""
        with self.gate.lock:
            self.gate.denied.clear()
            self.gate.denied_operations.clear()
            self.gate.denied_message = "Access Denied"
            holds, self.gate.holds[:] = list(self.gate.holds), []
        for hold in holds:
            hold.release.set()

    # ----- observation --------------------------------------------------------------------
    def requests(self, operation: Optional[str] = None, service: str = "s3") -> List[dict]:
        """The logged S3 requests (optionally of one operation), oldest first. Each is a dict with
        method, bucket, key, operation, expected_owner (the header's value, None when it was not
        sent) and expected_owner_sent, sse, kms_key_id, content_sha256, access_key, account (of the
        credential), status, error (the refusal's code, None for moto's answers) and time.
        ``service="sts"`` gives the requests passed on to moto's STS instead."""
        with self.gate.lock:
            return [
                dict(e)
                for e in self.gate.log
                if e["service"] == service and (operation is None or e["operation"] == operation)
            ]

    def reset_log(self):
        """Forget the request log."""
        with self.gate.lock:
            self.gate.log.clear()

    # ----- helpers ------------------------------------------------------------------------
    def client(self, access_key: str, secret_key: str, session_token: Optional[str] = None, **config):
        """A boto3 S3 client for the fake, region us-east-1, botocore's retries off (``config`` goes
        to botocore's Config)."""
        settings = {"retries": {"total_max_attempts": 1}, **config}
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            aws_session_token=session_token,
            config=botocore.config.Config(**settings),
        )

    def env(self) -> Dict[str, str]:
        """The environment variable that points a boto3 S3 client (not other services) at the fake."""
        return {"AWS_ENDPOINT_URL_S3": self.url}

    def _owner(self, bucket: str) -> str:
        with self.gate.lock:
            return self.gate.owners[bucket]

    def objects(self, bucket: str) -> List[str]:
        """The keys in ``bucket``, sorted."""
        keys = []
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, ExpectedBucketOwner=self._owner(bucket)):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def get(self, bucket: str, key: str, version_id: Optional[str] = None) -> bytes:
        """The content of an object (of one version)."""
        extra = {"VersionId": version_id} if version_id else {}
        answer = self._client.get_object(Bucket=bucket, Key=key, ExpectedBucketOwner=self._owner(bucket), **extra)
        return answer["Body"].read()

    def put(self, bucket: str, key: str, body, metadata: Optional[Dict[str, str]] = None) -> Optional[str]:
        """Plant an object (a baseline, a malformed file...), past :meth:`deny_put` and unlogged; returns
        its VersionId (None in an unversioned bucket)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        answer = self._client.put_object(
            Bucket=bucket, Key=key, Body=body, ExpectedBucketOwner=self._owner(bucket), Metadata=metadata or {},
            ChecksumAlgorithm="SHA256",
        )  # fmt: skip
        return answer.get("VersionId")

    def delete(self, bucket: str, key: str, version_id: Optional[str] = None) -> dict:
        """Delete an object (in a versioned bucket: add a delete marker) or one version of it, unlogged;
        moto's refusal (a retained version) is raised as botocore's ClientError."""
        extra = {"VersionId": version_id} if version_id else {}
        return self._client.delete_object(Bucket=bucket, Key=key, ExpectedBucketOwner=self._owner(bucket), **extra)

    def versions(self, bucket: str, key: str) -> List[dict]:
        """The versions and delete markers of ``key``, newest first (ListObjectVersions)."""
        answer = self._client.list_object_versions(Bucket=bucket, Prefix=key, ExpectedBucketOwner=self._owner(bucket))
        found = [dict(v, DeleteMarker=False) for v in answer.get("Versions", []) if v["Key"] == key]
        found += [dict(m, DeleteMarker=True) for m in answer.get("DeleteMarkers", []) if m["Key"] == key]
        return sorted(found, key=lambda v: v["LastModified"], reverse=True)


def _forget_bucket(name: str):
    """Delete a bucket with its objects, versions and unfinished uploads from moto's global state,
    closing the temporary files moto keeps their content in."""
    from moto.s3.models import s3_backends

    where = s3_backends.bucket_accounts.pop(name, None)
    if where is None:
        return
    partition, account_id = where
    bucket = s3_backends[account_id][partition].buckets.pop(name, None)
    if bucket is None:
        return
    for _key, versions in bucket.keys.lists():
        for version in versions:
            if hasattr(version, "dispose"):
                version.dispose()
    for upload in bucket.multiparts.values():
        upload.dispose()
