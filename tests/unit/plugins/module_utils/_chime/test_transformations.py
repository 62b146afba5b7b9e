# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of API records as facts (module_utils/_chime/transformations.py): normalised accounts,
timestamps, counts and unions."""

import datetime

import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime.transformations import normalize_account
from ansible_collections.chime.admin.plugins.module_utils._chime.transformations import summarize
from ansible_collections.chime.admin.plugins.module_utils._chime.transformations import union_by_account_id
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import raw as _raw


def test_normalize_full_and_sparse_accounts():
    created = datetime.datetime(2019, 4, 5, 14, 34, 56, 789000, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    full = normalize_account(
        _raw(
            1,
            AccountType="Team",
            CreatedTimestamp=created,
            DefaultLicense="Pro",
            SupportedLicenses=["Basic", "Pro"],
            AccountStatus="Active",
            SigninDelegateGroups=[{"GroupName": "g1"}],
        )
    )
    assert full == {
        "aws_account_id": "111122223333",
        "account_id": "id-1",
        "name": "Acct 1",
        "account_type": "Team",
        "created_timestamp": "2019-04-05T12:34:56.789000+00:00",
        "default_license": "Pro",
        "supported_licenses": ["Basic", "Pro"],
        "account_status": "Active",
        "signin_delegate_groups": [{"group_name": "g1"}],
    }
    sparse = normalize_account(_raw(2))
    assert sparse == {
        "aws_account_id": "111122223333",
        "account_id": "id-2",
        "name": "Acct 2",
        "account_type": None,
        "created_timestamp": None,
        "default_license": None,
        "supported_licenses": [],
        "account_status": None,
        "signin_delegate_groups": [],
    }


def test_normalize_keeps_members_a_newer_api_adds():
    assert normalize_account(_raw(1, NewMember="x"))["new_member"] == "x"


def test_summarize_counts_by_api_values():
    accounts = [
        normalize_account(_raw(1, AccountStatus="Active", AccountType="Team", DefaultLicense="Pro")),
        normalize_account(_raw(2, AccountStatus="Suspended", AccountType="Team", DefaultLicense="Basic")),
        normalize_account(_raw(3, AccountStatus="Active")),
    ]
    assert summarize(accounts) == {
        "total": 3,
        "by_status": {"Active": 2, "Suspended": 1},
        "by_type": {"Team": 2, "unknown": 1},
        "by_default_license": {"Basic": 1, "Pro": 1, "unknown": 1},
    }
    assert summarize([]) == {"total": 0, "by_status": {}, "by_type": {}, "by_default_license": {}}


@pytest.mark.parametrize(
    "wire",
    [
        "2019-04-05T12:34:56.789Z",
        "2019-04-05T14:34:56.789+02:00",
        "2019-04-05T12:34:56.789000+00:00",
        datetime.datetime(2019, 4, 5, 12, 34, 56, 789000, tzinfo=datetime.timezone.utc),
        1554467696.789,
    ],
)
def test_every_timestamp_form_gives_the_same_iso_string(wire):
    assert normalize_account(_raw(1, CreatedTimestamp=wire))["created_timestamp"] == "2019-04-05T12:34:56.789000+00:00"


def test_union_keeps_each_account_once_at_its_first_position():
    first = [{"aws_account_id": "1", "account_id": "a"}, {"aws_account_id": "1", "account_id": "b"}]
    second = [{"aws_account_id": "2", "account_id": "a"}, {"aws_account_id": "1", "account_id": "c"}]
    assert [a["account_id"] for a in union_by_account_id([first, second])] == ["a", "b", "c"]
    by_aws_account = union_by_account_id([first, second], key=lambda a: (a["aws_account_id"], a["account_id"]))
    assert [(a["aws_account_id"], a["account_id"]) for a in by_aws_account] == [
        ("1", "a"),
        ("1", "b"),
        ("2", "a"),
        ("1", "c"),
    ]
    assert union_by_account_id([]) == [] and union_by_account_id([[], []]) == []
