# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The playbooks under docs/examples run as documented, against the fake endpoint."""

import os
import subprocess
import sys

from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_report_example_counts_and_names_suspended_accounts(fake, tmp_path):
    report = tmp_path / "report.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, AWS_CONFIG_FILE=os.devnull)
    command = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "-i", "localhost,", "-c", "local",
        "-e", f"ansible_python_interpreter={sys.executable}",
        "-e", f"chime_endpoint_url={fake.url}",
        "-e", f"report_file={report}",
        os.path.join(ROOT, "docs", "examples", "report.yml"),
    ]  # fmt: skip
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    text = report.read_text(encoding="utf-8")
    accounts = fake.tenants[TENANT].data.accounts
    suspended = [a["Name"] for a in accounts if a.get("AccountStatus") == "Suspended"]
    assert f"{len(accounts)} accounts in AWS account(s) {TENANT}." in text
    assert f"- Suspended: {len(suspended)}" in text
    assert all(f"- {name} (" in text for name in suspended)
    assert f"- Team: {sum(a.get('AccountType') == 'Team' for a in accounts)}" in text
