# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IAM policies of organization-wide listings (docs/examples/organization) against the template that deploys
the member role and against the calls the collection makes.

The template's inline policies, rendered with example parameter values, are the JSON files the user guide shows:
one truth, so the docs cannot drift from what is deployed. And the actions the policies allow are exactly the
operations that an organization-wide listing sends, recorded from real botocore clients whose requests are
answered before they leave the process: a new call in the code, or a policy that allows more, fails here.
"""

import contextlib
import functools
import json
import os
import re

import pytest
import yaml

from ansible_collections.chime.admin.plugins.module_utils._chime import fan_out
from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "..")
ORGANIZATION = os.path.join(ROOT, "docs", "examples", "organization")
TEMPLATE = os.path.join(ORGANIZATION, "chime-audit-role.yml")
# The values the JSON files show for the template's parameters.
EXAMPLE = {
    "AWS::Partition": "aws",
    "AuditingAccountId": "111122223333",
    "ExternalId": "chime-audit-2026-5f0c9e7b41d2",
    "RoleName": "ChimeAudit",
    "RolePath": "/",
}
CALLER, MEMBER, SUSPENDED = "111122223333", "444455556666", "777788889999"
# sts:GetCallerIdentity needs no permission: IAM always allows it.
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}


def _rendered(value, parameters):
    """``value`` with its ``Ref`` and ``Fn::Sub`` resolved from ``parameters``; any other function fails the test."""
    if isinstance(value, list):
        return [_rendered(item, parameters) for item in value]
    if not isinstance(value, dict):
        return value
    functions = [key for key in value if key == "Ref" or key.startswith("Fn::")]
    if not functions:
        return {key: _rendered(item, parameters) for key, item in value.items()}
    assert value.keys() == {"Ref"} or value.keys() == {"Fn::Sub"}, f"not rendered by this test: {value}"
    if "Ref" in value:
        return parameters[value["Ref"]]
    return re.sub(r"\$\{([^}]+)\}", lambda match: parameters[match.group(1)], value["Fn::Sub"])


def _json(name):
    with open(os.path.join(ORGANIZATION, name), encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def template():
    with open(TEMPLATE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)  # the template writes its functions in the long form: plain YAML


@pytest.fixture(scope="module")
def role(template):
    (role,) = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    return role


def _actions(policy):
    actions = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        action = statement["Action"]
        actions.update([action] if isinstance(action, str) else action)
    return actions


def test_the_templates_trust_policy_is_the_json_file(role):
    assert _rendered(role["AssumeRolePolicyDocument"], EXAMPLE) == _json("member-role-trust.json")


def test_the_templates_one_permission_policy_is_the_json_file(role):
    (policy,) = role["Policies"]
    assert _rendered(policy["PolicyDocument"], EXAMPLE) == _json("member-role-permissions.json")
    assert "ManagedPolicyArns" not in role and "PermissionsBoundary" not in role


def test_the_template_takes_the_role_name_path_and_the_partition_from_its_parameters(template, role):
    parameters = template["Parameters"]
    assert role["RoleName"] == {"Ref": "RoleName"} and parameters["RoleName"]["Default"] == "ChimeAudit"
    assert role["Path"] == {"Ref": "RolePath"} and parameters["RolePath"]["Default"] == "/"
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"]
    assert principal == {"Fn::Sub": "arn:${AWS::Partition}:iam::${AuditingAccountId}:root"}
    assert parameters["ExternalId"]["NoEcho"] is True and parameters["ExternalId"]["MinLength"] == 8
    assert re.fullmatch(parameters["AuditingAccountId"]["AllowedPattern"], EXAMPLE["AuditingAccountId"])
    assert not re.fullmatch(parameters["AuditingAccountId"]["AllowedPattern"], "11112222333")
    assert re.fullmatch(parameters["ExternalId"]["AllowedPattern"], EXAMPLE["ExternalId"])
    for path, valid in (("/", True), ("/audit/", True), ("/a/b/", True), ("audit/", False), ("/audit", False)):
        assert bool(re.fullmatch(parameters["RolePath"]["AllowedPattern"], path)) is valid, path


def test_the_callers_role_resource_is_the_templates_default_role_in_any_account():
    (statement,) = [s for s in _json("caller-permissions.json")["Statement"] if s["Action"] == "sts:AssumeRole"]
    assert statement["Resource"] == "arn:aws:iam::*:role/ChimeAudit"


class _Recording(listing.AwsConnection):
    """An AwsConnection whose clients are botocore's own, with every request answered before it is signed
    and sent; each call is recorded as the IAM action it needs, under the identity that makes it."""

    def __init__(self):
        keys = {"aws_access_key_id": "AKIAEXAMPLECALLER001", "aws_secret_access_key": "caller-secret"}
        super().__init__(None, None, keys)
        self.calls, self.answered = set(), set()

    def client(self, service, pool=None):
        client = super().client(service, pool)
        client.meta.events.register("before-call", functools.partial(self._answer, "caller"))
        return client

    @contextlib.contextmanager
    def role_client(self, credentials, pool=None):
        with super().role_client(credentials, pool) as client:
            if id(client) not in self.answered:  # every role shares this client: one hook for all
                self.answered.add(id(client))
                client.meta.events.register("before-call", functools.partial(self._answer, "member"))
            yield client

    def _answer(self, who, model, **kwargs):
        action = f"{model.service_model.signing_name}:{model.name}"
        self.calls.add((who, action))
        answers = {
            "sts:GetCallerIdentity": {"Account": CALLER, "Arn": f"arn:aws:iam::{CALLER}:user/auditor", "UserId": "U"},
            "organizations:ListAccounts": {
                "Accounts": [
                    {"Id": CALLER, "Status": "ACTIVE", "State": "ACTIVE"},
                    {"Id": MEMBER, "Status": "ACTIVE", "State": "ACTIVE"},
                    {"Id": SUSPENDED, "Status": "SUSPENDED", "State": "SUSPENDED"},
                ]
            },
            "sts:AssumeRole": {
                "Credentials": {"AccessKeyId": "ASIAEXAMPLEMEMBER001", "SecretAccessKey": "s", "SessionToken": "t"}
            },
            "chime:ListAccounts": {"Accounts": []},
        }
        return _Answered(), answers[action]


class _Answered:
    """The HTTP side of an answered call, as botocore's before-call hook hands it back."""

    status_code = 200
    headers = {}


@pytest.fixture(scope="module")
def organization_calls():
    connection = _Recording()
    options = ListingOptions(organization_role_name="ChimeAudit", external_id=EXAMPLE["ExternalId"])
    accounts, aws_accounts, _warnings = fan_out.list_across_aws_accounts(
        connection, lambda client: listing.list_chime_accounts(client, options=options), options
    )
    assert accounts == [] and [(e["aws_account_id"], e["status"]) for e in aws_accounts] == [
        (CALLER, "listed"),
        (MEMBER, "listed"),
        (SUSPENDED, "skipped"),
    ]
    return connection.calls


def test_the_member_role_allows_exactly_what_is_called_with_its_credentials(organization_calls):
    called = {action for who, action in organization_calls if who == "member"}
    assert called == {"chime:ListAccounts"} == _actions(_json("member-role-permissions.json"))


def test_the_caller_is_allowed_exactly_what_it_calls(organization_calls):
    called = {action for who, action in organization_calls if who == "caller"}
    assert called == {"sts:GetCallerIdentity", "organizations:ListAccounts", "sts:AssumeRole", "chime:ListAccounts"}
    assert called - ALWAYS_ALLOWED == _actions(_json("caller-permissions.json"))


def test_the_trust_policy_allows_only_assume_role():
    assert _actions(_json("member-role-trust.json")) == {"sts:AssumeRole"}
