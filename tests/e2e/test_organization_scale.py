# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An organization of 1,000 AWS accounts at 100 ms a call, listed by one ``chime_account_info`` task.

The management account (the caller) and 999 members, in moto behind the gate; every STS and
Organizations request and every Chime request takes 100 ms. Most members hold no Chime account, a
few dozen hold 1 to 40, three hold several hundred (several pages each). Some members are
suspended or closing, one refuses AssumeRole, two are throttled once by STS and two by Chime.

The results must be exact, each role assumed once (and once more where STS throttled), one AWS
account's pages must never overlap in time, and the listing must not wait for the whole member list
before it starts assuming roles: AWS Organizations answers 20 accounts a page, 50 pages for 1,000
accounts, five seconds at 100 ms a page.
"""

import collections
import itertools
import math
import random
import time

import pytest

from e2e.playbooks import FAST_RETRIES
from e2e.playbooks import playbook_runner
from fake_chime import FakeChime
from fake_chime.organization import MANAGEMENT_ACCOUNT
from fake_chime.organization import FakeOrganization

MODULE = "chime.admin.chime_account_info"
ROLE_NAME = "ChimeAudit"
MEMBERS = 999
LATENCY = 0.1  # seconds, every request to STS, Organizations and Chime
PAGE_SIZE = 100
ORGANIZATIONS_PAGE = 20  # accounts a ListAccounts page of AWS Organizations holds at most


def _layout():
    """Which member (by its index in ``member_ids``) plays which part, and how many Chime accounts each
    AWS account holds (the management account's first). Seeded: the same organization every run."""
    rng = random.Random(1000)
    members = list(range(MEMBERS))
    rng.shuffle(members)
    parts = {
        "big": members[0:3],
        "small": members[3:39],
        "suspended": members[39:42],
        "closing": members[42:44],
        "refused": members[44:45],
        "empty_sts_throttled": members[45:46],
    }
    counts = [25] + [0] * MEMBERS
    for index, count in zip(parts["big"], (480, 390, 305), strict=True):
        counts[1 + index] = count
    for index in parts["small"]:
        counts[1 + index] = rng.randint(1, 40)
    for index in parts["suspended"] + parts["closing"] + parts["refused"]:
        counts[1 + index] = 7  # accounts that must not be listed: a mistake would show
    return parts, counts


@pytest.fixture(scope="module")
def scale():
    """The organization, its moto server and its fake Chime endpoint, with every fault in place and
    the latency on, the logs empty. The set-up's cost is printed."""
    started = time.monotonic()
    fake = FakeChime().start()
    parts, counts = _layout()
    org = FakeOrganization(fake, members=MEMBERS, accounts_each=counts).start()
    ids = {part: [org.member_ids[i] for i in indices] for part, indices in parts.items()}
    for account_id in ids["suspended"]:
        org.suspend(account_id)
    for account_id in ids["closing"]:
        org.set_state(account_id, "PENDING_CLOSURE")
    org.refused = ids["refused"][0]
    org.sts_throttled = [ids["big"][0], ids["empty_sts_throttled"][0]]
    org.gate.refuse.add(org.refused)
    org.gate.throttle_once.update(org.sts_throttled)
    # Chime throttles one page once: the third of a tenant with several, the only one of a small one.
    org.chime_throttled = {ids["big"][1]: 2, ids["small"][0]: 0}
    for account_id in fake.tenants:
        page = org.chime_throttled.get(account_id)
        rules = [] if page is None else [{"kind": "throttle", "on_page": page}]
        fake.set_faults(account_id, latency=LATENCY, rules=rules)
    org.not_active = dict.fromkeys(ids["suspended"], "SUSPENDED") | dict.fromkeys(ids["closing"], "PENDING_CLOSURE")
    org.gate.latency = LATENCY
    # STS's AssumeRole answered by the gate, not by moto, whose 14 ms of CPU a role would make the fake the
    # slowest part of the run on two cores; GetCallerIdentity and Organizations stay moto's.
    org.gate.answer_assume_role = True
    with org.gate.lock:
        org.gate.log.clear()
    print(f"\nset-up of {MEMBERS + 1} AWS accounts: {time.monotonic() - started:.2f} s")
    yield org
    org.stop()
    fake.stop()


def _pages(count):
    return max(1, math.ceil(count / PAGE_SIZE))


def _denied_message(account_id):
    role_arn = f"arn:aws:iam::{account_id}:role/{ROLE_NAME}"
    return (
        f"STS AssumeRole of {role_arn} returned AccessDenied: User: arn:aws:iam::{MANAGEMENT_ACCOUNT}:user/auditor"
        f" is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )


def _expected_entries(org):
    entries = []
    for account_id in sorted(org.chime.tenants):
        data = org.chime.tenants[account_id].data
        role_arn = None if account_id == MANAGEMENT_ACCOUNT else f"arn:aws:iam::{account_id}:role/{ROLE_NAME}"
        if account_id in org.not_active:
            message = f"Skipped: the AWS account is {org.not_active[account_id]} in AWS Organizations."
            entries.append({"aws_account_id": account_id, "role_arn": None, "status": "skipped", "accounts": 0})
            entries[-1]["message"] = message
        elif account_id == org.refused:
            entries.append({"aws_account_id": account_id, "role_arn": role_arn, "status": "denied", "accounts": 0})
            entries[-1]["message"] = _denied_message(account_id)
        else:
            count = len(data.accounts)
            entries.append({"aws_account_id": account_id, "role_arn": role_arn, "status": "listed", "accounts": count})
    return entries


def _count(accounts, member):
    return dict(collections.Counter(a.get(member, "unknown") for a in accounts))


def test_an_organization_of_a_thousand_aws_accounts_is_listed_exactly_and_streamed(scale, tmp_path):
    org, fake = scale, scale.chime
    options = dict(
        endpoint_url=fake.url,
        page_size=PAGE_SIZE,
        organization_role_name=ROLE_NAME,
        on_denied="warn",
        **FAST_RETRIES,
    )
    started = time.monotonic()
    result = playbook_runner(tmp_path)([{MODULE: options, "register": "r"}], env=org.env())
    wall = time.monotonic() - started
    assert result.rc == 0, result.output
    module = result.saved["r"]
    gate_log, chime_log = org.requests(), fake.requests()
    pages = [e for e in gate_log if e["action"] == "ListAccounts"]
    floor = math.ceil((MEMBERS + 1) / ORGANIZATIONS_PAGE) * LATENCY + 2 * LATENCY
    span = max(e["done"] for e in gate_log + chime_log) - min(e["time"] for e in gate_log)
    print(f"\nplaybook {wall:.2f} s, the task's requests {span:.2f} s, floor {floor:.2f} s")

    # Exact results: every Chime account once, sorted by AWS account, in API order within one.
    entries = _expected_entries(org)
    listed = [e["aws_account_id"] for e in entries if e["status"] == "listed"]
    expected = [(t, a["AccountId"]) for t in listed for a in fake.tenants[t].data.accounts]
    got = [(a["aws_account_id"], a["account_id"]) for a in module["accounts"]]
    assert got == expected
    assert len(set(got)) == len(got) > 1500
    assert module["aws_accounts"] == entries
    raw = [a for t in listed for a in fake.tenants[t].data.accounts]
    assert module["summary"] == {
        "total": len(expected),
        "by_status": _count(raw, "AccountStatus"),
        "by_type": _count(raw, "AccountType"),
        "by_default_license": _count(raw, "DefaultLicense"),
        "by_aws_account": {t: len(fake.tenants[t].data.accounts) for t in listed if fake.tenants[t].data.accounts},
    }
    warnings = [line for line in result.output.splitlines() if "was not listed" in line]
    assert warnings == [f"[WARNING]: AWS account {org.refused} was not listed: {_denied_message(org.refused)}"]

    # Each active member's role assumed once, and once more where STS throttled; none for the caller's
    # own account nor for a suspended or closing one. Every page of the organization read once.
    active = [t for t in sorted(fake.tenants) if t != MANAGEMENT_ACCOUNT and t not in org.not_active]
    assumed = collections.Counter(e["account"] for e in gate_log if e["action"] == "AssumeRole")
    assert assumed == collections.Counter(active + org.sts_throttled)
    throttled = [e["account"] for e in gate_log if e["action"] == "AssumeRole" and e["status"] == 400]
    assert sorted(throttled) == sorted(org.sts_throttled)
    assert [e["page"] for e in sorted(pages, key=lambda e: e["page"])] == list(range(len(pages)))
    assert len(pages) == math.ceil((MEMBERS + 1) / ORGANIZATIONS_PAGE)

    # Chime: each listed AWS account's pages once, and the throttled page once more; nothing else.
    asked = collections.Counter(e["tenant"] for e in chime_log)
    want = {t: _pages(len(fake.tenants[t].data.accounts)) for t in listed}
    for account_id in org.chime_throttled:
        want[account_id] += 1
    assert asked == want
    assert sorted(e["tenant"] for e in chime_log if e["status"] == 429) == sorted(org.chime_throttled)
    refused = [e for e in chime_log if e["status"] in (401, 403) and e["fault"] is None]
    assert not refused, f"requests refused by the signature check: {refused}"

    # One AWS account's pages never overlap in time: each starts after the one before was answered.
    several = 0
    for account_id in listed:
        spans = sorted((e["time"], e["done"]) for e in chime_log if e["tenant"] == account_id)
        several += len(spans) > 1
        assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans)), account_id
    assert several >= 4  # the three large AWS accounts and the small one Chime throttled

    # Streaming: roles are assumed while the organization's later pages are still being read.
    last_page = max(e["done"] for e in pages)
    first_role = min(e["time"] for e in gate_log if e["action"] == "AssumeRole")
    assert first_role < last_page, (
        "no AssumeRole started before the last Organizations ListAccounts page was answered: the first"
        f" started {first_role - last_page:.2f} s after it"
    )
