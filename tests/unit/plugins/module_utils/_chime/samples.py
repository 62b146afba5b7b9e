# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the unit tests of the listing core share: raw ListAccounts records, fast backoff options,
scripted answers for botocore's Stubber, a client that fails once, and a clock for the pacer."""

EMAIL = "ana.silva@example.com"
FAST = {"backoff_delay": 0.001, "backoff_max_delay": 0.001}


def raw(n, **extra):
    """One API ``Account`` numbered ``n``, with the members of ``extra``."""
    account = {"AwsAccountId": "111122223333", "AccountId": f"id-{n}", "Name": f"Acct {n}"}
    account.update(extra)
    return account


def add_page(stub, accounts, token=None, expect=None):
    """Script one ListAccounts page (with ``token`` as its NextToken) on a Stubber."""
    response = {"Accounts": accounts}
    if token:
        response["NextToken"] = token
    stub.add_response("list_accounts", response, expect)


def add_error(stub, code, status, expect=None):
    """Script one failed ListAccounts call on a Stubber."""
    stub.add_client_error("list_accounts", service_error_code=code, http_status_code=status, expected_params=expect)


def failing_once(error):
    """A Chime client stand-in that raises ``error`` on its first call, then answers one account; and its calls."""
    calls = []

    class Client:
        def list_accounts(self, **params):
            calls.append(params)
            if len(calls) == 1:
                raise error
            return {"Accounts": [raw(1)]}

    return Client(), calls


class FakeClock:
    """A clock that only moves when the pacer sleeps (or a test says so)."""

    def __init__(self):
        self.now, self.slept = 100.0, []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(round(seconds, 6))
        self.now += seconds
