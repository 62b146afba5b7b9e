# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""STS and AWS Organizations for the tests: moto in server mode on loopback, an organization in it,
and a bridge that lets the fake Chime endpoint check requests signed with the roles moto issues.

moto serves ``GetCallerIdentity``, ``AssumeRole`` (any role, into any account) and Organizations
``ListAccounts`` with pagination. What it cannot do is refuse: a WSGI layer in front of it refuses
``AssumeRole`` into chosen AWS accounts with STS's own ``AccessDenied``, throttles chosen ones once,
adds a latency to every request, and logs every request it answers, with its start and end.

The fake Chime endpoint learns moto's temporary credentials by asking moto's STS backend, in this
process, about a key it does not know: the secret and session token moto issued for that key, and
the AWS account of the role. Requests signed with them, session token included, are then checked
like any other.

moto keeps its state in process-global backends: one organization at a time per process. A
FakeOrganization removes its organization, its members' roles and their STS sessions from moto when
it stops, so that a later one in the same process (another test file) can create its own.
"""

import io
import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qs

import boto3

from .data import generate
from .sigv4 import Credential

MANAGEMENT_ACCOUNT = "123456789012"  # moto's account for keys it did not issue
MANAGEMENT_ACCESS_KEY = "AKIAFAKEMANAGEMENT01"
MANAGEMENT_SECRET_KEY = "fake-management-secret"

_DENIED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
    "<Code>{code}</Code><Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
)
_ASSUMED = (
    '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>'
    "<AccessKeyId>{key}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken>"
    "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser>"
    "<AssumedRoleId>AROAFAKE:{session}</AssumedRoleId><Arn>arn:aws:sts::{account}:assumed-role/{role}/{session}</Arn>"
    "</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>"
    "</AssumeRoleResponse>"
)
_ACCESS_KEY_ID = re.compile(rb"<AccessKeyId>([^<]+)</AccessKeyId>")


class _Gate:
    """WSGI layer in front of moto: refuses or throttles AssumeRole for chosen accounts, waits
    ``latency`` seconds in every request, and logs every request it answers.

    A log entry has the ``action``, ``role_arn``, ``external_id`` and ``account`` (the role's AWS
    account) of an AssumeRole; the ``next_token`` and ``page`` (0 for the first) of an Organizations
    ListAccounts; and for every request its HTTP ``status``, ``time`` (when the gate had its body)
    and ``done`` (when its answer was ready), as the fake Chime endpoint's log has them: seconds of
    ``time.time()``, so that the two logs, kept in one process, can be compared. The entry is logged before the answer
    leaves: whoever reads the log after a call returned sees that call.
    """

    def __init__(self, app):
        self.app = app
        self.refuse, self.throttle_once, self.log = set(), set(), []
        self.latency = 0.0
        self.pages = {}  # a NextToken moto answered -> the number of the page it asks for
        self.issued_to = {}  # an access key moto issued through AssumeRole -> the role's AWS account
        # With answer_assume_role, the gate answers AssumeRole itself instead of moto: moto spends about 14 ms of
        # CPU on each, which at a thousand roles made the fake, not the collection, the slowest part of a
        # benchmark on two cores. The answer has STS's shape; the keys it issues are kept in ``issued``.
        self.answer_assume_role = False
        self.issued = {}  # access key -> Credential, for the keys the gate issued
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        started = time.time()
        environ["wsgi.input"] = io.BytesIO(body)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        form = _json_form(body) if target else {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        action = form.get("Action") or target.rsplit(".", 1)[-1]
        role_arn = form.get("RoleArn", "")
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else None
        entry = {"action": action, "role_arn": role_arn or None, "external_id": form.get("ExternalId")}
        entry.update(account=account, next_token=None, page=None, status=None, time=started, done=None)
        if action == "ListAccounts":
            entry["next_token"] = form.get("NextToken")
            with self.lock:
                entry["page"] = 0 if entry["next_token"] is None else self.pages.get(entry["next_token"])
        with self.lock:
            throttled = action == "AssumeRole" and account in self.throttle_once
            self.throttle_once.discard(account)
        if self.latency:
            time.sleep(self.latency)
        if action == "AssumeRole" and account in self.refuse:
            caller = f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:user/auditor"
            message = f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            status, headers, payload = self._error("403 Forbidden", "AccessDenied", message)
        elif throttled:
            status, headers, payload = self._error("400 Bad Request", "Throttling", "Rate exceeded")
        elif action == "AssumeRole" and self.answer_assume_role:
            status, headers, payload = self._assumed(role_arn, account, form.get("RoleSessionName", "session"))
        else:
            status, headers, payload = self._pass_on(environ)
        entry["status"] = int(status.split(" ", 1)[0])
        self._learn(entry, payload)
        entry["done"] = time.time()
        with self.lock:
            self.log.append(entry)
        start_response(status, headers)
        return [payload]

    def _pass_on(self, environ):
        """moto's answer, whole: nothing of it is sent before the request is logged."""
        answer = {}

        def capture(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return answer.setdefault("written", []).append

        chunks = self.app(environ, capture)
        try:
            payload = b"".join([*answer.get("written", []), *chunks])
        finally:
            getattr(chunks, "close", lambda: None)()
        return answer["status"], answer["headers"], payload

    def _learn(self, entry, payload):
        """Remember the page each NextToken asks for, and the AWS account of each key moto issued."""
        if entry["status"] != 200:
            return
        if entry["action"] == "ListAccounts" and entry["page"] is not None:
            token = _json_form(payload).get("NextToken")
            if token:
                with self.lock:
                    self.pages[token] = entry["page"] + 1
        elif entry["action"] == "AssumeRole":
            found = _ACCESS_KEY_ID.search(payload)
            if found:
                with self.lock:
                    self.issued_to[found.group(1).decode("ascii")] = entry["account"]

    def _assumed(self, role_arn, account, session_name):
        """STS's AssumeRole answer, with new keys that the fake Chime endpoint will take for ``account``'s."""
        serial = secrets.token_hex(8).upper()
        key, secret, token = f"ASIA{serial}", secrets.token_urlsafe(30), secrets.token_urlsafe(60)
        with self.lock:
            self.issued[key] = Credential(key, secret, account, token)
        role_name = role_arn.rsplit("/", 1)[-1]
        payload = _ASSUMED.format(
            key=key, secret=secret, token=token, account=account, role=role_name, session=session_name
        ).encode("utf-8")
        return "200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))], payload

    @staticmethod
    def _error(status, code, message):
        payload = _DENIED.format(code=code, message=message).encode("utf-8")
        return status, [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))], payload


def _json_form(body):
    """The members of a JSON body (the Organizations protocol's), or nothing."""
    try:
        form = json.loads(body or b"{}")
    except ValueError:
        return {}
    return form if isinstance(form, dict) else {}


class FakeOrganization:
    """An AWS organization in moto, served on loopback, whose member accounts are tenants of ``chime``.

    ``members`` member accounts are created besides the management account. ``accounts_each`` Chime
    accounts are generated for each tenant (the management account included); a list instead gives
    each AWS account's count, the management account's first and then the members' in the order they
    are created (``member_ids``' order). ``url`` is the endpoint for ``AWS_ENDPOINT_URL_STS`` and
    ``AWS_ENDPOINT_URL_ORGANIZATIONS``.
    """

    def __init__(self, chime, members=24, accounts_each=30, seed=0):
        if isinstance(accounts_each, int):
            accounts_each = [accounts_each] * (members + 1)
        if len(accounts_each) != members + 1:
            raise ValueError(f"accounts_each has {len(accounts_each)} counts for {members + 1} AWS accounts")
        self.chime, self.members, self.counts, self.seed = chime, members, list(accounts_each), seed
        self.member_ids, self.server, self.gate, self.url = [], None, None, None

    def start(self):
        """Serve moto, create the organization and its members, and make every account a Chime tenant.

        The members are created by moto's Organizations backend in this process, not over HTTP: about
        0.2 ms each instead of 14 (a thousand in 0.2 s instead of 14 s), with the same result: the
        request handler calls the same backend method.
        """
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from moto.moto_server.werkzeug_app import create_backend_app
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *args, **kwargs):
                pass  # the gate's log is the record; stderr stays quiet

        self.gate = _Gate(DomainDispatcherApplication(create_backend_app))
        self.server = make_server("127.0.0.1", 0, self.gate, threaded=True, request_handler=QuietHandler)
        threading.Thread(target=self.server.serve_forever, name="fake-aws", daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.client("organizations").create_organization(FeatureSet="ALL")
        backend = self._backend()
        for index in range(self.members):
            status = backend.create_account(Email=f"member{index}@example.com", AccountName=f"member-{index}")
            self.member_ids.append(status["CreateAccountStatus"]["AccountId"])
        for index, account_id in enumerate([MANAGEMENT_ACCOUNT, *self.member_ids]):
            self.chime.add_tenant(
                generate(self.counts[index], seed=self.seed + index, aws_account_id=account_id),
                MANAGEMENT_ACCESS_KEY if account_id == MANAGEMENT_ACCOUNT else f"AKIAUNUSED{index:010d}",
                MANAGEMENT_SECRET_KEY if account_id == MANAGEMENT_ACCOUNT else f"unused-{index}",
            )
        self.chime.credentials.resolvers.append(self.resolve)
        self.gate.log.clear()
        return self

    def stop(self):
        """Stop serving, and remove the organization from moto's process-global state."""
        if self.server is None:
            return
        self.server.shutdown()
        self.server.server_close()
        self.server = None
        from moto.iam.models import iam_backends
        from moto.organizations.models import organizations_backends
        from moto.sts.models import sts_backends

        organizations_backends[MANAGEMENT_ACCOUNT]["aws"].reset()
        for account_id in self.member_ids:
            organizations_backends.master_accounts.pop(account_id, None)
            iam_backends.pop(account_id, None)  # the OrganizationAccountAccessRole moto made
            sts_backends.pop(account_id, None)
        sts_backends[MANAGEMENT_ACCOUNT]["aws"].reset()

    def client(self, service):
        """A boto3 client of ``service`` at moto, with the management account's keys."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id=MANAGEMENT_ACCESS_KEY,
            aws_secret_access_key=MANAGEMENT_SECRET_KEY,
        )

    def suspend(self, account_id):
        """Close a member account: AWS Organizations then reports it SUSPENDED."""
        self.client("organizations").close_account(AccountId=account_id)

    def set_state(self, account_id, state):
        """Give a member account a state that moto cannot reach by itself (``PENDING_CLOSURE``: moto's
        CloseAccount goes straight to SUSPENDED), as both ``State`` and the older ``Status``."""
        account = self._backend().get_account_by_id(account_id)
        account.state = account.status = state

    @staticmethod
    def _backend():
        from moto.organizations.models import organizations_backends

        return organizations_backends[MANAGEMENT_ACCOUNT]["aws"]

    def env(self):
        """Environment variables that point STS and Organizations (not Chime) at moto, with the
        management account's keys, as AWX injects credentials."""
        return {
            "AWS_ACCESS_KEY_ID": MANAGEMENT_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": MANAGEMENT_SECRET_KEY,
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_ENDPOINT_URL_ORGANIZATIONS": self.url,
        }

    def issued(self):
        """Every temporary credential moto issued: (access key, secret, session token) triples."""
        from moto.sts.models import sts_backends

        found = []
        for account_id in [MANAGEMENT_ACCOUNT, *self.member_ids]:
            for role in sts_backends[account_id]["aws"].assumed_roles:
                found.append((role.access_key_id, role.secret_access_key, role.session_token))
        return found

    def resolve(self, access_key):
        """The fake Chime endpoint's question about a key it does not know: a role moto issued? The gate
        saw which AWS account's role each key was issued for; moto's STS backend of that account has
        the key's secret and session token. Without the gate's answer, every account's is asked."""
        from moto.sts.models import sts_backends

        issued = self.gate.issued.get(access_key) if self.gate is not None else None
        if issued is not None:
            return issued
        hint = self.gate.issued_to.get(access_key) if self.gate is not None else None
        for account_id in [hint] if hint else [MANAGEMENT_ACCOUNT, *self.member_ids]:
            role = sts_backends[account_id]["aws"].get_assumed_role_from_access_key(access_key)
            if role is not None:
                return Credential(access_key, role.secret_access_key, account_id, role.session_token)
        return None

    def requests(self, action=None):
        """The requests the gate answered, optionally of one action, in the order their answers were
        ready (see :class:`_Gate` for an entry's members)."""
        with self.gate.lock:
            return [e for e in self.gate.log if action is None or e["action"] == action]
