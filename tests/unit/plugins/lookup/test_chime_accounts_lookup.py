# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the lookup through ansible's plugin loader, so its option handling is real."""

import datetime
from unittest import mock

import pytest

from ansible.errors import AnsibleLookupError
from ansible.errors import AnsibleOptionsError
from ansible.utils.display import Display

from ansible_collections.chime.admin.plugins.module_utils._chime.service import END_OF_SUPPORT_HINT
from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions

from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import ACCOUNTS
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT


@pytest.fixture
def options(fake, monkeypatch):
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    return {"endpoint_url": fake.url, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}


def _iso(wire):
    # The fake sends 2019-04-05T12:34:56.789Z; the lookup returns it as an ISO 8601 string in UTC.
    if wire is None:
        return None
    moment = datetime.datetime.strptime(wire, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return moment.isoformat()


def test_no_term_lists_every_account(fake, lookup, options):
    accounts = lookup.run([], {}, **options)
    raw = fake.tenants[TENANT].data.accounts
    assert [a["account_id"] for a in accounts] == [r["AccountId"] for r in raw]
    assert [a["created_timestamp"] for a in accounts] == [_iso(r.get("CreatedTimestamp")) for r in raw]
    assert sum(a["created_timestamp"] is not None for a in accounts) > ACCOUNTS // 2  # the data has timestamps
    assert fake.stats()["requests"] == 3


def test_terms_give_the_union_in_term_order(fake, lookup, options):
    names = [a["Name"] for a in fake.tenants[TENANT].data.accounts]
    first, second = names[0].split(" ")[0], names[1].split(" ")[0]
    accounts = lookup.run([first, second, first], {}, **options)
    expected = [n for n in names if n.startswith(first)] + [
        n for n in names if n.startswith(second) and not n.startswith(first)
    ]
    assert [a["name"] for a in accounts] == expected


def _core_message(name=None, **options):
    """What the listing core says of these options. Its wording is pinned once, in the module's unit tests
    (tests/unit/plugins/modules/test_chime_account_info.py); the lookup passes it on behind its own name."""
    with pytest.raises(ChimeInputError) as info:
        ListingOptions(**options).validate([name])
    return str(info.value)


@pytest.mark.parametrize(
    "terms,extra,option",
    [
        ([" "], {}, "name"),
        (["x" * 101], {}, "name"),
        (["Eng", " "], {}, "name"),
        ([], {"page_size": 0}, "page_size"),
        ([], {"user_email": "bad"}, "user_email"),
    ],
)
def test_bad_input_fails_before_any_request(fake, lookup, options, terms, extra, option):
    expected = _core_message(terms[-1] if terms else None, **extra)
    assert expected.startswith(f"{option} ")
    with pytest.raises(AnsibleLookupError) as info:
        lookup.run(terms, {}, **dict(options, **extra))
    assert str(info.value) == f"chime_accounts: {expected}"
    assert fake.stats()["requests"] == 0


def test_an_on_denied_outside_its_choices_is_refused_by_ansible_before_any_request(fake, lookup, options):
    # ansible-core checks the documented choices when it sets the lookup's options; its wording differs
    # between versions ("for configuration option" up to 2.18, "for config" later), the option is named in all.
    with pytest.raises(AnsibleOptionsError, match=r"^Invalid value .shrug. for config.*\bon_denied\b"):
        lookup.run([], {}, **dict(options, on_denied="shrug"))
    assert fake.stats()["requests"] == 0


@pytest.mark.parametrize("mode,warnings", [("warn", 1), ("skip", 0)])
def test_on_denied_warn_and_skip_return_nothing(fake, lookup, options, mode, warnings):
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    with mock.patch.object(Display, "warning") as warning:
        assert lookup.run([], {}, on_denied=mode, **options) == []
    assert warning.call_count == warnings
    if warnings:
        message = warning.call_args.args[0]
        assert "chime:ListAccounts" in message and "ForbiddenException" in message


def test_on_denied_error_and_other_errors_raise(fake, lookup, options):
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    with pytest.raises(AnsibleLookupError, match="chime:ListAccounts"):
        lookup.run([], {}, **options)
    fake.set_faults(TENANT, rules=[{"kind": "500", "every": 1}])
    with pytest.raises(AnsibleLookupError, match="ServiceFailureException"):
        lookup.run([], {}, on_denied="skip", backoff_retries=1, backoff_delay=0.001, **options)


def test_a_botocore_without_the_chime_model_fails_before_any_request(fake, lookup, options, monkeypatch):
    from ansible_collections.chime.admin.plugins.module_utils._chime import service

    from fake_chime.no_chime import hide_chime

    monkeypatch.setattr(service, "_HAS_MODEL", {})
    hide_chime(monkeypatch)
    with pytest.raises(ChimeListingError) as core:
        AwsConnection(None, fake.url, {})
    with pytest.raises(AnsibleLookupError) as info:
        lookup.run([], {}, **options)
    assert core.value.code == "ChimeApiUnavailable"
    assert str(info.value) == f"chime_accounts: {core.value.message}"
    assert fake.log == []


def test_a_403_of_end_of_support_says_so_instead_of_naming_the_permission(fake, lookup, options):
    fake.set_faults(TENANT, rules=[{"kind": "deprecated", "every": 1}])
    with pytest.raises(AnsibleLookupError) as info:
        lookup.run([], {}, **options)
    message = str(info.value)
    assert message.startswith("chime_accounts: Failed to list Chime accounts: ListAccounts on page 1 returned")
    assert "is not authorized to call deprecated ListAccounts API." in message
    assert message.endswith(END_OF_SUPPORT_HINT) and "chime:ListAccounts" not in message
