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
    plain = "no address here: a%20b, &amp; \\u0041"
    assert errors.redact(plain, None) == plain and errors.redact(plain, "") == plain


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


@pytest.mark.parametrize(
    "text",
    [
        "no account for ALICE@EXAMPLE.COM",
        "no account for Alice@Example.Com",
        "no account for alice%40example.com",
        "no account for ALICE%40EXAMPLE.COM",
        "no account for alice%2540example.com",  # encoded twice
        "no account for %61lice%40example%2Ecom",  # encoded in part, %2E in upper case
        "no account for %61LICE%40EXAMPLE%2ecom",
    ],
)
def test_redact_finds_the_e_mail_in_any_case_and_any_encoding(text):
    assert errors.redact(text, "alice@example.com") == "no account for <user_email>"


def test_redact_withholds_every_other_address_and_keeps_a_placeholder_with_backslashes():
    text = "bob@example.com and alice@example.org and alice@example.com."
    withheld = errors.WITHHELD
    assert errors.redact(text, "alice@example.com", r"<\1>") == rf"{withheld} and {withheld} and <\1>."
    assert errors.redact("a.b+c@x.io a+b+c@x.io", "a.b+c@x.io") == f"<user_email> {withheld}"  # . and + literal


def test_bounded_escapes_invisible_characters_and_keeps_the_rest():
    hostile = "ok\x1b[31mred\r\nnext\u202eevil\u2028line\x00\x7f é ✓"
    assert errors.bounded(hostile) == "ok\\u001b[31mred\\u000d\\u000anext\\u202eevil\\u2028line\\u0000\\u007f é ✓"
    assert errors.bounded("plain text") == "plain text"


def test_bounded_cuts_a_huge_text_after_500_characters_with_its_length():
    huge = "<!DOCTYPE html>" + "x" * (2 * 1024 * 1024)
    shown = errors.bounded(huge)
    assert shown == huge[:500] + f"... (cut at 500 of {len(huge)} characters)"
    assert errors.bounded("y" * 500) == "y" * 500  # at the bound: whole
    escaped = errors.bounded("\x1b" * 600)
    assert escaped.startswith("\\u001b" * 83 + "...")  # whole escapes only, 498 characters
    assert escaped.endswith("(cut at 500 of 600 characters)")


def test_describe_error_keeps_only_request_id_status_and_attempts_of_the_metadata():
    error = botocore.exceptions.ClientError(
        {
            "Error": {"Code": "ForbiddenException", "Message": "denied"},
            "ResponseMetadata": {
                "RequestId": "req-1",
                "HTTPStatusCode": 403,
                "RetryAttempts": 0,
                "HostId": "host",
                "HTTPHeaders": {"x-echo": "user-email=Ana%40Example.com", "set-cookie": "session=token"},
            },
        },
        "ListAccounts",
    )
    _code, _detail, response = errors.describe_error(error, "ana@example.com")
    assert response["ResponseMetadata"] == {"RequestId": "req-1", "HTTPStatusCode": 403, "RetryAttempts": 0}
    assert "Ana" not in repr(response) and "token" not in repr(response)


def test_describe_error_of_a_hostile_proxy_page_redacts_the_whole_then_cuts_and_escapes():
    """The e-mail is redacted before the cut: an address across the 500th character never shows in part."""
    page = "<!DOCTYPE html>\x1b[2J" + "p" * 460 + "USER-EMAIL=ANA.SILVA%40EXAMPLE.COM" + "q" * (2 * 1024 * 1024)
    error = botocore.exceptions.ClientError(
        {"Error": {"Code": "x" * 5000, "Message": page}, "ResponseMetadata": {"RequestId": "ana.silva@example.com"}},
        "ListAccounts",
    )
    code, detail, response = errors.describe_error(error, "ana.silva@example.com")
    # No white space, bracket or slash after "[": nothing after it is known to be free of an address.
    assert detail == f"<!DOCTYPE html>\\u001b[... (cut at 500 of {len(page)} characters)"
    spaced = page.replace("p" * 460, "p " * 230).replace("q" * (2 * 1024 * 1024), " q" * (1024 * 1024))
    error.response["Error"]["Message"] = spaced
    code, detail, response = errors.describe_error(error, "ana.silva@example.com")
    assert detail.startswith("<!DOCTYPE html>\\u001b[2J") and "\x1b" not in detail
    assert detail.endswith(f"... (cut at 500 of {len(spaced)} characters)")
    assert "ANA" not in detail and "USER-EMAIL=<user..." in detail and len(detail) < 560
    assert code == "x" * 100 + "... (cut at 100 of 5000 characters)"
    assert response["Error"] == {"Code": code, "Message": detail}
    assert response["ResponseMetadata"] == {"RequestId": "<user_email>"}


def test_a_redacted_message_that_fits_is_not_marked_cut_and_a_long_one_costs_only_its_start(monkeypatch):
    assert errors.quoted("x" * 480 + "ALICE%40EXAMPLE.COM", "alice@example.com") == "x" * 480 + "<user_email>"
    seen = []
    normalised = errors._normalised  # pylint: disable=protected-access
    monkeypatch.setattr(
        errors, "_normalised", lambda text, decode=True: seen.append(len(text)) or normalised(text, decode)
    )
    assert errors.quoted("y " * 5_000_000, "alice@example.com").endswith("(cut at 500 of 10000000 characters)")
    assert max(seen) <= 1000  # the first start, of twice the limit, shows enough
    seen.clear()
    assert errors.quoted("y" * 10_000_000, "alice@example.com") == "... (cut at 500 of 10000000 characters)"
    assert max(seen) <= errors.MAX_WINDOW  # no safe point: the start grows to its bound, then shows nothing


def test_describe_error_below_aws_is_bounded_too():
    error = botocore.exceptions.EndpointConnectionError(endpoint_url="http://x/" + "\x1b" + "a" * 1000)
    _code, detail, _response = errors.describe_error(error)
    assert "\x1b" not in detail and detail.endswith("characters)")


def test_no_part_of_the_address_shows_where_redacted_forms_shrink_before_the_cut():
    secret = "ana.garcia@example.com"
    twice = "".join(f"%25{byte:02X}" for byte in secret.encode("utf-8"))  # each byte encoded twice
    text = twice * 8 + "y" * 300 + secret + " and more " * 100
    shown = errors.quoted(text, secret)
    assert "ana" not in shown.replace("<user_email>", "") and "garcia" not in shown
    assert shown.endswith(f"(cut at 500 of {len(text)} characters)")
    # The same with the address split across any point of the first stretches: never a prefix of it.
    for padding in range(0, 900, 37):
        shown = errors.quoted("x" * padding + secret + "z" * 2000, secret)
        assert not any(secret[:n] in shown for n in range(3, len(secret) + 1))


EMAIL = "alice.auditor@example.com"


@pytest.mark.parametrize(
    "text",
    [
        "User: arn:aws:iam::444455556666:user/alice.auditor@example.com is not authorized",
        "User: arn:aws:sts::444455556666:federated-user/alice.auditor@example.com is not authorized",
        "User: arn:aws:sts::444455556666:assumed-role/AWSReservedSSO_Admin_0123/alice.auditor@example.com is not",
        "User: arn:aws:iam::444455556666:user/alice.auditor&#64;example.com is not authorized",
        "User: arn:aws:iam::444455556666:user/alice.auditor&#x40;example.com is not authorized",
        "User: arn:aws:iam::444455556666:user/alice.auditor&commat;example.com is not authorized",
        "User: arn:aws:iam::444455556666:user/alice.auditor&amp;#64;example.com is not authorized",  # twice
        "User: arn:aws:iam::444455556666:user/alice.auditor\\u0040example.com is not authorized",
        "User: arn:aws:iam::444455556666:user/alice.auditor%40example.com is not authorized",
        "User: arn:aws:iam::444455556666:user/alice.auditor\uff20example.com is not authorized",  # fullwidth @
    ],
)
def test_an_address_in_an_arn_is_withheld_in_every_encoding_keeping_the_account_and_the_type(text):
    shown = errors.redact(text)
    assert errors.WITHHELD in shown and "alice" not in shown and "example" not in shown
    assert "arn:aws:" in shown and "::444455556666:" in shown
    assert any(kind in shown for kind in (":user/", ":federated-user/", ":assumed-role/AWSReservedSSO_Admin_0123/"))


@pytest.mark.parametrize(
    "secret,text",
    [
        ("Élodie.Ünal@Example.com", "user-email=%c3%a9lodie.%c3%bcnal%40example.com"),  # lower-cased, then encoded
        ("Élodie.Ünal@Example.com", "user-email=%C3%89LODIE.%C3%9CNAL%40EXAMPLE.COM"),
        ("élodie@example.com", "user-email=e\u0301lodie@example.com"),  # NFD in the text
        ("e\u0301lodie@example.com", "user-email=\u00e9lodie@example.com"),  # NFD in the filter
        ("a+b@example.com", "user-email=a&#43;b&#64;example.com"),
        ("a+b@example.com", "user-email=a&plus;b&commat;example.com"),
        ("a+b@example.com", "user-email=a\\u002bb\\u0040example.com"),  # a literal escape, in a page not JSON
        ("a\u0323\u0301b@example.com", "user-email=A\u0301\u0323B@example.com"),  # combining marks reordered
        ("straße@example.de", "user-email=STRASSE@EXAMPLE.DE"),  # case folding: ß is ss
        ("STRASSE@example.de", "user-email=straße@example.de"),
        ("ana@example.com", "user-email=ana%2540example.com"),
        ("ana@example.com", "user-email=%2561na%2540example%252Ecom"),
    ],
)
def test_the_filter_is_redacted_in_every_encoding_case_and_unicode_form(secret, text):
    assert errors.redact(text, secret) == "user-email=<user_email>"


def test_redaction_keeps_what_is_not_an_address_and_maps_back_to_the_original_text():
    text = "Caf\u00e9 &amp; bar %41 \\u0041, 100% sure & done; user/deprecated/bob; @media {x}; a@b"
    assert errors.redact(text) == text.replace("a@b", errors.WITHHELD)
    text = "\u00e9t\u00e9 %C3%A9 ana@example.com end"
    assert errors.redact(text, "ANA@EXAMPLE.COM") == "\u00e9t\u00e9 %C3%A9 <user_email> end"


@pytest.mark.parametrize(
    "form",
    [
        EMAIL,
        EMAIL.upper(),
        EMAIL.replace("@", "&#64;"),
        EMAIL.replace("@", "%40"),
        EMAIL.replace("@", "%2540"),
        "".join(f"%25{byte:02X}" for byte in EMAIL.encode()),
        "".join(f"&#{ord(char)};" for char in EMAIL),
        EMAIL.replace("@", "\\u0040"),
    ],
)
def test_no_part_of_any_address_shows_wherever_the_cut_falls(form):
    for padding in range(0, 1100, 23):
        for text in ("x " * (padding // 2) + form + " z" * 1000, "x" * padding + " " + form + "z" * 3000):
            shown = errors.quoted(text, None)
            rest = shown.replace(errors.WITHHELD, "")
            assert "alice" not in rest.lower() and "&#" not in rest and "%25" not in rest, (padding, shown)
            shown = errors.quoted(text, EMAIL)
            assert "alice" not in shown.lower().replace("<user_email>", ""), (padding, shown)
