# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The ``markdown`` format: the report as GitHub-flavoured Markdown, every value through :func:`_escape.md`."""

import io

from ansible_collections.chime.admin.plugins.plugin_utils._escape import md
from ansible_collections.chime.admin.plugins.plugin_utils._policy import provenance_words
from ansible_collections.chime.admin.plugins.plugin_utils._report import COUNTS
from ansible_collections.chime.admin.plugins.plugin_utils._report import baseline_notes
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import AWS_ACCOUNT_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import CHANGE_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import CHANGED_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import EMPTY_TREND
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import NEW_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import NO_TREND
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import OVERDUE_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import RESOLVED_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import STATE_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import TREND_COLUMNS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import TREND_WORDS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import VIOLATION_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import WAIVED_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import WAIVER_HEADERS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import WAIVER_KINDS
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import Lines
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import aws_account_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import change_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import changed_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import has_life_cycle
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import life_cycle_words
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import new_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import overdue_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import resolved_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import rule_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import severity_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import state_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import trend_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import violation_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import waived_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import waiver_rows
from ansible_collections.chime.admin.plugins.plugin_utils._scope import describe


def _md_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    return lines


def _md_life_cycle(report):
    """The findings by state, the trend, and the new, overdue and resolved findings (format 5 and later)."""
    if not has_life_cycle(report):
        return []
    lines = ["### Findings by state", "", f"{md(life_cycle_words(report))}.", ""]
    lines += _md_table(STATE_HEADERS, state_rows(report)) + [""]
    lines += _md_trend(report)
    new = new_rows(report)
    lines += ["## New findings", ""]
    if report["summary"]["findings"].get("since") is None and new:
        lines.append(f"All {md(len(new))}: this is the first audit of this scope (see Violations).")
    else:
        lines += _md_table(NEW_HEADERS, new) if new else ["None."]
    rows = overdue_rows(report)
    lines += ["", "## Overdue findings", ""] + (_md_table(OVERDUE_HEADERS, rows) if rows else ["None."])
    rows = resolved_rows(report)
    lines += ["", "## Resolved findings", ""] + (_md_table(RESOLVED_HEADERS, rows) if rows else ["None."])
    return lines + [""]


def _md_trend(report):
    if "trend" not in report:
        return []
    lines = ["## Trend", ""]
    if report["trend"] is None:
        return lines + [f"{md(NO_TREND)}.", ""]
    rows = trend_rows(report)
    if not rows:
        return lines + [f"{md(EMPTY_TREND)}.", ""]
    lines += [f"{md(TREND_WORDS.format(count=len(rows)))}.", ""]
    return lines + _md_table(TREND_COLUMNS, rows) + [""]


def to_markdown(report):
    """The report as Markdown: summary tables, violations, suspended accounts and changes."""
    out = io.StringIO()
    write(report, out)
    return out.getvalue()


def write(report, out):
    """Write the report as Markdown (:func:`to_markdown`) to the text stream ``out``, a section at a time."""
    summary = report["summary"]
    source = report["source"]
    lines = Lines(out, ["# Amazon Chime account audit", ""])
    lines.append(f"Generated {md(report.get('generated_at'))}.")
    aws = ", ".join(source["aws_accounts"]) or "none"
    lines += ["", f"{md(summary.get('total', 0))} accounts in AWS account(s) {md(aws)}."]
    if source.get("caller"):
        lines += ["", f"Listed as {md(source['caller'])}, with chime.admin {md(source.get('collection_version'))}."]
    if source.get("scope"):
        lines += ["", f"Scope: {md(describe(source['scope']))}."]
    filters = source["filters"]
    if filters["name"]:
        lines += ["", f"Names starting with: {md(filters['name'])}."]
    if filters["user_email"]:
        lines += ["", "Filtered by one user's e-mail address (not recorded)."]
    provenance = provenance_words(source.get("policy"))
    if provenance:
        lines += ["", f"Policy: {md(provenance)}."]
    lines += ["", "## Summary", ""]
    for key, title in COUNTS:
        if key in summary:
            lines += [f"### {title}", ""] + _md_table(["Value", "Accounts"], sorted(summary[key].items())) + [""]
    lines += ["### Violations by rule", ""] + _md_table(["Rule", "Severity", "Violations"], rule_rows(report)) + [""]
    lines += ["### Violations by severity", ""] + _md_table(["Severity", "Violations"], severity_rows(report))
    lines += [
        "",
        f"Failing the job: {md(summary['violations'].get('failing', 0))} at or above"
        f" {md((source.get('policy') or {}).get('fail_severity', 'informational'))}."
        f" Waived: {md(summary['violations'].get('waived', 0))}.",
        "",
    ]
    lines += _md_life_cycle(report)
    lines += ["## Violations", ""]
    lines += _md_table(VIOLATION_HEADERS, violation_rows(report)) if report["violations"] else ["None."]
    if report.get("waived"):
        lines += ["", "## Waived findings", ""] + _md_table(WAIVED_HEADERS, waived_rows(report))
    for kind, title in WAIVER_KINDS:
        entries = (report.get("waivers") or {}).get(kind)
        if entries:
            lines += ["", f"## {title}", ""] + _md_table(WAIVER_HEADERS, waiver_rows(entries))
    lines += ["", "## Suspended accounts", ""]
    suspended = [a for a in report["accounts"] if a.get("account_status") == "Suspended"]
    if suspended:
        rows = [(a.get("aws_account_id"), a.get("account_id"), a.get("name"), a.get("account_type")) for a in suspended]
        lines += _md_table(["AWS account", "Account ID", "Name", "Type"], rows)
    else:
        lines.append("None.")
    if report.get("aws_accounts"):
        lines += ["", "## AWS accounts", ""] + _md_table(AWS_ACCOUNT_HEADERS, aws_account_rows(report))
    changes = report.get("changes")
    if changes is not None:
        lines += ["", "## Changes since the baseline", ""]
        lines.append(f"Baseline generated {md(changes.get('baseline_generated_at') or 'at an unknown time')}.")
        lines += [line for note in baseline_notes(changes) for line in ("", f"{md(note)}.")]
        for kind in ("added", "removed"):
            rows = change_rows(changes, kind)
            lines += ["", f"### {kind.capitalize()}", ""] + (_md_table(CHANGE_HEADERS, rows) if rows else ["None."])
        rows = changed_rows(changes)
        lines += ["", "### Changed", ""] + (_md_table(CHANGED_HEADERS, rows) if rows else ["None."])
        rows = change_rows(changes, "not_compared")
        if rows:
            lines += ["", "### Not compared: their AWS account was not listed", ""] + _md_table(CHANGE_HEADERS, rows)
