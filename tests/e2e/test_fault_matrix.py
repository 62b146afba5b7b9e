# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix, end to end for the module and the lookup.

Each row is one tenant of one fake endpoint with its own faults, so a whole door's matrix runs in a
single ansible-playbook process. Every row either returns the complete list (equal to the tenant's
data, as a fault-free run does) or fails cleanly with a message that names the fault. At the end a
table shows, per row, the outcome, the requests made against the minimum, and the time taken.
"""

import math
from dataclasses import dataclass
from dataclasses import field

import pytest

from e2e.playbooks import FAST_RETRIES
from fake_chime import FakeChime
from fake_chime import generate

ACCOUNTS = 450
PAGE = 200
PAGES = math.ceil(ACCOUNTS / PAGE)  # 3: pages 0 (first), 1 (middle) and 2 (last)
POSITIONS = {0: "first", 1: "middle", 2: "last"}


@dataclass
class Row:
    """One scenario: the faults, the options it runs with, and what must come of it."""

    name: str
    faults: dict
    fails_with: str = ""  # empty: the list must be complete
    minimum: int = PAGES
    options: dict = field(default_factory=dict)


def _rows():
    rows = []
    for burst in range(1, 6):
        for page, where in POSITIONS.items():
            spelling = "header" if (burst + page) % 2 else "body"
            faults = {"rules": [{"kind": "throttle", "on_page": page, "count": burst}]}
            rows.append(
                Row(f"throttle x{burst} {where} ({spelling})", dict(faults, omit_error_header=spelling == "body"))
            )
    for kind in ("500", "503"):
        for page, where in POSITIONS.items():
            for spelling in ("header", "body"):
                faults = {
                    "rules": [{"kind": kind, "on_page": page, "count": 2}],
                    "omit_error_header": spelling == "body",
                }
                rows.append(Row(f"{kind} x2 {where} ({spelling})", faults))
    for page, where in POSITIONS.items():
        rows.append(Row(f"dropped connection {where}", {"rules": [{"kind": "drop", "on_page": page}]}))
        rows.append(
            Row(
                f"read timeout {where}",
                {"rules": [{"kind": "timeout", "on_page": page}], "timeout_delay": 1.0},
                options={"aws_config": {"read_timeout": 0.5}},
            )
        )
        rows.append(Row(f"malformed JSON {where}", {"rules": [{"kind": "malformed", "on_page": page}]}))
    for page in (1, 2):
        where = POSITIONS[page]
        rows.append(Row(f"record repeated {where}", {"repeat_record_at_page": page}))
        rows.append(Row(f"expired token {where}", {"expire_token_at_page": page}, "expired", minimum=page + 1))
        rows.append(Row(f"token loop {where}", {"token_loop_at_page": page}, "pagination looped", minimum=page + 1))
    rows.append(
        Row(
            "token bucket 4 req/s",
            {"rate_limit": 4, "rate_burst": 1},
            options={"backoff_retries": 30, "backoff_delay": 0.05, "backoff_max_delay": 0.25},
        )
    )
    return rows


ROWS = _rows()


def _tenant(index):
    return f"2000{index:08d}", f"AKIAMATRIX{index:010d}", f"matrix-secret-{index}"


@pytest.fixture(scope="module")
def matrix_fake():
    """One endpoint, one tenant per row."""
    with FakeChime() as server:
        for index, row in enumerate(ROWS):
            tenant, key, secret = _tenant(index)
            server.add_tenant(generate(ACCOUNTS, seed=index, aws_account_id=tenant), key, secret)
            server.set_faults(tenant, row.faults)
        yield server


def _options(fake, index, row):
    tenant, key, secret = _tenant(index)
    options = {"endpoint_url": fake.url, "access_key": key, "secret_key": secret, **FAST_RETRIES}
    options.update(row.options)
    return options


def _module_task(fake, index, row):
    return {
        "name": row.name,
        "chime.admin.chime_account_info": _options(fake, index, row),
        "register": f"row{index}",
        "ignore_errors": True,
    }


def _lookup_task(fake, index, row):
    args = ", ".join(f"{k}={v!r}" for k, v in _options(fake, index, row).items())
    return {
        "name": row.name,
        "ansible.builtin.set_fact": {f"row{index}_accounts": "{{ query('chime.admin.chime_accounts', " + args + ") }}"},
        "register": f"row{index}",
        "ignore_errors": True,
    }


def _check(fake, index, row, registered, accounts):
    tenant = _tenant(index)[0]
    expected = [a["AccountId"] for a in fake.tenants[tenant].data.accounts]
    log = fake.requests(tenant)
    seconds = max(e["done"] for e in log) - min(e["time"] for e in log) if log else 0.0
    if row.fails_with:
        assert registered.get("failed") is True, f"{row.name}: a failure was expected, got success"
        assert row.fails_with in registered["msg"], f"{row.name}: {registered['msg']}"
        assert accounts is None
        outcome = f"failed cleanly: {row.fails_with}"
    else:
        assert not registered.get("failed"), f"{row.name}: {registered.get('msg')}"
        assert [a["account_id"] for a in accounts] == expected, f"{row.name}: the list is not complete and in order"
        outcome = "complete"
    assert len(log) >= row.minimum
    return (row.name, outcome, len(log), row.minimum, seconds)


def _table(door, lines):
    header = f"{'fault matrix: ' + door:<42} {'outcome':<34} {'requests':>8} {'minimum':>8} {'seconds':>8}"
    body = [f"{n:<42} {o:<34} {r:>8} {m:>8} {s:>8.2f}" for n, o, r, m, s in lines]
    return "\n".join(["", header, "-" * len(header), *body])


@pytest.mark.parametrize("door", ["module", "lookup"])
def test_fault_matrix(matrix_fake, play, capsys, door):
    matrix_fake.log.clear()
    for index, row in enumerate(ROWS):
        matrix_fake.set_faults(_tenant(index)[0], row.faults)
    make_task = _module_task if door == "module" else _lookup_task
    names = [f"row{i}" for i in range(len(ROWS))] + [f"row{i}_accounts" for i in range(len(ROWS))]
    result = play([make_task(matrix_fake, i, row) for i, row in enumerate(ROWS)], save=names)
    assert result.rc == 0, result.output
    lines = []
    for index, row in enumerate(ROWS):
        registered = result.saved[f"row{index}"]
        if door == "module":
            accounts = registered.get("accounts")
        else:
            accounts = result.saved[f"row{index}_accounts"]
        lines.append(_check(matrix_fake, index, row, registered, accounts))
    with capsys.disabled():
        print(_table(door, lines))
    # Every request of the matrix passed the endpoint's SigV4 check.
    assert not [e for e in matrix_fake.log if e["status"] in (401, 403)]
