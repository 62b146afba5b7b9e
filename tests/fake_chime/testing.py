# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the test suites share about the standard fake endpoint: its tenant, key pair and size, a real
boto3 client for it, and the Chime client that the collection itself makes. A module of its own (not a
conftest) so that tests import it by one name under plain pytest and under ``ansible-test units`` alike."""

import boto3
import botocore.config

from .data import generate
from .server import FakeChime

TENANT = "111122223333"
ACCESS_KEY = "AKIAFAKETESTKEY00001"
SECRET_KEY = "fake-secret-key-for-tests"
ACCOUNTS = 450


def standard_fake():
    """A started fake Chime endpoint on a free loopback port: one tenant with 450 accounts."""
    server = FakeChime().start()
    server.add_tenant(generate(ACCOUNTS, seed=1, aws_account_id=TENANT), ACCESS_KEY, SECRET_KEY)
    return server


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


def create_chime_client(region, endpoint_url, connect_params):
    """The Chime client that the collection makes (``AwsConnection``), from amazon.aws's connection info
    ``(region, endpoint_url, connect_params)``: the collection's configuration and wire timestamps."""
    # Imported when called: the fake endpoint and its own tests need nothing of the collection, and the
    # lookup tests set up ansible's collection loader before anything imports ansible_collections.
    from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection

    return AwsConnection(region, endpoint_url, connect_params).client("chime")
