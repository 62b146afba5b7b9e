# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the listing core's unit tests."""

import boto3
import botocore.config
import pytest
from botocore.stub import Stubber


@pytest.fixture
def stubbed():
    """A real Chime client behind botocore's Stubber, which checks every request against the model; and the Stubber."""
    client = boto3.client(
        "chime",
        region_name="us-east-1",
        aws_access_key_id="AKIAUNIT",
        aws_secret_access_key="unit",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()
