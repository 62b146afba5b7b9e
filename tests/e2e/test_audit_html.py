# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The HTML report of the account_audit role, opened in a real browser: Debian's chromium (make test
installs it) driven by Playwright."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import sync_playwright

from fake_chime.data import AUDIT_VIOLATORS
from fake_chime.data import FORMULA_NAME
from fake_chime.data import HOSTILE_NAME
from fake_chime.data import audit_sample
from fake_chime.server import FakeChime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TENANT, KEY, SECRET = "777788889999", "AKIAHTMLREPORTKEY001", "html-report-secret"


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
    assert seen["console"] == [] and seen["errors"] == [] and seen["dialogs"] == []
    assert seen["requests"] == [path.as_uri()]  # self-contained: nothing else is fetched
    assert page.evaluate("document.scripts.length") == 0


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
    dest = reports[0]
    page = open_report(browser, dest / "chime-account-audit.html", javascript=False)[0]
    assert page.locator("#accounts tbody tr").count() == 299
    assert page.locator("svg#chart-by_status g.entry").count() > 0
