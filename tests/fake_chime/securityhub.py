# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake AWS Security Hub for the tests: moto in server mode on loopback, behind a gate that does what moto
does not.

moto stores the findings and answers Security Hub's REST-JSON protocol (BatchImportFindings, GetFindings). It
checks no signature, imports into a hub that is not enabled, takes any AwsAccountId, lets an import
overwrite every field, and applies no filter of GetFindings (the collection filters what it reads as well).
The gate in front of it:

- checks every request's SigV4 signature against the credentials given to :meth:`FakeSecurityHub.add_credential`,
  and files the request under that credential's AWS account (moto's account header) and its signing region;
- refuses BatchImportFindings and GetFindings with InvalidAccessException when the hub is not enabled for that
  account and region (:meth:`FakeSecurityHub.enable`), and BatchImportFindings with AccessDeniedException for an
  account denied the permission (:meth:`FakeSecurityHub.deny_import`);
- fails (``FailedFindings``) a finding whose AwsAccountId is not the caller's, or whose ProductArn is not the
  caller's default product ARN in the request's region, as Security Hub does for the default product ARN;
- on an update of a finding moto already has, keeps the fields that belong to the customer (Note,
  UserDefinedFields, VerificationState, Workflow) as they are, and resets a Workflow of NOTIFIED or RESOLVED to
  NEW when the update moves RecordState from ARCHIVED to ACTIVE or Compliance.Status from PASSED to FAILED,
  WARNING or NOT_AVAILABLE: Security Hub's documented behaviour (API reference, Workflow);
- injects faults into the calls moto answers: throttles (429 LimitExceededException, :meth:`throttle`) and
  findings that fail (:meth:`fail_ids`: they are taken out of the call moto sees, and named in its answer).

Every request is logged before its answer leaves, so a test that reads :meth:`FakeSecurityHub.requests` right
after a run sees each call. moto's state is process-global: :meth:`stop` empties the hubs this fake touched.
"""

import json
import secrets
import threading
import time
from typing import Dict
from typing import List
from typing import Optional

import boto3
import botocore.config

from .moto_serving import MotoServer
from .s3 import _headers
from .s3 import _read_body
from .server import CredentialStore
from .sigv4 import Credential
from .sigv4 import verify

PERMISSION = "securityhub:BatchImportFindings"
CUSTOMER_FIELDS = ("Note", "UserDefinedFields", "VerificationState", "Workflow")
_REOPENED_FROM = ("NOTIFIED", "RESOLVED")
_OPERATIONS = {
    ("POST", "/findings/import"): "BatchImportFindings",
    ("POST", "/findings"): "GetFindings",
    ("POST", "/accounts"): "EnableSecurityHub",
    ("GET", "/accounts"): "DescribeHub",
}


def _backend(account, region):
    from moto.securityhub.models import securityhub_backends

    return securityhub_backends[account][region]


class _Gate:
    def __init__(self, internal_key: str):
        self.app = None
        self.internal_key = internal_key
        self.credentials = CredentialStore()
        self.denied: set = set()
        self.throttles = 0
        self.failing: Dict[str, str] = {}  # finding Id -> error code, once each
        self.log: List[dict] = []
        self.lock = threading.Lock()
        self.touched: set = set()
        self.discard = False

    def __call__(self, environ, start_response):
        body = _read_body(environ)
        headers = _headers(environ)
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        entry = {"operation": _OPERATIONS.get((method, path), f"{method} {path}"), "time": time.time()}
        entry.update(account=None, region=None, status=None, error=None, ids=[], findings=[])
        check = verify(method, path, environ.get("QUERY_STRING", ""), headers, body, self.credentials, "securityhub")
        if check.error:
            return self._error(
                start_response,
                entry,
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        credential = self.credentials[check.access_key]
        account, region = credential.tenant, check.region
        internal = check.access_key == self.internal_key
        entry.update(account=account, region=region)
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = account
        with self.lock:
            self.touched.add((account, region))
        if entry["operation"] == "GetFindings" and not internal and not _backend(account, region).enabled:
            message = f"Account {account} is not subscribed to AWS Security Hub"
            return self._error(start_response, entry, 401, "InvalidAccessException", message)
        if entry["operation"] != "BatchImportFindings" or internal:
            return self._pass(environ, start_response, entry, body, internal)
        payload = json.loads(body or b"{}")
        findings = payload.get("Findings") or []
        entry["ids"] = [f.get("Id") for f in findings]
        entry["findings"] = findings
        with self.lock:
            throttled = self.throttles > 0
            if throttled:
                self.throttles -= 1
        if throttled:
            return self._error(start_response, entry, 429, "LimitExceededException", "Rate exceeded")
        if account in self.denied:
            message = f"User: arn:aws:iam::{account}:user/auditor is not authorized to perform: {PERMISSION}"
            return self._error(start_response, entry, 403, "AccessDeniedException", message)
        if self.discard:  # the benchmark's sink: every finding taken, none stored
            self._record(dict(entry, status=200))
            answer = json.dumps({"FailedCount": 0, "SuccessCount": len(findings), "FailedFindings": []}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
            return [answer]
        backend = _backend(account, region)
        if not backend.enabled:
            message = f"Account {account} is not subscribed to AWS Security Hub"
            return self._error(start_response, entry, 401, "InvalidAccessException", message)
        product = f"arn:aws:securityhub:{region}:{account}:product/{account}/default"
        failed, passed = [], []
        with self.lock:
            for finding in findings:
                code = self.failing.pop(finding.get("Id"), None)
                if code is None and (finding.get("AwsAccountId") != account or finding.get("ProductArn") != product):
                    code = "AccessDeniedException"
                if code is not None:
                    failed.append(
                        {"Id": finding.get("Id"), "ErrorCode": code, "ErrorMessage": f"Injected or refused: {code}"}
                    )
                else:
                    passed.append(self._as_update(backend, finding))
        body = json.dumps({"Findings": passed}).encode()
        answer, status = self._call(environ, body)
        entry["status"] = status
        if status == 200:
            data = json.loads(answer or b"{}")
            data["FailedCount"] = data.get("FailedCount", 0) + len(failed)
            data["FailedFindings"] = (data.get("FailedFindings") or []) + failed
            answer = json.dumps(data).encode()
        self._record(entry)
        start_response(
            f"{status} OK" if status == 200 else f"{status} Error",
            [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))],
        )
        return [answer]

    @staticmethod
    def _as_update(backend, finding):
        """The finding as Security Hub would store it over the one it has: the customer's fields kept, and a
        closed workflow reopened by a move back to ACTIVE or away from PASSED."""
        current = next((f.data for f in backend.findings if f.id == finding.get("Id")), None)
        if current is None:
            return finding
        update = {k: v for k, v in finding.items() if k not in CUSTOMER_FIELDS}
        for key in CUSTOMER_FIELDS:
            if key in current:
                update[key] = current[key]
        workflow = (current.get("Workflow") or {}).get("Status")
        reactivated = current.get("RecordState") == "ARCHIVED" and update.get("RecordState", "ACTIVE") == "ACTIVE"
        was = (current.get("Compliance") or {}).get("Status")
        now = (update.get("Compliance") or {}).get("Status")
        failing_again = was == "PASSED" and now in ("FAILED", "WARNING", "NOT_AVAILABLE")
        if workflow in _REOPENED_FROM and (reactivated or failing_again):
            update["Workflow"] = {"Status": "NEW"}
        return update

    def _call(self, environ, body):
        import io

        environ = dict(environ, CONTENT_LENGTH=str(len(body)))
        environ["wsgi.input"] = io.BytesIO(body)
        status = {}

        def capture(line, response_headers, exc_info=None):
            status["code"] = int(line.split(" ", 1)[0])
            return lambda _data: None

        answer = b"".join(self.app(environ, capture))
        return answer, status.get("code")

    def _pass(self, environ, start_response, entry, body, internal):
        answer, status = self._call(environ, body)
        entry["status"] = status
        if not internal:
            self._record(entry)
        start_response(
            f"{status} OK" if status == 200 else f"{status} Error",
            [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))],
        )
        return [answer]

    def _record(self, entry):
        entry["done"] = time.time()
        with self.lock:
            self.log.append(entry)

    def _error(self, start_response, entry, status, code, message):
        entry.update(status=status, error=code)
        self._record(entry)
        payload = json.dumps({"Code": code, "Message": message}).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", code),
            ("Content-Length", str(len(payload))),
        ]
        headers.append(("x-amzn-RequestId", secrets.token_hex(16)))
        start_response(f"{status} Error", headers)
        return [payload]


class FakeSecurityHub:
    """moto's Security Hub behind the gate, on a free loopback port; ``env()`` points boto3's securityhub
    clients at it (``AWS_ENDPOINT_URL_SECURITYHUB``)."""

    def __init__(self, host: str = "127.0.0.1", discard: bool = False):
        """``discard``: answer every BatchImportFindings call that passes the gate's checks as taken, without
        moto, which looks each finding up among all it holds (a cost that grows with the square of the
        findings): for the benchmark of the collection's own side of the import."""
        self.host, self.port, self.url = host, 0, None
        self._internal = (f"AKIAFAKESH{secrets.token_hex(5).upper()}", secrets.token_urlsafe(24))
        self.gate = _Gate(self._internal[0])
        self.gate.discard = discard
        self._server = None

    def start(self):
        self._server = MotoServer(self.gate, self.host, 0, "fake-securityhub")
        self.url = self._server.start()
        self.port = self._server.port
        return self

    def stop(self):
        if self._server is not None:
            self._server.stop()
        self.reset()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def env(self) -> Dict[str, str]:
        return {"AWS_ENDPOINT_URL_SECURITYHUB": self.url}

    def add_credential(self, access_key: str, secret_key: str, account_id: str, session_token: Optional[str] = None):
        with self.gate.lock:
            self.gate.credentials[access_key] = Credential(access_key, secret_key, account_id, session_token)
        return self

    def enable(self, account: str, region: str = "us-east-1"):
        """Enable the hub of ``account`` in ``region`` (as EnableSecurityHub does)."""
        backend = _backend(account, region)
        backend.enabled = True
        with self.gate.lock:
            self.gate.touched.add((account, region))
        return self

    def deny_import(self, account: str):
        with self.gate.lock:
            self.gate.denied.add(account)

    def throttle(self, count: int):
        """Answer the next ``count`` BatchImportFindings calls 429 LimitExceededException."""
        with self.gate.lock:
            self.gate.throttles += count

    def fail_ids(self, ids, code: str = "InvalidInput"):
        """Fail each of these finding Ids once, in the next call that carries it."""
        with self.gate.lock:
            self.gate.failing.update(dict.fromkeys(ids, code))

    def set_workflow(self, account: str, finding_id: str, status: str, region: str = "us-east-1"):
        """A person's BatchUpdateFindings of the workflow status (moto does not implement it)."""
        for finding in _backend(account, region).findings:
            if finding.id == finding_id:
                finding.data["Workflow"] = {"Status": status}
                return
        raise KeyError(finding_id)

    def findings(self, account: str, region: str = "us-east-1") -> Dict[str, dict]:
        """Every finding of the hub by Id, read with GetFindings through the gate (all pages)."""
        self.add_credential(self._internal[0], self._internal[1], account)
        client = boto3.client(
            "securityhub", region_name=region, endpoint_url=self.url, aws_access_key_id=self._internal[0],
            aws_secret_access_key=self._internal[1], config=botocore.config.Config(retries={"max_attempts": 1}),
        )  # fmt: skip
        found = {}
        for page in client.get_paginator("get_findings").paginate(PaginationConfig={"PageSize": 100}):
            for finding in page["Findings"]:
                found[finding["Id"]] = finding
        return found

    def requests(self, operation: Optional[str] = None) -> List[dict]:
        with self.gate.lock:
            return [dict(e) for e in self.gate.log if operation is None or e["operation"] == operation]

    def reset_log(self):
        with self.gate.lock:
            self.gate.log.clear()

    def reset(self):
        """Empty and disable every hub this fake touched; forget faults and denials."""
        with self.gate.lock:
            touched, self.gate.touched = set(self.gate.touched), set()
            self.gate.denied.clear()
            self.gate.failing.clear()
            self.gate.throttles = 0
            self.gate.log.clear()
        for account, region in touched:
            backend = _backend(account, region)
            backend.findings = []
            backend.enabled = False
