# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for audits of Chime accounts; their documentation is in the .yml files beside this one."""

from ansible.errors import AnsibleFilterError

from ansible_collections.chime.admin.plugins.plugin_utils.audit import AuditRuleError
from ansible_collections.chime.admin.plugins.plugin_utils.audit import count_by_rule
from ansible_collections.chime.admin.plugins.plugin_utils.audit import find_changes
from ansible_collections.chime.admin.plugins.plugin_utils.audit import find_violations
from ansible_collections.chime.admin.plugins.plugin_utils.audit import to_csv


def _accounts(value, filter_name):
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise AnsibleFilterError(f"{filter_name}: the input must be a list of accounts (dicts), as the module returns.")
    return value


def audit_violations(accounts, rules):
    """Every violation of ``rules`` by ``accounts``."""
    try:
        return find_violations(_accounts(accounts, "audit_violations"), rules)
    except AuditRuleError as error:
        raise AnsibleFilterError(f"audit_violations: {error}") from None


def audit_violation_counts(violations):
    """Violations per rule."""
    return count_by_rule(_accounts(violations, "audit_violation_counts"))


def audit_changes(accounts, baseline):
    """Accounts added, removed and changed since ``baseline``."""
    return find_changes(_accounts(baseline, "audit_changes (baseline)"), _accounts(accounts, "audit_changes"))


def audit_csv(accounts):
    """The accounts as neutralised RFC 4180 CSV."""
    return to_csv(_accounts(accounts, "audit_csv"))


class FilterModule:
    """chime.admin's audit filters."""

    def filters(self):
        return {
            "audit_violations": audit_violations,
            "audit_violation_counts": audit_violation_counts,
            "audit_changes": audit_changes,
            "audit_csv": audit_csv,
        }
