# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's exceptions, all amazon.aws ``AnsibleAWSError`` s, and the redaction of the e-mail filter."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

import re
import unicodedata

try:
    from botocore.exceptions import ClientError
except ImportError:
    ClientError = None  # handled by AnsibleAWSModule / AWSLookupBase

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError


class ChimeInputError(AnsibleAWSError, ValueError):
    """An option value that breaks a constraint; the message names the option and what is allowed."""


class MalformedResponseError(AnsibleAWSError):
    """A successful HTTP answer whose body is not a ListAccounts result (retried as transient)."""


class ChimeListingError(AnsibleAWSError):
    """ListAccounts failed for good: after retries, on a pagination loop, or on a refusal.

    An ``AnsibleAWSError``, as amazon.aws's module_utils raise, so ``fail_json_aws`` reports it with
    its ``response``. ``message`` names the operation and the error code (and, on a refusal, the IAM
    permission); ``code`` is the error code; ``response`` is the AWS error response, where there was
    one. None of them holds the user e-mail filter, which is why the botocore exception is not kept
    as ``exception``: its text would carry the filter.
    """

    def __init__(self, message, code=None, response=None, denied=False):
        super().__init__(message)
        self.code = code
        self.response = response
        self.denied = denied


# The longest service message a failure quotes. A proxy's HTML error page (a 502 or a 403 from a gateway) is not
# JSON, and botocore's REST-JSON parser then takes the whole body for the message: a failure would quote it whole.
MAX_DETAIL = 500
# The longest error code a failure quotes (botocore takes it from a header or the body, as the server wrote it).
MAX_CODE = 100
# Characters that do not show as themselves: control and format characters, surrogates, line and paragraph
# separators. They become their \uXXXX escape, so that a service message cannot move the cursor, recolour a
# terminal, reverse the text around it or break a line of a job's output.
INVISIBLE_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")
# What ResponseMetadata keeps: its HTTPHeaders may echo the request (the user_email filter) or carry tokens.
KEPT_METADATA = ("RequestId", "HTTPStatusCode", "RetryAttempts")


def _secret_pattern(secret):
    """A pattern of ``secret`` in any letter case, each character as itself or URL-encoded (once or twice;
    a space also as ``+``), so that partly encoded forms such as ``Ana%40Example.COM`` match too."""
    parts = []
    for char in secret:
        encoded = "".join(f"%{byte:02x}" for byte in char.encode("utf-8"))
        forms = [re.escape(char), re.escape(encoded), re.escape(encoded.replace("%", "%25"))]
        if char == " ":
            forms.append(re.escape("+"))
        parts.append("(?:" + "|".join(forms) + ")")
    return re.compile("".join(parts), re.IGNORECASE)


def redact(text, secret, placeholder="<user_email>"):
    """``text`` with ``secret`` replaced by ``placeholder``: in any letter case (services and proxies change
    an e-mail address's case; Chime's own answers may give it lower-cased), and URL-encoded in whole or in part."""
    if not secret:
        return text
    return _secret_pattern(secret).sub(lambda _match: placeholder, text)


def bounded(text, limit=MAX_DETAIL, length=None, cut=False):
    """``text`` made safe to quote in a failure: every invisible character escaped (see
    :data:`INVISIBLE_CATEGORIES`), and cut after ``limit`` characters with ``...`` and the original length
    (``length``, when ``text`` comes from a longer one; ``cut`` when ``text`` is only its start)."""
    if len(text) <= limit and not cut and text.isprintable():
        return text
    pieces, size = [], 0
    for char in text:
        piece = f"\\u{ord(char):04x}" if unicodedata.category(char) in INVISIBLE_CATEGORIES else char
        if size + len(piece) > limit:
            cut = True
            break
        pieces.append(piece)
        size += len(piece)
    if cut:
        pieces.append(f"... (cut at {limit} of {len(text) if length is None else length} characters)")
    return "".join(pieces)


def quoted(text, secret=None, placeholder="<user_email>", limit=MAX_DETAIL):
    """``text`` from a server, to quote in a failure: ``secret`` redacted, then :func:`bounded`; a cut one
    says how long ``text`` was.

    Only the start that can show is redacted, so that a proxy's page of megabytes costs no more than a short
    message. A form of the secret is at most 20 characters a character (each UTF-8 byte encoded twice,
    ``%25XX``): a match that the end of the redacted stretch cuts lies within that many characters of it, so
    they are never shown. The stretch grows until what can be shown fills ``limit`` (redacted forms shrink
    to the placeholder) or holds the whole text."""
    margin = 20 * len(secret or "")
    window = limit + margin
    while True:
        part = redact(text[:window], secret, placeholder)
        if window >= len(text):
            return bounded(part, limit, len(text))
        shown = part[: len(part) - margin] if margin else part
        if len(shown) >= limit:
            return bounded(shown, limit, len(text), cut=True)
        window *= 2


def _metadata(metadata, secret, placeholder):
    """ResponseMetadata with only :data:`KEPT_METADATA`; a request ID is quoted as a detail is."""
    kept = {key: metadata[key] for key in KEPT_METADATA if key in metadata}
    if isinstance(kept.get("RequestId"), str):
        kept["RequestId"] = quoted(kept["RequestId"], secret, placeholder, MAX_CODE)
    return kept


def describe_error(error, secret=None, placeholder="<user_email>"):
    """``(code, detail, response)`` of a failed call: the AWS error code (the exception's class name
    for a failure below AWS's error layer), its message, and the AWS error response or None. ``secret``
    is redacted from all three, and each is :func:`bounded`: the code and the message come from the server
    (or a proxy before it) as it wrote them."""
    if ClientError is not None and isinstance(error, ClientError):
        err = error.response.get("Error", {})
        code = quoted(str(err.get("Code", "Unknown")), secret, placeholder, MAX_CODE)
        detail = quoted(str(err.get("Message", "")), secret, placeholder)
        response = {"Error": {"Code": code, "Message": detail}}
        response["ResponseMetadata"] = _metadata(error.response.get("ResponseMetadata") or {}, secret, placeholder)
        return code, detail, response
    return type(error).__name__, quoted(str(error), secret, placeholder), None
