# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OCSF events and the findings CSV across two AWX-style jobs (ansible-runner, a fresh private data directory
each): the second job, whose baseline is the first's report, resolves a finding that was fixed in between. Its
Resolved event closes the first job's case (the same finding_info.uid), and the findings still open keep the
first job's time as their first seen.

The clock: the first job's report is moved a day back (its time and its findings' first and last seen) before the
second job reads it, so that the two jobs' times differ whatever the second job's clock says."""

import csv
import datetime
import io
import json

import pytest
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud

from e2e.awx_jobs import run_job
from fake_chime.data import audit_sample
from fake_chime.server import FakeChime

TENANT = "444455556666"
KEY, SECRET = "AKIAOCSFLIFECYCLE001", "ocsf-life-cycle-secret"
NAME = "chime-account-audit"
SUSPENDED = "no_suspended_accounts"


@pytest.fixture
def chime():
    """The fake Chime endpoint with one tenant: an audit sample whose accounts 5 and 9 are suspended."""
    server = FakeChime().start()
    server.add_tenant(audit_sample(120, seed=11, aws_account_id=TENANT), KEY, SECRET)
    yield server
    server.stop()


def _run(tmp_path, chime, name, baseline=None):
    """A job writing the JSON report, both CSV files and the OCSF events; returns the job and what it wrote."""
    reports = tmp_path / name / "reports"
    survey = {"account_audit_endpoint_url": chime.url, "account_audit_dest": str(reports),
              "account_audit_formats": ["json", "csv", "ocsf"], "audit_fail_on_violation": False}  # fmt: skip
    if baseline is not None:
        survey["account_audit_baseline"] = str(baseline)
    env = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_ENDPOINT_URL_STS": chime.url}
    job = run_job(tmp_path / name, env, survey)
    assert job.status == "successful", job.stdout
    report = json.loads((reports / f"{NAME}.json").read_text(encoding="utf-8"))
    events = json.loads((reports / f"{NAME}.ocsf.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((reports / f"{NAME}.findings.csv").read_text(encoding="utf-8"), newline="")))
    return report, events, rows, reports / f"{NAME}.json"


def _day_back(report, path):
    """The report with its times a day earlier, written to ``path``."""

    def back(text):
        return (datetime.datetime.fromisoformat(text) - datetime.timedelta(days=1)).isoformat()

    moved = dict(report, generated_at=back(report["generated_at"]))
    for findings in ("violations", "waived"):
        moved[findings] = [dict(f, first_seen=back(f["first_seen"]), last_seen=back(f["last_seen"]))
                           for f in report[findings]]  # fmt: skip
    path.write_text(json.dumps(moved), encoding="utf-8")
    return moved


def _milliseconds(text):
    return int(datetime.datetime.fromisoformat(text).timestamp() * 1000)


def _validate(event):
    """The event as py-ocsf-models reads it: accepted, and every attribute the model knows read back unchanged
    (the cloud profile's ``cloud`` and the compliance status's caption are not in its model; see test_ocsf.py)."""
    model = ComplianceFinding.model_validate(event)
    expected = {key: value for key, value in event.items() if key != "cloud"}
    expected["compliance"] = {key: value for key, value in event["compliance"].items() if key != "status"}
    assert model.model_dump(mode="json", exclude_none=True) == expected
    Cloud.model_validate(event["cloud"])


def _by_key(events):
    return {(e["resources"][0]["uid"], e["compliance"]["control"]): e for e in events}


def test_a_resolved_finding_closes_the_case_the_first_run_opened(chime, tmp_path):
    data = chime.tenants[TENANT].data
    fixed, still = data.accounts[5]["AccountId"], data.accounts[9]["AccountId"]
    report, first_events, _rows, _path = _run(tmp_path, chime, "1")
    one = _day_back(report, tmp_path / "day-ago.json")
    first = _by_key(first_events)
    assert len(first_events) == len(one["violations"]) + len(one["waived"]) and (fixed, SUSPENDED) in first
    for event in first_events:
        _validate(event)
        info = event["finding_info"]
        assert (event["status"], event["activity_name"], info["first_seen_time"]) == ("New", "Create", event["time"])

    data.accounts[5]["AccountStatus"] = "Active"  # fixed between the two jobs
    chime.add_tenant(data, KEY, SECRET)
    two, second_events, rows, _path = _run(tmp_path, chime, "2", tmp_path / "day-ago.json")
    assert [(f["account_id"], f["rule"]) for f in two["resolved"]] == [(fixed, SUSPENDED)]
    for event in second_events:
        _validate(event)
    # The Resolved event: the first job's finding, closed, no longer failing its rule.
    (closed,) = [e for e in second_events if e["status"] == "Resolved"]
    assert closed == second_events[-1] and _by_key([closed]).keys() == {(fixed, SUSPENDED)}
    assert closed["finding_info"]["uid"] == first[(fixed, SUSPENDED)]["finding_info"]["uid"]
    assert (closed["status_id"], closed["activity_id"], closed["activity_name"], closed["type_uid"]) == (
        4, 3, "Close", 200303,
    )  # fmt: skip
    assert (closed["compliance"]["status_id"], closed["compliance"]["status"]) == (1, "Pass")
    assert closed["status_detail"] == "Resolved: no longer violates."
    assert closed["time"] == _milliseconds(two["generated_at"])
    then = _milliseconds(one["generated_at"])
    assert then == first[(fixed, SUSPENDED)]["time"] - 86_400_000
    assert (closed["finding_info"]["first_seen_time"], closed["finding_info"]["last_seen_time"]) == (then, then)
    # The findings still open: the same cases, updated, first seen by the first job.
    second = _by_key(second_events)
    assert set(second) == set(first)
    for key, event in second.items():
        if key == (fixed, SUSPENDED):
            continue
        assert event["finding_info"]["uid"] == first[key]["finding_info"]["uid"]
        assert (event["status"], event["status_id"], event["activity_name"]) == ("In Progress", 2, "Update")
        assert event["finding_info"]["first_seen_time"] == event["finding_info"]["created_time"] == then
        assert event["finding_info"]["last_seen_time"] == event["time"] == closed["time"] > then
        assert event["unmapped"]["state"] == "open" and event["compliance"]["status"] == "Fail"
    assert (still, SUSPENDED) in second
    # The findings CSV: the open findings with their life cycle, and the resolved one as a row of its own.
    assert len(rows) == len(two["violations"]) + len(two["waived"]) + 1
    (resolved,) = [row for row in rows if row["status"] == "resolved"]
    assert (resolved["account_id"], resolved["rule"], resolved["state"]) == (fixed, SUSPENDED, "resolved")
    assert (resolved["first_seen"], resolved["resolved_at"], resolved["resolved_reason"]) == (
        one["generated_at"], two["generated_at"], "no longer violates",
    )  # fmt: skip
    assert {
        (row["status"], row["state"], row["first_seen"], row["age_days"]) for row in rows if row is not resolved
    } == {("open", "open", one["generated_at"], "1")}
