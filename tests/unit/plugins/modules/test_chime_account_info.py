# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the module's door: argument handling, validation before any request, exit shape."""

import json

import pytest

from ansible_collections.chime.admin.plugins.modules import chime_account_info
from ansible_collections.chime.admin.tests.unit.compat.module_args import patch_module_args

from fake_chime.bad_inputs import MODULE_CASES
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import ACCOUNTS
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT


def _run(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            chime_account_info.main()
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def connection(fake, clean_environment):  # pylint: disable=unused-argument
    return {"endpoint_url": fake.url, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}


def test_lists_everything_with_no_region_given(fake, capsys, connection):
    result = _run(capsys, connection)
    assert result["changed"] is False and "failed" not in result
    assert len(result["accounts"]) == result["summary"]["total"] == ACCOUNTS
    assert fake.stats()["requests"] == 3  # ceil(450 / 200)
    assert {e["region"] for e in fake.requests()} == {"us-east-1"}


def test_max_results_alias_sets_the_page_size(fake, capsys, connection):
    _run(capsys, dict(connection, max_results=50))
    assert [e["query"]["max-results"] for e in fake.requests()] == ["50"] * 9


# The listing core's refusals, word for word as the module's failure shows them. Their wording is pinned here
# only: the lookup's and the action's unit tests check that they pass on the core's own message, and the core's
# own tests (module_utils/_chime/test_options.py) that each names its option.
@pytest.mark.parametrize(
    "args,message",
    [
        ({"page_size": 500}, "page_size must be between 1 and 200, got 500."),
        ({"name": " "}, "name must contain a character that is not white space."),
        ({"name": "x" * 101}, "name must be an account-name prefix of 1 to 100 characters, got 101."),
        ({"name": "a\nb"}, "name must not contain a line break or another control character."),
        ({"user_email": "ana@example"}, "user_email must be an e-mail address matching .+@.+\\..+ (value not shown)."),
        ({"backoff_retries": -2}, "backoff_retries must be between 0 and 100, got -2."),
        ({"page_size": True}, "page_size must be a number between 1 and 200, not a boolean, got True."),
        ({"max_results": False}, "max_results must be a number between 1 and 200, not a boolean, got False."),
        ({"backoff_retries": True}, "backoff_retries must be a number between 0 and 100, not a boolean, got True."),
        # Ansible has made 1.0 of these: the module reads them as given.
        ({"backoff_delay": True}, "backoff_delay must be a number between 0.001 and 300, not a boolean, got True."),
        (
            {"backoff_max_delay": True},
            "backoff_max_delay must be a number between 0.001 and 3600, not a boolean, got True.",
        ),
        ({"concurrency": True}, "concurrency must be a number between 1 and 64, not a boolean, got True."),
        ({"backoff_delay": 0}, "backoff_delay must be between 0.001 and 300, got 0.0."),
        ({"backoff_max_delay": 4000}, "backoff_max_delay must be between 0.001 and 3600, got 4000.0."),
        (
            {"backoff_delay": 5, "backoff_max_delay": 1},
            "backoff_max_delay (1.0) must not be below backoff_delay (5.0).",
        ),
        (
            {"role_arns": ["arn:aws:iam::1234:role/R"]},
            "role_arns must hold IAM role ARNs like arn:aws:iam::123456789012:role/ChimeAudit,"
            " got 'arn:aws:iam::1234:role/R'.",
        ),
        ({"role_arns": []}, "role_arns must be a non-empty list of IAM role ARNs."),
        (
            {"organization_role_name": "a b"},
            "organization_role_name must be an IAM role name (with an optional path) of [\\w+=,.@-] characters,"
            " got 'a b'.",
        ),
        (
            {"organization_role_name": "R", "external_id": "Pro4567"},
            "external_id must be 8 to 1224 characters of [\\w+=,.@:/-] (value not shown): a shorter one would also"
            " be masked wherever it appears in the results, and AWS advises long random values.",
        ),
        (
            {"organization_role_name": "R", "role_session_name": "x"},
            "role_session_name must be 2 to 64 characters of [\\w+=,.@-], got 'x'.",
        ),
        ({"organization_role_name": "R", "concurrency": 0}, "concurrency must be between 1 and 64, got 0."),
    ],
)
def test_bad_values_fail_with_the_cores_message_before_any_request(fake, capsys, connection, args, message):
    result = _run(capsys, dict(connection, **args))
    assert result["failed"] is True and result["msg"] == message
    assert "Traceback" not in result["msg"]
    assert fake.stats()["requests"] == 0


# What AnsibleModule itself refuses, in its own words.
@pytest.mark.parametrize(
    "args,words",
    [
        ({"page_size": "many"}, "page_size"),
        ({"colour": "blue"}, "Unsupported parameters"),
    ],
)
def test_bad_values_fail_before_any_request(fake, capsys, connection, args, words):
    result = _run(capsys, dict(connection, **args))
    assert result["failed"] is True and words in result["msg"]
    assert "Traceback" not in result["msg"]
    assert fake.stats()["requests"] == 0


def test_check_mode_lists_as_usual(fake, capsys, connection):
    result = _run(capsys, dict(connection, _ansible_check_mode=True))
    assert result["changed"] is False and len(result["accounts"]) == ACCOUNTS


def test_failure_goes_through_fail_json_aws(fake, capsys, connection):
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "on_page": 0}])
    result = _run(capsys, connection)
    assert result["failed"] is True
    assert "ListAccounts" in result["msg"] and "ForbiddenException" in result["msg"]
    assert "chime:ListAccounts" in result["msg"]
    assert result["error"]["code"] == "ForbiddenException"
    assert "accounts" not in result


@pytest.mark.parametrize("case,options,words", MODULE_CASES, ids=[c[0] for c in MODULE_CASES])
def test_the_bad_input_matrix_is_refused_before_any_request(fake, capsys, connection, case, options, words):
    """Every module case of the bad-input matrix (``fake_chime/bad_inputs.py``), through ``main()`` as
    AnsibleModule runs it; one of each kind also runs through ansible-playbook (tests/e2e/test_bad_input_matrix.py)."""
    result = _run(capsys, dict(connection, **options))
    assert result.get("failed") is True, f"{case}: accepted"
    assert words in result["msg"], f"{case}: {result['msg']}"
    assert "Traceback" not in result["msg"], f"{case}: {result['msg']}"
    assert fake.stats()["requests"] == 0


# The two failures of the Chime service's end of support, word for word (the docs quote them).
NO_CHIME_MODEL = (
    'The installed botocore {version} no longer includes the Amazon Chime API (no "chime" service model), which'
    " AWS ended on 2026-02-20. botocore 1.35.69 and later releases include it, up to at least 1.44.18, the newest"
    " checked: install one of those, for example pip install 'botocore>=1.35.69,<=1.44.18'"
    " 'boto3>=1.35.69,<=1.44.18'. Even with it, the chime API may no longer answer at all."
)
END_OF_SUPPORT = (
    "Failed to list Chime accounts: ListAccounts on page 1 returned ForbiddenException: User:"
    " arn:aws:iam::{tenant}:user/fake-auditor is not authorized to call deprecated ListAccounts API. This is the"
    " Amazon Chime service's end of support (2026-02-20), not a missing IAM permission: the service no longer"
    " serves this API. It fails the listing whatever on_denied says."
)


def test_a_botocore_without_the_chime_model_fails_before_any_request(fake, capsys, connection, monkeypatch):
    import botocore

    from ansible_collections.chime.admin.plugins.module_utils._chime import service

    from fake_chime.no_chime import hide_chime

    monkeypatch.setattr(service, "_HAS_MODEL", {})
    hide_chime(monkeypatch)
    result = _run(capsys, connection)
    assert result["failed"] is True and result["msg"] == NO_CHIME_MODEL.format(version=botocore.__version__)
    assert "error" not in result and "accounts" not in result
    assert fake.log == []


def test_a_403_of_end_of_support_says_so_instead_of_naming_the_permission(fake, capsys, connection):
    fake.set_faults(TENANT, rules=[{"kind": "deprecated", "every": 1}])
    result = _run(capsys, connection)
    assert result["failed"] is True and result["msg"] == END_OF_SUPPORT.format(tenant=TENANT)
    assert result["error"]["code"] == "ForbiddenException" and "chime:ListAccounts" not in result["msg"]
    assert fake.stats()["requests"] == 1  # a refusal is not retried


@pytest.mark.parametrize("kind", ["html_403", "html_502"])
def test_a_proxys_html_page_is_quoted_cut_escaped_and_without_the_e_mail(fake, capsys, connection, kind):
    email = next(iter(fake.tenants[TENANT].data.users))
    fake.set_faults(TENANT, rules=[{"kind": kind, "every": 1}])
    result = _run(capsys, dict(connection, user_email=email))
    status = kind[-3:]
    assert result["failed"] is True and result["error"]["code"] == status
    assert result["msg"].startswith(
        f"Failed to list Chime accounts: ListAccounts on page 1 returned {status}: <!DOCTYPE"
    )
    assert result["msg"].endswith(" characters)") and "... (cut at 500 of " in result["msg"]
    assert len(result["msg"]) < 700 and len(result["error"]["message"]) < 560
    assert "\x1b" not in result["msg"] and "\\u001b[31m" in result["msg"] and "\\u202e" in result["msg"]
    assert email.upper() not in json.dumps(result).upper() and "<user_email>" in result["msg"]
    assert "response_metadata" in result and "http_headers" not in result["response_metadata"]
