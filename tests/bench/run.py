# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""`make bench`: measure the collection against the physical minimum and against plain boto3.

Every comparison runs both sides in the same run, alternating, and quotes medians and the median of
the pair-by-pair ratios. Prints a table; unless --smoke, rewrites docs/performance.md.
The fake endpoint runs in its own process, so that it does not share the measured process's GIL.
"""

import argparse
import contextlib
import datetime
import heapq
import json
import math
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import unittest.mock

import boto3
import botocore
import botocore.config

from ansible_collections.chime.admin.plugins.module_utils import chime as core
from ansible_collections.chime.admin.plugins.module_utils._chime.listing import client_config
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import DEFAULT_PREFIX
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import DEFAULT_REPORT_NAME
from ansible_collections.chime.admin.plugins.plugin_utils._format_json import to_json
from ansible_collections.chime.admin.plugins.plugin_utils._formats import CONTENT_TYPES
from ansible_collections.chime.admin.plugins.plugin_utils._formats import DEFAULT_FORMATS
from ansible_collections.chime.admin.plugins.plugin_utils._formats import EXTENSIONS
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import LIFE_KEYS
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._scope import build_scope
from ansible_collections.chime.admin.plugins.plugin_utils._store import S3Store

from e2e.awx_jobs import MAX_EVENT_RES_DATA
from e2e.awx_jobs import largest_event_res
from e2e.awx_jobs import run_job
from fake_chime.data import audit_sample
from fake_chime.process import FakeChimeProcess
from fake_chime.s3 import FakeS3
from fake_chime.testing import create_chime_client

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from plain_boto3_listing import list_accounts_plainly  # noqa: E402 (needs the path above)

BIN = os.path.dirname(sys.executable)


class Endpoint(FakeChimeProcess):
    """The fake endpoint in its own process, with a client configured as the collection's."""

    def client(self, index=0):
        """A standard boto3 client (botocore parses timestamps) with the collection's configuration."""
        tenant = self.tenants[index]
        return boto3.client(
            "chime",
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id=tenant["access_key"],
            aws_secret_access_key=tenant["secret_key"],
            config=client_config(),
        )

    def env(self, index=0):
        """The child environment, with ansible's interpreter set to this Python."""
        return dict(super().env(index), ANSIBLE_PYTHON_INTERPRETER=sys.executable)


def timed(function):
    """Seconds one call takes."""
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def alternate(first, second, runs):
    """Run both sides ``runs`` times, alternating which goes first; return their medians and the
    median of the pair-by-pair ratios first/second."""
    a, b = [], []
    for run in range(runs):
        if run % 2 == 0:
            a.append(timed(first))
            b.append(timed(second))
        else:
            b.append(timed(second))
            a.append(timed(first))
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b, strict=True))


def peak_rss_mib(command, env):
    """Run a command with os.wait4 to read its peak RSS; return (MiB, stdout size). For a command that
    starts processes of its own, ru_maxrss is that of the largest single process of its tree (it and the
    descendants it waited for), not their sum."""
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"{command} failed with {process.returncode}")
        return usage.ru_maxrss / 1024, out.tell()


# ----- the measurements ------------------------------------------------------------------------
def measure_calls(sizes):
    """1. Calls made for N accounts against the minimum ceil(N/200) (1 for N = 0)."""
    rows = []
    with Endpoint(sizes) as endpoint:
        for index, count in enumerate(sizes):
            before = endpoint.stats()["requests"]
            listed = core.list_chime_accounts(endpoint.client(index))
            calls = endpoint.stats()["requests"] - before
            minimum = max(1, math.ceil(count / 200))
            assert len(listed) == count, f"listed {len(listed)} of {count}"
            rows.append(
                (
                    f"API calls, N={count}",
                    f"{calls} calls",
                    f"minimum {minimum}",
                    "equal" if calls == minimum else "NOT EQUAL",
                )
            )
    return rows


def measure_core_overhead(count, runs):
    """2. The core listing against a plain boto3 loop that keeps raw dicts, same process, alternating.

    The core runs twice: on the client the collection creates (botocore keeps the wire timestamp)
    and on a standard boto3 client (botocore parses every timestamp with dateutil), which is how
    the collection listed before the fix that docs/performance.md describes.
    """
    with Endpoint([count]) as endpoint:
        tenant = endpoint.tenants[0]
        connect = {"aws_access_key_id": tenant["access_key"], "aws_secret_access_key": tenant["secret_key"]}
        ours = create_chime_client(None, endpoint.url, connect)
        standard = endpoint.client()
        after, plain, ratio = alternate(
            lambda: core.list_chime_accounts(ours), lambda: list_accounts_plainly(standard), runs
        )
        before, plain_again, ratio_before = alternate(
            lambda: core.list_chime_accounts(standard), lambda: list_accounts_plainly(standard), runs
        )
    return [
        (
            f"core listing of {count} accounts vs plain boto3 loop",
            f"{after:.3f} s vs {plain:.3f} s",
            f"ratio {ratio:.3f}",
            "target <= 1.10",
        ),
        (
            f"the same before the timestamp fix (standard client), {count} accounts",
            f"{before:.3f} s vs {plain_again:.3f} s",
            f"ratio {ratio_before:.3f}",
            "botocore parses timestamps with dateutil",
        ),
    ]


def module_args_file(directory, url, count_hint):
    """An args file for running the module file directly, as AnsiballZ would."""
    path = os.path.join(directory, f"args-{count_hint}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": {"endpoint_url": url}}, handle)
    return path


def measure_end_to_end(count, big_count, runs):
    """3. `ansible -m chime_account_info` against a standalone boto3 script; the module's peak RSS."""
    rows = []
    module_file = os.path.join(ROOT, "plugins", "modules", "chime_account_info.py")
    with Endpoint([count, big_count]) as endpoint:
        env = endpoint.env(0)
        adhoc = [os.path.join(BIN, "ansible"), "localhost", "-m", "chime.admin.chime_account_info"]
        adhoc += ["-a", json.dumps({"endpoint_url": endpoint.url})]
        script = [sys.executable, os.path.join(HERE, "plain_boto3_listing.py")]
        ours, plain, ratio = alternate(
            lambda: subprocess.run(adhoc, env=env, check=True, capture_output=True),
            lambda: subprocess.run(script, env=env, check=True, capture_output=True),
            runs,
        )
        rows.append(
            (
                f"ansible -m chime_account_info, {count} accounts, vs boto3 script",
                f"{ours:.2f} s vs {plain:.2f} s",
                f"ratio {ratio:.2f}",
                "wall time, medians",
            )
        )
        with tempfile.TemporaryDirectory() as scratch:
            for index, size in ((0, count), (1, big_count)):
                args = module_args_file(scratch, endpoint.url, size)
                rss, output = peak_rss_mib([sys.executable, module_file, args], endpoint.env(index))
                target = "target < 3x" if size == big_count else ""
                rows.append(
                    (
                        f"module process peak RSS, {size} accounts",
                        f"{rss:.0f} MiB",
                        f"JSON returned {output / 2**20:.1f} MiB; RSS = {rss / (output / 2**20):.2f}x that",
                        target,
                    )
                )
    return rows


def measure_throttled(count, rate, runs):
    """4. A token-bucket limit of ``rate`` requests per second: wall time against calls/rate."""
    # A bucket of one token: no saved-up burst, so calls/rate is the floor.
    with Endpoint([count], {"rate_limit": rate, "rate_burst": 1}) as endpoint:
        tenant = endpoint.tenants[0]
        connect = {"aws_access_key_id": tenant["access_key"], "aws_secret_access_key": tenant["secret_key"]}
        client = create_chime_client(None, endpoint.url, connect)
        floor = math.ceil(count / 200) / rate
        times, failures, requests = [], 0, []
        for _run in range(runs):
            before = endpoint.stats()["requests"]
            try:
                times.append(timed(lambda: core.list_chime_accounts(client)))
            except core.ChimeListingError:
                failures += 1
            requests.append(endpoint.stats()["requests"] - before)
            time.sleep(1.0)
    wall = statistics.median(times) if times else float("nan")
    return [
        (
            f"throttled at {rate} req/s, {count} accounts (default backoff)",
            f"{wall:.2f} s, floor {floor:.2f} s",
            f"{wall / floor:.2f}x floor, {failures} failures",
            f"target <= 1.5x; median {statistics.median(requests):.0f} requests for {math.ceil(count / 200)} pages",
        )
    ]


def fan_out_playbook(directory, page_size=200):
    """A playbook that lists each host's tenant with the module."""
    path = os.path.join(directory, f"fanout-{page_size}.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            "- hosts: all\n  gather_facts: false\n  tasks:\n"
            "    - chime.admin.chime_account_info:\n"
            "        endpoint_url: '{{ chime_url }}'\n        access_key: '{{ chime_key }}'\n"
            f"        secret_key: '{{{{ chime_secret }}}}'\n        page_size: {page_size}\n"
        )
    return path


def host_per_tenant_inventory(directory, endpoint):
    """An inventory with one host per tenant (AWS account), its credentials as host variables: the
    pattern users follow to fan out with forks."""
    path = os.path.join(directory, "hosts")
    with open(path, "w", encoding="utf-8") as handle:
        for index, tenant in enumerate(endpoint.tenants):
            handle.write(
                f"aws{index} ansible_connection=local ansible_python_interpreter={sys.executable} "
                f"chime_url={endpoint.url} chime_key={tenant['access_key']} chime_secret={tenant['secret_key']}\n"
            )
    return path


def measure_fan_out(tenants, per_tenant, latency, runs):
    """5. Many AWS accounts with latency per call: forks=N against forks=1."""
    with Endpoint([per_tenant] * tenants, {"latency": latency}) as endpoint, tempfile.TemporaryDirectory() as scratch:
        inventory = host_per_tenant_inventory(scratch, endpoint)
        playbook = fan_out_playbook(scratch)
        env = endpoint.env(0)
        command = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, playbook, "--forks"]
        serial, parallel, ratio = alternate(
            lambda: subprocess.run([*command, "1"], env=env, check=True, capture_output=True),
            lambda: subprocess.run([*command, str(tenants)], env=env, check=True, capture_output=True),
            runs,
        )
    return [
        (
            f"fan-out, {tenants} AWS accounts x {per_tenant}, {latency * 1000:.0f} ms per call",
            f"forks=1 {serial:.1f} s, forks={tenants} {parallel:.1f} s",
            f"speedup {ratio:.1f}x",
            "target >= 8x",
        )
    ]


class Organization(Endpoint):
    """The fake endpoint and an organization in moto (STS, Organizations) in one child process."""

    def __init__(self, members, per_account, latency, aws_latency=0.0):
        # per_account: Chime accounts in each AWS account, or a list of one count per AWS account.
        counts = per_account if isinstance(per_account, list) else [per_account]
        super().__init__(counts, {"latency": latency}, organization=members, aws_latency=aws_latency)

    def aws_env(self):
        """The management account's credentials, with STS and Organizations pointed at moto."""
        management = self.tenants[0]
        return dict(
            self.env(0),
            AWS_ACCESS_KEY_ID=management["access_key"],
            AWS_SECRET_ACCESS_KEY=management["secret_key"],
            AWS_ENDPOINT_URL_STS=self.aws_url,
            AWS_ENDPOINT_URL_ORGANIZATIONS=self.aws_url,
        )


@contextlib.contextmanager
def _management_connection(endpoint):
    """The management account's AwsConnection to ``endpoint``, with the AWS variables of its environment set in
    this process (STS and Organizations reach moto through them) until the block ends."""
    env = endpoint.aws_env()
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        connect = {"aws_access_key_id": env["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"]}
        yield core.AwsConnection(None, endpoint.url, connect)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _organization_listing(endpoint, page_size, concurrency):
    """The core's listing of the whole organization, as the module runs it, in this process."""
    with _management_connection(endpoint) as connection:
        options = core.ListingOptions(page_size=page_size, organization_role_name="ChimeAudit", concurrency=concurrency)
        facts, _warnings = core.inventory(connection, [None], options)
        return facts


def measure_organization_listing(accounts, per_account, page_size, latency, runs):
    """7. The listing across AWS accounts without Ansible: concurrency 16 against 1."""
    with Organization(accounts - 1, per_account, latency) as endpoint:
        expected = accounts * per_account
        assert _organization_listing(endpoint, page_size, 16)["summary"]["total"] == expected
        serial, parallel, ratio = alternate(
            lambda: _organization_listing(endpoint, page_size, 1),
            lambda: _organization_listing(endpoint, page_size, 16),
            runs,
        )
    pages = math.ceil(per_account / page_size)
    return [
        (
            f"organization listing (core), {accounts} AWS accounts x {per_account} ({pages} pages), "
            f"{latency * 1000:.0f} ms per call",
            f"concurrency 1 {serial:.2f} s, 16 {parallel:.2f} s",
            f"speedup {serial / parallel:.1f}x (pairwise {ratio:.1f}x)",
            "target >= 8x",
        )
    ]


def _organization_playbook(directory, url, page_size, concurrency):
    path = os.path.join(directory, f"organization-{concurrency}.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
            "    - chime.admin.chime_account_info:\n        organization_role_name: ChimeAudit\n"
            f"        concurrency: {concurrency}\n        page_size: {page_size}\n        endpoint_url: '{url}'\n"
        )
    return path


def measure_organization_task(accounts, per_account, page_size, latency, runs):
    """8. One task across the organization: concurrency 16 against 1, and against forks=N hosts."""
    with Organization(accounts - 1, per_account, latency) as endpoint, tempfile.TemporaryDirectory() as scratch:
        env = endpoint.aws_env()
        command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local"]
        one, sixteen = (_organization_playbook(scratch, endpoint.url, page_size, c) for c in (1, 16))
        inventory = host_per_tenant_inventory(scratch, endpoint)
        forks = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, fan_out_playbook(scratch, page_size)]
        forks += ["--forks", str(accounts)]
        serial, parallel, ratio = alternate(
            lambda: subprocess.run([*command, one], env=env, check=True, capture_output=True),
            lambda: subprocess.run([*command, sixteen], env=env, check=True, capture_output=True),
            runs,
        )
        hosts, task, host_ratio = alternate(
            lambda: subprocess.run(forks, env=env, check=True, capture_output=True),
            lambda: subprocess.run([*command, sixteen], env=env, check=True, capture_output=True),
            runs,
        )
        module_file = os.path.join(ROOT, "plugins", "modules", "chime_account_info.py")
        args = os.path.join(scratch, "org-args.json")
        with open(args, "w", encoding="utf-8") as handle:
            module_args = {"endpoint_url": endpoint.url, "organization_role_name": "ChimeAudit", "concurrency": 16}
            json.dump({"ANSIBLE_MODULE_ARGS": dict(module_args, page_size=page_size)}, handle)
        rss, output = peak_rss_mib([sys.executable, module_file, args], env)
    label = f"{accounts} AWS accounts x {per_account}, pages of {page_size}, {latency * 1000:.0f} ms per call"
    return [
        (
            f"organization task, {label}",
            f"concurrency 1 {serial:.2f} s, 16 {parallel:.2f} s",
            f"speedup {serial / parallel:.1f}x (pairwise {ratio:.1f}x)",
            "target >= 6x",
        ),
        (
            f"organization task vs forks={accounts} hosts, {label}",
            f"forks {hosts:.2f} s, one task {task:.2f} s",
            f"speedup {hosts / task:.1f}x (pairwise {host_ratio:.1f}x)",
            "target >= 3x",
        ),
        (
            f"module process peak RSS, organization of {accounts} x {per_account}",
            f"{rss:.0f} MiB",
            f"JSON returned {output / 2**20:.2f} MiB",
            "",
        ),
    ]


def _cpu_ms(function, count):
    """CPU milliseconds of this process per call, over ``count`` calls."""
    started = time.process_time()
    for _index in range(count):
        function()
    return (time.process_time() - started) * 1000 / count


def measure_cpu_per_aws_account(accounts, repeats):
    """9. CPU of this process per AWS account of an organization with no Chime accounts, by part, before and
    after one Chime client per role gave way to one shared client. The fake endpoint and moto run in their
    own process, so their CPU is not counted."""
    concurrency = core.ListingOptions().concurrency  # the default
    with Organization(accounts - 1, 0, 0.0) as endpoint, _management_connection(endpoint) as connection:
        sts = connection.client("sts")
        role = f"arn:aws:iam::{endpoint.tenants[1]['aws_account_id']}:role/ChimeAudit"
        credentials = sts.assume_role(RoleArn=role, RoleSessionName="bench")["Credentials"]
        keys = dict(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

        def own_client():  # what each role cost before: a client of its own, made under the session's lock
            connection.session.client(
                "chime", region_name=connection.region, endpoint_url=endpoint.url, config=connection.config, **keys
            )

        def shared_client():
            with connection.role_client(credentials):
                pass

        def listed():
            with connection.role_client(credentials) as client:
                core.list_chime_accounts(client)

        client_before = _cpu_ms(own_client, repeats)
        client_after = _cpu_ms(shared_client, repeats)
        assume = _cpu_ms(lambda: sts.assume_role(RoleArn=role, RoleSessionName="bench"), repeats)
        listing = _cpu_ms(listed, repeats)
        options = core.ListingOptions(organization_role_name="ChimeAudit", concurrency=concurrency)
        started = time.process_time()
        facts, _warnings = core.inventory(connection, [None], options)
        whole = (time.process_time() - started) * 1000 / len(facts["aws_accounts"])
    before, after = client_before + assume + listing, client_after + assume + listing
    return [
        (
            "CPU per AWS account, by part (no Chime accounts)",
            f"Chime client: own {client_before:.2f} ms, shared {client_after:.3f} ms; AssumeRole {assume:.2f} ms;"
            f" ListAccounts (one empty page) {listing:.2f} ms",
            f"before {before:.2f} ms, after {after:.2f} ms ({before / after:.1f}x less)",
            f"{repeats} calls each",
        ),
        (
            f"CPU per AWS account, whole organization listing, {accounts} AWS accounts, concurrency {concurrency}",
            f"{whole:.2f} ms per AWS account",
            f"{whole * accounts / 1000:.2f} s of CPU in all",
            "includes Organizations pages and threads",
        ),
    ]


def scale_counts(accounts):
    """Chime accounts per AWS account of a large organization, the management account first: most members have
    none; every 20th has 1 to 40."""
    return [5] + [(index % 40) + 1 if index % 20 == 0 else 0 for index in range(1, accounts)]


def _scale_playbook(directory, url, concurrency=None):
    path = os.path.join(directory, "organization-scale.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
            "    - chime.admin.chime_account_info:\n        organization_role_name: ChimeAudit\n"
            f"        endpoint_url: '{url}'\n" + (f"        concurrency: {concurrency}\n" if concurrency else "")
        )
    return path


def _ping_playbook(directory):
    path = os.path.join(directory, "ping.yml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n")
    return path


def organization_floors(accounts, latency, concurrency, page=20):
    """``(old, strict)``: two floors of the listing of an organization of ``accounts`` AWS accounts (the caller's
    own and ``accounts - 1`` members, each with at most one page of Chime accounts), ``latency`` a call.

    The old floor is the Organizations pages one after another, then one AssumeRole and one ListAccounts: it
    leaves out GetCallerIdentity, and that ``concurrency`` threads serve at most ``concurrency / (2 x latency)``
    AWS accounts a second. The strict floor is the time of the fan-out with every call taking ``latency`` and no
    CPU at all: GetCallerIdentity, then the pages one after another, each member started (AssumeRole, then
    ListAccounts) as soon as its page has come and a thread is free, the caller's own account (one ListAccounts)
    right after GetCallerIdentity. It is what the real code could reach, at that concurrency, on an infinitely
    fast machine."""
    members = accounts - 1
    pages = math.ceil(members / page)
    old = (pages + 2) * latency
    free = [latency] * concurrency  # every thread is free once GetCallerIdentity has answered
    heapq.heapify(free)
    work = [(latency, latency)] + [(latency * (2 + index // page), 2 * latency) for index in range(members)]
    finish = latency * (1 + pages)  # the last page has come
    for ready, duration in work:
        start = max(heapq.heappop(free), ready)
        heapq.heappush(free, start + duration)
        finish = max(finish, start + duration)
    return old, finish


def measure_organization_concurrency(accounts, latency, runs, concurrencies=(32, 48)):
    """11. The core listing of an organization of ``accounts`` AWS accounts, ``latency`` a call, at two
    concurrencies, alternating, each against its strict floor (:func:`organization_floors`)."""
    counts = scale_counts(accounts)
    low, high = concurrencies
    with Organization(accounts - 1, counts, latency, aws_latency=latency) as endpoint:
        assert _organization_listing(endpoint, 200, high)["summary"]["total"] == sum(counts)
        first, second, ratio = alternate(
            lambda: _organization_listing(endpoint, 200, low),
            lambda: _organization_listing(endpoint, 200, high),
            runs,
        )
    rows = []
    for concurrency, time_taken in ((low, first), (high, second)):
        old, strict = organization_floors(accounts, latency, concurrency)
        rows.append(
            (
                f"organization listing (core), {accounts} AWS accounts, {latency * 1000:.0f} ms a call,"
                f" concurrency {concurrency}",
                f"{time_taken:.2f} s; strict floor {strict:.2f} s, old floor {old:.2f} s",
                f"{time_taken / strict:.2f}x the strict floor, {time_taken / old:.2f}x the old",
                f"alternating with concurrency {high if concurrency == low else low}; {low} over {high}: pairwise"
                f" {ratio:.2f}x; target <= 1.5x the strict floor",
            )
        )
    return rows


def measure_organization_scale(accounts, latency, runs):
    """10. An organization of ``accounts`` AWS accounts, most with no Chime account, ``latency`` on every STS,
    Organizations and Chime call, Organizations pages of 20: the core listing and one task at the default
    concurrency, against the floor (the Organizations pages one after another, then one AssumeRole and one
    ListAccounts) and, for the task, the floor plus a ping task's cost measured in the same run.

    With CHIME_BENCH_BASELINE set to a collections path (a tree of an earlier version of the collection), the
    same task also runs with that collection, alternating, for the figure before a change."""
    counts = scale_counts(accounts)
    pages = math.ceil((accounts - 1) / 20)
    floor, strict = organization_floors(accounts, latency, core.ListingOptions().concurrency)
    baseline = os.environ.get("CHIME_BENCH_BASELINE")
    with (
        Organization(accounts - 1, counts, latency, aws_latency=latency) as endpoint,
        tempfile.TemporaryDirectory() as scratch,
    ):
        env = endpoint.aws_env()
        expected = sum(counts)
        facts = _organization_listing(endpoint, 200, core.ListingOptions().concurrency)
        assert facts["summary"]["total"] == expected and len(facts["aws_accounts"]) == accounts
        command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local"]
        task, ping = _scale_playbook(scratch, endpoint.url), _ping_playbook(scratch)
        core_times = [
            timed(lambda: _organization_listing(endpoint, 200, core.ListingOptions().concurrency))
            for _run in range(runs)
        ]
        task_time, ping_time, _ratio = alternate(
            lambda: subprocess.run([*command, task], env=env, check=True, capture_output=True),
            lambda: subprocess.run([*command, ping], env=env, check=True, capture_output=True),
            runs,
        )
        rows = []
        if baseline:
            old_env = dict(env, ANSIBLE_COLLECTIONS_PATH=baseline)
            old, new, ratio = alternate(
                lambda: subprocess.run([*command, task], env=old_env, check=True, capture_output=True),
                lambda: subprocess.run([*command, task], env=env, check=True, capture_output=True),
                runs,
            )
            rows.append(
                (
                    f"organization task, {accounts} AWS accounts, before and after",
                    f"before {old:.2f} s, after {new:.2f} s",
                    f"{old / new:.1f}x faster (pairwise {ratio:.1f}x)",
                    "before: the same task with the earlier collection, at its default concurrency",
                )
            )
        module_file = os.path.join(ROOT, "plugins", "modules", "chime_account_info.py")
        args = os.path.join(scratch, "scale-args.json")
        with open(args, "w", encoding="utf-8") as handle:
            json.dump(
                {"ANSIBLE_MODULE_ARGS": {"endpoint_url": endpoint.url, "organization_role_name": "ChimeAudit"}}, handle
            )
        rss, output = peak_rss_mib([sys.executable, module_file, args], env)
    listing = statistics.median(core_times)
    label = (
        f"{accounts} AWS accounts ({sum(1 for c in counts if c)} with Chime accounts), {latency * 1000:.0f} ms a call"
    )
    concurrency = core.ListingOptions().concurrency
    return [
        (
            f"organization listing (core), {label}",
            f"{listing:.2f} s; strict floor {strict:.2f} s (GetCallerIdentity, {pages} Organizations pages, AssumeRole"
            f" and ListAccounts, {concurrency} threads); old floor {floor:.2f} s",
            f"{listing / strict:.2f}x the strict floor, {listing / floor:.2f}x the old",
            "target <= 1.5x the strict floor",
        ),
        (
            f"organization task, {label}",
            f"task {task_time:.2f} s; ping task {ping_time:.2f} s",
            f"{(task_time - ping_time) / strict:.2f}x the strict floor, {(task_time - ping_time) / floor:.2f}x the"
            " old, after the ping task",
            "(task - ping task) / floor; target <= 1.5x the strict floor",
        ),
        *rows,
        (
            f"module process peak RSS, organization of {accounts} AWS accounts",
            f"{rss:.0f} MiB",
            f"JSON returned {output / 2**20:.2f} MiB",
            "",
        ),
    ]


def measure_lookup(count, runs):
    """6. query() against the module, for the same data, each in a playbook."""
    with Endpoint([count]) as endpoint, tempfile.TemporaryDirectory() as scratch:
        env = endpoint.env(0)
        lookup = os.path.join(scratch, "lookup.yml")
        module = os.path.join(scratch, "module.yml")
        with open(lookup, "w", encoding="utf-8") as handle:
            handle.write(
                "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - set_fact:\n"
                "        n: \"{{ query('chime.admin.chime_accounts', endpoint_url=url) | length }}\"\n"
                f"      vars:\n        url: '{endpoint.url}'\n"
            )
        with open(module, "w", encoding="utf-8") as handle:
            handle.write(
                "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - chime.admin.chime_account_info:\n"
                f"        endpoint_url: '{endpoint.url}'\n"
            )
        command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local"]
        ours, theirs, ratio = alternate(
            lambda: subprocess.run([*command, lookup], env=env, check=True, capture_output=True),
            lambda: subprocess.run([*command, module], env=env, check=True, capture_output=True),
            runs,
        )
    return [
        (
            f"query() lookup vs module, {count} accounts",
            f"{ours:.2f} s vs {theirs:.2f} s",
            f"ratio {ratio:.2f}",
            "wall time of a playbook",
        )
    ]


# The policy of the AWX example's survey defaults (docs/examples/awx/survey.json), without the name pattern.
AUDIT_SLA_DAYS = {"critical": 7, "high": 30, "medium": 90, "low": 180, "informational": 365}
AUDIT_RULES = {
    "allowed_default_licenses": ["Basic", "Plus", "Pro"],
    "no_suspended_accounts": True,
    "enterprise_signin_delegate_groups": True,
}


def audit_playbooks(directory, url, dest, baseline=None):
    """The account_audit role writing its four formats to ``dest``, and chime_account_info alone,
    registered, against the same endpoint. With ``baseline``, the role compares with that report, with
    deadlines for every severity: the findings' life cycle on."""
    role = os.path.join(directory, "audit-role.yml")
    module = os.path.join(directory, "audit-listing.yml")
    with open(role, "w", encoding="utf-8") as handle:
        handle.write(
            "- hosts: localhost\n  gather_facts: false\n  roles:\n    - role: chime.admin.account_audit\n"
            f"      vars:\n        account_audit_endpoint_url: '{url}'\n        account_audit_dest: '{dest}'\n"
            f"        account_audit_fail_on_violation: false\n        account_audit_rules: {json.dumps(AUDIT_RULES)}\n"
        )
        if baseline:
            handle.write(
                f"        account_audit_baseline: '{baseline}'\n"
                f"        account_audit_sla_days: {json.dumps(AUDIT_SLA_DAYS)}\n"
            )
    with open(module, "w", encoding="utf-8") as handle:
        handle.write(
            "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - chime.admin.chime_account_info:\n"
            f"        endpoint_url: '{url}'\n      register: listing\n"
        )
    return role, module


def s3_uploads(tenant, texts, runs):
    """The S3 part of runs of the action, in-process, into FakeS3 on loopback, with the S3 client the action
    creates: S3Store.begin (the pointer read; the Object Lock check), the ``latest`` baseline read, and
    S3Store.store of the rendered ``texts`` (reports, manifest, conditional latest.json). Returns the median
    seconds of a later run, and the requests of a first run, a later run and a later run with Object Lock."""
    owner = tenant["aws_account_id"]
    with FakeS3() as s3:
        s3.add_credential(tenant["access_key"], tenant["secret_key"], owner)
        connect = {"aws_access_key_id": tenant["access_key"], "aws_secret_access_key": tenant["secret_key"]}
        with unittest.mock.patch.dict(os.environ, s3.env()):  # botocore reads AWS_ENDPOINT_URL_S3 here
            client = core.AwsConnection(None, None, connect).client("s3")
        requests, times = {}, []
        for kind, lock in (("plain", None), ("locked", {"mode": "GOVERNANCE", "days": 1})):
            bucket = f"chime-bench-{os.getpid()}-{kind}"
            s3.create_bucket(bucket, owner, object_lock=lock is not None)
            for run in range(runs + 1):
                store = S3Store(client, bucket, DEFAULT_PREFIX, owner, object_lock=lock)
                before = len(s3.requests())

                def one(store=store, stamp=f"20260101T0000{run:02d}Z"):
                    store.begin(DEFAULT_REPORT_NAME, history=True)
                    store.read_latest()
                    store.read_trend(None)  # the trend of earlier runs, from their manifests, as the action reads it
                    counts = {"findings": TREND_FINDINGS}
                    store.store(texts, DEFAULT_REPORT_NAME, stamp, CONTENT_TYPES, outcome="compliant", counts=counts)

                seconds = timed(one)
                made = len(s3.requests()) - before
                requests.setdefault((kind, "first" if run == 0 else "later"), made)
                if run and lock is None:
                    times.append(seconds)
            assert len(s3.objects(bucket)) == (runs + 1) * (len(texts) + 1) + 1, s3.objects(bucket)
    return statistics.median(times), requests


def format_4(report):
    """``report`` (format 5, read back) as format 4 wrote it: without the findings' life cycle."""
    old = {key: value for key, value in report.items() if key not in ("resolved", "trend")}
    old["report_format"] = 4
    old["summary"] = {key: value for key, value in report["summary"].items() if key != "findings"}
    for part in ("violations", "waived"):
        old[part] = [{key: value for key, value in f.items() if key not in LIFE_KEYS} for f in report[part]]
    return old


# A run's summary.findings, as its manifest records them: what the trend of the next runs reads.
TREND_FINDINGS = {
    "since": None, "new": 1, "open": 0, "overdue": 0, "waived": 0, "resolved": 0, "not_compared": 0,
    "by_severity": {"low": {"new": 1, "open": 0, "overdue": 0, "waived": 0, "resolved": 0}},
}  # fmt: skip


def measure_trend_requests(runs):
    """10. The S3 requests the trend adds to a run (S3Store.read_trend: a listing of the run folders, then
    manifests, newest first), counted by the fake S3: on a first run (its listing made by begin, reused), the
    second, and a run with ``runs`` complete runs of its scope before it (11 are read); and at most, when the
    prefix holds 60 runs of another scope (40 manifests read, then it stops). Also the S3 requests of a whole
    run with the trend are in the audit role's rows (s3_uploads)."""
    tenant = {"aws_account_id": "444455556666", "access_key": "AKIABENCHTREND000001", "secret_key": "bench-trend"}
    texts = dict(dict.fromkeys(DEFAULT_FORMATS, "x\n"), json=json.dumps({"accounts": []}) + "\n")
    owner = tenant["aws_account_id"]
    added = {}
    with FakeS3() as s3:
        s3.add_credential(tenant["access_key"], tenant["secret_key"], owner)
        client = s3.client(tenant["access_key"], tenant["secret_key"])
        scope, other = build_scope(owner, "aws"), build_scope(owner, "aws", names=["Eng"])
        for kind in ("own", "crowded"):
            bucket = f"chime-bench-trend-{os.getpid()}-{kind}"
            s3.create_bucket(bucket, owner)
            for run in range(runs + 1 if kind == "own" else 62):
                store = S3Store(client, bucket, DEFAULT_PREFIX, owner)
                store.begin(DEFAULT_REPORT_NAME, history=True)
                store.read_latest()
                before = len(s3.requests())
                points = store.read_trend(scope)
                made = len(s3.requests()) - before
                if kind == "own":
                    added.setdefault(min(run, 2) if run < runs else "steady", (made, len(points)))
                else:
                    added["crowded"] = (made, len(points))
                written = other if kind == "crowded" and 0 < run else scope
                store.store(texts, DEFAULT_REPORT_NAME, f"20260101T{run // 60:04d}{run % 60:02d}Z", CONTENT_TYPES,
                            scope=written, outcome="compliant", counts={"findings": TREND_FINDINGS})  # fmt: skip
    first, second, steady, crowded = added[0][0], added[1][0], added["steady"], added["crowded"][0]
    return [
        (
            f"S3 requests the trend adds: first run, second run, after {runs} complete runs, at most",
            f"{first}, {second}, {steady[0]} ({steady[1]} runs read), {crowded}",
            "1 ListObjectsV2 + 1 GetObject per manifest read",
            "manifests only, never a report; at most 40 manifests, 11 runs kept",
        ),
    ]


def measure_audit_role(count, runs):
    """9. The account_audit role's job against a playbook of chime_account_info alone, alternating; the
    upload of its reports to S3; the job's peak RSS; its largest event as an AWX-style job."""
    with Endpoint([count]) as endpoint, tempfile.TemporaryDirectory() as scratch:
        env = dict(endpoint.env(0), AWS_ENDPOINT_URL_STS=endpoint.url)  # the fake answers GetCallerIdentity
        dest = os.path.join(scratch, "reports")
        command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local"]
        # A first run makes the baseline that every measured run compares with (its findings all open then).
        role, module = audit_playbooks(scratch, endpoint.url, dest)
        subprocess.run([*command, role], env=env, check=True, capture_output=True)
        baseline = os.path.join(scratch, "baseline.json")
        os.replace(os.path.join(dest, f"{DEFAULT_REPORT_NAME}.json"), baseline)
        role, module = audit_playbooks(scratch, endpoint.url, dest, baseline)
        audit, listing, ratio = alternate(
            lambda: subprocess.run([*command, role], env=env, check=True, capture_output=True),
            lambda: subprocess.run([*command, module], env=env, check=True, capture_output=True),
            runs,
        )
        rss, _output = peak_rss_mib([*command, role], env)
        module_rss, _output = peak_rss_mib([*command, module], env)
        texts = {}
        for fmt in DEFAULT_FORMATS:  # what the role writes by default
            path = os.path.join(dest, f"{DEFAULT_REPORT_NAME}.{EXTENSIONS[fmt]}")
            with open(path, encoding="utf-8", newline="") as handle:
                texts[fmt] = handle.read()
        size = sum(len(text.encode("utf-8")) for text in texts.values())
        report = json.loads(texts["json"])
        json_now, json_before = len(texts["json"].encode("utf-8")), len(to_json(format_4(report)).encode("utf-8"))
        upload, requests = s3_uploads(endpoint.tenants[0], texts, runs)
        first, later, locked = requests["plain", "first"], requests["plain", "later"], requests["locked", "later"]
        tenant = endpoint.tenants[0]
        envvars = {"AWS_ACCESS_KEY_ID": tenant["access_key"], "AWS_SECRET_ACCESS_KEY": tenant["secret_key"]}
        envvars.update(AWS_ENDPOINT_URL_STS=endpoint.url, AWS_CONFIG_FILE=os.devnull)
        envvars.update(AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        survey = {"account_audit_endpoint_url": endpoint.url, "audit_fail_on_violation": False}
        job = run_job(pathlib.Path(scratch), envvars, survey)
        assert job.status == "successful", job.stdout
        largest, events = largest_event_res(job), len(job.events)
    return [
        (
            f"account_audit role (4 formats) vs chime_account_info playbook, {count} accounts",
            f"{audit:.2f} s vs {listing:.2f} s",
            f"ratio {ratio:.2f}",
            "target <= 1.0; life cycle on (a baseline, deadlines for every severity); 0.56 before it",
        ),
        (
            f"JSON report, {count} accounts, {len(report['violations'])} findings: format 5 vs format 4",
            f"{json_now / 2**20:.2f} MiB vs {json_before / 2**20:.2f} MiB",
            f"+{(json_now - json_before) / 2**10:.0f} KiB ({json_now / json_before - 1:.1%})",
            "format 4: the same report without the life-cycle keys, resolved, trend and summary.findings",
        ),
        (
            f"S3 part of a later run (pointer, baseline, 4 reports, manifest, latest.json), {count} accounts",
            f"{upload:.3f} s",
            f"{size / 2**20:.1f} MiB",
            "in-process, fake S3 on loopback",
        ),
        (
            "S3 requests per run: first run, later run, later run with Object Lock",
            f"{first}, {later}, {locked}",
            "before the trend: 8, 9, 10; before conditional writes: 7, 8",
            "baseline: latest; a report of 8 MiB or more adds its parts and a HEAD",
        ),
        (
            f"account_audit role job peak RSS, {count} accounts",
            f"{rss:.0f} MiB",
            f"chime_account_info playbook {module_rss:.0f} MiB",
            "largest single process of ansible-playbook's tree",
        ),
        (
            f"largest job event res of the AWX example job, {count} accounts",
            f"{largest} bytes",
            f"AWX cap {MAX_EVENT_RES_DATA} bytes",
            f"{events} events",
        ),
    ]


def measure_security_hub(count, runs):
    """12. An audit of ``count`` accounts, every built-in rule broken by many of them, imported into Security Hub
    against the same audit without the import, alternating: the time, the BatchImportFindings calls and the
    findings sent. The fake's gate checks each call (signature, account, product ARN) and takes its findings
    without storing them (``discard``): moto looks each imported finding up among all those it holds, a cost of
    the fake that grows with the square of the findings, measured apart in a first run into moto. Security Hub's
    own rate limit (10 calls a second, bursts of 30) is not modelled."""
    from fake_chime.securityhub import FakeSecurityHub
    from fake_chime.server import FakeChime

    tenant, key, secret = "444455556666", "AKIABENCHSECHUB00001", "bench-security-hub"
    data = audit_sample(count, seed=4, aws_account_id=tenant)
    for index, account in enumerate(data.accounts):  # each rule broken by many accounts
        if index % 4 == 0:
            account["AccountStatus"] = "Suspended"
        if index % 5 == 0:
            account.update(DefaultLicense="ProTrial", SupportedLicenses=["ProTrial"])
        if index % 6 == 0:
            account["Name"] = f"bad name #{index}!"
        if index % 9 == 0:
            account.update(AccountType="EnterpriseOIDC", SigninDelegateGroups=[])
    rules = dict(BENCH_BUILT_IN, allowed_account_types=["Team", "EnterpriseDirectory", "EnterpriseLWA"])
    with FakeChime() as chime, FakeSecurityHub() as hub, tempfile.TemporaryDirectory() as scratch:
        chime.add_tenant(data, key, secret)
        hub.add_credential(key, secret, tenant).enable(tenant)
        sink = FakeSecurityHub(discard=True).start()
        sink.add_credential(key, secret, tenant).enable(tenant)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_ENDPOINT_URL_STS=chime.url)
        env.update(hub.env(), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
        books = {}
        for name, delivered in (("hub", True), ("plain", False)):
            options = {"endpoint_url": chime.url, "dest": os.path.join(scratch, name), "formats": ["json"]}
            options.update(rules=rules, fail_on_violation=False, security_hub=delivered)
            task = {"chime.admin.chime_account_audit": options}
            books[name] = os.path.join(scratch, f"{name}.yml")
            with open(books[name], "w", encoding="utf-8") as handle:
                json.dump([{"hosts": "localhost", "gather_facts": False, "tasks": [task]}], handle)
        command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local"]
        first = timed(lambda: subprocess.run([*command, books["hub"]], env=env, check=True, capture_output=True))
        calls = hub.requests("BatchImportFindings")
        sent = sum(len(e["ids"]) for e in calls)
        assert all(e["status"] == 200 for e in calls), "a call was refused"
        held = len(hub.findings(tenant))
        env.update(sink.env())
        with_hub, without, ratio = alternate(
            lambda: subprocess.run([*command, books["hub"]], env=env, check=True, capture_output=True),
            lambda: subprocess.run([*command, books["plain"]], env=env, check=True, capture_output=True),
            runs,
        )
        sunk = sink.requests("BatchImportFindings")
        assert len(sunk) == runs * len(calls) and all(e["status"] == 200 for e in sunk), "a call was refused"
        sink.stop()
    return [
        (
            f"audit with Security Hub import vs without, {count} accounts, {sent} findings",
            f"{with_hub:.2f} s vs {without:.2f} s (into moto: {first:.2f} s)",
            f"ratio {ratio:.2f}; {len(calls)} BatchImportFindings calls a run",
            f"ceil({sent}/100) = {math.ceil(sent / 100)}; {held} findings in moto after its run",
        ),
    ]


# Every format, and three rules that many accounts break (about two thirds by the license, a few by status).
MEMORY_FORMATS = ("json", "csv", "markdown", "html", "ocsf", "asff")
MEMORY_RULES = {
    "allowed_default_licenses": ["Basic"],
    "no_suspended_accounts": True,
    "enterprise_signin_delegate_groups": True,
}


def measure_audit_memory(counts):
    """11. The account_audit role's peak RSS (its largest process) with every format and rules that many
    accounts break, at each of ``counts`` accounts; the size of each file it wrote, and the peak against the
    largest single file."""
    rows = []
    for count in counts:
        with Endpoint([count]) as endpoint, tempfile.TemporaryDirectory() as scratch:
            env = dict(endpoint.env(0), AWS_ENDPOINT_URL_STS=endpoint.url)
            dest = os.path.join(scratch, "reports")
            playbook = os.path.join(scratch, "audit-memory.yml")
            with open(playbook, "w", encoding="utf-8") as handle:
                handle.write(
                    "- hosts: localhost\n  gather_facts: false\n  roles:\n    - role: chime.admin.account_audit\n"
                    f"      vars:\n        account_audit_endpoint_url: '{endpoint.url}'\n"
                    f"        account_audit_dest: '{dest}'\n        account_audit_fail_on_violation: false\n"
                    f"        account_audit_formats: {json.dumps(list(MEMORY_FORMATS))}\n"
                    f"        account_audit_rules: {json.dumps(MEMORY_RULES)}\n"
                )
            command = [os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", playbook]
            started = time.perf_counter()
            rss, _output = peak_rss_mib(command, env)
            seconds = time.perf_counter() - started
            sizes = {name: os.path.getsize(os.path.join(dest, name)) for name in sorted(os.listdir(dest))}
            with open(os.path.join(dest, f"{DEFAULT_REPORT_NAME}.json"), encoding="utf-8") as handle:
                findings = len(json.load(handle)["violations"])
        largest = max(sizes, key=sizes.get)
        files = ", ".join(f"{name.split('.', 1)[1]} {size / 2**20:.1f}" for name, size in sizes.items())
        rows.append(
            (
                f"account_audit role peak RSS, every format, {count} accounts, {findings} findings",
                f"{rss:.0f} MiB ({seconds:.0f} s)",
                f"{rss / (sizes[largest] / 2**20):.1f}x the largest file ({largest.split('.', 1)[1]})",
                f"files in MiB: {files}",
            )
        )
    return rows


# Fourteen custom rules over every op, with the six built-in rules: the 20 rules of the policy measured.
BENCH_BUILT_IN = {
    "allowed_aws_account_ids": ["111122223333"],
    "allowed_account_types": ["Team", "EnterpriseDirectory", "EnterpriseLWA", "EnterpriseOIDC"],
    "allowed_default_licenses": ["Basic", "Plus", "Pro"],
    "no_suspended_accounts": True,
    "enterprise_signin_delegate_groups": True,
    "name_pattern": r"^[\pL\pN_ .'-]+$",
}


def _bench_custom_rules():
    leaves = [
        {"key": "account_type", "op": "eq", "value": "Team"},
        {"key": "account_status", "op": "ne", "value": "Suspended"},
        {"key": "default_license", "op": "in", "value": ["Basic", "Plus", "Pro"]},
        {"key": "default_license", "op": "not-in", "value": ["ProTrial"]},
        {"key": "supported_licenses", "op": "contains", "value": "Basic"},
        {"key": "signin_delegate_groups", "op": "not-contains", "value": "everyone"},
        {"key": "name", "op": "regex", "value": "^[A-Z]"},
        {"key": "age_days", "op": "lt", "value": 3650},
        {"key": "age_days", "op": "ge", "value": 0},
        {"key": "created_timestamp", "op": "gt", "value": "2000-01-01"},
        {"key": "account_id", "op": "present"},
        {"key": "name", "op": "absent"},
        {"key": "signin_delegate_groups", "op": "empty"},
        {"or": [{"key": "account_type", "op": "eq", "value": "Team"}, {"not": {"key": "name", "op": "empty"}}]},
    ]
    return [
        {"id": f"bench-{i}", "description": "d", "severity": "low", "remediation": "r", "require": leaf}
        for i, leaf in enumerate(leaves)
    ]


def measure_policy(count, runs):
    """10. The policy's evaluation per account: 20 rules (6 built-in, 14 custom over every op) against the 6
    built-in rules alone, alternating; and a catastrophic pattern on RE2."""
    accounts = [core.normalize_account(raw) for raw in audit_sample(count, seed=5).accounts]
    full = Policy(BENCH_BUILT_IN, custom_rules=_bench_custom_rules())
    built_in = Policy(BENCH_BUILT_IN)
    assert len(full.checked()) == 20, full.checked()
    now = datetime.datetime.now(datetime.timezone.utc)
    twenty, six, ratio = alternate(lambda: full.evaluate(accounts, now), lambda: built_in.evaluate(accounts, now), runs)
    catastrophic = Policy({"name_pattern": "^([A-Za-z0-9]+[ -]?)+$"})
    hostile = [dict(accounts[0], name="a" * 99 + "!")]
    redos = statistics.median(timed(lambda: catastrophic.evaluate(hostile, now)) for _run in range(max(runs, 3)))
    return [
        (
            f"policy evaluation, {count} accounts x 20 rules vs x 6 built-in rules",
            f"{twenty * 1e6 / count:.1f} us vs {six * 1e6 / count:.1f} us per account",
            f"ratio {ratio:.2f}; {twenty * 1e9 / count / 20:.0f} ns per account-rule",
            f"{twenty:.2f} s for all {count}",
        ),
        (
            "name_pattern ^([A-Za-z0-9]+[ -]?)+$ on a 100-character name ending in !",
            f"{redos * 1e6:.0f} us",
            "RE2: linear in the name",
            "Python's re: seconds at 24 characters, doubling per character",
        ),
    ]


# ----- report ----------------------------------------------------------------------------------
def versions():
    """The machine and the versions the figures were measured with."""
    import ansible

    return {
        "date": datetime.date.today().isoformat(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "ansible-core": ansible.__version__,
        "boto3": boto3.__version__,
        "botocore": botocore.__version__,
    }


def table(rows):
    """Rows as an aligned text table."""
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def write_report(rows, info, command, path):
    """Rewrite the performance page (docs/performance.md) with the figures as measured."""
    lines = [
        "# Performance",
        "",
        f"Measured on {info['date']} with `{command}`: {info['cpus']} CPUs, Python {info['python']},",
        f"ansible-core {info['ansible-core']}, boto3 {info['boto3']}, botocore {info['botocore']}.",
        "Medians of the runs; ratios are medians of pair-by-pair ratios, the two sides alternating.",
        "The fake endpoint runs in its own process on loopback. Machines here are shared and noisy:",
        "compare ratios measured in one run, not absolute times across runs.",
        "",
        "| measurement | figures | comparison | note |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {' | '.join(str(c) for c in row)} |" for row in rows]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n" + PERFORMANCE_NOTES)


PERFORMANCE_NOTES = """
## What the figures mean

- **API calls** must equal ceil(N/200), and 1 for no accounts: the default page size is the service's maximum.
- **Core overhead** compares the collection's listing (retries, checks, normalisation, de-duplication) with a
  bare boto3 loop that keeps the raw dicts. The second row runs the same core on a standard boto3 client, as
  the collection did before the timestamp fix below, in the same run.
- **End to end** includes Ansible's own start-up, AnsiballZ and result handling; the boto3 script has none.
- **Peak RSS** is the module process itself (the module file run with an arguments file, as AnsiballZ runs
  it), read with `wait4`.
- **Throttled** lists through a token bucket of one token (no saved-up burst), so calls/rate is the floor.
- **Fan-out** runs one module per AWS account; forks let Ansible overlap their network waits.
- **Organization listing (core)** runs the module's listing across an organization in moto (STS, Organizations)
  without Ansible, in one process: `concurrency` threads list that many AWS accounts at once, each one's pages
  in sequence. With 20 AWS accounts of 5 pages at 100 ms a call, 16 threads need two rounds of 5 calls (about
  1 s) where one thread needs 100 calls (about 10 s): 10x is the ceiling, before any CPU cost.
- **Organization task** is the same listing as one `chime_account_info` task, against 1 thread, and against
  today's pattern of one inventory host per AWS account with `--forks` equal to the number of accounts.
- **1,000 AWS accounts** lists an organization of 1,000 AWS accounts (50 of them with 1 to 40 Chime accounts) at
  100 ms on every STS, Organizations and Chime call, Organizations pages of 20, at the default concurrency: the
  core listing, and one task alternating with a ping task. The floor is the 50 Organizations pages one after
  another, then one `AssumeRole` and one ListAccounts. The fake answers `AssumeRole` itself (moto costs about
  14 ms of CPU a role, which made the fake the slowest part on two cores). With `CHIME_BENCH_BASELINE` set to a
  collections path holding an earlier version, the same task also runs with it, alternating: the "before" row.
- **CPU per AWS account** is this process's CPU (the fakes run in another) for each part of one AWS account with
  no Chime accounts, and for a whole listing of 1,000 such AWS accounts.
  Ansible's own cost of carrying a result back (about 3 s per 10,000 accounts here) is the same for every side
  and caps the ratios at large sizes; at 2,000 accounts it is small.

## The audit role at 10,000 accounts

The last rows run the `account_audit` role as a job runs it: against the fake endpoint (which also answers
STS `GetCallerIdentity`) and its 10,000 generated accounts, through `ansible-playbook` on localhost, with the
four formats written locally, the AWX example's default rules and `account_audit_fail_on_violation: false`.

- **Role against the listing** alternates the role's playbook with a playbook of one `chime_account_info` task
  whose result is registered, nothing else: listing the accounts into Ansible, before any report. The ratio was
  2.85 before the role became one action (the listing registered, the report built by a filter and templated).
- **S3 part of a later run** times, in-process, what the action does in S3 on a run with `baseline: latest`
  after the first, on the four reports the role wrote, with the S3 client the action creates, into the fake S3
  on loopback: `S3Store.begin` (one GET of `latest.json`, whose generation orders the run), the baseline (GETs
  of the run's manifest and of its JSON report, at their pinned versions), and `S3Store.store` (each report in
  one PutObject, which answers its VersionId, every report being under the 8 MiB multipart threshold; the
  manifest; `latest.json` by a conditional PutObject on the ETag read at the start). Chosen over the
  difference between the role with and without `account_audit_s3_bucket`, which would be the difference of
  two noisy playbook times. The fake S3 is a thread of the measuring process and checks every request's
  signature and body hash, so its own work is in the figure; a real bucket's latency and bandwidth are not.
- **S3 requests per run** counts the requests the fake S3 answered in one run: a first run (the GET of the
  missing `latest.json`, a ListObjectsV2 for run folders, four reports, the manifest and `latest.json`), a later
  run (three GETs, four reports, the manifest, `latest.json`) and a later run with Object Lock (and
  `GetObjectLockConfiguration`). Before conditional writes and manifests, the same runs made 7 and 8: the GET of
  `latest.json` for the baseline, the report, four uploads, a second GET of `latest.json` and its unconditional
  write (counted with the earlier `_store.py` the same way). A lost race adds a GET and a PutObject per
  attempt. The trend (the finding counts of the last complete runs, read from their manifests) adds to a later
  run a ListObjectsV2 of the run folders and one GET per manifest read: 2 with one earlier run (9 before the
  trend, 11 now), 12 once 11 complete runs of the scope are in the prefix, and at most 41 (40 manifests, when
  the newest runs are of other scopes or incomplete), plus one ListObjectsV2 per further 1,000 run folders. A
  first run adds none: the listing `begin` made is reused. **S3 requests the trend adds** counts them alone, with
  `S3Store.read_trend`, in-process; its figures, and the S3 row's since the trend, were measured with
  `python tests/bench/run.py --only measure_trend_requests` (the request counts do not depend on the reports'
  size below 8 MiB).
- **Peak RSS** runs the role's playbook once more in a fresh child process and reads `ru_maxrss` with `wait4`
  (`/usr/bin/time -v` reports the same): the largest single process of `ansible-playbook`'s tree (the
  controller, its forked worker, the processes they wait for), not their sum. For the role that is the worker
  that runs the action (sampled with `ps`, the controller's main process stays near its start-up size, about
  70 MiB); for the listing playbook it is the main process, which receives the registered result.
- **Largest job event** runs docs/examples/awx/audit.yml once as an AWX job through `ansible-runner`
  (`e2e.awx_jobs.run_job`, the survey's defaults with `audit_fail_on_violation: false`) and measures the
  largest event's `res` as JSON, as AWX measures it against its cap.

The figures are from one run of this section on a shared 2-core machine, while other jobs ran on it (load
average near 5): absolute times are inflated; the ratio, of alternating pairs, less so.

The role now costs less than listing with the module alone (ratio 0.66) because the accounts never pass
through Ansible variables. The action lists in the worker process that runs the task, checks the rules,
renders and writes the reports there, and returns about 11 KB (summary, counts, locations, the first 20
violations). The listing playbook pays for what the role no longer does: a module process (AnsiballZ, a new
Python, boto3 imported), `exit_json`'s copy and serialisation of 3.5 MiB of accounts, the worker parsing that
JSON and passing it to the controller, the controller registering it; the old role paid all that and then
templated the report. What remains is `ansible-playbook`'s start-up and the role's few tasks, the STS call,
the listing itself (botocore's parsing and `normalize_account`), the rules, rendering the four formats
(13.1 MiB of text) and writing them with fsync; uploading them to S3 adds about half a second here. Memory is
where the role pays: its worker holds the listing and the report while it writes one format at a time,
136 MiB against the listing playbook's 80 MiB. The job's largest event (11,092 bytes) does not grow with
the accounts (about the same at 300); the listing task's registered result would be one event of about
3.5 MiB, five times AWX's cap of 700,000 bytes.

## Memory of the audit with every format

**Peak RSS, every format** runs the role once with every format (json, csv, markdown, html, ocsf, asff) and three
rules that many accounts break (`allowed_default_licenses: [Basic]`, about two thirds of the accounts, and the
status and sign-in delegate rules), in a fresh `ansible-playbook`, and reads `ru_maxrss` with `wait4` (the
largest single process: the worker that runs the action). It also gives each file's size and the peak against
the largest single file (the OCSF array). Reproduce with `python tests/bench/run.py --only measure_audit_memory`
(in the collections tree, as `make bench` runs it).

Before the formats streamed (each format rendered into one string, all of them held at once, then written):

| accounts | findings | peak RSS | time | peak / largest file |
| --- | --- | --- | --- | --- |
| 10,000 | 12,695 | 345 MiB | 4 s | 12.8x (ocsf.json 26.9 MiB) |
| 100,000 | 126,960 | 2,447 MiB | 31 s | 9.1x (ocsf.json 268.9 MiB) |

The files at 100,000 accounts (MiB): json 114.6, csv 16.6, findings.csv 27.9, md 24.1, html 59.8,
ocsf.json 268.9; at 10,000 a tenth of that.

After (each format written to its file as it renders, one at a time; S3 uploads from the files written), measured
the same way, on the same shared machine (the end-to-end tests ran beside it, so the times are inflated):

| accounts | findings | peak RSS | time | peak / largest file |
| --- | --- | --- | --- | --- |
| 10,000 | 12,695 | 114 MiB (was 345) | 5 s | 4.3x (ocsf.json 26.9 MiB) |
| 100,000 | 126,960 | 503 MiB (was 2,447) | 59 s | 1.9x (ocsf.json 268.9 MiB) |

With the asff format added as well (measured on 2026-12-07 after it joined the table): 115 MiB at 10,000
accounts and 504 MiB at 100,000 (31 s), still 1.9x the largest file; asff.json is 25.4 MiB and 254.4 MiB.
Every file is the same size as before, byte for byte the same report. At 100,000 accounts the peak is now below
twice the OCSF file and a quarter of a 2 GiB job pod. What remains is no longer any format: the worker's start
(ansible-core, boto3; about 70 MiB), the listing (about 80 MiB of dicts at 100,000 accounts, see "Targets not
met" below) and the report that `build_report` assembles (its accounts, and 126,960 findings each with its life
cycle), about 430 MiB together, held while every format is written from them. A format in flight holds one chunk
of JSON (64 Ki characters), one CSV row, one Markdown or HTML section (the largest, a table of the HTML page, a
part of its 60 MiB at 100,000 accounts) or one OCSF event, and the S3 managed transfer holds at most its
concurrent 8 MiB parts. Next, if memory must fall further: findings that share their account's identifiers
rather than copy them, or a report whose accounts are the listing's own dicts, not a second set; the listing
itself is not rewritten here. At 10,000 accounts the floor is the worker's start, so the ratio to the largest
file is higher (4.3x) while the peak is a third of what it was.

## Findings in Security Hub at 10,000 accounts

`python tests/bench/run.py --only measure_security_hub` runs the action on 10,000 accounts whose every built-in
rule is broken by many of them (20,618 findings), with `security_hub: true` against the same audit without it,
alternating (3 pairs), measured on 2026-12-07 with other work on the machine.

- **Calls:** 207 `BatchImportFindings` calls a run, ceil(20,618 / 100), and as many `GetFindings` pages to read
  what Security Hub holds active of the scope before sending (a first run reads one empty page). Security Hub
  charges per finding ingested: this audit sends 20,618 a run.
- **Time:** 9.75 s against 1.65 s without the import (ratio 5.87). The fake Security Hub's gate takes the
  findings without storing them here, so the time is the collection's side and the gate's checks, in processes
  on the same 2 CPUs. Measured in one process on 20,000 findings: building the ASFF findings 0.34 s, their size
  check 0.19 s, botocore's validation of every shape 0.87 s and its serialization 1.43 s; parsing the
  `GetFindings` pages of 20,618 held findings is most of the rest. A first run into moto itself took 20.6 s, most
  of it moto's own lookup of each imported finding among all it holds (a cost of the fake that grows with the
  square of the findings). Security Hub's rate limits (BatchImportFindings 10 calls a second, bursts of 30;
  GetFindings 3 a second) are not modelled: at those rates 207 calls of each take about 21 s and 69 s, retried
  on throttling.

## Profile and fixes

Profiled with cProfile: `core.list_chime_accounts` over 20,000 accounts from the fake endpoint.

1. **Timestamps (fixed).** Before: 5.24 s in all, of which 3.55 s (68%) in botocore's `parse_timestamp`, which
   hands every `CreatedTimestamp` to dateutil's general-purpose parser. The collection now creates its Chime
   client with botocore's public `response_parser_factory` component set to keep the wire string (as the AWS
   CLI does), and `normalize_account` converts it with `datetime.fromisoformat`. The output is unchanged
   (`2019-04-05T12:34:56.789000+00:00`, tested for every wire form). After: botocore's structure parsing
   0.73 s, `normalize_account` 0.39 s (of which timestamps 0.10 s and string interning 0.14 s). The table's
   two core rows show before and after, measured in the same run.
2. **Key conversion.** The nine known members are mapped with a fixed table instead of
   `camel_dict_to_snake_dict`'s regular expressions; members a newer API adds still go through it.
3. **Memory.** Repeated strings (AWS account ID, type, license, status) are interned, one object each.
4. **The fake endpoint (test infrastructure)** answered each request in two writes without `TCP_NODELAY`, so
   Nagle's algorithm and the client's delayed ACK added about 40 ms to every page, on both sides of every
   comparison. Fixed; earlier absolute times were dominated by it.
5. **Throttling.** With jittered backoff alone, each 429 costs a random wait, and a client that keeps its pace
   is throttled again at once. After the first throttle, an adaptive pacer now spaces requests (interval
   doubles on throttles in a row, grows 15% on a throttle after a success, shrinks 0.5% per success), and the
   default `backoff_delay` is 0.1 s (bounds still double up to `backoff_max_delay`, 30 s, over 10 retries).

## Targets not met, and why

- **Peak RSS under 3x the returned JSON at 100,000 accounts.** Measured with tracemalloc at 100,000 accounts:
  the listing holds 79 MiB of dicts (peak 86 MiB while parsing); `AnsibleModule.exit_json` then copies the
  whole result to strip `no_log` values (`remove_values`, +54 MiB) and serialises it in one string (+35 MiB),
  which `print` formats and encodes once more; the interpreter with boto3 and ansible imported starts at
  48 MiB. 3x the JSON (about 105 MiB) is below what `exit_json` alone needs. Meeting it would take a module
  that streams its result past `exit_json` and its `no_log` scrubbing; the collection does not do that.
- **Fan-out speedup of 8x.** These machines have 2 cores, and each module run costs about a second of CPU
  (Ansible's worker, AnsiballZ, Python start-up, boto3 import, client creation) besides its 1 s of network
  waits. Once the waits overlap, the run is CPU-bound: the best possible speedup on 2 cores is about 4x.
- **Organization listing (core), 8x at concurrency 16.** Measured 5.3x (11.73 s against 2.22 s; 5.0x before this
  release). The listing is bound by CPU once the waits overlap. Before, each role cost a Chime client of its own
  (6 ms of CPU on an idle machine, 17 ms under load, made one at a time under a lock) and botocore parsed 1,000
  accounts in 50 to 58 ms. Now every role shares one client and ListAccounts answers are read with `json.loads`:
  the process's CPU for the 20 x 1000 listing fell from 1.9 s to 1.5 s. What remains is reading and normalising
  20,000 accounts, in one interpreter. Two rounds of 5 calls (20 AWS accounts, 16 at a time) cap the ratio at
  about 8.8x even with no CPU at all; reaching 8x would take processes instead of threads.
- **Organization task, 6x at concurrency 16.** Measured 2.8x (13.58 s against 4.78 s), with the machine busy (load
  average up to 8). A playbook run costs about 3 s besides the listing (the ping task of the 1,000-account rows
  took 2.9 s), which both sides pay: 13.6 s against 0.5 s of waits plus 3 s caps the ratio near 4x here. Against
  the forks pattern (one host per AWS account, `--forks 16`) the single task is 2.9x faster.
- **1,000 AWS accounts: the listing within 1.5x of the floor, the task within 1.5x of the floor plus a ping task.**
  Measured 2.14x (11.12 s against 5.20 s) and 2.02x (16.43 s against 5.20 s plus 2.93 s). The same task took
  49.60 s with the previous release (its default concurrency of 8, every role's client made under one lock, the
  whole member list read before the first role) and 18.57 s now, pairwise 2.8x faster. Roles are assumed from the
  first Organizations page on (the end-to-end test checks it by request times). The rest is CPU: about 6.7 ms per
  AWS account in all, 6.7 s for 1,000, in one interpreter, more than the 5.2 s floor itself. Of the 6.05 ms the
  parts add up to, `AssumeRole` is 3.70 ms and an empty ListAccounts page 2.18 ms, both botocore's signing,
  sending and parsing; the shared client costs 0.18 ms where a client of its own cost 5.99 ms (11.87 ms per AWS
  account before). The fake organization closes its connection after every answer (werkzeug's server does), so
  each `AssumeRole` here also pays a TCP connection that AWS's keep-alive would save. The module process's peak
  RSS at 1,000 AWS accounts is 96 MiB, of which the result is 0.31 MiB; nothing is kept per AWS account but its
  entry in `aws_accounts` and its Chime accounts.

## The policy at 10,000 accounts

The policy rows evaluate a policy of 20 rules (the six built-in rules, and 14 custom rules that use every op of
the value filters, `age_days` and `or`/`not` among them) over 10,000 generated accounts in one process, against
the six built-in rules alone, alternating: `Policy.evaluate`, the whole check of the audit, without listing or
rendering. Most of the custom rules are broken by many accounts, so the figure includes making their findings.
The pattern row times the catastrophic pattern `^([A-Za-z0-9]+[ -]?)+$` on a 100-character name that ends in `!`
with `name_pattern` on RE2; Python's `re` takes 2.8 s on this machine at 24 characters.
"""


# (measurement, its arguments): the sizes the issue asks for, and a smoke run small enough for `make test`.
FULL = [
    (measure_calls, ([0, 1, 199, 200, 201, 10000],)),
    (measure_core_overhead, (20000, 7)),
    (measure_end_to_end, (10000, 100000, 5)),
    (measure_throttled, (20000, 20, 5)),
    (measure_fan_out, (20, 2000, 0.1, 5)),
    (measure_lookup, (10000, 5)),
    (measure_organization_listing, (20, 1000, 200, 0.1, 5)),
    (measure_organization_task, (16, 100, 20, 0.1, 3)),
    (measure_audit_role, (10000, 5)),
    (measure_trend_requests, (13,)),
    (measure_security_hub, (10000, 3)),
    (measure_policy, (10000, 5)),
    (measure_audit_memory, ([10000, 100000],)),
    (measure_cpu_per_aws_account, (1000, 200)),
    (measure_organization_scale, (1000, 0.1, 3)),
    (measure_organization_concurrency, (1000, 0.1, 3)),
]
# The smoke run proves that every measurement runs and prints a row that parses: one pair each is enough.
SMOKE = [
    (measure_calls, ([0, 1, 199, 200, 201, 1000],)),
    (measure_core_overhead, (2000, 1)),
    (measure_end_to_end, (500, 2000, 1)),
    (measure_throttled, (2000, 20, 1)),
    (measure_fan_out, (3, 200, 0.02, 1)),
    (measure_lookup, (500, 1)),
    (measure_organization_listing, (3, 40, 20, 0.01, 1)),
    (measure_organization_task, (3, 20, 10, 0.01, 1)),
    (measure_audit_role, (300, 1)),
    (measure_trend_requests, (13,)),
    (measure_security_hub, (300, 1)),
    (measure_policy, (1000, 1)),
    (measure_audit_memory, ([300],)),
    (measure_cpu_per_aws_account, (30, 5)),
    (measure_organization_scale, (41, 0.01, 1)),
    (measure_organization_concurrency, (41, 0.01, 1)),
]


def main():
    """Run the measurements and print (and, unless --smoke, write) the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, few runs, no report written")
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "performance.md"), help="the report to write")
    parser.add_argument("--only", action="append", help="run only this measurement (its function's name); print only")
    args = parser.parse_args()
    sizes = SMOKE if args.smoke else FULL
    if args.only:
        sizes = [(measure, arguments) for measure, arguments in sizes if measure.__name__ in args.only]
        args.smoke = True  # some rows only: the report is not rewritten
    rows = []
    for measure, arguments in sizes:
        rows += measure(*arguments)
    print(table([("measurement", "figures", "comparison", "note"), *rows]))
    if not args.smoke:
        write_report(rows, versions(), "make bench", args.output)
        print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
