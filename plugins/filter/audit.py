# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for audits of Chime accounts; their documentation is in the .yml files beside this one."""

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.chime.admin.plugins.plugin_utils._drift import find_changes
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible
from ansible_collections.chime.admin.plugins.plugin_utils._format_csv import to_csv
from ansible_collections.chime.admin.plugins.plugin_utils._format_html import to_html
from ansible_collections.chime.admin.plugins.plugin_utils._format_markdown import to_markdown
from ansible_collections.chime.admin.plugins.plugin_utils._formats import DEFAULT_FORMATS
from ansible_collections.chime.admin.plugins.plugin_utils._formats import render
from ansible_collections.chime.admin.plugins.plugin_utils._policy import DEFAULT_WAIVER_WARN_DAYS
from ansible_collections.chime.admin.plugins.plugin_utils._policy import count_by_rule
from ansible_collections.chime.admin.plugins.plugin_utils._policy_file import check_policy_keys
from ansible_collections.chime.admin.plugins.plugin_utils._policy_file import combine
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.plugins.plugin_utils._report import ReportError
from ansible_collections.chime.admin.plugins.plugin_utils._report import audit_time
from ansible_collections.chime.admin.plugins.plugin_utils._report import build_report
from ansible_collections.chime.admin.plugins.plugin_utils._report import plain
from ansible_collections.chime.admin.plugins.plugin_utils._report import summary_lines
from ansible_collections.chime.admin.plugins.plugin_utils._report import violation_lines


def _accounts(value, filter_name):
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise AnsibleFilterError(f"{filter_name}: the input must be a list of accounts (dicts), as the module returns.")
    return value


def _policy(rules, custom_rules, severities, waivers, fail_severity, waiver_warn_days, policy):
    """The checked policy of a filter's arguments: as the role's, with ``policy`` standing for the policy
    file (a dict of its keys, such as ``lookup('file', 'policy.yml') | from_yaml``). Flags given as
    strings (V("true")) and numbers in lists of strings are converted as the role's argument spec converts
    them."""
    if policy is not None:
        policy = check_policy_keys(policy, "policy")
    variables = dict(
        rules=rules, custom_rules=custom_rules, severities=severities, waivers=waivers, fail_severity=fail_severity
    )
    warn_days = DEFAULT_WAIVER_WARN_DAYS if waiver_warn_days is None else waiver_warn_days
    return combine(plain(variables), plain(policy) if policy else None, "(the policy argument)", warn_days)


def audit_violations(
    accounts,
    rules=None,
    custom_rules=None,
    severities=None,
    waivers=None,
    fail_severity=None,
    waiver_warn_days=None,
    policy=None,
    at=None,
):
    """Every open violation of the policy by ``accounts`` (waived findings are left out: see audit_report)."""
    try:
        checked = _policy(rules, custom_rules, severities, waivers, fail_severity, waiver_warn_days, policy)
        return checked.evaluate(plain(_accounts(accounts, "audit_violations")), audit_time(at)).violations
    except PolicyError as error:
        raise AnsibleFilterError(visible(f"audit_violations: {error}")) from None


def audit_violation_counts(violations):
    """Violations per rule."""
    return count_by_rule(_accounts(violations, "audit_violation_counts"))


def audit_changes(accounts, baseline):
    """Accounts added, removed and changed since ``baseline``."""
    return find_changes(_accounts(baseline, "audit_changes (baseline)"), _accounts(accounts, "audit_changes"))


def audit_csv(accounts):
    """The accounts as neutralised RFC 4180 CSV."""
    return to_csv(_accounts(accounts, "audit_csv"))


def audit_report(
    listing,
    rules=None,
    baseline=None,
    generated_at=None,
    filters=None,
    caller=None,
    custom_rules=None,
    severities=None,
    waivers=None,
    fail_severity=None,
    waiver_warn_days=None,
    policy=None,
):
    """The audit report of a listing: accounts, summary, findings, changes since ``baseline``."""
    try:
        checked = _policy(rules, custom_rules, severities, waivers, fail_severity, waiver_warn_days, policy)
        return build_report(listing, None, baseline, generated_at, filters, caller, policy=checked)
    except (PolicyError, ReportError) as error:
        raise AnsibleFilterError(visible(f"audit_report: {error}")) from None


def _report(value, filter_name):
    if not isinstance(value, Mapping) or "violations" not in value or "source" not in value:
        raise AnsibleFilterError(f"{filter_name}: the input must be a report made by chime.admin.audit_report.")
    return value


def audit_markdown(report):
    """An audit report as Markdown."""
    return to_markdown(_report(report, "audit_markdown"))


def audit_html(report):
    """An audit report as one self-contained HTML page."""
    return to_html(_report(report, "audit_html"))


def audit_render(report, formats=DEFAULT_FORMATS):
    """An audit report in several formats at once: a dict of format to text."""
    if not isinstance(formats, (list, tuple)):
        raise AnsibleFilterError("audit_render: formats must be a list of formats.")
    try:
        return render(_report(report, "audit_render"), formats)
    except ReportError as error:
        raise AnsibleFilterError(f"audit_render: {error}") from None


def audit_summary_lines(report):
    """An audit report's summary in words, naming no account."""
    return summary_lines(_report(report, "audit_summary_lines"))


def audit_violation_lines(violations, limit=20):
    """Violations in words: the total and counts per rule, then up to ``limit`` of them."""
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise AnsibleFilterError("audit_violation_lines: limit must be a whole number, 0 or more.")
    return violation_lines(_accounts(violations, "audit_violation_lines"), limit)


class FilterModule:
    """chime.admin's audit filters."""

    def filters(self):
        return {
            "audit_violations": audit_violations,
            "audit_violation_counts": audit_violation_counts,
            "audit_changes": audit_changes,
            "audit_csv": audit_csv,
            "audit_report": audit_report,
            "audit_markdown": audit_markdown,
            "audit_html": audit_html,
            "audit_violation_lines": audit_violation_lines,
            "audit_summary_lines": audit_summary_lines,
            "audit_render": audit_render,
        }
