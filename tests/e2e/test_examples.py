# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks under docs/examples run as documented, against the fake endpoint."""

from e2e.conftest import run_example
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT


def test_report_example_counts_and_names_suspended_accounts(fake, tmp_path):
    credentials = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    completed, text = run_example("report.yml", fake.url, tmp_path / "report.md", credentials)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    accounts = fake.tenants[TENANT].data.accounts
    suspended = [a["Name"] for a in accounts if a.get("AccountStatus") == "Suspended"]
    assert f"{len(accounts)} accounts in AWS account(s) {TENANT}." in text
    assert f"- Suspended: {len(suspended)}" in text
    assert all(f"- {name} (" in text for name in suspended)
    assert f"- Team: {sum(a.get('AccountType') == 'Team' for a in accounts)}" in text
