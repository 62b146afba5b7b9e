# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server-side check of AWS Signature Version 4 (AWS4-HMAC-SHA256) for the fake Chime endpoint.

Written from the published algorithm so that the fake checks what a real client sends, not what
botocore's signer would compute for it.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Dict
from typing import Optional
from urllib.parse import parse_qsl
from urllib.parse import quote

ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass
class Credential:
    """One access key the fake accepts, and the tenant (AWS account) it belongs to."""

    access_key: str
    secret_key: str
    tenant: str
    session_token: Optional[str] = None
    arn: Optional[str] = None  # what STS GetCallerIdentity says of it (fake_chime.server.caller_identity)


@dataclass
class SignatureCheck:
    """Outcome of a signature check. ``error`` is ``None`` when the request is accepted."""

    access_key: Optional[str]
    region: Optional[str]
    service: Optional[str]
    error: Optional[str] = None  # "unknown-key" or "bad-signature"
    reason: str = ""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def canonical_query(query_string: str) -> str:
    """Canonical query string: each key and value URI-encoded, pairs sorted by key then value."""
    pairs = parse_qsl(query_string, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _canonical_headers(headers: Dict[str, str], signed: list) -> str:
    lines = []
    for name in signed:
        value = headers.get(name)
        if value is None:
            return None
        lines.append(f"{name}:{' '.join(value.strip().split())}\n")
    return "".join(lines)


def verify(
    method: str,
    raw_path: str,
    query_string: str,
    headers: Dict[str, str],
    body: bytes,
    credentials: Dict[str, Credential],
    service: str = "chime",
) -> SignatureCheck:
    """Check a request's SigV4 signature against the known ``credentials``.

    ``headers`` must have lower-case names. Returns the access key, the signing region and service,
    and an error kind when the request must be refused.
    """
    match = _AUTH_RE.match(headers.get("authorization", "").strip())
    if not match:
        return SignatureCheck(None, None, None, "bad-signature", "missing or malformed Authorization header")
    parts = match.group("credential").split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return SignatureCheck(None, None, None, "bad-signature", "malformed credential scope")
    access_key, date, region, signed_service = parts[:4]
    cred = credentials.get(access_key)
    if cred is None:
        return SignatureCheck(access_key, region, signed_service, "unknown-key", "unknown access key")
    if signed_service != service:
        return SignatureCheck(access_key, region, signed_service, "bad-signature", f"signed for {signed_service}")
    if cred.session_token is not None and headers.get("x-amz-security-token") != cred.session_token:
        return SignatureCheck(access_key, region, signed_service, "bad-signature", "session token mismatch")
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        return SignatureCheck(access_key, region, signed_service, "bad-signature", "date does not match scope")
    signed = match.group("signed").split(";")
    canon_headers = _canonical_headers(headers, signed)
    if canon_headers is None:
        return SignatureCheck(access_key, region, signed_service, "bad-signature", "a signed header is missing")
    payload_hash = headers.get("x-amz-content-sha256") or _sha256(body)
    canonical_request = "\n".join(
        [
            method,
            quote(raw_path, safe="/~%"),
            canonical_query(query_string),
            canon_headers,
            ";".join(signed),
            payload_hash,
        ]
    )
    scope = f"{date}/{region}/{signed_service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, _sha256(canonical_request.encode("utf-8"))])
    key = _hmac(("AWS4" + cred.secret_key).encode("utf-8"), date)
    for part in (region, signed_service, "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match.group("signature")):
        return SignatureCheck(access_key, region, signed_service, "bad-signature", "signature does not match")
    return SignatureCheck(access_key, region, signed_service)
