# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The ``html`` format: the report as one self-contained HTML page, every value through :func:`_escape.e`.

The page reads in full without script. One small inline script adds a filter box and sortable columns to
each table marked data-filterable; the content security policy allows that script and that style sheet by
their SHA-256 (computed below from the exact text) and nothing else, so a value that escaped escaping still
could not run, and nothing is fetched. The script writes text only (textContent), never markup.
"""

import base64
import hashlib
import html
import io
import re

from ansible_collections.chime.admin.plugins.plugin_utils._escape import e
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible
from ansible_collections.chime.admin.plugins.plugin_utils._policy import provenance_words
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
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
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import date_text
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import has_life_cycle
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import life_cycle_words
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import new_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import open_count
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import overdue_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import reader_text
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import resolved_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import rule_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import severity_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import state_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import trend_points
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import trend_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import violation_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import waived_rows
from ansible_collections.chime.admin.plugins.plugin_utils._report_rows import waiver_rows
from ansible_collections.chime.admin.plugins.plugin_utils._scope import describe

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1em; color: #1b1b1b; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; max-width: 100%; overflow-wrap: normal;
  font-size: 0.875em; }
th, td { border: 1px solid #c8c8c8; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; }
td.id { white-space: nowrap; font-family: monospace; }
td.w { overflow-wrap: anywhere; }
th button { font: inherit; font-weight: bold; color: inherit; background: none; border: 0; padding: 0;
  text-align: inherit; cursor: pointer; }
th button::after { content: " \\2195"; opacity: 0.4; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; opacity: 1; }
th[aria-sort="descending"] button::after { content: " \\25BC"; opacity: 1; }
.table-tools { margin: 0.5em 0 0; }
.table-tools input { font: inherit; width: 20em; max-width: 100%; }
svg text { font-size: 12px; }
.bar { fill: #3a6ea5; }
.bar.violation { fill: #b3261e; }
.axis { stroke: #767676; stroke-width: 1; }
.line { fill: none; stroke-width: 2; }
.point { stroke: #fff; stroke-width: 1; }
.sev-critical { stroke: #7b1fa2; fill: #7b1fa2; }
.sev-high { stroke: #b3261e; fill: #b3261e; }
.sev-medium { stroke: #c25e00; fill: #c25e00; }
.sev-low { stroke: #3a6ea5; fill: #3a6ea5; }
.sev-informational { stroke: #5f6b66; fill: #5f6b66; }
.line.sev-critical, .line.sev-high, .line.sev-medium, .line.sev-low, .line.sev-informational { fill: none; }
.line.sev-high { stroke-dasharray: 10 3; }
.line.sev-medium { stroke-dasharray: 8 3 2 3; }
.line.sev-low { stroke-dasharray: 4 3; }
.line.sev-informational { stroke-dasharray: 1 3; }
svg text.legend { fill: #1b1b1b; stroke: none; }
@media print {
  body { margin: 0; color: #000; }
  .table-tools { display: none; }
  table[data-filterable] tr[hidden] { display: table-row; }
  th { background: none; }
  th:not([aria-sort]) button::after { content: none; }
  tr, svg { break-inside: avoid; }
  thead { display: table-header-group; }
  .bar, .bar.violation { fill: #555; }
}
"""
# Written for 10,000 rows: a sort orders an array of the rows and re-appends them once, through a
# DocumentFragment; each row's text is read once and kept; the filter runs 150 ms after the last keystroke and
# touches only the rows whose visibility changes. A header's column sorts as numbers when every value is one.
_SCRIPT = """
(() => {
  "use strict";
  const collator = new Intl.Collator(undefined, { numeric: true });
  const number = /^[+-]?[0-9]+(?:[.][0-9]+)?$/;
  const cellTexts = (tr) => Array.from(tr.cells, (cell) => cell.textContent);
  const heading = (table) => {
    for (let node = table.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent;
    }
    return "";
  };
  const setUp = (table, index) => {
    const body = table.tBodies[0];
    const head = table.tHead && table.tHead.rows[0];
    if (!body || !head || body.rows.length === 0) return;
    const name = table.id || "table-" + index;
    const rows = Array.from(body.rows, (tr) => ({ tr: tr, text: null, keys: [] }));
    const tools = document.createElement("div");
    tools.className = "table-tools";
    const label = document.createElement("label");
    label.textContent = "Filter rows ";
    const input = document.createElement("input");
    input.type = "search";
    input.id = name + "-filter";
    input.autocomplete = "off";
    input.setAttribute("aria-label", ("Filter rows: " + heading(table)).trim());
    label.append(input);
    const count = document.createElement("output");
    count.id = name + "-count";
    count.setAttribute("aria-live", "polite");
    tools.append(label, " ", count);
    table.before(tools);
    const show = (shown) => {
      count.textContent = shown + " of " + rows.length + " rows";
    };
    const filter = () => {
      const query = input.value.trim().toLowerCase();
      let shown = 0;
      for (const row of rows) {
        if (row.text === null) row.text = cellTexts(row.tr).join("\\n").toLowerCase();
        const hide = query !== "" && !row.text.includes(query);
        if (row.tr.hidden !== hide) row.tr.hidden = hide;
        if (!hide) shown += 1;
      }
      show(shown);
    };
    let timer = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(filter, 150);
    });
    show(rows.length);
    const headers = Array.from(head.cells);
    const numeric = [];
    let current = -1;
    let direction = 1;
    const readKeys = (column) => {
      let numbers = true;
      for (const row of rows) {
        const cell = row.tr.cells[column];
        row.keys[column] = cell ? cell.textContent.trim() : "";
        if (row.keys[column] !== "" && !number.test(row.keys[column])) numbers = false;
      }
      if (numbers) {
        for (const row of rows) row.keys[column] = row.keys[column] === "" ? -Infinity : Number(row.keys[column]);
      }
      numeric[column] = numbers;
    };
    const sortBy = (column) => {
      if (numeric[column] === undefined) readKeys(column);
      direction = column === current ? -direction : 1;
      current = column;
      const order = numeric[column]
        ? (a, b) => (a < b ? -1 : a > b ? 1 : 0)
        : (a, b) => collator.compare(a, b);
      // Array.prototype.sort is stable: rows that compare equal keep their order, in both directions.
      rows.sort((a, b) => direction * order(a.keys[column], b.keys[column]));
      // Rows moved out of a body that is not in the page cost no layout work each: it is taken out, its
      // rows re-appended in their new order through a fragment, and put back, for one layout in all.
      const next = body.nextSibling;
      body.remove();
      const fragment = document.createDocumentFragment();
      for (const row of rows) fragment.append(row.tr);
      body.append(fragment);
      table.insertBefore(body, next);
      headers.forEach((th, other) => {
        if (other === column) th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
    };
    headers.forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.append(button);
      button.addEventListener("click", () => sortBy(column));
    });
  };
  document.querySelectorAll("table[data-filterable]").forEach(setUp);
})();
"""


def _source_hash(text):
    """The CSP source expression that allows an inline element whose text is exactly ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


_CSP = f"default-src 'none'; script-src {_source_hash(_SCRIPT)}; style-src {_source_hash(_STYLE)}"
# The class of a column's cells, by its header: identifiers stay on one line, counts align right.
_CELL_CLASSES = {"AWS account": "id", "Account ID": "id", "Chime accounts": "n", "Violations": "n"}
_CELL_CLASSES.update(dict.fromkeys(("Age (days)", "Overdue by (days)", *STATE_HEADERS[1:]), "n"))
_CELL_CLASSES.update(dict.fromkeys(SEVERITIES, "n"), **{"Generated at": "id"})
# Any other cell with a word longer than a timestamp (32 characters, with microseconds and offset) may break it
# anywhere ("w"), so that a table fits the window however long a name or detail is; shorter words stay whole.
_LONG_WORD = re.compile(r"\S{33}")


def _html_table(headers, rows, table_id=None, filterable=True):
    """A data table: the page's script gives it a filter box and sortable columns (``data-filterable``); a
    small summary table (a row per rule or severity) is left as it is."""
    attrs = f' id="{e(table_id)}"' if table_id else ""
    attrs += " data-filterable" if filterable else ""
    out = [f"<table{attrs}><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead><tbody>"]
    classes = [_CELL_CLASSES.get(h) for h in headers]
    for row in rows:
        cells = []
        for css, cell in zip(classes, row, strict=True):
            text = visible(cell)
            css = css or ("w" if _LONG_WORD.search(text) else None)
            cells.append(f'<td class="{css}">' if css else "<td>")
            cells.append(html.escape(text, quote=True) + "</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _bar_chart(chart_id, title, counts, css="bar"):
    """A horizontal bar chart of ``counts`` as inline SVG, one labelled bar per entry."""
    items = list(counts.items())
    label_width, bar_width, row = 220, 320, 22
    height = row * max(len(items), 1) + 8
    biggest = max([*counts.values(), 1])
    parts = [
        f'<svg id="{e(chart_id)}" role="img" aria-label="{e(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{label_width + bar_width + 80}" height="{height}">',
        f"<title>{e(title)}</title>",
    ]
    for index, (label, count) in enumerate(items):
        y = 4 + index * row
        width = round(bar_width * count / biggest) if count else 0
        parts.append(
            f'<g class="entry" data-label="{e(label)}" data-count="{e(count)}">'
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{e(label)}</text>'
            f'<rect class="{css}" x="{label_width}" y="{y}" width="{width}" height="{row - 6}"></rect>'
            f'<text x="{label_width + width + 6}" y="{y + 14}">{e(count)}</text></g>'
        )
    if not items:
        parts.append(f'<text x="0" y="16">{e("none")}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _line_chart(chart_id, title, labels, series):
    """A line chart of counts over runs as inline SVG: ``labels`` (one per run, oldest first) along the x axis,
    and per entry of ``series`` (``(name, css class, counts)``, a count None where the run recorded none) a line
    with one point per count. Each point carries its series, run and count as data attributes; the chart's
    title names what it shows, and the table beside it is its text alternative."""
    left, top, plot_width, plot_height, bottom, legend = 48, 12, max(420, 64 * len(labels)), 220, 44, 150
    step = plot_width / max(len(labels), 1)
    biggest = max([count for _n, _c, counts in series for count in counts if count is not None] + [1])
    width, height = left + plot_width + legend, top + plot_height + bottom

    def x(index):
        return round(left + step * (index + 0.5), 1)

    def y(count):
        return round(top + plot_height - plot_height * count / biggest, 1)

    parts = [
        f'<svg id="{e(chart_id)}" role="img" aria-label="{e(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}">',
        f"<title>{e(title)}</title>",
        f'<line class="axis" x1="{left}" y1="{top + plot_height}" x2="{left + plot_width}" y2="{top + plot_height}">'
        "</line>",
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}"></line>',
        f'<text x="{left - 6}" y="{top + plot_height + 4}" text-anchor="end">0</text>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{e(biggest)}</text>',
    ]
    for index, label in enumerate(labels):
        parts.append(f'<text x="{x(index)}" y="{top + plot_height + 18}" text-anchor="middle">{e(label)}</text>')
    for row, (name, css, counts) in enumerate(series):
        points = [(x(index), y(count), index, count) for index, count in enumerate(counts) if count is not None]
        parts.append(f'<g class="series" data-series="{e(name)}">')
        if len(points) > 1:
            path = " ".join(f"{px},{py}" for px, py, _i, _c in points)
            parts.append(f'<polyline class="line {e(css)}" points="{path}"></polyline>')
        for px, py, index, count in points:
            parts.append(
                f'<circle class="point {e(css)}" cx="{px}" cy="{py}" r="4" data-series="{e(name)}"'
                f' data-run="{e(labels[index])}" data-count="{e(count)}"><title>{e(name)}, {e(labels[index])}:'
                f" {e(count)}</title></circle>"
            )
        legend_y = top + 14 + 18 * row
        parts.append(
            f'<line class="line {e(css)}" x1="{left + plot_width + 16}" y1="{legend_y - 4}"'
            f' x2="{left + plot_width + 40}" y2="{legend_y - 4}"></line>'
            f'<text class="legend" x="{left + plot_width + 46}" y="{legend_y}">{e(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_trend(report):
    if "trend" not in report:
        return []
    out = ["<h2>Trend</h2>"]
    if report["trend"] is None:
        return out + [f'<p id="trend-none">{e(NO_TREND)}.</p>']
    rows = trend_rows(report)
    if not rows:
        return out + [f'<p id="trend-none">{e(EMPTY_TREND)}.</p>']
    words = TREND_WORDS.format(count=len(rows))
    labels = [date_text(point.get("generated_at")) for point in trend_points(report)]
    series = [
        (severity, f"sev-{severity}", [open_count(point.get("findings"), severity) for point in trend_points(report)])
        for severity in reversed(SEVERITIES)
    ]
    out.append(f"<p>{e(words)}.</p>")
    out.append(_line_chart("chart-trend", "Open findings by severity, per run", labels, series))
    out.append(_html_table(TREND_COLUMNS, rows, "trend", filterable=False))
    return out


def _html_life_cycle(report):
    """The findings by state, the trend, and the new, overdue and resolved findings (format 5 and later)."""
    if not has_life_cycle(report):
        return []
    out = ["<h3>Findings by state</h3>", f'<p id="life-cycle">{e(life_cycle_words(report))}.</p>']
    out.append(_html_table(STATE_HEADERS, state_rows(report), "findings-by-state", filterable=False))
    out += _html_trend(report)
    new = new_rows(report)
    out.append(f'<h2>New findings (<span id="new-total">{e(len(new))}</span>)</h2>')
    if report["summary"]["findings"].get("since") is None and new:
        out.append("<p>All of them: this is the first audit of this scope (see Violations).</p>")
    else:
        out.append(_html_table(NEW_HEADERS, new, "findings-new") if new else "<p>None.</p>")
    for kind, title, headers, rows in (
        ("overdue", "Overdue findings", OVERDUE_HEADERS, overdue_rows(report)),
        ("resolved", "Resolved findings", RESOLVED_HEADERS, resolved_rows(report)),
    ):
        out.append(f'<h2>{e(title)} (<span id="{kind}-total">{e(len(rows))}</span>)</h2>')
        out.append(_html_table(headers, rows, f"findings-{kind}") if rows else "<p>None.</p>")
    return out


def to_html(report):
    """The report as one self-contained HTML page: counts as inline-SVG bar charts, the violations, the
    changes and every account, each table with a filter box and sortable columns when script runs. Every
    value is escaped; the page reads in full without script and allows none but its own."""
    stream = io.StringIO()
    write(report, stream)
    return stream.getvalue()


def write(report, stream):
    """Write the report as HTML (:func:`to_html`) to the text stream ``stream``, a section at a time."""
    summary = report["summary"]
    source = report["source"]
    out = Lines(
        stream,
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            "<title>Amazon Chime account audit</title>",
            f"<style>{_STYLE}</style></head><body>",
            "<h1>Amazon Chime account audit</h1>",
            f'<p>Generated <time id="generated-at">{e(report.get("generated_at"))}</time>. '
            f'<span id="total">{e(summary.get("total", 0))}</span> accounts in AWS account(s) '
            f"{e(', '.join(source['aws_accounts']) or 'none')}.</p>",
        ],
    )
    if source.get("caller"):
        version = e(source.get("collection_version"))
        out.append(f'<p>Listed as <code id="caller">{e(source["caller"])}</code>, with chime.admin {version}.</p>')
    if source.get("scope"):
        out.append(f'<p id="scope">Scope: {e(describe(source["scope"]))}.</p>')
    if source["filters"]["name"]:
        out.append(f"<p>Names starting with: {e(source['filters']['name'])}.</p>")
    if source["filters"]["user_email"]:
        out.append("<p>Filtered by one user's e-mail address (not recorded).</p>")
    provenance = provenance_words(source.get("policy"))
    if provenance:
        out.append(f'<p id="policy">Policy: {e(provenance)}.</p>')
    out.append("<h2>Summary</h2>")
    for key, title in COUNTS:
        if key in summary:
            out += [f"<h3>{e(title)}</h3>", _bar_chart(f"chart-{key}", title, dict(sorted(summary[key].items())))]
    by_rule = summary["violations"]["by_rule"]
    chart = _bar_chart("chart-violations", "Violations by rule", by_rule, "bar violation")
    out += ["<h3>Violations by rule</h3>", chart]
    out.append(_html_table(["Rule", "Severity", "Violations"], rule_rows(report), "rules", filterable=False))
    out.append("<h3>Violations by severity</h3>")
    out.append(_html_table(["Severity", "Violations"], severity_rows(report), "severities", filterable=False))
    fail_severity = (source.get("policy") or {}).get("fail_severity", "informational")
    out.append(
        f'<p>Failing the job: <span id="failing">{e(summary["violations"].get("failing", 0))}</span> at or above'
        f' {e(fail_severity)}. Waived: <span id="waived-total">{e(summary["violations"].get("waived", 0))}</span>.</p>'
    )
    if summary["violations"].get("not_checked"):
        out.append(f'<p id="not-checked">Not checked: {e(", ".join(summary["violations"]["not_checked"]))}.</p>')
    out += _html_life_cycle(report)
    out.append(f'<h2>Violations (<span id="violation-total">{e(summary["violations"]["total"])}</span>)</h2>')
    if report["violations"]:
        out.append(_html_table(VIOLATION_HEADERS, violation_rows(report), "violations"))
    else:
        out.append("<p>None.</p>")
    if report.get("waived"):
        out.append(f"<h2>Waived findings ({e(len(report['waived']))})</h2>")
        out.append(_html_table(WAIVED_HEADERS, waived_rows(report), "waived"))
    for kind, title in WAIVER_KINDS:
        entries = (report.get("waivers") or {}).get(kind)
        if entries:
            out.append(f"<h2>{e(title)} ({e(len(entries))})</h2>")
            out.append(_html_table(WAIVER_HEADERS, waiver_rows(entries), f"waivers-{kind}"))
    if report.get("aws_accounts"):
        out.append("<h2>AWS accounts</h2>")
        out.append(_html_table(AWS_ACCOUNT_HEADERS, aws_account_rows(report), "aws-accounts"))
    changes = report.get("changes")
    if changes is not None:
        out.append("<h2>Changes since the baseline</h2>")
        out.append(f"<p>Baseline generated {e(changes.get('baseline_generated_at') or 'at an unknown time')}.</p>")
        out += [f'<p class="baseline-note">{e(note)}.</p>' for note in baseline_notes(changes)]
        for kind in ("added", "removed"):
            rows = change_rows(changes, kind)
            out.append(f"<h3>{kind.capitalize()} ({len(rows)})</h3>")
            out.append(_html_table(CHANGE_HEADERS, rows, f"changes-{kind}"))
        out.append(f"<h3>Changed ({len(changes['changed'])})</h3>")
        out.append(_html_table(CHANGED_HEADERS, changed_rows(changes), "changes-changed"))
        rows = change_rows(changes, "not_compared")
        if rows:
            out.append(f"<h3>Not compared: their AWS account was not listed ({len(rows)})</h3>")
            out.append(_html_table(CHANGE_HEADERS, rows, "changes-not-compared"))
    out.append(f"<h2>Accounts ({e(len(report['accounts']))})</h2>")
    headers = ["AWS account", "Account ID", "Name", "Type", "Status", "Default license", "Licenses", "Created"]
    headers.append("Sign-in delegate groups")
    rows = [
        (
            a.get("aws_account_id"),
            a.get("account_id"),
            a.get("name"),
            a.get("account_type"),
            a.get("account_status"),
            a.get("default_license"),
            reader_text(a.get("supported_licenses")),
            a.get("created_timestamp"),
            reader_text(a.get("signin_delegate_groups")),
        )
        for a in report["accounts"]
    ]
    out.append(_html_table(headers, rows, "accounts"))
    out.append(f"<script>{_SCRIPT}</script>")
    out.append("</body></html>")
