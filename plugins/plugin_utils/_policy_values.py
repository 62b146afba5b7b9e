# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The checks that every part of an audit policy shares: :class:`PolicyError`, the severities, the conversions
that the role's argument spec makes (the filters get the same), AWS account IDs, bounded texts and regular
expressions.

Regular expressions (``name_pattern`` and the ``regex`` op) run on names that whoever creates an account
chooses, so they run on RE2 (google-re2), whose matching time is linear in the name's length: a pattern such as
``^([a-z]+ ?)+$`` cannot backtrack for seconds. RE2 has no look-around and no back-references; such a pattern is
refused when the policy is checked.
"""

try:
    import re2

    HAS_RE2 = True
except ImportError:  # reported when a policy uses a regular expression, not before
    HAS_RE2 = False

from ansible.module_utils.common.validation import check_type_bool
from ansible.module_utils.common.validation import check_type_str

SEVERITIES = ("informational", "low", "medium", "high", "critical")  # OCSF's severities, lowest first
RANK = {severity: rank for rank, severity in enumerate(SEVERITIES)}
# Bounds on what a policy may hold, so that a hostile or mistaken policy fails clearly instead of exhausting
# the controller: a pattern's length, RE2's memory for one compiled pattern, and a text's length.
MAX_PATTERN = 1000
MAX_TEXT = {"description": 200, "remediation": 1000, "reason": 500, "default": 200}
_RE2_MAX_MEM = 8 << 20


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
def as_str(value, where):
    try:
        return check_type_str(value, allow_conversion=True)
    except TypeError:
        raise PolicyError(f"{where} must be a string, got {type(value).__name__}.") from None


def as_str_list(value, where):
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise PolicyError(f"{where} must be a list of strings, got {type(value).__name__}.")
    items = []
    for item in value:
        if isinstance(item, (dict, list, tuple)) or item is None or isinstance(item, bool):
            raise PolicyError(f"{where} must be a list of strings; one member is {item!r}.")
        items.append(as_str(item, where))
    return items


def as_flag(value, where):
    try:
        return check_type_bool(value)
    except TypeError:
        raise PolicyError(f"{where} must be true or false, got {value!r}.") from None


def aws_account_ids(values, where):
    """``values`` (strings), each an AWS account ID of 12 digits. YAML 1.1 reads an unquoted ID with a
    leading zero as an octal number, which no conversion can undo: quote such IDs."""
    for value in values:
        if not (len(value) == 12 and value.isascii() and value.isdigit()):
            raise PolicyError(
                f"{where}: {value!r} is not an AWS account ID (12 digits); quote IDs in YAML, which reads an"
                " unquoted ID that starts with 0 as an octal number."
            )
    return values


def text_field(entry, field, where, required=True):
    value = entry.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PolicyError(f"{where}.{field} is required.")
        return None
    if isinstance(value, (dict, list, tuple)):
        raise PolicyError(f"{where}.{field} must be text.")
    text = as_str(value, f"{where}.{field}")
    # A policy's texts are copied into findings (a description into each violation's detail, a waiver into
    # each finding it waives): bounded, so that they cannot multiply a report or a job's result.
    limit = MAX_TEXT.get(field, MAX_TEXT["default"])
    if len(text) > limit:
        raise PolicyError(f"{where}.{field} is longer than {limit} characters.")
    return text


def check_severity(value, where):
    if value not in SEVERITIES:
        raise PolicyError(f"{where} must be one of {', '.join(SEVERITIES)}, got {value!r}.")
    return value
