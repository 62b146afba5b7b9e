# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The audit's policy and its evaluation: built-in rules with their settings (:mod:`_rules`), custom rules
(their value filters in :mod:`_value_filters`), severities and waivers (:mod:`_waivers`). Reading a policy
file and combining it with the variables is :mod:`_policy_file`.

:class:`Policy` checks everything before any request (:class:`PolicyError` names the rule and the field)
and :meth:`Policy.evaluate` returns the findings: the open violations, the waived ones, and the waivers
that matched nothing, that expire soon or that have expired.
"""

import dataclasses
import datetime
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import check_gate
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import check_sla_days
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import gate_passes
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import RANK
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import as_str
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import check_severity
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import text_field
from ansible_collections.chime.admin.plugins.plugin_utils._rules import BUILT_IN
from ansible_collections.chime.admin.plugins.plugin_utils._rules import BY_NAME
from ansible_collections.chime.admin.plugins.plugin_utils._rules import RULES
from ansible_collections.chime.admin.plugins.plugin_utils._value_filters import age_days
from ansible_collections.chime.admin.plugins.plugin_utils._value_filters import compile_filter
from ansible_collections.chime.admin.plugins.plugin_utils._value_filters import needs_age
from ansible_collections.chime.admin.plugins.plugin_utils._value_filters import plain_setting
from ansible_collections.chime.admin.plugins.plugin_utils._waivers import apply_waivers
from ansible_collections.chime.admin.plugins.plugin_utils._waivers import parse_waiver
from ansible_collections.chime.admin.plugins.plugin_utils._waivers import waiver_summary

NOT_CHECKED = "not checked"
DEFAULT_POLICY_NAME = "chime.admin account audit"
DEFAULT_WAIVER_WARN_DAYS = 30
# A hundred years: today plus the warning window must be a date Python can hold (up to 9999-12-31), and no
# waiver is meant to be announced a century ahead.
MAX_WAIVER_WARN_DAYS = 36500
# Bounds on what a policy may hold, so that a hostile or mistaken policy fails clearly instead of exhausting
# the controller: the number of custom rules and waivers.
MAX_CUSTOM_RULES = 500
# The parts of a policy that the variables or a policy file may set, and where each came from, as the report
# records it: the policy file, the variables (the role's variables, the action's options, the filters'
# arguments), or neither (the default: no rule, no waiver, fail_severity informational, no deadline, every
# finding at or above fail_severity fails: fail_gate all).
PARTS = ("rules", "custom_rules", "severities", "waivers", "fail_severity", "sla_days", "fail_gate")
FROM_FILE, FROM_VARIABLES, FROM_DEFAULT = "policy_file", "variables", "default"
MAX_WAIVERS = 5000
_RULE_FIELDS = ("id", "description", "severity", "remediation", "where", "require")


@dataclasses.dataclass(frozen=True)
class CustomRule:
    """A checked custom rule: ``applies`` and ``satisfied`` are predicates over an account."""

    name: str
    severity: str
    description: str
    remediation: str
    setting: dict
    applies: object
    satisfied: object
    needs_age: bool


def _rule_id(value, where):
    text = value if isinstance(value, str) else None
    if (
        not text
        or len(text) > 64
        or not text[0].isascii()
        or not text[0].isalnum()
        or not all(c.isascii() and (c.isalnum() or c in "_.-") for c in text)
    ):
        raise PolicyError(
            f"{where}.id must be 1 to 64 ASCII letters, digits, _ . or -, starting with a letter or digit;"
            f" got {value!r}."
        )
    return text


def _custom_rule(entry, index, seen):
    where = f"custom_rules[{index}]"
    if not isinstance(entry, Mapping):
        raise PolicyError(f"{where} must be a dict with id, description, severity, remediation and require.")
    name = _rule_id(entry.get("id"), where)
    where = f"custom rule {name} (custom_rules[{index}])"
    unknown = sorted(set(map(str, entry)) - set(_RULE_FIELDS))
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(_RULE_FIELDS)}.")
    if name in BY_NAME:
        raise PolicyError(f"{where}.id: {name} is a built-in rule; give the custom rule an id of its own.")
    if name in seen:
        raise PolicyError(f"{where}.id: {name} is used by another custom rule too.")
    seen.add(name)
    if "require" not in entry:
        raise PolicyError(f"{where}.require is required: what the accounts must satisfy.")
    # The filters are compiled first: compiling bounds their size, which the walks after it rely on.
    applies = compile_filter(entry["where"], f"{where}.where") if entry.get("where") is not None else None
    satisfied = compile_filter(entry["require"], f"{where}.require")
    return CustomRule(
        name=name,
        severity=check_severity(entry.get("severity"), f"{where}.severity"),
        description=text_field(entry, "description", where),
        remediation=text_field(entry, "remediation", where),
        setting=plain_setting({"where": entry.get("where"), "require": entry["require"]}),
        applies=applies,
        satisfied=satisfied,
        needs_age=needs_age(entry.get("where")) or needs_age(entry["require"]),
    )


# ----- the policy ------------------------------------------------------------------------------------
def _bounded_list(value, part, members, limit):
    """``value``, a list of at most ``limit`` entries, or () for None; :class:`PolicyError` naming ``part``."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise PolicyError(f"{part} must be a list of {members}.")
    if len(value) > limit:
        raise PolicyError(f"{part} holds {len(value)} {members}; at most {limit}.")
    return value


@dataclasses.dataclass(frozen=True)
class Findings:
    """What one evaluation found: ``violations`` (open), ``waived`` and ``waivers`` (``unused``,
    ``expiring`` and ``expired``)."""

    violations: list
    waived: list
    waivers: dict


class Policy:
    """A checked policy: built-in rules with their settings, custom rules, severities, waivers, the severity
    at which a job fails, and the policy's name and version (the OCSF report's standard)."""

    def __init__(
        self,
        rules=None,
        custom_rules=None,
        severities=None,
        waivers=None,
        fail_severity=None,
        waiver_warn_days=DEFAULT_WAIVER_WARN_DAYS,
        name=None,
        version=None,
        origins=None,
        policy_file=None,
        exclusive=False,
        sla_days=None,
        fail_gate=None,
    ):
        # origins: the parts that came from the policy file ``policy_file`` (its name as given), so that an error
        # names the file and the report records where each part came from. ``exclusive``: the file said it is
        # the whole policy. fail_severity None is the default, informational.
        def stage(part, build):
            try:
                return build()
            except PolicyError as error:
                origin = (origins or {}).get(part)
                raise PolicyError(f"{error} (in the policy file {origin})" if origin else str(error)) from None

        self.name = stage("name", lambda: as_str(name, "name") if name is not None else DEFAULT_POLICY_NAME)
        self.version = stage("version", lambda: as_str(version, "version") if version is not None else None)
        self.fail_severity = stage(
            "fail_severity",
            lambda: check_severity(SEVERITIES[0] if fail_severity is None else fail_severity, "fail_severity"),
        )
        given = {
            "rules": rules,
            "custom_rules": custom_rules,
            "severities": severities,
            "waivers": waivers,
            "fail_severity": fail_severity,
            "sla_days": sla_days,
            "fail_gate": fail_gate,
        }
        self.policy_file = policy_file
        self.exclusive = bool(exclusive)
        self.provenance = {
            part: FROM_FILE if part in (origins or {}) else FROM_VARIABLES if _is_set(given[part]) else FROM_DEFAULT
            for part in PARTS
        }
        if (
            isinstance(waiver_warn_days, bool)
            or not isinstance(waiver_warn_days, int)
            or not 0 <= waiver_warn_days <= MAX_WAIVER_WARN_DAYS
        ):
            raise PolicyError(
                f"waiver_warn_days must be a whole number of days from 0 to {MAX_WAIVER_WARN_DAYS},"
                f" got {waiver_warn_days!r}."
            )
        self.waiver_warn_days = waiver_warn_days
        self.sla_days = stage("sla_days", lambda: check_sla_days(sla_days))
        self.fail_gate = stage("fail_gate", lambda: check_gate(fail_gate))
        self.settings = stage("rules", lambda: self._built_in(rules))
        self.custom = stage("custom_rules", lambda: self._custom(custom_rules))
        self._needs_age = any(rule.needs_age for rule in self.custom)  # once, not per account
        known = (*RULES, *(rule.name for rule in self.custom))
        self.severities = stage("severities", lambda: self._severities(severities, known))
        self.waivers = stage("waivers", lambda: self._waivers(waivers, known))
        self._waivers_by_rule = {}  # a finding is matched against its rule's waivers only
        for waiver in self.waivers:
            self._waivers_by_rule.setdefault(waiver.rule, []).append(waiver)

    @staticmethod
    def _built_in(rules):
        if rules is None:
            return {}
        if not isinstance(rules, Mapping):
            raise PolicyError(f"rules must be a dict of rule names to settings, got {type(rules).__name__}.")
        unknown = sorted(set(map(str, rules)) - set(RULES))
        if unknown:
            raise PolicyError(f"unknown rule(s) {', '.join(unknown)}; known rules: {', '.join(RULES)}.")
        checked = {}
        for rule in BUILT_IN:
            if rule.name in rules:
                setting = rule.parse(rules[rule.name])
                if setting is not None:
                    checked[rule.name] = setting
        return checked

    @staticmethod
    def _custom(custom_rules):
        seen = set()
        entries = _bounded_list(custom_rules, "custom_rules", "rules", MAX_CUSTOM_RULES)
        return tuple(_custom_rule(entry, index, seen) for index, entry in enumerate(entries))

    @staticmethod
    def _severities(severities, known):
        if severities is None:
            return {}
        if not isinstance(severities, Mapping):
            raise PolicyError("severities must be a dict of rule names to severities.")
        for rule, severity in severities.items():
            if rule not in known:
                raise PolicyError(f"severities.{rule}: unknown rule; known rules: {', '.join(known)}.")
            check_severity(severity, f"severities.{rule}")
        return dict(severities)

    @staticmethod
    def _waivers(waivers, known):
        entries = _bounded_list(waivers, "waivers", "waivers", MAX_WAIVERS)
        return tuple(parse_waiver(entry, index, known) for index, entry in enumerate(entries))

    def severity(self, rule):
        if rule in self.severities:
            return self.severities[rule]
        if rule in BY_NAME:
            return BY_NAME[rule].severity
        return next(custom.severity for custom in self.custom if custom.name == rule)

    def rule_names(self):
        """Every rule this policy knows, built-in first, in the order violations are reported."""
        return (*RULES, *(rule.name for rule in self.custom))

    def checked(self):
        """The rules checked: built-in ones that are set, and every custom rule."""
        return (*(name for name in RULES if name in self.settings), *(rule.name for rule in self.custom))

    def describe(self):
        """The policy as the report records it."""
        rules = {}
        for rule in BUILT_IN:
            setting = self.settings.get(rule.name)
            rules[rule.name] = {
                "kind": "built-in",
                "severity": self.severity(rule.name),
                "description": rule.description,
                "remediation": rule.remediation,
                "setting": NOT_CHECKED if setting is None else rule.describe_setting(setting),
            }
        for rule in self.custom:
            rules[rule.name] = {
                "kind": "custom",
                "severity": self.severity(rule.name),
                "description": rule.description,
                "remediation": rule.remediation,
                "setting": rule.setting,
            }
        return {
            "name": self.name,
            "version": self.version,
            "fail_severity": self.fail_severity,
            "fail_gate": self.fail_gate,
            "sla_days": dict(self.sla_days),
            "rules": rules,
            "policy_file": self.policy_file,
            "exclusive": self.exclusive,
            "origins": dict(self.provenance),
        }

    def fails(self, finding):
        """Whether ``finding`` fails the job: at or above ``fail_severity``, and one that the gate counts (any
        finding with ``fail_gate: all``; a new one, or with ``new_or_overdue`` an overdue one)."""
        return RANK[finding["severity"]] >= RANK[self.fail_severity] and gate_passes(self.fail_gate, finding)

    def at_fail_severity(self, finding):
        """Whether ``finding`` is at or above ``fail_severity``, whatever the gate says."""
        return RANK[finding["severity"]] >= RANK[self.fail_severity]

    def _problems(self, account, now):
        for rule in BUILT_IN:
            if rule.name in self.settings:
                detail = rule.check(self.settings[rule.name], account)
                if detail is not None:
                    yield rule.name, detail
        if not self.custom:
            return
        view = account
        if self._needs_age:
            view = dict(account, age_days=age_days(account, now))
        for rule in self.custom:
            if rule.applies is not None and not rule.applies(view):
                continue
            if not rule.satisfied(view):
                yield rule.name, f"does not satisfy custom rule {rule.name}: {rule.description}"

    def evaluate(self, accounts, now=None):
        """Every finding of every account, in account order then rule order, with waivers applied at
        ``now`` (an aware datetime; the current time by default)."""
        now = now or datetime.datetime.now(datetime.timezone.utc)
        today = now.astimezone(datetime.timezone.utc).date()  # waivers expire at the end of their day in UTC
        violations, waived, used = [], [], set()
        for account in accounts:
            for rule, detail in self._problems(account, now):
                finding = {
                    "aws_account_id": account.get("aws_account_id"),
                    "account_id": account.get("account_id"),
                    "name": account.get("name"),
                    "rule": rule,
                    "severity": self.severity(rule),
                    "detail": detail,
                    "waiver": None,
                }
                apply_waivers(self._waivers_by_rule.get(rule, ()), finding, today, used)
                (waived if finding["waiver"] and finding["waiver"]["state"] == "active" else violations).append(finding)
        return Findings(violations, waived, waiver_summary(self.waivers, used, today, self.waiver_warn_days))


def provenance_words(described):
    """Where a policy came from, in words, from its record in a report (:meth:`Policy.describe`): its name and
    version, the policy file, and the parts set in the variables beside the file. None for a report of an
    earlier format, which has no such record."""
    if not isinstance(described, Mapping) or not isinstance(described.get("origins"), Mapping):
        return None
    origins = described["origins"]
    title = " ".join(str(part) for part in (described.get("name"), described.get("version")) if part)
    if not described.get("policy_file"):
        return f"{title}, from the variables"
    words = f"{title}, from the policy file {described['policy_file']}"
    if described.get("exclusive"):
        words += " (exclusive: the whole policy)"
    beside = [part for part in PARTS if origins.get(part) == FROM_VARIABLES]
    if beside:
        words += f"; set in the variables instead: {', '.join(beside)}"
    return words


def _is_set(value):
    """Whether a part is set: None and empty are unset, as the role's defaults are."""
    return value not in (None, {}, [], (), "")


def count_by_rule(findings, order=RULES):
    """How many findings each rule has, rules with none left out: the rules of ``order`` first, then the
    others in the order they first appear."""
    counts = {}
    for finding in findings:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
    ordered = [rule for rule in order if rule in counts]
    return {rule: counts[rule] for rule in (*ordered, *(r for r in counts if r not in ordered))}


def count_by_severity(findings):
    """How many findings each severity has, highest first, every severity present."""
    counts = dict.fromkeys(reversed(SEVERITIES), 0)
    for finding in findings:
        counts[finding.get("severity", "informational")] += 1
    return counts
