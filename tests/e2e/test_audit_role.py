# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account_audit role run as AWX runs jobs: through ansible-runner, with a private data directory laid
out as AWX lays it out (env/envvars for the injected credentials, env/extravars for the survey, project/
with docs/examples/awx/audit.yml, inventory/), with the default answers of docs/examples/awx/survey.json,
against the fake endpoint."""

import csv
import io
import json
import math
import os
import stat
from dataclasses import dataclass

import pytest

from e2e.awx_jobs import AWX_EXAMPLES
from e2e.awx_jobs import MAX_EVENT_RES_DATA
from e2e.awx_jobs import artifact_text
from e2e.awx_jobs import galaxy_version
from e2e.awx_jobs import largest_event_res
from e2e.awx_jobs import run_job
from e2e.awx_jobs import stats_data
from e2e.awx_jobs import survey_defaults
from fake_chime.data import AUDIT_VIOLATORS
from fake_chime.data import FORMULA_NAME
from fake_chime.data import HOSTILE_NAME
from fake_chime.data import audit_sample
from fake_chime.data import generate
from fake_chime.server import FakeChime
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT as TENANT_OF_FAKE

TENANT = "444455556666"
KEY, SECRET, TOKEN = "ASIAAUDITTEMPKEY0001", "audit-temporary-secret", "AuditSessionToken-9f3e"
RULES = ("allowed_default_licenses", "no_suspended_accounts", "enterprise_signin_delegate_groups", "name_pattern")


@pytest.fixture
def sample():
    """A fake endpoint whose tenant is the audit sample, reached only with temporary credentials."""
    server = FakeChime().start()
    server.add_tenant(audit_sample(300, seed=7, aws_account_id=TENANT), KEY, SECRET, session_token=TOKEN)
    try:
        yield server
    finally:
        server.stop()


def test_survey_is_well_formed_and_used():
    with open(os.path.join(AWX_EXAMPLES, "survey.json"), encoding="utf-8") as handle:
        spec = json.load(handle)["spec"]
    with open(os.path.join(AWX_EXAMPLES, "audit.yml"), encoding="utf-8") as handle:
        playbook = handle.read()
    for question in spec:
        assert question["type"] in ("text", "multiplechoice", "multiselect"), question
        assert question["variable"] in playbook, question["variable"]
        if question["type"] in ("multiplechoice", "multiselect"):
            assert set(question["default"].split("\n")) <= set(question["choices"].split("\n")), question


def credentials(variant, server):
    """The environment AWX injects for temporary credentials, with the token under one name or both; for
    variant `survey`, none (the credentials are then role variables, as a survey's password fields). STS
    (the audit's GetCallerIdentity) is the fake endpoint's."""
    env = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_ENDPOINT_URL_STS": server.url}
    if variant == "survey":
        return env
    env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET)
    if variant in ("security", "both"):
        env["AWS_SECURITY_TOKEN"] = TOKEN
    if variant in ("session", "both"):
        env["AWS_SESSION_TOKEN"] = TOKEN
    return env


def shows(text, name):
    """Whether ``text`` (a job's output) shows ``name``, as is or escaped in JSON."""
    return name in text or json.dumps(name, ensure_ascii=False)[1:-1] in text


def expected_violations(data):
    """The violations of docs/examples/audit.yml's policy, found from the fake's wire data by index."""
    counts = dict.fromkeys(RULES, 0)
    for rule in AUDIT_VIOLATORS.values():
        counts[rule] += 1
    return counts, {data.accounts[index]["Name"] for index in AUDIT_VIOLATORS}


@dataclass
class InjectedJob:
    """One AWX job of docs/examples/awx/audit.yml with one way of injecting the temporary credentials."""

    variant: str
    server: object
    job: object
    dest: object

    @property
    def data(self):
        return self.server.tenants[TENANT].data

    def report(self, extension):
        return (self.dest / f"chime-account-audit.{extension}").read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["security", "session", "both", "survey"])
def injected(request, tmp_path_factory):
    """The job, run once per way of injecting the token, for the tests below: the token as AWS_SECURITY_TOKEN
    only, as AWS_SESSION_TOKEN only, as both, or every credential as a survey answer (at the highest
    verbosity, which shows every task's arguments and results). Each job has a fake endpoint of its own."""
    variant = request.param
    tmp_path = tmp_path_factory.mktemp(f"injected-{variant}")
    server = FakeChime().start()
    server.add_tenant(audit_sample(300, seed=7, aws_account_id=TENANT), KEY, SECRET, session_token=TOKEN)
    try:
        dest = tmp_path / "reports"
        extravars = {"account_audit_endpoint_url": server.url, "account_audit_dest": str(dest)}
        extravars["account_audit_fail_on_violation"] = False
        if variant == "survey":
            extravars.update(account_audit_access_key=KEY, account_audit_secret_key=SECRET)
            extravars.update(account_audit_session_token=TOKEN)
        cmdline = "-vvvv" if variant == "survey" else None
        job = run_job(tmp_path, credentials(variant, server), extravars, cmdline=cmdline)
        yield InjectedJob(variant, server, job, dest)
    finally:
        server.stop()


def test_injected_job_succeeds_and_every_request_carried_the_token(injected):
    assert (injected.job.status, injected.job.rc) == ("successful", 0), injected.job.stdout
    # Every request carried the session token (the fake refuses one without it) and was answered.
    log = injected.server.requests()
    assert len(log) == math.ceil(300 / 200) and {(e["status"], e["access_key"]) for e in log} == {(200, KEY)}
    # Exactly one GetCallerIdentity, with the same temporary key: the caller the report records.
    calls = [(e["status"], e["access_key"]) for e in injected.server.log if e.get("action") == "GetCallerIdentity"]
    assert calls == [(200, KEY)]


def test_injected_job_publishes_counts_outcome_summary_and_report_paths(injected):
    published = stats_data(injected.job)
    per_rule, _names = expected_violations(injected.data)
    assert published["account_audit_violation_counts"] == per_rule  # the rules checked, and only those
    assert published["account_audit_outcome"] == "non_compliant"
    summary = published["account_audit_summary"]
    assert summary["total"] == 300 and summary["violations"]["total"] == len(AUDIT_VIOLATORS)
    assert summary["by_status"] == {"Active": 298, "Suspended": 2}
    paths = published["account_audit_reports"]
    dest = injected.dest
    assert paths == {
        "json": f"{dest}/chime-account-audit.json",
        "csv": f"{dest}/chime-account-audit.csv",
        "findings_csv": f"{dest}/chime-account-audit.findings.csv",
        "markdown": f"{dest}/chime-account-audit.md",
        "html": f"{dest}/chime-account-audit.html",
    }
    assert all(os.path.getsize(path) > 0 for path in paths.values())


def test_injected_job_output_names_each_violating_account_and_no_other(injected):
    _per_rule, names = expected_violations(injected.data)
    assert {a["Name"] for a in injected.data.accounts if shows(injected.job.stdout, a["Name"])} == names


def test_injected_job_events_stay_under_the_cap_and_no_artifact_holds_a_secret(injected):
    assert largest_event_res(injected.job) < MAX_EVENT_RES_DATA
    text = artifact_text(injected.job.artifacts)
    for secret in (SECRET, TOKEN, *injected.data.users):
        assert secret not in text


def test_injected_job_json_report_has_the_documented_keys_source_and_accounts(injected):
    report = json.loads(injected.report("json"))
    assert list(report) == [
        "report_format",
        "generated_at",
        "source",
        "summary",
        "accounts",
        "violations",
        "waived",
        "resolved",
        "waivers",
        "changes",
        "comparison_base",
        "trend",
    ]
    assert report["report_format"] == 5 and report["comparison_base"] is None  # complete: nothing carried
    assert report["trend"] is None  # no S3 history
    policy = report["source"].pop("policy")
    assert report["source"] == {
        "caller": f"arn:aws:sts::{TENANT}:assumed-role/FakeAuditor/fake-session",
        "aws_accounts": [TENANT],
        "filters": {"name": None, "user_email": False},
        "scope": {
            "scope_format": 1,
            "partition": "aws",
            "caller_account": TENANT,
            "aws_accounts": "caller",
            "role_arns": None,
            "organization_role_name": None,
            "names": [],
            "user_email": False,
        },
        "collection_version": galaxy_version(),
    }
    assert {rule: entry["setting"] for rule, entry in policy["rules"].items()} == {
        "allowed_aws_account_ids": "not checked",
        "allowed_account_types": "not checked",
        "allowed_default_licenses": ["Basic", "Plus", "Pro"],
        "no_suspended_accounts": True,
        "enterprise_signin_delegate_groups": True,
        "name_pattern": survey_defaults()["audit_name_pattern"],
    }
    assert (policy["name"], policy["fail_severity"]) == ("chime.admin account audit", "informational")
    assert report["waived"] == [] and {v["severity"] for v in report["violations"]} == {"low", "medium", "high"}
    assert report["summary"]["violations"]["not_checked"] == ["allowed_aws_account_ids", "allowed_account_types"]
    assert report["generated_at"].endswith("+00:00")  # the notation of the accounts' timestamps
    _per_rule, names = expected_violations(injected.data)
    assert [a["account_id"] for a in report["accounts"]] == [a["AccountId"] for a in injected.data.accounts]
    assert {v["name"] for v in report["violations"]} == names and report["changes"] is None


def test_injected_job_csv_parses_back_with_only_the_formula_like_name_neutralised(injected):
    rows = list(csv.DictReader(io.StringIO(injected.report("csv"), newline="")))
    accounts = injected.data.accounts
    assert [r["account_id"] for r in rows] == [a["AccountId"] for a in accounts]
    for row, account in zip(rows, accounts, strict=True):
        expected = "'" + account["Name"] if account["Name"] == FORMULA_NAME else account["Name"]
        assert row["name"] == expected
        assert row["supported_licenses"] == ";".join(account["SupportedLicenses"])
        groups = account.get("SigninDelegateGroups", [])
        assert row["signin_delegate_groups"] == ";".join(g["GroupName"] for g in groups)
        assert (row["account_status"], row["default_license"]) == (account["AccountStatus"], account["DefaultLicense"])


def test_injected_job_markdown_shows_the_hostile_name_as_text(injected):
    markdown = injected.report("md")
    assert HOSTILE_NAME not in markdown and "&lt;img src=x onerror=alert(1)&gt;" in markdown


def test_violations_fail_the_job_after_the_reports(sample, tmp_path):
    dest = tmp_path / "reports"
    extravars = {"account_audit_endpoint_url": sample.url, "account_audit_dest": str(dest)}
    job = run_job(tmp_path, credentials("both", sample), extravars)
    assert job.status == "failed"
    stdout = job.stdout
    per_rule, names = expected_violations(sample.tenants[TENANT].data)
    (failure,) = [e for e in job.events if e["event"] == "runner_on_failed"]
    message = failure["event_data"]["res"]["msg"]
    counts = ", ".join(f"{rule}: {count}" for rule, count in per_rule.items())
    assert message.startswith(f"Chime account audit: non-compliant: 6 violation(s) ({counts}) in 6 account(s): ")
    assert all(name in message for name in names)
    assert message.endswith(f"Reports: {dest}/chime-account-audit.json, {dest}/chime-account-audit.csv, "
                            f"{dest}/chime-account-audit.findings.csv, "
                            f"{dest}/chime-account-audit.md, {dest}/chime-account-audit.html.")  # fmt: skip
    task = "Fail when the audit is non-compliant or incomplete"
    assert failure["event_data"]["task"] == task and task in stdout
    # The reports were written, and the summary published, before the failure.
    extensions = ("csv", "findings.csv", "html", "json", "md")
    assert sorted(p.name for p in dest.iterdir()) == [f"chime-account-audit.{x}" for x in extensions]
    assert stats_data(job)["account_audit_summary"]["violations"]["total"] == 6
    assert stats_data(job)["account_audit_outcome"] == "non_compliant"


def test_ten_thousand_accounts_keep_every_event_under_awx_cap(tmp_path):
    server = FakeChime().start()
    try:
        data = generate(10_000, seed=3, aws_account_id=TENANT)
        server.add_tenant(data, KEY, SECRET, session_token=TOKEN)
        dest = tmp_path / "reports"
        extravars = {"account_audit_endpoint_url": server.url, "account_audit_dest": str(dest)}
        extravars["account_audit_fail_on_violation"] = False
        job = run_job(tmp_path, credentials("both", server), extravars)
        assert (job.status, job.rc) == ("successful", 0), job.stdout[-3000:]
        assert len(server.requests()) == 50
    finally:
        server.stop()
    published = stats_data(job)
    assert published["account_audit_summary"]["total"] == 10_000
    # The accounts alone would be far above the cap had any event carried them.
    assert os.path.getsize(dest / "chime-account-audit.json") > 5 * MAX_EVENT_RES_DATA
    assert largest_event_res(job) < MAX_EVENT_RES_DATA
    # The output names at most the 20 violations shown, and no account otherwise.
    stdout = job.stdout
    violations = json.loads((dest / "chime-account-audit.json").read_text())["violations"]
    assert len(violations) > 20
    assert sum(shows(stdout, a["Name"]) for a in data.accounts) <= 20


def test_user_email_filter_is_not_recorded(sample, tmp_path):
    data = sample.tenants[TENANT].data
    email, account_id = next(iter(data.users.items()))
    dest = tmp_path / "reports"
    extravars = {"account_audit_endpoint_url": sample.url, "account_audit_dest": str(dest)}
    extravars.update(account_audit_user_email=email, account_audit_fail_on_violation=False)
    dest.mkdir()
    os.chmod(dest, 0o1777)  # a shared directory, as /tmp is: not the audit's to change
    job = run_job(tmp_path, credentials("session", sample), extravars)
    assert job.status == "successful", job.stdout
    assert stats_data(job)["account_audit_summary"]["total"] == 1
    report = json.loads((dest / "chime-account-audit.json").read_text(encoding="utf-8"))
    assert [a["account_id"] for a in report["accounts"]] == [account_id]
    assert report["source"]["filters"] == {"name": None, "user_email": True}
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o1777
    assert email not in artifact_text(job.artifacts)
    for path in dest.iterdir():
        assert email not in path.read_text(encoding="utf-8"), path


def test_check_mode_lists_and_writes_nothing(sample, tmp_path):
    dest = tmp_path / "reports"
    extravars = {"account_audit_endpoint_url": sample.url, "account_audit_dest": str(dest)}
    extravars["account_audit_fail_on_violation"] = False
    job = run_job(tmp_path, credentials("both", sample), extravars, cmdline="--check")
    assert job.status == "successful", job.stdout
    assert not dest.exists() and len(sample.requests()) == 2
    assert f"Would write: {dest}/chime-account-audit.json" in job.stdout


def test_baseline_changes(sample, tmp_path):
    """A second audit against the first's JSON report finds the accounts added, removed and changed."""
    dest = tmp_path / "reports"
    extravars = {"account_audit_endpoint_url": sample.url, "account_audit_dest": str(dest)}
    extravars["account_audit_fail_on_violation"] = False
    first = run_job(tmp_path / "first", credentials("both", sample), extravars)
    assert first.status == "successful"
    data = sample.tenants[TENANT].data
    accounts = data.accounts
    removed = accounts.pop(40)
    license_ = "Plus" if accounts[41]["DefaultLicense"] != "Plus" else "Basic"
    accounts[41].update(AccountStatus="Suspended", DefaultLicense=license_)
    accounts[50]["SigninDelegateGroups"] = [{"GroupName": "chime-new-admins"}]
    added = dict(accounts[60], AccountId="00000000-0000-4000-8000-000000000001", Name="Added Later")
    accounts.append(added)
    sample.add_tenant(data, KEY, SECRET, session_token=TOKEN)  # serve the changed accounts
    extravars["account_audit_baseline"] = str(dest / "chime-account-audit.json")
    second = run_job(tmp_path / "second", credentials("both", sample), extravars)
    assert second.status == "successful", second.stdout
    assert stats_data(second)["account_audit_summary"]["changes"] == {
        "added": 1,
        "removed": 1,
        "changed": 2,
        "not_compared": 0,
    }
    changes = json.loads((dest / "chime-account-audit.json").read_text(encoding="utf-8"))["changes"]
    assert [a["account_id"] for a in changes["added"]] == [added["AccountId"]]
    assert [a["account_id"] for a in changes["removed"]] == [removed["AccountId"]]
    fields = {c["account_id"]: c["fields"] for c in changes["changed"]}
    assert fields[accounts[41]["AccountId"]]["account_status"] == {"before": "Active", "after": "Suspended"}
    assert set(fields[accounts[41]["AccountId"]]) == {"account_status", "default_license"}
    assert fields[accounts[50]["AccountId"]]["signin_delegate_groups"]["after"] == [{"group_name": "chime-new-admins"}]
    assert "Changes since the baseline: 1 added, 1 removed, 2 changed" in second.stdout


@pytest.mark.parametrize(
    "extravars,message",
    [
        (
            {"account_audit_formats": ["json", "pdf"]},
            "value of formats must be one or more of: json, csv, markdown, html, ocsf, asff. Got no match for: pdf",
        ),
        ({"account_audit_rules": {"no_suspended": True}}, "no_suspended"),
        (
            {"account_audit_rules": {"allowed_account_types": "Team"}},
            "rules.allowed_account_types must be a list of strings, got str.",
        ),
        ({"account_audit_rules": {"name_pattern": "(unclosed"}}, "name_pattern is not a regular expression RE2"),
        (
            {
                "account_audit_custom_rules": [
                    {
                        "id": "pro",
                        "description": "d",
                        "severity": "low",
                        "remediation": "r",
                        "require": {"key": "licence", "op": "eq", "value": "Pro"},
                    }
                ]
            },
            "custom rule pro (custom_rules[0]).require.key: unknown key 'licence'",
        ),  # fmt: skip
        (
            {"account_audit_waivers": [{"rule": "no_suspended_accounts", "name": "x*", "reason": "r"}]},
            "waivers[0] (rule no_suspended_accounts).expires is required",
        ),
        (
            {"account_audit_fail_severity": "urgent"},
            "value of fail_severity must be one of: informational, low, medium, high, critical, got: urgent",
        ),
        ({"account_audit_policy_file": "BAD-POLICY"}, "policy.yml)"),
        ({"account_audit_policy_file": "CONFLICT"}, "rules is set both in the policy file"),
        (
            {"account_audit_fail_on_violation": "sometimes"},
            "argument 'fail_on_violation' is of type str and we were unable to convert to bool",
        ),
        ({"account_audit_on_denied": "ignore"}, "value of on_denied must be one of: error, warn, skip, got: ignore"),
        ({"account_audit_baseline": "/nonexistent/report.json"}, "baseline: cannot read /nonexistent/report.json"),
        ({"account_audit_baseline": os.path.join(AWX_EXAMPLES, "survey.json")}, "(it has no list of accounts)"),
        ({"account_audit_page_size": 500}, "page_size"),
        ({"account_audit_page_size": True}, "page_size must be a number between 1 and 200, not a boolean, got True"),
        # The role's and the action's float checks make 1.0 of a true: the action reads its arguments as given.
        ({"account_audit_backoff_delay": True}, "backoff_delay must be a number between 0.001 and 300, not a boolean"),
        ({"account_audit_concurrency": True}, "concurrency must be a number between 1 and 64, not a boolean"),
        (
            {"account_audit_organization_role_name": "ChimeAudit", "account_audit_external_id": "Pro4567"},
            "external_id must be 8 to 1224 characters of [\\w+=,.@:/-] (value not shown)",
        ),
        ({"account_audit_name": "Eng\nineering"}, "name must not contain a line break"),
        ({"account_audit_show_violations": -1}, "show_violations must be a whole number"),
        ({"account_audit_report_name": "../../escaped-report"}, "report_name must be a plain file name"),
        ({"account_audit_report_name": ""}, "report_name must be a file name"),
        ({"account_audit_dest": "FILE"}, "exists and is not a directory"),
        ({"account_audit_dest": "SYMLINK"}, "chime-account-audit.json: it is a symlink"),
        ({"account_audit_s3_bucket": "Not_A_Bucket"}, "s3_bucket must be an S3 bucket name"),
        ({"account_audit_baseline": "latest"}, "baseline: latest needs s3_bucket"),
        (
            {"account_audit_sla_days": {"medium": 0}},
            "sla_days.medium must be a whole number of days from 1 to 3650, got 0.",
        ),
        (
            {"account_audit_sla_days": {"high": -1}},
            "sla_days.high must be a whole number of days from 1 to 3650, got -1.",
        ),
        (
            {"account_audit_sla_days": {"low": 3651}},
            "sla_days.low must be a whole number of days from 1 to 3650, got 3651.",
        ),
        (
            {"account_audit_sla_days": {"urgent": 7}},
            "sla_days: unknown severity urgent; known severities: informational,",
        ),
        (
            {"account_audit_fail_gate": "fresh"},
            "value of fail_gate must be one of: all, new, new_or_overdue, got: fresh",
        ),
    ],
    ids=[
        "format",
        "unknown-rule",
        "rule-type",
        "bad-pattern",
        "custom-rule-key",
        "waiver-without-expiry",
        "fail-severity",
        "policy-file-entry",
        "policy-file-conflict",
        "bool",
        "choice",
        "baseline",
        "not-a-report",
        "page-size",
        "page-size-bool",
        "delay-bool",
        "concurrency-bool",
        "external-id-short",
        "name-newline",
        "show-negative",
        "name-traversal",
        "name-empty",
        "dest-is-a-file",
        "symlink-at-report",
        "bucket",
        "latest-without-bucket",
        "sla-zero",
        "sla-negative",
        "sla-over-ten-years",
        "sla-unknown-severity",
        "gate",
    ],
)
def test_bad_input_fails_before_any_request(sample, tmp_path, extravars, message):
    work = tmp_path / "deep" / "er"  # a report name that escaped would land two levels up, still under tmp_path
    work.mkdir(parents=True)
    (work / "a-file").write_text("not a directory")
    dest = str(work / "a-file") if extravars.get("account_audit_dest") == "FILE" else str(work / "r")
    if extravars.get("account_audit_dest") == "SYMLINK":  # planted where the JSON report would be written
        (work / "r").mkdir()
        (work / "r" / "chime-account-audit.json").symlink_to(work / "a-file")
    if extravars.get("account_audit_policy_file") in ("BAD-POLICY", "CONFLICT"):
        # A policy file with a custom rule whose op is unknown, or one that sets the rules the variables set too.
        bad = {"custom_rules": [{"id": "x", "description": "d", "severity": "low", "remediation": "r",
                                 "require": {"key": "name", "op": "like", "value": "x"}}]}  # fmt: skip
        policy = (
            {"rules": {"no_suspended_accounts": True}} if extravars["account_audit_policy_file"] == "CONFLICT" else bad
        )
        (work / "policy.yml").write_text(json.dumps(policy))
        extravars = dict(extravars, account_audit_policy_file=str(work / "policy.yml"))
        extravars["account_audit_rules"] = {"no_suspended_accounts": True}
    extravars = dict(extravars, account_audit_endpoint_url=sample.url, account_audit_dest=dest)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    job = run_job(tmp_path / "runner", credentials("both", sample), extravars)
    assert job.status == "failed"
    # The action's own refusal, not ansible-core's role argument check (which dumps the whole argument spec and
    # publishes nothing): the outcome is published first, then the last task fails with the message.
    (failure,) = [e for e in job.events if e["event"] == "runner_on_failed"]
    assert failure["event_data"]["task"] == "Fail when the audit is non-compliant or incomplete"
    # A baseline is read before any request too, but its failures are the store's: the audit is incomplete.
    prefix = "incomplete: " if extravars.get("account_audit_baseline") not in (None, "latest") else "did not run: "
    assert failure["event_data"]["res"]["msg"].startswith(f"Chime account audit {prefix}"), failure["event_data"]
    assert message in failure["event_data"]["res"]["msg"]
    assert "argument_spec_data" not in job.stdout and "Ansible" not in failure["event_data"]["res"]["msg"]
    assert stats_data(job)["account_audit_outcome"] == "incomplete"
    assert sample.log == []  # no request at all, not even STS
    assert sorted(str(p) for p in tmp_path.rglob("*") if "runner" not in p.parts) == before  # no file written


# ----- module_defaults: through the role and on the action ----------------------------------------------------
DEFAULTS_KEY, DEFAULTS_SECRET, DEFAULTS_TOKEN = "ASIADEFAULTSKEY00001", "defaults-secret", "DefaultsToken-7c1a"
# What AWX injects from the job's environment: a region that the play's module_defaults must override.
AWX_REGION = {"AWS_REGION": "us-west-2", "AWS_DEFAULT_REGION": "us-west-2"}
PREFIX = "Malm"  # 29 accounts of the standard fake's 450


def _audit_task(door, dest):
    """The audit through ``door``: the role with only its destination set, or the action with the role's
    pattern of omitted arguments (``default(omit)`` for every option the defaults give)."""
    if door == "role":
        variables = {"account_audit_dest": dest, "account_audit_fail_on_violation": False}
        return {"ansible.builtin.include_role": {"name": "chime.admin.account_audit"}, "vars": variables}
    omitted = ("access_key", "secret_key", "session_token", "region", "endpoint_url", "name", "page_size")
    args = {name: "{{ undefined_in_this_play | default(omit) }}" for name in omitted}
    args.update(dest=dest, formats=["json"], fail_on_violation=False)
    return {"chime.admin.chime_account_audit": args, "register": "account_audit_result"}


@pytest.mark.parametrize("key", ["group/chime.admin.aws", "chime.admin.chime_account_audit"])
@pytest.mark.parametrize("door", ["role", "action"])
def test_module_defaults_reach_the_role_and_the_action(fake, play, tmp_path, door, key):
    """Credentials only in module_defaults, a module_defaults region over the one AWX's environment gives,
    and the listing options: each applies, though the role's task (or the action's) omits it."""
    fake.add_credential(TENANT_OF_FAKE, DEFAULTS_KEY, DEFAULTS_SECRET, session_token=DEFAULTS_TOKEN)
    defaults = {
        "access_key": DEFAULTS_KEY,
        "secret_key": DEFAULTS_SECRET,
        "session_token": DEFAULTS_TOKEN,
        "region": "eu-west-1",
        "endpoint_url": fake.url,
        "name": PREFIX,
        "page_size": 7,
        "concurrency": 2,
        "on_denied": "warn",
        "backoff_retries": 1,
        "backoff_delay": 0.01,
        "backoff_max_delay": 0.05,
        "validate_certs": False,
    }
    dest = tmp_path / "reports"
    env = dict(AWX_REGION, AWS_ENDPOINT_URL_STS=fake.url)
    result = play([_audit_task(door, str(dest))], save=("account_audit_result",), env=env,
                  play_extra={"module_defaults": {key: defaults}})  # fmt: skip
    assert result.rc == 0, result.output
    assert result.saved["account_audit_result"]["outcome"] in ("compliant", "non_compliant")
    log = fake.log
    sts = [e for e in log if e["path"] == "/"]
    chime = [e for e in log if e["path"] == "/accounts"]
    assert len(sts) == 1 and chime
    # Signed with the module_defaults key (and its token: the fake refuses the key without it), for the
    # module_defaults region, not AWX's.
    assert {(e["access_key"], e["region"], e["status"]) for e in log} == {(DEFAULTS_KEY, "eu-west-1", 200)}
    assert {(e["query"]["name"], e["query"]["max-results"]) for e in chime} == {(PREFIX, "7")}
    assert len(chime) == math.ceil(29 / 7)
    report = json.loads((dest / "chime-account-audit.json").read_text(encoding="utf-8"))
    assert report["source"]["filters"] == {"name": PREFIX, "user_email": False}
    assert report["summary"]["total"] == 29


def test_module_defaults_profile_reaches_the_role(fake, play, tmp_path):
    (tmp_path / "aws_credentials").write_text(
        f"[audit]\naws_access_key_id = {DEFAULTS_KEY}\naws_secret_access_key = {DEFAULTS_SECRET}\n"
    )  # no default profile, and no key in the environment: only the profile can sign
    fake.add_credential(TENANT_OF_FAKE, DEFAULTS_KEY, DEFAULTS_SECRET)
    defaults = {"group/chime.admin.aws": {"profile": "audit", "endpoint_url": fake.url}}
    task = _audit_task("role", str(tmp_path / "reports"))
    result = play([task], save=("account_audit_result",), env={"AWS_ENDPOINT_URL_STS": fake.url},
                  play_extra={"module_defaults": defaults})  # fmt: skip
    assert result.rc == 0, result.output
    assert {(e["access_key"], e["status"]) for e in fake.log} == {(DEFAULTS_KEY, 200)}


# Each option the role passes through, set wrong in module_defaults alone: the action refuses it, naming it.
REFUSED_DEFAULTS = {
    "region": ("not a region", "did not run: region must be an AWS region name such as us-east-1, got 'not a region'."),
    "access_key": (None, "did not run: secret_key is set but access_key is not: give both, or neither."),
    "secret_key": (None, "did not run: access_key is set but secret_key is not: give both, or neither."),
    "profile": ("audit", "did not run: Couldn't connect to AWS: Passing both a profile and access tokens"),
    "name": ("a\nb", "did not run: name must not contain a line break"),
    "user_email": ("not-an-address", "did not run: user_email must be an e-mail address"),
    "page_size": (500, "did not run: page_size must be between 1 and 200, got 500."),
    "backoff_retries": (-1, "did not run: backoff_retries must be between 0 and 100, got -1."),
    "backoff_delay": (-1, "did not run: backoff_delay must be between 0.001 and 300, got -1.0."),
    "backoff_max_delay": (0, "did not run: backoff_max_delay must be between 0.001 and 3600, got 0.0."),
    "role_arns": (["nope"], "did not run: role_arns must hold IAM role ARNs"),
    "organization_role_name": ("bad name!", "did not run: organization_role_name must be an IAM role name"),
    # Shorter than any external ID accepted: not masked in the refusal ("a shorter one" stays whole).
    "external_id": (
        "short",
        "did not run: external_id must be 8 to 1224 characters of [\\w+=,.@:/-] (value not "
        "shown): a shorter one would also be masked",
    ),  # fmt: skip
    "role_session_name": ("bad name", "did not run: role_session_name must be 2 to 64 characters"),
    "concurrency": (0, "did not run: concurrency must be between 1 and 64, got 0."),
    "on_denied": ("ignore", "did not run: value of on_denied must be one of: error, warn, skip, got: ignore"),
    "validate_certs": ("sometimes", "did not run: argument 'validate_certs' is of type "),
}


def test_every_option_in_module_defaults_reaches_the_role(fake, play, tmp_path):
    """One play, one block per option: the role with module_defaults that set that option wrong, beside
    good credentials, region and endpoint; the block's rescue keeps the role's result. The certificate
    options come last: the bundle is a path that does not exist, which only an HTTPS request can notice."""
    good = {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "region": "eu-west-1", "endpoint_url": fake.url}
    https = dict(good, endpoint_url=fake.url.replace("http://", "https://"), backoff_retries=0)
    cases = {name: (dict(good, **{name: value}), message) for name, (value, message) in REFUSED_DEFAULTS.items()}
    cases["aws_ca_bundle"] = (dict(https, aws_ca_bundle=str(tmp_path / "no-such-ca.pem")), "No such file or directory")
    tasks = []
    for index, (name, (defaults, _message)) in enumerate(cases.items()):
        tasks.append(
            {
                "name": f"Audit with a wrong {name} in module_defaults",
                "block": [_audit_task("role", str(tmp_path / "reports"))],
                "rescue": [{"ansible.builtin.set_fact": {f"case_{index}": "{{ account_audit_result }}"}}],
                "module_defaults": {"group/chime.admin.aws": defaults},
            }
        )
    saved = [f"case_{index}" for index in range(len(cases))]
    result = play(tasks, save=saved, env={"AWS_ENDPOINT_URL_STS": fake.url})
    assert result.rc == 0, result.output
    for index, (name, (_defaults, message)) in enumerate(cases.items()):
        outcome = result.saved[f"case_{index}"]
        assert outcome and outcome["outcome"] == "incomplete", (name, outcome)
        assert message in outcome["failure"], (name, outcome["failure"])
        # The value's type is Python's (str), not ansible-core's (_AnsibleTaggedStr, AnsibleUnicode).
        assert "Ansible" not in outcome["failure"].replace("Ansible Vault", ""), (name, outcome["failure"])
    # Every refusal came before any request; only the HTTPS audit called STS (plain HTTP), then stopped.
    assert [(e["path"], e.get("action")) for e in fake.log] == [("/", "GetCallerIdentity")]


@pytest.mark.parametrize("on_denied,rc", [("warn", 0), ("skip", 0), ("error", 2)])
def test_a_refused_aws_account_fails_the_job_only_with_on_denied_error(fake, play, tmp_path, on_denied, rc):
    """What the guides say, one way everywhere: an incomplete audit fails the job, but with on_denied warn or
    skip a refused AWS account (here the only one) does not; the outcome is incomplete all the same."""
    fake.set_faults(TENANT_OF_FAKE, rules=[{"kind": "forbidden", "every": 1}])
    variables = {"account_audit_dest": str(tmp_path / "reports"), "account_audit_on_denied": on_denied}
    variables.update(account_audit_endpoint_url=fake.url, account_audit_access_key=ACCESS_KEY)
    variables.update(account_audit_secret_key=SECRET_KEY, account_audit_backoff_retries=0)
    task = {"ansible.builtin.include_role": {"name": "chime.admin.account_audit"}, "vars": variables}
    result = play([task], save=("account_audit_result",), env={"AWS_ENDPOINT_URL_STS": fake.url})
    assert result.rc == rc, result.output
    if rc:  # the play stopped at the role's last task: its message is in the output
        assert "Chime account audit incomplete: " in result.output
        return
    audit = result.saved["account_audit_result"]
    assert audit["outcome"] == "incomplete"
    assert audit["msg"].startswith("Chime account audit incomplete: "), audit["msg"]
    assert ("[WARNING]" in result.output) == (on_denied == "warn")
