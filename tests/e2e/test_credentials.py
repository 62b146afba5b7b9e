# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Credential precedence as amazon.aws documents it (options, then environment, then profile),
and valid SigV4 signatures for service chime on every request."""

import pytest

from fake_chime.testing import TENANT

PROFILE_KEY, PROFILE_SECRET = "AKIAPROFILEKEY000001", "profile-secret"
ENV_KEY, ENV_SECRET = "AKIAENVIRONMENT00001", "environment-secret"
OPTION_KEY, OPTION_SECRET = "AKIAOPTIONKEY0000001", "option-secret"


@pytest.fixture
def three_keys(fake, tmp_path):
    for key, secret in ((PROFILE_KEY, PROFILE_SECRET), (ENV_KEY, ENV_SECRET), (OPTION_KEY, OPTION_SECRET)):
        fake.add_credential(TENANT, key, secret)
    (tmp_path / "aws_credentials").write_text(
        f"[default]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = {PROFILE_SECRET}\n"
        f"[audit]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = {PROFILE_SECRET}\n"
    )
    return fake


ENV = {"AWS_ACCESS_KEY_ID": ENV_KEY, "AWS_SECRET_ACCESS_KEY": ENV_SECRET}


@pytest.mark.parametrize(
    "options,env,expected",
    [
        ({"access_key": OPTION_KEY, "secret_key": OPTION_SECRET}, ENV, OPTION_KEY),
        ({}, ENV, ENV_KEY),
        ({}, {}, PROFILE_KEY),
        ({"profile": "audit"}, {}, PROFILE_KEY),
    ],
    ids=["options-over-environment", "environment-over-profile", "default-profile", "named-profile"],
)
@pytest.mark.parametrize("door", ["module", "lookup"])
def test_precedence_and_signatures(three_keys, play, options, env, expected, door):
    options = dict(options, endpoint_url=three_keys.url)
    if door == "module":
        task = {"name": "List", "chime.admin.chime_account_info": options, "register": "r"}
    else:
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        task = {
            "name": "List",
            "ansible.builtin.set_fact": {"r": "{{ query('chime.admin.chime_accounts', " + args + ") }}"},
        }
    result = play([task], env=env)
    assert result.rc == 0, result.output
    log = three_keys.requests()
    assert log and {e["access_key"] for e in log} == {expected}
    # Each request passed the fake's SigV4 check for service chime, region us-east-1.
    assert {(e["status"], e["region"]) for e in log} == {(200, "us-east-1")}


TOKEN_KEY, TOKEN_SECRET, TOKEN = "ASIATEMPORARYKEY0001", "temporary-secret", "SessionTokenMarker-51d0"
TEMPORARY = {"AWS_ACCESS_KEY_ID": TOKEN_KEY, "AWS_SECRET_ACCESS_KEY": TOKEN_SECRET}


@pytest.mark.parametrize(
    "options,env,works",
    [
        ({}, dict(TEMPORARY, AWS_SECURITY_TOKEN=TOKEN), True),
        ({}, dict(TEMPORARY, AWS_SESSION_TOKEN=TOKEN), True),
        ({}, dict(TEMPORARY, AWS_SESSION_TOKEN=TOKEN, AWS_SECURITY_TOKEN=TOKEN), True),
        ({"session_token": TOKEN}, dict(TEMPORARY, AWS_SECURITY_TOKEN="a-stale-token"), True),
        ({}, TEMPORARY, False),
    ],
    ids=["security-token-only", "session-token-only", "both", "option-wins", "no-token-is-refused"],
)
@pytest.mark.parametrize("door", ["module", "lookup"])
@pytest.mark.bad_signatures  # the last case signs without the token on purpose
def test_session_token_as_awx_injects_it(fake, play, options, env, works, door):
    fake.add_credential(TENANT, TOKEN_KEY, TOKEN_SECRET, session_token=TOKEN)
    options = dict(options, endpoint_url=fake.url, backoff_retries=0)
    if door == "module":
        task = {"chime.admin.chime_account_info": options, "register": "r", "ignore_errors": True}
    else:
        args = ", ".join(f"{k}={v!r}" for k, v in options.items())
        task = {"ansible.builtin.set_fact": {"x": "{{ query('chime.admin.chime_accounts', " + args + ") }}"}}
        task.update(register="r", ignore_errors=True)
    result = play([task], env=env)
    statuses = {e["status"] for e in fake.requests()}
    if works:
        assert not result.saved["r"].get("failed"), result.saved["r"].get("msg")
        assert statuses == {200}
    else:
        assert result.saved["r"]["failed"] is True and statuses == {403}
    assert TOKEN not in result.output
