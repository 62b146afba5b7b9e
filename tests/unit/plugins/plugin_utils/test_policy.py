# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the policy engine, through :class:`Policy` (plugins/plugin_utils/_policy.py): the built-in rule
table (_rules.py), custom rules' value filters (_value_filters.py), severities, waivers (_waivers.py), the policy file
and how it combines with the variables (_policy_file.py).

A private plugin_utils module ``_<name>.py`` is tested in ``test_<name>.py``, its name without the underscore.
"""

import datetime
import os
import time

import pytest
import yaml
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.chime.admin.plugins.plugin_utils import _policy as pol
from ansible_collections.chime.admin.plugins.plugin_utils import _policy_file as policy_file
from ansible_collections.chime.admin.plugins.plugin_utils import _policy_values as values
from ansible_collections.chime.admin.plugins.plugin_utils import _value_filters as filters
from ansible_collections.chime.admin.tests.unit.plugins.plugin_utils.accounts import account as _account

# The audit's time: the sample accounts (created 2020-01-02T03:04:05+00:00) are exactly 1461 days old.
NOW = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
TODAY = NOW.date()
OTHER_AWS = "444455556666"
REDOS = r"^([A-Za-z0-9]+[ -]?)+$"  # catastrophic backtracking on a backtracking engine


def _rule(require, rule_id="r", **fields):
    return {
        "id": rule_id,
        "description": "what must hold",
        "severity": "medium",
        "remediation": "fix it",
        "require": require,
        **fields,
    }


def _findings(accounts, *rules, now=NOW, **policy):
    return pol.Policy(custom_rules=list(rules) or None, **policy).evaluate(accounts, now)


def _flagged(accounts, *rules, now=NOW, **policy):
    """(account ID, rule) of every open violation."""
    return [(v["account_id"], v["rule"]) for v in _findings(accounts, *rules, now=now, **policy).violations]


def _refusal(**policy):
    with pytest.raises(pol.PolicyError) as info:
        pol.Policy(**policy)
    return str(info.value)


def _groups(*names):
    return [{"group_name": name} for name in names]


def _created(days_old):
    """A created_timestamp that is ``days_old`` days old at NOW."""
    return (NOW - datetime.timedelta(days=days_old)).isoformat()


# ----- every op and combinator: a compliant sample passes, a violating one fails -------------------------
TEAM = {"key": "account_type", "op": "eq", "value": "Team"}
ACTIVE = {"key": "account_status", "op": "eq", "value": "Active"}
ADMINS = {"key": "signin_delegate_groups", "op": "contains", "value": "admins"}
# (require, the compliant sample's changes, the violating sample's changes)
OPS = [
    ("eq", TEAM, {}, {"account_type": "EnterpriseLWA"}),
    ("ne", {"key": "account_status", "op": "ne", "value": "Suspended"}, {}, {"account_status": "Suspended"}),
    ("in", {"key": "default_license", "op": "in", "value": ["Pro", "Plus"]}, {}, {"default_license": "Basic"}),
    (
        "in-list-key",
        {"key": "supported_licenses", "op": "in", "value": ["Basic", "Pro"]},
        {},
        {"supported_licenses": ["Basic", "ProTrial"]},
    ),
    ("not-in", {"key": "aws_account_id", "op": "not-in", "value": [OTHER_AWS]}, {}, {"aws_account_id": OTHER_AWS}),
    (
        "not-in-list-key",
        {"key": "signin_delegate_groups", "op": "not-in", "value": ["everyone"]},
        {"signin_delegate_groups": _groups("admins")},
        {"signin_delegate_groups": _groups("admins", "everyone")},
    ),
    (
        "contains",
        {"key": "supported_licenses", "op": "contains", "value": "Pro"},
        {},
        {"supported_licenses": ["Basic"]},
    ),
    (
        "contains-groups",
        ADMINS,
        {"signin_delegate_groups": _groups("admins")},
        {"signin_delegate_groups": _groups("x")},
    ),
    (
        "not-contains",
        {"key": "supported_licenses", "op": "not-contains", "value": "ProTrial"},
        {},
        {"supported_licenses": ["Basic", "ProTrial"]},
    ),
    (
        "eq-list-key-in-any-order",
        {"key": "signin_delegate_groups", "op": "eq", "value": ["admins", "users"]},
        {"signin_delegate_groups": _groups("users", "admins")},
        {"signin_delegate_groups": _groups("admins")},
    ),
    ("regex", {"key": "name", "op": "regex", "value": "^Engineering [0-9]+$"}, {}, {"name": "Marketing 2"}),
    ("lt", {"key": "age_days", "op": "lt", "value": 1462}, {}, {"created_timestamp": _created(1462)}),
    ("le", {"key": "age_days", "op": "le", "value": 1461}, {}, {"created_timestamp": _created(1462)}),
    ("gt", {"key": "age_days", "op": "gt", "value": 1460}, {}, {"created_timestamp": _created(1460)}),
    ("ge", {"key": "age_days", "op": "ge", "value": 1461}, {}, {"created_timestamp": _created(1460)}),
    (
        "lt-string",
        {"key": "created_timestamp", "op": "lt", "value": "2021-01-01"},
        {},
        {"created_timestamp": "2022-05-06T00:00:00+00:00"},
    ),
    ("present", {"key": "default_license", "op": "present"}, {}, {"default_license": None}),
    ("absent", {"key": "default_license", "op": "absent"}, {"default_license": None}, {}),
    ("empty", {"key": "signin_delegate_groups", "op": "empty"}, {}, {"signin_delegate_groups": _groups("admins")}),
    ("op-defaults-to-eq", {"key": "account_type", "value": "Team"}, {}, {"account_type": "EnterpriseOIDC"}),
    ("and", {"and": [TEAM, ACTIVE]}, {}, {"account_status": "Suspended"}),
    ("list-as-and", [TEAM, ACTIVE], {}, {"account_type": "EnterpriseLWA"}),
    ("or", {"or": [TEAM, ADMINS]}, {}, {"account_type": "EnterpriseLWA"}),
    (
        "or-second",
        {"or": [TEAM, ADMINS]},
        {"account_type": "EnterpriseLWA", "signin_delegate_groups": _groups("admins")},
        {"account_type": "EnterpriseLWA"},
    ),
    ("not", {"not": {"key": "account_status", "op": "eq", "value": "Suspended"}}, {}, {"account_status": "Suspended"}),
    ("not-of-a-list", {"not": [TEAM, ACTIVE]}, {"account_status": "Suspended"}, {}),  # not (Team and Active)
]


@pytest.mark.parametrize("require,compliant,violating", [case[1:] for case in OPS], ids=[case[0] for case in OPS])
def test_each_op_and_combinator_passes_a_compliant_account_and_fails_a_violating_one(require, compliant, violating):
    accounts = [_account(1, **compliant), _account(2, **violating)]
    found = _findings(accounts, _rule(require)).violations
    assert [(v["account_id"], v["rule"]) for v in found] == [("id-2", "r")]
    assert found[0]["detail"] == "does not satisfy custom rule r: what must hold"
    assert found[0]["severity"] == "medium" and found[0]["waiver"] is None


def test_every_op_is_covered():
    covered = {case[1].get("op", "eq") for case in OPS if isinstance(case[1], dict) and "key" in case[1]}
    assert covered == set(filters.OPS)


# ----- fail closed: a missing value satisfies no comparison --------------------------------------------
FAIL_CLOSED = [
    {"key": "default_license", "op": "in", "value": ["Pro"]},
    {"key": "default_license", "op": "not-in", "value": ["Basic"]},
    {"key": "default_license", "op": "eq", "value": "Pro"},
    {"key": "default_license", "op": "ne", "value": "Basic"},
    {"key": "default_license", "op": "regex", "value": ".*"},
    {"key": "default_license", "op": "lt", "value": "Z"},
    {"key": "default_license", "op": "le", "value": "Z"},
    {"key": "default_license", "op": "gt", "value": ""},
    {"key": "default_license", "op": "ge", "value": ""},
    {"key": "supported_licenses", "op": "in", "value": ["Pro"]},
    {"key": "supported_licenses", "op": "not-in", "value": ["Basic"]},
    {"key": "supported_licenses", "op": "eq", "value": []},
    {"key": "supported_licenses", "op": "contains", "value": "Pro"},
    {"key": "supported_licenses", "op": "not-contains", "value": "ProTrial"},
    {"key": "age_days", "op": "ge", "value": 0},
    {"key": "age_days", "op": "lt", "value": 100000},
]


def _missing(key, how):
    account = _account(1, **{key: None})
    if how == "absent":
        del account[key]
    return account


@pytest.mark.parametrize("how", ["None", "absent"])
@pytest.mark.parametrize("require", FAIL_CLOSED, ids=[f"{f['key']}-{f['op']}" for f in FAIL_CLOSED])
def test_a_missing_value_satisfies_no_comparison(require, how):
    key = "created_timestamp" if require["key"] == "age_days" else require["key"]
    assert _flagged([_missing(key, how)], _rule(require)) == [("id-1", "r")]


@pytest.mark.parametrize("how", ["None", "absent"])
@pytest.mark.parametrize("op,holds", [("present", False), ("absent", True), ("empty", True)])
def test_present_absent_and_empty_decide_on_a_missing_value(op, holds, how):
    for key in ("default_license", "signin_delegate_groups"):
        flagged = _flagged([_missing(key, how)], _rule({"key": key, "op": op}))
        assert flagged == ([] if holds else [("id-1", "r")]), key


@pytest.mark.parametrize("value,empty", [("", True), ([], True), ("Pro", False), (["Pro"], False)])
def test_empty_is_an_empty_string_or_list(value, empty):
    key = "supported_licenses" if isinstance(value, list) else "default_license"
    assert _flagged([_account(1, **{key: value})], _rule({"key": key, "op": "empty"})) == (
        [] if empty else [("id-1", "r")]
    )


# ----- age_days, at the audit's time ----------------------------------------------------------------
OLD_WITHOUT_DELEGATES = _rule(
    {"not": {"key": "signin_delegate_groups", "op": "empty"}},
    "old-accounts-have-delegates",
    where={"key": "age_days", "op": "gt", "value": 1095},
)


def test_no_account_older_than_three_years_without_a_delegate_group():
    accounts = [
        _account(1),  # 1461 days, no group: a violation
        _account(2, signin_delegate_groups=_groups("admins")),
        _account(3, created_timestamp=_created(1095)),  # not older than 3 years
        _account(4, created_timestamp=_created(1096)),
        _account(5, created_timestamp="2020-01-02T03:04:05Z"),
        _account(6, created_timestamp="2020-01-02T03:04:05"),  # no offset: taken as UTC
    ]
    rule = "old-accounts-have-delegates"
    assert _flagged(accounts, OLD_WITHOUT_DELEGATES) == [("id-1", rule), ("id-4", rule), ("id-5", rule), ("id-6", rule)]


def test_age_days_is_counted_at_the_audits_time():
    accounts = [_account(1, created_timestamp=_created(1095))]
    assert _flagged(accounts, OLD_WITHOUT_DELEGATES) == []
    later = NOW + datetime.timedelta(days=1)
    assert _flagged(accounts, OLD_WITHOUT_DELEGATES, now=later) == [("id-1", "old-accounts-have-delegates")]


@pytest.mark.parametrize("timestamp", [None, "yesterday", "2020-13-45T00:00:00Z", 1577934245, ""])
def test_an_unknown_age_is_not_selected_by_a_comparison_but_fails_one_in_require(timestamp):
    accounts = [_account(1, created_timestamp=timestamp)]
    # where: age_days gt 1095 does not select an account whose age is unknown...
    assert _flagged(accounts, OLD_WITHOUT_DELEGATES) == []
    # ...while the same rule written as a requirement fails closed on it.
    require = {"or": [{"key": "age_days", "op": "le", "value": 1095}, OLD_WITHOUT_DELEGATES["require"]]}
    assert _flagged(accounts, _rule(require)) == [("id-1", "r")]
    assert _flagged(accounts, _rule({"key": "age_days", "op": "absent"})) == []


# ----- where ----------------------------------------------------------------------------------------
def test_where_selects_the_accounts_a_rule_checks():
    fin = _rule(
        {"key": "name", "op": "regex", "value": "^fin-"},
        "finance-names",
        where={"key": "aws_account_id", "op": "eq", "value": OTHER_AWS},
    )
    accounts = [
        _account(1),  # another AWS account: not checked
        _account(2, aws_account_id=OTHER_AWS, name="fin-payroll"),
        _account(3, aws_account_id=OTHER_AWS, name="Payroll"),
        _account(4, aws_account_id=OTHER_AWS, name="Payroll fin-"),  # fin- is searched from the start
    ]
    assert _flagged(accounts, fin) == [("id-3", "finance-names"), ("id-4", "finance-names")]


# ----- refused: every bad filter or rule, naming the rule and the field ------------------------------------
RULE = "custom rule r (custom_rules[0])"
BAD_FILTERS = [
    ("unknown-key", {"key": "colour", "op": "eq", "value": "x"}, f"{RULE}.require.key: unknown key 'colour'"),
    ("unknown-op", {"key": "name", "op": "matches", "value": "x"}, f"{RULE}.require.op: unknown op 'matches'"),
    ("missing-value", {"key": "name", "op": "eq"}, f"{RULE}.require.value: op eq needs a value"),
    (
        "value-on-present",
        {"key": "name", "op": "present", "value": "x"},
        f"{RULE}.require.value: op present takes no value",
    ),
    (
        "contains-non-list",
        {"key": "name", "op": "contains", "value": "x"},
        f"{RULE}.require.op: contains needs a list key",
    ),
    (
        "lt-on-list",
        {"key": "supported_licenses", "op": "lt", "value": "x"},
        f"{RULE}.require.op: lt cannot compare the list key",
    ),
    (
        "look-ahead",
        {"key": "name", "op": "regex", "value": "^(?=fin)"},
        f"{RULE}.require.value is not a regular expression RE2 accepts",
    ),
    (
        "back-reference",
        {"key": "name", "op": "regex", "value": r"(a)\1"},
        f"{RULE}.require.value is not a regular expression RE2 accepts",
    ),
    (
        "broken-regex",
        {"key": "name", "op": "regex", "value": "fin-("},
        f"{RULE}.require.value is not a regular expression RE2 accepts",
    ),
    (
        "regex-not-a-string",
        {"key": "name", "op": "regex", "value": 5},
        f"{RULE}.require.value must be a regular expression",
    ),
    (
        "long-pattern",
        {"key": "name", "op": "regex", "value": "a" * (values.MAX_PATTERN + 1)},
        f"{RULE}.require.value is longer than {values.MAX_PATTERN} characters",
    ),
    (
        "unknown-field",
        {"key": "name", "op": "eq", "value": "x", "values": "y"},
        f"{RULE}.require: unknown field(s) values",
    ),
    ("not-a-value-filter", {"type": "event", "key": "name", "value": "x"}, f"{RULE}.require.type: only value filters"),
    ("in-of-a-string", {"key": "name", "op": "in", "value": "fin"}, f"{RULE}.require.value must be a list of strings"),
    (
        "dict-in-a-list",
        {"key": "name", "op": "in", "value": [{"a": 1}]},
        f"{RULE}.require.value must be a list of strings",
    ),
    ("eq-of-a-list", {"key": "name", "op": "eq", "value": ["x"]}, f"{RULE}.require.value must be a single value"),
    (
        "age-of-a-string",
        {"key": "age_days", "op": "gt", "value": "1095"},
        f"{RULE}.require.value: age_days compares with a number",
    ),
    (
        "age-eq-text",
        {"key": "age_days", "op": "eq", "value": "abc"},
        f"{RULE}.require.value: age_days compares with a number of days, got 'abc'",
    ),
    (
        "age-eq-true",
        {"key": "age_days", "op": "eq", "value": True},
        f"{RULE}.require.value: age_days compares with a number of days, got True",
    ),
    (
        "age-ne-text",
        {"key": "age_days", "op": "ne", "value": "abc"},
        f"{RULE}.require.value: age_days compares with a number of days, got 'abc'",
    ),
    (
        "age-ne-true",
        {"key": "age_days", "op": "ne", "value": True},
        f"{RULE}.require.value: age_days compares with a number of days, got True",
    ),
    (
        "age-lt-text",
        {"key": "age_days", "op": "lt", "value": "abc"},
        f"{RULE}.require.value: age_days compares with a number of days, got 'abc'",
    ),
    (
        "age-lt-true",
        {"key": "age_days", "op": "lt", "value": True},
        f"{RULE}.require.value: age_days compares with a number of days, got True",
    ),
    (
        "age-ge-text",
        {"key": "age_days", "op": "ge", "value": "abc"},
        f"{RULE}.require.value: age_days compares with a number of days, got 'abc'",
    ),
    (
        "age-ge-true",
        {"key": "age_days", "op": "ge", "value": True},
        f"{RULE}.require.value: age_days compares with a number of days, got True",
    ),
    (
        "nested",
        {"and": [TEAM, {"or": [ACTIVE, {"key": "bogus"}]}]},
        f"{RULE}.require.and[1].or[1].key: unknown key 'bogus'",
    ),
    ("combinator-and-key", {"and": [TEAM], "key": "name"}, f"{RULE}.require: and must be the filter's only field"),
    ("empty-or", {"or": []}, f"{RULE}.require.or must be a non-empty list of filters"),
    ("empty-list", [], f"{RULE}.require.and must be a non-empty list of filters"),
    ("not-a-filter", "name == x", f"{RULE}.require must be a filter"),
    ("none", None, f"{RULE}.require must be a filter"),
]


@pytest.mark.parametrize("require,words", [case[1:] for case in BAD_FILTERS], ids=[case[0] for case in BAD_FILTERS])
def test_a_bad_filter_is_refused_naming_the_rule_and_the_field(require, words):
    assert words in _refusal(custom_rules=[_rule(require)])


def test_unknown_fields_that_are_not_all_strings_are_refused_by_name():
    require = {"key": "name", "op": "eq", "value": "x", 1: "a", "extra": "b"}  # YAML may give an int key
    assert f"{RULE}.require: unknown field(s) 1, extra" in _refusal(custom_rules=[_rule(require)])


def test_a_bad_where_is_named_as_the_where():
    message = _refusal(custom_rules=[_rule(TEAM, where={"key": "age", "op": "gt", "value": 1})])
    assert f"{RULE}.where.key: unknown key 'age'" in message


def _nested(depth):
    node = TEAM
    for _level in range(depth):
        node = {"not": node}
    return node


def test_filters_nest_at_most_max_depth():
    assert _flagged([_account(1)], _rule(_nested(filters.MAX_DEPTH))) == []  # an even number of nots
    message = _refusal(custom_rules=[_rule(_nested(filters.MAX_DEPTH + 1))])
    assert message.startswith(f"{RULE}.require.not[0]") and f"nested more than {filters.MAX_DEPTH} deep" in message


def test_a_pattern_of_max_pattern_characters_is_accepted():
    pol.Policy(rules={"name_pattern": "a" * values.MAX_PATTERN})
    assert f"rules.name_pattern is longer than {values.MAX_PATTERN}" in _refusal(rules={"name_pattern": "a" * 1001})


BAD_RULES = [
    (
        "duplicate-id",
        [_rule(TEAM), _rule(ACTIVE)],
        "custom rule r (custom_rules[1]).id: r is used by another custom rule too",
    ),
    (
        "built-in-id",
        [_rule(TEAM, "name_pattern")],
        "custom rule name_pattern (custom_rules[0]).id: name_pattern is a built-in rule",
    ),
    (
        "bad-severity",
        [_rule(TEAM, severity="severe")],
        f"{RULE}.severity must be one of informational, low, medium, high, critical, got 'severe'",
    ),
    ("no-severity", [{**_rule(TEAM), "severity": None}], f"{RULE}.severity must be one of"),
    ("unknown-field", [_rule(TEAM, sevrity="low")], f"{RULE}: unknown field(s) sevrity"),
    ("no-require", [{k: v for k, v in _rule(TEAM).items() if k != "require"}], f"{RULE}.require is required"),
    (
        "no-description",
        [{k: v for k, v in _rule(TEAM).items() if k != "description"}],
        f"{RULE}.description is required",
    ),
    ("blank-description", [_rule(TEAM, description="  ")], f"{RULE}.description is required"),
    (
        "no-remediation",
        [{k: v for k, v in _rule(TEAM).items() if k != "remediation"}],
        f"{RULE}.remediation is required",
    ),
    ("not-a-dict", ["r"], "custom_rules[0] must be a dict"),
    ("not-a-list", {"r": TEAM}, "custom_rules must be a list of rules"),
    (
        "too-many",
        [_rule(TEAM, f"r{n}") for n in range(pol.MAX_CUSTOM_RULES + 1)],
        f"custom_rules holds {pol.MAX_CUSTOM_RULES + 1} rules; at most {pol.MAX_CUSTOM_RULES}",
    ),
]


@pytest.mark.parametrize("rules,words", [case[1:] for case in BAD_RULES], ids=[case[0] for case in BAD_RULES])
def test_a_bad_rule_is_refused_naming_the_rule_and_the_field(rules, words):
    assert words in _refusal(custom_rules=rules)


@pytest.mark.parametrize("rule_id", ["", "has space", "-lead", "_lead", "é", "a" * 65, "fin/x", 5, None, ["r"]])
def test_a_bad_rule_id_is_refused(rule_id):
    assert "custom_rules[0].id must be 1 to 64 ASCII letters, digits, _ . or -" in _refusal(
        custom_rules=[_rule(TEAM, rule_id)]
    )


def test_good_rule_ids_and_max_custom_rules_are_accepted():
    rules = [_rule(TEAM, f"r{n}") for n in range(pol.MAX_CUSTOM_RULES - 2)]
    rules += [_rule(TEAM, "a" * 64), _rule(TEAM, "9.fin_names-v2")]
    assert len(pol.Policy(custom_rules=rules).custom) == pol.MAX_CUSTOM_RULES


# ----- regular expressions on RE2 -----------------------------------------------------------------
HOSTILE_NAME = "a" * 100 + "!"


@pytest.mark.parametrize(
    "policy",
    [
        {"rules": {"name_pattern": REDOS}},
        {"custom_rules": [_rule({"key": "name", "op": "regex", "value": REDOS}, "name_pattern_custom")]},
    ],
    ids=["name_pattern", "regex-op"],
)
def test_a_backtracking_pattern_runs_in_linear_time(policy):
    accounts = [_account(1), _account(2, name=HOSTILE_NAME)]
    started = time.perf_counter()
    found = pol.Policy(**policy).evaluate(accounts, NOW).violations
    elapsed = time.perf_counter() - started
    # Python's re takes seconds on this pattern at 24 characters, and doubles with each one more; RE2 is linear.
    assert elapsed < 1.0
    assert [v["account_id"] for v in found] == ["id-2"]  # and "Engineering 1" matches the same pattern


@pytest.mark.parametrize("name,matches", [("Eng\ud800", True), ("\ud800", False), ("Eng\ud800 1", True)])
def test_a_lone_surrogate_in_a_name_does_not_crash_a_pattern(name, matches):
    accounts = [_account(1, name=name)]
    expected = [] if matches else [("id-1", "name_pattern")]
    assert _flagged(accounts, rules={"name_pattern": "^Eng"}) == expected
    custom = _rule({"key": "name", "op": "regex", "value": "^Eng"})
    assert _flagged(accounts, custom) == [(a, "r") for a, _rule in expected]


@pytest.mark.parametrize("pattern,matches", [(r"^x\x{FFFD}y$", True), (r"^x\?y$", False), (r"^x.y$", True)])
def test_a_lone_surrogate_is_matched_as_the_replacement_character(pattern, matches):
    accounts = [_account(1, name="x\ud800y")]
    assert _flagged(accounts, rules={"name_pattern": pattern}) == ([] if matches else [("id-1", "name_pattern")])
    custom = _rule({"key": "name", "op": "regex", "value": pattern})
    assert _flagged(accounts, custom) == ([] if matches else [("id-1", "r")])


# ----- severities -----------------------------------------------------------------------------------
DEFAULT_SEVERITIES = {
    "allowed_aws_account_ids": "high",
    "allowed_account_types": "medium",
    "allowed_default_licenses": "low",
    "no_suspended_accounts": "medium",
    "enterprise_signin_delegate_groups": "high",
    "name_pattern": "low",
}
ALL_BUILT_IN = {
    "allowed_aws_account_ids": ["111122223333"],
    "allowed_account_types": ["Team"],
    "allowed_default_licenses": ["Pro"],
    "no_suspended_accounts": True,
    "enterprise_signin_delegate_groups": True,
    "name_pattern": "^Engineering",
}
BREAKS_ALL = _account(
    9,
    aws_account_id=OTHER_AWS,
    account_type="EnterpriseLWA",
    default_license="Basic",
    account_status="Suspended",
    name="Marketing",
)


def test_built_in_rules_have_the_tables_severities_in_rule_order():
    assert {rule.name: rule.severity for rule in pol.BUILT_IN} == DEFAULT_SEVERITIES
    found = _findings([_account(1), BREAKS_ALL], rules=ALL_BUILT_IN).violations
    assert [(v["account_id"], v["rule"], v["severity"]) for v in found] == [
        ("id-9", rule, severity) for rule, severity in DEFAULT_SEVERITIES.items()
    ]


def test_severities_override_the_defaults_and_a_custom_rules_own():
    found = _findings(
        [BREAKS_ALL],
        _rule(TEAM, "team-only", severity="low"),
        rules=ALL_BUILT_IN,
        severities={"name_pattern": "critical", "team-only": "high"},
    ).violations
    severities = {v["rule"]: v["severity"] for v in found}
    assert severities == {**DEFAULT_SEVERITIES, "name_pattern": "critical", "team-only": "high"}


@pytest.mark.parametrize(
    "severities,words",
    [
        ({"no_such_rule": "low"}, "severities.no_such_rule: unknown rule"),
        ({"name_pattern": "severe"}, "severities.name_pattern must be one of"),
        ({"name_pattern": None}, "severities.name_pattern must be one of"),
        (["low"], "severities must be a dict"),
    ],
)
def test_a_bad_severity_override_is_refused(severities, words):
    assert words in _refusal(severities=severities)


@pytest.mark.parametrize(
    "fail_severity,fails",
    [
        ("informational", {"low", "medium", "high"}),
        ("low", {"low", "medium", "high"}),
        ("medium", {"medium", "high"}),
        ("high", {"high"}),
        ("critical", set()),
    ],
)
def test_fails_at_or_above_fail_severity(fail_severity, fails):
    policy = pol.Policy(fail_severity=fail_severity)
    assert {s for s in ("low", "medium", "high") if policy.fails({"severity": s})} == fails


def test_a_bad_fail_severity_or_warn_days_is_refused():
    assert "fail_severity must be one of" in _refusal(fail_severity="severe")
    assert "waiver_warn_days must be a whole number of days" in _refusal(waiver_warn_days=-1)
    assert "waiver_warn_days must be a whole number of days" in _refusal(waiver_warn_days=True)


def test_waiver_warn_days_is_bounded_so_that_no_evaluation_overflows():
    """3000000 days after today is past the last date Python holds: refused when the policy is checked, never an
    OverflowError after the listing."""
    assert "waiver_warn_days must be a whole number of days from 0 to 36500, got 3000000" in _refusal(
        waiver_warn_days=3000000
    )
    waivers = [_waiver(account_id="id-2", expires="9999-12-31")]
    found = pol.Policy(waivers=waivers, waiver_warn_days=pol.MAX_WAIVER_WARN_DAYS).evaluate([], NOW)
    assert [w["expires"] for w in found.waivers["expiring"]] == []  # 2124 is before 9999


# ----- waivers --------------------------------------------------------------------------------------
def _waiver(**fields):
    return {"rule": "no_suspended_accounts", "reason": "being migrated", "expires": "2024-06-30", **fields}


SUSPENDED = {"rules": {"no_suspended_accounts": True}}


def test_an_active_waiver_moves_the_finding_to_waived():
    waiver = _waiver(account_id="id-2", owner="platform team", ticket="CHG-1")
    found = _findings([_account(1), _account(2, account_status="Suspended")], waivers=[waiver], **SUSPENDED)
    assert found.violations == []
    assert [(f["account_id"], f["rule"]) for f in found.waived] == [("id-2", "no_suspended_accounts")]
    assert found.waived[0]["waiver"] == {
        "rule": "no_suspended_accounts",
        "account_id": "id-2",
        "reason": "being migrated",
        "expires": "2024-06-30",
        "owner": "platform team",
        "ticket": "CHG-1",
        "state": "active",
    }
    assert found.waivers == {"unused": [], "expiring": [], "expired": []}


def test_an_expired_waiver_leaves_the_finding_open_and_says_so():
    waiver = _waiver(account_id="id-2", expires="2024-01-01", ticket="CHG-1")
    found = _findings([_account(2, account_status="Suspended")], waivers=[waiver], **SUSPENDED)
    assert found.waived == []
    (violation,) = found.violations
    assert violation["waiver"]["state"] == "expired"
    assert violation["detail"] == "the account is suspended; waiver 1 (CHG-1) expired on 2024-01-01: being migrated"
    assert [w["state"] for w in found.waivers["expired"]] == ["expired"]
    assert found.waivers["unused"] == []


def test_a_waiver_expiring_today_is_still_active():
    found = _findings(
        [_account(2, account_status="Suspended")], waivers=[_waiver(account_id="id-2", expires=TODAY)], **SUSPENDED
    )
    assert found.violations == [] and len(found.waived) == 1
    assert [w["expires"] for w in found.waivers["expiring"]] == [TODAY.isoformat()]


def test_unused_and_expiring_waivers_are_listed():
    waivers = [
        _waiver(account_id="id-404", expires="2024-01-20"),  # unused, and within 30 days
        _waiver(account_id="id-2", expires=TODAY + datetime.timedelta(days=30)),  # used, and within 30 days
        _waiver(account_id="id-2", expires=TODAY + datetime.timedelta(days=31), rule="name_pattern"),  # neither
        _waiver(account_id="id-3", expires="2023-12-31"),  # expired and unused
    ]
    policy = {"rules": {"no_suspended_accounts": True, "name_pattern": "^Engineering"}}
    found = _findings([_account(2, account_status="Suspended")], waivers=waivers, **policy)
    assert [(w["account_id"], w["state"]) for w in found.waivers["unused"]] == [
        ("id-404", "active"),
        ("id-2", "active"),
        ("id-3", "expired"),
    ]
    assert [w["expires"] for w in found.waivers["expiring"]] == ["2024-01-20", "2024-02-01"]
    assert [w["account_id"] for w in found.waivers["expired"]] == ["id-3"]
    short = _findings([], waivers=waivers, waiver_warn_days=10, **policy)
    assert [w["expires"] for w in short.waivers["expiring"]] == []


@pytest.mark.parametrize(
    "name,waived", [("legacy-x", True), ("legacy-", True), ("x-legacy-", False), ("Legacy-x", False)]
)
def test_a_name_glob_waiver_is_a_glob(name, waived):
    found = _findings(
        [_account(2, name=name, account_status="Suspended")], waivers=[_waiver(name_glob="legacy-*")], **SUSPENDED
    )
    assert (len(found.waived), len(found.violations)) == ((1, 0) if waived else (0, 1))


@pytest.mark.parametrize(
    "match,waived_names",
    [
        ({"name": "Legacy [EU]"}, ["Legacy [EU]"]),  # exactly the name: brackets are characters
        ({"name": "Legacy *"}, ["Legacy *"]),
        ({"name_glob": "Legacy [EU]"}, ["Legacy E", "Legacy U"]),  # a glob's set: one of E and U
        ({"name_glob": "Legacy [[]EU]"}, ["Legacy [EU]"]),  # [[] is a literal bracket in a glob
        ({"name_glob": "Legacy *"}, ["Legacy [EU]", "Legacy E", "Legacy U", "Legacy *"]),
    ],
)
def test_a_name_waiver_matches_the_name_exactly_and_a_name_glob_as_a_glob(match, waived_names):
    """Whoever creates an account chooses its name: ``name: "Legacy [EU]"`` waives the account of that name
    only, never "Legacy E" and "Legacy U" as the glob's [EU] would."""
    names = ["Legacy [EU]", "Legacy E", "Legacy U", "Legacy *", "Legacy"]
    accounts = [_account(n, name=name, account_status="Suspended") for n, name in enumerate(names)]
    found = _findings(accounts, waivers=[_waiver(**match)], **SUSPENDED)
    assert [f["name"] for f in found.waived] == waived_names
    assert found.waived[0]["waiver"] == {**_waiver(**match), "owner": None, "ticket": None, "state": "active"}


def test_account_ids_are_matched_exactly_not_as_globs():
    found = _findings([_account(2, account_status="Suspended")], waivers=[_waiver(account_id="id-*")], **SUSPENDED)
    assert len(found.violations) == 1 and len(found.waivers["unused"]) == 1


def test_a_waiver_for_one_rule_leaves_the_accounts_other_violations_open():
    found = _findings([BREAKS_ALL], waivers=[_waiver(account_id="id-9")], rules=ALL_BUILT_IN)
    assert [f["rule"] for f in found.waived] == ["no_suspended_accounts"]
    assert [v["rule"] for v in found.violations] == [r for r in DEFAULT_SEVERITIES if r != "no_suspended_accounts"]


def test_a_waiver_of_a_custom_rule():
    found = _findings(
        [_account(2, account_type="EnterpriseLWA")], _rule(TEAM), waivers=[_waiver(rule="r", account_id="id-2")]
    )
    assert found.violations == [] and [f["rule"] for f in found.waived] == ["r"]


@pytest.mark.parametrize(
    "match,waived",
    [
        ({"aws_account_id": "111122223333", "name_glob": "Engineering*"}, True),
        ({"aws_account_id": 111122223333, "account_id": "id-2", "name_glob": "Eng*"}, True),  # an int, as YAML
        ({"aws_account_id": OTHER_AWS, "name_glob": "Engineering*"}, False),
        ({"aws_account_id": "111122223333", "account_id": "id-3"}, False),
    ],
)
def test_every_match_key_of_a_waiver_must_match(match, waived):
    found = _findings([_account(2, account_status="Suspended")], waivers=[_waiver(**match)], **SUSPENDED)
    assert (len(found.waived), len(found.violations)) == ((1, 0) if waived else (0, 1))


@pytest.mark.parametrize("expires", [datetime.date(2024, 6, 30), "2024-06-30", " 2024-06-30 "])
def test_expires_is_a_date_or_its_iso_text(expires):
    found = _findings(
        [_account(2, account_status="Suspended")], waivers=[_waiver(account_id="id-2", expires=expires)], **SUSPENDED
    )
    assert found.waived[0]["waiver"]["expires"] == "2024-06-30"


def test_expires_is_a_day_not_a_moment_and_the_day_is_taken_in_utc():
    """A waiver is active until the end of its day in UTC, whatever offset the audit's time is given in."""
    with pytest.raises(pol.PolicyError, match=r"expires must be a date \(YYYY-MM-DD\), not a date and time"):
        pol.Policy(waivers=[_waiver(account_id="id-2", expires=datetime.datetime(2024, 6, 30, 12, 0))])
    policy = pol.Policy(SUSPENDED["rules"], waivers=[_waiver(account_id="id-2", expires="2024-06-30")])
    accounts = [_account(2, account_status="Suspended")]
    late = datetime.datetime(2024, 6, 30, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5)))
    assert len(policy.evaluate(accounts, late).violations) == 1  # 2024-07-01 04:30 in UTC: expired
    early = datetime.datetime(2024, 7, 1, 1, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert len(policy.evaluate(accounts, early).waived) == 1  # 2024-06-30 23:00 in UTC: still active


BAD_WAIVERS = [
    (
        "no-reason",
        _waiver(account_id="id-2", reason=None),
        "waivers[0] (rule no_suspended_accounts).reason is required",
    ),
    (
        "blank-reason",
        _waiver(account_id="id-2", reason=" "),
        "waivers[0] (rule no_suspended_accounts).reason is required",
    ),
    (
        "no-expires",
        _waiver(account_id="id-2", expires=None),
        "waivers[0] (rule no_suspended_accounts).expires is required",
    ),
    (
        "bad-date",
        _waiver(account_id="id-2", expires="30/06/2024"),
        "waivers[0] (rule no_suspended_accounts).expires must be a date (YYYY-MM-DD), got '30/06/2024'",
    ),
    (
        "number-date",
        _waiver(account_id="id-2", expires=20240630),
        "waivers[0] (rule no_suspended_accounts).expires must be a date",
    ),
    ("unknown-rule", _waiver(account_id="id-2", rule="no_such_rule"), "waivers[0].rule: unknown rule 'no_such_rule'"),
    ("no-match-key", _waiver(), "waivers[0] (rule no_suspended_accounts) matches nothing"),
    ("unknown-field", _waiver(account_id="id-2", acount="x"), "waivers[0]: unknown field(s) acount"),
    ("empty-match", _waiver(name=""), "waivers[0] (rule no_suspended_accounts).name must not be empty"),
    ("list-match", _waiver(account_id=["id-2"]), "waivers[0] (rule no_suspended_accounts).account_id must be a string"),
    ("not-a-dict", "id-2", "waivers[0] must be a dict"),
]


@pytest.mark.parametrize("waiver,words", [case[1:] for case in BAD_WAIVERS], ids=[case[0] for case in BAD_WAIVERS])
def test_a_bad_waiver_is_refused(waiver, words):
    assert words in _refusal(waivers=[waiver], **SUSPENDED)


# ----- coercion, as the role's argument spec converts ----------------------------------------------------
@pytest.mark.parametrize(
    "flag,checked", [(True, True), ("true", True), ("yes", True), ("false", False), ("no", False), (False, False)]
)
def test_a_flag_is_converted_as_the_argument_spec_does(flag, checked):
    flagged = _flagged([_account(2, account_status="Suspended")], rules={"no_suspended_accounts": flag})
    assert flagged == ([("id-2", "no_suspended_accounts")] if checked else [])


def test_a_flag_that_is_not_one_is_refused():
    assert "rules.no_suspended_accounts must be true or false, got 'maybe'" in _refusal(
        rules={"no_suspended_accounts": "maybe"}
    )


def test_numbers_in_allow_lists_are_converted_to_strings():
    accounts = [_account(1), _account(2, aws_account_id=OTHER_AWS)]
    assert _flagged(accounts, rules={"allowed_aws_account_ids": [111122223333]}) == [
        ("id-2", "allowed_aws_account_ids")
    ]
    custom = _rule({"key": "aws_account_id", "op": "in", "value": [111122223333]})
    assert _flagged(accounts, custom) == [("id-2", "r")]


@pytest.mark.parametrize(
    "where,require",
    [
        ({"key": "aws_account_id", "value": 444455556666}, {"key": "name", "op": "regex", "value": "^fin-"}),
        (None, {"key": "aws_account_id", "op": "ne", "value": 444455556666}),
        (None, {"key": "aws_account_id", "op": "lt", "value": 444400000000}),
        (
            {"key": "created_timestamp", "op": "lt", "value": 2021},
            {"key": "aws_account_id", "op": "eq", "value": 999988887777},
        ),
    ],
    ids=["eq-in-where", "ne", "lt", "lt-in-where"],
)
def test_a_number_compared_with_a_text_field_is_converted_as_in_an_allow_list(where, require):
    # YAML reads an unquoted AWS account ID as an int; the account's fields are strings.
    accounts = [_account(1, created_timestamp="2022-01-01T00:00:00Z"), _account(2, aws_account_id=OTHER_AWS)]
    assert _flagged(accounts, _rule(require, where=where)) == [("id-2", "r")]


@pytest.mark.parametrize(
    "setting,words",
    [
        ([{"id": "111122223333"}], "one member is {'id': '111122223333'}"),
        ([["111122223333"]], "one member is ['111122223333']"),
        ([None], "one member is None"),
        ([True], "one member is True"),
        ("111122223333", "must be a list of strings, got str"),
    ],
)
def test_an_allow_list_of_anything_but_strings_and_numbers_is_refused(setting, words):
    message = _refusal(rules={"allowed_aws_account_ids": setting})
    assert message.startswith("rules.allowed_aws_account_ids must be a list of strings") and words in message


def test_unknown_built_in_rules_are_refused():
    assert "unknown rule(s) no_suspended; known rules: allowed_aws_account_ids" in _refusal(
        rules={"no_suspended": True}
    )
    assert "rules must be a dict" in _refusal(rules=["no_suspended_accounts"])


# ----- combine: the variables and the policy file --------------------------------------------------------
def test_a_part_set_in_both_places_is_refused_naming_both():
    with pytest.raises(pol.PolicyError) as info:
        policy_file.combine(
            {"rules": {"name_pattern": "^E"}}, {"rules": {"no_suspended_accounts": True}}, "audit-policy.yml"
        )
    assert str(info.value) == (
        "rules is set both in the policy file audit-policy.yml and in the variables: set it in one place."
    )


def test_an_error_in_a_part_from_the_file_names_the_file():
    with pytest.raises(pol.PolicyError) as info:
        policy_file.combine({}, {"custom_rules": [_rule({"key": "colour"})]}, "audit-policy.yml")
    assert str(info.value).startswith(f"{RULE}.require.key: unknown key 'colour'")
    assert str(info.value).endswith("(in the policy file audit-policy.yml)")
    with pytest.raises(pol.PolicyError) as info:
        policy_file.combine({"custom_rules": [_rule({"key": "colour"})]}, {"fail_severity": "high"}, "audit-policy.yml")
    assert "policy file" not in str(info.value)


def test_combine_takes_each_part_from_where_it_is_set():
    file_policy = {
        "name": "finance baseline",
        "version": 3,
        "custom_rules": [_rule(TEAM)],
        "severities": {"r": "high"},
        "fail_severity": "high",
        "rules": None,
        "waivers": [],
    }
    unset = {
        "rules": {"no_suspended_accounts": True},
        "custom_rules": None,
        "severities": {},
        "waivers": [_waiver(account_id="id-3")],
        "fail_severity": None,
    }
    policy = policy_file.combine(unset, file_policy, "audit-policy.yml", waiver_warn_days=7)
    assert (policy.name, policy.version, policy.fail_severity, policy.waiver_warn_days) == (
        "finance baseline",
        "3",
        "high",
        7,
    )
    assert policy.checked() == ("no_suspended_accounts", "r") and policy.severity("r") == "high"
    found = policy.evaluate([_account(2, account_type="EnterpriseLWA"), _account(3, account_status="Suspended")], NOW)
    assert [(v["account_id"], v["rule"], v["severity"]) for v in found.violations] == [("id-2", "r", "high")]


def test_combine_without_a_file_is_the_default_policy():
    policy = policy_file.combine(
        {"rules": None, "custom_rules": [], "severities": {}, "waivers": (), "fail_severity": None}
    )
    assert (policy.name, policy.version, policy.fail_severity) == (pol.DEFAULT_POLICY_NAME, None, "informational")
    assert policy.checked() == () and policy.evaluate([BREAKS_ALL], NOW).violations == []


# ----- load_policy_file ---------------------------------------------------------------------------------
def _load(tmp_path, data):
    path = tmp_path / "audit-policy.yml"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return policy_file.load_policy_file(str(path), yaml.safe_load)


def _load_refusal(tmp_path, data):
    with pytest.raises(pol.PolicyError) as info:
        _load(tmp_path, data)
    message = str(info.value)
    assert message.startswith(f"policy file {tmp_path / 'audit-policy.yml'}: ")
    return message


def test_a_valid_policy_file_is_loaded(tmp_path):
    text = """\
name: finance baseline
version: "2024.1"
rules:
  allowed_aws_account_ids: [111122223333, 444455556666]
custom_rules:
  - id: finance-names
    description: Finance accounts are named fin-*.
    severity: high
    remediation: Rename the account.
    where: {key: aws_account_id, value: "444455556666"}
    require: {key: name, op: regex, value: "^fin-"}
waivers:
  - {rule: finance-names, name_glob: "legacy-*", reason: being retired, expires: 2024-06-30}
fail_severity: medium
"""
    loaded = _load(tmp_path, text)
    assert loaded["waivers"][0]["expires"] == datetime.date(2024, 6, 30)  # a YAML date
    policy = policy_file.combine({}, loaded, "audit-policy.yml")
    accounts = [
        _account(1),
        _account(2, aws_account_id=OTHER_AWS),
        _account(3, aws_account_id=OTHER_AWS, name="legacy-3"),
    ]
    found = policy.evaluate(accounts, NOW)
    assert [(v["account_id"], v["rule"]) for v in found.violations] == [("id-2", "finance-names")]
    assert [f["account_id"] for f in found.waived] == ["id-3"]
    assert (policy.name, policy.version, policy.fail_severity) == ("finance baseline", "2024.1", "medium")


@pytest.mark.parametrize(
    "data,words",
    [
        ("rules: {}\nexceptions: []\n", "unknown key(s) exceptions; known: name, version, rules"),
        ("- rules\n", "must be a mapping with name, version"),
        ("", "must be a mapping"),
        ("rules: [unclosed\n", "not valid YAML at line "),
        (b"name: \xff\xfe\n", "not UTF-8 text."),
        (
            "# " + "x" * policy_file.MAX_POLICY_FILE_BYTES + "\n",
            f"larger than {policy_file.MAX_POLICY_FILE_BYTES} bytes.",
        ),
    ],
    ids=["unknown-key", "a-list", "empty", "invalid-yaml", "not-utf-8", "too-large"],
)
def test_a_bad_policy_file_is_refused_naming_the_file(tmp_path, data, words):
    assert words in _load_refusal(tmp_path, data)


def test_invalid_yaml_gives_the_line(tmp_path):
    assert "line 2" in _load_refusal(tmp_path, "name: x\nrules: [unclosed\n")


@pytest.mark.parametrize(
    "text",
    [
        "[default]\naws_access_key_id = AKIASECRETKEY0000001\naws_secret_access_key = s3cr3t/Value+x\n",
        "name: x\nrules: {no_suspended_accounts: true\npassword: s3cr3t/Value+x\n",
    ],
    ids=["aws-credentials-file", "unclosed-mapping"],
)
def test_a_file_that_is_not_yaml_is_refused_without_quoting_it(tmp_path, text):
    """YAML's own message quotes the offending line: a policy_file that names the wrong file (an AWS
    credentials file) must not put its secret in the job's output."""
    message = _load_refusal(tmp_path, text)
    assert "not valid YAML at line" in message
    assert "s3cr3t" not in message and "AKIASECRET" not in message


def test_a_file_of_exactly_the_limit_is_read(tmp_path):
    text = "name: x\n#" + "x" * (policy_file.MAX_POLICY_FILE_BYTES - 10) + "\n"
    assert len(text) == policy_file.MAX_POLICY_FILE_BYTES and _load(tmp_path, text) == {"name": "x"}


def test_a_missing_policy_file_is_refused(tmp_path):
    path = tmp_path / "missing.yml"
    with pytest.raises(pol.PolicyError) as info:
        policy_file.load_policy_file(str(path), yaml.safe_load)
    assert str(info.value) == f"policy file {path}: cannot be read: No such file or directory."


# ----- describe -----------------------------------------------------------------------------------------
def test_describe_records_every_rule_with_its_setting():
    custom = _rule(TEAM, "team-only", where={"key": "aws_account_id", "value": OTHER_AWS}, severity="high")
    policy = pol.Policy(
        rules={
            "allowed_aws_account_ids": ["444455556666", 111122223333],
            "no_suspended_accounts": "yes",
            "name_pattern": "^E",
        },
        custom_rules=[custom],
        severities={"name_pattern": "medium"},
        fail_severity="low",
        name="baseline",
        version="1",
    )
    described = policy.describe()
    assert {k: v for k, v in described.items() if k != "rules"} == {
        "name": "baseline",
        "version": "1",
        "fail_severity": "low",
        "fail_gate": "all",
        "sla_days": {},
        "policy_file": None,
        "exclusive": False,
        "origins": {
            "rules": "variables",
            "custom_rules": "variables",
            "severities": "variables",
            "waivers": "default",
            "fail_severity": "variables",
            "sla_days": "default",
            "fail_gate": "default",
        },
    }
    settings_ = {
        "allowed_aws_account_ids": ["111122223333", "444455556666"],
        "allowed_account_types": pol.NOT_CHECKED,
        "allowed_default_licenses": pol.NOT_CHECKED,
        "no_suspended_accounts": True,
        "enterprise_signin_delegate_groups": pol.NOT_CHECKED,
        "name_pattern": "^E",
    }
    assert list(described["rules"]) == [*pol.RULES, "team-only"]
    for rule in pol.BUILT_IN:
        assert described["rules"][rule.name] == {
            "kind": "built-in",
            "severity": "medium" if rule.name == "name_pattern" else DEFAULT_SEVERITIES[rule.name],
            "description": rule.description,
            "remediation": rule.remediation,
            "setting": settings_[rule.name],
        }
    assert described["rules"]["team-only"] == {
        "kind": "custom",
        "severity": "high",
        "description": "what must hold",
        "remediation": "fix it",
        "setting": {"where": {"key": "aws_account_id", "value": OTHER_AWS}, "require": TEAM},
    }
    assert all(rule.description and rule.remediation for rule in pol.BUILT_IN)


def test_a_rule_set_to_none_or_false_is_not_checked():
    policy = pol.Policy(rules={"name_pattern": None, "no_suspended_accounts": False, "allowed_account_types": None})
    assert policy.checked() == () and policy.describe()["rules"]["name_pattern"]["setting"] == pol.NOT_CHECKED
    assert policy.evaluate([BREAKS_ALL], NOW).violations == []


# ----- counts -------------------------------------------------------------------------------------------
def test_count_by_rule_puts_the_order_first_then_the_others_as_they_appear():
    findings = [{"rule": r} for r in ("zeta", "name_pattern", "alpha", "allowed_aws_account_ids", "zeta")]
    counts = pol.count_by_rule(findings)
    assert list(counts.items()) == [("allowed_aws_account_ids", 1), ("name_pattern", 1), ("zeta", 2), ("alpha", 1)]
    assert list(pol.count_by_rule(findings, order=("alpha", "zeta"))) == [
        "alpha",
        "zeta",
        "name_pattern",
        "allowed_aws_account_ids",
    ]
    assert pol.count_by_rule([]) == {}


def test_count_by_severity_lists_every_severity_highest_first():
    findings = [{"severity": s} for s in ("low", "high", "low", "critical")] + [{}]
    counts = pol.count_by_severity(findings)
    assert list(counts.items()) == [("critical", 1), ("high", 1), ("medium", 0), ("low", 2), ("informational", 1)]


# ----- properties: not, and, or and a list against Python's own logic ------------------------------------
def _maybe(strategy):
    return st.one_of(st.none(), strategy)


ACCOUNT_VALUES = {
    "aws_account_id": st.sampled_from(["111122223333", OTHER_AWS]),
    "account_id": st.sampled_from(["id-1", "id-2"]),
    "name": st.one_of(st.sampled_from(["fin-payroll", "Engineering 1", "", "fin-\ud800"]), st.text(max_size=6)),
    "account_type": st.sampled_from(["Team", "EnterpriseLWA", "EnterpriseOIDC"]),
    "created_timestamp": st.sampled_from(["2020-01-02T03:04:05+00:00", "2023-12-01T00:00:00Z", "2021", "yesterday"]),
    "default_license": st.sampled_from(["Basic", "Plus", "Pro", ""]),
    "supported_licenses": st.lists(st.sampled_from(["Basic", "Plus", "Pro"]), max_size=3),
    "account_status": st.sampled_from(["Active", "Suspended"]),
    "signin_delegate_groups": st.lists(
        st.sampled_from(["admins", "users"]).map(lambda n: {"group_name": n}), max_size=2
    ),
}
ACCOUNTS = st.fixed_dictionaries({}, optional={key: _maybe(values) for key, values in ACCOUNT_VALUES.items()})
LEAVES = [
    {"key": "aws_account_id", "op": "eq", "value": "111122223333"},
    {"key": "account_type", "op": "ne", "value": "Team"},
    {"key": "default_license", "op": "in", "value": ["Pro", "Plus"]},
    {"key": "supported_licenses", "op": "in", "value": ["Basic", "Pro"]},
    {"key": "account_status", "op": "not-in", "value": ["Suspended"]},
    {"key": "supported_licenses", "op": "contains", "value": "Pro"},
    {"key": "signin_delegate_groups", "op": "not-contains", "value": "admins"},
    {"key": "signin_delegate_groups", "op": "eq", "value": ["admins"]},
    {"key": "name", "op": "regex", "value": "^fin-"},
    {"key": "age_days", "op": "lt", "value": 1000},
    {"key": "age_days", "op": "le", "value": 1461},
    {"key": "age_days", "op": "gt", "value": 30},
    {"key": "created_timestamp", "op": "ge", "value": "2021"},
    {"key": "default_license", "op": "present"},
    {"key": "account_type", "op": "absent"},
    {"key": "signin_delegate_groups", "op": "empty"},
]
FILTERS = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda members: {"and": members}),
        st.lists(inner, min_size=1, max_size=3).map(lambda members: {"or": members}),
        st.lists(inner, min_size=1, max_size=3),
        inner.map(lambda member: {"not": member}),
    ),
    max_leaves=6,
)


@settings(max_examples=100, deadline=None)
@given(account=ACCOUNTS, members=st.lists(FILTERS, min_size=1, max_size=3))
def test_not_negates_and_and_or_agree_with_all_and_any(account, members):
    rules = {f"m{i}": member for i, member in enumerate(members)}
    rules.update(
        {"all": {"and": members}, "list": list(members), "any": {"or": members}, "none": {"not": members}},
        neg={"not": members[0]},
    )
    flagged = {v["rule"] for v in _findings([account], *(_rule(f, rule_id) for rule_id, f in rules.items())).violations}
    held = {rule_id: rule_id not in flagged for rule_id in rules}
    each = [held[f"m{i}"] for i in range(len(members))]
    assert held["all"] == held["list"] == all(each)
    assert held["any"] == any(each)
    assert held["none"] == (not all(each))
    assert held["neg"] == (not held["m0"])


def test_a_policy_file_of_aliases_that_name_a_filter_exponentially_often_is_refused_quickly(tmp_path):
    """YAML anchors and aliases: ten levels of nine aliases each make a filter of 9**10 leaves from a few hundred
    bytes. safe_load shares the nodes, so loading is cheap; compiling must not walk them all."""
    lines = ["a0: &a0 {key: name, op: present}"]
    for level in range(1, 11):
        lines.append(f"a{level}: &a{level} {{and: [{', '.join([f'*a{level - 1}'] * 9)}]}}")
    lines.append("custom_rules:")
    lines.append("  - {id: bomb, description: d, severity: low, remediation: r, require: *a10}")
    text = "\n".join(lines) + "\n"
    data = yaml.safe_load(text)
    started = time.monotonic()
    with pytest.raises(pol.PolicyError, match=f"more than {filters.MAX_FILTER_NODES} filters in one rule"):
        policy_file.combine({}, {"custom_rules": data["custom_rules"]}, "bomb.yml")
    assert time.monotonic() - started < 1.0


# ----- what a review of the policy found -----------------------------------------------------------------
def _strict_refusal(tmp_path, text):
    path = tmp_path / "audit-policy.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(pol.PolicyError) as info:
        policy_file.load_policy_file(str(path))
    return str(info.value)


def test_the_policy_files_loader_refuses_aliases_and_keys_given_twice(tmp_path):
    aliased = "a: &x {key: name, op: present}\n"
    aliased += "custom_rules: [{id: r, description: d, severity: low, remediation: r, require: *x}]\n"
    assert "line 2" in _strict_refusal(tmp_path, aliased) and "aliases (*name) are not allowed" in _strict_refusal(
        tmp_path, aliased
    )
    twice = "rules: {no_suspended_accounts: true}\nfail_severity: low\nrules: {no_suspended_accounts: false}\n"
    assert "at line 3, column 1: a key given twice" in _strict_refusal(tmp_path, twice)
    inner = "custom_rules:\n  - {id: r, description: d, severity: low, remediation: r, require: x, require: y}\n"
    assert "a key given twice" in _strict_refusal(tmp_path, inner)
    assert policy_file.load_policy_file(str(_write(tmp_path, "fail_severity: high\n"))) == {"fail_severity": "high"}


def _write(tmp_path, text):
    path = tmp_path / "ok.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "a: *s3cr3tValue\n",
        "!s3cr3tValue x\n",
        "a: !s3cr3tValue!x 1\n",
        "s3cr3t/Value+x: 1\n",
        "\x1b[2Js3cr3tValue: 1\n",
    ],
    ids=["alias", "tag", "tag-handle", "odd-key", "escape-key"],
)
def test_no_error_about_a_policy_file_quotes_it(tmp_path, text):
    message = _strict_refusal(tmp_path, text)
    assert "s3cr3t" not in message and "\x1b" not in message


def test_a_fifo_or_a_directory_as_the_policy_file_is_refused_at_once(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(pol.PolicyError, match="is not a regular file"):
        policy_file.load_policy_file(str(fifo))
    assert time.monotonic() - started < 1.0
    with pytest.raises(pol.PolicyError, match="cannot be read|is not a regular file"):
        policy_file.load_policy_file(str(tmp_path))


@pytest.mark.parametrize("field,limit", [("description", 200), ("remediation", 1000)])
def test_a_rules_texts_are_bounded(field, limit):
    rule = _rule({"key": "name", "op": "present"})
    pol.Policy(custom_rules=[dict(rule, **{field: "x" * limit})])
    with pytest.raises(pol.PolicyError, match=f"{field} is longer than {limit} characters"):
        pol.Policy(custom_rules=[dict(rule, **{field: "x" * (limit + 1)})])
    waiver = {"rule": "name_pattern", "name": "*", "reason": "x" * 501, "expires": "2030-01-01"}
    with pytest.raises(pol.PolicyError, match="reason is longer than 500 characters"):
        pol.Policy(waivers=[waiver])


def test_an_unquoted_date_is_compared_and_recorded_as_its_iso_text_and_nan_is_refused():
    rule = _rule({"key": "created_timestamp", "op": "ge", "value": datetime.date(2020, 1, 1)})
    policy = pol.Policy(custom_rules=[rule])
    assert policy.describe()["rules"]["r"]["setting"]["require"]["value"] == "2020-01-01"
    young, old = (
        _account(1, created_timestamp="2021-01-01T00:00:00+00:00"),
        _account(2, created_timestamp="2019-01-01T00:00:00+00:00"),
    )
    assert [v["account_id"] for v in policy.evaluate([young, old], NOW).violations] == ["id-2"]
    for bad in (float("nan"), float("inf")):
        with pytest.raises(pol.PolicyError, match="must be a finite number"):
            pol.Policy(custom_rules=[dict(rule, require={"key": "age_days", "op": "lt", "value": bad})])


@pytest.mark.parametrize(
    "policy",
    [
        {"rules": {"allowed_aws_account_ids": [1402433619]}},  # YAML 1.1's 012345670123, an octal number
        {"custom_rules": [{"id": "r", "description": "d", "severity": "low", "remediation": "r",
                           "require": {"key": "aws_account_id", "op": "not-in", "value": [1402433619]}}]},
        {"waivers": [{"rule": "no_suspended_accounts", "aws_account_id": "12345", "reason": "r",
                      "expires": "2030-01-01"}]},
    ],
    ids=["allow-list", "deny-list", "waiver"],
)  # fmt: skip
def test_an_aws_account_id_that_is_not_12_digits_is_refused(policy):
    with pytest.raises(pol.PolicyError, match=r"is not an AWS account ID \(12 digits\); quote IDs"):
        pol.Policy(**policy)


def test_every_waiver_that_matches_is_used_and_the_one_that_expires_last_applies():
    first = _waiver(account_id="id-2", expires="2030-01-01", ticket="A")
    second = _waiver(name_glob="Team*", expires="2031-01-01", ticket="B")
    found = _findings([_account(2, account_status="Suspended", name="Team 2")], waivers=[first, second], **SUSPENDED)
    assert found.waivers["unused"] == [] and found.waived[0]["waiver"]["ticket"] == "B"


def test_a_lone_surrogate_in_a_pattern_is_refused_by_name():
    with pytest.raises(pol.PolicyError, match="rules.name_pattern holds a lone surrogate"):
        pol.Policy({"name_pattern": "\ud800"})


# ----- provenance: where each part of the policy came from ---------------------------------------------------
FILE_POLICY = {
    "name": "Example Corp Chime policy",
    "version": "2026.12",
    "custom_rules": [_rule(TEAM, "team-only"), _rule(ACTIVE, "active-only", severity="high")],
    "fail_severity": "medium",
}
DEMOTED = {"team-only": "informational", "active-only": "informational"}
WAIVE_ALL = [{"rule": "team-only", "name_glob": "*", "reason": "r", "expires": "2999-12-31"}]


def test_the_report_records_which_parts_came_from_the_file_and_which_from_the_variables():
    """A policy file that fails the job on its own, with severities and a waiver of every name added by the
    variables: the policy's record says that those two parts came from the variables, not from the file."""
    unset = {part: None for part in ("rules", "custom_rules", "severities", "waivers", "fail_severity")}
    violator = _account(2, account_type="EnterpriseLWA", account_status="Suspended")
    alone = policy_file.combine(unset, FILE_POLICY, "audit-policy.yml")
    assert [alone.fails(v) for v in alone.evaluate([violator], NOW).violations] == [True, True]
    mixed = policy_file.combine(dict(unset, severities=DEMOTED, waivers=WAIVE_ALL), FILE_POLICY, "audit-policy.yml")
    assert not any(mixed.fails(v) for v in mixed.evaluate([violator], NOW).violations)
    described = mixed.describe()
    assert (described["name"], described["version"], described["policy_file"]) == (
        "Example Corp Chime policy", "2026.12", "audit-policy.yml",
    )  # fmt: skip
    assert described["origins"] == {
        "rules": "default",
        "custom_rules": "policy_file",
        "severities": "variables",
        "waivers": "variables",
        "fail_severity": "policy_file",
        "sla_days": "default",
        "fail_gate": "default",
    }
    assert alone.describe()["origins"]["severities"] == "default"
    assert policy_file.combine(unset).describe()["policy_file"] is None


def test_an_exclusive_policy_file_refuses_every_part_set_in_the_variables():
    unset = {part: None for part in ("rules", "custom_rules", "severities", "waivers", "fail_severity")}
    whole = dict(FILE_POLICY, exclusive=True)
    assert policy_file.combine(dict(unset, waivers=[]), whole, "audit-policy.yml").describe()["exclusive"] is True
    with pytest.raises(pol.PolicyError) as info:
        policy_file.combine(dict(unset, severities=DEMOTED, waivers=WAIVE_ALL), whole, "audit-policy.yml")
    assert str(info.value) == (
        "the policy file audit-policy.yml is the whole policy (exclusive: true), but the variables set severities,"
        " waivers: set them in the file, or leave them unset."
    )
    for part, value in (("rules", {"no_suspended_accounts": True}), ("fail_severity", "low")):
        with pytest.raises(pol.PolicyError, match=f"variables set {part}:"):
            policy_file.combine(dict(unset, **{part: value}), whole, "audit-policy.yml")
    with pytest.raises(
        pol.PolicyError, match="exclusive \\(in the policy file audit-policy.yml\\) must be true or false"
    ):
        policy_file.combine(unset, dict(FILE_POLICY, exclusive="sometimes"), "audit-policy.yml")
    assert policy_file.combine(unset, dict(FILE_POLICY, exclusive=False), "p.yml").describe()["exclusive"] is False
