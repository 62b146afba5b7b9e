# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The value filters of custom rules: a custom rule selects accounts with ``where`` and requires ``require`` of
them. Both are value filters in Cloud Custodian's shape (``key``/``op``/``value``, combined with ``and``, ``or``
and ``not``), compiled once by :func:`compile_filter` into plain Python predicates: no templating per account.
A missing value satisfies no comparison (fail closed)."""

import datetime
import math
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.plugin_utils._drift import ACCOUNT_FIELDS
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import parse_time
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import as_str
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import as_str_list
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import aws_account_ids
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import compile_pattern
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import pattern_search

ACCOUNT_KEYS = ACCOUNT_FIELDS  # the nine keys of an account, in the listing's order
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
# Bounds on a filter, so that a hostile or mistaken policy fails clearly: its depth and its number of filters.
MAX_DEPTH = 16
MAX_FILTER_NODES = 1000


# ----- value filters ------------------------------------------------------------------------------
def age_days(account, now):
    created = parse_time(account.get("created_timestamp"))
    return None if created is None else (now - created).days


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
        return _contains_test(key, op, as_str(_scalar(value, where), f"{where}.value"))
    if listed and op not in ("in", "not-in", "eq", "ne"):
        raise PolicyError(f"{where}.op: {op} cannot compare the list key {key}; use contains, in or empty.")
    if op == "regex":
        return _regex_test(key, compile_pattern(value, f"{where}.value"))
    if op in ("in", "not-in"):
        members = as_str_list(value, f"{where}.value")
        if key == "aws_account_id":
            aws_account_ids(members, f"{where}.value")
        allowed = frozenset(members)
        return _in_test(key, op, allowed, listed)
    if op in ("eq", "ne"):
        if listed:
            expected = sorted(as_str_list(value, f"{where}.value"))
        else:
            expected = _scalar(value, where)
            if key == "age_days":  # a number of days, as lt, le, gt and ge take: "abc" or true would fail open
                expected = _days(expected, where)
            else:  # the account's fields are text: a number (YAML's 111122223333) is compared as text
                expected = as_str(expected, f"{where}.value")
            if key == "aws_account_id":
                aws_account_ids([expected], f"{where}.value")
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


def _days(value, where):
    """``value`` as age_days compares it, with every op: a number, never a boolean (YAML's true is 1) nor text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PolicyError(f"{where}.value: age_days compares with a number of days, got {value!r}.")
    return value


def _bound(key, value, where):
    value = _finite(value, where)
    if key == "age_days":
        return _days(value, where)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PolicyError(f"{where}.value must be a string or a number, got {value!r}.")
    return as_str(value, f"{where}.value")  # compared with a text field as text, as eq and in compare it


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


def plain_setting(node):
    """A custom rule's filters as the report records them: a date (an unquoted YAML date) as its ISO text, as
    the rule compares it, so that the JSON report can hold it."""
    if isinstance(node, Mapping):
        return {str(key): plain_setting(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [plain_setting(value) for value in node]
    if isinstance(node, (datetime.date, datetime.datetime)):
        return node.isoformat()
    return node


def needs_age(node):
    if isinstance(node, Mapping):
        return node.get("key") == "age_days" or any(needs_age(v) for v in node.values())
    if isinstance(node, (list, tuple)):
        return any(needs_age(v) for v in node)
    return False
