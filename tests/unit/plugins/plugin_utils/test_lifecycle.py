# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of findings across runs (plugins/plugin_utils/_lifecycle.py), through the report that carries them
(_report.build_report), as the action makes it and the next run reads it back."""

import json

import pytest

from ansible_collections.chime.admin.plugins.plugin_utils import _format_json as fjson
from ansible_collections.chime.admin.plugins.plugin_utils import _lifecycle as lc
from ansible_collections.chime.admin.plugins.plugin_utils import _policy_file as pfile
from ansible_collections.chime.admin.plugins.plugin_utils import _report as rp
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.tests.unit.plugins.plugin_utils.accounts import account as _account

SCOPE = {"scope_format": 1, "partition": "aws", "caller_account": "111122223333", "aws_accounts": "caller",
         "role_arns": None, "organization_role_name": None, "names": [], "user_email": False}  # fmt: skip
RULES = {"no_suspended_accounts": True, "name_pattern": "^Engineering"}
DAY = "2026-11-{:02d}T08:00:00+00:00"
OTHER = "444455556666"


def _listing(accounts, aws_accounts=None):
    listing = {"accounts": accounts, "summary": {"total": len(accounts)}}
    if aws_accounts is not None:
        listing["aws_accounts"] = aws_accounts
    return listing


def _run(accounts, day, baseline=None, policy=None, aws_accounts=None):
    """A report of ``accounts`` on day ``day`` of November, through JSON (what the next run reads back)."""
    policy = policy or Policy(RULES)
    report = rp.build_report(_listing(accounts, aws_accounts), None, baseline, DAY.format(day), policy=policy)
    return json.loads(fjson.to_json(report))


def _states(report):
    return {(f["account_id"], f["rule"]): f["state"] for f in report["violations"] + report["waived"]}


def test_a_first_run_makes_every_finding_new_first_seen_now_and_a_second_carries_first_seen():
    first = _run([_account(1, account_status="Suspended"), _account(2, name="Sales")], 1)
    assert _states(first) == {("id-1", "no_suspended_accounts"): "new", ("id-2", "name_pattern"): "new"}
    assert {f["first_seen"] for f in first["violations"]} == {DAY.format(1)}
    assert first["summary"]["findings"]["since"] is None and first["resolved"] == []
    second = _run([_account(1, account_status="Suspended"), _account(2, name="Sales")], 9, first)
    assert _states(second) == {("id-1", "no_suspended_accounts"): "open", ("id-2", "name_pattern"): "open"}
    assert [(f["first_seen"], f["last_seen"], f["age_days"]) for f in second["violations"]] == [
        (DAY.format(1), DAY.format(9), 8),
    ] * 2
    assert second["violations"][0]["uid"] == first["violations"][0]["uid"]
    assert second["summary"]["findings"]["since"] == DAY.format(1)


def test_resolved_findings_say_why_and_a_new_one_is_new():
    first = _run([_account(1, account_status="Suspended"), _account(2, name="Sales"), _account(3, name="Ops")], 1)
    # id-1 no longer suspended, id-2 removed, id-3 still breaks name_pattern, id-4 new
    second = _run([_account(1), _account(3, name="Ops"), _account(4, name="Legal")], 2, first)
    assert _states(second) == {("id-3", "name_pattern"): "open", ("id-4", "name_pattern"): "new"}
    resolved = {(f["account_id"], f["rule"]): f["resolved_reason"] for f in second["resolved"]}
    assert resolved == {
        ("id-1", "no_suspended_accounts"): lc.NO_LONGER_VIOLATES,
        ("id-2", "name_pattern"): lc.ACCOUNT_REMOVED,
    }
    assert all(f["state"] == "resolved" and f["resolved_at"] == DAY.format(2) for f in second["resolved"])
    assert all(f["first_seen"] == f["last_seen"] == DAY.format(1) for f in second["resolved"])
    counts = second["summary"]["findings"]
    assert (counts["new"], counts["open"], counts["resolved"], counts["not_compared"]) == (1, 1, 2, 0)
    assert counts["by_severity"]["medium"]["resolved"] == 1  # no_suspended_accounts is medium
    # resolved once: the next run has nothing to resolve again
    third = _run([_account(1), _account(3, name="Ops"), _account(4, name="Legal")], 3, second)
    assert third["resolved"] == [] and _states(third) == {k: "open" for k in _states(second)}


def test_a_rule_no_longer_checked_resolves_its_findings_naming_that():
    first = _run([_account(1, name="Sales")], 1)
    second = _run([_account(1, name="Sales")], 2, first, Policy({"no_suspended_accounts": True}))
    assert [f["resolved_reason"] for f in second["resolved"]] == [lc.RULE_NOT_CHECKED]


def test_a_waived_finding_keeps_its_first_seen_and_an_unwaived_one_is_open_not_new():
    waiver = {"rule": "name_pattern", "account_id": "id-1", "reason": "legacy", "expires": "2026-11-05"}
    first = _run([_account(1, name="Sales")], 1, policy=Policy(RULES, waivers=[waiver]))
    assert _states(first) == {("id-1", "name_pattern"): "waived"} and first["waived"][0]["due"] is None
    second = _run([_account(1, name="Sales")], 10, first, Policy(RULES, waivers=[waiver]))  # waiver expired
    assert _states(second) == {("id-1", "name_pattern"): "open"}
    assert second["violations"][0]["first_seen"] == DAY.format(1)


def test_deadlines_make_old_findings_overdue_by_their_days_past_due():
    policy = Policy(RULES, sla_days={"low": 7, "medium": 30})
    first = _run([_account(1, name="Sales"), _account(2, account_status="Suspended")], 1, policy=policy)
    assert [(f["due"], f["overdue_days"]) for f in first["violations"]] == [("2026-11-08", None), ("2026-12-01", None)]
    second = _run([_account(1, name="Sales"), _account(2, account_status="Suspended")], 10, first, policy)
    by_rule = {f["rule"]: f for f in second["violations"]}
    assert by_rule["name_pattern"]["overdue_days"] == 2 and by_rule["name_pattern"]["age_days"] == 9  # low: 7
    assert by_rule["no_suspended_accounts"]["overdue_days"] is None  # medium: 30
    counts = second["summary"]["findings"]
    assert counts["overdue"] == 1 and counts["by_severity"]["low"]["overdue"] == 1
    # exactly at the deadline: not overdue yet
    at_deadline = _run([_account(1, name="Sales")], 8, first, policy)
    assert at_deadline["violations"][0]["age_days"] == 7 and at_deadline["violations"][0]["overdue_days"] is None


@pytest.mark.parametrize(
    "gate, failing",
    [("all", {"id-1", "id-2"}), ("new", {"id-2"}), ("new_or_overdue", {"id-1", "id-2"})],
)
def test_the_gate_chooses_which_findings_fail(gate, failing):
    policy = Policy(RULES, sla_days={"low": 3}, fail_gate=gate)
    first = _run([_account(1, name="Sales")], 1, policy=policy)
    second = _run([_account(1, name="Sales"), _account(2, name="Legal")], 9, first, policy)
    assert {f["account_id"] for f in second["violations"] if policy.fails(f)} == failing
    assert second["summary"]["violations"]["failing"] == len(failing)
    assert lc.why_failing(second["violations"][0]) == "overdue by 5 day(s)"


def test_a_refused_aws_account_resolves_nothing_and_carries_its_findings_first_seen_forward():
    listed = [
        {"aws_account_id": aws, "role_arn": None, "status": "listed", "accounts": 1} for aws in ("111122223333", OTHER)
    ]
    accounts = [_account(1, name="Sales"), _account(2, name="Legal", aws_account_id=OTHER)]
    first = _run(accounts, 1, aws_accounts=listed)
    denied = [listed[0], dict(listed[1], status="denied", accounts=0, message="no")]
    second = _run(accounts[:1], 5, first, aws_accounts=denied)
    assert second["resolved"] == [] and second["summary"]["findings"]["not_compared"] == 1
    (entry,) = second["comparison_base"]["aws_accounts"]
    assert [(f["account_id"], f["first_seen"]) for f in entry["findings"]] == [("id-2", DAY.format(1))]
    third = _run(accounts, 9, second, aws_accounts=listed)
    assert _states(third) == {("id-1", "name_pattern"): "open", ("id-2", "name_pattern"): "open"}
    assert {f["first_seen"] for f in third["violations"]} == {DAY.format(1)}


def test_a_baseline_of_report_format_4_gives_its_findings_its_own_time():
    first = _run([_account(1, name="Sales")], 1)
    old = dict(first, report_format=4)
    old["violations"] = [{k: v for k, v in f.items() if k not in lc.LIFE_KEYS} for f in first["violations"]]
    del old["resolved"], old["trend"]
    second = _run([_account(1, name="Sales")], 4, old)
    assert _states(second) == {("id-1", "name_pattern"): "open"}
    assert second["violations"][0]["first_seen"] == DAY.format(1) and second["violations"][0]["age_days"] == 3


@pytest.mark.parametrize(
    "first_seen, words",
    [
        ("last Tuesday", "not an ISO 8601 time"),
        ("2099-01-01T00:00:00+00:00", "in the future"),
        ("2026-11-03T00:00:00+00:00", "after its own report's time"),
        (17, "not an ISO 8601 time"),
    ],
)
def test_a_malformed_first_seen_in_a_baseline_is_a_baseline_error(first_seen, words):
    first = _run([_account(1, name="Sales")], 1)
    first["violations"][0]["first_seen"] = first_seen
    with pytest.raises(rp.ReportError, match=words) as caught:
        _run([_account(1, name="Sales")], 4, first)
    assert "name_pattern" in str(caught.value) and "uid" in str(caught.value)


@pytest.mark.parametrize(
    "sla_days, words",
    [
        ({"high": 0}, r"sla_days.high must be a whole number of days from 1 to 3650, got 0"),
        ({"high": -1}, r"sla_days.high must be .* got -1"),
        ({"high": 3651}, r"sla_days.high must be .* got 3651"),
        ({"high": True}, r"sla_days.high must be .* got True"),
        ({"high": "30"}, r"sla_days.high must be .* got '30'"),
        ({"urgent": 3}, r"sla_days: unknown severity urgent; known severities: informational, low"),
        (["high"], r"sla_days must be a dict of severities to days, got list"),
    ],
)
def test_bad_deadlines_are_refused_naming_the_option(sla_days, words):
    with pytest.raises(PolicyError, match=words):
        Policy(RULES, sla_days=sla_days)


def test_a_bad_gate_is_refused_and_the_policy_file_may_set_both_parts():
    with pytest.raises(PolicyError, match=r"fail_gate must be one of all, new, new_or_overdue, got 'fresh'"):
        Policy(RULES, fail_gate="fresh")
    policy = pfile.combine({"rules": RULES}, {"sla_days": {"critical": 7}, "fail_gate": "new"}, "policy.yml")
    assert (policy.sla_days, policy.fail_gate) == ({"critical": 7}, "new")
    assert policy.describe()["origins"]["sla_days"] == policy.describe()["origins"]["fail_gate"] == "policy_file"
    with pytest.raises(PolicyError, match=r"sla_days.critical must be .* \(in the policy file policy.yml\)"):
        pfile.combine({"rules": RULES}, {"sla_days": {"critical": 0}}, "policy.yml")
    with pytest.raises(PolicyError, match="fail_gate is set both in the policy file policy.yml and in the variables"):
        pfile.combine({"rules": RULES, "fail_gate": "all"}, {"fail_gate": "new"}, "policy.yml")


def test_the_findings_line_says_what_is_new_open_overdue_and_resolved_since_the_baseline():
    policy = Policy(RULES, sla_days={"low": 3}, fail_gate="new")
    first = _run([_account(1, name="Sales"), _account(2, name="Ops")], 1, policy=policy)
    second = _run([_account(1, name="Sales"), _account(3, name="Legal")], 9, first, policy)
    (line,) = [line for line in rp.summary_lines(second) if line.startswith("Findings:")]
    assert line == (
        "Findings: 1 new, 1 open (1 overdue), 0 waived, 1 resolved since 2026-11-01;"
        " only new findings fail the job (fail_gate: new)"
    )


def test_a_carried_first_seen_is_the_time_it_names_written_afresh_never_the_baseline_s_text():
    first = _run([_account(1, name="Sales")], 3)
    first["violations"][0]["first_seen"] = "2026-11-01"  # a date alone: midnight UTC
    second = _run([_account(1, name="Sales")], 4, first)
    assert second["violations"][0]["first_seen"] == "2026-11-01T00:00:00+00:00"
    for hostile in (" 2026-11-01T00:00:00+00:00", "2026-11-01T00:00:00+00:00\n", "2026-11-01T00:00:00\u202e+00:00"):
        first["violations"][0]["first_seen"] = hostile
        with pytest.raises(rp.ReportError, match="not an ISO 8601 time"):
            _run([_account(1, name="Sales")], 4, first)


def test_a_first_seen_ahead_of_this_run_within_the_clock_skew_is_carried_as_this_run_s_time():
    """A controller whose clock ran ahead made the baseline: its finding is carried, never after this run, so that
    the next run does not refuse this run's report as "first seen after its own report's time"."""
    ahead = rp.build_report(_listing([_account(1, name="Sales")]), None, None, "2026-11-01T10:10:00+00:00",
                            policy=Policy(RULES))  # fmt: skip
    ahead = json.loads(fjson.to_json(ahead))
    behind = json.loads(fjson.to_json(rp.build_report(_listing([_account(1, name="Sales")]), None, ahead,
                                                      "2026-11-01T10:02:00+00:00", policy=Policy(RULES))))  # fmt: skip
    assert behind["violations"][0]["first_seen"] == "2026-11-01T10:02:00+00:00"
    third = _run([_account(1, name="Sales")], 2, behind)
    assert third["violations"][0]["first_seen"] == "2026-11-01T10:02:00+00:00"
    old = dict(ahead, report_format=4, generated_at="2099-01-01T00:00:00+00:00")
    old["violations"] = [{k: v for k, v in f.items() if k not in lc.LIFE_KEYS} for f in ahead["violations"]]
    with pytest.raises(rp.ReportError, match=r"its time \(2099-01-01T00:00:00\+00:00\) is in the future"):
        _run([_account(1, name="Sales")], 2, old)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"aws_account_id": ["111122223333"]}, "whose aws_account_id is not a string"),
        ({"account_id": 7}, "whose account_id is not a string"),
        ({"severity": "urgent"}, "has no known severity"),
        ({"last_seen": "2026-10-01T00:00:00+00:00"}, "last seen before it was first seen"),
        ({"last_seen": "2026-11-05T00:00:00+00:00"}, "or after its report's time"),
    ],
)
def test_a_malformed_finding_in_a_baseline_is_refused_before_any_request(change, words):
    first = _run([_account(1, name="Sales")], 1)
    first["violations"][0].update(change)
    with pytest.raises(rp.ReportError, match=words):
        rp.comparison_base(first)


def test_a_finding_twice_in_a_baseline_is_refused():
    first = _run([_account(1, name="Sales")], 1)
    first["waived"] = [dict(first["violations"][0], first_seen="2020-01-01T00:00:00+00:00")]
    with pytest.raises(rp.ReportError, match="is there twice"):
        rp.comparison_base(first)


def test_due_is_a_day_in_utc_and_a_finding_is_overdue_from_the_next_day_whatever_the_hour():
    policy = Policy(RULES, sla_days={"low": 7})
    late = rp.build_report(
        _listing([_account(1, name="Sales")]), None, None, "2026-11-01T23:30:00-05:00", policy=policy
    )
    late = json.loads(fjson.to_json(late))
    assert late["violations"][0]["first_seen"] == "2026-11-02T04:30:00+00:00"  # written in UTC
    assert late["violations"][0]["due"] == "2026-11-09"
    for when, overdue in (("2026-11-09T23:59:00+00:00", None), ("2026-11-10T00:01:00+00:00", 1)):
        report = rp.build_report(_listing([_account(1, name="Sales")]), None, late, when, policy=policy)
        assert report["violations"][0]["overdue_days"] == overdue, when


def test_waived_findings_have_no_deadline_and_a_resolved_one_keeps_when_it_was_last_seen():
    waiver = {"rule": "name_pattern", "account_id": "id-1", "reason": "legacy", "expires": "2027-01-01"}
    policy = Policy(RULES, waivers=[waiver], sla_days={"low": 1})
    first = _run([_account(1, name="Sales")], 1, policy=policy)
    second = _run([_account(1, name="Sales")], 9, first, policy)
    assert (second["waived"][0]["due"], second["waived"][0]["overdue_days"]) == (None, None)
    assert second["summary"]["findings"]["overdue"] == 0
    third = _run([_account(1)], 20, second, policy)
    (resolved,) = third["resolved"]
    assert (resolved["first_seen"], resolved["last_seen"], resolved["age_days"]) == (DAY.format(1), DAY.format(9), 19)


def test_a_removed_account_is_matched_by_aws_account_and_account_id():
    """An account of the same ID in another AWS account does not keep a removed account's finding alive."""
    listed = [
        {"aws_account_id": aws, "role_arn": None, "status": "listed", "accounts": 1} for aws in ("111122223333", OTHER)
    ]
    first = _run([_account(1, account_status="Suspended")], 1, aws_accounts=listed)
    second = _run([_account(1, aws_account_id=OTHER)], 2, first, aws_accounts=listed)
    assert [f["resolved_reason"] for f in second["resolved"]] == [lc.ACCOUNT_REMOVED]


def test_the_filters_door_refuses_a_baseline_of_another_scope():
    caller = "arn:aws:iam::111122223333:user/auditor"
    full = rp.build_report(_listing([_account(1, name="Sales"), _account(2, name="Ops")]), RULES, None, DAY.format(1),
                           {"name": None}, caller)  # fmt: skip
    with pytest.raises(rp.ReportError, match="is of another scope"):
        rp.build_report(_listing([_account(1, name="Sales")]), RULES, json.loads(fjson.to_json(full)), DAY.format(2),
                        {"name": "Sales"}, caller)  # fmt: skip


def test_a_filter_s_generated_at_that_is_no_time_never_becomes_a_first_seen():
    report = rp.build_report(_listing([_account(1, name="Sales")]), RULES, None, "nightly run")
    assert lc.parse_time(report["violations"][0]["first_seen"]) is not None


def test_an_age_counts_calendar_days_in_utc_as_the_due_day_does():
    first = json.loads(fjson.to_json(rp.build_report(_listing([_account(1, name="Sales")]), RULES, None,
                                                     "2026-11-01T23:30:00+00:00")))  # fmt: skip
    next_day = rp.build_report(_listing([_account(1, name="Sales")]), RULES, first, "2026-11-02T00:10:00+00:00")
    assert next_day["violations"][0]["age_days"] == 1
