# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The trend across runs: scheduled AWX-style jobs (ansible-runner, a fresh private data directory each) keep
their history in moto's S3 behind the fake S3's gate; each run's report shows the finding counts of the last
complete runs of its scope, read from their manifests. The HTML report is opened in Debian's chromium."""

import json
import os
import re

import pytest
from playwright.sync_api import expect

from e2e.awx_jobs import run_job

# browser, bucket and services are fixtures, asked for by name (request.getfixturevalue) in the tests below.
from e2e.test_audit_html import browser  # noqa: F401 pylint: disable=unused-import
from e2e.test_audit_html import open_report
from e2e.test_audit_s3 import KEY
from e2e.test_audit_s3 import SECRET
from e2e.test_audit_s3 import TENANT
from e2e.test_audit_s3 import TOKEN
from e2e.test_audit_s3 import aws_env
from e2e.test_audit_s3 import bucket  # noqa: F401 pylint: disable=unused-import
from e2e.test_audit_s3 import runs
from e2e.test_audit_s3 import services  # noqa: F401 pylint: disable=unused-import

SEVERITIES = ("critical", "high", "medium", "low", "informational")  # as the reports show them, highest first


def _change(chime, run):
    """The accounts between the jobs: findings of several severities come and go."""
    data = chime.tenants[TENANT].data
    accounts = data.accounts
    if run == 2:
        accounts[40]["AccountStatus"] = accounts[41]["AccountStatus"] = "Suspended"  # critical, in these jobs
        accounts[20].update(DefaultLicense="Pro", SupportedLicenses=["Pro"])  # a low one fixed
    elif run == 3:
        accounts[12]["SigninDelegateGroups"] = [{"GroupName": "chime-admins"}]  # a high one fixed
        accounts[50].update(AccountType="EnterpriseOIDC", SigninDelegateGroups=[])
        accounts[51].update(AccountType="EnterpriseOIDC", SigninDelegateGroups=[])
    elif run == 4:
        accounts[5]["AccountStatus"] = "Active"
        for index in (60, 61, 62):
            accounts[index].update(DefaultLicense="ProTrial", SupportedLicenses=["ProTrial"])
    elif run == 5:
        accounts[7]["Name"] = "Renamed"
        accounts.pop(9)  # a suspended one: resolved, account removed
    chime.add_tenant(data, KEY, SECRET, session_token=TOKEN)


def _report(s3, name, folder, ext="json"):
    return s3.get(name, f"{folder}chime-account-audit.{ext}").decode("utf-8")


def _open_counts(findings):
    return {s: findings["by_severity"][s]["new"] + findings["by_severity"][s]["open"] for s in SEVERITIES}


def _md_trend(markdown):
    """The Markdown report's trend table: one dict per run of its run folder and open findings by severity."""
    section = markdown.split("## Trend\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.split("\n") if line.startswith("| ") and not line.startswith("| Generated")]
    rows = [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return [
        {"run_folder": row[1].replace("\\://", "://"), **dict(zip(SEVERITIES, map(int, row[2:7]), strict=True))}
        for row in rows
    ]


def test_five_scheduled_runs_show_their_trend_from_the_manifests_and_skip_what_is_damaged(request, tmp_path):
    chime, s3 = request.getfixturevalue("services")  # the fixtures of the modules imported above
    name, chromium = request.getfixturevalue("bucket"), request.getfixturevalue("browser")
    survey = {"account_audit_endpoint_url": chime.url, "audit_s3_bucket": name, "audit_fail_on_violation": False}
    survey["account_audit_severities"] = {"no_suspended_accounts": "critical"}
    envvars = dict(aws_env(chime, s3), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    for run in range(1, 6):
        if run > 1:
            _change(chime, run)
        job = run_job(tmp_path / f"run{run}", envvars, survey)
        assert job.status == "successful", job.stdout
    folders = list(runs(s3, name))
    assert len(folders) == 5
    reports = [json.loads(_report(s3, name, folder)) for folder in folders]
    expected = [_open_counts(report["summary"]["findings"]) for report in reports]
    assert len({counts["critical"] for counts in expected}) > 1 and len({c["high"] for c in expected}) > 1
    newest = reports[-1]
    # The JSON report: each complete run, oldest first, with its counts, this run last.
    assert [p["run_folder"] for p in newest["trend"]] == [f"s3://{name}/{folder}" for folder in folders]
    assert [p["findings"] for p in newest["trend"]] == [r["summary"]["findings"] for r in reports]
    assert [p["generated_at"] for p in newest["trend"]] == [r["generated_at"] for r in reports]
    # The Markdown report's table.
    table = _md_trend(_report(s3, name, folders[-1], "md"))
    assert [row.pop("run_folder") for row in table] == [f"s3://{name}/{folder}" for folder in folders]
    assert table == expected
    # The HTML report in Chromium: five points per severity, each with its run's count, none fetched or run.
    path = tmp_path / "trend.html"
    path.write_text(_report(s3, name, folders[-1], "html"), encoding="utf-8")
    page, seen = open_report(chromium, path)
    chart = page.locator("svg#chart-trend")
    assert chart.is_visible() and chart.bounding_box()["width"] > 400
    for severity in SEVERITIES:
        points = chart.locator(f'circle[data-series="{severity}"]')
        assert points.count() == 5, severity
        counts = [int(c) for c in points.evaluate_all("ps => ps.map(p => p.getAttribute('data-count'))")]
        assert counts == [row[severity] for row in expected], severity
        heights = points.evaluate_all("ps => ps.map(p => p.getBBox().y)")
        # A higher count is drawn higher (a smaller y), the same count at the same height.
        drawn = list(zip(counts, heights, strict=True))
        for (one, y_one), (other, y_other) in zip(drawn, drawn[1:], strict=False):
            assert (one > other) == (y_one < y_other) and (one == other) == (y_one == y_other), severity
    rows = page.locator("#trend tbody tr")
    assert rows.count() == 5 and rows.nth(4).locator("td").nth(2).inner_text() == str(expected[-1]["critical"])
    # The new and resolved findings of the last run, with the filter and sort of the other tables.
    resolved = newest["resolved"]
    assert {(f["account_id"], f["resolved_reason"]) for f in resolved} >= {
        (reports[3]["accounts"][9]["account_id"], "account removed")
    }
    assert page.locator("#findings-resolved tbody tr").count() == len(resolved)
    page.locator("#findings-resolved-filter").fill("account removed")
    expect_rows = sum(1 for f in resolved if f["resolved_reason"] == "account removed")
    expect(page.locator("#findings-resolved tbody tr:visible")).to_have_count(expect_rows)  # after 150 ms
    assert expect_rows < len(resolved)  # the filter hid some
    page.locator("#findings-resolved th").nth(9).get_by_role("button").click()  # Age (days): by value
    ages = page.locator("#findings-resolved tbody tr:visible td:nth-child(10)").all_inner_texts()
    assert ages == sorted(ages, key=int) and len(ages) == expect_rows
    assert seen["errors"] == [] and seen["dialogs"] == [] and [r for r in seen["requests"] if r != path.as_uri()] == []

    # A run of another scope, under a prefix of its own in the same bucket: never in this trend.
    other = dict(survey, account_audit_s3_prefix="other-scope/", account_audit_name="Team")
    assert run_job(tmp_path / "other", envvars, other).status == "successful"
    assert len(runs(s3, name, "other-scope/")) == 1
    # The second run's manifest deleted, the third's rewritten: both left out of the next run's trend.
    s3.delete(name, f"{folders[1]}manifest.json")
    manifest = json.loads(s3.get(name, f"{folders[2]}manifest.json"))
    manifest["counts"]["findings"]["by_severity"]["critical"]["open"] = 999
    s3.put(name, f"{folders[2]}manifest.json", json.dumps(manifest, indent=2))
    s3.reset_log()
    sixth = run_job(tmp_path / "run6", envvars, survey)
    assert sixth.status == "successful", sixth.stdout
    assert f"s3://{name}/{folders[2]}manifest.json is left out" in re.sub(r"\s+", " ", sixth.stdout)
    folders6 = list(runs(s3, name))
    assert len(folders6) == 6
    trend = json.loads(_report(s3, name, folders6[-1]))["trend"]
    kept = [folders[0], folders[3], folders[4], folders6[-1]]
    assert [p["run_folder"] for p in trend] == [f"s3://{name}/{folder}" for folder in kept]
    assert [_open_counts(p["findings"]) for p in trend[:3]] == [expected[0], expected[3], expected[4]]
    table = _md_trend(_report(s3, name, folders6[-1], "md"))
    assert [row["run_folder"] for row in table] == [p["run_folder"] for p in trend]
    # Only manifests were read for it: no report but the baseline (the pointer's run, the fifth).
    gets = [e["key"] for e in s3.requests("GetObject")]
    reports_read = [key for key in gets if not key.endswith(("manifest.json", "latest.json"))]
    assert reports_read == [f"{folders[4]}chime-account-audit.json"], gets
    # Check mode reads the trend too (the same requests), and writes nothing.
    s3.reset_log()
    check = run_job(tmp_path / "check", envvars, survey, cmdline="--check")
    assert check.status == "successful", check.stdout
    log = [(e["operation"], e["key"]) for e in s3.requests()]
    assert ("ListObjectsV2", None) in log and not [op for op, _key in log if op.startswith("Put")]
    after = log[log.index(("ListObjectsV2", None)) + 1 :]  # the trend's: every run folder's manifest, newest first
    assert after == [("GetObject", f"{folder}manifest.json") for folder in reversed(folders6)], log


@pytest.mark.parametrize("check", [False, True], ids=["run", "check-mode"])
def test_without_s3_history_the_reports_say_there_is_no_trend(request, tmp_path, check):
    chime, s3 = request.getfixturevalue("services")
    s3.reset_log()
    survey = {"account_audit_endpoint_url": chime.url, "audit_fail_on_violation": False}
    envvars = dict(aws_env(chime, s3), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    job = run_job(tmp_path, envvars, survey, cmdline="--check" if check else None)
    assert job.status == "successful", job.stdout
    reports = tmp_path / "job" / "project" / "chime-account-audit"
    if check:  # nothing written, nothing asked of S3
        assert not reports.exists() and s3.requests() == []
        return
    assert json.loads((reports / "chime-account-audit.json").read_text(encoding="utf-8"))["trend"] is None
    assert "No trend: it is read from the manifests" in (reports / "chime-account-audit.md").read_text()
    assert 'id="trend-none"' in (reports / "chime-account-audit.html").read_text()
