# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Audits of listed Chime accounts, on the controller: policy rules, changes since a baseline, and CSV.

The filters in ``plugins/filter/audit.py`` are thin doors onto these functions:

- :func:`find_violations` checks every account against every rule and returns every violation at once;
- :func:`count_by_rule` counts them per rule;
- :func:`find_changes` compares a listing with an earlier one (a baseline);
- :func:`to_csv` writes accounts as RFC 4180 CSV, with cells that a spreadsheet would take for a formula
  neutralised, following OWASP's CSV-injection guidance.
"""

import csv
import io
import json
import re

# Every rule, in the order violations are reported for one account.
RULES = (
    "allowed_aws_account_ids",
    "allowed_account_types",
    "allowed_default_licenses",
    "no_suspended_accounts",
    "enterprise_signin_delegate_groups",
    "name_pattern",
)
_LIST_RULES = ("allowed_aws_account_ids", "allowed_account_types", "allowed_default_licenses")
_FLAG_RULES = ("no_suspended_accounts", "enterprise_signin_delegate_groups")
CSV_COLUMNS = (
    "aws_account_id",
    "account_id",
    "name",
    "account_type",
    "created_timestamp",
    "default_license",
    "supported_licenses",
    "account_status",
    "signin_delegate_groups",
)
# What a spreadsheet reads as the start of a formula (OWASP: =, +, -, @, tab, carriage return).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The fields whose change a baseline comparison reports (the identifiers are the key).
_COMPARED = tuple(c for c in CSV_COLUMNS if c not in ("aws_account_id", "account_id"))


class AuditRuleError(ValueError):
    """A rule that is unknown or has a value of the wrong kind; the message names it."""


def check_rules(rules):
    """Validate ``rules`` (a dict of rule name to setting) and return it with ``name_pattern`` compiled.

    Raises :class:`AuditRuleError` naming the rule. A rule set to None, or a flag set to false, is off.
    """
    if rules is None:
        return {}
    if not isinstance(rules, dict):
        raise AuditRuleError(f"rules must be a dict of rule names to settings, got {type(rules).__name__}.")
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise AuditRuleError(f"unknown rule(s) {', '.join(unknown)}; known rules: {', '.join(RULES)}.")
    checked = {}
    for rule, setting in rules.items():
        if setting is None or setting is False:
            continue
        if rule in _LIST_RULES:
            if not isinstance(setting, (list, tuple)) or not all(isinstance(v, str) for v in setting):
                raise AuditRuleError(f"{rule} must be a list of strings.")
            checked[rule] = frozenset(setting)
        elif rule in _FLAG_RULES:
            if setting is not True:
                raise AuditRuleError(f"{rule} must be true or false.")
            checked[rule] = True
        else:
            try:
                checked[rule] = re.compile(setting)
            except (TypeError, re.error) as error:
                raise AuditRuleError(f"name_pattern must be a regular expression: {error}.") from None
    return checked


NOT_CHECKED = "not checked"


def describe_policy(rules):
    """The policy an audit checked, for its report: every rule with its setting, or ``not checked`` for a
    rule that was not set, so that a rule never set never reads as a rule with no violation."""
    checked = check_rules(rules)
    policy = {}
    for rule in RULES:
        setting = checked.get(rule)
        if setting is None:
            policy[rule] = NOT_CHECKED
        elif isinstance(setting, frozenset):
            policy[rule] = sorted(setting)
        elif isinstance(setting, re.Pattern):
            policy[rule] = setting.pattern
        else:
            policy[rule] = setting
    return policy


def _problem(rule, setting, account):
    """What is wrong with ``account`` under one rule, or None."""
    if rule == "allowed_aws_account_ids" and account.get("aws_account_id") not in setting:
        return f"AWS account {account.get('aws_account_id')} is not among the allowed AWS accounts"
    if rule == "allowed_account_types" and account.get("account_type") not in setting:
        return f"account type {account.get('account_type')} is not allowed"
    if rule == "allowed_default_licenses" and account.get("default_license") not in setting:
        return f"default license {account.get('default_license')} is not allowed"
    if rule == "no_suspended_accounts" and account.get("account_status") == "Suspended":
        return "the account is suspended"
    if rule == "enterprise_signin_delegate_groups":
        enterprise = str(account.get("account_type") or "").startswith("Enterprise")
        if enterprise and not account.get("signin_delegate_groups"):
            return f"{account.get('account_type')} account has no sign-in delegate group"
    if rule == "name_pattern" and not setting.search(str(account.get("name") or "")):
        return f"the name does not match {setting.pattern}"
    return None


def find_violations(accounts, rules):
    """Every violation of every rule by every account, in account order then rule order: a list of
    dicts with ``aws_account_id``, ``account_id``, ``name``, ``rule`` and ``detail``."""
    checked = check_rules(rules)
    found = []
    for account in accounts:
        for rule in RULES:
            if rule not in checked:
                continue
            detail = _problem(rule, checked[rule], account)
            if detail is not None:
                found.append(
                    {
                        "aws_account_id": account.get("aws_account_id"),
                        "account_id": account.get("account_id"),
                        "name": account.get("name"),
                        "rule": rule,
                        "detail": detail,
                    }
                )
    return found


def count_by_rule(violations):
    """How many violations each rule has, rules with none left out, in rule order."""
    counts = {}
    for violation in violations:
        counts[violation["rule"]] = counts.get(violation["rule"], 0) + 1
    return {rule: counts[rule] for rule in RULES if rule in counts}


def _key(account):
    return (account.get("aws_account_id"), account.get("account_id"))


def _comparable(value):
    """A field's value as the comparison sees it: a list as the set of its members (the service does not
    promise an order for licenses or sign-in delegate groups, so a reordered list is not a change)."""
    if isinstance(value, (list, tuple)):
        return sorted(json.dumps(item, sort_keys=True) for item in value)
    return value


def find_changes(baseline, accounts, unlisted_aws_accounts=(), unlisted_in_baseline=()):
    """What changed from ``baseline`` (an earlier listing) to ``accounts``, keyed by (AWS account,
    account ID): ``added`` and ``removed`` accounts, ``changed`` ones with each changed field's
    ``before`` and ``after``, and ``not_compared``: the accounts of AWS accounts that one of the two
    listings could not list (refused or skipped), ``unlisted_aws_accounts`` now and
    ``unlisted_in_baseline`` then. Their accounts are not known to be gone or new, so they are never
    reported as removed or added."""
    now_unlisted, then_unlisted = set(unlisted_aws_accounts), set(unlisted_in_baseline)
    before = {_key(a): a for a in baseline}
    after = {_key(a): a for a in accounts}
    changed = []
    for key, account in after.items():
        if key not in before:
            continue
        fields = {
            field: {"before": before[key].get(field), "after": account.get(field)}
            for field in _COMPARED
            if _comparable(before[key].get(field)) != _comparable(account.get(field))
        }
        if fields:
            entry = {"aws_account_id": key[0], "account_id": key[1], "name": account.get("name"), "fields": fields}
            changed.append(entry)
    gone = [a for k, a in before.items() if k not in after]
    new = [a for k, a in after.items() if k not in before]
    return {
        "added": [a for a in new if a.get("aws_account_id") not in then_unlisted],
        "removed": [a for a in gone if a.get("aws_account_id") not in now_unlisted],
        "changed": changed,
        "not_compared": [a for a in gone if a.get("aws_account_id") in now_unlisted]
        + [a for a in new if a.get("aws_account_id") in then_unlisted],
    }


def neutralise(text):
    """A cell a spreadsheet would evaluate as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def field_text(value, separator):
    """An account field's value as text: None as empty, a list joined with ``separator`` (sign-in
    delegate groups by their names)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return separator.join(v.get("group_name", "") if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _cell(value):
    return neutralise(field_text(value, ";"))


def to_csv(accounts):
    """The accounts as CSV text (RFC 4180: CRLF line ends, quotes where needed): a header, then one row
    per account with the nine keys; lists joined with ``;``; formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for account in accounts:
        writer.writerow([_cell(account.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()
