#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: start the bundled fake Chime endpoint, run docs/examples/report.yml against it with
credentials in the environment (as AWX injects them), print the report, and stop the endpoint."""

import os
import subprocess
import sys
import tempfile

from fake_chime.process import FakeChimeProcess

ACCOUNTS = 300
SEED = 2026


def main():
    """Run the demo and return the playbook's exit code."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with FakeChimeProcess([ACCOUNTS], seed=SEED) as endpoint, tempfile.TemporaryDirectory() as scratch:
        print(f"Fake Chime endpoint at {endpoint.url} with {endpoint.tenants[0]['accounts']} accounts")
        report = os.path.join(scratch, "chime-accounts-report.md")
        playbook = os.path.join(root, "docs", "examples", "report.yml")
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", playbook]
        command += ["-e", f"chime_endpoint_url={endpoint.url}", "-e", f"report_file={report}"]
        command += ["-e", f"ansible_python_interpreter={sys.executable}", "-c", "local"]
        result = subprocess.run(command, env=endpoint.env(0), check=False)
        if result.returncode == 0:
            with open(report, encoding="utf-8") as handle:
                print(handle.read())
        return result.returncode


if __name__ == "__main__":
    sys.exit(main())
