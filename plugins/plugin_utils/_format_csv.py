# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The ``csv`` format: the accounts, and the findings in a file of their own (one table per file, as
spreadsheets and CSV readers expect), as RFC 4180 CSV with cells that a spreadsheet would take for a formula
neutralised, following OWASP's CSV-injection guidance (:func:`_escape.csv_cell`).
"""

import csv
import io

from ansible_collections.chime.admin.plugins.plugin_utils._drift import ACCOUNT_FIELDS
from ansible_collections.chime.admin.plugins.plugin_utils._escape import csv_cell

CSV_COLUMNS = ACCOUNT_FIELDS  # one row per account, its nine fields


def _csv(header, rows):
    """RFC 4180 CSV text (CRLF line ends) with every cell quoted, so that a reader that honours quotes finds
    the separators of any locale inside a cell; for one that does not, each part is neutralised."""
    out = io.StringIO()
    _write_csv(out, header, rows)
    return out.getvalue()


def _write_csv(out, header, rows):
    """Write the CSV of :func:`_csv` to the text stream ``out``, a row at a time."""
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)


def to_csv(accounts):
    """The accounts as CSV text (RFC 4180: CRLF line ends, every cell quoted): a header, then one row per
    account with the nine keys; lists joined with ``;``; invisible characters escaped; formula-like cells
    neutralised."""
    return _csv(CSV_COLUMNS, _account_rows(accounts))


def _account_rows(accounts):
    return ([account.get(column) for column in CSV_COLUMNS] for account in accounts)


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
    return _csv(FINDINGS_CSV_COLUMNS, _finding_rows(findings))


def _finding_rows(findings):
    for finding in findings:
        waiver = finding.get("waiver") if isinstance(finding.get("waiver"), dict) else {}
        if finding.get("state") == "resolved":  # a finding of a report's resolved list (format 5)
            status = "resolved"
        else:
            status = "waived" if waiver.get("state") == "active" else "open"
        row = [finding.get(column) for column in ("aws_account_id", "account_id", "name", "rule", "severity")]
        row += [status, *(finding.get(column) for column in _LIFE_COLUMNS), finding.get("detail")]
        yield [*row, *(waiver.get(key) for key in _WAIVER_COLUMNS)]


def write_accounts(report, out):
    """Write the report's accounts as CSV (:func:`to_csv`) to the text stream ``out``, a row at a time."""
    _write_csv(out, CSV_COLUMNS, _account_rows(report["accounts"]))


def write_findings(report, out):
    """Write the report's findings (violations, then waived, then resolved) as CSV (:func:`findings_to_csv`)
    to the text stream ``out``, a row at a time."""
    findings = (f for key in ("violations", "waived", "resolved") for f in report.get(key) or [])
    _write_csv(out, FINDINGS_CSV_COLUMNS, _finding_rows(findings))
