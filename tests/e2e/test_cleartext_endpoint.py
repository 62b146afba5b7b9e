# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plain-HTTP endpoint warning through each door, in one real play: the module (``module.warn``), the
lookup (its ``warn``) and the audit action (its result's ``warnings``), when the listing succeeds and when it
then fails.

The endpoints are set where users often set them and the environment does not show: the AWS profile's
``services`` section, for Chime and for STS (the audit's GetCallerIdentity). They are ``http://0.0.0.0:<port>``,
which the check takes for a remote host (it is not loopback) and which reaches the fake on this machine: the
warning's decision, from the endpoint botocore resolved for each client, and its plumbing are real. Which URLs
are remote is the listing core's unit tests'."""

import pytest

from e2e.playbooks import FAST_RETRIES
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT

PROFILE = """[profile audit]
aws_access_key_id = {key}
aws_secret_access_key = {secret}
services = through-the-network

[services through-the-network]
chime =
  endpoint_url = {url}
sts =
  endpoint_url = {url}
"""


def _tasks(tmp_path, failing):
    connection = {"profile": "audit"}
    query = ", ".join(f"{k}={v!r}" for k, v in connection.items())
    audit = dict(connection, **FAST_RETRIES, dest=str(tmp_path / "reports"), rules={"no_suspended_accounts": True})
    listing = dict(connection, **FAST_RETRIES, backoff_retries=0)
    return [
        {"name": "Module", "chime.admin.chime_account_info": listing, "register": "m", "ignore_errors": failing},
        {
            "name": "Lookup",
            "ansible.builtin.set_fact": {"l": "{{ query('chime.admin.chime_accounts', " + query + ") }}"},
            "ignore_errors": failing,
        },
        {
            "name": "Audit",
            "chime.admin.chime_account_audit": dict(audit, fail_on_violation=False),
            "register": "a",
            "ignore_errors": failing,
        },
    ]


@pytest.mark.parametrize("failing", [False, True], ids=["listed", "refused"])
@pytest.mark.parametrize("remote", [True, False], ids=["remote-http", "loopback-only"])
def test_each_door_warns_once_of_a_plain_http_endpoint_the_profile_sets(fake, play, tmp_path, remote, failing):
    url = fake.url.replace("127.0.0.1", "0.0.0.0") if remote else fake.url
    config = tmp_path / "aws-config"
    config.write_text(PROFILE.format(key=ACCESS_KEY, secret=SECRET_KEY, url=url))
    env = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    if failing:
        fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    result = play(_tasks(tmp_path, failing), save=("m", "a"), env=env)
    assert result.rc == 0, result.output
    module, audit = result.saved["m"], result.saved["a"]
    if failing:
        assert module["failed"] and audit["failed"] and audit["outcome"] == "incomplete"
        assert "ForbiddenException" in module["msg"] and "ForbiddenException" in audit["msg"]
    else:
        assert len(module["accounts"]) == 450 and audit["summary"]["total"] == 450
    chime = f"The Chime endpoint {url} (from endpoint_url, the environment or the AWS profile) is plain HTTP"
    sts = f"The STS endpoint {url} (from endpoint_url, the environment or the AWS profile) is plain HTTP"
    expected = 1 if remote else 0
    assert sum(chime in w for w in module.get("warnings", [])) == expected
    assert sum(chime in w for w in audit.get("warnings", [])) == expected
    assert sum(sts in w for w in audit.get("warnings", [])) == expected  # the audit's STS client too
    # Shown: the module's and the action's, in the same words, which Ansible's display shows once a run, and
    # the lookup's, named after it.
    flat = " ".join(result.output.split())  # the display may wrap long warnings
    assert flat.count(chime) == 2 * expected, result.output
    assert flat.count(f"chime_accounts: {chime}") == expected
    if not remote:
        assert "plain HTTP" not in flat  # the loopback fake gives no warning of any kind
