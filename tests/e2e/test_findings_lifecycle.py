# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings across runs, through AWX-style jobs (ansible-runner, a fresh private data directory each): when each
was first seen, its state, its deadline, what was resolved, and the gate that fails on new or overdue ones.

The clock: run 3 is "a week later" because the report it compares with is moved eight days back (its time and
every finding's first and last seen), as if runs 1 and 2 had been made then. Nothing in the collection is told."""

import datetime
import json

import pytest

from e2e.awx_jobs import run_job
from e2e.awx_jobs import stats_data
from fake_chime.data import audit_sample
from fake_chime.server import FakeChime

TENANT = "444455556666"
KEY, SECRET = "AKIALIFECYCLEKEY0001", "life-cycle-secret"
REPORT = "chime-account-audit.json"
SHIFTED = ("generated_at", "first_seen", "last_seen", "resolved_at", "baseline_generated_at")


@pytest.fixture
def chime():
    """The fake Chime endpoint with one tenant: an audit sample with its violations (accounts 5 and 9
    suspended, 12 an Enterprise account without groups, 20 on a ProTrial license, 7 and 30 oddly named)."""
    server = FakeChime().start()
    server.add_tenant(audit_sample(120, seed=11, aws_account_id=TENANT), KEY, SECRET)
    yield server
    server.stop()


def _env(chime):
    return {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_ENDPOINT_URL_STS": chime.url}


def _run(tmp_path, chime, name, baseline=None, **extra):
    survey = {"account_audit_endpoint_url": chime.url, "account_audit_dest": str(tmp_path / name / "reports")}
    survey.update(account_audit_formats=["json"], audit_fail_on_violation=False)
    survey.update(extra)
    if baseline is not None:
        survey["account_audit_baseline"] = str(baseline)
    job = run_job(tmp_path / name, _env(chime), survey)
    report = tmp_path / name / "reports" / REPORT
    return job, (json.loads(report.read_text(encoding="utf-8")) if report.exists() else None), report


def _failure(job):
    (failed,) = [e for e in job.events if e["event"] == "runner_on_failed"]
    return failed["event_data"]["res"]["msg"]


def _by_account(findings):
    return {(f["account_id"], f["rule"]): f for f in findings}


def _moved_back(value, days):
    """``value`` (a report, read back) with every time it records moved ``days`` days back."""
    if isinstance(value, dict):
        moved = {}
        for key, item in value.items():
            if key in SHIFTED and isinstance(item, str):
                moment = datetime.datetime.fromisoformat(item) - datetime.timedelta(days=days)
                moved[key] = moment.isoformat()
            else:
                moved[key] = _moved_back(item, days)
        return moved
    if isinstance(value, list):
        return [_moved_back(item, days) for item in value]
    return value


def test_three_runs_carry_first_seen_resolve_what_was_fixed_and_gate_on_new_then_on_overdue(chime, tmp_path):
    data = chime.tenants[TENANT].data
    ids = {n: data.accounts[n]["AccountId"] for n in (5, 9, 12, 20, 40)}
    first, one, first_path = _run(tmp_path, chime, "1")
    assert first.status == "successful", first.stdout
    assert one["report_format"] == 5 and one["resolved"] == []
    assert {f["state"] for f in one["violations"]} == {"new"}
    assert {f["first_seen"] for f in one["violations"]} == {one["generated_at"]}
    before = _by_account(one["violations"])
    assert (ids[5], "no_suspended_accounts") in before and (ids[20], "allowed_default_licenses") in before
    assert f"Findings: {len(before)} new, 0 open, 0 waived, 0 resolved (no baseline" in first.stdout

    # Run 2 fixes two (account 5 active again, account 20 on Pro), adds one (account 40 suspended), and fails
    # on the new one only.
    data.accounts[5]["AccountStatus"] = "Active"
    data.accounts[20].update(DefaultLicense="Pro", SupportedLicenses=["Pro"])
    data.accounts[40]["AccountStatus"] = "Suspended"
    chime.add_tenant(data, KEY, SECRET)
    second, two, second_path = _run(tmp_path, chime, "2", first_path, account_audit_fail_gate="new",
                                    audit_fail_on_violation=True)  # fmt: skip
    assert second.status == "failed"
    message = _failure(second)
    new_name = data.accounts[40]["Name"]
    assert f"New: 1 finding(s): {new_name} ({ids[40]}, no_suspended_accounts, medium, new)." in message
    assert f"{len(before) - 2} older finding(s) do not fail it (fail_gate: new)." in message
    after = _by_account(two["violations"])
    assert after[(ids[40], "no_suspended_accounts")]["state"] == "new"
    assert after[(ids[40], "no_suspended_accounts")]["first_seen"] == two["generated_at"]
    kept = {key: f for key, f in after.items() if key != (ids[40], "no_suspended_accounts")}
    assert set(kept) == set(before) - {(ids[5], "no_suspended_accounts"), (ids[20], "allowed_default_licenses")}
    assert all(f["state"] == "open" and f["first_seen"] == one["generated_at"] for f in kept.values())
    assert all(f["uid"] == before[key]["uid"] for key, f in kept.items())
    resolved = {(f["account_id"], f["rule"]): f["resolved_reason"] for f in two["resolved"]}
    assert resolved == {
        (ids[5], "no_suspended_accounts"): "no longer violates",
        (ids[20], "allowed_default_licenses"): "no longer violates",
    }
    counts = two["summary"]["findings"]
    assert (counts["new"], counts["open"], counts["resolved"], counts["since"]) == (
        1, len(before) - 2, 2, one["generated_at"],
    )  # fmt: skip
    stats = stats_data(second)
    assert stats["account_audit_finding_counts"] == counts and stats["account_audit_outcome"] == "non_compliant"
    since = one["generated_at"][:10]
    assert f"Findings: 1 new, {len(before) - 2} open, 0 waived, 2 resolved since {since}" in second.stdout

    # A week later, with a 7-day deadline for medium findings: the suspended accounts (9, first seen in run 1,
    # and 40, in run 2) are overdue by a day; the others have no deadline. Nothing is new.
    week_ago = tmp_path / "week-ago.json"
    week_ago.write_text(json.dumps(_moved_back(two, 8)), encoding="utf-8")
    deadlines = {"account_audit_sla_days": {"medium": 7}, "audit_fail_on_violation": True}
    calm, three, _path = _run(tmp_path, chime, "3-new", week_ago, account_audit_fail_gate="new", **deadlines)
    assert calm.status == "successful", calm.stdout
    (audited,) = [
        e for e in calm.events if e["event"] == "runner_on_ok" and e["event_data"]["task"] == "Audit the Chime accounts"
    ]
    assert "None new: the job does not fail." in audited["event_data"]["res"]["msg"]
    overdue = {key: f for key, f in _by_account(three["violations"]).items() if f["overdue_days"]}
    assert set(overdue) == {(ids[9], "no_suspended_accounts"), (ids[40], "no_suspended_accounts")}
    assert all((f["age_days"], f["overdue_days"], f["state"]) == (8, 1, "open") for f in overdue.values())
    first_seen = {key: f["first_seen"] for key, f in _by_account(three["violations"]).items()}
    assert first_seen == {key: f["first_seen"] for key, f in _by_account(_moved_back(two, 8)["violations"]).items()}
    counts = three["summary"]["findings"]
    assert (counts["new"], counts["overdue"], counts["by_severity"]["medium"]["overdue"]) == (0, 2, 2)
    assert stats_data(calm)["account_audit_finding_counts"]["overdue"] == 2
    late, _report, _path = _run(
        tmp_path, chime, "3-overdue", week_ago, account_audit_fail_gate="new_or_overdue", **deadlines
    )
    assert late.status == "failed"
    message = _failure(late)
    named = sorted(
        f"{data.accounts[n]['Name']} ({ids[n]}, no_suspended_accounts, medium, overdue by 1 day(s))" for n in (9, 40)
    )
    assert "New or overdue: 2 finding(s): " in message and all(words in message for words in named)
    assert f"{len(after) - 2} older finding(s) do not fail it (fail_gate: new_or_overdue)." in message


def test_a_refused_run_resolves_nothing_and_the_next_one_keeps_first_seen(chime, tmp_path):
    first, one, first_path = _run(tmp_path, chime, "1")
    assert first.status == "successful", first.stdout
    chime.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    refused, two, second_path = _run(tmp_path, chime, "2", first_path, account_audit_on_denied="warn",
                                     account_audit_backoff_retries=0)  # fmt: skip
    assert refused.status == "successful" and stats_data(refused)["account_audit_outcome"] == "incomplete"
    assert two["resolved"] == [] and two["summary"]["findings"]["not_compared"] == len(one["violations"])
    assert "resolved" not in refused.stdout.split("Findings:")[1].split("\n")[0].replace("0 resolved", "")
    chime.set_faults(TENANT, {})
    third, three, _path = _run(tmp_path, chime, "3", second_path)
    assert third.status == "successful", third.stdout
    assert three["resolved"] == [] and {f["state"] for f in three["violations"]} == {"open"}
    assert {f["first_seen"] for f in three["violations"]} == {one["generated_at"]}


def test_a_filtered_run_against_the_full_run_s_report_is_refused_and_resolves_nothing(chime, tmp_path):
    first, one, first_path = _run(tmp_path, chime, "1")
    assert first.status == "successful", first.stdout
    filtered, two, _path = _run(
        tmp_path, chime, "2", first_path, account_audit_name=chime.tenants[TENANT].data.accounts[0]["Name"][:3]
    )
    assert filtered.status == "failed" and two is None
    assert _failure(filtered).startswith(
        f"Chime account audit did not run: the baseline {first_path} is of another scope"
    )
    assert json.loads(first_path.read_text(encoding="utf-8")) == one
