# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The audit's policy as data: one rule table, custom rules, severities and waivers.

- :data:`BUILT_IN` is the one table of built-in rules: each rule's name, kind, default severity, description,
  remediation and check. The role's argument spec and the filters' docs list the same names (a unit test
  compares them).
- A custom rule selects accounts with ``where`` and requires ``require`` of them. Both are value filters in
  Cloud Custodian's shape (``key``/``op``/``value``, combined with ``and``, ``or`` and ``not``), compiled once
  into plain Python predicates: no templating per account.
- Regular expressions (``name_pattern`` and the ``regex`` op) run on names that whoever creates an account
  chooses, so they run on RE2 (google-re2), whose matching time is linear in the name's length: a pattern
  such as ``^([a-z]+ ?)+$`` cannot backtrack for seconds. RE2 has no look-around and no back-references;
  such a pattern is refused when the policy is checked.
- :class:`Policy` checks everything before any request (:class:`PolicyError` names the rule and the field)
  and :meth:`Policy.evaluate` returns the findings: the open violations, the waived ones, and the waivers
  that matched nothing, that expire soon or that have expired.
"""

import dataclasses
import datetime
import fnmatch
import math
import os
import re
import stat
from collections.abc import Mapping

import yaml  # PyYAML, which ansible-core depends on

try:
    import re2

    HAS_RE2 = True
except ImportError:  # reported when a policy uses a regular expression, not before
    HAS_RE2 = False

from ansible.module_utils.common.validation import check_type_bool
from ansible.module_utils.common.validation import check_type_str

from ansible_collections.chime.admin.plugins.plugin_utils._audit import CSV_COLUMNS
from ansible_collections.chime.admin.plugins.plugin_utils._audit import visible as visible_text

SEVERITIES = ("informational", "low", "medium", "high", "critical")  # OCSF's severities, lowest first
RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
NOT_CHECKED = "not checked"
DEFAULT_POLICY_NAME = "chime.admin account audit"
DEFAULT_WAIVER_WARN_DAYS = 30
ACCOUNT_KEYS = CSV_COLUMNS  # the nine keys of an account, in the listing's order
LIST_KEYS = ("supported_licenses", "signin_delegate_groups")
FILTER_KEYS = (*ACCOUNT_KEYS, "age_days")
OPS = (
    "eq",
    "ne",
    "in",
    "not-in",
    "contains",
    "not-contains",
    "regex",
    "lt",
    "le",
    "gt",
    "ge",
    "present",
    "absent",
    "empty",
)
_NO_VALUE_OPS = ("present", "absent", "empty")
# Bounds on what a policy may hold, so that a hostile or mistaken policy fails clearly instead of exhausting
# the controller: the number of custom rules and waivers, the depth of a filter, a pattern's length and RE2's
# memory for one compiled pattern.
MAX_CUSTOM_RULES = 500
MAX_WAIVERS = 5000
MAX_DEPTH = 16
MAX_FILTER_NODES = 1000
MAX_PATTERN = 1000
MAX_POLICY_FILE_BYTES = 1024 * 1024
MAX_TEXT = {"description": 200, "remediation": 1000, "reason": 500, "default": 200}
_RE2_MAX_MEM = 8 << 20
_RULE_FIELDS = ("id", "description", "severity", "remediation", "where", "require")
_WAIVER_MATCH = ("account_id", "aws_account_id", "name")
_WAIVER_FIELDS = ("rule", *_WAIVER_MATCH, "reason", "expires", "owner", "ticket")
POLICY_FILE_KEYS = ("name", "version", "rules", "custom_rules", "severities", "waivers", "fail_severity")


class PolicyError(ValueError):
    """A policy that cannot be checked: the message names the rule or waiver and the field."""


# ----- regular expressions --------------------------------------------------------------------------
def compile_pattern(pattern, where):
    """``pattern`` compiled with RE2; :class:`PolicyError` naming ``where`` when it cannot be."""
    if not isinstance(pattern, str):
        raise PolicyError(f"{where} must be a regular expression (a string), got {type(pattern).__name__}.")
    if len(pattern) > MAX_PATTERN:
        raise PolicyError(f"{where} is longer than {MAX_PATTERN} characters.")
    if not HAS_RE2:
        raise PolicyError(
            f"{where} needs the google-re2 Python package on the controller (pip install google-re2): regular"
            " expressions run on RE2, whose matching time is linear in the name's length."
        )
    options = re2.Options()
    options.log_errors = False  # RE2 would otherwise print every refused pattern on standard error
    options.max_mem = _RE2_MAX_MEM
    options.never_capture = True
    if any("\ud800" <= c <= "\udfff" for c in pattern):
        raise PolicyError(f"{where} holds a lone surrogate (an unpaired \\ud800-\\udfff escape), not a character.")
    try:
        return re2.compile(pattern, options)
    except re2.error as error:
        reason = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else error
        raise PolicyError(
            f"{where} is not a regular expression RE2 accepts ({reason}); RE2 has no look-around or back-references."
        ) from None


def pattern_search(compiled, text):
    """Whether ``compiled`` is found in ``text``. RE2 takes UTF-8, which a lone surrogate (from a JSON
    ``\\ud800`` escape) cannot be encoded in: such a character is matched as U+FFFD."""
    try:
        return compiled.search(text) is not None
    except UnicodeEncodeError:
        # U+FFFD: encode(..., "replace") would give "?", a character that a pattern may allow.
        return compiled.search("".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)) is not None


# ----- coercion: the role's argument spec converts its inputs; the filters get the same conversion ----
def _as_str(value, where):
    try:
        return check_type_str(value, allow_conversion=True)
    except TypeError:
        raise PolicyError(f"{where} must be a string, got {type(value).__name__}.") from None


def _as_str_list(value, where):
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise PolicyError(f"{where} must be a list of strings, got {type(value).__name__}.")
    items = []
    for item in value:
        if isinstance(item, (dict, list, tuple)) or item is None or isinstance(item, bool):
            raise PolicyError(f"{where} must be a list of strings; one member is {item!r}.")
        items.append(_as_str(item, where))
    return items


def _as_flag(value, where):
    try:
        return check_type_bool(value)
    except TypeError:
        raise PolicyError(f"{where} must be true or false, got {value!r}.") from None


# ----- the built-in rules -----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BuiltInRule:
    """One built-in rule: ``kind`` says which setting it takes (``list``: a list of strings, ``flag``:
    true or false, ``pattern``: a regular expression); ``check(setting, account)`` returns what is wrong, or
    None."""

    name: str
    kind: str
    severity: str
    description: str
    remediation: str
    check: object

    def parse(self, setting):
        """The checked setting, or None when the rule is off."""
        where = f"rules.{self.name}"
        if setting is None:
            return None
        if self.kind == "list":
            values = _as_str_list(setting, where)
            if self.name == "allowed_aws_account_ids":
                _aws_account_ids(values, where)
            return frozenset(values)
        if self.kind == "flag":
            return True if _as_flag(setting, where) else None
        if setting is False:
            return None
        return compile_pattern(setting, where)

    @staticmethod
    def describe_setting(setting):
        if isinstance(setting, frozenset):
            return sorted(setting)
        if setting is True:
            return True
        return setting.pattern


def _check_aws_account(setting, account):
    if account.get("aws_account_id") not in setting:
        return f"AWS account {account.get('aws_account_id')} is not among the allowed AWS accounts"
    return None


def _check_type(setting, account):
    if account.get("account_type") not in setting:
        return f"account type {account.get('account_type')} is not allowed"
    return None


def _check_license(setting, account):
    if account.get("default_license") not in setting:
        return f"default license {account.get('default_license')} is not allowed"
    return None


def _check_suspended(_setting, account):
    return "the account is suspended" if account.get("account_status") == "Suspended" else None


def _check_delegates(_setting, account):
    enterprise = str(account.get("account_type") or "").startswith("Enterprise")
    if enterprise and not account.get("signin_delegate_groups"):
        return f"{account.get('account_type')} account has no sign-in delegate group"
    return None


def _check_name(setting, account):
    if not pattern_search(setting, str(account.get("name") or "")):
        return f"the name does not match {setting.pattern}"
    return None


BUILT_IN = (
    BuiltInRule(
        "allowed_aws_account_ids",
        "list",
        "high",
        "Chime accounts exist only in the AWS accounts allowed.",
        "Delete the Chime account, or move its users to an account in an allowed AWS account.",
        _check_aws_account,
    ),
    BuiltInRule(
        "allowed_account_types",
        "list",
        "medium",
        "Every account is of an allowed account type.",
        "Change the account's type (for example connect an identity provider), or retire the account.",
        _check_type,
    ),
    BuiltInRule(
        "allowed_default_licenses",
        "list",
        "low",
        "Every account's default license is an allowed one.",
        "Set the account's default license to an allowed one (Chime UpdateAccount, DefaultLicense).",
        _check_license,
    ),
    BuiltInRule(
        "no_suspended_accounts",
        "flag",
        "medium",
        "No account is suspended.",
        "Find out why the account is suspended; delete it when it is no longer needed.",
        _check_suspended,
    ),
    BuiltInRule(
        "enterprise_signin_delegate_groups",
        "flag",
        "high",
        "Every Enterprise account has at least one sign-in delegate group.",
        "Add a sign-in delegate group to the account (Chime AssociateSigninDelegateGroupsWithAccount).",
        _check_delegates,
    ),
    BuiltInRule(
        "name_pattern",
        "pattern",
        "low",
        "Every account name matches the naming pattern (an RE2 regular expression, searched in the name).",
        "Rename the account (Chime UpdateAccount, Name) to follow the naming convention.",
        _check_name,
    ),
)
RULES = tuple(rule.name for rule in BUILT_IN)
_BY_NAME = {rule.name: rule for rule in BUILT_IN}


# ----- value filters ------------------------------------------------------------------------------
def _age_days(account, now):
    text = account.get("created_timestamp")
    if not isinstance(text, str):
        return None
    try:
        created = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=datetime.timezone.utc)
    return (now - created).days


def _members(value):
    """A list field's members as strings: sign-in delegate groups by their names."""
    return [item.get("group_name") if isinstance(item, Mapping) else item for item in value]


def _ordered(left, right):
    """Whether ``left`` and ``right`` can be ordered: both numbers, or both strings."""
    numbers = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    return (isinstance(left, numbers) and isinstance(right, numbers)) or (
        isinstance(left, str) and isinstance(right, str)
    )


def _compile_leaf(node, where):
    unknown = sorted(set(map(str, node)) - {"key", "op", "value", "type"})
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(unknown)}; a value filter has key, op, value.")
    if node.get("type", "value") != "value":
        raise PolicyError(f"{where}.type: only value filters are supported, got {node.get('type')!r}.")
    key, op = node.get("key"), node.get("op", "eq")
    if key not in FILTER_KEYS:
        raise PolicyError(f"{where}.key: unknown key {key!r}; known keys: {', '.join(FILTER_KEYS)}.")
    if op not in OPS:
        raise PolicyError(f"{where}.op: unknown op {op!r}; known ops: {', '.join(OPS)}.")
    listed = key in LIST_KEYS
    if op in _NO_VALUE_OPS:
        if "value" in node:
            raise PolicyError(f"{where}.value: op {op} takes no value.")
        return _no_value_test(key, op)
    if "value" not in node:
        raise PolicyError(f"{where}.value: op {op} needs a value.")
    value = node["value"]
    if op in ("contains", "not-contains"):
        if not listed:
            raise PolicyError(f"{where}.op: {op} needs a list key ({', '.join(LIST_KEYS)}), not {key}.")
        return _contains_test(key, op, _as_str(_scalar(value, where), f"{where}.value"))
    if listed and op not in ("in", "not-in", "eq", "ne"):
        raise PolicyError(f"{where}.op: {op} cannot compare the list key {key}; use contains, in or empty.")
    if op == "regex":
        return _regex_test(key, compile_pattern(value, f"{where}.value"))
    if op in ("in", "not-in"):
        members = _as_str_list(value, f"{where}.value")
        if key == "aws_account_id":
            _aws_account_ids(members, f"{where}.value")
        allowed = frozenset(members)
        return _in_test(key, op, allowed, listed)
    if op in ("eq", "ne"):
        if listed:
            expected = sorted(_as_str_list(value, f"{where}.value"))
        else:
            expected = _scalar(value, where)
            if key != "age_days":  # the account's fields are text: a number (YAML's 111122223333) is compared as text
                expected = _as_str(expected, f"{where}.value")
            if key == "aws_account_id":
                _aws_account_ids([expected], f"{where}.value")
        return _eq_test(key, op, expected, listed)
    return _order_test(key, op, _bound(key, value, where))


def _scalar(value, where):
    if isinstance(value, (dict, list, tuple)) or value is None:
        raise PolicyError(f"{where}.value must be a single value (a string or a number), got {value!r}.")
    return _finite(value, where)


def _finite(value, where):
    """``value``, with a date (YAML reads an unquoted 2024-01-01 as one) as its ISO text; NaN and infinity
    refused (no comparison holds with NaN, and JSON has neither)."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        raise PolicyError(f"{where}.value must be a finite number, got {value!r}.")
    return value


def _bound(key, value, where):
    value = _finite(value, where)
    if key == "age_days":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PolicyError(f"{where}.value: age_days compares with a number of days, got {value!r}.")
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PolicyError(f"{where}.value must be a string or a number, got {value!r}.")
    return _as_str(value, f"{where}.value")  # compared with a text field as text, as eq and in compare it


def _no_value_test(key, op):
    def test(account):
        value = account.get(key)
        if op == "present":
            return value is not None
        if op == "absent":
            return value is None
        return value is None or value in ("", [], ())

    return test


def _contains_test(key, op, member):
    def test(account):
        value = account.get(key)
        if not isinstance(value, (list, tuple)):
            return False  # a missing list satisfies neither contains nor not-contains: fail closed
        found = member in _members(value)
        return found if op == "contains" else not found

    return test


def _regex_test(key, compiled):
    def test(account):
        value = account.get(key)
        if value is None or isinstance(value, (list, tuple, dict)):
            return False
        return pattern_search(compiled, str(value))

    return test


def _in_test(key, op, allowed, listed):
    def test(account):
        value = account.get(key)
        if value is None:
            return False  # a missing value is in no allow-list, and is not known to be outside a deny-list
        if listed:
            if not isinstance(value, (list, tuple)):
                return False
            members = _members(value)
            return all(m in allowed for m in members) if op == "in" else not any(m in allowed for m in members)
        return (str(value) in allowed) == (op == "in")

    return test


def _eq_test(key, op, expected, listed):
    def test(account):
        value = account.get(key)
        if value is None:
            return False
        if listed:
            if not isinstance(value, (list, tuple)):
                return False
            same = sorted(str(m) for m in _members(value)) == expected
        elif isinstance(expected, str) and not isinstance(value, str):
            same = str(value) == expected
        else:
            same = value == expected
        return same if op == "eq" else not same

    return test


_ORDER = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


def _order_test(key, op, bound):
    compare = _ORDER[op]

    def test(account):
        value = account.get(key)
        return value is not None and _ordered(value, bound) and compare(value, bound)

    return test


def compile_filter(node, where, depth=0, budget=None):
    """A value filter (``{key, op, value}``, or ``and``/``or``/``not`` of filters) as a predicate over an
    account (with ``age_days``). Raises :class:`PolicyError` naming ``where`` and the field.

    At most MAX_FILTER_NODES filters in all: YAML's anchors and aliases let a short policy file name the same
    list many times over, which a walk of the tree would meet exponentially often."""
    budget = [MAX_FILTER_NODES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise PolicyError(f"{where}: more than {MAX_FILTER_NODES} filters in one rule.")
    if depth > MAX_DEPTH:
        raise PolicyError(f"{where}: filters are nested more than {MAX_DEPTH} deep.")
    if isinstance(node, (list, tuple)):  # Custodian's shorthand: a list of filters that must all hold
        node = {"and": list(node)}
    if not isinstance(node, Mapping):
        raise PolicyError(f"{where} must be a filter (a dict with key and op, or and/or/not), got {node!r}.")
    combinators = [c for c in ("and", "or", "not") if c in node]
    if not combinators:
        return _compile_leaf(node, where)
    if len(node) != 1:
        raise PolicyError(
            f"{where}: {combinators[0]} must be the filter's only field, got {', '.join(map(str, node))}."
        )
    combinator = combinators[0]
    members = node[combinator]
    if combinator == "not" and isinstance(members, Mapping):
        members = [members]
    if not isinstance(members, (list, tuple)) or not members:
        raise PolicyError(f"{where}.{combinator} must be a non-empty list of filters.")
    tests = [compile_filter(m, f"{where}.{combinator}[{i}]", depth + 1, budget) for i, m in enumerate(members)]
    if combinator == "and":
        return lambda account: all(test(account) for test in tests)
    if combinator == "or":
        return lambda account: any(test(account) for test in tests)
    return lambda account: not all(test(account) for test in tests)  # Custodian: not of the list's and


def _plain_setting(node):
    """A custom rule's filters as the report records them: a date (an unquoted YAML date) as its ISO text, as
    the rule compares it, so that the JSON report can hold it."""
    if isinstance(node, Mapping):
        return {str(key): _plain_setting(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [_plain_setting(value) for value in node]
    if isinstance(node, (datetime.date, datetime.datetime)):
        return node.isoformat()
    return node


def _aws_account_ids(values, where):
    """``values`` (strings), each an AWS account ID of 12 digits. YAML 1.1 reads an unquoted ID with a
    leading zero as an octal number, which no conversion can undo: quote such IDs."""
    for value in values:
        if not (len(value) == 12 and value.isascii() and value.isdigit()):
            raise PolicyError(
                f"{where}: {value!r} is not an AWS account ID (12 digits); quote IDs in YAML, which reads an"
                " unquoted ID that starts with 0 as an octal number."
            )
    return values


def _needs_age(node):
    if isinstance(node, Mapping):
        return node.get("key") == "age_days" or any(_needs_age(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(_needs_age(v) for v in node)
    return False


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


def _text_field(entry, field, where, required=True):
    value = entry.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PolicyError(f"{where}.{field} is required.")
        return None
    if isinstance(value, (dict, list, tuple)):
        raise PolicyError(f"{where}.{field} must be text.")
    text = _as_str(value, f"{where}.{field}")
    # A policy's texts are copied into findings (a description into each violation's detail, a waiver into
    # each finding it waives): bounded, so that they cannot multiply a report or a job's result.
    limit = MAX_TEXT.get(field, MAX_TEXT["default"])
    if len(text) > limit:
        raise PolicyError(f"{where}.{field} is longer than {limit} characters.")
    return text


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


def check_severity(value, where):
    if value not in SEVERITIES:
        raise PolicyError(f"{where} must be one of {', '.join(SEVERITIES)}, got {value!r}.")
    return value


def _custom_rule(entry, index, seen):
    where = f"custom_rules[{index}]"
    if not isinstance(entry, Mapping):
        raise PolicyError(f"{where} must be a dict with id, description, severity, remediation and require.")
    name = _rule_id(entry.get("id"), where)
    where = f"custom rule {name} (custom_rules[{index}])"
    unknown = sorted(set(map(str, entry)) - set(_RULE_FIELDS))
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(_RULE_FIELDS)}.")
    if name in _BY_NAME:
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
        description=_text_field(entry, "description", where),
        remediation=_text_field(entry, "remediation", where),
        setting=_plain_setting({"where": entry.get("where"), "require": entry["require"]}),
        applies=applies,
        satisfied=satisfied,
        needs_age=_needs_age(entry.get("where")) or _needs_age(entry["require"]),
    )


# ----- waivers ---------------------------------------------------------------------------------
def _date(value, where):
    if isinstance(value, datetime.datetime):  # a day in UTC, not a moment in some offset
        raise PolicyError(f"{where}.expires must be a date (YYYY-MM-DD), not a date and time.")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PolicyError(f"{where}.expires must be a date (YYYY-MM-DD), got {value!r}.")


@dataclasses.dataclass(frozen=True)
class Waiver:
    index: int
    rule: str
    match: dict
    reason: str
    expires: datetime.date
    owner: str
    ticket: str

    def matches(self, finding):
        if finding["rule"] != self.rule:
            return False
        for key, wanted in self.match.items():
            value = finding.get(key)
            if not isinstance(value, str):
                return False
            if key == "name" and not fnmatch.fnmatchcase(value, wanted):
                return False
            if key != "name" and value != wanted:
                return False
        return True

    def describe(self, state=None):
        entry = {"rule": self.rule, **self.match, "reason": self.reason, "expires": self.expires.isoformat()}
        entry.update(owner=self.owner, ticket=self.ticket)
        if state is not None:
            entry["state"] = state
        return entry

    def label(self):
        return f"waiver {self.index + 1}" + (f" ({self.ticket})" if self.ticket else "")


def _waiver(entry, index, known_rules):
    where = f"waivers[{index}]"
    if not isinstance(entry, Mapping):
        raise PolicyError(f"{where} must be a dict with rule, reason, expires and what it matches.")
    unknown = sorted(set(map(str, entry)) - set(_WAIVER_FIELDS))
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(_WAIVER_FIELDS)}.")
    rule = entry.get("rule")
    if rule not in known_rules:
        raise PolicyError(f"{where}.rule: unknown rule {rule!r}; known rules: {', '.join(known_rules)}.")
    where = f"waivers[{index}] (rule {rule})"
    match = {}
    for key in _WAIVER_MATCH:
        if entry.get(key) is not None:
            value = entry[key]
            if isinstance(value, (dict, list, tuple, bool)):
                raise PolicyError(f"{where}.{key} must be a string.")
            match[key] = _as_str(value, f"{where}.{key}")
            if not match[key]:
                raise PolicyError(f"{where}.{key} must not be empty.")
            if key == "aws_account_id":
                _aws_account_ids([match[key]], f"{where}.{key}")
    if not match:
        raise PolicyError(f"{where} matches nothing: give at least one of {', '.join(_WAIVER_MATCH)}.")
    if entry.get("expires") is None:
        raise PolicyError(f"{where}.expires is required: a waiver that never expires is a hole.")
    return Waiver(
        index=index,
        rule=rule,
        match=match,
        reason=_text_field(entry, "reason", where),
        expires=_date(entry["expires"], where),
        owner=_text_field(entry, "owner", where, required=False),
        ticket=_text_field(entry, "ticket", where, required=False),
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
        fail_severity="informational",
        waiver_warn_days=DEFAULT_WAIVER_WARN_DAYS,
        name=None,
        version=None,
        origins=None,
    ):
        # origins: where each part came from (a policy file's name), so that an error names the file.
        def stage(part, build):
            try:
                return build()
            except PolicyError as error:
                origin = (origins or {}).get(part)
                raise PolicyError(f"{error} (in the policy file {origin})" if origin else str(error)) from None

        self.name = stage("name", lambda: _as_str(name, "name") if name is not None else DEFAULT_POLICY_NAME)
        self.version = stage("version", lambda: _as_str(version, "version") if version is not None else None)
        self.fail_severity = stage("fail_severity", lambda: check_severity(fail_severity, "fail_severity"))
        if isinstance(waiver_warn_days, bool) or not isinstance(waiver_warn_days, int) or waiver_warn_days < 0:
            raise PolicyError(f"waiver_warn_days must be a whole number of days, 0 or more, got {waiver_warn_days!r}.")
        self.waiver_warn_days = waiver_warn_days
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
        return tuple(_waiver(entry, index, known) for index, entry in enumerate(entries))

    def severity(self, rule):
        if rule in self.severities:
            return self.severities[rule]
        if rule in _BY_NAME:
            return _BY_NAME[rule].severity
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
        return {"name": self.name, "version": self.version, "fail_severity": self.fail_severity, "rules": rules}

    def fails(self, finding):
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
            view = dict(account, age_days=_age_days(account, now))
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
                self._apply_waivers(finding, today, used)
                (waived if finding["waiver"] and finding["waiver"]["state"] == "active" else violations).append(finding)
        soon = today + datetime.timedelta(days=self.waiver_warn_days)
        waivers = {
            "unused": [w.describe(self._state(w, today)) for w in self.waivers if w.index not in used],
            "expiring": [w.describe("active") for w in self.waivers if today <= w.expires <= soon],
            "expired": [w.describe("expired") for w in self.waivers if w.expires < today],
        }
        return Findings(violations, waived, waivers)

    @staticmethod
    def _state(waiver, today):
        return "active" if today <= waiver.expires else "expired"

    def _apply_waivers(self, finding, today, used):
        """The waiver of ``finding``: of those that match it (each counts as used), the active one that
        expires last, else the expired one that expired last."""
        active = expired = None
        for waiver in self._waivers_by_rule.get(finding["rule"], ()):
            if not waiver.matches(finding):
                continue
            used.add(waiver.index)
            if self._state(waiver, today) == "active":
                if active is None or waiver.expires > active.expires:
                    active = waiver
            elif expired is None or waiver.expires > expired.expires:
                expired = waiver
        if active is not None:
            finding["waiver"] = active.describe("active")
        elif expired is not None:
            finding["waiver"] = expired.describe("expired")
            finding["detail"] += f"; {expired.label()} expired on {expired.expires.isoformat()}: {expired.reason}"


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


# ----- the policy file, and how it combines with the variables --------------------------------------
class _PolicyLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """yaml.safe_load's loader, stricter for a policy that a reviewer reads in git: no alias (anchors and aliases
    let a few hundred bytes name one list exponentially often) and no key given twice in one mapping (the
    second would silently replace the first, which is the one a reviewer may have read)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _PolicyYamlError(
                f"at line {mark.line + 1}, column {mark.column + 1}: aliases (*name) are not allowed"
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                mark = key_node.start_mark
                raise _PolicyYamlError(f"at line {mark.line + 1}, column {mark.column + 1}: a key given twice")
            if isinstance(key, (str, int, float, bool)):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _PolicyYamlError(Exception):
    """A policy file's YAML refused by :class:`_PolicyLoader`; the message says where, never what."""


def load_yaml(text):
    """``text`` as YAML data, plain data only (as yaml.safe_load), with no alias and no key given twice."""
    loader = _PolicyLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _read_regular_file(path):
    """At most MAX_POLICY_FILE_BYTES + 1 bytes of the regular file at ``path``. Opened without blocking and
    checked before it is read: a FIFO or a device named as the policy file would block the audit or never end."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise PolicyError("is not a regular file")
        return handle.read(MAX_POLICY_FILE_BYTES + 1)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


def load_policy_file(path, loader=load_yaml):
    """The policy file at ``path``, parsed by ``loader`` (text to data; :func:`load_yaml` by default), checked
    for its shape; :class:`PolicyError` names the file.

    No error quotes the file: when policy_file names the wrong file (an AWS credentials file, say), YAML's own
    messages would put a line of it, or a tag or alias name, in the job's output. They say where, and what
    kind of error."""
    shown = visible_text(path)
    try:
        data = _read_regular_file(path)
    except OSError as error:
        raise PolicyError(f"policy file {shown}: cannot be read: {error.strerror or error}.") from None
    except PolicyError as error:
        raise PolicyError(f"policy file {shown}: {error}.") from None
    if len(data) > MAX_POLICY_FILE_BYTES:
        raise PolicyError(f"policy file {shown}: larger than {MAX_POLICY_FILE_BYTES} bytes.")
    try:
        policy = loader(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"policy file {shown}: not UTF-8 text.") from None
    except _PolicyYamlError as error:
        raise PolicyError(f"policy file {shown}: not valid as a policy's YAML {error}.") from None
    except Exception as error:  # pylint: disable=broad-exception-caught
        mark, context = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        if context is not None and (mark is None or context.line != mark.line):
            where += f", in what starts at line {context.line + 1}, column {context.column + 1}"
        raise PolicyError(f"policy file {shown}: not valid YAML{where} ({type(error).__name__}).") from None
    return check_policy_keys(policy, f"policy file {shown}")


def check_policy_keys(policy, where):
    """``policy`` (a policy file's data, or the filters' ``policy`` argument) as a dict, if it is a mapping of
    POLICY_FILE_KEYS; :class:`PolicyError` naming ``where``. An unknown key is named only when it reads as
    a key name: the file may be the wrong one, and its keys someone's secrets."""
    if not isinstance(policy, Mapping):
        raise PolicyError(f"{where}: must be a mapping with {', '.join(POLICY_FILE_KEYS)}.")
    unknown = sorted(set(map(str, policy)) - set(POLICY_FILE_KEYS))
    if unknown:
        named = [key for key in unknown if _PLAIN_KEY.fullmatch(key)]
        others = len(unknown) - len(named)
        listed = ", ".join(named + ([f"{others} other(s) not shown"] if others else []))
        raise PolicyError(f"{where}: unknown key(s) {listed}; known: {', '.join(POLICY_FILE_KEYS)}.")
    return dict(policy)


def combine(variables, file_policy=None, file_name=None, waiver_warn_days=DEFAULT_WAIVER_WARN_DAYS):
    """The :class:`Policy` of the variables (``rules``, ``custom_rules``, ``severities``, ``waivers``,
    ``fail_severity``; None or empty is unset) and of a policy file (its parts, and ``name`` and
    ``version``). Each part comes from one place: a part set in both is a conflict, which fails naming
    both; an error in a part of the file names the file."""
    parts = {key: value for key, value in variables.items() if value not in (None, {}, [], ())}
    origins = {}
    for key, value in (file_policy or {}).items():
        if value in (None, {}, [], ()):
            continue
        if key in parts:
            raise PolicyError(
                f"{key} is set both in the policy file {file_name} and in the variables: set it in one place."
            )
        parts[key] = value
        origins[key] = file_name
    return Policy(
        rules=parts.get("rules"),
        custom_rules=parts.get("custom_rules"),
        severities=parts.get("severities"),
        waivers=parts.get("waivers"),
        fail_severity=parts.get("fail_severity") or "informational",
        waiver_warn_days=waiver_warn_days,
        name=parts.get("name"),
        version=parts.get("version"),
        origins=origins,
    )


def resolve(path, basedir):
    """A policy file's path: relative to ``basedir`` (the playbook's directory), ``~`` expanded."""
    return os.path.join(basedir, os.path.expanduser(path))
