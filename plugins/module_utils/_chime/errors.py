# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's exceptions, all amazon.aws ``AnsibleAWSError`` s, and the one redaction of every service
message: the user_email filter, an external ID and any e-mail address, in every encoding."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

import html
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
    as ``exception``: its text would carry the filter. ``denied`` is a refusal that ``on_denied`` decides
    about; ``end_of_support`` is the service's answer that it no longer serves the API, which is never one.
    """

    def __init__(self, message, code=None, response=None, denied=False, end_of_support=False):
        super().__init__(message)
        self.code = code
        self.response = response
        self.denied = denied
        self.end_of_support = end_of_support


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


# What stands for an e-mail address that is not the user_email filter (an IAM user, a session name, a federated
# user, any address a service or a proxy quotes): services and proxies quote the caller's ARN in their refusals.
WITHHELD = "<e-mail address withheld>"
# Encoded characters, decoded before matching (each pass decodes one layer; a form encoded twice, such as
# %2540 or &amp;#64;, takes two): a run of URL-encoded UTF-8 bytes, %uXXXX, the \\u, \\U and \\x escapes that a
# page that is not JSON leaves as they are, and HTML character references (decimal, hexadecimal and named).
_ENCODED = re.compile(
    r"(?:%[0-9a-fA-F]{2})+|%u[0-9a-fA-F]{4}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8}|\\x[0-9a-fA-F]{2}"
    r"|&(?:#[xX]0*[0-9a-fA-F]{1,6}|#0*[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});?"
)
_PASSES = 4  # layers of encoding decoded; a form encoded more often than that is not one a service sends
# Where an address that is not a known secret ends: an ARN's : and / (so that the account and the principal
# type stay), brackets, quotes and white space. Everything else around an @ is withheld with it.
_STOPS = frozenset('"<>()[]{}/\\:;|`')
# The characters after which what comes before can no longer change, whatever follows: no encoded form holds
# them and no match crosses them (a secret's own characters are taken out). quoted() cuts only at one of these.
_SAFE = frozenset(' \t\r\n"<>()[]{}/:|`')
_FOLDED = {}


def _decode(text, spans):
    """One layer of :data:`_ENCODED` decoded: ``(decoded, spans)``, each character of ``decoded`` with the
    ``(start, end)`` in the original text of what it came from (``spans`` gives that for ``text``)."""
    out, out_spans, last = [], [], 0
    for match in _ENCODED.finditer(text):
        start, end = match.span()
        pieces = _pieces(match.group())
        if pieces is None:
            continue
        for index in range(last, start):
            out.append(text[index])
            out_spans.append(spans[index])
        for decoded, first, after in pieces:  # offsets within the match
            span = (spans[start + first][0], spans[start + after - 1][1])
            for char in decoded:
                out.append(char)
                out_spans.append(span)
        last = end
    if last == 0:
        return None
    for index in range(last, len(text)):
        out.append(text[index])
        out_spans.append(spans[index])
    return "".join(out), out_spans


def _pieces(encoded):
    """``[(decoded text, first, after)]`` for one :data:`_ENCODED` match (offsets within it), or None."""
    if encoded[0] == "&":
        decoded = html.unescape(encoded)
        return None if decoded == encoded else [(decoded, 0, len(encoded))]
    if encoded[0] == "\\" or encoded[:2] in ("%u", "%U"):
        code = int(encoded[2:], 16)
        return [(chr(code), 0, len(encoded))] if code <= 0x10FFFF else None
    data = bytes(int(encoded[i + 1 : i + 3], 16) for i in range(0, len(encoded), 3))
    pieces, index = [], 0
    while index < len(data):
        lead = data[index]
        size = 2 if 0xC0 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF8 else 1
        try:
            char = data[index : index + size].decode("utf-8")
        except UnicodeDecodeError:
            char, size = None, 1
        if char is not None:
            pieces.append((char, 3 * index, 3 * (index + size)))
        else:  # not UTF-8: the %XX stays as it is
            pieces.append((encoded[3 * index : 3 * index + 3], 3 * index, 3 * index + 3))
        index += size
    return pieces


def _fold(char):
    """``char`` for a caseless match: compatibility-decomposed, case-folded (so that ß matches ss and SS), and
    decomposed again, as Unicode's compatibility caseless match compares (NFKD(casefold(NFKD(x))))."""
    folded = _FOLDED.get(char)
    if folded is None:
        folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
        if len(_FOLDED) < 65536:
            _FOLDED[char] = folded
    return folded


def _normalised(text, decode=True):
    """``(normalised, spans)``: ``text`` decoded (see :data:`_ENCODED`), each character folded (:func:`_fold`),
    combining marks put in canonical order; ``spans[i]`` is the ``(start, end)`` of ``text`` that the i-th
    character of ``normalised`` comes from."""
    spans = [(index, index + 1) for index in range(len(text))]
    if decode:
        for _pass in range(_PASSES):
            if "%" not in text and "&" not in text and "\\" not in text:
                break
            decoded = _decode(text, spans)
            if decoded is None:
                break
            text, spans = decoded
    if text.isascii():
        return text.lower(), spans
    chars, out_spans = [], []
    for index, char in enumerate(text):
        for folded in _fold(char):
            chars.append(folded)
            out_spans.append(spans[index])
    # Canonical ordering: each run of combining marks sorted by combining class (stable), as NFD orders them.
    index = 0
    while index < len(chars):
        if unicodedata.combining(chars[index]):
            end = index
            while end < len(chars) and unicodedata.combining(chars[end]):
                end += 1
            order = sorted(range(index, end), key=lambda at: unicodedata.combining(chars[at]))
            chars[index:end], out_spans[index:end] = [chars[at] for at in order], [out_spans[at] for at in order]
            index = end
        else:
            index += 1
    return "".join(chars), out_spans


def _secret_pattern(secret):
    """The pattern of ``secret`` in a normalised text: its folded characters, a space also as ``+``."""
    folded, _spans = _normalised(secret, decode=False)
    return re.compile("".join("[ +]" if char == " " else re.escape(char) for char in folded))


def _matches(text, secret, placeholder):
    """``[(start, end, placeholder)]`` of ``text``, sorted, not overlapping: ``secret`` (if any) and every
    e-mail address, each in any letter case, Unicode form and encoding (:func:`_normalised`)."""
    normalised, spans = _normalised(text)
    found = []
    if secret:
        marked = list(normalised)
        for match in _secret_pattern(secret).finditer(normalised):
            found.append((match.start(), match.end(), placeholder))
            marked[match.start() : match.end()] = " " * (match.end() - match.start())
        normalised = "".join(marked)
    if "@" in normalised:
        start = None
        for index, char in enumerate(normalised + " "):
            if char in _STOPS or char.isspace():
                if start is not None and "@" in normalised[start + 1 : index - 1]:
                    found.append((start, index, WITHHELD))
                start = None
            elif start is None:
                start = index
    merged = []
    for first, after, text_placeholder in sorted(found):
        start = min(spans[i][0] for i in range(first, after))
        end = max(spans[i][1] for i in range(first, after))
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), merged[-1][2])
        else:
            merged.append((start, end, text_placeholder))
    return merged


def redact(text, secret=None, placeholder="<user_email>"):
    """``text`` with ``secret`` (the user_email filter, an external ID) replaced by ``placeholder``, and every
    other e-mail address (any stretch around an ``@``, between white space, brackets, quotes, ``:`` and ``/``)
    by :data:`WITHHELD`: the one redaction of every message from any AWS service, or a proxy before it.

    Matched in any letter case (case-folded: ß is ss), in any Unicode form (compatibility-normalised), and
    encoded: URL-encoded in whole or in part (once or twice, a space also as ``+``), as HTML character
    references (``&#64;``, ``&#x40;``, ``&commat;``) and as ``\\u0040`` escapes. What is replaced is the
    original text that the match came from."""
    if not text:
        return text
    quick = "@" not in text and "%" not in text and "&" not in text and "\\" not in text and text.isascii()
    if quick and not secret:
        return text
    pieces, last = [], 0
    for start, end, text_placeholder in _matches(text, secret, placeholder):
        pieces += [text[last:start], text_placeholder]
        last = end
    return "".join(pieces) + text[last:] if pieces else text


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


# The longest start of a text that quoted() redacts: past it, what shows is cut at the last safe point.
MAX_WINDOW = 64 * MAX_DETAIL


def quoted(text, secret=None, placeholder="<user_email>", limit=MAX_DETAIL):
    """``text`` from a server, to quote in a failure: redacted (:func:`redact`), then :func:`bounded`; a cut
    one says how long ``text`` was.

    Only a start of ``text`` is redacted, so that a proxy's page of megabytes costs no more than a short
    message. That start ends just after a character of :data:`_SAFE` (not one of the secret's): no encoded form
    and no match crosses one, so the start's redaction is exactly the whole text's, and nothing that a longer
    text would have redacted shows. The start grows (doubling, up to :data:`MAX_WINDOW`) until what shows fills
    ``limit``; a text with no safe point within that shows only what comes before its last one (maybe nothing)."""
    window = 2 * limit
    safe = _SAFE - set(_normalised(secret, decode=False)[0]) if secret else _SAFE
    while True:
        if window >= len(text):
            return bounded(redact(text, secret, placeholder), limit, len(text))
        head = text[:window]
        point = max((head.rfind(char) for char in safe), default=-1) + 1
        shown = redact(text[:point], secret, placeholder)
        if len(shown) >= limit or window >= MAX_WINDOW:
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
