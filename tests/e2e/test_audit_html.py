# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report of the account_audit role, opened in a real browser: Debian's chromium (make test
installs it) driven by Playwright."""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright

from fake_chime.data import AUDIT_VIOLATORS
from fake_chime.data import FORMULA_NAME
from fake_chime.data import HOSTILE_NAME
from fake_chime.data import audit_sample
from fake_chime.server import FakeChime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TENANT, KEY, SECRET = "777788889999", "AKIAHTMLREPORTKEY001", "html-report-secret"
# 100 characters without a space, as a compliant name and as one that breaks the name pattern; a pattern whose
# every violation has a detail of some 350 characters, most of them one word.
WIDE_NAME = ("Engineering" * 10)[:100]
WIDE_VIOLATOR = ("Finance+" + "Operations" * 10)[:100]
WIDE_PATTERN = "^(?:" + "|".join(f"Team{n:03d}" for n in range(40)) + r")?[\pL\pN_ .'-]+$"
NUMBER_NAMES = {5: "9", 6: "100", 7: "10"}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """docs/examples/audit.yml run once against the audit sample, with a baseline from an earlier run
    so that the report has changes: (the report directory, the JSON report)."""
    dest = tmp_path_factory.mktemp("html") / "reports"
    server = FakeChime().start()
    data = audit_sample(300, seed=11, aws_account_id=TENANT)
    try:
        server.add_tenant(data, KEY, SECRET)
        run_audit(server.url, dest)
        data.accounts.pop(100)
        data.accounts[101]["AccountStatus"] = "Suspended"
        server.add_tenant(data, KEY, SECRET)
        run_audit(server.url, dest, f"account_audit_baseline={dest}/chime-account-audit.json")
    finally:
        server.stop()
    return dest, json.loads((dest / "chime-account-audit.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wide_report(tmp_path_factory):
    """docs/examples/audit.yml run once, with WIDE_PATTERN as its only rule, over 31 accounts among which
    WIDE_NAME, WIDE_VIOLATOR and the NUMBER_NAMES: the HTML report's path and the JSON report."""
    dest = tmp_path_factory.mktemp("wide") / "reports"
    data = audit_sample(31, seed=12, aws_account_id=TENANT, violations=False)
    data.accounts[3]["Name"], data.accounts[4]["Name"] = WIDE_NAME, WIDE_VIOLATOR
    for index, name in NUMBER_NAMES.items():
        data.accounts[index]["Name"] = name
    server = FakeChime().start()
    try:
        server.add_tenant(data, KEY, SECRET)
        run_audit(server.url, dest, json.dumps({"account_audit_rules": {"name_pattern": WIDE_PATTERN}}))
    finally:
        server.stop()
    report = json.loads((dest / "chime-account-audit.json").read_text(encoding="utf-8"))
    return dest / "chime-account-audit.html", report


def run_audit(url, dest, *extra):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local"]
    command += ["-e", f"ansible_python_interpreter={sys.executable}", "-e", f"account_audit_endpoint_url={url}"]
    command += ["-e", f"account_audit_dest={dest}", "-e", "account_audit_fail_on_violation=false"]
    for item in extra:
        command += ["-e", item]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_CONFIG_FILE=os.devnull, AWS_ENDPOINT_URL_STS=url
    )
    env.update(AWS_SHARED_CREDENTIALS_FILE=os.devnull, ANSIBLE_NOCOLOR="1")
    command.append(os.path.join(ROOT, "docs", "examples", "audit.yml"))
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: make test installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield browser
        browser.close()


def open_report(browser, path, javascript=True):
    """Open the report; return the page and what happened: console messages, page errors, dialogs, requests."""
    page = browser.new_context(java_script_enabled=javascript).new_page()
    seen = {"console": [], "errors": [], "dialogs": [], "requests": []}
    page.on("console", lambda message: seen["console"].append((message.type, message.text)))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: seen["requests"].append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, seen


def test_loads_without_errors_or_external_requests(reports, browser):
    dest = reports[0]
    path = dest / "chime-account-audit.html"
    page, seen = open_report(browser, path)
    assert page.evaluate("document.scripts.length") == 1
    # The filters and the sorting, used, log nothing and fetch nothing either.
    page.locator("#accounts-filter").fill("Suspended")
    page.locator("#violations th").nth(2).get_by_role("button").click()
    expect(page.locator("#violations th").nth(2)).to_have_attribute("aria-sort", "ascending")
    suspended = [a for a in reports[1]["accounts"] if a["account_status"] == "Suspended"]
    _wait_for_count(page, "accounts", f"{len(suspended)} of 299 rows")
    assert seen["console"] == [] and seen["errors"] == [] and seen["dialogs"] == []
    assert seen["requests"] == [path.as_uri()]  # self-contained: nothing else is fetched


def _wait_for_count(page, table, text):
    """Wait until the row count of ``table`` reads ``text``: the filter runs a moment after the last keystroke."""
    shown = "([id, text]) => document.getElementById(id).textContent === text"
    page.wait_for_function(shown, arg=[f"{table}-count", text], polling="raf", timeout=5000)


def _hash_source(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def test_csp_allows_the_inline_script_and_style_by_their_hashes_only(wide_report, browser):
    page = open_report(browser, wide_report[0])[0]
    metas = page.locator('meta[http-equiv="Content-Security-Policy"]')
    assert metas.count() == 1
    policy = metas.get_attribute("content")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {
        "default-src": "'none'",
        "script-src": _hash_source(page.evaluate("document.scripts[0].textContent")),
        "style-src": _hash_source(page.evaluate("document.querySelector('style').textContent")),
    }
    assert "unsafe" not in policy and page.locator("style").count() == 1 and page.locator("[style]").count() == 0
    # The browser ran the script by its hash: each table with rows has its controls.
    assert page.locator(".table-tools").count() == page.locator("table[data-filterable]").count() == 2


def test_the_filter_narrows_the_rows_and_says_how_many(reports, browser):
    report = reports[1]
    page = open_report(browser, reports[0] / "chime-account-audit.html")[0]
    rows = page.locator("#accounts tbody tr:visible")
    _wait_for_count(page, "accounts", "299 of 299 rows")
    page.locator("#accounts-filter").fill(report["accounts"][50]["account_id"].upper())  # case does not matter
    _wait_for_count(page, "accounts", "1 of 299 rows")
    assert rows.count() == 1 and report["accounts"][50]["account_id"] in rows.inner_text()
    suspended = [a for a in report["accounts"] if a["account_status"] == "Suspended"]
    page.locator("#accounts-filter").fill("suspended")
    _wait_for_count(page, "accounts", f"{len(suspended)} of 299 rows")
    assert rows.locator("td:nth-child(2)").all_inner_texts() == [a["account_id"] for a in suspended]
    page.locator("#accounts-filter").fill("")
    _wait_for_count(page, "accounts", "299 of 299 rows")
    assert rows.count() == 299
    # Each table has its own filter.
    page.locator("#violations-filter").fill("name_pattern")
    _wait_for_count(page, "violations", "2 of 7 rows")
    assert page.locator("#violations tbody tr:visible").count() == 2


def _column(page, table, index):
    """The text of a column's cells, in the order of the rows, hidden ones included."""
    return page.locator(f"#{table} tbody tr").evaluate_all(
        "(rows, i) => rows.map(tr => tr.cells[i].textContent)", index
    )


def _sort(page, table, index, direction):
    header = page.locator(f"#{table} thead th").nth(index)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", direction)
    assert page.locator(f"#{table} thead th[aria-sort]").count() == 1


def test_sorting_orders_the_rows_both_ways_stably_and_numbers_numerically(wide_report, browser):
    path, report = wide_report
    page = open_report(browser, path)[0]
    before = _column(page, "accounts", 2)
    _sort(page, "accounts", 2, "ascending")
    ascending = _column(page, "accounts", 2)
    collated = (
        "ns => ns.every((n, i) => !i || new Intl.Collator(undefined, {numeric: true}).compare(ns[i - 1], n) <= 0)"
    )
    assert ascending != before and sorted(ascending) == sorted(before) and page.evaluate(collated, ascending)
    assert [n for n in ascending if n in NUMBER_NAMES.values()] == ["9", "10", "100"]  # not 10, 100, 9
    _sort(page, "accounts", 2, "descending")
    descending = _column(page, "accounts", 2)
    assert descending == ascending[::-1]  # the names are distinct
    # Stable: sorted by type, the accounts of one type keep the order of their names, in both directions.
    type_of = {a["name"]: a["account_type"] for a in report["accounts"]}
    for direction in ("ascending", "descending"):
        _sort(page, "accounts", 3, direction)
        types, names = _column(page, "accounts", 3), _column(page, "accounts", 2)
        groups = list(dict.fromkeys(types))
        assert groups == sorted(groups, reverse=direction == "descending") and len(groups) == 4  # ASCII words
        assert types == [kind for kind in groups for t in types if t == kind]
        for kind in groups:
            assert [n for n in names if type_of[n] == kind] == [n for n in descending if type_of[n] == kind]


def test_a_hostile_name_typed_into_the_filter_or_shown_through_it_stays_text(reports, browser):
    page, seen = open_report(browser, reports[0] / "chime-account-audit.html")
    elements = page.evaluate("document.getElementsByTagName('*').length")
    box = page.locator("#accounts-filter")
    box.press_sequentially(HOSTILE_NAME)
    _wait_for_count(page, "accounts", "1 of 299 rows")
    assert box.input_value() == HOSTILE_NAME
    assert page.locator("#accounts tbody tr:visible td:nth-child(3)").all_inner_texts() == [HOSTILE_NAME]
    page.locator("#violations-filter").fill(HOSTILE_NAME)
    _wait_for_count(page, "violations", "1 of 7 rows")
    typed = '"><script>alert(2)</script><b>bold</b>'
    box.fill(typed)
    _wait_for_count(page, "accounts", "0 of 299 rows")
    assert box.input_value() == typed
    assert page.evaluate("document.getElementsByTagName('*').length") == elements  # nothing was parsed as markup
    assert page.locator("img, b").count() == 0 and page.evaluate("document.scripts.length") == 1
    assert seen["dialogs"] == [] and seen["errors"] == [] and seen["console"] == []


def test_chart_and_tables_show_the_counts(reports, browser):
    dest, report = reports
    page = open_report(browser, dest / "chime-account-audit.html")[0]
    summary = report["summary"]
    for key in ("by_status", "by_type", "by_default_license"):
        entries = page.locator(f"svg#chart-{key} g.entry")
        shown = {
            entries.nth(i).get_attribute("data-label"): entries.nth(i).get_attribute("data-count")
            for i in range(entries.count())
        }
        assert shown == {label: str(count) for label, count in summary[key].items()}
        # Each bar's label and count are drawn as text, and the longest bar belongs to the largest count.
        texts = entries.locator("text").all_text_contents()
        assert texts == [t for label, count in sorted(summary[key].items()) for t in (label, str(count))]
        widths = [float(w) for w in entries.locator("rect").evaluate_all("rs => rs.map(r => r.getBBox().width)")]
        biggest = max(summary[key].values())
        assert [w == max(widths) for w in widths] == [c == biggest for _label, c in sorted(summary[key].items())]
    violations = page.locator("svg#chart-violations g.entry")
    assert {
        violations.nth(i).get_attribute("data-label"): int(violations.nth(i).get_attribute("data-count"))
        for i in range(violations.count())
    } == summary["violations"]["by_rule"]
    assert page.locator("#accounts tbody tr").count() == len(report["accounts"]) == summary["total"] == 299
    assert page.locator("#violations tbody tr").count() == len(AUDIT_VIOLATORS) + 1  # and the newly suspended one
    assert page.locator("#total").inner_text() == "299"
    assert page.locator("#changes-removed tbody tr").count() == 1
    assert page.locator("#changes-changed tbody tr").count() == 1


def test_hostile_names_show_as_text_and_run_nothing(reports, browser):
    dest = reports[0]
    page, seen = open_report(browser, dest / "chime-account-audit.html")
    assert page.locator("img").count() == 0 and seen["dialogs"] == [] and seen["errors"] == []
    cells = page.locator("#accounts td").all_inner_texts()
    assert HOSTILE_NAME in cells and FORMULA_NAME in cells
    assert HOSTILE_NAME in page.locator("#violations td").all_inner_texts()


def test_reads_without_javascript(reports, browser):
    dest, report = reports
    page = open_report(browser, dest / "chime-account-audit.html", javascript=False)[0]
    assert page.locator("#accounts tbody tr:visible").count() == 299
    assert _column(page, "accounts", 1) == [a["account_id"] for a in report["accounts"]]
    assert page.locator("svg#chart-by_status g.entry").count() > 0
    # No control that would do nothing: no filter box, no count, no sort button.
    assert page.locator("input, button, output, .table-tools, th[aria-sort]").count() == 0
    assert page.locator("#accounts thead th").all_inner_texts()[:3] == ["AWS account", "Account ID", "Name"]


def test_fits_a_1280_pixel_window_with_long_names_and_details(wide_report, browser):
    path, report = wide_report
    (violation,) = report["violations"]
    assert violation["name"] == WIDE_VIOLATOR and len(violation["detail"]) > 350
    # With the script's controls, the widest the page gets. Playwright's window: 1280 by 720 pixels.
    page = open_report(browser, path)[0]
    root = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    assert page.evaluate(root) == [1280, 1280]  # nothing to scroll sideways
    # Every table ends within the window, and every cell shows its whole text within its column.
    for table in ("violations", "accounts"):
        assert page.locator(f"#{table}").evaluate("t => t.getBoundingClientRect().right") <= 1280
    cut = "cells => cells.filter(td => td.scrollWidth > td.clientWidth).map(td => td.textContent)"
    assert page.locator("td").evaluate_all(cut) == []
    shown = page.locator("#violations td").all_inner_texts()
    assert WIDE_VIOLATOR in shown and violation["detail"] in shown and WIDE_NAME in _column(page, "accounts", 2)


def test_print_shows_every_row_and_no_control(wide_report, browser):
    page = open_report(browser, wide_report[0])[0]
    page.locator("#accounts-filter").fill("EnterpriseOIDC")
    oidc = [a for a in wide_report[1]["accounts"] if a["account_type"] == "EnterpriseOIDC"]
    _wait_for_count(page, "accounts", f"{len(oidc)} of 31 rows")
    page.emulate_media(media="print")
    assert page.locator(".table-tools").count() == 2 and page.locator(".table-tools:visible").count() == 0
    assert page.locator("#accounts tbody tr:visible").count() == 31  # the whole table, whatever the filter
    style = "(e, p) => getComputedStyle(e)[p]"
    assert page.locator("#accounts tbody tr").first.evaluate(style, "breakInside") == "avoid"
    fills = {page.locator(f"svg {css}").first.evaluate(style, "fill") for css in (".bar", ".bar.violation")}
    assert len(fills) == 1  # no meaning in colour alone
    page.emulate_media(media="screen")
    assert page.locator(".table-tools:visible").count() == 2
    assert page.locator("#accounts tbody tr:visible").count() < 31
