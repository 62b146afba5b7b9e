# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by every suite: a running fake Chime endpoint and a boto3 client for it.

This file imports nothing from ``ansible.plugins``: under ``ansible-test units`` a module's unit tests
see only ansible-core's module_utils. The lookup tests set up the plugin loader in their own conftest.
"""

import os
import sys

import pytest

# The fake endpoint is a plain package beside this file. ansible-test units imports test files as
# ansible_collections.chime.admin.tests.*, which puts no test folder on sys.path: put this one there.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fake_chime import fault_matrix  # noqa: E402
from fake_chime.testing import make_client  # noqa: E402
from fake_chime.testing import standard_fake  # noqa: E402


@pytest.fixture
def fake():
    """A fake Chime endpoint on a free loopback port, one tenant with 450 accounts."""
    server = standard_fake()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def client(fake):
    """A boto3 Chime client signed with the fake tenant's key."""
    return make_client(fake)


@pytest.fixture(scope="module")
def matrix_fake():
    """A fake Chime endpoint with one tenant per row of the fault matrix (``fake_chime/fault_matrix.py``)."""
    server = fault_matrix.matrix_fake()
    try:
        yield server
    finally:
        server.stop()
