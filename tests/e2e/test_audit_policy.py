# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy as data in AWX jobs of docs/examples/awx/audit.yml: the severity that fails a job, and the project's
policy file (docs/examples/awx/policy.yml) with custom rules, severities and waivers, against the fake endpoint."""

import datetime
import json
import os
import re

import pytest
import yaml

from ansible_collections.chime.admin.plugins.plugin_utils._scope import build_scope

from e2e.awx_jobs import AWX_EXAMPLES
from e2e.awx_jobs import artifact_text
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


ISSUE_POLICY = {
    "name": "Example Corp Chime policy",
    "version": "2026.12",
    "rules": {"no_suspended_accounts": True, "enterprise_signin_delegate_groups": True},
    "fail_severity": "medium",
}
DEMOTED = {"no_suspended_accounts": "informational", "enterprise_signin_delegate_groups": "informational"}


def _waive_all(**match):
    return [{"rule": rule, **match, "reason": "not now", "expires": "2999-12-31"} for rule in DEMOTED]


def test_a_policy_file_with_severities_and_waivers_from_the_variables_says_so_everywhere(sample, tmp_path):
    """The file fails the job on its own. Variables that demote its rules and waive every name make the job pass:
    the report, the OCSF standard, the Markdown and HTML reports and the job's output say which parts came from
    the variables."""
    files = {"policy.yml": yaml.safe_dump(ISSUE_POLICY)}
    formats = ["json", "markdown", "html", "ocsf"]
    alone = job(tmp_path / "alone", sample, files, audit_policy_file="policy.yml", account_audit_formats=formats)
    assert alone.status == "failed" and "At or above medium:" in failure_message(alone)
    # A waiver's name is the account's name exactly: "*" waives no account, so the job still fails.
    literal = job(tmp_path / "literal", sample, files, audit_policy_file="policy.yml",
                  account_audit_severities={"no_suspended_accounts": "medium"},
                  account_audit_waivers=_waive_all(name="*"))  # fmt: skip
    assert literal.status == "failed"
    mixed = job(tmp_path / "mixed", sample, files, audit_policy_file="policy.yml", account_audit_formats=formats,
                account_audit_severities=DEMOTED, account_audit_waivers=_waive_all(name_glob="*"))  # fmt: skip
    assert mixed.status == "successful", mixed.stdout
    reports = tmp_path / "mixed" / "reports"
    recorded = json.loads((reports / "chime-account-audit.json").read_text(encoding="utf-8"))["source"]["policy"]
    assert (recorded["name"], recorded["version"], recorded["policy_file"], recorded["exclusive"]) == (
        "Example Corp Chime policy", "2026.12", "policy.yml", False,
    )  # fmt: skip
    assert recorded["origins"] == {"rules": "policy_file", "custom_rules": "default", "severities": "variables",
                                   "waivers": "variables", "fail_severity": "policy_file",
                                   "sla_days": "default", "fail_gate": "default"}  # fmt: skip
    words = "Example Corp Chime policy 2026.12, from the policy file policy.yml; set in the variables instead:"
    words += " severities, waivers"
    assert f"Policy: {words}" in mixed.stdout
    assert f"Policy: {words}." in (reports / "chime-account-audit.md").read_text(encoding="utf-8")
    assert f'<p id="policy">Policy: {words}.</p>' in (reports / "chime-account-audit.html").read_text(encoding="utf-8")
    events = json.loads((reports / "chime-account-audit.ocsf.json").read_text(encoding="utf-8"))
    assert events and {s for e in events for s in e["compliance"]["standards"]} == {
        "Example Corp Chime policy 2026.12, with severities, waivers set outside it"
    }
    assert [e["status"] for e in events] == ["Suppressed"] * len(events)
    assert stats_data(mixed)["account_audit_complete"] is True


def test_an_exclusive_policy_file_refuses_parts_set_in_the_variables_before_any_request(sample, tmp_path):
    files = {"policy.yml": yaml.safe_dump(dict(ISSUE_POLICY, exclusive=True))}
    refused = job(tmp_path, sample, files, audit_policy_file="policy.yml", account_audit_severities=DEMOTED,
                  account_audit_waivers=_waive_all(name_glob="*"))  # fmt: skip
    assert refused.status == "failed"
    assert failure_message(refused) == (
        "Chime account audit did not run: the policy file policy.yml is the whole policy (exclusive: true), but the"
        " variables set severities, waivers: set them in the file, or leave them unset."
    )
    assert sample.log == [] and not (tmp_path / "reports").exists()  # not even STS GetCallerIdentity
    assert stats_data(refused)["account_audit_outcome"] == "incomplete"
    assert stats_data(refused)["account_audit_complete"] is False
    alone = job(tmp_path / "alone", sample, files, audit_policy_file="policy.yml")
    assert alone.status == "failed" and "At or above medium:" in failure_message(alone)


# What a terminal acts on or reorders: C0 controls but the line feed and tab, DEL, C1 controls, bidirectional marks,
# overrides and isolates, and the line and paragraph separators.
SHOWS_WRONG = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
PREFIX = "<img src=x onerror=alert(2)>\u202e\x9b"  # the name filter, and the start of three accounts' names
OSC = "\x1b]0;pwned\x07"


def test_every_string_from_the_service_a_baseline_or_the_policy_reaches_the_job_output_only_escaped(sample, tmp_path):
    """Account types and licenses from the service, a baseline's generated_at and fields, the name filter, the
    policy's name, version and texts, and a waiver's reason, owner and ticket, with terminal escapes (ESC, OSC,
    CSI), a C1 control and U+202E: none reaches the job's output raw, shown as YAML (ANSIBLE_CALLBACK_RESULT_FORMAT)
    at -v, nor any report, and the HTML report holds no tag of theirs."""
    data = sample.tenants[TENANT].data
    for index, account in enumerate(data.accounts[20:23]):
        account.update(Name=f"{PREFIX}{index}", AccountType=f"Team{OSC}\u202e", DefaultLicense="Pro\x1b[2J\u202e")
    sample.add_tenant(data, KEY, SECRET)
    policy = {
        "name": f"Policy {OSC}<script>x</script>\u202e",
        "version": "2026.12\x1b[31m\u2066",
        "custom_rules": [{"id": "pro-only", "description": f"Pro only {OSC}\u202e", "severity": "low",
                          "remediation": "Fix \x9b2J\u202e",
                          "require": {"key": "default_license", "op": "eq", "value": "Pro"}}],
        "waivers": [{"rule": "pro-only", "name": f"{PREFIX}0", "reason": f"why {OSC}\u202e",
                     "owner": "<b>owner</b>\u202e", "ticket": "T\x1b[1A-1", "expires": "2999-12-31"}],
    }  # fmt: skip
    gone = {"aws_account_id": TENANT, "account_id": "0c0ffee0-0000-4000-8000-000000000000",
            "name": f"gone {OSC}\u202e", "account_type": f"Team{OSC}", "default_license": "Pro\u202e"}  # fmt: skip
    # A baseline of the run's own scope (a baseline of another scope is refused before any Chime request).
    scope = build_scope(TENANT, "aws", names=[PREFIX])
    baseline = {"generated_at": f"2026-11-01T08:00:00+00:00{OSC}\u202e", "accounts": [gone], "source": {"scope": scope}}
    files = {"policy.yml": yaml.safe_dump(policy), "baseline.json": json.dumps(baseline)}
    formats = ["json", "csv", "markdown", "html", "ocsf"]
    env_yaml = {"ANSIBLE_CALLBACK_RESULT_FORMAT": "yaml", "ANSIBLE_NOCOLOR": "1"}  # colours are escapes too
    run = run_job(tmp_path / "yaml", dict(ENV, AWS_ENDPOINT_URL_STS=sample.url, **env_yaml),
                  {"account_audit_endpoint_url": sample.url, "account_audit_dest": str(tmp_path / "reports"),
                   "audit_policy_file": "policy.yml", "account_audit_formats": formats,
                   "account_audit_baseline": "baseline.json", "account_audit_name": PREFIX,
                   "account_audit_fail_on_violation": False}, cmdline="-v", project_files=files)  # fmt: skip
    assert run.status == "successful", run.stdout
    text = artifact_text(run.artifacts)
    assert not SHOWS_WRONG.findall(text), sorted(set(SHOWS_WRONG.findall(text)))
    for escaped in ("\\u202e", "\\u001b]0;pwned\\u0007", "\\u009b"):
        assert escaped in run.stdout, escaped
    assert "Accounts by type: Team\\u001b]0;pwned\\u0007\\u202e: 3" in run.stdout
    assert "Accounts by default license: Pro\\u001b[2J\\u202e: 3" in run.stdout
    assert "generated_at: 2026-11-01T08:00:00+00:00\\u001b]0;pwned\\u0007\\u202e" in run.stdout
    reports = tmp_path / "reports"
    written = sorted(p.name for p in reports.iterdir())
    assert len(written) == 6, written
    for path in reports.iterdir():
        body = path.read_text(encoding="utf-8")
        assert not SHOWS_WRONG.findall(body.replace("\r\n", "\n")), path.name
    page = (reports / "chime-account-audit.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "<script>x" not in page and "<b>owner" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page  # the name filter, the names: shown as text
    report = json.loads((reports / "chime-account-audit.json").read_text(encoding="utf-8"))
    assert report["source"]["filters"]["name"] == PREFIX and len(report["waived"]) == 1  # the data itself, intact
