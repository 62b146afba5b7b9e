# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the chime_account_audit action: its documentation against its argument spec, the role's
pass-through of every option, and the audit itself over stubbed STS and Chime clients.

The audit is the action's core, plugins/plugin_utils/_audit_run.py: it is tested here, with the action it serves,
rather than in tests/unit/plugins/plugin_utils/test_audit_run.py.
"""

import datetime
import json
import os
import re

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.loader import fragment_loader
from ansible.utils.plugin_docs import get_docstring

from ansible_collections.chime.admin.plugins.action.chime_account_audit import argument_spec
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.plugin_utils import _audit_run as audit_run
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.plugins.plugin_utils._rules import BUILT_IN
from ansible_collections.chime.admin.tests.unit.plugins.modules.module_argument_spec import module_argument_spec

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
# Options of the action and of chime_account_info that the role has no variable for, and why. Its argument
# spec says so: they are set with module_defaults and the group/chime.admin.aws group.
NOT_IN_ROLE = {
    "aws_config": "a dict of botocore settings, for module_defaults rather than one role variable",
    "debug_botocore_endpoint_logs": "a debugging switch of amazon.aws, for module_defaults",
}
CALLER = {"Account": "444455556666", "Arn": "arn:aws:sts::444455556666:assumed-role/Audit/job", "UserId": "X:job"}


def _documented():
    doc = get_docstring(os.path.join(ROOT, "plugins", "modules", "chime_account_audit.py"), fragment_loader)[0]
    return doc["options"]


def test_the_documentation_is_the_argument_spec():
    documented, spec = _documented(), argument_spec()
    assert set(documented) == set(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc.get("type", "str") == option.get("type", "str"), name
        assert doc.get("default") == option.get("default"), name
        assert doc.get("choices") == option.get("choices"), name
        assert set(doc.get("aliases", [])) == set(option.get("aliases", [])), name


def _role():
    """The role's variables (meta/argument_specs.yml), their values in defaults/main.yml, and the options its
    task gives the action (tasks/main.yml)."""
    role_dir = os.path.join(ROOT, "roles", "account_audit")
    with open(os.path.join(role_dir, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        variables = yaml.safe_load(handle)["argument_specs"]["main"]["options"]
    with open(os.path.join(role_dir, "defaults", "main.yml"), encoding="utf-8") as handle:
        defaults = yaml.safe_load(handle)
    with open(os.path.join(role_dir, "tasks", "main.yml"), encoding="utf-8") as handle:
        (task,) = [t for t in yaml.safe_load(handle) if "chime.admin.chime_account_audit" in t]
    return variables, defaults, task["chime.admin.chime_account_audit"]


def test_the_role_passes_every_option_through():
    role, _defaults, passed = _role()
    expected = set(argument_spec()) - NOT_IN_ROLE.keys()
    assert {name[len("account_audit_") :] for name in role} == expected
    assert set(passed) == expected
    for name, value in passed.items():
        assert re.search(rf"\baccount_audit_{name}\b", value), (name, value)
        assert ("no_log" in role[f"account_audit_{name}"]) == bool(argument_spec()[name].get("no_log")), name


def _expects(variable):
    """What a role variable's description says it expects (its last line): the role declares every variable
    raw, so that the action, not ansible-core's role argument check, refuses a wrong value."""
    assert variable["type"] == "raw" and "elements" not in variable and "choices" not in variable, variable
    return variable["description"][-1]


def _expected(option):
    """The line a role variable's description ends with for the action's ``option``."""
    kind, elements, choices = option.get("type", "str"), option.get("elements"), option.get("choices")
    if kind == "list":
        listed = ", ".join(f"V({c})" for c in choices) if choices else f"C({elements})"
        return f"Expects a list of {listed}."
    if choices:
        return "Expects one of " + ", ".join(f"V({c})" for c in choices) + "."
    return f"Expects a C({kind})."


def test_every_role_variable_says_what_the_action_expects():
    role, _defaults, _passed = _role()
    spec = argument_spec()
    spec["dest"] = dict(spec["dest"], type="path")  # the action reads a str, expanding ~ itself (see _audit_run)
    for variable, declared in role.items():
        assert _expects(declared) == _expected(spec[variable[len("account_audit_") :]]), variable


def _filter_doc(name):
    with open(os.path.join(ROOT, "plugins", "filter", f"{name}.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["DOCUMENTATION"]["options"]


def test_the_rule_table_is_what_the_role_the_action_and_the_filters_document():
    """One rule table (_policy.BUILT_IN): the role's argument spec and the filters' docs list the same rules, of
    the same kinds, each with its default severity; the action's doc names every default severity; the
    severity choices everywhere are the table's severities."""
    kinds = {"list": ("list", "str"), "flag": ("bool", None), "pattern": ("str", None)}
    role, _defaults, _passed = _role()
    documented = {
        "role": role["account_audit_rules"]["options"],
        "audit_violations filter": _filter_doc("audit_violations")["rules"]["suboptions"],
    }
    for where, options in documented.items():
        assert list(options) == [rule.name for rule in BUILT_IN], where
        for rule in BUILT_IN:
            option = options[rule.name]
            assert (option["type"], option.get("elements")) == kinds[rule.kind], (where, rule.name)
            if where == "role":
                description = option["description"]
                description = " ".join(description) if isinstance(description, list) else description
                assert f"Default severity {rule.severity}." in description, rule.name
    action_doc = " ".join(_documented()["rules"]["description"])
    for rule in BUILT_IN:
        assert f"V({rule.name}) {rule.severity}" in action_doc, rule.name
    assert _expects(role["account_audit_fail_severity"]) == _expected({"choices": list(SEVERITIES)})
    assert _documented()["fail_severity"]["choices"] == list(SEVERITIES)
    for name in ("audit_violations", "audit_report"):
        assert _filter_doc(name)["fail_severity"]["choices"] == list(SEVERITIES), name


def test_every_option_of_the_module_is_a_role_variable_passed_through_to_the_action():
    """Each option of chime_account_info (but NOT_IN_ROLE's) is an account_audit_<option> of the role, of the
    option's type, elements, choices, no_log and default, which the role's task gives the action.

    Not compared, on purpose: aliases and environment fallbacks (a role variable has one name; the action
    applies the module's fallbacks itself, as the first check here proves). A variable the role declares
    without a default is given to the action with default(omit), so that the module's default applies.
    """
    module_spec, action_spec = module_argument_spec(), argument_spec()
    role, defaults, passed = _role()
    assert {"name", "page_size", "role_arns", "region", "access_key"} <= module_spec.keys()  # what main() builds
    assert NOT_IN_ROLE.keys() <= module_spec.keys()  # every exception is still an option of the module
    for name, option in module_spec.items():
        assert action_spec.get(name) == option, f"the action does not read {name} as the module does"
        variable = role.get(f"account_audit_{name}")
        if name in NOT_IN_ROLE:
            assert variable is None and name not in passed, f"{name} is in the role: take it out of NOT_IN_ROLE"
            continue
        assert variable is not None, f"account_audit_{name} is not in roles/account_audit/meta/argument_specs.yml"
        assert _expects(variable) == _expected(option), name
        assert bool(variable.get("no_log")) == bool(option.get("no_log")), name
        if "default" in variable:
            assert variable["default"] == defaults.get(f"account_audit_{name}") == option.get("default"), name
            expected = f"{{{{ account_audit_{name} }}}}"
        else:
            assert f"account_audit_{name}" not in defaults, f"account_audit_{name} has a value but no default"
            expected = f"{{{{ account_audit_{name} | default(omit) }}}}"
        assert passed.get(name) == expected, f"the role's task does not give the action {name}: {expected}"


def _params(**given):
    result = ArgumentSpecValidator(argument_spec()).validate(given)
    assert not result.error_messages, result.error_messages
    return result.validated_parameters


def validate_options(name=None, **options):
    """The listing core's check of ``options`` and the account-name prefix ``name``."""
    ListingOptions(**options).validate([name])


def _refusal(check, *args, **kwargs):
    """The message with which ``check`` (the listing core's or the rules') refuses its arguments. Their wording
    is pinned once, in the module's unit tests and test_audit.py: the action must pass the same message on."""
    try:
        check(*args, **kwargs)
    except (ChimeInputError, PolicyError) as error:
        return str(error)
    raise AssertionError(f"{check.__name__} accepted {args} {kwargs}")


_RULE = {
    "id": "x",
    "description": "d",
    "severity": "low",
    "remediation": "r",
    "require": {"key": "name", "op": "present"},
}


@pytest.mark.parametrize(
    "given,message",
    [
        ({"show_violations": -1}, "show_violations must be a whole number"),
        ({"report_name": "../x"}, "report_name must be a plain file name"),
        ({"page_size": True}, _refusal(validate_options, page_size=True)),
        ({"name": "a\nb"}, _refusal(validate_options, name="a\nb")),
        ({"rules": {"nope": True}}, _refusal(Policy, {"nope": True})),
        *(
            ({"custom_rules": [dict(_RULE, **bad)]}, _refusal(Policy, custom_rules=[dict(_RULE, **bad)]))
            for bad in (
                {"require": {"key": "nme", "op": "eq", "value": "x"}},
                {"require": {"key": "name", "op": "like", "value": "x"}},
                {"require": {"key": "name", "op": "regex", "value": "(?<=x)y"}},
                {"where": {"key": "name", "op": "regex", "value": "(unclosed"}},
                {"require": {"key": "name", "op": "contains", "value": "x"}},
                {"id": "name_pattern"},
                {"severity": "severe"},
            )
        ),
        (
            {"custom_rules": [_RULE, _RULE]},
            "custom rule x (custom_rules[1]).id: x is used by another custom rule too.",
        ),
        (
            {"waivers": [{"rule": "name_pattern", "reason": "r", "expires": "2027-01-01"}]},
            "waivers[0] (rule name_pattern) matches nothing: give at least one of account_id, aws_account_id, name,"
            " name_glob.",
        ),
        ({"waivers": [{"rule": "nope", "name": "*", "reason": "r", "expires": "2027-01-01"}]}, "unknown rule 'nope'"),
        ({"waivers": [{"rule": "name_pattern", "name": "*", "expires": "2027-01-01"}]}, ".reason is required."),
        (
            {"waivers": [{"rule": "name_pattern", "name": "*", "reason": "r", "expires": "soon"}]},
            ".expires must be a date",
        ),
        ({"severities": {"name_pattern": "urgent"}}, "severities.name_pattern must be one of informational"),
        (
            {"waiver_warn_days": 3000000},
            "waiver_warn_days must be a whole number of days from 0 to 36500, got 3000000.",
        ),
        *(
            (
                {"custom_rules": [dict(_RULE, require={"key": "age_days", "op": op, "value": value})]},
                f"age_days compares with a number of days, got {value!r}.",
            )
            for op in ("eq", "ne")
            for value in ("abc", True)
        ),
        ({"policy_file": "missing-policy.yml"}, "missing-policy.yml: cannot be read"),
        (
            {"policy_file": "policy.yml", "rules": {"no_suspended_accounts": True}},
            "rules is set both in the policy file",
        ),
        ({"s3_kms_key_id": "k", "s3_sse": "AES256", "s3_bucket": "ok-bucket"}, "s3_kms_key_id needs s3_sse"),
        ({"s3_sse": "AES256"}, "need s3_bucket"),
        ({"baseline": "latest"}, "baseline: latest needs s3_bucket"),
        ({"baseline": "s3://b"}, "baseline must be s3://<bucket>/<key>"),
        ({"s3_object_lock": {"mode": "GOVERNANCE", "days": 0}, "s3_bucket": "ok-bucket"}, "s3_object_lock.days must"),
        ({"s3_object_lock": {"mode": "LEGAL", "days": 1}, "s3_bucket": "ok-bucket"}, "s3_object_lock.mode must"),
        ({"s3_object_lock": {"mode": "COMPLIANCE", "days": 1}}, "s3_object_lock needs s3_bucket"),
        ({"baseline": "s3://ok-bucket/k?versionId=a b"}, "baseline must name an S3 version ID"),
    ],
)
def test_bad_input_never_connects(tmp_path, given, message):
    def connect():
        raise AssertionError("connected")

    (tmp_path / "policy.yml").write_text("rules: {name_pattern: '^x'}\n")
    result = audit_run.Audit(_params(**given), connect, str(tmp_path), False).run()
    assert result["outcome"] == "incomplete" and result["failed"] is True
    assert result["failure"] == result["msg"] and result["msg"].startswith("Chime account audit did not run: ")
    assert message in result["msg"]
    assert os.listdir(tmp_path) == ["policy.yml"]  # nothing written


class _Connection:
    """Real botocore clients behind Stubbers, handed out as AwsConnection hands out clients."""

    def __init__(self, pages):
        session = boto3.session.Session(aws_access_key_id="AKIAX", aws_secret_access_key="x", region_name="us-east-1")
        self.sts, self.chime = session.client("sts"), session.client("chime")
        self.stubs = [Stubber(self.sts), Stubber(self.chime)]
        self.stubs[0].add_response("get_caller_identity", CALLER, {})
        for index, page in enumerate(pages):
            expected = {"MaxResults": 200, **({"NextToken": f"t{index}"} if index else {})}
            body = {"Accounts": page, **({"NextToken": f"t{index + 1}"} if index + 1 < len(pages) else {})}
            self.stubs[1].add_response("list_accounts", body, expected)
        for stub in self.stubs:
            stub.activate()

    def client(self, service, pool=None):
        return {"sts": self.sts, "chime": self.chime}[service]


def _account(n, **fields):
    created = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    return dict({"AwsAccountId": "444455556666", "AccountId": f"id-{n}", "Name": f"Team {n}", "AccountType": "Team",
                 "CreatedTimestamp": created, "DefaultLicense": "Pro", "SupportedLicenses": ["Pro"],
                 "AccountStatus": "Active"}, **fields)  # fmt: skip


def test_a_whole_audit_over_stubbed_clients(tmp_path):
    pages = [[_account(1), _account(2, AccountStatus="Suspended")], [_account(3, Name="<b>x</b>")]]
    connection = _Connection(pages)
    params = _params(rules={"no_suspended_accounts": True}, dest="out", show_violations=0)
    result = audit_run.Audit(params, lambda: connection, str(tmp_path), False).run()
    for stub in connection.stubs:
        stub.assert_no_pending_responses()  # exactly one GetCallerIdentity and two pages
    assert result["outcome"] == "non_compliant" and result["failed"] is True and result["changed"] is True
    assert result["violations"] == [] and result["violation_counts"] == {"no_suspended_accounts": 1}
    assert result["failure"] == (
        "Chime account audit: non-compliant: 1 violation(s) (no_suspended_accounts: 1) in 1 account(s)."
        f" Reports: {tmp_path}/out/chime-account-audit.json, {tmp_path}/out/chime-account-audit.csv,"
        f" {tmp_path}/out/chime-account-audit.findings.csv,"
        f" {tmp_path}/out/chime-account-audit.md, {tmp_path}/out/chime-account-audit.html."
    )
    report = json.loads((tmp_path / "out" / "chime-account-audit.json").read_text(encoding="utf-8"))
    assert report["source"]["caller"] == CALLER["Arn"] and report["source"]["aws_accounts"] == ["444455556666"]
    assert report["generated_at"] == result["generated_at"] and report["generated_at"].endswith("+00:00")
    assert [a["created_timestamp"] for a in report["accounts"]] == ["2020-01-02T03:04:05+00:00"] * 3
    assert "accounts" not in result and "Team 1" not in json.dumps(result)


def test_check_mode_and_compliance(tmp_path):
    connection = _Connection([[_account(1)]])
    params = _params(rules={"no_suspended_accounts": True}, dest="out")
    result = audit_run.Audit(params, lambda: connection, str(tmp_path), True).run()
    assert result["outcome"] == "compliant" and result["failure"] is None and "failed" not in result
    assert result["changed"] is True and os.listdir(tmp_path) == []  # it would write, and wrote nothing
    assert f"Would write: {tmp_path}/out/chime-account-audit.json" in result["summary_lines"]


@pytest.mark.parametrize(
    "fail_severity,fail_on_violation,failed",
    [
        (None, True, True),
        ("medium", True, True),
        ("high", True, False),
        ("high", False, False),
        ("medium", False, False),
    ],
)
def test_the_job_fails_only_at_or_above_the_fail_severity(tmp_path, fail_severity, fail_on_violation, failed):
    """A suspended account is a medium violation: non-compliant whatever the threshold, failing at or below it."""
    connection = _Connection([[_account(1), _account(2, AccountStatus="Suspended")]])
    given = {"fail_severity": fail_severity} if fail_severity else {}
    params = _params(rules={"no_suspended_accounts": True}, dest="out", fail_on_violation=fail_on_violation, **given)
    result = audit_run.Audit(params, lambda: connection, str(tmp_path), False).run()
    assert result["outcome"] == "non_compliant" and result.get("failed", False) is failed
    assert result["severity_counts"] == {"critical": 0, "high": 0, "medium": 1, "low": 0, "informational": 0}
    assert (result["failure"] is not None) is failed
    if fail_severity == "high":
        assert "None at or above high: the job does not fail." in result["msg"]


def test_a_waived_violation_is_compliant_and_says_so(tmp_path):
    connection = _Connection([[_account(1), _account(2, AccountStatus="Suspended")]])
    waiver = {"rule": "no_suspended_accounts", "name": "Team 2", "reason": "closing", "expires": "2999-12-31"}
    params = _params(rules={"no_suspended_accounts": True}, dest="out", waivers=[waiver])
    result = audit_run.Audit(params, lambda: connection, str(tmp_path), False).run()
    assert result["outcome"] == "compliant" and "failed" not in result
    assert result["msg"] == "Chime account audit: compliant (1 waived finding(s), in the reports)."
    assert result["summary"]["violations"]["waived"] == 1 and result["violations"] == []


@pytest.mark.parametrize(
    "arn,recorded",
    [
        ("arn:aws:iam::444455556666:user/auditor", "arn:aws:iam::444455556666:user/auditor"),
        ("arn:aws:sts::444455556666:assumed-role/Audit/job", "arn:aws:sts::444455556666:assumed-role/Audit/job"),
        (
            "arn:aws:sts::444455556666:assumed-role/SSO_Admin/jane@example.com",
            "arn:aws:sts::444455556666:assumed-role/SSO_Admin/<e-mail address withheld>",
        ),
        (
            "arn:aws:iam::444455556666:user/alice.auditor@example.com",
            "arn:aws:iam::444455556666:user/<e-mail address withheld>",
        ),
        (
            "arn:aws:iam::444455556666:user/team/alice.auditor@example.com",
            "arn:aws:iam::444455556666:user/team/<e-mail address withheld>",
        ),
        (
            "arn:aws:sts::444455556666:federated-user/bob@example.com",
            "arn:aws:sts::444455556666:federated-user/<e-mail address withheld>",
        ),
    ],
)
def test_the_caller_is_recorded_without_an_e_mail_address(arn, recorded):
    assert audit_run.caller_evidence({"Account": "444455556666", "Arn": arn}) == (recorded, "aws")


@pytest.mark.parametrize("arn", [None, "not-an-arn", "arn:aws:iam::111122223333:user/other-account"])
def test_a_caller_arn_that_is_not_one_fails_the_audit_cleanly(arn):
    with pytest.raises(audit_run.ChimeListingError, match="GetCallerIdentity returned no ARN"):
        audit_run.caller_evidence({"Account": "444455556666", "Arn": arn})


def test_a_refused_account_with_on_denied_warn_is_incomplete_not_compliant(tmp_path):
    connection = _Connection([])
    connection.stubs[1].add_client_error("list_accounts", "ForbiddenException", "no", 403)
    params = _params(rules={"no_suspended_accounts": True}, dest="out", on_denied="warn", backoff_retries=0)
    result = audit_run.Audit(params, lambda: connection, str(tmp_path), False).run()
    assert result["outcome"] == "incomplete" and result["failure"] is None and "failed" not in result
    assert result["msg"].startswith("Chime account audit incomplete: 1 AWS account(s) not listed: 444455556666")
    assert len(result["warnings"]) == 1 and "ForbiddenException" in result["warnings"][0]
    report = json.loads((tmp_path / "out" / "chime-account-audit.json").read_text(encoding="utf-8"))
    assert report["aws_accounts"][0]["status"] == "denied" and report["source"]["aws_accounts"] == []


def test_an_unexpected_error_is_an_incomplete_audit_not_a_traceback(tmp_path):
    def connect():
        raise KeyError("surprise")

    result = audit_run.Audit(_params(dest="out"), connect, str(tmp_path), False).run()
    assert (
        result["outcome"] == "incomplete"
        and result["failure"] == "Chime account audit incomplete: KeyError: 'surprise'"
    )


def test_a_policy_authors_text_reaches_the_job_output_only_escaped(tmp_path):
    """Rule names in an error, and the descriptions and details in the result (shown at -v and stored by AWX),
    with terminal escapes and a bidirectional override made visible."""
    hostile = "\x1b[2J\x1b[32mall clear\u202e"

    def connect():
        raise AssertionError("connected")

    refused = audit_run.Audit(_params(rules={hostile: True}), connect, str(tmp_path), False).run()
    assert "\\u001b[2J" in refused["msg"] and "\x1b" not in refused["msg"] and "\u202e" not in refused["msg"]
    rule = {"id": "r", "description": hostile, "severity": "high", "remediation": hostile,
            "require": {"key": "name", "op": "absent"}}  # fmt: skip
    connection = _Connection([[_account(1)]])
    params = _params(custom_rules=[rule], dest="out", fail_on_violation=False)
    result = audit_run.Audit(params, lambda: connection, str(tmp_path), False).run()
    text = json.dumps(result, ensure_ascii=False)
    assert result["violations"] and "\x1b" not in text and "\u202e" not in text and "\\\\u001b" in text


def test_a_botocore_without_the_chime_model_fails_the_audit_before_sts_or_s3(fake, tmp_path, monkeypatch):
    """The connection is made before GetCallerIdentity and any S3 baseline: the audit asks nothing of AWS."""
    from ansible_collections.chime.admin.plugins.module_utils._chime import service
    from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection

    from fake_chime.no_chime import hide_chime
    from fake_chime.testing import ACCESS_KEY
    from fake_chime.testing import SECRET_KEY

    monkeypatch.setattr(service, "_HAS_MODEL", {})
    hide_chime(monkeypatch)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", fake.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", fake.url)

    def connect():
        return AwsConnection(None, fake.url, {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY})

    params = _params(dest="out", s3_bucket="audit-bucket", baseline="latest")
    result = audit_run.Audit(params, connect, str(tmp_path), False).run()
    expected = service.API_UNAVAILABLE_MESSAGE.format(version=service.BOTOCORE_VERSION)
    assert result["outcome"] == "incomplete" and result["failed"] is True
    assert result["failure"] == result["msg"] == f"Chime account audit incomplete: {expected}"
    assert fake.log == [] and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args,scope",
    [
        ({"name": "Lagos"}, 'names starting with "Lagos"'),
        ({"user_email": "someone@example.com"}, "one user's e-mail address"),
        ({"role_arns": ["arn:aws:iam::444455556666:role/Audit"]}, "1 role ARN(s)"),
    ],
    ids=["name", "user-email", "role-arns"],
)
def test_a_local_baseline_of_another_scope_is_refused_before_any_chime_request(tmp_path, args, scope):
    connection = _Connection([[_account(1), _account(2)]])
    result = audit_run.Audit(_params(dest="out"), lambda: connection, str(tmp_path), False).run()
    assert result["outcome"] == "compliant", result
    baseline = tmp_path / "out" / "chime-account-audit.json"
    before = baseline.read_bytes()
    connection = _Connection([])  # GetCallerIdentity only: a Chime request would find no stubbed answer
    params = _params(dest="out", baseline=str(baseline), **args)
    result = audit_run.Audit(params, lambda: connection, str(tmp_path), False).run()
    for stub in connection.stubs:
        stub.assert_no_pending_responses()
    assert result["failed"] and result["outcome"] == "incomplete"
    message = result["failure"]
    assert message.startswith(f"Chime account audit did not run: the baseline {baseline} is of another scope: ")
    assert "auditing its own AWS account, every name [scope " in message and scope in message
    assert "This run's scope is caller AWS account 444455556666 (aws)" in message and "s3_prefix" in message
    assert "someone@example.com" not in json.dumps(result)
    assert baseline.read_bytes() == before  # nothing written


def test_a_local_recurring_audit_reports_what_changed_behind_a_refused_run(tmp_path):
    params = _params(rules={"no_suspended_accounts": True}, dest="out", on_denied="warn", backoff_retries=0,
                     fail_on_violation=False, baseline="out/chime-account-audit.json")  # fmt: skip
    report = tmp_path / "out" / "chime-account-audit.json"
    first = _Connection([[_account(1), _account(2), _account(3)]])
    result = audit_run.Audit(dict(params, baseline=None), lambda: first, str(tmp_path), False).run()
    assert result["outcome"] == "compliant", result
    refused = _Connection([])
    refused.stubs[1].add_client_error("list_accounts", "ForbiddenException", "no", 403)
    result = audit_run.Audit(params, lambda: refused, str(tmp_path), False).run()
    assert result["outcome"] == "incomplete" and "failed" not in result  # a green job, an incomplete report
    third = _Connection([[_account(1), _account(3, AccountStatus="Suspended")]])  # 2 deleted, 3 suspended
    result = audit_run.Audit(params, lambda: third, str(tmp_path), False).run()
    assert result["summary"]["changes"] == {"added": 0, "removed": 1, "changed": 1, "not_compared": 0}
    assert any(line.startswith("Baseline was incomplete; compared with the last complete run of ")
               for line in result["summary_lines"])  # fmt: skip
    assert json.loads(report.read_text(encoding="utf-8"))["changes"]["removed"][0]["account_id"] == "id-2"
