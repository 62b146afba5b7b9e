# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the built-in audit rules, the baseline comparison and the CSV writer (plugins/plugin_utils/_audit.py).

A private plugin_utils module ``_<name>.py`` is tested in ``test_<name>.py``, its name without the underscore.
"""

import csv
import io

import pytest

from ansible_collections.chime.admin.plugins.plugin_utils import _audit as audit
from ansible_collections.chime.admin.plugins.plugin_utils import _policy as policy
from ansible_collections.chime.admin.tests.unit.plugins.plugin_utils.accounts import account as _account

COMPLIANT = _account(1)


def find_violations(accounts, rules):
    """The open violations of the built-in ``rules`` (the custom rules, severities and waivers are tested in
    test_policy.py)."""
    return policy.Policy(rules).evaluate(accounts).violations


# One violating sample per rule, with the rule's setting that it breaks and the compliant sample passes.
CASES = [
    ("allowed_aws_account_ids", ["111122223333"], _account(2, aws_account_id="444455556666"), "444455556666"),
    ("allowed_account_types", ["Team"], _account(2, account_type="EnterpriseLWA"), "EnterpriseLWA"),
    ("allowed_default_licenses", ["Pro", "Plus"], _account(2, default_license="Basic"), "Basic"),
    ("no_suspended_accounts", True, _account(2, account_status="Suspended"), "suspended"),
    ("enterprise_signin_delegate_groups", True, _account(2, account_type="EnterpriseOIDC"), "delegate group"),
    ("name_pattern", r"^(Engineering|Finance) ", _account(2, name="Marketing 2"), "does not match"),
]


@pytest.mark.parametrize("rule,setting,violating,words", CASES, ids=[c[0] for c in CASES])
def test_each_rule_passes_a_compliant_sample_and_fails_a_violating_one(rule, setting, violating, words):
    assert find_violations([COMPLIANT], {rule: setting}) == []
    found = find_violations([COMPLIANT, violating], {rule: setting})
    assert len(found) == 1 and found[0]["rule"] == rule and words in found[0]["detail"]
    assert (found[0]["aws_account_id"], found[0]["account_id"], found[0]["name"]) == (
        violating["aws_account_id"], violating["account_id"], violating["name"],
    )  # fmt: skip


def test_every_violation_is_reported_together_in_account_then_rule_order():
    rules = {case[0]: case[1] for case in CASES}
    bad = _account(3, aws_account_id="444455556666", account_type="EnterpriseLWA", default_license="Basic")
    bad.update(account_status="Suspended", name="Marketing 3")
    found = find_violations([COMPLIANT, bad, _account(4, account_status="Suspended")], rules)
    assert [(v["account_id"], v["rule"]) for v in found] == [("id-3", rule) for rule in policy.RULES] + [
        ("id-4", "no_suspended_accounts")
    ]
    assert policy.count_by_rule(found) == dict.fromkeys(policy.RULES, 1) | {"no_suspended_accounts": 2}


def test_enterprise_accounts_with_a_group_comply():
    account = _account(5, account_type="EnterpriseDirectory", signin_delegate_groups=[{"group_name": "admins"}])
    assert find_violations([account], {"enterprise_signin_delegate_groups": True}) == []


@pytest.mark.parametrize(
    "rules,words",
    [
        ({"no_suspended": True}, "unknown rule(s) no_suspended"),
        ({"allowed_account_types": "Team"}, "allowed_account_types must be a list of strings"),
        ({"no_suspended_accounts": "maybe"}, "no_suspended_accounts must be true or false"),
        ({"name_pattern": "("}, "name_pattern is not a regular expression RE2 accepts"),
        ({"name_pattern": "(?!x)"}, "RE2 has no look-around"),
        (["no_suspended_accounts"], "rules must be a dict"),
    ],
)
def test_bad_rules_are_named(rules, words):
    with pytest.raises(policy.PolicyError) as info:
        find_violations([COMPLIANT], rules)
    assert words in str(info.value)


def test_rules_that_are_off_check_nothing():
    off = {"no_suspended_accounts": False, "name_pattern": None}
    assert find_violations([_account(6, account_status="Suspended")], off) == []
    assert find_violations([_account(6, account_status="Suspended")], None) == []


def test_changes_since_a_baseline():
    kept, renamed, gone = _account(1), _account(2), _account(3)
    new = _account(4)
    now = [kept, dict(renamed, name="Engineering two", account_status="Suspended"), new]
    changes = audit.find_changes([kept, renamed, gone], now)
    assert [a["account_id"] for a in changes["added"]] == ["id-4"]
    assert [a["account_id"] for a in changes["removed"]] == ["id-3"]
    assert changes["changed"] == [
        {
            "aws_account_id": "111122223333",
            "account_id": "id-2",
            "name": "Engineering two",
            "fields": {
                "name": {"before": "Engineering 2", "after": "Engineering two"},
                "account_status": {"before": "Active", "after": "Suspended"},
            },
        }
    ]
    # The same account ID in another AWS account is another account.
    elsewhere = dict(kept, aws_account_id="444455556666")
    assert audit.find_changes([kept], [elsewhere])["added"] == [elsewhere]


HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTab", "\rReturn", 'Quote "and", comma']


def test_csv_parses_back_to_the_same_values_with_formulas_neutralised():
    accounts = [_account(n, name=name) for n, name in enumerate(HOSTILE)]
    groups = [{"group_name": "a"}, {"group_name": "b"}]
    accounts.append(_account(99, supported_licenses=[], signin_delegate_groups=groups))
    accounts.append(_account(100, account_type=None, created_timestamp=None))
    text = audit.to_csv(accounts)
    assert text.endswith("\r\n") and "\r\n" in text.split('"')[0]  # CRLF line ends (RFC 4180)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == audit.CSV_COLUMNS and len(rows) == len(accounts) + 1
    names = [row[2] for row in rows[1:]]
    assert names[: len(HOSTILE) - 1] == ["'" + name for name in HOSTILE[:-1]]  # neutralised, otherwise intact
    assert names[len(HOSTILE) - 1] == HOSTILE[-1]  # an ordinary cell is unchanged
    assert rows[-2][6] == "" and rows[-2][8] == "a;b" and rows[-2][5] == "Pro"
    assert rows[-1][3] == "" and rows[-1][4] == ""
    assert rows[1][6] == "Basic;Pro" and rows[1][4] == "2020-01-02T03:04:05+00:00"
