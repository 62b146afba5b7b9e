#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make demo`: start the bundled fake Chime endpoint, run docs/examples/report.yml against it with
credentials in the environment (as AWX injects them), print the report, and stop the endpoint."""

import json
import os
import subprocess
import sys
import tempfile
import time

ACCOUNTS = "300"
SEED = "2026"


def start_endpoint(state_file):
    """Start ``python -m fake_chime`` in the background; return the process and its state."""
    process = subprocess.Popen(
        [sys.executable, "-m", "fake_chime", "--accounts", ACCOUNTS, "--seed", SEED, "--state-file", state_file],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.path.exists(state_file) and os.path.getsize(state_file):
            with open(state_file, encoding="utf-8") as handle:
                return process, json.load(handle)
        if process.poll() is not None:
            sys.exit("the fake Chime endpoint did not start")
        time.sleep(0.1)
    process.terminate()
    sys.exit("the fake Chime endpoint did not start within 30 seconds")


def main():
    """Run the demo and return the playbook's exit code."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with tempfile.TemporaryDirectory() as scratch:
        process, state = start_endpoint(os.path.join(scratch, "state.json"))
        try:
            tenant = state["tenants"][0]
            print(f"Fake Chime endpoint at {state['endpoint_url']} with {tenant['accounts']} accounts")
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(
                AWS_ACCESS_KEY_ID=tenant["access_key"],
                AWS_SECRET_ACCESS_KEY=tenant["secret_key"],
                AWS_CONFIG_FILE=os.devnull,
                AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            )
            report = os.path.join(scratch, "chime-accounts-report.md")
            playbook = os.path.join(root, "docs", "examples", "report.yml")
            command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", playbook]
            command += ["-e", f"chime_endpoint_url={state['endpoint_url']}", "-e", f"report_file={report}"]
            command += ["-e", f"ansible_python_interpreter={sys.executable}", "-c", "local"]
            result = subprocess.run(command, env=env, check=False)
            if result.returncode == 0:
                with open(report, encoding="utf-8") as handle:
                    print(handle.read())
            return result.returncode
        finally:
            process.terminate()
            process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
