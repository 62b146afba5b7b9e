# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the end of support's two failures (module_utils/_chime/service.py): a botocore without the
chime model, found before any request, and a 403 that speaks of deprecation."""

import os
import re
import threading

import botocore
import botocore.session
import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime import service
from ansible_collections.chime.admin.plugins.module_utils._chime.errors import ChimeListingError

from fake_chime.no_chime import hide_chime

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "..")


def _read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def no_chime(monkeypatch):
    """botocore without the chime model, with the per-process answer forgotten before and after."""
    monkeypatch.setattr(service, "_HAS_MODEL", {})
    hide_chime(monkeypatch)


def test_newest_is_the_botocore_that_demo_requirements_pins():
    pins = re.findall(r"^botocore==([0-9.]+)\s*$", _read("demo-requirements.txt"), re.MULTILINE)
    assert pins == [service.NEWEST_BOTOCORE]


def test_oldest_is_the_botocore_of_the_oldest_stack_of_the_test_matrix():
    # hacking/test_matrix.py installs requirements.txt's floor on the oldest stack.
    assert 'botocore = floor("requirements.txt", "boto3"), floor("requirements.txt", "botocore")' in _read(
        "hacking/test_matrix.py"
    )
    floors = re.findall(r"^botocore>=([0-9.]+)\s*$", _read("requirements.txt"), re.MULTILINE)
    assert floors == [service.OLDEST_BOTOCORE]


def test_the_installed_botocore_lists_the_chime_model():
    """Run on each stack of the test matrix, the oldest's included: both ends of the range hold the model."""
    session = botocore.session.Session()
    assert "chime" in session.get_available_services()
    assert service.has_chime_model(session) is True
    listing.AwsConnection(None, "http://127.0.0.1:9", {})  # does not raise


def test_without_the_model_the_connection_fails_with_the_message_before_any_client(no_chime):
    with pytest.raises(ChimeListingError) as info:
        listing.AwsConnection(None, "http://127.0.0.1:9", {})
    assert info.value.code == "ChimeApiUnavailable" and info.value.response is None and not info.value.denied
    assert info.value.message == service.API_UNAVAILABLE_MESSAGE.format(version=botocore.__version__)
    assert f"The installed botocore {botocore.__version__} no longer includes" in info.value.message
    assert "pip install 'botocore<=1.44.8' 'boto3<=1.44.8'" in info.value.message


def test_the_answer_is_kept_per_set_of_data_paths(no_chime, monkeypatch):
    asked = []
    listed = botocore.session.Session.get_available_services

    def counting(self):
        asked.append(tuple(self.get_component("data_loader").search_paths))
        return listed(self)

    monkeypatch.setattr(botocore.session.Session, "get_available_services", counting)
    assert service.has_chime_model(botocore.session.Session()) is False
    assert service.has_chime_model(botocore.session.Session()) is False
    assert len(asked) == 1
    monkeypatch.setenv("AWS_DATA_PATH", os.path.dirname(__file__))
    assert service.has_chime_model(botocore.session.Session()) is False
    assert len(asked) == 2 and asked[0] != asked[1]


def test_threads_asking_at_once_list_the_models_once(no_chime, monkeypatch):
    asked, start = [], threading.Barrier(8)
    listed = botocore.session.Session.get_available_services

    def counting(self):
        asked.append(1)
        return listed(self)

    monkeypatch.setattr(botocore.session.Session, "get_available_services", counting)
    sessions = [botocore.session.Session() for _index in range(8)]
    answers = []

    def ask(session):
        start.wait()
        answers.append(service.has_chime_model(session))

    threads = [threading.Thread(target=ask, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [False] * 8 and asked == [1]


def test_an_unreadable_loader_counts_as_listing_the_model_and_is_not_kept(monkeypatch):
    monkeypatch.setattr(service, "_HAS_MODEL", {})

    def unreadable(self):
        raise PermissionError("data path")

    monkeypatch.setattr(botocore.session.Session, "get_available_services", unreadable)
    assert service.has_chime_model(botocore.session.Session()) is True
    assert not service._HAS_MODEL  # pylint: disable=protected-access


@pytest.mark.parametrize(
    "code,detail",
    [
        ("ForbiddenException", "User: arn:aws:iam::1:user/a is not authorized to call deprecated ListAccounts API."),
        ("Forbidden", "This API is DEPRECATED."),
        ("AccessDeniedException", "Amazon Chime has reached End-of-Support."),
        ("AccessDenied", "end of\nsupport"),
        ("ForbiddenException", "ListAccounts is no longer supported"),
        ("ForbiddenException", "The Amazon Chime API is No Longer Available."),
    ],
)
def test_a_403_that_speaks_of_deprecation_or_end_of_support_ends_support(code, detail):
    assert service.ends_support(code, detail) is True


@pytest.mark.parametrize(
    "code,detail",
    [
        ("ForbiddenException", "User: arn:aws:iam::1:user/a is not authorized to perform chime:ListAccounts"),
        ("ForbiddenException", "Access denied; the account is disabled"),
        ("ForbiddenException", "undeprecatedness"),  # a word, not a part of one
        ("ForbiddenException", ""),
        ("ForbiddenException", None),
        ("UnauthorizedClientException", "The security token is deprecated"),  # a 401 is about the credentials
        ("BadRequestException", "deprecated parameter"),
        ("403", "<html>deprecated</html>"),  # a proxy's page, not the service
    ],
)
def test_other_refusals_do_not(code, detail):
    assert service.ends_support(code, detail) is False
