# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input matrix: invalid inputs to the module and the lookup, each refused with a clear
message that names the problem, with no traceback, and with no request sent to the endpoint."""

import pytest

from e2e.playbooks import CREDENTIALS
from e2e.playbooks import playbook_runner
from fake_chime import FakeChime
from fake_chime import generate
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT

MODULE = "chime.admin.chime_account_info"

# (case, options, words the failure message must hold)
MODULE_CASES = [
    ("page_size not a number", {"page_size": "many"}, "page_size"),
    ("page_size 0", {"page_size": 0}, "page_size must be between 1 and 200"),
    ("page_size 201", {"page_size": 201}, "page_size must be between 1 and 200"),
    ("page_size negative", {"page_size": -5}, "page_size must be between 1 and 200"),
    ("max_results alias 500", {"max_results": 500}, "page_size must be between 1 and 200"),
    ("backoff_retries not a number", {"backoff_retries": "lots"}, "backoff_retries"),
    ("backoff_retries -1", {"backoff_retries": -1}, "backoff_retries must be between 0 and 100"),
    ("backoff_retries 101", {"backoff_retries": 101}, "backoff_retries must be between 0 and 100"),
    ("backoff_delay 0", {"backoff_delay": 0}, "backoff_delay must be between"),
    ("backoff_delay not a number", {"backoff_delay": "soon"}, "backoff_delay"),
    ("backoff_max_delay below delay", {"backoff_delay": 5, "backoff_max_delay": 1}, "backoff_max_delay (1.0) must not"),
    ("empty name", {"name": ""}, "name must be an account-name prefix of 1 to 100 characters"),
    ("whitespace-only name", {"name": "  \t "}, "name must contain a character that is not white space"),
    ("name of 101 characters", {"name": "n" * 101}, "name must be an account-name prefix of 1 to 100 characters"),
    ("name of line breaks only", {"name": "\n\n"}, "name must contain a character that is not white space"),
    ("page_size with a fraction", {"page_size": 2.5}, "page_size"),
    ("user_email without @", {"user_email": "not-an-email"}, "user_email must be an e-mail address"),
    ("user_email without a dot", {"user_email": "a@b"}, "user_email must be an e-mail address"),
    ("unknown option", {"colour": "blue"}, "Unsupported parameters"),
    ("malformed endpoint_url", {"endpoint_url": "not a url"}, "Invalid endpoint"),
    (
        "profile that does not exist",
        {"profile": "no-such-profile", "access_key": "", "secret_key": ""},
        "no-such-profile",
    ),
    (
        "access key without its secret",
        {"secret_key": ""},
        "Partial credentials found in explicit, missing: aws_secret_access_key",
    ),
]

LOOKUP_CASES = [
    ("empty term", [""], {}, "name must be an account-name prefix of 1 to 100 characters"),
    ("whitespace-only term", [" "], {}, "name must contain a character that is not white space"),
    ("term of 101 characters", ["t" * 101], {}, "name must be an account-name prefix of 1 to 100 characters"),
    ("term not a string", [42], {}, "name must be an account-name prefix"),
    ("page_size 0", [], {"page_size": 0}, "page_size must be between 1 and 200"),
    ("page_size not a number", [], {"page_size": "many"}, "page_size"),
    ("user_email bad pattern", [], {"user_email": "bad@"}, "user_email must be an e-mail address"),
    ("on_denied not a choice", [], {"on_denied": "shrug"}, "on_denied"),
    ("backoff_retries -1", [], {"backoff_retries": -1}, "backoff_retries must be between 0 and 100"),
    ("backoff_max_delay 0", [], {"backoff_max_delay": 0}, "backoff_max_delay must be between"),
    ("unknown option", [], {"colour": "blue"}, "unknown option(s) colour"),
    ("misspelt user_email", [], {"user_mail": "a@example.com"}, "unknown option(s) user_mail"),
    ("malformed endpoint_url", [], {"endpoint_url": "not a url"}, "Invalid endpoint"),
    (
        "profile that does not exist",
        [],
        {"profile": "no-such-profile", "access_key": "", "secret_key": ""},
        "no-such-profile",
    ),  # noqa: E501
    (
        "access key without its secret",
        [],
        {"secret_key": ""},
        "Partial credentials found in explicit, missing: aws_secret_access_key",
    ),
]


def _module_task(fake, index, options):
    merged = dict(CREDENTIALS, endpoint_url=fake.url)
    merged.update(options)
    return {"name": f"case {index}", MODULE: merged, "register": f"m{index}", "ignore_errors": True}


def _lookup_task(fake, index, terms, options):
    merged = dict(CREDENTIALS, endpoint_url=fake.url)
    merged.update(options)
    args = [repr(t) for t in terms] + [f"{k}={v!r}" for k, v in merged.items()]
    expression = "{{ query('chime.admin.chime_accounts', " + ", ".join(args) + ") }}"
    return {
        "name": f"case {index}",
        "ansible.builtin.set_fact": {"unused": expression},
        "register": f"l{index}",
        "ignore_errors": True,
    }


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """Both doors' cases in one play; the registered results and the endpoint's request count."""
    with FakeChime() as fake:
        fake.add_tenant(generate(20, seed=1, aws_account_id=TENANT), ACCESS_KEY, SECRET_KEY)
        return _run_cases(fake, playbook_runner(tmp_path_factory.mktemp("bad-input")))


def _run_cases(fake, play):
    tasks = [_module_task(fake, i, options) for i, (_case, options, _words) in enumerate(MODULE_CASES)]
    tasks += [_lookup_task(fake, i, terms, options) for i, (_case, terms, options, _words) in enumerate(LOOKUP_CASES)]
    names = [f"m{i}" for i in range(len(MODULE_CASES))] + [f"l{i}" for i in range(len(LOOKUP_CASES))]
    result = play(tasks, save=names)
    assert result.rc == 0, result.output
    return result.saved, fake.stats()["requests"]


def _assert_clear(registered, case, words):
    assert registered.get("failed") is True, f"{case}: accepted"
    assert words in registered["msg"], f"{case}: {registered['msg']}"
    assert "Traceback" not in registered["msg"], f"{case}: {registered['msg']}"


@pytest.mark.parametrize("index", range(len(MODULE_CASES)), ids=[c[0] for c in MODULE_CASES])
def test_module_refuses(outcome, index):
    saved, requests = outcome
    case, _options, words = MODULE_CASES[index]
    _assert_clear(saved[f"m{index}"], case, words)
    assert requests == 0


@pytest.mark.parametrize("index", range(len(LOOKUP_CASES)), ids=[c[0] for c in LOOKUP_CASES])
def test_lookup_refuses(outcome, index):
    saved, requests = outcome
    case, _terms, _options, words = LOOKUP_CASES[index]
    _assert_clear(saved[f"l{index}"], case, words)
    assert requests == 0
