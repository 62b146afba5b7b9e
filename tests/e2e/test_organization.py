# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listing across AWS accounts end to end: ansible-playbook, STS and AWS Organizations served by moto,
and a fake Chime endpoint whose tenants are the organization's accounts.

The organization has 25 AWS accounts: the management account (the caller) and 24 members, of which
2 are suspended, 1 refuses AssumeRole, 1 refuses Chime ListAccounts and 1 throttles; a test can make
one fail for good.
"""

import contextlib
import itertools
import json
import os

import pytest

from e2e.playbooks import FAST_RETRIES
from e2e.playbooks import module_args
from e2e.playbooks import playbook_runner
from e2e.playbooks import run_example
from fake_chime import FakeChime
from fake_chime.organization import MANAGEMENT_ACCOUNT
from fake_chime.organization import FakeOrganization

MODULE = "chime.admin.chime_account_info"
ACTION = "chime.admin.chime_account_audit"
ACCOUNTS_EACH = 30
EXTERNAL_ID = "ExternalIdMarker-7c41e2"


@pytest.fixture(scope="module")
def org():
    """The organization, its moto server and its fake Chime endpoint, for every test of this file."""
    fake = FakeChime().start()
    organization = FakeOrganization(fake, members=24, accounts_each=ACCOUNTS_EACH).start()
    members = organization.member_ids
    organization.suspended = members[0:2]
    for account_id in organization.suspended:
        organization.suspend(account_id)
    organization.refuses_role, organization.refuses_chime, organization.throttles = members[2], members[3], members[4]
    yield organization
    organization.stop()
    fake.stop()


@pytest.fixture
def faults(org):
    """The standing faults, set afresh for each test, with counters and logs emptied; afterwards, every
    request the fake endpoint received passed its SigV4 check (moto's role credentials included)."""
    fake = org.chime
    fake.reset()
    fake.set_faults(org.refuses_chime, rules=[{"kind": "forbidden", "every": 1}])
    fake.set_faults(org.throttles, rules=[{"kind": "throttle", "every": 2}])
    org.gate.refuse.clear()
    org.gate.refuse.add(org.refuses_role)
    org.gate.throttle_once.clear()
    with org.gate.lock:
        org.gate.log.clear()
    yield fake
    refused = [e for e in fake.log if e["status"] in (401, 403) and e["fault"] is None]
    assert not refused, f"requests refused by the signature check: {refused}"


def _options(org, **extra):
    return dict({"endpoint_url": org.chime.url, "page_size": 7, **FAST_RETRIES}, **extra)


def _lookup(options):
    args = ", ".join(f"{key}={json.dumps(value)}" for key, value in options.items())
    return "{{ query('chime.admin.chime_accounts', " + args + ") }}"


def _run(org, tmp_path, tasks, save=("r",), args=()):
    return playbook_runner(tmp_path)(tasks, save=save, env=org.env(), args=args)


def _expected(org, listed_ids):
    accounts = []
    for account_id in sorted(listed_ids):
        accounts += [a["AccountId"] for a in org.chime.tenants[account_id].data.accounts]
    return accounts


def _active_members(org):
    return [m for m in org.member_ids if m not in org.suspended]


def test_module_and_lookup_list_every_active_account_with_a_status_each(org, faults, tmp_path):
    options = _options(org, organization_role_name="ChimeAudit", on_denied="warn", concurrency=8)
    tasks = [
        {MODULE: options, "register": "r"},
        {"ansible.builtin.set_fact": {"via_lookup": _lookup(options)}},
    ]
    result = _run(org, tmp_path, tasks, save=("r", "via_lookup"))
    assert result.rc == 0, result.output
    module = result.saved["r"]
    denied = {org.refuses_role, org.refuses_chime}
    listed = [MANAGEMENT_ACCOUNT] + [m for m in _active_members(org) if m not in denied]
    assert [a["account_id"] for a in module["accounts"]] == _expected(org, listed)
    assert module["accounts"] == result.saved["via_lookup"]  # module and lookup agree

    statuses = {e["aws_account_id"]: e for e in module["aws_accounts"]}
    assert [e["aws_account_id"] for e in module["aws_accounts"]] == sorted([MANAGEMENT_ACCOUNT, *org.member_ids])
    assert statuses[MANAGEMENT_ACCOUNT]["role_arn"] is None and statuses[MANAGEMENT_ACCOUNT]["status"] == "listed"
    for account_id in org.suspended:
        assert statuses[account_id]["status"] == "skipped" and "SUSPENDED" in statuses[account_id]["message"]
    assert statuses[org.refuses_role]["status"] == "denied" and "AccessDenied" in statuses[org.refuses_role]["message"]
    assert statuses[org.refuses_chime]["status"] == "denied"
    assert "ForbiddenException" in statuses[org.refuses_chime]["message"]
    for account_id in listed:
        assert statuses[account_id]["accounts"] == ACCOUNTS_EACH and "message" not in statuses[account_id]
    member = next(m for m in listed if m != MANAGEMENT_ACCOUNT)
    assert statuses[member]["role_arn"] == f"arn:aws:iam::{member}:role/ChimeAudit"
    assert module["summary"]["by_aws_account"] == {account_id: ACCOUNTS_EACH for account_id in sorted(listed)}
    assert module["summary"]["total"] == len(listed) * ACCOUNTS_EACH

    # One warning per refused AWS account, from each door.
    warnings = [line for line in result.output.splitlines() if "[WARNING]" in line and "was not listed" in line]
    assert len(warnings) == 4, result.output
    assert sum(org.refuses_role in w for w in warnings) == sum(org.refuses_chime in w for w in warnings) == 2

    # Each active member's role was assumed once per door, the suspended ones' and the caller's never.
    assumed = [e["role_arn"] for e in org.requests("AssumeRole")]
    assert sorted(assumed) == sorted(2 * [f"arn:aws:iam::{m}:role/ChimeAudit" for m in _active_members(org)])
    # The throttled account was throttled, retried and listed completely.
    assert any(e["status"] == 429 for e in faults.requests(org.throttles))
    # The pages of one AWS account never overlap in time: NextToken makes them sequential.
    for account_id in listed:
        spans = sorted((e["time"], e["done"]) for e in faults.requests(account_id))
        assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans))


@pytest.mark.parametrize("mode", ["skip", "error"])
def test_on_denied_skip_is_silent_and_error_fails_naming_each_refusal(org, faults, tmp_path, mode):
    options = _options(org, organization_role_name="ChimeAudit", on_denied=mode)
    result = _run(org, tmp_path, [{MODULE: options, "register": "r", "ignore_errors": True}])
    registered = result.saved["r"]
    assert "was not listed" not in result.output
    if mode == "skip":
        assert not registered.get("failed"), registered.get("msg")
        denied = [e["aws_account_id"] for e in registered["aws_accounts"] if e["status"] == "denied"]
        assert sorted(denied) == sorted([org.refuses_role, org.refuses_chime])
        return
    assert registered["failed"] is True and "accounts" not in registered
    assert "2 of 25 AWS accounts" in registered["msg"]
    assert org.refuses_role in registered["msg"] and org.refuses_chime in registered["msg"]
    # Every other AWS account was still tried before the task failed.
    tried = {e["tenant"] for e in faults.log}
    assert set(_active_members(org)) - {org.refuses_role} <= tried


def test_a_failure_for_good_fails_after_every_account_was_tried(org, faults, tmp_path):
    broken = _active_members(org)[5]
    faults.set_faults(broken, rules=[{"kind": "500", "every": 1}])
    options = _options(org, organization_role_name="ChimeAudit", on_denied="skip", backoff_retries=2)
    tasks = [
        {MODULE: options, "register": "r", "ignore_errors": True},
        {"ansible.builtin.set_fact": {"via_lookup": _lookup(options)}, "register": "l", "ignore_errors": True},
    ]
    result = _run(org, tmp_path, tasks, save=("r", "l"))
    module, lookup = result.saved["r"], result.saved["l"]
    assert module["failed"] is True and lookup["failed"] is True
    for message in (module["msg"], lookup["msg"]):
        assert f"1 of 25 AWS accounts: {broken}" in message, message
        assert "ServiceFailure" in message and "after 3 attempts" in message
        assert "partial list" in message
    assert len(faults.requests(broken)) == 2 * 3  # both doors, three attempts each
    tried = {e["tenant"] for e in faults.log}
    assert set(_active_members(org)) - {org.refuses_role} <= tried


def test_role_arns_count_once_sts_throttles_are_retried_and_no_secret_is_shown(org, faults, tmp_path):
    first, second = _active_members(org)[6], _active_members(org)[7]
    arns = [f"arn:aws:iam::{first}:role/ChimeAudit", f"arn:aws:iam::{second}:role/audit/ChimeAudit"]
    options = _options(org, role_arns=[arns[0], arns[1], arns[0]], external_id=EXTERNAL_ID, concurrency=2)
    org.gate.throttle_once.add(first)  # STS throttles the first AssumeRole into it: retried
    tasks = [
        {MODULE: options, "register": "r"},
        {"ansible.builtin.set_fact": {"via_lookup": _lookup(options)}},
    ]
    env = dict(org.env(), ANSIBLE_INJECT_INVOCATION="1")
    result = playbook_runner(tmp_path)(tasks, save=("r", "via_lookup"), env=env, args=("-vvvv",))
    assert result.rc == 0, result.output
    module = result.saved["r"]
    assert [(e["aws_account_id"], e["role_arn"], e["status"]) for e in module["aws_accounts"]] == sorted(
        [(first, arns[0], "listed"), (second, arns[1], "listed")]
    )
    assert [a["account_id"] for a in module["accounts"]] == _expected(org, [first, second])
    assert module["accounts"] == result.saved["via_lookup"]
    assumed = org.requests("AssumeRole")
    # Each role once per door, and the throttled one once more.
    assert sorted(e["role_arn"] for e in assumed) == sorted([*arns, *arns, arns[0]])
    assert {e["external_id"] for e in assumed} == {EXTERNAL_ID}  # sent to STS...
    assert not org.requests("ListAccounts") and not org.requests("GetCallerIdentity")
    # ... and never shown: not the external ID, nor any credential moto issued.
    issued = org.issued()
    assert len(issued) >= 4  # two roles, two doors: the check below has credentials to look for
    secrets = [EXTERNAL_ID] + [value for triple in issued for value in triple]
    everything = result.output + json.dumps(result.saved)
    leaked = [s for s in secrets if s in everything]
    assert not leaked, f"{len(leaked)} secrets in the output"


def test_without_the_new_options_nothing_changes(org, faults, tmp_path):
    result = _run(org, tmp_path, [{MODULE: _options(org), "register": "r"}])
    assert result.rc == 0, result.output
    module = result.saved["r"]
    assert "aws_accounts" not in module and "by_aws_account" not in module["summary"]
    assert [a["account_id"] for a in module["accounts"]] == _expected(org, [MANAGEMENT_ACCOUNT])
    assert org.requests() == []  # no STS, no Organizations
    assert len(faults.requests()) == -(-ACCOUNTS_EACH // 7)


BAD = [
    ({"role_arns": ["arn:aws:iam::12345:role/ChimeAudit"]}, "role_arns must hold IAM role ARNs"),
    ({"role_arns": ["arn:aws:iam::123456789012:user/auditor"]}, "role_arns must hold IAM role ARNs"),
    ({"role_arns": ["arn:aws:iam::123456789012:role/A"], "organization_role_name": "A"}, "mutually exclusive"),
    ({"organization_role_name": "ChimeAudit", "concurrency": 0}, "concurrency must be between 1 and 64"),
    ({"organization_role_name": "ChimeAudit", "concurrency": 65}, "concurrency must be between 1 and 64"),
    ({"organization_role_name": "ChimeAudit", "role_session_name": "a"}, "role_session_name must be 2 to 64"),
    ({"organization_role_name": "ChimeAudit", "role_session_name": "bad name!"}, "role_session_name must be"),
    ({"organization_role_name": "Chime Audit"}, "organization_role_name must be an IAM role name"),
    ({"organization_role_name": "ChimeAudit", "external_id": "bad id!"}, "external_id must be 8 to 1224"),
    (  # two roles into one AWS account: one entry per AWS account, its accounts counted once
        {"role_arns": ["arn:aws:iam::210987654321:role/A", "arn:aws:iam::210987654321:role/audit/B"]},
        "role_arns must give one role per AWS account",
    ),
]


@pytest.mark.parametrize("door", ["module", "lookup", "action"])
def test_bad_inputs_fail_clearly_before_any_request(org, faults, tmp_path, door):
    tasks = []
    for extra, _words in BAD:
        options = _options(org, **extra)
        if door in ("module", "action"):
            name = MODULE if door == "module" else ACTION
            if door == "action":
                options["dest"] = str(tmp_path / "reports")
            tasks.append({name: options, "register": f"b{len(tasks)}", "ignore_errors": True})
        else:
            task = {"ansible.builtin.set_fact": {"x": _lookup(options)}}
            tasks.append(dict(task, register=f"b{len(tasks)}", ignore_errors=True))
    result = _run(org, tmp_path, tasks, save=[f"b{i}" for i in range(len(BAD))])
    for index, (extra, words) in enumerate(BAD):
        registered = result.saved[f"b{index}"]
        assert registered and registered.get("failed") is True, (extra, registered)
        message = registered["msg"]
        assert words in message, message
        assert "Traceback" not in message
    assert faults.stats()["requests"] == 0 and org.requests() == [] and not (tmp_path / "reports").exists()


def test_the_action_across_the_organization_does_not_take_refused_accounts_for_removed(org, faults, tmp_path):
    dest = tmp_path / "audit"
    options = _options(org, organization_role_name="ChimeAudit", on_denied="warn", dest=str(dest))
    options.update(rules={"no_suspended_accounts": True}, fail_on_violation=False)
    first = _run(org, tmp_path, [{ACTION: options, "register": "r"}])
    assert first.rc == 0, first.output
    result = first.saved["r"]
    assert "accounts" not in result and "aws_accounts" not in result
    listed = [MANAGEMENT_ACCOUNT] + [m for m in _active_members(org) if m not in (org.refuses_role, org.refuses_chime)]
    assert result["summary"]["total"] == len(listed) * ACCOUNTS_EACH
    # A member that was listed the first time refuses AssumeRole the second time.
    member = next(m for m in _active_members(org) if m not in (org.refuses_role, org.refuses_chime, org.throttles))
    org.gate.refuse.add(member)
    options["baseline"] = str(dest / "chime-account-audit.json")
    second = _run(org, tmp_path, [{ACTION: options, "register": "r"}])
    assert second.rc == 0, second.output
    summary = second.saved["r"]["summary"]
    assert summary["changes"] == {"added": 0, "removed": 0, "changed": 0, "not_compared": ACCOUNTS_EACH}
    report = json.loads((dest / "chime-account-audit.json").read_text(encoding="utf-8"))
    assert {a["aws_account_id"] for a in report["changes"]["not_compared"]} == {member}
    assert report["source"]["caller"].split(":")[4] == MANAGEMENT_ACCOUNT
    assert member not in report["source"]["aws_accounts"] and MANAGEMENT_ACCOUNT in report["source"]["aws_accounts"]
    assert any(f"{ACCOUNTS_EACH} not compared (their AWS account was not listed)" in line for line in
               second.saved["r"]["summary_lines"])  # fmt: skip


def _run_example(org, tmp_path):
    return run_example("organization.yml", org.chime.url, tmp_path / "report.md", org.env())


def test_organization_example_reports_every_aws_account_and_fails_on_refusals(org, faults, tmp_path):
    completed, report = _run_example(org, tmp_path)
    assert completed.returncode != 0 and "Not listed: " in completed.stdout
    assert org.refuses_role in completed.stdout and org.refuses_chime in completed.stdout
    rows = [line for line in report.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 25 and sum("| skipped |" in row for row in rows) == 2
    assert sum("| denied |" in row for row in rows) == 2

    org.gate.refuse.clear()
    faults.set_faults(org.refuses_chime, {})
    completed, report = _run_example(org, tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    listed = 25 - len(org.suspended)
    assert f"{listed * ACCOUNTS_EACH} Chime accounts in {listed} AWS accounts." in report
    suspended = [
        a["Name"] for m in sorted(org.chime.tenants) if m not in org.suspended
        for a in org.chime.tenants[m].data.accounts if a.get("AccountStatus") == "Suspended"
    ]  # fmt: skip
    assert suspended and all(f"- {name} (" in report for name in suspended)


def test_audit_role_across_the_organization_reports_refused_aws_accounts(org, faults, tmp_path):
    dest = tmp_path / "audit"
    audit = {f"account_audit_{key}": value for key, value in _options(org).items()}
    audit.update(account_audit_organization_role_name="ChimeAudit", account_audit_on_denied="warn")
    audit.update(account_audit_dest=str(dest), account_audit_fail_on_violation=False)
    audit["account_audit_rules"] = {"allowed_aws_account_ids": [MANAGEMENT_ACCOUNT]}
    task = {"ansible.builtin.include_role": {"name": "chime.admin.account_audit"}, "vars": audit}
    result = _run(org, tmp_path, [task], save=("account_audit_result",))
    assert result.rc == 0, result.output
    # The role's output names each refused AWS account with the refusal, and each skipped one.
    not_listed = [line for line in result.stdout.splitlines() if "Not listed: " in line]
    assert len(not_listed) == 4
    assert sum(f"AWS account {org.refuses_role} (denied): STS AssumeRole" in line for line in not_listed) == 1
    assert (
        sum(
            f"AWS account {org.refuses_chime} (denied): " in line and "ForbiddenException" in line
            for line in not_listed
        )
        == 1
    )
    assert sum(f"AWS account {member} (skipped): " in line for line in not_listed for member in org.suspended) == 2
    with open(dest / "chime-account-audit.json", encoding="utf-8") as handle:
        report = json.load(handle)
    statuses = {entry["aws_account_id"]: entry["status"] for entry in report["aws_accounts"]}
    assert len(statuses) == 25 and statuses[org.refuses_role] == statuses[org.refuses_chime] == "denied"
    assert sorted(report["source"]["aws_accounts"]) == sorted(a for a, s in statuses.items() if s == "listed")
    listed = [a for a, s in statuses.items() if s == "listed"]
    assert [a["account_id"] for a in report["accounts"]] == _expected(org, listed)
    # Every Chime account outside the management account breaks the rule, and only those.
    outside = {a["account_id"] for a in report["accounts"] if a["aws_account_id"] != MANAGEMENT_ACCOUNT}
    assert {v["account_id"] for v in report["violations"]} == outside and outside
    markdown = (dest / "chime-account-audit.md").read_text(encoding="utf-8")
    assert f"| {org.refuses_role} | denied | 0 |" in markdown


def test_a_non_compliant_audit_that_missed_aws_accounts_publishes_that_it_is_not_complete(org, faults, tmp_path):
    """non_compliant says that rules are broken, not that every AWS account was listed: the role publishes both,
    with set_stats (account_audit_complete) and in the result, and the message names the AWS accounts missed."""
    audit = {f"account_audit_{key}": value for key, value in _options(org).items()}
    audit.update(account_audit_organization_role_name="ChimeAudit", account_audit_on_denied="warn")
    audit.update(account_audit_dest=str(tmp_path / "audit"), account_audit_fail_on_violation=False)
    audit["account_audit_rules"] = {"allowed_aws_account_ids": [MANAGEMENT_ACCOUNT]}
    task = {"ansible.builtin.include_role": {"name": "chime.admin.account_audit"}, "vars": audit}
    env = dict(org.env(), ANSIBLE_SHOW_CUSTOM_STATS="1")

    def run():
        result = playbook_runner(tmp_path)([task], save=("account_audit_result",), env=env)
        assert result.rc == 0, result.output
        (line,) = [line for line in result.stdout.splitlines() if '"account_audit_complete"' in line]
        stats = json.loads(line.split("RUN:", 1)[1])
        return result.saved["account_audit_result"], stats

    missed, stats = run()
    assert (missed["outcome"], missed["complete"]) == ("non_compliant", False)
    assert (stats["account_audit_outcome"], stats["account_audit_complete"]) == ("non_compliant", False)
    refused = sorted([org.refuses_role, org.refuses_chime])
    assert missed["msg"].endswith(f" Incomplete too: 2 AWS account(s) not listed: {', '.join(refused)}.")
    org.gate.refuse.clear()
    org.chime.set_faults(org.refuses_chime, {})
    whole, stats = run()
    assert (whole["outcome"], whole["complete"]) == ("non_compliant", True)
    assert (stats["account_audit_outcome"], stats["account_audit_complete"]) == ("non_compliant", True)
    assert "Incomplete too" not in whole["msg"]


@contextlib.contextmanager
def _hostile_records(org, records):
    """Serve each member's record at its index (``{member: (index, record)}``) in place of its own until the block
    ends: the fake sends each account's JSON as it was serialised."""
    saved = {}
    for member, (index, record) in records.items():
        tenant = org.chime.tenants[member]
        saved[member] = (index, tenant.encoded[index])
        tenant.encoded[index] = json.dumps(record)
    try:
        yield
    finally:
        for member, (index, encoded) in saved.items():
            org.chime.tenants[member].encoded[index] = encoded


def test_a_malformed_record_fails_its_aws_account_named_with_its_page_in_every_door(org, faults, tmp_path):
    members = [m for m in _active_members(org) if m not in (org.refuses_role, org.refuses_chime, org.throttles)]
    timestamp, groups, no_id = members[:3]

    def record(member, **changes):
        account = dict(org.chime.tenants[member].data.accounts[9], **changes)
        return {k: v for k, v in account.items() if v is not None}

    hostile = {
        timestamp: (9, record(timestamp, CreatedTimestamp="the day before yesterday")),
        groups: (9, record(groups, SigninDelegateGroups=[None])),
        no_id: (9, record(no_id, AwsAccountId=None)),
    }
    options = _options(org, organization_role_name="ChimeAudit", on_denied="warn", backoff_retries=1)
    tasks = [
        {MODULE: options, "register": "r", "ignore_errors": True},
        {"ansible.builtin.set_fact": {"via_lookup": _lookup(options)}, "register": "l", "ignore_errors": True},
        {ACTION: dict(options, dest=str(tmp_path / "audit")), "register": "a", "ignore_errors": True},
    ]
    with _hostile_records(org, hostile):
        result = _run(org, tmp_path, tasks, save=("r", "l", "a"))
    assert "Traceback" not in result.output and "AttributeError" not in result.output
    for door in ("r", "l", "a"):
        registered = result.saved[door]
        message = registered["msg"]
        assert registered["failed"] is True and "3 of 25 AWS accounts" in message, message
        for member in hostile:  # page 2 of 7 accounts holds the tenth; retried once
            assert f"{member}: Failed to list Chime accounts: ListAccounts on page 2 after 2 attempts" in message
            assert "returned MalformedResponseError: record 3 of the page" in message
        assert "no AwsAccountId" in message and "partial list" in message
    assert result.saved["a"]["outcome"] == "incomplete"
    assert len(faults.requests(no_id)) == 3 * 3  # each door: page 1, then page 2 twice


def test_a_member_with_no_state_fails_named_in_every_door(org, faults, tmp_path):
    member = next(m for m in _active_members(org) if m not in (org.refuses_role, org.refuses_chime, org.throttles))
    org.set_state(member, None)
    options = _options(org, organization_role_name="ChimeAudit", on_denied="skip")
    tasks = [
        {MODULE: options, "register": "r", "ignore_errors": True},
        {"ansible.builtin.set_fact": {"via_lookup": _lookup(options)}, "register": "l", "ignore_errors": True},
        {ACTION: dict(options, dest=str(tmp_path / "audit")), "register": "a", "ignore_errors": True},
    ]
    try:
        result = _run(org, tmp_path, tasks, save=("r", "l", "a"))
    finally:
        org.set_state(member, "ACTIVE")
    for door in ("r", "l", "a"):
        message = result.saved[door]["msg"]
        assert result.saved[door]["failed"] is True and "1 of 25 AWS accounts" in message, message
        assert f"{member}: Not listed: Organizations ListAccounts gave the AWS account no State (nor Status)" in message
    assert result.saved["a"]["outcome"] == "incomplete"
    assert member not in {e["tenant"] for e in faults.log}  # not listed: its role was never assumed


def test_on_denied_error_fails_the_lookup_and_the_audit_naming_each_refusal(org, faults, tmp_path):
    # The module's own test has a second door here: a refusal under on_denied error is never a success.
    options = _options(org, organization_role_name="ChimeAudit", on_denied="error")
    tasks = [
        {"ansible.builtin.set_fact": {"via_lookup": _lookup(options)}, "register": "l", "ignore_errors": True},
        {ACTION: dict(options, dest=str(tmp_path / "audit")), "register": "a", "ignore_errors": True},
    ]
    result = _run(org, tmp_path, tasks, save=("l", "a"))
    for door in ("l", "a"):
        registered = result.saved[door]
        assert registered["failed"] is True and "2 of 25 AWS accounts" in registered["msg"], registered["msg"]
        assert org.refuses_role in registered["msg"] and org.refuses_chime in registered["msg"]
    audit = result.saved["a"]
    assert audit["outcome"] == "incomplete" and "summary" not in audit
    assert not (tmp_path / "audit").exists()  # no report takes the refused AWS accounts for empty


# A role named by an e-mail address: IAM allows @ in a role's name, and some organisations name a person's role so.
# The address is in the task's input only; any trace of it in an output is a leak.
ROLE_EMAIL = "role.owner@arn-marker.example"
WITHHELD = "<e-mail address withheld>"


def _role_leaks(text):
    from e2e.test_secrets import leaks

    return leaks(text, (ROLE_EMAIL,))


def test_role_arns_and_a_role_name_that_hold_an_address_show_it_in_no_output(org, faults, tmp_path):
    """Through the module, the lookup and the action, at -vvvv with the invocation injected: role ARNs whose role
    name is an e-mail address (one listed, one that STS refuses quoting it, one whose Chime refuses), the same as an
    organization_role_name, and refused ones (a malformed ARN, two into one AWS account, a role name with a space).
    The address is withheld from aws_accounts[].role_arn, warnings, failures, the invocation and every report."""
    listed, refused_role, refused_chime = _active_members(org)[8], org.refuses_role, org.refuses_chime
    arns = [
        f"arn:aws:iam::{listed}:role/{ROLE_EMAIL}",
        f"arn:aws:iam::{refused_role}:role/audit/{ROLE_EMAIL}",
        f"arn:aws:iam::{refused_chime}:role/{ROLE_EMAIL}",
    ]
    dest = tmp_path / "audit"
    warn = _options(org, role_arns=arns, on_denied="warn")
    formats = ["json", "csv", "markdown", "html", "ocsf"]
    bad = {
        "bad_arn": {"role_arns": [f"arn:aws:iam::12345:role/{ROLE_EMAIL}"]},
        "two_roles": {"role_arns": [arns[0], f"arn:aws:iam::{listed}:role/other/{ROLE_EMAIL}"]},
        "bad_name": {"organization_role_name": f"{ROLE_EMAIL} x"},
    }
    tasks = [
        {MODULE: warn, "register": "m_warn"},
        {MODULE: dict(warn, on_denied="error"), "register": "m_error", "ignore_errors": True},
        {"ansible.builtin.set_fact": {"l_value": _lookup(warn)}, "register": "l_warn"},
        {ACTION: dict(warn, dest=str(dest), formats=formats, fail_on_violation=False), "register": "a_warn"},
        {MODULE: _options(org, organization_role_name=ROLE_EMAIL, on_denied="warn"), "register": "m_org"},
    ]
    for name, extra in bad.items():
        tasks.append({MODULE: _options(org, **extra), "register": f"m_{name}", "ignore_errors": True})
        tasks.append({ACTION: _options(org, dest=str(dest), **extra), "register": f"a_{name}", "ignore_errors": True})
        lookup = {"ansible.builtin.set_fact": {"x": _lookup(_options(org, **extra))}}
        tasks.append(dict(lookup, register=f"l_{name}", ignore_errors=True))
    names = [task["register"] for task in tasks] + ["l_value"]
    env = dict(org.env(), ANSIBLE_INJECT_INVOCATION="1")
    result = playbook_runner(tmp_path)(tasks, save=names, env=env, args=("-vvvv",))
    assert result.rc == 0, result.output
    saved = result.saved
    # The runs did what they should, so that the address's absence means something.
    shown = [arn.replace(ROLE_EMAIL, WITHHELD) for arn in arns]
    entries = {e["aws_account_id"]: e for e in saved["m_warn"]["aws_accounts"]}
    assert [entries[a]["role_arn"] for a in (listed, refused_role, refused_chime)] == shown
    assert entries[listed]["status"] == "listed" and entries[listed]["accounts"] == ACCOUNTS_EACH
    assert f"STS AssumeRole of {shown[1]} returned AccessDenied" in entries[refused_role]["message"]
    assert f"on resource: {shown[1]}" in entries[refused_role]["message"]  # STS's own quote of the ARN
    assert any(f"STS AssumeRole of {shown[1]}" in w for w in saved["m_warn"]["warnings"])
    assert saved["m_error"]["failed"] and f"STS AssumeRole of {shown[1]}" in saved["m_error"]["msg"]
    assert module_args(result, saved["m_warn"])["role_arns"] == shown
    assert len(saved["l_value"]) == ACCOUNTS_EACH and f"STS AssumeRole of {shown[1]}" in result.stdout
    member = next(e for e in saved["m_org"]["aws_accounts"] if e["status"] == "listed" and e["role_arn"])
    assert member["role_arn"] == f"arn:aws:iam::{member['aws_account_id']}:role/{WITHHELD}"
    assert module_args(result, saved["m_org"])["organization_role_name"] == WITHHELD
    assert saved["a_warn"]["outcome"] == "incomplete" and not saved["a_warn"].get("failed")
    for name in bad:
        for door in "mal":
            registered = saved[f"{door}_{name}"]
            assert registered["failed"] is True and WITHHELD in registered["msg"], (door, name, registered["msg"])
    reports = "\n".join(path.read_text(encoding="utf-8") for path in sorted(dest.iterdir()))
    assert shown[0] in reports and len(list(dest.iterdir())) >= len(formats)
    for label, text in (("stdout", result.stdout), ("stderr", result.stderr), ("saved", json.dumps(saved))):
        assert not _role_leaks(text), (label, _role_leaks(text))
    assert not _role_leaks(reports), _role_leaks(reports)
    assert "invocation" in result.output


@pytest.mark.parametrize("asked", ["role_arns", "organization_role_name"])
def test_a_role_named_by_an_address_is_in_no_artifact_of_an_audit_job(org, faults, tmp_path, asked):
    """The role as AWX runs it (ansible-runner, -vvvv), its reports in every format: the address typed in the
    survey is in no artifact (stdout, job events, set_stats), no report and no message. The private data
    directory's env/ holds the survey's answers as typed: the job's input, not its output."""
    from e2e.awx_jobs import artifact_text
    from e2e.awx_jobs import run_job
    from e2e.awx_jobs import stats_data

    envvars = dict(org.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    survey = {f"account_audit_{key}": value for key, value in _options(org).items()}
    survey.update(account_audit_on_denied="warn", audit_fail_on_violation=False)
    survey["account_audit_formats"] = ["json", "csv", "markdown", "html", "ocsf"]
    if asked == "role_arns":
        listed = _active_members(org)[9]
        survey["account_audit_role_arns"] = [
            f"arn:aws:iam::{listed}:role/{ROLE_EMAIL}",
            f"arn:aws:iam::{org.refuses_role}:role/audit/{ROLE_EMAIL}",
        ]
    else:
        survey["account_audit_organization_role_name"] = ROLE_EMAIL
    job = run_job(tmp_path, envvars, survey, cmdline="-vvvv")
    assert job.status == "successful", job.stdout
    stats = stats_data(job)
    assert stats["account_audit_complete"] is False  # the refused role: not every AWS account was listed
    assert f"role/{WITHHELD}" in job.stdout or f"role/audit/{WITHHELD}" in job.stdout
    pdd = tmp_path / "job"
    written = [p for p in sorted(pdd.rglob("*")) if p.is_file() and (pdd / "env") not in p.parents]
    reports = [p for p in written if p.parent.name == "chime-account-audit"]
    assert len(reports) >= 5, written
    (json_report,) = [p for p in reports if p.name == "chime-account-audit.json"]
    assert f"STS AssumeRole of arn:aws:iam::{org.refuses_role}:role/" in json_report.read_text(encoding="utf-8")
    everything = artifact_text(job.artifacts) + "\n".join(
        p.read_text(encoding="utf-8", errors="replace") for p in written if p.name != "command"
    )
    assert not _role_leaks(everything), _role_leaks(everything)


def test_suspended_members_are_skipped_and_the_audit_is_complete_all_the_same(org, faults, tmp_path):
    """Suspended members are not AWS accounts the audit failed to list: with every active member listed, the action
    reports them skipped, and the audit is complete (compliant here), not incomplete. Through the action alone; the
    role's set_stats say the same in the test above."""
    org.gate.refuse.clear()
    faults.set_faults(org.refuses_chime, {})
    dest = tmp_path / "audit"
    options = _options(org, organization_role_name="ChimeAudit", on_denied="warn", dest=str(dest), formats=["json"])
    result = _run(org, tmp_path, [{ACTION: options, "register": "r"}])
    assert result.rc == 0, result.output
    audit = result.saved["r"]
    assert (audit["outcome"], audit["complete"]) == ("compliant", True), audit["msg"]
    assert audit["msg"] == "Chime account audit: compliant." and not audit.get("warnings")
    report = json.loads((dest / "chime-account-audit.json").read_text(encoding="utf-8"))
    statuses = {entry["aws_account_id"]: entry["status"] for entry in report["aws_accounts"]}
    assert sorted(a for a, s in statuses.items() if s == "skipped") == sorted(org.suspended)
    assert sorted(report["source"]["aws_accounts"]) == sorted([MANAGEMENT_ACCOUNT, *_active_members(org)])


def test_the_same_role_arns_in_another_order_are_the_same_scope(org, faults, tmp_path):
    """A reordered list: role_arns are a set in the scope, so a run that lists them in another order (a survey's
    multiselect keeps no order) compares with the other's report as its baseline, through the action."""
    first, second = _active_members(org)[10], _active_members(org)[11]
    arns = [f"arn:aws:iam::{first}:role/ChimeAudit", f"arn:aws:iam::{second}:role/ChimeAudit"]
    dest = tmp_path / "audit"
    options = _options(org, role_arns=arns, dest=str(dest), formats=["json"], fail_on_violation=False)
    baseline = tmp_path / "baseline.json"
    tasks = [
        {ACTION: options, "register": "a"},
        {"ansible.builtin.copy": {"src": str(dest / "chime-account-audit.json"), "dest": str(baseline)}},
        {ACTION: dict(options, role_arns=arns[::-1], baseline=str(baseline)), "register": "b", "ignore_errors": True},
    ]
    result = _run(org, tmp_path, tasks, save=("a", "b"))
    again = result.saved["b"]
    assert not again.get("failed") and again["complete"] is True, again.get("msg")
    assert again["summary"]["changes"] == {"added": 0, "removed": 0, "changed": 0, "not_compared": 0}
    assert again["source"]["scope"] == result.saved["a"]["source"]["scope"]
    assert again["source"]["scope"]["role_arns"] == sorted(arns)


def test_a_central_audit_imports_every_finding_under_the_caller_and_names_each_member(org, faults, tmp_path):
    """Security Hub takes a finding with the default product ARN only from the AWS account in its AwsAccountId:
    an audit through role_arns imports every member's findings under the caller's account, and names the member's
    AWS account in the finding's resources and ProductFields."""
    from fake_chime.organization import MANAGEMENT_ACCESS_KEY
    from fake_chime.organization import MANAGEMENT_ACCOUNT
    from fake_chime.organization import MANAGEMENT_SECRET_KEY
    from fake_chime.securityhub import FakeSecurityHub

    members = _active_members(org)[6:9]
    arns = [f"arn:aws:iam::{member}:role/ChimeAudit" for member in members]
    options = _options(org, role_arns=arns, dest=str(tmp_path / "reports"), formats=["json"], security_hub=True)
    options.update(rules={"name_pattern": "^no account is named so$"}, fail_on_violation=False)
    with FakeSecurityHub() as hub:
        hub.add_credential(MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, MANAGEMENT_ACCOUNT).enable(MANAGEMENT_ACCOUNT)
        result = playbook_runner(tmp_path)([{ACTION: options, "register": "r"}], env=dict(org.env(), **hub.env()))
        assert result.rc == 0, result.output
        stored = hub.findings(MANAGEMENT_ACCOUNT)
        calls = hub.requests("BatchImportFindings")
    report = json.loads((tmp_path / "reports" / "chime-account-audit.json").read_text(encoding="utf-8"))
    assert len(report["violations"]) == len(members) * ACCOUNTS_EACH == len(stored)
    assert {e["account"] for e in calls} == {MANAGEMENT_ACCOUNT}  # signed by the caller, never by a member's role
    assert {f["AwsAccountId"] for f in stored.values()} == {MANAGEMENT_ACCOUNT}
    product = f"arn:aws:securityhub:us-east-1:{MANAGEMENT_ACCOUNT}:product/{MANAGEMENT_ACCOUNT}/default"
    assert {f["ProductArn"] for f in stored.values()} == {product}
    named = {f["ProductFields"]["chime.admin/AwsAccountId"] for f in stored.values()}
    assert named == set(members)
    for finding in stored.values():
        member = finding["ProductFields"]["chime.admin/AwsAccountId"]
        assert {"Type": "AwsAccount", "Id": f"AWS::::Account:{member}", "Partition": "aws"} in finding["Resources"]
    assert result.saved["r"]["security_hub"]["imported"] == len(stored)
