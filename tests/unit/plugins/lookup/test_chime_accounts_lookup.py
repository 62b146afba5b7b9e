# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the lookup through ansible's plugin loader, so its option handling is real."""

import datetime
from unittest import mock

import pytest

from ansible.errors import AnsibleLookupError
from ansible.utils.display import Display

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


@pytest.mark.parametrize(
    "terms,extra,words",
    [
        ([" "], {}, "name must contain"),
        (["x" * 101], {}, "1 to 100 characters"),
        ([], {"page_size": 0}, "page_size must be between 1 and 200"),
        ([], {"user_email": "bad"}, "user_email must be an e-mail address"),
        ([], {"on_denied": "shrug"}, "on_denied"),
    ],
)
def test_bad_input_fails_before_any_request(fake, lookup, options, terms, extra, words):
    with pytest.raises(Exception) as info:
        lookup.run(terms, {}, **dict(options, **extra))
    assert words in str(info.value)
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
