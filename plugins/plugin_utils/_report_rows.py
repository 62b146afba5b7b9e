# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The rows of the tables that the Markdown and HTML reports share: each finding list, the life cycle's counts,
the trend, the waivers, the AWS accounts and the changes, as tuples of raw values (each rendering escapes them
for its own syntax, see :mod:`_escape`), with their headers.
"""

from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.plugin_utils._escape import field_text
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import is_count
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import parse_time
from ansible_collections.chime.admin.plugins.plugin_utils._policy import NOT_CHECKED
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES

# The life cycle's columns (report format 5): a report of an older format has none of these keys, and its
# cells are left empty.
_LIFE_HEADERS = ("State", "First seen", "Age (days)")
VIOLATION_HEADERS = ("AWS account", "Account ID", "Name", "Rule", "Severity", "Detail", "Waiver", *_LIFE_HEADERS)
WAIVED_HEADERS = (
    "AWS account",
    "Account ID",
    "Name",
    "Rule",
    "Severity",
    "Detail",
    "Reason",
    "Owner",
    "Ticket",
    "Expires",
    *_LIFE_HEADERS,
)
_FINDING_HEADERS = ("AWS account", "Account ID", "Name", "Rule", "Severity", "Detail")
NEW_HEADERS = (*_FINDING_HEADERS, "First seen", "Age (days)", "Due")
OVERDUE_HEADERS = (*_FINDING_HEADERS, "State", "First seen", "Age (days)", "Due", "Overdue by (days)")
RESOLVED_HEADERS = (*_FINDING_HEADERS, "First seen", "Last seen", "Resolved at", "Age (days)", "Reason")
STATE_HEADERS = ("Severity", "New", "Open", "Overdue", "Waived", "Resolved")
_STATES = ("new", "open", "overdue", "waived", "resolved")
WAIVER_HEADERS = ("Rule", "Matches", "Reason", "Owner", "Ticket", "Expires", "State")
WAIVER_KINDS = (
    ("unused", "Waivers that matched nothing"),
    ("expiring", "Waivers expiring soon"),
    ("expired", "Expired waivers"),
)
AWS_ACCOUNT_HEADERS = ("AWS account", "Status", "Chime accounts", "Message")
CHANGE_HEADERS = ("AWS account", "Account ID", "Name")
CHANGED_HEADERS = ("AWS account", "Account ID", "Name", "Field", "Before", "After")


def reader_text(value):
    """A field's value as text for a reader: lists joined with commas, sign-in delegate groups by name."""
    return field_text(value, ", ")


def rule_rows(report):
    """Each rule with its severity and its count of violations, or ``not checked``."""
    violations = report["summary"]["violations"]
    rules = (report["source"].get("policy") or {}).get("rules") or {}
    counts = [*violations["by_rule"].items(), *((rule, NOT_CHECKED) for rule in violations.get("not_checked", []))]
    return [(rule, (rules.get(rule) or {}).get("severity", ""), count) for rule, count in counts]


def _waiver_text(waiver):
    """A violation's waiver, in words: only an expired one can be on an open violation."""
    if not waiver:
        return ""
    return f"expired {waiver.get('expires')}" if waiver.get("state") == "expired" else f"until {waiver.get('expires')}"


def date_text(value):
    """A finding's timestamp as its date (``2026-11-30``), in the offset it was written with; a value that is
    no ISO timestamp is shown as it is (escaped where it is shown), and a missing one as nothing."""
    if not isinstance(value, str):
        return "" if value is None else value
    return value if parse_time(value) is None else value[:10]


def _life(finding):
    """A finding's life-cycle cells: its state, first-seen date and age in days (empty in an older report)."""
    return (finding.get("state") or "", date_text(finding.get("first_seen")), _cell(finding.get("age_days")))


def _cell(value):
    """A count or a number of days as a cell: the number, or nothing (never ``None``)."""
    return "" if value is None else value


def _finding(v):
    return (v.get("aws_account_id"), v.get("account_id"), v.get("name"), v.get("rule"), v.get("severity"),
            v.get("detail"))  # fmt: skip


def violation_rows(report):
    return [
        (
            v["aws_account_id"],
            v["account_id"],
            v["name"],
            v["rule"],
            v.get("severity"),
            v["detail"],
            _waiver_text(v.get("waiver")),
            *_life(v),
        )
        for v in report["violations"]
    ]


def waived_rows(report):
    rows = []
    for v in report.get("waived") or []:
        w = v.get("waiver") or {}
        rows.append(
            (v["aws_account_id"], v["account_id"], v["name"], v["rule"], v.get("severity"), v["detail"])
            + (w.get("reason"), w.get("owner") or "", w.get("ticket") or "", w.get("expires"))
            + _life(v)
        )
    return rows


def has_life_cycle(report):
    """Whether the report records its findings' life cycle (format 5 and later)."""
    return isinstance(report.get("summary", {}).get("findings"), Mapping)


def new_rows(report):
    """The open findings not in the baseline."""
    return [
        (*_finding(v), date_text(v.get("first_seen")), _cell(v.get("age_days")), _cell(v.get("due")))
        for v in report["violations"]
        if v.get("state") == "new"
    ]


def overdue_rows(report):
    """The open findings (new or open) past their severity's deadline, the most overdue first."""
    overdue = [v for v in report["violations"] if isinstance(v.get("overdue_days"), int) and v["overdue_days"] > 0]
    overdue.sort(key=lambda v: -v["overdue_days"])  # stable: the report's order among equals
    return [
        (
            *_finding(v),
            v.get("state") or "",
            date_text(v.get("first_seen")),
            _cell(v.get("age_days")),
            _cell(v.get("due")),
            v["overdue_days"],
        )  # fmt: skip
        for v in overdue
    ]


def resolved_rows(report):
    """The baseline's findings this run resolved, with when and why."""
    return [
        (
            *_finding(v),
            date_text(v.get("first_seen")),
            date_text(v.get("last_seen")),
            date_text(v.get("resolved_at")),
            _cell(v.get("age_days")),
            v.get("resolved_reason") or "",
        )  # fmt: skip
        for v in report.get("resolved") or []
        if isinstance(v, Mapping)
    ]


def state_rows(report):
    """The findings by severity and state (``summary.findings.by_severity``), the highest severity first."""
    by_severity = report["summary"]["findings"].get("by_severity") or {}
    rows = []
    for severity in reversed(SEVERITIES):
        counts = by_severity.get(severity) if isinstance(by_severity.get(severity), Mapping) else {}
        rows.append((severity, *(_cell(counts.get(state, 0)) for state in _STATES)))
    return rows


def life_cycle_words(report):
    """One sentence on what the findings were compared with (raw text)."""
    findings = report["summary"]["findings"]
    since = findings.get("since")
    if since is None:
        return "First audit of this scope (no baseline): every open finding is new, first seen now"
    words = f"Compared with the baseline of {since}"
    if findings.get("not_compared"):
        words += (
            f"; {findings['not_compared']} finding(s) of AWS accounts this run did not list are not compared"
            " (neither open nor resolved)"
        )
    return words


# The trend: the counts of the last complete runs of this scope, read from their S3 manifests.
TREND_COLUMNS = ("Generated at", "Run folder", *reversed(SEVERITIES), "Overdue", "Waived", "Resolved")


def open_count(counts, severity):
    """New and open findings of one severity in a trend point's counts, or None when not recorded."""
    entry = (counts.get("by_severity") or {}).get(severity) if isinstance(counts, Mapping) else None
    if not isinstance(entry, Mapping):
        return None
    values = [entry.get("new"), entry.get("open")]
    if not all(is_count(v) for v in values):
        return None
    return values[0] + values[1]


def _total(counts, state):
    value = counts.get(state) if isinstance(counts, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def trend_points(report):
    """The trend's points that are dicts, oldest first (the report's order)."""
    return [point for point in report.get("trend") or [] if isinstance(point, Mapping)]


def trend_rows(report):
    rows = []
    for point in trend_points(report):
        counts = point.get("findings")
        rows.append(
            (point.get("generated_at"), point.get("run_folder"))
            + tuple(_cell(open_count(counts, severity)) for severity in reversed(SEVERITIES))
            + tuple(_cell(_total(counts, state)) for state in ("overdue", "waived", "resolved"))
        )
    return rows


NO_TREND = "No trend: it is read from the manifests of earlier runs in S3, and this run keeps no S3 history (s3_bucket)"
EMPTY_TREND = "No trend yet: no complete run of this scope is in the S3 history"
TREND_WORDS = (
    "Open findings (new and open) by severity, and all overdue, waived and resolved findings, in the last"
    " {count} complete run(s) of this scope, oldest first (from their S3 manifests)"
)


def waiver_rows(waivers):
    rows = []
    for w in waivers:
        matches = ", ".join(
            f"{key} {w[key]}" for key in ("account_id", "aws_account_id", "name", "name_glob") if w.get(key)
        )
        rows.append(
            (
                w.get("rule"),
                matches,
                w.get("reason"),
                w.get("owner") or "",
                w.get("ticket") or "",
                w.get("expires"),
                w.get("state"),
            )
        )
    return rows


def severity_rows(report):
    return list((report["summary"]["violations"].get("by_severity") or {}).items())


def aws_account_rows(report):
    return [
        (a.get("aws_account_id"), a.get("status"), a.get("accounts"), a.get("message") or "")
        for a in report.get("aws_accounts") or []
    ]


def change_rows(changes, kind):
    """The accounts ``added`` or ``removed``."""
    return [(a.get("aws_account_id"), a.get("account_id"), a.get("name")) for a in changes[kind]]


def changed_rows(changes):
    """One row per changed field of each changed account."""
    return [
        (
            c["aws_account_id"],
            c["account_id"],
            c["name"],
            field,
            reader_text(diff["before"]),
            reader_text(diff["after"]),
        )
        for c in changes["changed"]
        for field, diff in c["fields"].items()
    ]


class Lines:
    """The lines of a rendering, written to a text stream as they are added (each followed by a newline)
    rather than kept: ``lines.append(line)`` and ``lines += more`` as on the list of lines it replaces, whose
    ``"\\n".join(lines) + "\\n"`` is the same text."""

    def __init__(self, out, first=()):
        self.out = out
        self += first

    def append(self, line):
        self.out.write(line + "\n")

    def __iadd__(self, lines):
        self.out.write("".join(line + "\n" for line in lines))
        return self
