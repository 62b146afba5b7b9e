# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by every suite: a running fake Chime endpoint and a boto3 client for it."""

import boto3
import botocore.config
import pytest

from ansible.plugins.loader import init_plugin_loader

from fake_chime import FakeChime
from fake_chime import generate

# Install ansible's collection finder before any test imports ansible_collections.*, so that plain
# imports (module tests) and the plugin loader (lookup tests) see the same collection packages.
init_plugin_loader()

TENANT = "111122223333"
ACCESS_KEY = "AKIAFAKETESTKEY00001"
SECRET_KEY = "fake-secret-key-for-tests"
ACCOUNTS = 450


@pytest.fixture
def fake():
    """A fake Chime endpoint on a free loopback port, one tenant with 450 accounts."""
    with FakeChime() as server:
        server.add_tenant(generate(ACCOUNTS, seed=1, aws_account_id=TENANT), ACCESS_KEY, SECRET_KEY)
        yield server


def make_client(fake_server, access_key=ACCESS_KEY, secret_key=SECRET_KEY, **kwargs):
    """A real boto3 Chime client for the fake, with botocore's own retries off."""
    config = botocore.config.Config(retries={"total_max_attempts": 1}, read_timeout=kwargs.pop("read_timeout", 10))
    return boto3.client(
        "chime",
        endpoint_url=fake_server.url,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
        **kwargs,
    )


@pytest.fixture
def client(fake):
    """A boto3 Chime client signed with the fake tenant's key."""
    return make_client(fake)
