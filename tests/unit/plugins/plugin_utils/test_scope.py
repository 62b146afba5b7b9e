# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the scope of an audit run (plugins/plugin_utils/_scope.py)."""

import hashlib
import json

import pytest

from ansible_collections.chime.admin.plugins.plugin_utils import _scope as sc
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible
from ansible_collections.chime.admin.plugins.plugin_utils._report import build_report

CALLER = "111122223333"
ARNS = ["arn:aws:iam::222233334444:role/ChimeAudit", "arn:aws:iam::555566667777:role/ChimeAudit"]


def test_the_scope_of_a_run_is_a_plain_dict_of_what_it_asked_for():
    scope = sc.build_scope(CALLER, "aws", names=["Lagos", None], user_email="someone@example.com")
    assert scope == {
        "scope_format": 1,
        "partition": "aws",
        "caller_account": CALLER,
        "aws_accounts": "caller",
        "role_arns": None,
        "organization_role_name": None,
        "names": ["Lagos"],
        "user_email": True,
    }
    assert json.loads(json.dumps(scope)) == scope and "example.com" not in json.dumps(scope)
    organization = sc.build_scope(CALLER, "aws", organization_role_name="ChimeAudit")
    assert (organization["aws_accounts"], organization["organization_role_name"]) == ("organization", "ChimeAudit")


def test_order_and_repetition_do_not_change_a_scope_but_every_part_does():
    one = sc.build_scope(CALLER, "aws", role_arns=ARNS, names=["B", "A"])
    same = sc.build_scope(CALLER, "aws", role_arns=[ARNS[1], ARNS[0], ARNS[1]], names=["A", "B", "A"])
    assert sc.same_scope(one, same) and sc.scope_digest(one) == sc.scope_digest(same) == sc.scope_digest(dict(same))
    assert one["role_arns"] == sorted(ARNS) and one["names"] == ["A", "B"]
    assert len(sc.scope_id(one)) == 12 and sc.scope_digest(one).startswith(sc.scope_id(one))
    others = [
        sc.build_scope("999988887777", "aws", role_arns=ARNS, names=["A", "B"]),  # other credentials
        sc.build_scope(CALLER, "aws-us-gov", role_arns=ARNS, names=["A", "B"]),
        sc.build_scope(CALLER, "aws", role_arns=ARNS[:1], names=["A", "B"]),  # a subset
        sc.build_scope(CALLER, "aws", organization_role_name="ChimeAudit", names=["A", "B"]),
        sc.build_scope(CALLER, "aws", names=["A", "B"]),
        sc.build_scope(CALLER, "aws", role_arns=ARNS, names=["A"]),
        sc.build_scope(CALLER, "aws", role_arns=ARNS, names=["A", "B"], user_email="x@example.com"),
    ]
    digests = {sc.scope_digest(other) for other in others}
    assert len(digests) == len(others) and sc.scope_digest(one) not in digests
    assert not any(sc.same_scope(one, other) for other in others)
    assert not sc.same_scope(one, None) and not sc.same_scope(None, None)


def test_the_digest_is_of_canonical_json():
    scope = sc.build_scope(CALLER, "aws", names=["Zürich"])
    text = json.dumps(scope, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert sc.canonical(scope) == text
    assert sc.scope_digest(scope) == hashlib.sha256(text.encode()).hexdigest()
    assert sc.scope_digest(dict(scope, derived=True)) == sc.scope_digest(scope)  # derived is no part of it


def test_describe_names_what_was_asked_in_one_line_and_shows_hostile_names_only_escaped():
    hostile = "Lagos\x1b[31m\u202e\n"
    line = visible(sc.describe(sc.build_scope(CALLER, "aws", names=[hostile], user_email="a@b.co")))
    assert "\x1b" not in line and "\u202e" not in line and "\n" not in line and "\\u001b" in line
    assert line.startswith(f"caller AWS account {CALLER} (aws) auditing its own AWS account, names starting with")
    assert "one user's e-mail address" in line and "a@b.co" not in line
    many = [f"arn:aws:iam::{n:012d}:role/R" for n in range(5)]
    assert "5 role ARN(s) (" in sc.describe(sc.build_scope(CALLER, "aws", role_arns=many))
    assert "and 2 more)" in sc.describe(sc.build_scope(CALLER, "aws", role_arns=many))
    organization = sc.describe(sc.build_scope(CALLER, "aws", organization_role_name="ChimeAudit"))
    assert "the organization through the role ChimeAudit, every name [scope " in organization
    assert sc.describe(None).startswith("an unknown scope")


def _format3(caller=f"arn:aws:sts::{CALLER}:assumed-role/Audit/job", name=None, email=False, aws_accounts=None):
    """A report as format 3 wrote it: no scope."""
    report = {
        "report_format": 3,
        "source": {"caller": caller, "aws_accounts": [CALLER], "filters": {"name": name, "user_email": email}},
        "accounts": [],
    }
    if aws_accounts is not None:
        report["aws_accounts"] = aws_accounts
    return report


def _entry(aws_id, role_arn, status="listed"):
    return {"aws_account_id": aws_id, "role_arn": role_arn, "status": status, "accounts": 0}


@pytest.mark.parametrize(
    "report,expected",
    [
        (_format3(), sc.build_scope(CALLER, "aws")),
        (_format3(name="Lagos", email=True), sc.build_scope(CALLER, "aws", names=["Lagos"], user_email=True)),
        (_format3(aws_accounts=[_entry(CALLER, None, "denied")]), sc.build_scope(CALLER, "aws")),
        (_format3(aws_accounts=[_entry(a.split(":")[4], a) for a in ARNS]), sc.build_scope(CALLER, "aws", ARNS)),
        (
            _format3(aws_accounts=[_entry(CALLER, None), _entry("222233334444", ARNS[0]), _entry("3" * 12, None)]),
            sc.build_scope(CALLER, "aws", organization_role_name="ChimeAudit"),
        ),
        (
            _format3(caller="arn:aws-cn:iam::111122223333:user/audit"),
            sc.build_scope(CALLER, "aws-cn"),
        ),
    ],
    ids=["own-account", "filters", "own-account-denied", "role-arns", "organization", "partition"],
)
def test_an_older_report_has_a_derived_scope(report, expected):
    derived = sc.report_scope(report)
    assert derived["derived"] is True and sc.same_scope(derived, expected), (derived, expected)
    assert "(derived from an older report)" in sc.describe(derived)


def test_an_organization_whose_role_is_not_recorded_is_the_same_as_no_run_and_no_caller_is_no_scope():
    report = _format3(aws_accounts=[_entry(CALLER, None), _entry("3" * 12, None, "skipped")])
    derived = sc.report_scope(report)
    assert derived["aws_accounts"] == "organization" and derived["organization_role_name"] is None
    assert not sc.same_scope(derived, sc.build_scope(CALLER, "aws", organization_role_name="ChimeAudit"))
    assert sc.report_scope(_format3(caller=None)) is None and sc.report_scope({"accounts": []}) is None
    assert sc.report_scope([]) is None


def test_a_recorded_scope_wins_over_what_the_source_shows():
    scope = sc.build_scope(CALLER, "aws", names=["Lagos"])
    report = build_report({"accounts": []}, caller=f"arn:aws:sts::{CALLER}:assumed-role/A/b", scope=scope)
    assert report["source"]["scope"] == scope and sc.report_scope(report) == scope
    filtered = build_report({"accounts": []}, caller=f"arn:aws:sts::{CALLER}:assumed-role/A/b")  # the filter
    assert filtered["source"]["scope"]["derived"] is True


def test_the_refusal_names_both_scopes_and_what_to_change():
    full, filtered = sc.build_scope(CALLER, "aws"), sc.build_scope(CALLER, "aws", names=["Lagos"])
    message = sc.refusal(filtered, full, "the baseline s3://b/weekly/x.json")
    assert message.startswith("the baseline s3://b/weekly/x.json is of another scope: caller AWS account")
    assert f"[scope {sc.scope_id(full)}]" in message and f"[scope {sc.scope_id(filtered)}]" in message
    assert message.index(sc.scope_id(full)) < message.index("This run's scope is") < message.index('"Lagos"')
    assert "s3_prefix" in message and "one job template per prefix" in message


@pytest.mark.parametrize(
    "planted",
    [
        {"aws_accounts": "role_arns", "role_arns": 7},
        {"aws_accounts": "role_arns", "role_arns": [1, None, {"a": "\x1b[2J"}]},
        {"names": {"x": 1}},
        {"names": ["n"] * 10_000, "caller_account": ["\u202e"]},
    ],
    ids=["number", "mixed", "dict", "huge"],
)
def test_a_baselines_scope_of_any_json_shape_is_described_and_compared_without_failing(planted):
    report = {"source": {"scope": dict(sc.build_scope(CALLER, "aws"), **planted)}, "accounts": []}
    scope = sc.report_scope(report)
    line = visible(sc.refusal(sc.build_scope(CALLER, "aws"), scope, "the baseline b.json"))
    assert not sc.same_scope(scope, sc.build_scope(CALLER, "aws"))
    assert "\x1b" not in line and "\u202e" not in line and len(line) < 2_000
