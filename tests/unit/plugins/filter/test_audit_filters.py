# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit filters as templates use them, through ansible's templar."""

import json
import re

import pytest

from ansible.errors import AnsibleFilterError
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import init_plugin_loader
from ansible.template import Templar
from ansible.utils.collection_loader import AnsibleCollectionConfig

try:
    from ansible.template import trust_as_template
except ImportError:  # ansible-core < 2.19 templates every string it is given

    def trust_as_template(text):
        return text


if not AnsibleCollectionConfig.collection_finder:
    init_plugin_loader()

from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy  # noqa: E402
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError  # noqa: E402


def _rules_refusal(rules):
    """The rules check's own message for ``rules``: its wording is pinned in test_audit.py; a filter passes it
    on behind the filter's name."""
    try:
        Policy(rules)
    except PolicyError as error:
        return str(error)
    raise AssertionError(f"the policy accepted {rules}")


UNKNOWN_RULE = _rules_refusal({"nope": True})

ACCOUNTS = [
    {"aws_account_id": "111122223333", "account_id": "a", "name": "=cmd", "account_status": "Suspended"},
    {"aws_account_id": "111122223333", "account_id": "b", "name": "Ok", "account_status": "Active"},
]


def _render(expression, **variables):
    templar = Templar(loader=DataLoader(), variables=dict(accounts=ACCOUNTS, **variables))
    return templar.template(trust_as_template(expression))


def test_filters_render_in_templates():
    violations = _render("{{ accounts | chime.admin.audit_violations({'no_suspended_accounts': true}) }}")
    assert [v["account_id"] for v in violations] == ["a"]
    counts = _render("{{ accounts | chime.admin.audit_violations(rules) | chime.admin.audit_violation_counts }}",
                     rules={"no_suspended_accounts": True})  # fmt: skip
    assert counts == {"no_suspended_accounts": 1}
    changes = _render("{{ accounts | chime.admin.audit_changes(accounts[:1]) }}")
    assert [a["account_id"] for a in changes["added"]] == ["b"] and changes["removed"] == []
    assert "'=cmd" in _render("{{ accounts | chime.admin.audit_csv }}")


def test_bad_input_and_rules_fail_with_the_filter_named():
    with pytest.raises(AnsibleFilterError, match=re.escape(f"audit_violations: {UNKNOWN_RULE}")):
        _render("{{ accounts | chime.admin.audit_violations({'nope': true}) }}")
    with pytest.raises(AnsibleFilterError, match="audit_csv: the input must be a list of accounts"):
        _render("{{ 'text' | chime.admin.audit_csv }}")


def test_report_filters_render_in_templates():
    listing = {"accounts": ACCOUNTS, "summary": {"total": 2, "by_status": {"Active": 1, "Suspended": 1}}}
    report = _render(
        "{{ listing | chime.admin.audit_report(rules={'no_suspended_accounts': true}, generated_at='t') }}",
        listing=listing,
    )
    assert report["summary"]["violations"]["total"] == 1 and report["generated_at"] == "t"
    assert "# Amazon Chime account audit" in _render("{{ report | chime.admin.audit_markdown }}", report=report)
    assert _render("{{ report | chime.admin.audit_html }}", report=report).startswith("<!DOCTYPE html>")
    lines = _render("{{ report.violations | chime.admin.audit_violation_lines(0) }}", report=report)
    assert lines == ["1 violation(s) (no_suspended_accounts: 1)", "and 1 more, in the reports"]


def test_report_filters_refuse_bad_input_naming_the_filter():
    with pytest.raises(AnsibleFilterError, match="audit_report: the input must be the result of"):
        _render("{{ accounts | chime.admin.audit_report }}")
    with pytest.raises(AnsibleFilterError, match=re.escape(f"audit_report: {UNKNOWN_RULE}")):
        _render("{{ {'accounts': accounts} | chime.admin.audit_report(rules={'nope': 1}) }}")
    with pytest.raises(AnsibleFilterError, match="audit_html: the input must be a report"):
        _render("{{ accounts | chime.admin.audit_html }}")
    with pytest.raises(AnsibleFilterError, match="audit_markdown: the input must be a report"):
        _render("{{ {} | chime.admin.audit_markdown }}")
    with pytest.raises(AnsibleFilterError, match="audit_violation_lines: limit must be"):
        _render("{{ [] | chime.admin.audit_violation_lines(-1) }}")


def test_render_filter():
    listing = {"accounts": ACCOUNTS, "summary": {"total": 2}}
    texts = _render("{{ listing | chime.admin.audit_report | chime.admin.audit_render(['csv']) }}", listing=listing)
    assert list(texts) == ["csv", "findings_csv"] and "'=cmd" in texts["csv"]  # csv makes two files
    with pytest.raises(AnsibleFilterError, match="audit_render: unknown format"):
        _render("{{ listing | chime.admin.audit_report | chime.admin.audit_render(['pdf']) }}", listing=listing)
    with pytest.raises(AnsibleFilterError, match="audit_render: formats must be a list"):
        _render("{{ listing | chime.admin.audit_report | chime.admin.audit_render('json') }}", listing=listing)


def test_render_filter_writes_the_findings_as_ocsf_events():
    listing = {"accounts": ACCOUNTS, "summary": {"total": 2}}
    expression = (
        "{{ listing | chime.admin.audit_report(rules={'no_suspended_accounts': true}, generated_at=when)"
        " | chime.admin.audit_render(['ocsf']) }}"
    )
    texts = _render(expression, listing=listing, when="2026-11-29T08:00:00+00:00")
    assert list(texts) == ["ocsf"]
    (event,) = json.loads(texts["ocsf"])
    assert (event["class_uid"], event["type_uid"], event["status"]) == (2003, 200301, "New")
    assert event["compliance"]["control"] == "no_suspended_accounts"
    assert event["resources"][0]["uid"] == "a" and event["resources"][0]["name"] == "=cmd"
    assert event["time"] == 1795939200000
    defaults = _render("{{ listing | chime.admin.audit_report | chime.admin.audit_render }}", listing=listing)
    assert list(defaults) == ["json", "csv", "findings_csv", "markdown", "html"]  # ocsf only when asked for
    with pytest.raises(AnsibleFilterError, match="audit_render: the ocsf format needs the report's generated_at"):
        _render(expression.replace("generated_at=when", "generated_at=none"), listing=listing)


def test_the_filters_convert_inputs_as_the_roles_argument_spec_does():
    """Used directly, the filters take what the role's argument spec converts: a flag given as "true" and an
    unquoted account ID in an allow-list."""
    accounts = [dict(ACCOUNTS[0], aws_account_id="111122223333"), dict(ACCOUNTS[1], aws_account_id="444455556666")]
    found = _render(
        "{{ these | chime.admin.audit_violations({'no_suspended_accounts': 'true',"
        " 'allowed_aws_account_ids': [111122223333]}) }}",
        these=accounts,
    )
    assert [(v["account_id"], v["rule"]) for v in found] == [("a", "no_suspended_accounts")] + [
        ("b", "allowed_aws_account_ids")
    ]


def test_the_filters_take_custom_rules_severities_waivers_and_a_policy():
    policy = {
        "name": "p",
        "custom_rules": [{"id": "no-formula-names", "description": "d", "severity": "high", "remediation": "r",
                          "require": {"key": "name", "op": "regex", "value": "^[A-Za-z]"}}],
        "waivers": [{"rule": "no-formula-names", "account_id": "a", "reason": "known", "expires": "2999-12-31"}],
    }  # fmt: skip
    listing = {"accounts": ACCOUNTS, "summary": {"total": 2}}
    report = _render(
        "{{ listing | chime.admin.audit_report(policy=policy, severities={'no-formula-names': 'critical'},"
        " generated_at='2026-12-01T00:00:00+00:00') }}",
        listing=listing,
        policy=policy,
    )
    assert report["violations"] == [] and [w["account_id"] for w in report["waived"]] == ["a"]
    assert report["waived"][0]["severity"] == "critical" and report["source"]["policy"]["name"] == "p"
    assert _render("{{ accounts | chime.admin.audit_violations(policy=policy) }}", policy=policy) == []
    with pytest.raises(AnsibleFilterError, match="rules is set both in the policy file"):
        _render("{{ accounts | chime.admin.audit_violations({'no_suspended_accounts': true}, policy=p) }}",
                p={"rules": {"name_pattern": "x"}})  # fmt: skip
