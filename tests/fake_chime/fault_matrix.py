# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix: one scenario per row (a fault, where it strikes, the options it runs with, and what must
come of it), one tenant per row. The end-to-end tests run it through ansible-playbook (every row through the
lookup, one row of each kind through the module), the module's unit tests run every row through the module's
``main()`` in-process, and :func:`check_row` judges a row the same way for all of them."""

import math
from dataclasses import dataclass
from dataclasses import field

from .data import generate
from .server import FakeChime

# Backoff fast enough for a test, as the end-to-end tests use it.
FAST_RETRIES = {"backoff_delay": 0.01, "backoff_max_delay": 0.05}

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
    """Every row, in a fixed order."""
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
# One row of each kind of fault, for the door whose every row costs a module process.
# Both error spellings, every page position and every fault appear among them.
KIND_NAMES = (
    "throttle x1 first (header)",
    "throttle x2 first (body)",
    "500 x2 last (body)",
    "503 x2 middle (header)",
    "dropped connection middle",
    "read timeout last",
    "malformed JSON first",
    "record repeated last",
    "expired token middle",
    "token loop last",
    "token bucket 4 req/s",
)
KINDS = [index for index, row in enumerate(ROWS) if row.name in KIND_NAMES]
# A renamed row must not drop out of the end-to-end run unseen.
assert len(KINDS) == len(KIND_NAMES), [n for n in KIND_NAMES if n not in [r.name for r in ROWS]]


def tenant(index):
    """The row's tenant: (AWS account ID, access key, secret key)."""
    return f"2000{index:08d}", f"AKIAMATRIX{index:010d}", f"matrix-secret-{index}"


def matrix_fake():
    """A started endpoint with one tenant per row, each with the row's faults (stop it when done)."""
    server = FakeChime().start()
    for index, row in enumerate(ROWS):
        aws_account_id, key, secret = tenant(index)
        server.add_tenant(generate(ACCOUNTS, seed=index, aws_account_id=aws_account_id), key, secret)
        server.set_faults(aws_account_id, row.faults)
    return server


def reset(server):
    """Clear the endpoint's log and give every row its faults again, as before the first run."""
    server.log.clear()
    for index, row in enumerate(ROWS):
        server.set_faults(tenant(index)[0], row.faults)


def options(server, index):
    """The connection and backoff options of row ``index`` (a door's option names)."""
    _aws_account_id, key, secret = tenant(index)
    merged = {"endpoint_url": server.url, "access_key": key, "secret_key": secret, **FAST_RETRIES}
    merged.update(ROWS[index].options)
    return merged


def check_row(server, index, failed, message, accounts):
    """Judge row ``index`` from what a door gave (``failed``, its ``message``, the ``accounts`` or None): the
    complete list in API order, or a clean failure naming the fault; at least the minimum of requests.
    Returns the row's line of the table: (name, outcome, requests, minimum, seconds)."""
    row = ROWS[index]
    aws_account_id = tenant(index)[0]
    expected = [a["AccountId"] for a in server.tenants[aws_account_id].data.accounts]
    log = server.requests(aws_account_id)
    seconds = max(e["done"] for e in log) - min(e["time"] for e in log) if log else 0.0
    if row.fails_with:
        assert failed is True, f"{row.name}: a failure was expected, got success"
        assert row.fails_with in message, f"{row.name}: {message}"
        assert accounts is None, f"{row.name}: accounts returned with the failure"
        outcome = f"failed cleanly: {row.fails_with}"
    else:
        assert not failed, f"{row.name}: {message}"
        assert [a["account_id"] for a in accounts] == expected, f"{row.name}: the list is not complete and in order"
        outcome = "complete"
    assert len(log) >= row.minimum, f"{row.name}: {len(log)} requests, fewer than the minimum {row.minimum}"
    return (row.name, outcome, len(log), row.minimum, seconds)


def table(door, lines):
    """The printed table of a door's rows."""
    header = f"{'fault matrix: ' + door:<42} {'outcome':<34} {'requests':>8} {'minimum':>8} {'seconds':>8}"
    body = [f"{n:<42} {o:<34} {r:>8} {m:>8} {s:>8.2f}" for n, o, r, m, s in lines]
    return "\n".join(["", header, "-" * len(header), *body])
