# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of what the module, the lookup and the action do once their options are read
(module_utils/_chime/inventory.py): the options reach every request, in one AWS account or many."""

import contextlib

import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime.errors import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils._chime.inventory import inventory
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils._chime.transformations import summarize
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import EMAIL
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import FAST
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import add_error as _error
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import add_page as _page
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import raw as _raw

CALLER = "999988887777"


class _OneAccount:
    """An AwsConnection stand-in that hands out one (stubbed) Chime client."""

    def __init__(self, client):
        self.chime = client

    def client(self, service, pool=None):
        assert service == "chime"
        return self.chime


def test_names_give_their_union_in_name_order_with_the_options_on_every_request(stubbed):
    client, stub = stubbed
    _page(stub, [_raw(1), _raw(2)], None, {"MaxResults": 50, "Name": "Eng", "UserEmail": EMAIL})
    _page(stub, [_raw(2), _raw(3)], None, {"MaxResults": 50, "Name": "Fin", "UserEmail": EMAIL})
    facts, warnings = inventory(_OneAccount(client), ["Eng", "Fin"], ListingOptions(user_email=EMAIL, page_size=50))
    assert [a["account_id"] for a in facts["accounts"]] == ["id-1", "id-2", "id-3"]
    assert facts["summary"] == summarize(facts["accounts"]) and "aws_accounts" not in facts
    assert warnings == []


@pytest.mark.parametrize("on_denied,warned", [("warn", 1), ("skip", 0)])
def test_a_refused_listing_of_the_callers_account_is_empty_under_warn_and_skip(stubbed, on_denied, warned):
    client, stub = stubbed
    _error(stub, "ForbiddenException", 403)
    facts, warnings = inventory(_OneAccount(client), [None], ListingOptions(on_denied=on_denied))
    assert facts == {"accounts": [], "summary": summarize([])}
    assert len(warnings) == warned and all("chime:ListAccounts" in w for w in warnings)


def test_a_refusal_under_error_and_any_other_failure_raise(stubbed):
    client, stub = stubbed
    _error(stub, "ForbiddenException", 403)
    with pytest.raises(ChimeListingError) as info:
        inventory(_OneAccount(client), [None], ListingOptions())
    assert info.value.denied
    _error(stub, "BadRequestException", 400)
    with pytest.raises(ChimeListingError) as info:
        inventory(_OneAccount(client), [None], ListingOptions(on_denied="skip", **FAST))
    assert info.value.code == "BadRequestException" and not info.value.denied


class _Roles:
    """An AwsConnection stand-in: STS assumes any role; the Chime client of each AWS account answers two
    accounts per name prefix and records the requests it gets."""

    def __init__(self):
        self.requests, self.assumed = [], []

    def client(self, service, pool=None):
        return self if service == "sts" else _Chime(CALLER, self.requests)

    @contextlib.contextmanager
    def role_client(self, credentials, pool=None):
        yield _Chime(credentials["AccessKeyId"].split("-")[1], self.requests)

    def assume_role(self, RoleArn, RoleSessionName, ExternalId=None):  # noqa: N803 (boto3's parameter names)
        self.assumed.append((RoleArn, RoleSessionName, ExternalId))
        account = RoleArn.split(":")[4]
        return {"Credentials": {"AccessKeyId": f"ASIA-{account}", "SecretAccessKey": "s", "SessionToken": "t"}}


class _Chime:
    def __init__(self, aws_account_id, requests):
        self.aws_account_id, self.requests = aws_account_id, requests

    def list_accounts(self, **params):
        self.requests.append((self.aws_account_id, params))
        name = params["Name"]
        return {"Accounts": [_raw(f"{name}-{n}", AwsAccountId=self.aws_account_id, Name=f"{name} {n}") for n in (1, 2)]}


def test_fan_out_options_list_each_aws_account_with_the_same_options():
    connection = _Roles()
    arns = ["arn:aws:iam::222222222222:role/Audit", "arn:aws:iam::111111111111:role/Audit"]
    options = ListingOptions(page_size=7, role_arns=arns, external_id="ext-id-0042", role_session_name="audit", **FAST)
    facts, warnings = inventory(connection, ["Eng", "Fin"], options)
    assert sorted(connection.assumed) == sorted((arn, "audit", "ext-id-0042") for arn in arns)
    assert sorted(connection.requests, key=str) == [
        (aws, {"MaxResults": 7, "Name": name}) for aws in ("111111111111", "222222222222") for name in ("Eng", "Fin")
    ]
    assert [(e["aws_account_id"], e["status"], e["accounts"]) for e in facts["aws_accounts"]] == [
        ("111111111111", "listed", 4),
        ("222222222222", "listed", 4),
    ]
    assert facts["summary"]["by_aws_account"] == {"111111111111": 4, "222222222222": 4}
    assert [a["account_id"] for a in facts["accounts"][:4]] == ["id-Eng-1", "id-Eng-2", "id-Fin-1", "id-Fin-2"]
    assert warnings == []


def test_the_connections_warnings_come_first_and_once(stubbed):
    client, stub = stubbed
    connection = _OneAccount(client)
    connection.warnings = ["endpoint_url http://chime.example.com is plain HTTP"]
    _error(stub, "ForbiddenException", 403)
    _facts, warnings = inventory(connection, [None], ListingOptions(on_denied="warn"))
    assert warnings[0] == connection.warnings[0] and len(warnings) == 2 and "chime:ListAccounts" in warnings[1]
    _page(stub, [_raw(1)], None)
    _facts, warnings = inventory(connection, [None], ListingOptions())
    assert warnings == connection.warnings
