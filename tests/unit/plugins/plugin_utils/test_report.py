# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the audit report (_report.py) and its Markdown and HTML renderings (_format_markdown.py,
_format_html.py).

A private plugin_utils module ``_<name>.py`` is tested in ``test_<name>.py``, its name without the underscore.
"""

import base64
import copy
import csv
import hashlib
import html.parser
import io
import json
import re

import cmarkgfm
import pytest

from ansible_collections.chime.admin.plugins.plugin_utils import _escape as esc
from ansible_collections.chime.admin.plugins.plugin_utils import _format_html as fhtml
from ansible_collections.chime.admin.plugins.plugin_utils import _format_json as fjson
from ansible_collections.chime.admin.plugins.plugin_utils import _format_markdown as fmd
from ansible_collections.chime.admin.plugins.plugin_utils import _formats as formats
from ansible_collections.chime.admin.plugins.plugin_utils import _policy_file as pfile
from ansible_collections.chime.admin.plugins.plugin_utils import _report as rp
from ansible_collections.chime.admin.plugins.plugin_utils import _report_rows as rows
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
from ansible_collections.chime.admin.tests.unit.plugins.plugin_utils.accounts import account as _account

HOSTILE = "<img src=x onerror=alert(1)>"


def _listing(accounts, **extra):
    summary = {"total": len(accounts), "by_status": {}, "by_type": {}, "by_default_license": {}}
    for account in accounts:
        for key, field in (("by_status", "account_status"), ("by_type", "account_type")):
            summary[key][account[field]] = summary[key].get(account[field], 0) + 1
        summary["by_default_license"][account["default_license"]] = (
            summary["by_default_license"].get(account["default_license"], 0) + 1
        )
    return dict({"changed": False, "accounts": accounts, "summary": summary}, **extra)


ACCOUNTS = [_account(1), _account(2, account_status="Suspended", name=HOSTILE), _account(3, name="=1+1")]
RULES = {"no_suspended_accounts": True, "name_pattern": "^Engineering"}


def test_report_keys_order_summary_and_source():
    report = rp.build_report(_listing(ACCOUNTS), RULES, generated_at="2026-11-29T08:00:00Z", filters={"name": "E"})
    assert list(report) == [
        "report_format", "generated_at", "source", "summary", "accounts", "violations", "waived", "resolved",
        "waivers", "changes", "comparison_base", "trend",
    ]  # fmt: skip
    policy = report["source"].pop("policy")
    assert report["source"] == {
        "caller": None,
        "aws_accounts": ["111122223333"],
        "filters": {"name": "E", "user_email": False},
        "scope": None,  # no caller: no scope can be told
        "collection_version": rp.COLLECTION_VERSION,
    }
    assert (policy["name"], policy["version"], policy["fail_severity"]) == (
        "chime.admin account audit", None, "informational",
    )  # fmt: skip
    assert {rule: entry["setting"] for rule, entry in policy["rules"].items()} == {
        "allowed_aws_account_ids": "not checked",
        "allowed_account_types": "not checked",
        "allowed_default_licenses": "not checked",
        "no_suspended_accounts": True,
        "enterprise_signin_delegate_groups": "not checked",
        "name_pattern": "^Engineering",
    }
    assert {rule: entry["severity"] for rule, entry in policy["rules"].items()} == {
        "allowed_aws_account_ids": "high",
        "allowed_account_types": "medium",
        "allowed_default_licenses": "low",
        "no_suspended_accounts": "medium",
        "enterprise_signin_delegate_groups": "high",
        "name_pattern": "low",
    }
    assert all(entry["kind"] == "built-in" and entry["description"] and entry["remediation"]
               for entry in policy["rules"].values())  # fmt: skip
    report["source"]["policy"] = policy
    # Only the rules checked have a count; the others are named as not checked, never counted as 0.
    assert report["summary"]["violations"] == {
        "total": 3,
        "failing": 3,
        "waived": 0,
        "by_rule": {"no_suspended_accounts": 1, "name_pattern": 2},
        "by_severity": {"critical": 0, "high": 0, "medium": 1, "low": 2, "informational": 0},
        "not_checked": ["allowed_aws_account_ids", "allowed_account_types", "allowed_default_licenses",
                        "enterprise_signin_delegate_groups"],
    }  # fmt: skip
    assert report["summary"]["waivers"] == {"active": 0, "expired": 0, "unused": 0, "expiring": 0}
    assert report["waived"] == [] and report["waivers"] == {"unused": [], "expiring": [], "expired": []}
    assert {v["severity"] for v in report["violations"]} == {"medium", "low"}
    markdown, page = fmd.to_markdown(report), fhtml.to_html(report)
    assert "| allowed\\_account\\_types | medium | not checked |" in markdown
    assert "Not checked: allowed_aws_account_ids, allowed_account_types" in page
    assert "changes" not in report["summary"] and report["changes"] is None


def test_the_report_copies_the_callers_accounts_and_leaves_the_listing_as_it_was():
    """The report holds the listing's accounts as a plain copy, read once (``plain()``): not the caller's
    list or dicts, which a later change by the caller (or by the renderings) would otherwise reach, and the
    caller's listing, summary included, is not changed by building the report."""
    listing = _listing(copy.deepcopy(ACCOUNTS))
    before = copy.deepcopy(listing)
    report = rp.build_report(listing, RULES, baseline=ACCOUNTS[:1])
    assert report["accounts"] == ACCOUNTS
    assert report["accounts"] is not listing["accounts"]
    assert not [a for a, given in zip(report["accounts"], listing["accounts"], strict=True) if a is given]
    assert report["summary"] is not listing["summary"]
    assert listing == before


def test_user_email_filter_is_recorded_as_set_only():
    report = rp.build_report(_listing(ACCOUNTS[:1]), filters={"user_email": "someone@example.com"})
    assert report["source"]["filters"]["user_email"] is True
    assert "someone@example.com" not in repr(report) + fmd.to_markdown(report) + fhtml.to_html(report)


def test_aws_accounts_kept_and_only_listed_ones_are_the_source():
    aws = [
        {"aws_account_id": "111122223333", "role_arn": None, "status": "listed", "accounts": 3},
        {"aws_account_id": "444455556666", "role_arn": "arn:aws:iam::444455556666:role/A", "status": "denied",
         "accounts": 0, "message": "STS AssumeRole ... AccessDenied"},
    ]  # fmt: skip
    report = rp.build_report(_listing(ACCOUNTS, aws_accounts=aws))
    assert list(report)[-4:] == ["aws_accounts", "changes", "comparison_base", "trend"]
    assert report["aws_accounts"] == aws
    assert report["source"]["aws_accounts"] == ["111122223333"]
    assert "444455556666" in fmd.to_markdown(report) and "AccessDenied" in fhtml.to_html(report)


def test_baseline_changes_from_a_report_or_a_list():
    before = rp.build_report(_listing(ACCOUNTS), generated_at="2026-10-01T00:00:00Z")
    now = [ACCOUNTS[0], _account(3, name="=1+1", default_license="Basic"), _account(4)]
    report = rp.build_report(_listing(now), baseline=before)
    assert report["summary"]["changes"] == {"added": 1, "removed": 1, "changed": 1, "not_compared": 0}
    assert report["changes"]["baseline_generated_at"] == "2026-10-01T00:00:00Z"
    assert report["changes"]["changed"][0]["fields"] == {"default_license": {"before": "Pro", "after": "Basic"}}
    assert rp.build_report(_listing(now), baseline=ACCOUNTS)["changes"]["removed"] == [ACCOUNTS[1]]


def test_the_caller_is_the_audited_aws_account_even_without_chime_accounts():
    caller = "arn:aws:sts::444455556666:assumed-role/Audit/job"
    report = rp.build_report(_listing([]), caller=caller)
    assert report["source"]["caller"] == caller and report["source"]["aws_accounts"] == ["444455556666"]
    assert f"Listed as {caller}" in fmd.to_markdown(report) and f'<code id="caller">{caller}</code>' in fhtml.to_html(
        report
    )
    assert f"Listed as: {caller}" in rp.summary_lines(report)


def test_accounts_of_an_aws_account_not_listed_are_not_compared_rather_than_removed():
    before = rp.build_report(_listing(ACCOUNTS + [_account(9, aws_account_id="444455556666")]))
    aws = [
        {"aws_account_id": "111122223333", "role_arn": None, "status": "listed", "accounts": 2},
        {"aws_account_id": "444455556666", "role_arn": "arn:aws:iam::444455556666:role/A", "status": "denied",
         "accounts": 0, "message": "refused"},
    ]  # fmt: skip
    report = rp.build_report(_listing(ACCOUNTS[:2], aws_accounts=aws), baseline=before)
    assert report["summary"]["changes"] == {"added": 0, "removed": 1, "changed": 0, "not_compared": 1}
    assert [a["account_id"] for a in report["changes"]["removed"]] == [ACCOUNTS[2]["account_id"]]
    assert [a["aws_account_id"] for a in report["changes"]["not_compared"]] == ["444455556666"]
    assert "1 not compared (their AWS account was not listed)" in rp.summary_lines(report)[-1]
    assert 'id="changes-not-compared"' in fhtml.to_html(report) and "### Not compared" in fmd.to_markdown(report)


def test_reordered_lists_are_not_changes():
    groups = [{"group_name": "a"}, {"group_name": "b"}]
    before = [_account(1, supported_licenses=["Basic", "Pro"], signin_delegate_groups=groups)]
    now = [_account(1, supported_licenses=["Pro", "Basic"], signin_delegate_groups=groups[::-1])]
    assert rp.build_report(_listing(now), baseline=before)["changes"]["changed"] == []
    now[0]["supported_licenses"] = ["Pro"]
    assert [c["fields"] for c in rp.build_report(_listing(now), baseline=before)["changes"]["changed"]] == [
        {"supported_licenses": {"before": ["Basic", "Pro"], "after": ["Pro"]}}
    ]


@pytest.mark.parametrize("listing", [None, [], {"summary": {}}, {"accounts": "x"}])
def test_a_listing_of_the_wrong_shape_is_refused(listing):
    with pytest.raises(rp.ReportError, match="chime_account_info"):
        rp.build_report(listing)


@pytest.mark.parametrize("baseline", [{"accounts": "x"}, {"no": "accounts"}, "text", [1, 2]])
def test_a_baseline_of_the_wrong_shape_is_refused(baseline):
    with pytest.raises(rp.ReportError, match="baseline"):
        rp.build_report(_listing(ACCOUNTS), baseline=baseline)


@pytest.mark.parametrize(
    "value,expected",
    [
        (HOSTILE, "&lt;img src=x onerror=alert(1)&gt;"),
        ("a|b", "a\\|b"),
        ("*bold* _it_ `code` [link](x)", "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x)"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. item", "1\\. item"),
        ("line\nbreak", "line break"),
        ("Zürich & Co", "Zürich &amp; Co"),
        (None, ""),
        ("see https://evil.example/x", "see https\\://evil.example/x"),
        ("www.evil.example", "www\\.evil.example"),
        ("ceo@corp.example", "ceo@<!-- -->corp.example"),
        ("arn:aws:sts::444455556666:assumed-role/A", "arn:aws:sts::444455556666:assumed-role/A"),
    ],
)
def test_markdown_escaping(value, expected):
    assert esc.md(value) == expected


def test_markdown_sections():
    before = rp.build_report(_listing(ACCOUNTS))
    text = fmd.to_markdown(rp.build_report(_listing(ACCOUNTS[:2] + [_account(5)]), RULES, baseline=before))
    assert HOSTILE not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    for heading in ("## Summary", "### Violations by rule", "## Violations", "## Suspended accounts", "### Added"):
        assert heading in text
    assert "| no\\_suspended\\_accounts | medium | 1 |" in text and "| id-5 |" in text.split("### Added")[1]
    # Every table row has as many cells as its header.
    for block in re.findall(r"((?:^\|.*\|\n)+)", text, re.M):
        rows = block.strip().split("\n")
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in rows}) == 1, block


class _Collector(html.parser.HTMLParser):
    """Tags and text of a page, as a browser's parser sees them."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []
        self.inline, self.within = {"script": [], "style": []}, None  # the text of each script and style element

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.inline:
            self.inline[tag].append("")
            self.within = tag

    def handle_endtag(self, tag):
        self.within = None

    def handle_data(self, data):
        self.text.append(data)
        if self.within:
            self.inline[self.within][-1] += data


def _parse(page):
    parser = _Collector()
    parser.feed(page)
    parser.close()
    return parser


def _csp(parser):
    (meta,) = [a for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    return dict(directive.strip().split(" ", 1) for directive in meta["content"].split(";"))


def test_html_escapes_every_value_and_runs_only_its_own_script():
    listing = _listing(ACCOUNTS)
    listing["summary"]["by_type"] = {'"><script>x</script>': 3}
    parser = _parse(fhtml.to_html(rp.build_report(listing, RULES, generated_at="<b>now</b>")))
    tags = {tag for tag, _attrs in parser.tags}
    assert not tags & {"img", "b", "link", "iframe", "object"}
    assert not [attrs for _tag, attrs in parser.tags if any(name.startswith("on") for name in attrs)]
    assert not [attrs for _tag, attrs in parser.tags if "src" in attrs or "href" in attrs]
    text = "".join(parser.text)
    assert HOSTILE in text and "<b>now</b>" in text and '"><script>x</script>' in text
    # One script, the same whatever the report holds.
    empty = _parse(fhtml.to_html(rp.build_report(_listing([]))))
    assert len(parser.inline["script"]) == 1 and parser.inline["script"] == empty.inline["script"]
    assert _csp(parser)["default-src"] == "'none'"


def test_html_csp_allows_its_script_and_style_by_hash_and_nothing_inline():
    page = fhtml.to_html(rp.build_report(_listing(ACCOUNTS), RULES))
    parser = _parse(page)
    csp = _csp(parser)
    assert set(csp) == {"default-src", "script-src", "style-src"} and csp["default-src"] == "'none'"
    assert not [value for value in csp.values() if "unsafe" in value]  # no 'unsafe-inline', -eval or -hashes
    for tag in ("script", "style"):
        (body,) = parser.inline[tag]
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        assert csp[f"{tag}-src"] == f"'sha256-{digest}'"
    assert not [attrs for _tag, attrs in parser.tags if "style" in attrs]  # no hash allows a style attribute


def test_html_script_writes_text_only():
    (script,) = _parse(fhtml.to_html(rp.build_report(_listing(ACCOUNTS), RULES))).inline["script"]
    assert "textContent" in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function(", "src"):
        assert sink not in script


def test_html_data_tables_are_marked_for_the_script_and_cells_classed_by_header_or_word_length():
    accounts = [*ACCOUNTS, _account(4, name="N" * 100)]
    listing = _listing(accounts, aws_accounts=[{"aws_account_id": "111122223333", "status": "listed", "accounts": 4}])
    report = rp.build_report(listing, RULES, baseline=ACCOUNTS[:1])
    page = fhtml.to_html(report)
    parser = _parse(page)
    tables = [attrs for tag, attrs in parser.tags if tag == "table"]
    assert {t["id"] for t in tables} >= {"violations", "aws-accounts", "accounts", "changes-added", "changes-changed"}
    summaries = ("rules", "severities", "findings-by-state")  # a row per rule or severity: nothing to filter or sort
    assert all(("data-filterable" in t) == (t["id"] not in summaries) for t in tables)
    classes = [attrs.get("class") for tag, attrs in parser.tags if tag == "td"]
    # The count of Chime accounts, the violations of each rule (6) and of each severity (5), each violation's age
    # in days, and the findings of each severity (5) in each state (5). A list of accounts as the baseline holds no
    # findings: every one is new, and not listed again as such.
    assert report["summary"]["findings"]["since"] is None and "findings-new" not in page
    assert classes.count("n") == 1 + len(rp.RULES) + 5 + len(report["violations"]) + 5 * 5
    # The AWS account of the AWS accounts table; the AWS account and the account ID of every other row.
    assert classes.count("id") == 1 + 2 * (len(report["violations"]) + len(report["changes"]["added"]) + 4)
    # Only a word longer than any timestamp may break anywhere: the long name, as an account, added and violating.
    # And the rules table's enterprise_signin_delegate_groups, 33 characters.
    assert re.findall(r'<td class="w">([^<]*)</td>', page) == ["enterprise_signin_delegate_groups"] + ["N" * 100] * 3


def test_html_chart_bars_scale_with_counts():
    report = rp.build_report(_listing(ACCOUNTS), RULES)
    page = fhtml.to_html(report)
    chart = re.search(r'<svg id="chart-by_status".*?</svg>', page, re.S).group(0)
    entries = re.findall(
        r'data-label="([^"]*)" data-count="(\d+)".*?<rect class="bar" x="\d+" y="\d+" width="(\d+)"', chart
    )
    assert [(label, int(count)) for label, count, _width in entries] == [("Active", 2), ("Suspended", 1)]
    assert [int(width) for *_rest, width in entries] == [320, 160]


def test_violation_lines():
    violations = rp.build_report(_listing(ACCOUNTS * 10), RULES)["violations"]
    lines = rp.violation_lines(violations, 2)
    assert lines[0] == "30 violation(s) (no_suspended_accounts: 10, name_pattern: 20)"
    assert lines[1].startswith("[medium] " + HOSTILE + " (account id-2, AWS account 111122223333): ")
    assert len(lines) == 4 and lines[-1] == "and 28 more, in the reports"
    assert rp.violation_lines([], 20) == ["0 violation(s)"]
    assert rp.violation_lines(violations, 0) == [lines[0], "and 30 more, in the reports"]


def test_summary_lines_name_no_account_but_every_aws_account_not_listed():
    aws = [
        {"aws_account_id": "111122223333", "role_arn": None, "status": "listed", "accounts": 3},
        {"aws_account_id": "444455556666", "role_arn": None, "status": "skipped", "accounts": 0, "message": "Skipped."},
    ]
    before = rp.build_report(_listing(ACCOUNTS[:1]))
    lines = rp.summary_lines(rp.build_report(_listing(ACCOUNTS, aws_accounts=aws), RULES, baseline=before))
    assert lines == [
        "Accounts: 3 in AWS account(s) 111122223333",
        "Policy: chime.admin account audit, from the variables",
        "Accounts by status: Active: 2, Suspended: 1",
        "Accounts by type: Team: 3",
        "Accounts by default license: Pro: 3",
        "Violations: 3 (medium: 1, low: 2)",
        "Findings: 3 new, 0 open, 0 waived, 0 resolved since the baseline",
        "Rules not checked: allowed_aws_account_ids, allowed_account_types, allowed_default_licenses,"
        " enterprise_signin_delegate_groups",
        "Not listed: AWS account 444455556666 (skipped): Skipped.",
        "Changes since the baseline: 2 added, 0 removed, 0 changed",
    ]
    assert not [line for line in lines if any(a["name"] in line or a["account_id"] in line for a in ACCOUNTS)]


def test_render_gives_each_format_asked_for_from_one_plain_copy():
    report = rp.build_report(_listing(ACCOUNTS), RULES, generated_at="t")
    texts = formats.render(report, ["html", "json"])
    assert list(texts) == ["json", "html"]
    assert texts["html"] == fhtml.to_html(report)
    assert json.loads(texts["json"]) == report and texts["json"].endswith("}\n")
    assert list(json.loads(texts["json"])) == list(report)  # the keys in the report's order
    everything = formats.render(report)
    assert everything["markdown"] == fmd.to_markdown(report) and everything["csv"].startswith('"aws_account_id",')
    with pytest.raises(rp.ReportError, match="unknown format.s. pdf"):
        formats.render(report, ["json", "pdf"])


def test_plain_copies_mappings_and_sequences():
    class Lazy(dict):
        """Stands for a container that does work on every read."""

    value = Lazy(a=[Lazy(b=1), (2, 3)], c="text")
    copy = rp.plain(value)
    assert copy == {"a": [{"b": 1}, [2, 3]], "c": "text"}
    assert not isinstance(copy, Lazy) and not isinstance(copy["a"][0], Lazy) and isinstance(copy["a"][1], list)


def test_control_and_bidirectional_characters_show_as_escapes_in_every_text_output():
    name = "\x1b[2K\x1b[1Gok: [localhost] \u202eevil\u2028x\ud800"
    report = rp.build_report(_listing([_account(1, name=name)]), {"name_pattern": "^Engineering"})
    lines = rp.violation_lines(report["violations"], 5)
    for text in (fmd.to_markdown(report), fhtml.to_html(report), "\n".join(lines)):
        assert "\x1b" not in text and "\u202e" not in text and "\u2028" not in text and "\ud800" not in text
        assert "u001b" in text and "u202eevil" in text
    assert esc.visible("Zürich 東京 café") == "Zürich 東京 café"  # printable text is left as it is


INVISIBLE = [
    *map(chr, range(0x20)),
    *map(chr, range(0x7F, 0xA0)),  # DEL and the C1 controls
    *map(chr, range(0x202A, 0x202F)),  # bidirectional embeddings and overrides
    *map(chr, range(0x2066, 0x206A)),  # bidirectional isolates
    "\u200e",
    "\u200f",
    "\u061c",  # left-to-right, right-to-left and Arabic letter marks
    "\u2028",
    "\u2029",
]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_visible_escapes_every_control_and_bidirectional_character(char):
    assert esc.visible(f"a{char}b") == f"a\\u{ord(char):04x}b"


# What a terminal acts on or reorders: C0 controls but the line feed, DEL, C1 controls, bidirectional marks,
# embeddings, overrides and isolates, and the line and paragraph separators.
SHOWS_WRONG = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
HOSTILE_NAMES = [
    "\x1b[2K\x1b[1Gok: [localhost] \x1b[32mgreen",
    "\x9b2J\x9d0;title\x07 C1 \x85 next line",
    "\u202eevil\u202c \u2066isolated\u2069 \u200e\u200f\u061c marks \u202a\u202b\u202d",
    "nul\x00 bel\x07 del\x7f tab\t cr\r lf\n ls\u2028 ps\u2029",
]


def test_no_rendering_holds_a_control_or_bidirectional_character_for_hostile_names():
    """``cat`` of any report shows hostile names as text: no format holds the characters themselves."""
    groups = [{"group_name": name} for name in HOSTILE_NAMES]
    hostile = [
        _account(n, name=name, account_type=name, account_status="Suspended", signin_delegate_groups=groups)
        for n, name in enumerate(HOSTILE_NAMES)
    ]
    aws = [{"aws_account_id": "111122223333", "role_arn": None, "status": "denied", "accounts": 0,
            "message": HOSTILE_NAMES[0]}]  # fmt: skip
    baseline = [dict(a, name="before " + a["name"]) for a in hostile]
    rules = {"no_suspended_accounts": True, "allowed_account_types": ["Team"]}
    report = rp.build_report(_listing(hostile, aws_accounts=aws), rules, baseline=baseline, generated_at="t")
    texts = formats.render(report)
    for fmt, text in texts.items():
        decoded = text.encode("utf-8").decode("utf-8")
        if fmt in ("csv", "findings_csv"):  # a line per account, or per finding, after the header
            decoded = decoded.replace("\r\n", "\n")
            rows = report["accounts"] if fmt == "csv" else report["violations"] + report["waived"]
            assert decoded.count("\n") == len(rows) + 1
        assert not SHOWS_WRONG.findall(decoded), fmt
        assert "u001b" in decoded and "u202e" in decoded, fmt
    assert json.loads(texts["json"]) == report  # escaped in the text, the same data


def test_json_escapes_invisible_characters_and_parses_to_the_same_data():
    report = {"name": "a\x85b\u202ec\u2066d\u200fe\u2028f\x7fg\U000e0001h\ud800i Zürich 東京", "ü\u202e": ["\x9b"]}
    text = fjson.to_json(report)
    assert json.loads(text) == report
    assert text.isascii() is False and "Zürich 東京" in text  # printable text is written as it is
    for escape in ("\\u0085", "\\u202e", "\\u2066", "\\u200f", "\\u2028", "\\u007f", "\\udb40\\udc01", "\\ud800"):
        assert escape in text
    assert not SHOWS_WRONG.findall(text.replace("\n", "")) and "\U000e0001" not in text
    text.encode("utf-8")  # a lone surrogate is escaped, so the text encodes


def test_the_markdown_total_is_escaped():
    listing = _listing(ACCOUNTS)
    listing["summary"]["total"] = HOSTILE
    text = fmd.to_markdown(rp.build_report(listing))
    assert HOSTILE not in text and "&lt;img src=x onerror=alert(1)&gt; accounts in" in text


class _Rendered(html.parser.HTMLParser):
    """The elements and text nodes of the HTML a Markdown renderer made."""

    def __init__(self):
        super().__init__()
        self.tags, self.nodes, self.open = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data):
        self.nodes.append((data, set(self.open)))


# GitHub's @mention pattern, as its renderer applies it to each text node outside links and code.
MENTION = re.compile(r"(?:^|\W)@[a-z0-9][a-z0-9-]*", re.IGNORECASE)
LINK_BAIT = [
    "see https://evil.example/x",
    "www.evil.example",
    "ceo@corp.example",
    "@admins",
    "javascript:alert(1)",
    "[x](https://e)",
    "<https://e>",
    "ftp://evil.example/x",
    "HTTPS://EVIL.EXAMPLE",
    "mailto:ceo@corp.example",
    "xmpp:ceo@corp.example",
    "(www.evil.example)",
    "*www.evil.example*",
    "_ceo@corp.example_",
    "ping @admins, @org/team",
    "http\\://evil.example",
]


def _gfm(markdown):
    """``markdown`` as GitHub renders it: cmark-gfm with its autolink (and table) extension."""
    rendered = _Rendered()
    rendered.feed(cmarkgfm.markdown_to_html_with_extensions(markdown, extensions=["autolink", "table"]))
    return rendered


@pytest.mark.parametrize("name", LINK_BAIT)
def test_gfm_makes_no_link_or_mention_of_a_name(name):
    rendered = _gfm(esc.md(name))
    assert "a" not in rendered.tags
    assert [text for text, _open in rendered.nodes if MENTION.search(text)] == []
    assert "".join(text for text, _open in rendered.nodes).strip() == name  # the name reads as it is


def test_gfm_makes_no_link_or_mention_in_a_whole_report():
    accounts = [_account(n, name=name, account_status="Suspended") for n, name in enumerate(LINK_BAIT)]
    report = rp.build_report(_listing(accounts), RULES, caller="arn:aws:sts::111122223333:assumed-role/A/ceo@corp")
    rendered = _gfm(fmd.to_markdown(report))
    assert "table" in rendered.tags and "a" not in rendered.tags
    assert [text for text, _open in rendered.nodes if MENTION.search(text)] == []
    cells = [text for text, open_tags in rendered.nodes if "td" in open_tags]
    assert all("".join(cells).count(name) >= 2 for name in LINK_BAIT)  # among the violations and the suspended


def test_a_lone_surrogate_is_replaced_and_named_and_every_format_renders():
    """botocore's JSON parser gives a lone surrogate for an unpaired ``\\ud800``: the report holds U+FFFD in its
    place, says where it was (never the value), and every format is written as UTF-8."""
    accounts = [
        _account(1),
        _account(2, name="x\ud800y", signin_delegate_groups=[{"group_name": "\udfff"}]),
        _account(3, account_type="Te\udc00am"),
    ]
    aws = [{"aws_account_id": "111122223333", "role_arn": None, "status": "listed", "accounts": 3, "message": "\ud800"}]
    listing = _listing(accounts, aws_accounts=aws)
    report = rp.build_report(listing, RULES, generated_at="t")
    assert report["source"]["replaced_characters"] == [
        {"aws_account_id": None, "account_id": None, "field": "summary.by_type"},
        {"aws_account_id": "111122223333", "account_id": "id-2", "field": "name"},
        {"aws_account_id": "111122223333", "account_id": "id-2", "field": "signin_delegate_groups"},
        {"aws_account_id": "111122223333", "account_id": "id-3", "field": "account_type"},
        {"aws_account_id": "111122223333", "account_id": None, "field": "aws_accounts.message"},
    ]
    assert report["accounts"][1]["name"] == "x\ufffdy" and report["violations"][0]["name"] == "x\ufffdy"
    assert report["accounts"][1]["signin_delegate_groups"] == [{"group_name": "\ufffd"}]
    assert report["summary"]["by_type"] == {"Team": 2, "Te\ufffdam": 1} and listing["accounts"][1]["name"] == "x\ud800y"
    for fmt, text in formats.render(report).items():
        encoded = text.encode("utf-8")  # strict: a lone surrogate would raise
        assert "x\ufffdy" in encoded.decode("utf-8"), fmt
    assert (
        json.loads(fjson.to_json(report)) == report
        and "x\ufffdy" in json.loads(fjson.to_json(report))["accounts"][1]["name"]
    )


def test_the_csv_format_writes_the_findings_in_a_file_of_their_own():
    """csv makes two files: the accounts, and the open violations then the waived findings, each with its
    severity, status and waiver."""
    waivers = [{"rule": "no_suspended_accounts", "account_id": "id-2", "reason": "closing", "expires": "2999-01-01",
                "owner": "=team", "ticket": "CHG-9"}]  # fmt: skip
    policy = rp.Policy(RULES, waivers=waivers)
    report = rp.build_report(_listing(ACCOUNTS), generated_at="2026-12-01T00:00:00+00:00", policy=policy)
    texts = formats.render(report, ["csv"])
    assert list(texts) == ["csv", "findings_csv"]
    rows = list(csv.DictReader(io.StringIO(texts["findings_csv"])))
    assert len(rows) == len(report["violations"]) + len(report["waived"]) == 3
    assert [(r["rule"], r["severity"], r["status"]) for r in rows] == [
        ("name_pattern", "low", "open"), ("name_pattern", "low", "open"), ("no_suspended_accounts", "medium", "waived"),
    ]  # fmt: skip
    waived = rows[-1]
    assert (waived["waiver_reason"], waived["waiver_expires"], waived["waiver_state"]) == (
        "closing",
        "2999-01-01",
        "active",
    )
    assert waived["waiver_owner"] == "'=team"  # formula-safe, as every cell


def test_the_findings_csv_has_each_findings_life_cycle_and_the_resolved_ones_as_rows():
    """Two runs a week apart: the second's findings CSV has each finding's state, first_seen, age and deadline,
    and a row for the finding the second run resolved."""
    first = json.loads(
        fjson.to_json(rp.build_report(_listing(ACCOUNTS), RULES, generated_at="2026-11-29T08:00:00+00:00"))
    )
    fixed = [dict(ACCOUNTS[0]), dict(ACCOUNTS[1], account_status="Active"), dict(ACCOUNTS[2])]
    policy = rp.Policy(RULES, sla_days={"low": 3})
    second = rp.build_report(_listing(fixed), baseline=first, generated_at="2026-12-06T08:00:00+00:00", policy=policy)
    assert second["resolved"]
    rows = list(csv.DictReader(io.StringIO(formats.render(second, ["csv"])["findings_csv"], newline="")))
    findings = second["violations"] + second["waived"] + second["resolved"]
    assert len(rows) == len(findings)
    columns = ("rule", "account_id", "status", "state", "first_seen", "age_days", "due", "overdue_days",
               "resolved_at", "resolved_reason")  # fmt: skip
    expected = [
        (f["rule"], f["account_id"])
        + ("resolved" if f["state"] == "resolved" else "open", f["state"], f["first_seen"], str(f["age_days"]),
           f.get("due") or "", str(f.get("overdue_days") or ""), f.get("resolved_at") or "",
           f.get("resolved_reason") or "")
        for f in findings
    ]  # fmt: skip
    assert [tuple(row[c] for c in columns) for row in rows] == expected
    assert ("no_suspended_accounts", "id-2", "resolved", "resolved", "2026-11-29T08:00:00+00:00", "7", "", "",
            "2026-12-06T08:00:00+00:00", "no longer violates") in expected  # fmt: skip
    assert any(row["overdue_days"] == "4" and row["due"] == "2026-12-02" for row in rows)


# ----- Drift through an incomplete run ------------------------------------------------------------
SCOPE = {"scope_format": 1, "partition": "aws", "caller_account": "111122223333", "aws_accounts": "caller",
         "role_arns": None, "organization_role_name": None, "names": [], "user_email": False}  # fmt: skip
DENIED = [{"aws_account_id": "111122223333", "role_arn": None, "status": "denied", "accounts": 0, "message": "no"}]


def _run(accounts, at, baseline=None, aws_accounts=None):
    """A report as the action writes it, through JSON (what the next run reads back)."""
    listing = _listing(accounts, **({"aws_accounts": aws_accounts} if aws_accounts else {}))
    report = rp.build_report(listing, RULES, baseline, at, scope=SCOPE)
    return json.loads(fjson.to_json(report))


def _carried(finding):
    """A finding as a comparison_base carries it: what it was, and when it was first and last seen."""
    keys = ("aws_account_id", "account_id", "name", "rule", "severity", "detail", "waiver", "uid", "first_seen")
    return {**{key: finding[key] for key in keys}, "last_seen": finding["last_seen"]}


def test_a_complete_run_carries_nothing_and_an_incomplete_one_carries_what_it_compared_with():
    first = _run(ACCOUNTS, "2026-11-01T00:00:00+00:00")
    assert first["comparison_base"] is None and first["source"]["scope"] == SCOPE
    second = _run([], "2026-11-08T00:00:00+00:00", first, DENIED)
    assert second["summary"]["changes"] == {"added": 0, "removed": 0, "changed": 0, "not_compared": 3}
    assert second["comparison_base"] == {
        "scope_digest": rp.scope_digest(SCOPE),
        "aws_accounts": [{"aws_account_id": "111122223333", "generated_at": "2026-11-01T00:00:00+00:00",
                          "accounts": first["accounts"], "findings": [_carried(f) for f in first["violations"]]}],
    }  # fmt: skip


def test_a_deletion_and_a_suspension_behind_an_incomplete_run_are_reported():
    first = _run(ACCOUNTS, "2026-11-01T00:00:00+00:00")
    second = _run([], "2026-11-08T00:00:00+00:00", first, DENIED)
    # Meanwhile id-2 was deleted and id-3 suspended.
    third = _run([ACCOUNTS[0], dict(ACCOUNTS[2], account_status="Suspended")], "2026-11-15T00:00:00+00:00", second)
    assert third["summary"]["changes"] == {"added": 0, "removed": 1, "changed": 1, "not_compared": 0}
    assert [a["account_id"] for a in third["changes"]["removed"]] == ["id-2"]
    assert third["changes"]["changed"][0]["fields"] == {"account_status": {"before": "Active", "after": "Suspended"}}
    assert third["changes"]["compared_earlier"] == [
        {"aws_account_id": "111122223333", "generated_at": "2026-11-01T00:00:00+00:00"}
    ]
    note = "Baseline was incomplete; compared with the last complete run of 2026-11-01T00:00:00+00:00"
    assert any(line.startswith(note) for line in rp.summary_lines(third))
    assert note in fmd.to_markdown(third).replace("\\", "") and note in fhtml.to_html(third)
    assert third["comparison_base"] is None  # complete again: the chain ends


def test_a_chain_of_incomplete_runs_carries_the_same_last_complete_run_forward():
    first = _run(ACCOUNTS, "2026-11-01T00:00:00+00:00")
    report = first
    for day in ("08", "15", "22"):
        report = _run([], f"2026-11-{day}T00:00:00+00:00", report, DENIED)
        (carried,) = report["comparison_base"]["aws_accounts"]
        assert carried["generated_at"] == "2026-11-01T00:00:00+00:00" and carried["accounts"] == first["accounts"]
    last = _run(ACCOUNTS[:2], "2026-11-29T00:00:00+00:00", report)
    assert [a["account_id"] for a in last["changes"]["removed"]] == ["id-3"]


def test_only_the_unlisted_aws_account_reaches_back_across_aws_accounts():
    other = [_account(9, aws_account_id="444455556666"), _account(10, aws_account_id="444455556666")]
    both = [{"aws_account_id": "111122223333", "role_arn": None, "status": "listed", "accounts": 3},
            {"aws_account_id": "444455556666", "role_arn": "arn:aws:iam::444455556666:role/A", "status": "listed",
             "accounts": 2}]  # fmt: skip
    one_denied = [both[0], dict(both[1], status="failed", accounts=0, message="x")]
    first = _run(ACCOUNTS + other, "2026-11-01T00:00:00+00:00", aws_accounts=both)
    second = _run(ACCOUNTS[:2], "2026-11-08T00:00:00+00:00", first, one_denied)  # id-3 removed: reported now
    assert [a["account_id"] for a in second["changes"]["removed"]] == ["id-3"]
    third = _run(ACCOUNTS[:2] + other[:1], "2026-11-15T00:00:00+00:00", second, both)
    # id-3 is not reported twice; id-10, gone while its AWS account was not listed, is.
    assert [a["account_id"] for a in third["changes"]["removed"]] == ["id-10"]
    assert third["changes"]["compared_earlier"] == [
        {"aws_account_id": "444455556666", "generated_at": "2026-11-01T00:00:00+00:00"}
    ]


def test_an_older_incomplete_baseline_with_nothing_to_reach_back_to_says_so():
    older = {"report_format": 3, "generated_at": "2026-11-08T00:00:00+00:00", "accounts": [],
             "source": {"caller": "arn:aws:sts::111122223333:assumed-role/A/b", "aws_accounts": [],
                        "filters": {"name": None, "user_email": False}},
             "aws_accounts": DENIED}  # fmt: skip
    report = _run(ACCOUNTS, "2026-11-15T00:00:00+00:00", older)
    assert report["summary"]["changes"] == {"added": 0, "removed": 0, "changed": 0, "not_compared": 3}
    assert report["changes"]["baseline_unlisted"] == ["111122223333"]
    line = "Baseline was incomplete and holds no earlier listing of AWS account(s) 111122223333"
    assert any(entry.startswith(line) for entry in rp.summary_lines(report))


@pytest.mark.parametrize(
    "base,message",
    [
        ({"aws_accounts": "x"}, "must hold a list of aws_accounts"),
        ({"aws_accounts": [{"aws_account_id": 1, "accounts": []}]}, "must have an aws_account_id and accounts"),
        ({"aws_accounts": [{"aws_account_id": "111122223333", "accounts": [_account(1, aws_account_id="9" * 12)]}]},
         "holds another AWS account's"),
        ({"scope_digest": "0" * 64, "aws_accounts": []}, "of another scope than the baseline itself"),
    ],
    ids=["not-a-list", "no-id", "other-aws-account", "other-scope"],
)  # fmt: skip
def test_a_malformed_comparison_base_is_refused(base, message):
    baseline = _run([], "2026-11-08T00:00:00+00:00", None, DENIED)
    baseline["comparison_base"] = dict({"scope_digest": rp.scope_digest(SCOPE)}, **base)
    with pytest.raises(rp.ReportError, match=message):
        rp.comparison_base(baseline)


# Hostile to a browser, a Markdown viewer and a terminal at once: a tag, an OSC title escape, a bidirectional
# override and a C1 control (CSI).
EVERYWHERE = "<img src=x onerror=alert(1)>\x1b]0;t\x07\u202e\x9b"


def test_every_value_that_reaches_a_report_is_escaped_in_every_format_and_the_summary():
    """Not only account names: the name filter, the caller, the policy's name, version and file, a custom rule's
    texts, waiver reasons, owners and tickets, the service's account types, licenses and groups, an AWS
    account's message, and a baseline's generated_at and accounts."""
    h = EVERYWHERE
    hostile = _account(1, name=h + "a", account_type=h, default_license=h, account_status="Suspended",
                       signin_delegate_groups=[{"group_name": h}])  # fmt: skip
    listing = _listing([hostile, _account(2)])
    listing["aws_accounts"] = [
        {"aws_account_id": "111122223333", "role_arn": None, "status": "listed", "accounts": 2},
        {"aws_account_id": "444455556666", "role_arn": None, "status": "denied", "accounts": 0, "message": h},
    ]
    custom = {
        "id": "r",
        "description": h,
        "remediation": h,
        "severity": "low",
        "require": {"key": "name", "op": "absent"},
    }
    waivers = [
        {"rule": "r", "name_glob": "*", "reason": h, "owner": h, "ticket": h, "expires": "2999-12-31"},
        {"rule": "no_suspended_accounts", "account_id": "id-1", "reason": h, "owner": h, "expires": "2000-01-01"},
        {"rule": "no_suspended_accounts", "name": h, "reason": h, "ticket": h, "expires": "2999-01-01"},
    ]
    file_policy = {"name": h, "version": h, "rules": {"no_suspended_accounts": True}, "custom_rules": [custom]}
    policy = pfile.combine({"waivers": waivers}, file_policy, h)
    baseline = {"generated_at": h, "accounts": [_account(9, name=h, account_type=h, default_license=h)]}
    caller = f"arn:aws:iam::111122223333:user/{h}"
    report = rp.build_report(listing, None, baseline, "2026-11-29T08:00:00+00:00", {"name": h}, caller, policy=policy)
    texts = formats.render(report, formats.FORMATS)
    texts["summary"] = "\n".join(rp.summary_lines(report) + rp.violation_lines(report["violations"]))
    assert set(texts) == {"json", "csv", "findings_csv", "markdown", "html", "ocsf", "asff", "summary"}
    for fmt, text in texts.items():
        assert not SHOWS_WRONG.findall(text.replace("\r\n", "\n")), fmt
        assert "u202e" in text, fmt
    for fmt in ("markdown", "html"):  # every value shown as text, none as a tag
        assert "<img" not in texts[fmt], fmt
    page = texts["html"]
    shown = "&lt;img src=x onerror=alert(1)&gt;"
    assert f"<p>Names starting with: {shown}" in page  # the name filter
    assert f'<code id="caller">arn:aws:iam::111122223333:user/{shown}' in page
    assert f'<p id="policy">Policy: {shown}' in page and f"from the policy file {shown}" in page
    assert f"<p>Baseline generated {shown}" in page
    assert f"Names starting with: {esc.md(h)}." in texts["markdown"]
    for line in rp.summary_lines(report):
        assert line == esc.visible(line), line  # nothing left to make visible
    assert json.loads(texts["json"]) == report  # escaped in the text, the same data


# ----- The findings' life cycle and the trend (report format 5) -----------------------------------
H = EVERYWHERE + "|*_[x](y)`"  # a tag, terminal controls, a bidirectional override, Markdown syntax


def _life_cycle_report(trend=()):
    """A report of format 5 made by hand, as the life cycle writes it, with a hostile string in every cell
    a finding or a trend point can bring: names, details, rules, reasons, dates, run folders."""
    report = rp.build_report(_listing(ACCOUNTS), RULES, generated_at="2026-12-07T08:00:00+00:00")
    report = copy.deepcopy(report)
    new, overdue, still = report["violations"]
    new.update(name=H + "new", detail=H + "d1", state="new", first_seen="2026-12-07T08:00:00+00:00", age_days=0,
               due="2026-12-14", overdue_days=None)  # fmt: skip
    overdue.update(name=H + "late", state="open", first_seen="2026-11-01T08:00:00+00:00", age_days=36,
                   due="2026-11-08", overdue_days=29)  # fmt: skip
    still.update(rule=H + "rule", state="open", first_seen=H + "when", age_days=6, due=None, overdue_days=None)
    waived = dict(still, name=H + "waived", state="waived", due=None, overdue_days=None, age_days=3,
                  first_seen="2026-12-04T08:00:00+00:00",
                  waiver={"reason": H + "reason", "owner": H, "ticket": H, "expires": "2999-01-01"})  # fmt: skip
    report["waived"] = [waived]
    report["resolved"] = [
        {"aws_account_id": "111122223333", "account_id": "id-9", "name": H + "fixed", "rule": "name_pattern",
         "severity": "high", "detail": H + "d9", "waiver": None, "uid": "0" * 64, "state": "resolved",
         "first_seen": "2026-11-20T08:00:00+00:00", "last_seen": "2026-11-30T08:00:00+00:00",
         "resolved_at": "2026-12-07T08:00:00+00:00", "resolved_reason": H + "account removed", "age_days": 17},
    ]  # fmt: skip
    by_severity = {s: dict.fromkeys(("new", "open", "overdue", "waived", "resolved"), 0) for s in SEVERITIES}
    by_severity["medium"].update(new=1)
    by_severity["low"].update(open=2, overdue=1, waived=1)
    by_severity["high"].update(resolved=1)
    totals = {"new": 1, "open": 2, "overdue": 1, "waived": 1, "resolved": 1, "not_compared": 0}
    report["summary"]["findings"] = {"since": "2026-11-30T08:00:00+00:00", **totals, "by_severity": by_severity}
    report["trend"] = None if trend is None else list(trend)
    return report


def _point(when, folder, **open_by_severity):
    counts = {s: {"new": 0, "open": open_by_severity.get(s, 0), "overdue": 0, "waived": 0, "resolved": 0}
              for s in SEVERITIES}  # fmt: skip
    findings = {"since": None, "new": 0, "open": sum(open_by_severity.values()), "overdue": 1, "waived": 2,
                "resolved": 3, "not_compared": 0, "by_severity": counts}  # fmt: skip
    return {"generated_at": when, "run_folder": folder, "findings": findings}


def _md_rows(text, heading):
    """The cells of the table under ``heading`` (a Markdown heading line), the header row first."""
    section = text.split(heading + "\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.split("\n") if line.startswith("|") and not line.startswith("|---")]
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]


def test_markdown_shows_new_overdue_and_resolved_findings_with_their_dates_and_ages():
    text = fmd.to_markdown(_life_cycle_report())
    new = _md_rows(text, "## New findings")
    assert new[0] == ["AWS account", "Account ID", "Name", "Rule", "Severity", "Detail", "First seen", "Age (days)",
                      "Due"]  # fmt: skip
    assert new[1][2] == esc.md(H + "new") and new[1][6:] == ["2026-12-07", "0", "2026-12-14"]
    overdue = _md_rows(text, "## Overdue findings")
    assert overdue[0][-5:] == ["State", "First seen", "Age (days)", "Due", "Overdue by (days)"]
    assert [row[2] for row in overdue[1:]] == [esc.md(H + "late")]
    assert overdue[1][-5:] == ["open", "2026-11-01", "36", "2026-11-08", "29"]
    resolved = _md_rows(text, "## Resolved findings")
    assert resolved[0][-5:] == ["First seen", "Last seen", "Resolved at", "Age (days)", "Reason"]
    assert resolved[1][-5:] == ["2026-11-20", "2026-11-30", "2026-12-07", "17", esc.md(H + "account removed")]
    violations = _md_rows(text, "## Violations")
    assert violations[0][-3:] == ["State", "First seen", "Age (days)"]
    # A first_seen that is no timestamp is shown as it is, escaped.
    lives = [["new", "2026-12-07", "0"], ["open", "2026-11-01", "36"], ["open", esc.md(H + "when"), "6"]]
    assert [row[-3:] for row in violations[1:]] == lives
    waived = _md_rows(text, "## Waived findings")
    assert waived[0][-3:] == ["State", "First seen", "Age (days)"] and waived[1][-3:] == ["waived", "2026-12-04", "3"]
    states = _md_rows(text, "### Findings by state")
    assert states[0] == ["Severity", "New", "Open", "Overdue", "Waived", "Resolved"]
    assert states[1:] == [[s, *(str(v) for v in _life_cycle_report()["summary"]["findings"]["by_severity"][s].values())]
                          for s in reversed(SEVERITIES)]  # fmt: skip
    assert "Compared with the baseline of 2026-11-30T08:00:00+00:00." in text
    for block in re.findall(r"((?:^\|.*\|\n)+)", text, re.M):  # every row as many cells as its header
        assert len({len(re.findall(r"(?<!\\)\|", row)) for row in block.strip().split("\n")}) == 1, block
    assert "<img" not in text and not SHOWS_WRONG.findall(text)


def test_a_first_audit_does_not_repeat_every_violation_as_new():
    report = _life_cycle_report()
    report["summary"]["findings"]["since"] = None
    text, page = fmd.to_markdown(report), fhtml.to_html(report)
    assert "All 1: this is the first audit of this scope (see Violations)." in text
    assert "First audit of this scope (no baseline)" in text and 'id="findings-new"' not in page


def test_html_life_cycle_tables_are_filterable_sortable_and_escaped():
    page = fhtml.to_html(_life_cycle_report())
    parser = _parse(page)
    tables = {attrs["id"]: attrs for tag, attrs in parser.tags if tag == "table"}
    for name in ("findings-new", "findings-overdue", "findings-resolved", "violations", "waived"):
        assert "data-filterable" in tables[name], name
    assert "data-filterable" not in tables["findings-by-state"]
    assert not {tag for tag, _attrs in parser.tags} & {"img", "a", "b"} and "<img" not in page
    assert not SHOWS_WRONG.findall(page)
    text = "".join(parser.text)
    for value in ("new", "late", "fixed", "waived", "d1", "d9", "reason", "account removed", "rule", "when"):
        assert esc.visible(H + value) in text, value
    # The ages and days overdue are right-aligned numbers: the page's script sorts them as numbers.
    section = page.split('id="findings-overdue"')[1].split("</table>")[0]
    assert re.findall(r'<td class="n">(\d+)</td>', section) == ["36", "29"]
    assert '<span id="overdue-total">1</span>' in page and '<span id="resolved-total">1</span>' in page


def test_a_report_of_an_older_format_still_renders_without_a_life_cycle():
    report = rp.build_report(_listing(ACCOUNTS), RULES, generated_at="2026-12-07T08:00:00+00:00")
    for finding in report["violations"]:
        for key in ("uid", "state", "first_seen", "last_seen", "age_days", "due", "overdue_days"):
            finding.pop(key, None)
    report["summary"].pop("findings", None)
    report.pop("resolved", None)
    report.pop("trend", None)
    text, page = fmd.to_markdown(report), fhtml.to_html(report)
    for heading in ("New findings", "Overdue findings", "Resolved findings", "Trend", "Findings by state"):
        assert heading not in text and heading not in page, heading
    violations = _md_rows(text, "## Violations")
    assert violations[0][-3:] == ["State", "First seen", "Age (days)"]
    assert all(row[-3:] == ["", "", ""] for row in violations[1:]) and len(violations) == 4


def test_without_s3_history_both_reports_say_there_is_no_trend():
    report = _life_cycle_report(trend=None)
    assert f"## Trend\n\n{esc.md(rows.NO_TREND)}." in fmd.to_markdown(report)
    page = fhtml.to_html(report)
    assert f'<p id="trend-none">{esc.e(rows.NO_TREND)}.</p>' in page and "chart-trend" not in page
    empty = _life_cycle_report(trend=[])
    assert esc.md(rows.EMPTY_TREND) in fmd.to_markdown(empty) and esc.e(rows.EMPTY_TREND) in fhtml.to_html(empty)


def test_the_trend_is_a_line_per_severity_with_a_point_per_run_and_a_table_of_the_same_counts():
    folders = [f"s3://b/{H}/2026120{n}T080000Z-0000000{n}/" for n in range(1, 4)]
    points = [
        _point("2026-12-01T08:00:00+00:00", folders[0], high=4, low=1),
        _point("2026-12-02T08:00:00+00:00", folders[1], high=2, low=3, critical=1),
        _point(H, folders[2], high=0, low=5),
    ]
    points[1]["findings"]["by_severity"]["medium"]["new"] = 7  # new and open are drawn together
    points[2]["findings"]["by_severity"]["informational"]["open"] = "many"  # not a count: no point, no cell
    report = _life_cycle_report(trend=points)
    page = fhtml.to_html(report)
    chart = re.search(r'<svg id="chart-trend".*?</svg>', page, re.S).group(0)
    drawn = {}
    for series, run, count in re.findall(r'<circle [^>]*data-series="([^"]*)" data-run="([^"]*)" data-count="(\d+)"',
                                         chart):  # fmt: skip
        drawn.setdefault(series, []).append((run, int(count)))
    runs = ["2026-12-01", "2026-12-02", esc.e(H)]
    assert drawn == {
        "critical": list(zip(runs, [0, 1, 0], strict=True)),
        "high": list(zip(runs, [4, 2, 0], strict=True)),
        "medium": list(zip(runs, [0, 7, 0], strict=True)),
        "low": list(zip(runs, [1, 3, 5], strict=True)),
        "informational": list(zip(runs[:2], [0, 0], strict=True)),
    }
    assert chart.count("<polyline") == 5 and "<img" not in chart
    # The highest count is at the top of the plot, a zero on its axis.
    ys = {int(c): float(y) for y, c in re.findall(r'cy="([\d.]+)" r="4" [^>]*data-count="(\d+)"', chart)}
    assert ys[7] < ys[5] < ys[1] < ys[0]
    parser = _parse(page)
    (svg,) = [attrs for tag, attrs in parser.tags if tag == "svg" and attrs.get("id") == "chart-trend"]
    assert svg["role"] == "img" and svg["aria-label"]
    assert not [attrs for _tag, attrs in parser.tags if "href" in attrs or "src" in attrs or "style" in attrs]
    assert _csp(parser)["default-src"] == "'none'"
    text = fmd.to_markdown(report)
    table = _md_rows(text, "## Trend")
    assert table[0] == ["Generated at", "Run folder", "critical", "high", "medium", "low", "informational", "Overdue",
                        "Waived", "Resolved"]  # fmt: skip
    assert [row[2:7] for row in table[1:]] == [["0", "4", "0", "1", "0"], ["1", "2", "7", "3", "0"],
                                               ["0", "0", "0", "5", ""]]  # fmt: skip
    assert [row[1] for row in table[1:]] == [esc.md(folder) for folder in folders]
    assert table[3][0] == esc.md(H) and all(row[7:] == ["1", "2", "3"] for row in table[1:])
    html_rows = re.findall(r"<tr>(.*?)</tr>", page.split('id="trend"')[1].split("</table>")[0])
    assert len(html_rows) == 1 + 3 and esc.e(folders[0]) in html_rows[1]
    for fmt, rendered in (("markdown", text), ("html", page)):
        assert "<img" not in rendered and not SHOWS_WRONG.findall(rendered), fmt
