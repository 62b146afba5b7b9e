# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listing N accounts takes exactly ceil(N/200) ListAccounts calls (1 for N = 0), over HTTP."""

import math
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.chime.admin.plugins.module_utils import chime as core

from e2e.awx_jobs import MAX_EVENT_RES_DATA
from fake_chime import FakeChime
from fake_chime import generate
from fake_chime.testing import make_client

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("count", [0, 1, 199, 200, 201, 10000])
def test_calls_equal_the_minimum(count):
    with FakeChime() as fake:
        fake.add_tenant(generate(count, seed=count, aws_account_id="555566667777"), "AKIACALLS00000000001", "s")
        accounts = core.list_chime_accounts(make_client(fake, "AKIACALLS00000000001", "s"))
        assert len(accounts) == count
        assert fake.stats()["requests"] == max(1, math.ceil(count / 200))
        assert {e["query"]["max-results"] for e in fake.requests()} == {"200"}


def test_benchmark_smoke_run_prints_its_table():
    """`make bench` at small sizes: every measurement runs and prints a row that parses (timings are not judged)."""
    completed = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tests", "bench", "run.py"), "--smoke"],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    for row in (
        "API calls, N=201",
        "core listing",
        "module process peak RSS",
        "throttled",
        "fan-out",
        "query() lookup",
        "organization listing (core)",
        "organization task, ",
        "organization task vs forks=",
        "account_audit role (4 formats) vs chime_account_info playbook",
        "S3 part of a later run",
        "S3 requests per run",
        "account_audit role job peak RSS",
        "largest job event res",
    ):
        assert row in out
    # The API-call rows: each names its size, the calls made and the minimum; they must agree.
    calls = re.findall(r"API calls, N=(\d+)\s+(\d+) calls\s+minimum (\d+)", out)
    assert calls, out
    for count, made, minimum in calls:
        assert int(made) == int(minimum) == max(1, math.ceil(int(count) / 200)), f"N={count}: {made} calls"
    # The audit role's rows: each parses, all at one size; the job's largest event is under AWX's cap.
    role = re.search(
        r"account_audit role \(4 formats\) vs chime_account_info playbook, (\d+) accounts\s+"
        r"(\d+\.\d\d) s vs (\d+\.\d\d) s\s+ratio (\d+\.\d\d)",
        out,
    )
    upload = re.search(
        r"S3 part of a later run \(pointer, baseline, 4 reports, manifest, latest\.json\), (\d+) accounts\s+"
        r"(\d+\.\d{3}) s\s+(\d+\.\d) MiB",
        out,
    )
    requests = re.search(
        r"S3 requests per run: first run, later run, later run with Object Lock\s+(\d+), (\d+), (\d+)", out
    )
    rss = re.search(
        r"account_audit role job peak RSS, (\d+) accounts\s+(\d+) MiB\s+"
        r"chime_account_info playbook (\d+) MiB",
        out,
    )
    event = re.search(
        r"largest job event res of the AWX example job, (\d+) accounts\s+(\d+) bytes\s+"
        r"AWX cap (\d+) bytes\s+(\d+) events",
        out,
    )
    assert role and upload and requests and rss and event, out
    assert len({role[1], upload[1], rss[1], event[1]}) == 1, out
    assert float(role[2]) > 0 and float(role[3]) > 0 and float(role[4]) > 0, role[0]
    assert float(upload[2]) > 0 and float(upload[3]) > 0, upload[0]
    # A first run: latest.json read (missing), the run folders listed, four reports, the manifest, latest.json
    # written on the condition read at the start; a later run reads the baseline's manifest and report instead of
    # listing, then the trend lists the run folders and reads the one earlier run's manifest (the first run reuses
    # its listing and finds none); Object Lock adds GetObjectLockConfiguration.
    assert [int(n) for n in requests.groups()] == [8, 11, 12], requests[0]
    assert int(rss[2]) > 0 and int(rss[3]) > 0, rss[0]
    assert 0 < int(event[2]) < int(event[3]) == MAX_EVENT_RES_DATA and int(event[4]) > 0, event[0]
