# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property-based tests of one AWS account's listing (module_utils/_chime/listing.py): for any data,
page size, duplicates and fault schedule, the result is the de-duplicated accounts in API order, or a
clean failure when retries run out."""

import botocore.exceptions
import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime.errors import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils._chime.transformations import normalize_account

RETRYABLE = [
    ("ThrottledClientException", 429),
    ("Throttled", 429),
    ("ServiceUnavailableException", 503),
    ("ServiceUnavailable", 503),
    ("ServiceFailureException", 500),
    ("ServiceFailure", 500),
    ("ConnectionClosedError", None),
    ("MalformedResponse", None),
]
FAST = {"backoff_delay": 0.001, "backoff_max_delay": 0.001}

account = st.fixed_dictionaries(
    {"Name": st.text(min_size=1, max_size=12)},
    optional={
        "AccountType": st.sampled_from(["Team", "EnterpriseDirectory", "EnterpriseLWA", "EnterpriseOIDC"]),
        "AccountStatus": st.sampled_from(["Active", "Suspended"]),
        "DefaultLicense": st.sampled_from(["Basic", "Plus", "Pro", "ProTrial"]),
        "SupportedLicenses": st.lists(st.sampled_from(["Basic", "Pro"]), max_size=2),
    },
)


class ScriptedChime:
    """An in-process stand-in for the Chime client: fixed pages, and faults scheduled per page."""

    def __init__(self, pages, faults):
        self.pages, self.faults, self.calls = pages, {k: list(v) for k, v in faults.items()}, []

    def list_accounts(self, MaxResults, NextToken=None):  # noqa: N803 (boto3's parameter names)
        page = int(NextToken[1:]) if NextToken else 0
        self.calls.append(page)
        if self.faults.get(page):
            code, status = self.faults[page].pop(0)
            if status is None and code == "ConnectionClosedError":
                raise botocore.exceptions.ConnectionClosedError(endpoint_url="http://chime.test/accounts")
            if status is None:
                return {"ResponseMetadata": {}}  # a body botocore could not read
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                "ListAccounts",
            )
        assert len(self.pages[page]) <= MaxResults
        answer = {"Accounts": self.pages[page]}
        if page + 1 < len(self.pages):
            answer["NextToken"] = f"p{page + 1}"
        return answer


@st.composite
def scenario(draw, exceed_budget=False):
    """Accounts, a page size, pages with some records repeated, and a fault schedule."""
    records = draw(st.lists(account, max_size=60))
    accounts = [dict(r, AwsAccountId="111122223333", AccountId=f"id-{i}") for i, r in enumerate(records)]
    page_size = draw(st.integers(min_value=1, max_value=25))
    pages = [accounts[i : i + page_size] for i in range(0, len(accounts), page_size)] or [[]]
    for index in range(1, len(pages)):
        if draw(st.booleans()) and len(pages[index]) < page_size:
            pages[index].insert(0, pages[index - 1][-1])  # a record repeated across the boundary
    retries = draw(st.integers(min_value=0, max_value=4))
    faults = {}
    for index in range(len(pages)):
        count = draw(st.integers(min_value=0, max_value=retries))
        faults[index] = [draw(st.sampled_from(RETRYABLE)) for _fault in range(count)]
    if exceed_budget:
        victim = draw(st.integers(min_value=0, max_value=len(pages) - 1))
        faults[victim] = [draw(st.sampled_from(RETRYABLE)) for _fault in range(retries + 1)]
    return accounts, page_size, pages, retries, faults


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario())
def test_result_is_the_deduplicated_accounts_in_api_order(case):
    accounts, page_size, pages, retries, faults = case
    client = ScriptedChime(pages, faults)
    result = listing.list_chime_accounts(
        client, options=ListingOptions(page_size=page_size, backoff_retries=retries, **FAST)
    )
    assert result == [normalize_account(a) for a in accounts]
    # Every page was fetched once, plus once more for each scheduled fault on it: no restarts.
    assert client.calls == [p for p in range(len(pages)) for _call in range(1 + len(faults[p]))]


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(exceed_budget=True))
def test_a_schedule_beyond_the_retry_budget_fails_cleanly(case):
    accounts, page_size, pages, retries, faults = case
    with pytest.raises(ChimeListingError) as info:
        listing.list_chime_accounts(
            ScriptedChime(pages, faults),
            options=ListingOptions(page_size=page_size, backoff_retries=retries, **FAST),
        )
    assert "Failed to list Chime accounts: ListAccounts on page" in info.value.message
    assert info.value.code in {code for code, _status in RETRYABLE} | {"MalformedResponseError"}
