# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain-HTTP endpoint warning through each door, in one real play: the module (``module.warn``), the
lookup (its ``warn``) and the audit action (its result's ``warnings``).

The endpoint judged is ``AWS_ENDPOINT_URL_ORGANIZATIONS`` on a documentation-only name: it is configured
but never contacted (no task lists an organization), so the listing runs against the loopback fake while
the warning's decision and plumbing are real. Which URLs are remote is the listing core's unit tests'."""

import pytest

from e2e.playbooks import CREDENTIALS
from e2e.playbooks import FAST_RETRIES

REMOTE = "http://organizations.example.com"
WARNING = f"AWS_ENDPOINT_URL_ORGANIZATIONS {REMOTE} is plain HTTP to a host that is not this machine's loopback"


def _tasks(fake, tmp_path):
    connection = dict(CREDENTIALS, endpoint_url=fake.url)
    query = ", ".join(f"{k}={v!r}" for k, v in connection.items())
    audit = dict(connection, **FAST_RETRIES, dest=str(tmp_path / "reports"), rules={"no_suspended_accounts": True})
    return [
        {"name": "Module", "chime.admin.chime_account_info": connection, "register": "m"},
        {
            "name": "Lookup",
            "ansible.builtin.set_fact": {"l": "{{ query('chime.admin.chime_accounts', " + query + ") }}"},
        },
        {"name": "Audit", "chime.admin.chime_account_audit": dict(audit, fail_on_violation=False), "register": "a"},
    ]


@pytest.mark.parametrize("remote", [True, False], ids=["remote-http", "loopback-only"])
def test_each_door_warns_once_of_a_plain_http_endpoint_to_a_remote_host(fake, play, tmp_path, remote):
    env = {"AWS_ENDPOINT_URL_STS": fake.url}  # the audit's GetCallerIdentity: the fake, on loopback
    if remote:
        env["AWS_ENDPOINT_URL_ORGANIZATIONS"] = REMOTE
    result = play(_tasks(fake, tmp_path), save=("m", "l", "a"), env=env)
    assert result.rc == 0, result.output
    module, accounts, audit = result.saved["m"], result.saved["l"], result.saved["a"]
    assert len(module["accounts"]) == len(accounts) == 450 and audit["summary"]["total"] == 450
    expected = 1 if remote else 0
    assert sum(WARNING in w for w in module.get("warnings", [])) == expected
    assert sum(WARNING in w for w in audit.get("warnings", [])) == expected
    # Shown: the module's and the action's, in the same words, which Ansible's display shows once a run, and
    # the lookup's, named after it.
    flat = " ".join(result.output.split())  # the display may wrap long warnings
    assert flat.count(WARNING) == 2 * expected, result.output
    assert flat.count(f"chime_accounts: {WARNING}") == expected
    if not remote:
        assert "plain HTTP" not in flat  # the loopback fake and STS give no warning of any kind
    assert {e["status"] for e in fake.log} == {200}
