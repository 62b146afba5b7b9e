# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the collection's exceptions and of the redaction of secrets in error messages
(module_utils/_chime/errors.py)."""

import botocore.exceptions
import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime import errors
from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import FAST
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import failing_once as _failing_once


def test_errors_are_ansible_aws_errors():
    from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

    client, _calls = _failing_once(botocore.exceptions.NoCredentialsError())
    with pytest.raises(AnsibleAWSError) as info:
        listing.list_chime_accounts(client, options=ListingOptions(**FAST))
    assert str(info.value) == info.value.message and "NoCredentialsError" in info.value.message
    with pytest.raises(AnsibleAWSError):
        ListingOptions(page_size=0).validate()


def test_redact_replaces_the_secret_in_each_of_its_url_encoded_forms():
    secret = "a b/c@example.com"
    text = "plain a b/c@example.com, a%20b%2Fc%40example.com, a+b%2Fc%40example.com, a%20b/c%40example.com."
    assert errors.redact(text, secret) == "plain <user_email>, <user_email>, <user_email>, <user_email>."
    assert errors.redact(text, secret, "<external_id>").count("<external_id>") == 4
    assert errors.redact(text, None) == text and errors.redact(text, "") == text


def test_describe_error_of_an_aws_error_keeps_its_code_and_request_id_and_redacts_its_message():
    error = botocore.exceptions.ClientError(
        {
            "Error": {"Code": "ForbiddenException", "Message": "no account for ana%40example.com", "Extra": "x"},
            "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": 403},
        },
        "ListAccounts",
    )
    code, detail, response = errors.describe_error(error, "ana@example.com")
    assert (code, detail) == ("ForbiddenException", "no account for <user_email>")
    assert response == {
        "Error": {"Code": "ForbiddenException", "Message": "no account for <user_email>"},
        "ResponseMetadata": {"RequestId": "req-1", "HTTPStatusCode": 403},
    }


def test_describe_error_of_a_failure_below_aws_is_its_class_name_without_a_response():
    error = botocore.exceptions.EndpointConnectionError(endpoint_url="http://x/accounts?user-email=ana%40example.com")
    code, detail, response = errors.describe_error(error, "ana@example.com", "<hidden>")
    assert code == "EndpointConnectionError" and response is None
    assert "ana" not in detail and "user-email=<hidden>" in detail


def test_a_listing_error_keeps_its_code_response_and_refusal():
    error = errors.ChimeListingError(
        "ListAccounts returned Forbidden: no", code="Forbidden", response={"a": 1}, denied=True
    )
    assert (error.message, error.code, error.response, error.denied) == (
        "ListAccounts returned Forbidden: no",
        "Forbidden",
        {"a": 1},
        True,
    )
    plain = errors.ChimeListingError("failed")
    assert (plain.code, plain.response, plain.denied) == (None, None, False)
    assert isinstance(errors.ChimeInputError("x"), ValueError)
