# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's exceptions, all amazon.aws ``AnsibleAWSError`` s, and the redaction of the e-mail filter."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

from urllib.parse import quote
from urllib.parse import quote_plus

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


def redact(text, secret, placeholder="<user_email>"):
    """``text`` with ``secret`` (also in its URL-encoded forms) replaced by ``placeholder``."""
    if not secret:
        return text
    for form in (secret, quote(secret, safe=""), quote_plus(secret), quote(secret)):
        text = text.replace(form, placeholder)
    return text


def describe_error(error, secret=None, placeholder="<user_email>"):
    """``(code, detail, response)`` of a failed call: the AWS error code (the exception's class name
    for a failure below AWS's error layer), its message with ``secret`` redacted, and the AWS error
    response (redacted alike) or None."""
    if ClientError is not None and isinstance(error, ClientError):
        err = error.response.get("Error", {})
        code = err.get("Code", "Unknown")
        detail = redact(str(err.get("Message", "")), secret, placeholder)
        response = {"Error": {"Code": code, "Message": detail}}
        response["ResponseMetadata"] = error.response.get("ResponseMetadata", {})
        return code, detail, response
    return type(error).__name__, redact(str(error), secret, placeholder), None
