# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""STS and AWS Organizations for the tests: moto in server mode on loopback, an organization in it,
and a bridge that lets the fake Chime endpoint check requests signed with the roles moto issues.

moto serves ``GetCallerIdentity``, ``AssumeRole`` (any role, into any account) and Organizations
``ListAccounts`` with pagination. What it cannot do is refuse: a WSGI layer in front of it refuses
``AssumeRole`` into chosen AWS accounts with STS's own ``AccessDenied``, throttles chosen ones once,
and counts every request it passes on.

The fake Chime endpoint learns moto's temporary credentials by asking moto's STS backend, in this
process, about a key it does not know: the secret and session token moto issued for that key, and
the AWS account of the role. Requests signed with them, session token included, are then checked
like any other.
"""

import io
import threading
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


class _Gate:
    """WSGI layer in front of moto: counts requests, refuses or throttles AssumeRole for chosen accounts."""

    def __init__(self, app):
        self.app = app
        self.refuse, self.throttle_once, self.log = set(), set(), []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        action = form.get("Action") or target.rsplit(".", 1)[-1]
        role_arn = form.get("RoleArn", "")
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else None
        with self.lock:
            self.log.append({"action": action, "role_arn": role_arn or None, "external_id": form.get("ExternalId")})
            throttled = action == "AssumeRole" and account in self.throttle_once
            self.throttle_once.discard(account)
        if action == "AssumeRole" and account in self.refuse:
            caller = f"arn:aws:iam::{MANAGEMENT_ACCOUNT}:user/auditor"
            message = f"User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            return self._error(start_response, "403 Forbidden", "AccessDenied", message)
        if throttled:
            return self._error(start_response, "400 Bad Request", "Throttling", "Rate exceeded")
        return self.app(environ, start_response)

    @staticmethod
    def _error(start_response, status, code, message):
        payload = _DENIED.format(code=code, message=message).encode("utf-8")
        start_response(status, [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
        return [payload]


class FakeOrganization:
    """An AWS organization in moto, served on loopback, whose member accounts are tenants of ``chime``.

    ``members`` member accounts are created besides the management account; ``accounts_each`` Chime
    accounts are generated for each tenant (the management account included). ``url`` is the endpoint
    for ``AWS_ENDPOINT_URL_STS`` and ``AWS_ENDPOINT_URL_ORGANIZATIONS``.
    """

    def __init__(self, chime, members=24, accounts_each=30, seed=0):
        self.chime, self.members, self.accounts_each, self.seed = chime, members, accounts_each, seed
        self.member_ids, self.server, self.gate, self.url = [], None, None, None

    def start(self):
        """Serve moto, create the organization and its members, and make every account a Chime tenant."""
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
        organizations = self.client("organizations")
        organizations.create_organization(FeatureSet="ALL")
        for index in range(self.members):
            status = organizations.create_account(Email=f"member{index}@example.com", AccountName=f"member-{index}")
            self.member_ids.append(status["CreateAccountStatus"]["AccountId"])
        for index, account_id in enumerate([MANAGEMENT_ACCOUNT, *self.member_ids]):
            self.chime.add_tenant(
                generate(self.accounts_each, seed=self.seed + index, aws_account_id=account_id),
                MANAGEMENT_ACCESS_KEY if account_id == MANAGEMENT_ACCOUNT else f"AKIAUNUSED{index:010d}",
                MANAGEMENT_SECRET_KEY if account_id == MANAGEMENT_ACCOUNT else f"unused-{index}",
            )
        self.chime.credentials.resolvers.append(self.resolve)
        self.gate.log.clear()
        return self

    def stop(self):
        """Stop serving."""
        if self.server is not None:
            self.server.shutdown()
            self.server = None

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
        """The fake Chime endpoint's question about a key it does not know: a role moto issued?"""
        from moto.sts.models import sts_backends

        for account_id in [MANAGEMENT_ACCOUNT, *self.member_ids]:
            role = sts_backends[account_id]["aws"].get_assumed_role_from_access_key(access_key)
            if role is not None:
                return Credential(access_key, role.secret_access_key, account_id, role.session_token)
        return None

    def requests(self, action=None):
        """The requests moto was asked, optionally of one action."""
        with self.gate.lock:
            return [e for e in self.gate.log if action is None or e["action"] == action]
