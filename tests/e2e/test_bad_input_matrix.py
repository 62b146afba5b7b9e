# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input matrix (``fake_chime/bad_inputs.py``) through ansible-playbook: invalid inputs to the module and
the lookup, each refused with a clear message that names the problem, with no traceback, and with no request sent
to the endpoint. Every lookup case runs here; of the module's, one of each kind (each costs a module process);
every module case runs through the module's ``main()`` in its unit tests."""

import pytest

from e2e.playbooks import CREDENTIALS
from e2e.playbooks import playbook_runner
from fake_chime import FakeChime
from fake_chime import generate
from fake_chime.bad_inputs import LOOKUP_CASES
from fake_chime.bad_inputs import MODULE_CASES
from fake_chime.bad_inputs import MODULE_CASES_END_TO_END
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT

MODULE = "chime.admin.chime_account_info"


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


END_TO_END = [i for i, (case, _options, _words) in enumerate(MODULE_CASES) if case in MODULE_CASES_END_TO_END]


def _run_cases(fake, play):
    tasks = [_module_task(fake, i, MODULE_CASES[i][1]) for i in END_TO_END]
    tasks += [_lookup_task(fake, i, terms, options) for i, (_case, terms, options, _words) in enumerate(LOOKUP_CASES)]
    names = [f"m{i}" for i in END_TO_END] + [f"l{i}" for i in range(len(LOOKUP_CASES))]
    result = play(tasks, save=names)
    assert result.rc == 0, result.output
    return result.saved, fake.stats()["requests"]


def _assert_clear(registered, case, words):
    assert registered.get("failed") is True, f"{case}: accepted"
    assert words in registered["msg"], f"{case}: {registered['msg']}"
    assert "Traceback" not in registered["msg"], f"{case}: {registered['msg']}"


@pytest.mark.parametrize("index", END_TO_END, ids=[MODULE_CASES[i][0] for i in END_TO_END])
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
