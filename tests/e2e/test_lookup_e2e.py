# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chime_accounts lookup end to end: query() in real plays against the fake endpoint."""

import pytest

from e2e.playbooks import CREDENTIALS
from e2e.playbooks import FAST_RETRIES
from fake_chime import generate
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT


def _query(fake, *terms, **options):
    """A query() expression with the fake's endpoint and credentials."""
    args = [repr(t) for t in terms]
    args += [f"{k}={v!r}" for k, v in dict(CREDENTIALS, endpoint_url=fake.url, **options).items()]
    return "{{ query('chime.admin.chime_accounts', " + ", ".join(args) + ") }}"


def _set(name, expression):
    return {"name": f"Set {name}", "ansible.builtin.set_fact": {name: expression}}


def test_query_returns_exactly_the_modules_accounts(fake, play):
    tasks = [
        {"name": "Module", "chime.admin.chime_account_info": dict(CREDENTIALS, endpoint_url=fake.url), "register": "m"},
        _set("looked_up", _query(fake)),
    ]
    result = play(tasks, save=("m", "looked_up"))
    assert result.rc == 0, result.output
    assert result.saved["looked_up"] == result.saved["m"]["accounts"]
    assert len(result.saved["looked_up"]) == 450
    assert isinstance(result.saved["looked_up"][0]["created_timestamp"], str)


def test_union_and_deduplication_across_prefixes(fake, play):
    names = [a["Name"] for a in fake.tenants[TENANT].data.accounts]
    first, second = names[0].split(" ")[0], names[1].split(" ")[0]
    result = play([_set("u", _query(fake, second, first, second))], save=("u",))
    assert result.rc == 0, result.output
    expected = [n for n in names if n.startswith(second)] + [
        n for n in names if n.startswith(first) and not n.startswith(second)
    ]
    assert [a["name"] for a in result.saved["u"]] == expected


def test_user_email(fake, play):
    email, account_id = next(iter(fake.tenants[TENANT].data.users.items()))
    result = play([_set("owner", _query(fake, user_email=email))], save=("owner",), args=["-vvvv"])
    assert result.rc == 0, result.output
    assert [a["account_id"] for a in result.saved["owner"]] == [account_id]
    assert [e["query"].get("user-email") for e in fake.requests()] == [email]


@pytest.mark.parametrize("mode", ["error", "warn", "skip"])
def test_on_denied_modes(fake, play, mode):
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    task = dict(_set("denied", _query(fake, on_denied=mode)), ignore_errors=True, register="r")
    result = play([task], save=("denied", "r"))
    if mode == "error":
        assert result.saved["r"]["failed"] is True
        assert "chime:ListAccounts" in result.saved["r"]["msg"] and "ForbiddenException" in result.saved["r"]["msg"]
    else:
        assert result.rc == 0 and result.saved["denied"] == []
        assert ("chime:ListAccounts" in result.output) is (mode == "warn")


def test_throttling_survived(fake, play):
    fake.set_faults(TENANT, rules=[{"kind": "throttle", "on_page": 1, "count": 4}])
    result = play([_set("t", _query(fake, **FAST_RETRIES))], save=("t",))
    assert result.rc == 0, result.output
    assert len(result.saved["t"]) == 450
    assert [e["page"] for e in fake.requests()] == [0, 1, 1, 1, 1, 1, 2]


def test_failure_messages_hold_no_secret_or_email(fake, play):
    email = next(iter(fake.tenants[TENANT].data.users))
    fake.set_faults(TENANT, rules=[{"kind": "500", "every": 1}])
    task = dict(
        _set("x", _query(fake, user_email=email, backoff_retries=1, **FAST_RETRIES)), ignore_errors=True, register="r"
    )
    result = play([task], save=("r",), args=["-vvvv"])
    msg = result.saved["r"]["msg"]
    assert "ListAccounts" in msg and "ServiceFailureException" in msg and "after 2 attempts" in msg
    for secret in (email, email.replace("@", "%40"), SECRET_KEY):
        assert secret not in result.output and secret not in msg


def test_bad_input_is_refused_without_a_request(fake, play):
    task = dict(_set("x", _query(fake, " ")), ignore_errors=True, register="r")
    result = play([task], save=("r",))
    assert "name must contain" in result.saved["r"]["msg"]
    assert fake.stats()["requests"] == 0


def test_credentials_from_environment_variables(fake, play):
    expression = "{{ query('chime.admin.chime_accounts', endpoint_url='" + fake.url + "') }}"
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}
    result = play([_set("e", expression)], save=("e",), env=env)
    assert result.rc == 0, result.output
    assert len(result.saved["e"]) == 450


def test_fan_out_across_aws_accounts(fake, play):
    fake.add_tenant(generate(30, seed=7, aws_account_id="444455556666"), "AKIASECONDTENANT0001", "second-secret")
    loop_task = {
        "name": "Each AWS account",
        "ansible.builtin.set_fact": {
            "per_account": "{{ per_account | default({}) | combine({item.id: query('chime.admin.chime_accounts', "
            "endpoint_url='" + fake.url + "', access_key=item.key, secret_key=item.secret) | length}) }}"
        },
        "loop": [
            {"id": TENANT, "key": ACCESS_KEY, "secret": SECRET_KEY},
            {"id": "444455556666", "key": "AKIASECONDTENANT0001", "secret": "second-secret"},
        ],
        "loop_control": {"label": "{{ item.id }}"},
    }
    result = play([loop_task], save=("per_account",))
    assert result.rc == 0, result.output
    assert result.saved["per_account"] == {TENANT: 450, "444455556666": 30}


def test_certificate_options_are_taken_as_the_modules(fake, play, tmp_path):
    """validate_certs and aws_ca_bundle, which the module takes, are lookup options too (their effect on
    the client is the lookup's unit tests'; the fake speaks plain HTTP on loopback)."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    tasks = [
        _set("unchecked", _query(fake, validate_certs=False)),
        _set("bundled", _query(fake, aws_ca_bundle=str(bundle))),
        _set("checked", _query(fake, validate_certs=True, aws_ca_bundle=str(bundle))),
    ]
    result = play(tasks, save=("unchecked", "bundled", "checked"))
    assert result.rc == 0, result.output
    assert len(result.saved["unchecked"]) == len(result.saved["bundled"]) == len(result.saved["checked"]) == 450
    assert "WARNING" not in result.output
