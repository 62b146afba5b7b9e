# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the end-to-end tests. The helpers they use are in ``playbooks.py`` and ``awx_jobs.py``."""

import pytest

from e2e.playbooks import playbook_runner

# The test files that take longest, first. Under pytest-xdist's --dist loadfile a worker takes whole files in
# collection order: a long file handed out last keeps one worker busy while the other has nothing left to do.
LONGEST_FIRST = (
    "test_organization_scale.py",
    "test_api_calls.py",
    "test_release.py",
    "test_fault_matrix.py",
    "test_load.py",
    "test_organization.py",
    "test_audit_s3.py",
    "test_bad_input_matrix.py",
    "test_audit_role.py",
)


def pytest_collection_modifyitems(items):
    """Run the longest files first; within a file, tests keep their order (the sort is stable)."""
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))


@pytest.fixture
def play(tmp_path):
    """Run a play against the fake endpoint: see :func:`playbook_runner`."""
    return playbook_runner(tmp_path)


@pytest.fixture(autouse=True)
def every_request_correctly_signed(request):
    """After each end-to-end test that used the shared endpoint: every request it received passed
    the SigV4 check for service chime (a 401 or 403 that no fault injected is a signing failure),
    unless the test sends bad signatures on purpose."""
    if "fake" not in request.fixturenames or request.node.get_closest_marker("bad_signatures"):
        yield
        return
    fake = request.getfixturevalue("fake")  # asked for here, so it is torn down after this check
    yield
    refused = [e for e in fake.log if e["status"] in (401, 403) and e["fault"] is None]
    assert not refused, f"requests refused by the signature check: {refused}"
