# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy as data in AWX jobs of docs/examples/awx/audit.yml: the severity that fails a job, and the project's
policy file (docs/examples/awx/policy.yml) with custom rules, severities and waivers, against the fake endpoint."""

import datetime
import json
import os

import pytest
import yaml

from e2e.awx_jobs import AWX_EXAMPLES
from e2e.awx_jobs import run_job
from e2e.awx_jobs import stats_data
from fake_chime.data import audit_sample
from fake_chime.server import FakeChime

TENANT = "444455556666"
KEY, SECRET = "AKIAPOLICYAUDITKEY01", "policy-audit-secret"
ENV = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
ENV.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)


@pytest.fixture
def sample():
    server = FakeChime().start()
    server.add_tenant(audit_sample(300, seed=7, aws_account_id=TENANT), KEY, SECRET)
    try:
        yield server
    finally:
        server.stop()


def job(tmp_path, server, project_files=None, **extravars):
    extravars = dict(extravars, account_audit_endpoint_url=server.url, account_audit_dest=str(tmp_path / "reports"))
    return run_job(tmp_path, dict(ENV, AWS_ENDPOINT_URL_STS=server.url), extravars, project_files=project_files)


def failure_message(result):
    (failed,) = [e for e in result.events if e["event"] == "runner_on_failed"]
    return failed["event_data"]["res"]["msg"]


def test_low_findings_pass_at_medium_and_one_high_finding_fails_naming_it(sample, tmp_path):
    data = sample.tenants[TENANT].data
    low = [a for a in data.accounts if a["DefaultLicense"] not in ("Basic", "Plus")]  # the rule's severity is low
    rules = {"allowed_default_licenses": ["Basic", "Plus"]}
    passed = job(tmp_path / "low", sample, account_audit_rules=rules, account_audit_fail_severity="medium")
    assert passed.status == "successful", passed.stdout
    stats = stats_data(passed)
    assert stats["account_audit_outcome"] == "non_compliant"  # a fact, whatever fails the job
    assert stats["account_audit_severity_counts"] == {
        "critical": 0, "high": 0, "medium": 0, "low": len(low), "informational": 0,
    }  # fmt: skip
    assert stats["account_audit_summary"]["violations"]["failing"] == 0
    assert f"Violations: {len(low)} (low: {len(low)}); 0 at or above medium, the severity that fails the job" in (
        passed.stdout
    )

    # One Enterprise account without a sign-in delegate group: enterprise_signin_delegate_groups is high.
    ungrouped = data.accounts[12]
    rules["enterprise_signin_delegate_groups"] = True
    failed = job(tmp_path / "high", sample, account_audit_rules=rules, account_audit_fail_severity="medium")
    assert failed.status == "failed"
    message = failure_message(failed)
    assert "At or above medium: 1 violation(s) (enterprise_signin_delegate_groups: 1)" in message, message
    assert f"{ungrouped['Name']} (high)" in message
    assert stats_data(failed)["account_audit_severity_counts"]["high"] == 1


def test_the_projects_policy_file_with_custom_rules_severities_and_waivers(sample, tmp_path):
    """The example policy file, with its waivers' dates moved around today: one active on an account named
    like its glob, one expiring soon that matches nothing, one expired on a suspended account."""
    data = sample.tenants[TENANT].data
    sandbox = data.accounts[3]
    sandbox.update(Name="Sandbox Lab", AccountType="Team", DefaultLicense="Basic")
    suspended = data.accounts[5]  # an AUDIT_VIOLATORS account: suspended
    sample.add_tenant(data, KEY, SECRET)
    with open(os.path.join(AWX_EXAMPLES, "policy.yml"), encoding="utf-8") as handle:
        policy = yaml.safe_load(handle)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    policy["waivers"][0]["expires"] = (today + datetime.timedelta(days=90)).isoformat()
    policy["waivers"].append(
        {"rule": "no_suspended_accounts", "account_id": suspended["AccountId"], "reason": "being closed",
         "expires": (today - datetime.timedelta(days=2)).isoformat(), "ticket": "CHG-1"}
    )  # fmt: skip
    policy["waivers"].append(
        {"rule": "no_suspended_accounts", "aws_account_id": "999999999999", "reason": "another tenant",
         "expires": (today + datetime.timedelta(days=10)).isoformat()}
    )  # fmt: skip
    files = {"policy-dated.yml": yaml.safe_dump(policy)}
    formats = ["json", "markdown", "ocsf"]
    result = job(tmp_path, sample, files, audit_policy_file="policy-dated.yml", account_audit_formats=formats)
    report = json.loads((tmp_path / "reports" / "chime-account-audit.json").read_text(encoding="utf-8"))
    source = report["source"]["policy"]
    assert (source["name"], source["version"], source["fail_severity"]) == (policy["name"], "2026.12", "medium")
    assert source["rules"]["name_pattern"]["severity"] == "informational"  # the file's override
    assert source["rules"]["team-accounts-default-to-pro"]["kind"] == "custom"
    # The active waiver: the sandbox's custom-rule finding is waived, its other findings (if any) stand.
    (waived,) = report["waived"]
    assert (waived["account_id"], waived["rule"], waived["waiver"]["state"]) == (
        sandbox["AccountId"], "team-accounts-default-to-pro", "active",
    )  # fmt: skip
    assert waived["waiver"]["ticket"] == "CHG-2041"
    # The expired waiver: the suspension is open again, and says which waiver expired, and when.
    (reopened,) = [v for v in report["violations"] if v["account_id"] == suspended["AccountId"]
                   and v["rule"] == "no_suspended_accounts"]  # fmt: skip
    assert reopened["waiver"]["state"] == "expired"
    assert f"(CHG-1) expired on {(today - datetime.timedelta(days=2)).isoformat()}: being closed" in reopened["detail"]
    # The waiver that matched nothing, which also expires soon.
    assert [w["aws_account_id"] for w in report["waivers"]["unused"]] == ["999999999999"]
    assert {w.get("aws_account_id") for w in report["waivers"]["expiring"]} == {"999999999999"}
    assert report["summary"]["waivers"] == {"active": 2, "expired": 1, "unused": 1, "expiring": 1}
    # Counts by severity agree with the findings, in the summary, in set_stats and in the job's output.
    by_severity = {s: 0 for s in ("critical", "high", "medium", "low", "informational")}
    for violation in report["violations"]:
        by_severity[violation["severity"]] += 1
    stats = stats_data(result)
    assert stats["account_audit_severity_counts"] == by_severity == report["summary"]["violations"]["by_severity"]
    failing = sum(by_severity[s] for s in ("critical", "high", "medium"))
    assert failing and (result.status == "failed") and report["summary"]["violations"]["failing"] == failing
    assert f"At or above medium: {failing} violation(s)" in failure_message(result)
    assert "Waived: 1 finding(s)" in result.stdout and "1 matching nothing, 1 expiring soon" in result.stdout
    # One OCSF Compliance Finding per violation and per waived finding (each validated in test_ocsf.py).
    events = json.loads((tmp_path / "reports" / "chime-account-audit.ocsf.json").read_text(encoding="utf-8"))
    assert len(events) == len(report["violations"]) + len(report["waived"])
    assert {e["class_uid"] for e in events} == {2003}
    assert [e["status"] for e in events].count("Suppressed") == 1
    assert {s for e in events for s in e["compliance"]["standards"]} == {f"{policy['name']} 2026.12"}
    markdown = (tmp_path / "reports" / "chime-account-audit.md").read_text(encoding="utf-8")
    assert "## Waived findings" in markdown and "## Waivers that matched nothing" in markdown
    assert "## Expired waivers" in markdown and "CHG-2041" in markdown
