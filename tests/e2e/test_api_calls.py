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
    """`make bench` at small sizes: every measurement runs and prints a row (figures are not judged)."""
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
    ):
        assert row in out
    # The API-call rows: each names its size, the calls made and the minimum; they must agree.
    calls = re.findall(r"API calls, N=(\d+)\s+(\d+) calls\s+minimum (\d+)", out)
    assert calls, out
    for count, made, minimum in calls:
        assert int(made) == int(minimum) == max(1, math.ceil(int(count) / 200)), f"N={count}: {made} calls"
