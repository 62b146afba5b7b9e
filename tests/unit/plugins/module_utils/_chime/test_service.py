# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the end of support's two failures (module_utils/_chime/service.py): a botocore without the
chime model, found before any request, and a 403 that speaks of deprecation."""

import contextlib
import os
import re
import threading

import botocore
import botocore.exceptions
import botocore.session
import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime import service
from ansible_collections.chime.admin.plugins.module_utils._chime.errors import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils._chime.inventory import inventory
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions

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


def _version(text):
    return tuple(int(part) for part in text.split("."))


def test_the_bounds_are_the_releases_checked_and_the_demo_pins_one_of_them():
    """The message's bounds come from the wheels checked (CHECKED_BOTOCORE), not from a pin: the demo's botocore
    is one of them, and the newest checked is at least the demo's, so no advice pins below a release that works."""
    checked = service.CHECKED_BOTOCORE
    assert list(checked) == sorted(checked, key=_version) and len(set(checked)) == len(checked)
    assert (service.OLDEST_BOTOCORE, service.NEWEST_BOTOCORE) == (checked[0], checked[-1])
    assert {"1.35.69", "1.44.8", "1.44.13", "1.44.18"} <= set(checked)
    pins = re.findall(r"^botocore==([0-9.]+)\s*$", _read("demo-requirements.txt"), re.MULTILINE)
    assert len(pins) == 1 and pins[0] in checked
    message = service.API_UNAVAILABLE_MESSAGE
    assert (
        f"{service.OLDEST_BOTOCORE} and later releases include it, up to at least {service.NEWEST_BOTOCORE}" in message
    )
    for bound in re.findall(r"<=?\s*([0-9.]+)", message):  # every upper bound it advises
        assert _version(bound) >= _version(service.NEWEST_BOTOCORE), bound


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
    assert "pip install 'botocore>=1.35.69,<=1.44.18' 'boto3>=1.35.69,<=1.44.18'" in info.value.message


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
        ("ForbiddenException", "The Amazon Chime API has been discontinued."),
        ("AccessDeniedException", "Amazon Chime has reached end of life."),
        ("AccessDeniedException", "Amazon Chime has reached End-of-Life."),
        ("ForbiddenException", "User: arn:aws:iam::1:user/deprecated/bob is not authorized to call deprecated API."),
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
        # Names that the refusal quotes, not the service's own wording:
        (
            "AccessDeniedException",
            "User: arn:aws:iam::1:user/deprecated/bob is not authorized to perform: chime:ListAccounts on resource: *",
        ),
        (
            "AccessDeniedException",
            "User: arn:aws:sts::1:assumed-role/End-of-Support-Cleanup/s is not authorized to"
            " perform: chime:ListAccounts with an explicit deny in a service control policy",
        ),
        (
            "AccessDeniedException",
            "User: x is not authorized to perform: chime:ListAccounts with an explicit deny in"
            " a service control policy: arn:aws:organizations::1:policy/o-1/service_control_policy/p-end-of-life",
        ),
        ("ForbiddenException", "explicit deny in role/End-of-Support-Cleanup"),
        ("ForbiddenException", "denied by the role End-of-Support-Cleanup"),
        ("ForbiddenException", "denied by the policy 'deprecated' of the account"),
        ("ForbiddenException", 'denied by the policy "no longer supported" of the account'),
        ("ForbiddenException", "denied by deprecated_apis_deny"),
    ],
)
def test_other_refusals_do_not(code, detail):
    assert service.ends_support(code, detail) is False


class _Connection:
    def __init__(self, endpoint_url=None, default="https://chime.us-east-1.amazonaws.com"):
        self.endpoint_url, self.default = endpoint_url, default

    def botocore_endpoint(self, service_name):
        assert service_name == "chime"
        return self.default


class _Client:
    class meta:  # noqa: N801 (botocore's attribute)
        endpoint_url = "https://chime.us-east-1.amazonaws.com"


def _unreachable(code="EndpointConnectionError"):
    return ChimeListingError(f"ListAccounts on page 1 returned {code}: Could not connect", code=code)


@pytest.mark.parametrize("code", ["EndpointConnectionError", "ConnectTimeoutError"])
def test_the_default_endpoint_unreachable_says_the_service_ended(code):
    error = service.note_unreachable(_unreachable(code), _Connection(), _Client())
    assert error.message.endswith(f"Could not connect {service.UNREACHABLE_HINT}") and error.args == (error.message,)
    assert "2026-02-20" in service.UNREACHABLE_HINT


@pytest.mark.parametrize(
    "connection,error",
    [
        (_Connection(endpoint_url="http://127.0.0.1:9"), _unreachable()),  # endpoint_url given
        (_Connection(default="https://elsewhere.example"), _unreachable()),  # AWS_ENDPOINT_URL_CHIME, a profile
        (object(), _unreachable()),  # a connection of the facade's users that cannot say
        (_Connection(), _unreachable("ReadTimeoutError")),  # it answered, then went quiet: not unreachable
        (_Connection(), _unreachable("ForbiddenException")),
    ],
)
def test_any_other_endpoint_or_failure_gets_no_such_sentence(connection, error):
    message = error.message
    assert service.note_unreachable(error, connection, _Client()).message == message


def test_botocores_own_endpoint_ignores_the_configured_ones(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_CHIME", "http://127.0.0.1:9")
    connection = listing.AwsConnection(None, None, {"aws_access_key_id": "AKIAX", "aws_secret_access_key": "s"})
    client = connection.client("chime")
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert connection.botocore_endpoint("chime") not in ("http://127.0.0.1:9", None)
    assert service.at_default_endpoint(connection, client) is False
    monkeypatch.delenv("AWS_ENDPOINT_URL_CHIME")
    # A connection keeps its clients: a new one resolves the endpoint again.
    connection = listing.AwsConnection(None, None, {"aws_access_key_id": "AKIAX", "aws_secret_access_key": "s"})
    assert service.at_default_endpoint(connection, connection.client("chime")) is True


class _Roles:
    """An AwsConnection stand-in: STS assumes any role; AWS account 222222222222's Chime answers the end of
    support's 403, 111111111111's one account."""

    def client(self, service, pool=None):
        assert service == "sts"
        return self

    @contextlib.contextmanager
    def role_client(self, credentials, pool=None):
        yield _RoleChime(credentials["AccessKeyId"])

    def assume_role(self, RoleArn, RoleSessionName, ExternalId=None):  # noqa: N803 (boto3's parameter names)
        return {"Credentials": {"AccessKeyId": RoleArn.split(":")[4], "SecretAccessKey": "s", "SessionToken": "t"}}


class _RoleChime:
    def __init__(self, aws_account_id):
        self.aws_account_id = aws_account_id

    def list_accounts(self, **params):
        if self.aws_account_id == "222222222222":
            error = {"Code": "ForbiddenException", "Message": "The Amazon Chime API has been discontinued."}
            raise botocore.exceptions.ClientError({"Error": error}, "ListAccounts")
        return {"Accounts": [{"AccountId": "a-1", "AwsAccountId": self.aws_account_id, "Name": "One"}]}


@pytest.mark.parametrize("on_denied", ["skip", "warn", "error"])
def test_across_aws_accounts_an_end_of_support_answer_fails_whatever_on_denied_says(on_denied):
    arns = ["arn:aws:iam::111111111111:role/Audit", "arn:aws:iam::222222222222:role/Audit"]
    options = ListingOptions(role_arns=arns, on_denied=on_denied, backoff_retries=0)
    with pytest.raises(ChimeListingError) as info:
        inventory(_Roles(), [None], options)
    assert info.value.message.startswith("Failed to list Chime accounts in 1 of 2 AWS accounts: 222222222222:")
    assert service.END_OF_SUPPORT_HINT in info.value.message and not info.value.denied
