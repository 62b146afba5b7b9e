# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The organization in moto behind the gate: its log (pages, AWS accounts, start and end of each
answered request), its latency, the member states moto cannot reach, and a second organization in
the same process once the first has stopped."""

import itertools

import boto3
import botocore.config
import pytest

from fake_chime import FakeChime
from fake_chime.organization import MANAGEMENT_ACCESS_KEY
from fake_chime.organization import MANAGEMENT_ACCOUNT
from fake_chime.organization import MANAGEMENT_SECRET_KEY
from fake_chime.organization import FakeOrganization


@pytest.fixture
def org():
    fake = FakeChime().start()
    organization = FakeOrganization(fake, members=5, accounts_each=[3, 0, 1, 2, 0, 4]).start()
    yield organization
    organization.stop()
    fake.stop()


def _all_pages(organizations):
    pages, params = [], {"MaxResults": 2}
    while True:
        page = organizations.list_accounts(**params)
        pages.append(page["Accounts"])
        if not page.get("NextToken"):
            return pages
        params["NextToken"] = page["NextToken"]


def test_each_tenant_holds_its_count_and_states_are_reported_as_state_and_status(org):
    assert [len(org.chime.tenants[a].data.accounts) for a in [MANAGEMENT_ACCOUNT, *org.member_ids]] == [
        3,
        0,
        1,
        2,
        0,
        4,
    ]
    org.suspend(org.member_ids[0])
    org.set_state(org.member_ids[1], "PENDING_CLOSURE")
    members = {m["Id"]: m for page in _all_pages(org.client("organizations")) for m in page}
    assert len(members) == 6
    assert (members[org.member_ids[0]]["State"], members[org.member_ids[0]]["Status"]) == ("SUSPENDED",) * 2
    assert (members[org.member_ids[1]]["State"], members[org.member_ids[1]]["Status"]) == ("PENDING_CLOSURE",) * 2
    assert {members[m]["State"] for m in org.member_ids[2:]} == {"ACTIVE"}


def test_the_log_numbers_pages_names_accounts_and_times_every_answer_after_the_latency(org):
    org.gate.latency = 0.05
    org.gate.throttle_once.add(org.member_ids[2])
    pages = _all_pages(org.client("organizations"))
    sts = boto3.client(
        "sts",
        endpoint_url=org.url,
        region_name="us-east-1",
        aws_access_key_id=MANAGEMENT_ACCESS_KEY,
        aws_secret_access_key=MANAGEMENT_SECRET_KEY,
        config=botocore.config.Config(retries={"total_max_attempts": 1}),  # the throttle reaches the test
    )
    role_arn = f"arn:aws:iam::{org.member_ids[2]}:role/ChimeAudit"
    with pytest.raises(sts.exceptions.ClientError, match="Throttling"):
        sts.assume_role(RoleArn=role_arn, RoleSessionName="fake-test")
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="fake-test")["Credentials"]
    # Read right after the calls returned: every answer is in the log.
    listed = org.requests("ListAccounts")
    assert [e["page"] for e in listed] == list(range(len(pages))) == [0, 1, 2]
    assert [e["next_token"] is None for e in listed] == [True, False, False]
    assumed = org.requests("AssumeRole")
    assert [(e["account"], e["role_arn"], e["status"]) for e in assumed] == [
        (org.member_ids[2], role_arn, 400),
        (org.member_ids[2], role_arn, 200),
    ]
    for entry in listed + assumed:
        assert entry["done"] - entry["time"] >= 0.05
    for earlier, later in itertools.pairwise(listed + assumed):
        assert later["time"] >= earlier["done"]  # one client, one call after another
    # The fake Chime endpoint knows the role's key through the gate, and checks requests signed with it.
    chime = boto3.client(
        "chime",
        endpoint_url=org.chime.url,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    assert [a["AwsAccountId"] for a in chime.list_accounts()["Accounts"]] == [org.member_ids[2]] * 2
    assert org.gate.issued_to == {credentials["AccessKeyId"]: org.member_ids[2]}


def test_a_second_organization_can_start_once_the_first_has_stopped():
    fake = FakeChime().start()
    try:
        for members in (2, 3):
            organization = FakeOrganization(fake, members=members, accounts_each=0).start()
            try:
                ids = {m["Id"] for page in _all_pages(organization.client("organizations")) for m in page}
                assert ids == {MANAGEMENT_ACCOUNT, *organization.member_ids} and len(ids) == members + 1
            finally:
                organization.stop()
    finally:
        fake.stop()


def test_counts_must_cover_every_aws_account():
    with pytest.raises(ValueError, match="accounts_each has 2 counts for 4 AWS accounts"):
        FakeOrganization(None, members=3, accounts_each=[1, 2])
