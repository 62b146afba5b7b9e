# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the built-in audit rules, the baseline comparison (_drift.py) and the CSV writer (_format_csv.py).

A private plugin_utils module ``_<name>.py`` is tested in ``test_<name>.py``, its name without the underscore.
"""

import csv
import io
import re

import pytest
from defusedcsv import csv as defusedcsv
from hypothesis import example
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.chime.admin.plugins.plugin_utils import _drift as drift
from ansible_collections.chime.admin.plugins.plugin_utils import _escape as escape
from ansible_collections.chime.admin.plugins.plugin_utils import _format_csv as fcsv
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
    changes = drift.find_changes([kept, renamed, gone], now)
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
    assert drift.find_changes([kept], [elsewhere])["added"] == [elsewhere]


HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "|cmd", "%macro", 'Quote "and", comma']
# What the tests take for a formula's first character: OWASP's and defusedcsv's, and their full-width and small
# forms.
FORMULA_CHARACTERS = tuple("=+-@|%\t\r＝＋－＠﹦﹢﹣﹫")


def _starts_a_formula(text):
    """Whether ``text`` starts with a formula character, as it is or after white space."""
    return text.startswith(FORMULA_CHARACTERS) or text.lstrip().startswith(FORMULA_CHARACTERS)


def _rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_parses_back_to_the_same_values_with_formulas_neutralised():
    accounts = [_account(n, name=name) for n, name in enumerate(HOSTILE)]
    groups = [{"group_name": "a"}, {"group_name": "b"}]
    accounts.append(_account(99, supported_licenses=[], signin_delegate_groups=groups))
    accounts.append(_account(100, account_type=None, created_timestamp=None))
    text = fcsv.to_csv(accounts)
    assert text.endswith("\r\n") and text.split("\r\n")[0] == ",".join(f'"{c}"' for c in fcsv.CSV_COLUMNS)
    rows = _rows(text)
    assert tuple(rows[0]) == fcsv.CSV_COLUMNS and len(rows) == len(accounts) + 1
    names = [row[2] for row in rows[1:]]
    assert names[: len(HOSTILE) - 1] == ["'" + name for name in HOSTILE[:-1]]  # neutralised, otherwise intact
    assert names[len(HOSTILE) - 1] == HOSTILE[-1]  # an ordinary cell is unchanged
    assert rows[-2][6] == "" and rows[-2][8] == "a;b" and rows[-2][5] == "Pro"
    assert rows[-1][3] == "" and rows[-1][4] == ""
    assert rows[1][6] == "Basic;Pro" and rows[1][4] == "2020-01-02T03:04:05+00:00"


def test_every_csv_cell_is_quoted():
    text = fcsv.to_csv([_account(1), _account(2, account_type=None, supported_licenses=[])])
    quoted = re.compile(r'"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*')
    lines = text.split("\r\n")
    assert lines[-1] == "" and len(lines) == 4
    assert [line for line in lines[:-1] if not quoted.fullmatch(line)] == []


@pytest.mark.parametrize(
    "value,cell",
    [
        ("x;=1+1;", "x;'=1+1;"),
        ([{"group_name": "admins"}, {"group_name": "=cmd|' /C calc'!A0"}], "admins;'=cmd|' /C calc'!A0"),
        ("a, -1", "a,' -1"),
        ("  =1+1", "'  =1+1"),
        ('x;"=1+1"', 'x;\'"=1+1"'),
        ("＝1+1", "'＝1+1"),
        ("x,\u3000＠SUM(A1)", "x,'\u3000＠SUM(A1)"),
        ("\tTab", "\\u0009Tab"),  # a control character shows as its escape, which starts no formula
        ("\r=1", "\\u000d=1"),
        ("Zürich; Lisboa, 2", "Zürich; Lisboa, 2"),
    ],
)
def test_each_separated_part_of_a_cell_is_neutralised(value, cell):
    rows = _rows(fcsv.to_csv([_account(1, name=value)]))
    assert rows[1][2] == cell


def test_no_cell_starts_a_formula_for_a_spreadsheet_that_splits_on_semicolons_or_commas():
    """The file as a spreadsheet of a semicolon locale reads it (German, French, Dutch), and as one that splits
    on either separator, quotes or not: no cell that either makes starts a formula."""
    names = ["x;=1+1;", "a, -1", ";@SUM(A1)", 'x;"=1"', "y; ＋1"]
    groups = [{"group_name": "admins"}, {"group_name": "=cmd|' /C calc'!A0"}]
    text = fcsv.to_csv([_account(n, name=name, signin_delegate_groups=groups) for n, name in enumerate(names)])
    semicolon_locale = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row]
    assert "'=1+1" in semicolon_locale  # the name's second part is a cell of its own there
    split_anyhow = [cell.strip('"') for line in text.split("\r\n") for cell in re.split("[;,]", line)]
    for cells in (semicolon_locale, split_anyhow):
        assert [cell for cell in cells if _starts_a_formula(cell.lstrip('"'))] == []


def _escaped_by_defusedcsv(text):
    """Whether defusedcsv's writer changes ``text``: a cell it takes for a formula."""
    out = io.StringIO()
    defusedcsv.writer(out).writerow([text])
    return _rows(out.getvalue()) != [[text]]


_CELL_TEXT = st.text(st.sampled_from([*FORMULA_CHARACTERS, *" \u3000\xa0;,\"'0.9aZ\x1b\u202e"]) | st.characters())
# Half of the samples start with a formula character, so that the cells defusedcsv escapes are many.
CELL_TEXT = st.tuples(st.sampled_from(["", *FORMULA_CHARACTERS]), _CELL_TEXT).map("".join)


@given(CELL_TEXT)
@example("=1+1")
@example("-2")
@example("|cmd")
@example("%x")
@example("@SUM(A1)")
def test_every_cell_that_defusedcsv_escapes_is_neutralised(text):
    cell = _rows(fcsv.to_csv([_account(1, name=text)]))[1][2]
    if _escaped_by_defusedcsv(text):
        assert cell.startswith("'")


@given(st.lists(CELL_TEXT, min_size=1, max_size=3))
def test_no_separated_part_of_any_cell_starts_a_formula(texts):
    accounts = [_account(1, name=",".join(texts), signin_delegate_groups=[{"group_name": t} for t in texts])]
    accounts += [_account(n, name=text, account_type=text) for n, text in enumerate(texts, 2)]
    for row in _rows(fcsv.to_csv(accounts))[1:]:
        parts = [part for cell in row for part in re.split("[;,]", cell)]
        assert [part for part in parts if _starts_a_formula(part)] == []


def test_findings_csv():
    waiver = {"reason": "=1+1 legacy", "expires": "2027-01-01", "owner": "platform", "ticket": "SEC-1"}
    findings = [
        {"aws_account_id": "111122223333", "account_id": "id-1", "name": "x;@SUM(A1)", "rule": "name_pattern",
         "severity": "low", "detail": "the name does not match ^E", "waiver": dict(waiver, state="active")},
        {"aws_account_id": "111122223333", "account_id": "id-2", "name": "Engineering 2",
         "rule": "no_suspended_accounts", "severity": "high", "detail": "the account is suspended",
         "waiver": dict(waiver, state="expired")},
        {"aws_account_id": "444455556666", "account_id": "id-3", "name": "\x1b[2JEngineering 3",
         "rule": "no_suspended_accounts", "severity": "high", "detail": "the account is suspended", "waiver": None},
    ]  # fmt: skip
    rows = _rows(fcsv.findings_to_csv(findings))
    assert tuple(rows[0]) == fcsv.FINDINGS_CSV_COLUMNS == (
        "aws_account_id", "account_id", "name", "rule", "severity", "status",
        "state", "first_seen", "age_days", "due", "overdue_days", "resolved_at", "resolved_reason", "detail",
        "waiver_reason", "waiver_owner", "waiver_ticket", "waiver_expires", "waiver_state",
    )  # fmt: skip
    assert rows[1][:6] + rows[1][13:14] == [
        "111122223333",
        "id-1",
        "x;'@SUM(A1)",
        "name_pattern",
        "low",
        "waived",
        "the name does not match ^E",
    ]
    # Findings of a report before format 5 have no life cycle: its columns are empty.
    assert all(row[6:13] == [""] * 7 for row in rows[1:])
    assert rows[1][14:] == ["'=1+1 legacy", "platform", "SEC-1", "2027-01-01", "active"]
    assert rows[2][5] == "open" and rows[2][14:] == ["'=1+1 legacy", "platform", "SEC-1", "2027-01-01", "expired"]
    assert rows[3][2] == "\\u001b[2JEngineering 3" and rows[3][5] == "open"
    assert rows[3][13:] == ["the account is suspended", *[""] * 5]
    assert fcsv.findings_to_csv([]) == ",".join(f'"{c}"' for c in fcsv.FINDINGS_CSV_COLUMNS) + "\r\n"


def _life(state, first_seen="2026-11-30T08:00:00+00:00", age_days=7, due=None, overdue_days=None, **more):
    """A finding of report format 5: the seven keys, then its life cycle."""
    finding = {"aws_account_id": "111122223333", "account_id": more.pop("account_id", "id-1"),
               "name": more.pop("name", "Engineering 1"), "rule": more.pop("rule", "no_suspended_accounts"),
               "severity": more.pop("severity", "high"), "detail": "the account is suspended",
               "waiver": more.pop("waiver", None), "uid": "0" * 64, "state": state, "first_seen": first_seen,
               "last_seen": more.pop("last_seen", "2026-12-07T08:00:00+00:00"), "age_days": age_days}  # fmt: skip
    if state != "resolved":
        finding.update(due=due, overdue_days=overdue_days)
    finding.update(more)
    return finding


def test_findings_csv_of_report_format_5_has_each_findings_life_cycle_and_the_resolved_ones():
    waiver = {"reason": "closing", "expires": "2027-01-01", "owner": "it", "ticket": "CHG-1", "state": "active"}
    findings = [
        _life("new", "2026-12-07T08:00:00+00:00", 0, due="2026-12-14", account_id="id-1"),
        _life("open", age_days=7, due="2026-12-04", overdue_days=3, account_id="id-2"),
        _life("waived", age_days=7, account_id="id-3", waiver=waiver),
        _life("resolved", age_days=7, account_id="id-4", last_seen="2026-11-30T08:00:00+00:00",
              resolved_at="2026-12-07T08:00:00+00:00", resolved_reason="no longer violates"),
        # A resolved finding that was waived: resolved, whatever its waiver said.
        _life("resolved", age_days=7, account_id="id-5", waiver=waiver, resolved_at="2026-12-07T08:00:00+00:00",
              resolved_reason="account removed"),
    ]  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(fcsv.findings_to_csv(findings), newline="")))
    life = ("account_id", "status", "state", "first_seen", "age_days", "due", "overdue_days", "resolved_at",
            "resolved_reason")  # fmt: skip
    assert [tuple(row[column] for column in life) for row in rows] == [
        ("id-1", "open", "new", "2026-12-07T08:00:00+00:00", "0", "2026-12-14", "", "", ""),
        ("id-2", "open", "open", "2026-11-30T08:00:00+00:00", "7", "2026-12-04", "3", "", ""),
        ("id-3", "waived", "waived", "2026-11-30T08:00:00+00:00", "7", "", "", "", ""),
        ("id-4", "resolved", "resolved", "2026-11-30T08:00:00+00:00", "7", "", "", "2026-12-07T08:00:00+00:00",
         "no longer violates"),
        ("id-5", "resolved", "resolved", "2026-11-30T08:00:00+00:00", "7", "", "", "2026-12-07T08:00:00+00:00",
         "account removed"),
    ]  # fmt: skip
    assert [row["detail"] for row in rows] == ["the account is suspended"] * 5  # the old columns keep their places
    assert (rows[4]["waiver_reason"], rows[4]["waiver_state"]) == ("closing", "active")


@pytest.mark.parametrize("column", ["state", "first_seen", "age_days", "due", "overdue_days", "resolved_at",
                                    "resolved_reason"])  # fmt: skip
@pytest.mark.parametrize("text", [*HOSTILE, "\x1b[2J\u202eevil\u2028", "x;=1+1,@SUM(A1)"])
def test_every_life_cycle_cell_is_escaped_and_neutralised(column, text):
    """A hand-made report may carry any text in any key of a finding's life cycle: each cell is made inert as
    every other cell is, in an open finding's row and in a resolved one's."""
    findings = [_life("open"), _life("resolved", resolved_at="2026-12-07T08:00:00+00:00", resolved_reason="x")]
    for finding in findings:
        finding[column] = text
    for row in list(csv.DictReader(io.StringIO(fcsv.findings_to_csv(findings), newline=""))):
        cell = row[column]
        assert not any(ch in cell for ch in "\x1b\u202e\u2028")
        assert [part for part in re.split("[;,]", cell) if _starts_a_formula(part)] == []
        assert cell == escape.neutralise(escape.visible(text))
