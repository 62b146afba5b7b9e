# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks under docs/examples run as documented, against the fake endpoint."""

import pytest

from e2e.playbooks import run_example
from fake_chime.data import audit_sample
from fake_chime.server import FakeChime
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


@pytest.mark.parametrize("violations", [False, True], ids=["compliant", "violating"])
def test_compliance_example_passes_compliant_accounts_and_names_the_others(tmp_path, violations):
    server = FakeChime().start()
    data = audit_sample(120, seed=5, aws_account_id=TENANT, violations=violations)
    try:
        server.add_tenant(data, ACCESS_KEY, SECRET_KEY)
        credentials = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
        completed = run_example("compliance.yml", server.url, tmp_path / "unused", credentials)[0]
    finally:
        server.stop()
    output = completed.stdout + completed.stderr
    if not violations:
        assert completed.returncode == 0, output
        assert "120 accounts comply" in output
        return
    # The first failing check stops the play, naming every suspended account and no other.
    assert completed.returncode != 0
    suspended = [a["Name"] for a in data.accounts if a["AccountStatus"] == "Suspended"]
    assert len(suspended) == 2 and f"Suspended: {', '.join(suspended)}" in output
    assert "Every default license is allowed" not in output
