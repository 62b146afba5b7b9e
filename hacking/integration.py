#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the ansible-test integration targets, against a real AWS account or the bundled fake endpoint.

With ``tests/integration/cloud-config-aws.ini`` in the project (ansible-test's own format: a
``[default]`` section with aws_access_key, aws_secret_key, security_token and aws_region; git ignores
it), the targets run against that account. Without it, a fake Chime endpoint is started on loopback
with seeded accounts, and a config naming it (with ``chime_endpoint_url`` and
``chime_expected_accounts``) is written into the laid-out collection for this run only.
"""

import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join("tests", "integration", "cloud-config-aws.ini")
ACCOUNTS = 300


def ansible_test(collection, python, targets):
    """ansible-test integration in the collection's copy; returns its exit code."""
    command = ["ansible-test", "integration", "--venv", "--python", python, "--color", "no", *targets]
    return subprocess.run(command, cwd=collection, check=False).returncode


def main():
    """Pick the endpoint, write the config, run the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection", required=True, help="the laid-out copy of the collection")
    parser.add_argument("--python", required=True, help="the Python version for ansible-test")
    parser.add_argument("targets", nargs="*")
    args = parser.parse_args()
    own_config = os.path.join(ROOT, CONFIG)
    run_config = os.path.join(args.collection, CONFIG)
    if os.path.exists(own_config):
        print(f"Running the integration targets against the AWS account of {CONFIG}")
        shutil.copyfile(own_config, run_config)
        try:
            return ansible_test(args.collection, args.python, args.targets)
        finally:
            os.unlink(run_config)

    sys.path.insert(0, os.path.join(args.collection, "tests"))
    from fake_chime.process import FakeChimeProcess  # test infrastructure, beside the targets

    with FakeChimeProcess([ACCOUNTS], seed=7) as fake:
        tenant = fake.tenants[0]
        print(f"Running the integration targets against the bundled fake endpoint at {fake.url}")
        with open(run_config, "w", encoding="utf-8") as handle:
            handle.write(
                "[default]\n"
                f"aws_access_key = {tenant['access_key']}\n"
                f"aws_secret_key = {tenant['secret_key']}\n"
                "aws_region = us-east-1\n"
                f"chime_endpoint_url = {fake.url}\n"
                f"chime_expected_accounts = {tenant['accounts']}\n"
            )
        try:
            rc = ansible_test(args.collection, args.python, args.targets)
            requests = fake.stats()["requests"]
        finally:
            os.unlink(run_config)
    # Every ListAccounts call of the targets reached the fake: the targets did not pass without it.
    print(f"The fake endpoint answered {requests} ListAccounts requests.")
    if rc == 0 and requests == 0:
        print("The targets passed without sending a request to the endpoint.", file=sys.stderr)
        return 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
