# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Audits of listed Chime accounts, on the controller: changes since a baseline, and CSV. The rules and
their checks are in :mod:`_rules`.

The filters in ``plugins/filter/audit.py`` are thin doors onto these functions:

- :func:`find_changes` compares a listing with an earlier one (a baseline);
- :func:`to_csv` writes accounts as RFC 4180 CSV, with cells that a spreadsheet would take for a formula
  neutralised, following OWASP's CSV-injection guidance.
"""

import csv
import io
import json
import re
import unicodedata

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
# What a spreadsheet reads as the start of a formula: OWASP's =, +, -, @, tab and carriage return, and the | and
# % that defusedcsv adds (DDE links, and the macros of some spreadsheets).
_FORMULA_STARTS = ("=", "+", "-", "@", "|", "%", "\t", "\r")
# The fields whose change a baseline comparison reports (the identifiers are the key).
_COMPARED = tuple(c for c in CSV_COLUMNS if c not in ("aws_account_id", "account_id"))


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
        if key not in before or before[key] == account:  # most accounts are as they were: nothing to compare
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


# Characters that change how text is shown rather than what it says: C0 and C1 controls (terminal escapes),
# format characters (bidirectional overrides and isolates, zero-width marks), surrogates and the Unicode line and
# paragraph separators.
INVISIBLE_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def visible(value):
    """``value`` as text whose every character shows: an invisible or control character becomes its
    ``\\uXXXX`` escape, so that an account name cannot move the cursor, recolour a terminal, reverse the
    text around it or hide part of itself, in a job's output or a report."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in INVISIBLE_CATEGORIES else c for c in text)


# A cell's parts as a spreadsheet may split it: on ``;`` in the locales whose list separator is the semicolon
# (German, French, Dutch), on ``,`` in the others. Lists are joined with ``;`` too.
_CELL_PARTS = re.compile(r"([;,])")
# What a spreadsheet may pass over before a formula's first character: white space, and a quote.
_PART_LEAD = re.compile(r'[\s"]*')


def _formula_like(part):
    """Whether a spreadsheet could take ``part`` for the start of a formula: it starts with a formula character,
    or does after white space and quotes, in ASCII or as one of its compatibility forms (the full-width ＝＋－＠
    that an input method types, the small forms), which NFKC maps to ASCII."""
    if part[:1].isalnum():  # most cells; no letter or digit has a formula character as its NFKC form
        return False
    if part.startswith(_FORMULA_STARTS):
        return True
    first = part[_PART_LEAD.match(part).end() :][:1]
    return unicodedata.normalize("NFKC", first).startswith(_FORMULA_STARTS)


def neutralise(text):
    """``text`` made inert for a spreadsheet: each of its ``;``- and ``,``-separated parts that a spreadsheet
    would take for a formula gets a leading apostrophe, the whole cell's first part included.

    defusedcsv (the library for this) checks only a cell's first character, so this is our own: a spreadsheet
    of a semicolon locale may read ``x;=1+1`` as two cells, the second a formula. Every cell that defusedcsv
    escapes is neutralised here too."""
    return "".join("'" + part if _formula_like(part) else part for part in _CELL_PARTS.split(text))


def field_text(value, separator):
    """An account field's value as text: None as empty, a list joined with ``separator`` (sign-in
    delegate groups by their names)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return separator.join(v.get("group_name", "") if isinstance(v, dict) else str(v) for v in value)
    return str(value)


def _cell(value):
    """A CSV cell: the value as text, invisible characters as escapes (:func:`visible`), neutralised."""
    return neutralise(visible(field_text(value, ";")))


def _csv(header, rows):
    """RFC 4180 CSV text (CRLF line ends) with every cell quoted, so that a reader that honours quotes finds
    the separators of any locale inside a cell; for one that does not, each part is neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def to_csv(accounts):
    """The accounts as CSV text (RFC 4180: CRLF line ends, every cell quoted): a header, then one row per
    account with the nine keys; lists joined with ``;``; invisible characters escaped; formula-like cells
    neutralised."""
    return _csv(CSV_COLUMNS, ([account.get(column) for column in CSV_COLUMNS] for account in accounts))


FINDINGS_CSV_COLUMNS = (
    "aws_account_id",
    "account_id",
    "name",
    "rule",
    "severity",
    "status",
    "state",
    "first_seen",
    "age_days",
    "due",
    "overdue_days",
    "resolved_at",
    "resolved_reason",
    "detail",
    "waiver_reason",
    "waiver_owner",
    "waiver_ticket",
    "waiver_expires",
    "waiver_state",
)
_LIFE_COLUMNS = ("state", "first_seen", "age_days", "due", "overdue_days", "resolved_at", "resolved_reason")
_WAIVER_COLUMNS = ("reason", "owner", "ticket", "expires", "state")


def findings_to_csv(findings):
    """Audit findings as CSV text, written as :func:`to_csv` writes accounts: one row per finding with
    ``FINDINGS_CSV_COLUMNS``. A finding has ``aws_account_id``, ``account_id``, ``name``, ``rule``,
    ``severity``, ``detail`` and ``waiver``: None, or a dict with ``reason``, ``expires``, ``owner``,
    ``ticket`` and ``state`` (``active`` or ``expired``); from report format 5 also its life cycle (``state``,
    ``first_seen``, ``age_days``, ``due``, ``overdue_days``, and for a resolved one ``resolved_at`` and
    ``resolved_reason``). ``status`` is ``resolved`` for a finding whose state is ``resolved``, else ``waived``
    under an active waiver, else ``open``; the columns a finding has no value for are empty (the waiver columns
    without a waiver, the life cycle's in a report before format 5)."""
    rows = []
    for finding in findings:
        waiver = finding.get("waiver") if isinstance(finding.get("waiver"), dict) else {}
        if finding.get("state") == "resolved":  # a finding of a report's resolved list (format 5)
            status = "resolved"
        else:
            status = "waived" if waiver.get("state") == "active" else "open"
        row = [finding.get(column) for column in ("aws_account_id", "account_id", "name", "rule", "severity")]
        row += [status, *(finding.get(column) for column in _LIFE_COLUMNS), finding.get("detail")]
        rows.append([*row, *(waiver.get(key) for key in _WAIVER_COLUMNS)])
    return _csv(FINDINGS_CSV_COLUMNS, rows)
