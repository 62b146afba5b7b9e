# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the fake Chime endpoint as a command: ``python -m fake_chime --accounts 300``.

Tenant i (0-based) is AWS account ``1111222200NN`` with access key ``AKIAFAKE0000000000NN`` and
secret ``fake-secret-NN``. Once listening, it prints one JSON line with the endpoint URL and the
credentials, and writes the same to ``--state-file`` when given. It stops on SIGTERM or SIGINT.
"""

import argparse
import json
import os
import signal
import sys
import threading

from .data import audit_sample
from .data import generate
from .data import load
from .server import FakeChime


def tenant_credentials(index: int) -> dict:
    """The AWS account id and key pair of tenant ``index``."""
    return {
        "aws_account_id": f"1111222200{index:02d}",
        "access_key": f"AKIAFAKE0000000000{index:02d}",
        "secret_key": f"fake-secret-{index:02d}",
    }


def main(argv=None) -> int:
    """Parse arguments, start the endpoint, and serve until a signal arrives."""
    parser = argparse.ArgumentParser(prog="fake_chime", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--accounts", type=int, default=300, help="accounts per tenant")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tenants", type=int, default=1)
    parser.add_argument("--counts", help="comma-separated accounts per tenant (overrides --accounts and --tenants)")
    parser.add_argument("--data", help="JSON or YAML file with tenant 0's accounts (instead of --accounts)")
    parser.add_argument(
        "--audit-sample", action="store_true", help="tenant 0 holds audit_sample(): a few break the policy"
    )
    parser.add_argument("--faults", default="{}", help="JSON fault settings applied to every tenant")
    parser.add_argument("--state-file", help="where to write the endpoint URL and credentials as JSON")
    parser.add_argument(
        "--organization",
        type=int,
        metavar="MEMBERS",
        help="serve STS and AWS Organizations (moto) too, with an organization of MEMBERS member accounts whose"
        " tenants have --accounts accounts each, or --counts (one count per AWS account, the management account"
        " first), instead of --tenants",
    )
    parser.add_argument(
        "--aws-latency",
        type=float,
        default=0.0,
        help="seconds every STS and Organizations request waits (with --organization)",
    )
    parser.add_argument(
        "--answer-assume-role",
        action="store_true",
        help="answer STS AssumeRole in the fake, not in moto (about 14 ms of CPU a role), with --organization",
    )
    args = parser.parse_args(argv)

    fake = FakeChime(args.host, args.port)
    if args.organization is not None:
        return serve_organization(fake, args)
    tenants = []
    counts = [int(c) for c in args.counts.split(",")] if args.counts else [args.accounts] * args.tenants
    for index, count in enumerate(counts):
        creds = tenant_credentials(index)
        if args.data and index == 0:
            data = load(args.data, creds["aws_account_id"])
        elif args.audit_sample and index == 0:
            data = audit_sample(count, args.seed, creds["aws_account_id"])
        else:
            data = generate(count, args.seed + index, creds["aws_account_id"])
        fake.add_tenant(data, creds["access_key"], creds["secret_key"])
        fake.set_faults(data.aws_account_id, json.loads(args.faults))
        tenants.append(dict(creds, accounts=len(data.accounts)))
    fake.start()
    return serve({"endpoint_url": fake.url, "tenants": tenants}, fake, args)


def serve_organization(fake, args):
    """An organization in moto whose accounts are the tenants; the management account's first."""
    from .organization import FakeOrganization

    fake.start()
    counts = [int(c) for c in args.counts.split(",")] if args.counts else args.accounts
    organization = FakeOrganization(fake, members=args.organization, accounts_each=counts, seed=args.seed)
    organization.start()
    organization.gate.latency = args.aws_latency
    organization.gate.answer_assume_role = args.answer_assume_role
    tenants = []
    for account_id, tenant in fake.tenants.items():
        fake.set_faults(account_id, json.loads(args.faults))
        key = next(k for k, c in fake.credentials.items() if c.tenant == account_id)
        secret = fake.credentials[key].secret_key
        tenants.append(
            {
                "aws_account_id": account_id,
                "access_key": key,
                "secret_key": secret,
                "accounts": len(tenant.data.accounts),
            }
        )
    state = {"endpoint_url": fake.url, "aws_endpoint_url": organization.url, "tenants": tenants}
    try:
        return serve(state, fake, args)
    finally:
        organization.stop()


def serve(state, fake, args):
    """Announce ``state`` (stdout and --state-file), then serve until SIGTERM or SIGINT."""
    if args.state_file:
        # Written aside and renamed: a reader polling for the file never sees half of it.
        partial = f"{args.state_file}.partial"
        with open(partial, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(partial, args.state_file)
    print(json.dumps(state), flush=True)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
