# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake endpoint in a child process (``python -m fake_chime``), for the demo and the benchmarks:
the process measured or demonstrated then does not share its interpreter with the server."""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request


class FakeChimeProcess:
    """Start ``python -m fake_chime`` with tenants of the given account counts; a context manager."""

    def __init__(self, counts, faults=None, seed=0, organization=None, audit_sample=False, aws_latency=0.0):
        self.counts, self.faults, self.seed, self.organization = counts, faults or {}, seed, organization
        self.audit_sample, self.aws_latency = audit_sample, aws_latency
        self.url, self.aws_url, self.tenants, self.process = None, None, [], None

    def __enter__(self):
        with tempfile.TemporaryDirectory(prefix="fake-chime-") as scratch:
            state = os.path.join(scratch, "state.json")
            command = [sys.executable, "-m", "fake_chime", "--counts", ",".join(map(str, self.counts))]
            if self.organization is not None:
                # An organization of that many member accounts in moto, each a tenant of counts[0] accounts,
                # or of counts[i] accounts (the management account's first), and STS and Organizations latency.
                command = [sys.executable, "-m", "fake_chime", "--organization", str(self.organization)]
                command += ["--accounts", str(self.counts[0]), "--aws-latency", str(self.aws_latency)]
                if (
                    self.aws_latency
                ):  # a large organization's benchmark: moto's AssumeRole would cost more than the rest
                    command.append("--answer-assume-role")
                if len(self.counts) > 1:
                    command += ["--counts", ",".join(map(str, self.counts))]
            if self.audit_sample:
                command.append("--audit-sample")
            command += ["--seed", str(self.seed), "--faults", json.dumps(self.faults), "--state-file", state]
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            deadline = time.monotonic() + 300
            while not (os.path.exists(state) and os.path.getsize(state)):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.process.kill()
                    raise RuntimeError("the fake Chime endpoint did not start")
                time.sleep(0.05)
            with open(state, encoding="utf-8") as handle:
                info = json.load(handle)
        self.url, self.aws_url, self.tenants = info["endpoint_url"], info.get("aws_endpoint_url"), info["tenants"]
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def stats(self):
        """The endpoint's counters, through its control API."""
        with urllib.request.urlopen(f"{self.url}/_fake/stats") as answer:
            return json.load(answer)

    def env(self, index=0):
        """An environment for child processes with tenant ``index``'s credentials in the AWS
        variables (as AWX injects them), no other AWS settings, and CHIME_ENDPOINT_URL."""
        tenant = self.tenants[index]
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=tenant["access_key"],
            AWS_SECRET_ACCESS_KEY=tenant["secret_key"],
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            CHIME_ENDPOINT_URL=self.url,
        )
        return env
