# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's findings delivered to AWS Security Hub: the chime_account_audit action and the account_audit role
against the fake Chime endpoint (which answers STS GetCallerIdentity too) and moto's Security Hub behind a gate
that checks signatures, the hub's state, the caller's account and product ARN, keeps the customer's fields, and
injects throttles and failed findings (tests/fake_chime/securityhub.py)."""

import json
import math

import pytest

from e2e.awx_jobs import run_job
from e2e.awx_jobs import stats_data
from e2e.playbooks import FAST_RETRIES
from e2e.playbooks import playbook_runner
from fake_chime.data import audit_sample
from fake_chime.securityhub import FakeSecurityHub
from fake_chime.server import FakeChime

TENANT = "444455556666"
KEY, SECRET = "AKIASECURITYHUB00001", "security-hub-audit-secret"
ACTION = "chime.admin.chime_account_audit"
RULES = {"no_suspended_accounts": True, "allowed_default_licenses": ["Basic", "Plus", "Pro"]}
REPORT = "chime-account-audit.json"
PRODUCT = f"arn:aws:securityhub:us-east-1:{TENANT}:product/{TENANT}/default"


@pytest.fixture(scope="module")
def servers():
    chime = FakeChime().start()
    hub = FakeSecurityHub().start()
    yield chime, hub
    hub.stop()
    chime.stop()


@pytest.fixture
def services(servers):
    """A fresh tenant (audit sample) and an enabled, empty hub for each test."""
    chime, hub = servers
    chime.reset()
    chime.add_tenant(audit_sample(120, seed=11, aws_account_id=TENANT), KEY, SECRET)
    hub.reset()
    hub.add_credential(KEY, SECRET, TENANT)
    hub.enable(TENANT)
    return chime, hub


def _env(chime, hub):
    return {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_ENDPOINT_URL_STS": chime.url, **hub.env()}


def audit(services, tmp_path, run, baseline=None, check=False, **args):
    """One run of the action through ansible-playbook: (registered result, report or None, output)."""
    chime, hub = services
    dest = tmp_path / run
    options = {"endpoint_url": chime.url, **FAST_RETRIES, "dest": str(dest), "fail_on_violation": False}
    options.update(rules=RULES, security_hub=True, formats=["json", "asff"])
    if baseline is not None:
        options["baseline"] = str(baseline)
    options.update(args)
    dest.mkdir(parents=True, exist_ok=True)
    result = playbook_runner(dest)(
        [{ACTION: options, "register": "r", "ignore_errors": True}],
        env=_env(chime, hub),
        args=["--check"] if check else [],
    )
    report = dest / REPORT
    return result.saved["r"], (json.loads(report.read_text()) if report.exists() else None), result.output


def _key(finding):
    fields = finding["ProductFields"]
    return fields["chime.admin/AccountId"], fields["chime.admin/Rule"]


def test_two_runs_import_then_archive_the_resolved_and_add_the_new(services, tmp_path):
    chime, hub = services
    first, one, output = audit(services, tmp_path, "1")
    assert first["outcome"] == "non_compliant" and not first.get("failed"), output
    violations = one["violations"]
    assert len(violations) > 2
    stored = hub.findings(TENANT)
    assert set(stored) == {v["uid"] for v in violations}
    assert all(f["RecordState"] == "ACTIVE" and f["Compliance"]["Status"] == "FAILED" for f in stored.values())
    assert first["security_hub"] == {
        "region": "us-east-1", "product_arn": PRODUCT, "calls": 1, "sent": len(violations),
        "imported": len(violations), "archived": 0, "failed_count": 0, "failed": [], "complete": True,
    }  # fmt: skip
    sample = stored[violations[0]["uid"]]
    assert sample["AwsAccountId"] == TENANT and sample["ProductArn"] == PRODUCT
    assert sample["SchemaVersion"] == "2018-10-08" and sample["GeneratorId"] == violations[0]["rule"]
    assert sample["FindingProviderFields"]["Severity"]["Label"] == violations[0]["severity"].upper()
    assert {r["Type"] for r in sample["Resources"]} == {"Other", "AwsAccount"}
    assert f"AWS::::Account:{TENANT}" in {r["Id"] for r in sample["Resources"]}
    assert sample["FirstObservedAt"] == sample["CreatedAt"]
    # The asff report is exactly what was sent.
    written = json.loads((tmp_path / "1" / "chime-account-audit.asff.json").read_text())
    sent = [f for e in hub.requests("BatchImportFindings") for f in e["findings"]]
    assert written == sent
    line = f"Security Hub (us-east-1): {len(violations)} finding(s) imported, 0 of them archived, in 1 call(s)."
    assert line in first["summary_lines"]

    # Two fixed (account 5 active again, account 20 on Pro), one new (account 40 suspended).
    data = chime.tenants[TENANT].data
    ids = {n: data.accounts[n]["AccountId"] for n in (5, 20, 40)}
    data.accounts[5]["AccountStatus"] = "Active"
    data.accounts[20].update(DefaultLicense="Pro", SupportedLicenses=["Pro"])
    data.accounts[40]["AccountStatus"] = "Suspended"
    chime.add_tenant(data, KEY, SECRET)
    hub.reset_log()
    second, two, output = audit(services, tmp_path, "2", baseline=tmp_path / "1" / REPORT)
    assert second["outcome"] == "non_compliant", output
    resolved = {(f["account_id"], f["rule"]) for f in two["resolved"]}
    assert resolved == {(ids[5], "no_suspended_accounts"), (ids[20], "allowed_default_licenses")}
    stored = hub.findings(TENANT)
    active = {key for key, f in ((_key(f), f) for f in stored.values()) if f["RecordState"] == "ACTIVE"}
    archived = {key for key, f in ((_key(f), f) for f in stored.values()) if f["RecordState"] == "ARCHIVED"}
    assert active == {(v["account_id"], v["rule"]) for v in two["violations"]}
    assert (ids[40], "no_suspended_accounts") in active
    assert archived == resolved
    assert all(stored[f["uid"]]["Compliance"]["Status"] == "PASSED" for f in two["resolved"])
    assert second["security_hub"]["archived"] == 2 and second["security_hub"]["calls"] == 1
    assert len(stored) == len(violations) + 1
    assert [e["operation"] for e in hub.requests()] == ["GetFindings", "BatchImportFindings"]


def test_check_mode_sends_nothing_and_says_what_it_would(services, tmp_path):
    _chime, hub = services
    result, _report, output = audit(services, tmp_path, "c", check=True)
    assert result["outcome"] == "non_compliant", output
    assert hub.requests("BatchImportFindings") == [] and hub.findings(TENANT) == {}
    assert result["security_hub"]["would_send"] > 0 and result["security_hub"]["calls"] == 0
    assert any(line.startswith("Would import into Security Hub (us-east-1)") for line in result["summary_lines"])


def test_throttles_are_retried_and_failed_findings_make_the_run_incomplete(services, tmp_path):
    chime, hub = services
    first, one, output = audit(services, tmp_path, "1")
    uids = [v["uid"] for v in one["violations"]]
    hub.reset()
    hub.add_credential(KEY, SECRET, TENANT)
    hub.enable(TENANT)
    hub.throttle(2)
    hub.fail_ids(uids[:2], code="InvalidInput")
    result, _report, output = audit(services, tmp_path, "2")
    calls = hub.requests("BatchImportFindings")
    assert [e["status"] for e in calls] == [429, 429, 200]  # one batch, sent again after two throttles
    assert result["complete"] is False and result["security_hub"]["failed_count"] == 2, output
    assert {f["id"] for f in result["security_hub"]["failed"]} == set(uids[:2])
    assert {f["error_code"] for f in result["security_hub"]["failed"]} == {"InvalidInput"}
    assert set(hub.findings(TENANT)) == set(uids[2:])
    assert "Incomplete too: Security Hub did not import 2 finding(s)." in result["msg"]
    assert any("did not import 2 finding(s)" in w for w in result["warnings"])


@pytest.mark.parametrize("fault", ["disabled", "denied"])
def test_a_disabled_hub_or_a_missing_permission_fails_naming_the_region(services, tmp_path, fault):
    chime, hub = services
    data = chime.tenants[TENANT].data
    for account in data.accounts:  # more than one batch of findings: the delivery must stop at the first
        account["AccountStatus"] = "Suspended"
    chime.add_tenant(data, KEY, SECRET)
    hub.reset()
    hub.add_credential(KEY, SECRET, TENANT)
    if fault == "denied":
        hub.enable(TENANT)
        hub.deny_import(TENANT)
    result, report, output = audit(services, tmp_path, "x")
    assert result["failed"] is True and result["outcome"] == "incomplete", output
    assert report is not None  # the reports were written first
    if fault == "disabled":
        assert "InvalidAccessException" in result["msg"] and "enable-security-hub --region us-east-1" in result["msg"]
    else:
        assert "AccessDeniedException" in result["msg"] and "securityhub:BatchImportFindings" in result["msg"]
    assert "in region us-east-1" in result["msg"] and "The reports were written." in result["msg"]
    assert len(report["violations"]) > 100
    assert len(hub.requests("BatchImportFindings")) == (1 if fault == "denied" else 0)  # stopped at the first call


def test_a_waived_finding_never_reopens_a_case_a_person_closed(services, tmp_path):
    """Run 1 imports; account 5's finding is fixed in run 2 (archived) and a person resolves its case; in runs 3
    and 4 account 5 is suspended again but waived: Security Hub must keep the case resolved and archived (sending
    it active would reopen it). Account 9's finding, open and then waived, stays active and keeps the workflow a
    person set. Once the waiver is gone (run 5), account 5's finding is sent active again: reopened, rightly."""
    chime, hub = services
    data = chime.tenants[TENANT].data
    ids = {n: data.accounts[n]["AccountId"] for n in (5, 9)}
    _first, one, _output = audit(services, tmp_path, "1")
    uid = {(v["account_id"], v["rule"]): v["uid"] for v in one["violations"]}
    five, nine = uid[(ids[5], "no_suspended_accounts")], uid[(ids[9], "no_suspended_accounts")]
    data.accounts[5]["AccountStatus"] = "Active"
    chime.add_tenant(data, KEY, SECRET)
    _second, _two, output = audit(services, tmp_path, "2", baseline=tmp_path / "1" / REPORT)
    assert hub.findings(TENANT)[five]["RecordState"] == "ARCHIVED", output
    hub.set_workflow(TENANT, five, "RESOLVED")
    hub.set_workflow(TENANT, nine, "NOTIFIED")
    data.accounts[5]["AccountStatus"] = "Suspended"
    chime.add_tenant(data, KEY, SECRET)
    waivers = [
        {
            "rule": "no_suspended_accounts",
            "account_id": ids[n],
            "reason": "Kept for legal hold",
            "expires": "2099-01-01",
        }
        for n in (5, 9)
    ]
    for run, baseline in (("3", "2"), ("4", "3")):  # run 4: the finding's first_seen is now earlier than the run
        hub.reset_log()
        result, report, output = audit(services, tmp_path, run, baseline=tmp_path / baseline / REPORT, waivers=waivers)
        assert {(w["account_id"], w["state"]) for w in report["waived"]} == {(ids[5], "waived"), (ids[9], "waived")}
        stored = hub.findings(TENANT)
        assert stored[five]["RecordState"] == "ARCHIVED" and stored[five]["Workflow"]["Status"] == "RESOLVED", run
        assert stored[nine]["RecordState"] == "ACTIVE" and stored[nine]["Workflow"]["Status"] == "NOTIFIED", run
        sent = {f["Id"]: f for e in hub.requests("BatchImportFindings") for f in e["findings"]}
        assert five not in sent and "Workflow" not in sent[nine], run
        assert result["security_hub"]["complete"] is True, output
    _fifth, _five, output = audit(services, tmp_path, "5", baseline=tmp_path / "4" / REPORT)
    assert hub.findings(TENANT)[five]["RecordState"] == "ACTIVE", output
    assert hub.findings(TENANT)[five]["Workflow"]["Status"] == "NEW"  # the gate's reset, as Security Hub's


def test_a_run_archives_what_an_earlier_run_could_not_and_a_run_of_another_scope_archives_nothing(services, tmp_path):
    """Archives come from what Security Hub holds of the run's scope, not from the baseline alone: a run without a
    baseline archives the findings that are gone, and so does the run after an archive that failed. A run of
    another scope (a name prefix) leaves the first scope's findings alone."""
    chime, hub = services
    data = chime.tenants[TENANT].data
    _first, one, _output = audit(services, tmp_path, "1")
    uids = {v["account_id"]: v["uid"] for v in one["violations"] if v["rule"] == "no_suspended_accounts"}
    five, nine = uids[data.accounts[5]["AccountId"]], uids[data.accounts[9]["AccountId"]]
    data.accounts[5]["AccountStatus"] = data.accounts[9]["AccountStatus"] = "Active"
    chime.add_tenant(data, KEY, SECRET)
    other, _report, output = audit(services, tmp_path, "other", name=data.accounts[5]["Name"][:3])
    assert other["security_hub"]["archived"] == 0, output  # another scope: nothing of the first one archived
    assert {f["RecordState"] for f in hub.findings(TENANT).values() if f["Id"] in (five, nine)} == {"ACTIVE"}
    hub.fail_ids([nine], code="InternalException")
    second, _two, output = audit(services, tmp_path, "2")  # no baseline: nothing resolved in the report
    assert second["security_hub"]["archived"] == 1 and second["complete"] is False, output
    stored = hub.findings(TENANT)
    assert stored[five]["RecordState"] == "ARCHIVED" and stored[nine]["RecordState"] == "ACTIVE"
    assert stored[five]["Compliance"]["Status"] == "PASSED"
    third, _three, output = audit(services, tmp_path, "3")
    assert third["security_hub"]["archived"] == 1 and third["security_hub"]["complete"] is True, output
    assert hub.findings(TENANT)[nine]["RecordState"] == "ARCHIVED"


def test_bad_security_hub_options_are_refused_before_any_request(services, tmp_path):
    chime, hub = services
    cases = {
        "security_hub_region": ("not-a-region", "security_hub_region must be an AWS region name"),
        "other_partition": ("us-gov-west-1", "is in partition aws-us-gov, the connection's region us-east-1 in aws"),
        "not_offered": ("eu-foo-9", "is not a region where partition aws offers Security Hub"),
    }
    for name, (region, words) in cases.items():
        before = len(chime.log)
        result, _report, output = audit(services, tmp_path, name, security_hub_region=region, region="us-east-1")
        assert result["failed"] and words in result["msg"], (name, result["msg"])
        assert result["msg"].startswith("Chime account audit did not run:"), result["msg"]
        assert len(chime.log) == before  # no STS, no Chime request
    result, _report, _output = audit(services, tmp_path, "alone", security_hub=False, formats=["json"],
                                     security_hub_region="us-east-1")  # fmt: skip
    assert result["failed"] and "security_hub_region needs security_hub: true, or the asff format." in result["msg"]
    result, _report, _output = audit(services, tmp_path, "fmt", formats=["json", "xml"])
    assert result["failed"] and "formats" in result["msg"] and "xml" in result["msg"]
    assert hub.requests() == []


def test_an_audit_of_many_accounts_makes_one_call_per_hundred_findings(servers, tmp_path):
    chime, hub = servers
    chime.reset()
    data = audit_sample(10_000, seed=3, aws_account_id=TENANT)
    for index in range(0, 10_000, 4):  # a quarter of them suspended, and so many findings
        data.accounts[index]["AccountStatus"] = "Suspended"
    chime.add_tenant(data, KEY, SECRET)
    hub.reset()
    hub.add_credential(KEY, SECRET, TENANT)
    hub.enable(TENANT)
    result, report, output = audit((chime, hub), tmp_path, "big", formats=["json"])
    findings = len(report["violations"])
    assert findings > 2500, output
    calls = hub.requests("BatchImportFindings")
    assert len(calls) == math.ceil(findings / 100) == result["security_hub"]["calls"]
    assert all(len(e["ids"]) == 100 for e in calls[:-1]) and 0 < len(calls[-1]["ids"]) <= 100
    assert len(hub.findings(TENANT)) == findings


def test_the_role_as_awx_runs_it_publishes_the_delivery(services, tmp_path):
    chime, hub = services
    survey = {"account_audit_endpoint_url": chime.url, "account_audit_dest": str(tmp_path / "reports")}
    survey.update(account_audit_formats=["json"], audit_fail_on_violation=False, account_audit_security_hub=True)
    job = run_job(tmp_path / "job", _env(chime, hub), survey)
    assert job.status == "successful", job.stdout
    delivery = stats_data(job)["account_audit_security_hub_delivery"]
    assert delivery["complete"] is True and delivery["imported"] == len(hub.findings(TENANT)) > 0
    assert "Security Hub (us-east-1):" in job.stdout
