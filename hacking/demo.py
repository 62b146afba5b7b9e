#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: start the bundled fake Chime endpoint with 300 accounts, a few of which break the
policy (one with a hostile name), run the audit role through docs/examples/audit.yml against it with
credentials in the environment (as AWX injects them), and stop the endpoint. The role prints the
summary, the violations and the paths of the four reports, written under build/demo."""

import os
import subprocess
import sys

from fake_chime.process import FakeChimeProcess

ACCOUNTS = 300
SEED = 2026


def main():
    """Run the demo and return the playbook's exit code."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dest = os.environ.get("DEMO_DEST") or os.path.join(root, "build", "demo")
    with FakeChimeProcess([ACCOUNTS], seed=SEED, audit_sample=True) as endpoint:
        print(f"Fake Chime endpoint at {endpoint.url} with {endpoint.tenants[0]['accounts']} accounts")
        playbook = os.path.join(root, "docs", "examples", "audit.yml")
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", playbook]
        command += ["-e", f"account_audit_endpoint_url={endpoint.url}", "-e", f"account_audit_dest={dest}"]
        # The demo shows the violations without failing on them; a real audit fails (the default).
        command += ["-e", "account_audit_fail_on_violation=false"]
        command += ["-e", f"ansible_python_interpreter={sys.executable}", "-c", "local"]
        # The fake endpoint also answers STS GetCallerIdentity, which the audit records as its caller.
        env = dict(endpoint.env(0), AWS_ENDPOINT_URL_STS=endpoint.url)
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
