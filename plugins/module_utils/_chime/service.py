# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Amazon Chime service's end of support: a botocore without the ``chime`` model, and a refusal that
speaks of deprecation, each told apart from an ordinary failure."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

import re
import threading

try:
    from botocore import __version__ as BOTOCORE_VERSION
    from botocore.exceptions import BotoCoreError
except ImportError:
    BOTOCORE_VERSION = BotoCoreError = None  # handled by AnsibleAWSModule / AWSLookupBase

from .errors import ChimeListingError

END_OF_SUPPORT = "2026-02-20"
SERVICE = "chime"
# The botocore releases checked to include the chime model, the oldest first: the oldest the collection supports
# (the oldest stack of hacking/test_matrix.py, requirements.txt's floor: the first release with If-Match on S3
# PutObject; the matrix checks that its loader lists the chime model), the demo's pin, and the newest on PyPI
# when they were last checked. How: pip download --no-deps botocore==X -d DIR, then unzip -l on the wheel, which
# lists botocore/data/chime/2018-05-01/service-2.json.gz for each of them (with ListAccounts among its operations;
# 1.44.8, 1.44.13 and 1.44.18 carry the very same model). Add a release here only once its wheel was checked.
CHECKED_BOTOCORE = ("1.35.69", "1.44.8", "1.44.13", "1.44.18")
OLDEST_BOTOCORE, NEWEST_BOTOCORE = CHECKED_BOTOCORE[0], CHECKED_BOTOCORE[-1]
API_UNAVAILABLE = "ChimeApiUnavailable"
API_UNAVAILABLE_MESSAGE = (
    'The installed botocore {version} no longer includes the Amazon Chime API (no "chime" service model), which'
    f" AWS ended on {END_OF_SUPPORT}. botocore {OLDEST_BOTOCORE} and later releases include it, up to at least"
    f" {NEWEST_BOTOCORE}, the newest checked: install one of those, for example pip install"
    f" 'botocore>={OLDEST_BOTOCORE},<={NEWEST_BOTOCORE}' 'boto3>={OLDEST_BOTOCORE},<={NEWEST_BOTOCORE}'. Even with"
    " it, the chime API may no longer answer at all."
)
END_OF_SUPPORT_HINT = (
    f"This is the Amazon Chime service's end of support ({END_OF_SUPPORT}), not a missing IAM permission:"
    " the service no longer serves this API. It fails the listing whatever on_denied says."
)
# What the failure of the default Chime endpoint (botocore's own, no endpoint URL configured) adds when it cannot
# be reached at all: nothing documents what ListAccounts answers after the end of support.
UNREACHABLE_HINT = (
    f"The Amazon Chime service ended on {END_OF_SUPPORT}, and its endpoint may no longer answer (this is"
    " botocore's default Chime endpoint: no endpoint_url is set)."
)
UNREACHABLE_CODES = ("EndpointConnectionError", "ConnectTimeoutError")
# The refusals that may be the end of support: 403s only. A 401 (UnauthorizedClientException) is about the
# credentials themselves, whatever its text says.
_FORBIDDEN_CODES = ("ForbiddenException", "Forbidden")
_FORBIDDEN_PREFIX = "AccessDenied"  # AccessDenied, AccessDeniedException
# What a service says when it no longer serves an API, and nothing else: "deprecated" (the Chime SDK's old
# namespace answers "... is not authorized to call deprecated ... API"), "end of support" and "end of life" (with
# or without hyphens), "no longer supported", "no longer available", "has been discontinued". Words a plain
# permission refusal also uses ("not authorized", "denied", "disabled") are left out, so that a missing
# permission keeps its hint. A phrase counts only as words of its own: not inside a name joined by hyphens,
# underscores, dots or slashes (a role named End-of-Support-Cleanup), and never inside what the message quotes:
# see _QUOTED.
END_OF_SUPPORT_WORDS = re.compile(
    r"(?<![\w/.@:-])(?:deprecated|end[\s-]+of[\s-]+(?:support|life)|no\s+longer\s+(?:supported|available)"
    r"|ha(?:s|ve)\s+been\s+discontinued)(?![\w/@-])",
    re.IGNORECASE,
)
# What a refusal quotes rather than says: ARNs (the caller, a role, a policy), names with a path (user/x/y), and
# text in quotes. Taken out before END_OF_SUPPORT_WORDS looks, so that a principal, a resource or a policy
# named with those words is not taken for the service's own wording.
_QUOTED = re.compile(r"\barn:\S*|\S*/\S*|\"[^\"]*\"|(?<!\w)'[^']*'(?!\w)|`[^`]*`")

_BOTOCORE_ERROR = BotoCoreError or ValueError  # without botocore, AnsibleAWSModule / AWSLookupBase fail first

# Whether the model is there, per set of data paths (a profile or AWS_DATA_PATH may add some): listing every
# service model costs about 20 ms, and the lookup may run many times in one process.
_HAS_MODEL = {}
_LOCK = threading.Lock()


def has_chime_model(session):
    """Whether the botocore ``session``'s loader lists the ``chime`` service model (a ``service-2`` file).

    A loader that cannot be read (an unreadable data path, say) counts as listing it, uncached: creating the
    client then fails with botocore's own words, which name the real cause."""
    try:
        key = tuple(session.get_component("data_loader").search_paths)
        with _LOCK:
            if key not in _HAS_MODEL:
                _HAS_MODEL[key] = SERVICE in session.get_available_services()
            return _HAS_MODEL[key]
    except (BotoCoreError, OSError):
        return True


def require_chime_api(session):
    """Raise :class:`ChimeListingError` (code ``ChimeApiUnavailable``) when the botocore ``session`` has no
    ``chime`` model, before any request: botocore drops the models of retired services, and a client of a
    service it lacks fails with ``UnknownServiceError``, listing some 400 other names, only once the
    caller's identity has been asked for."""
    if not has_chime_model(session):
        message = API_UNAVAILABLE_MESSAGE.format(version=BOTOCORE_VERSION)
        raise ChimeListingError(message, code=API_UNAVAILABLE)


def ends_support(code, detail):
    """Whether a refusal with the error ``code`` and the service's message ``detail`` is the service's end of
    support rather than a missing permission: a 403 whose own wording (not an ARN, a path or a quoted name in
    it) speaks of deprecation, end of support or life, or discontinuation."""
    forbidden = code in _FORBIDDEN_CODES or str(code).startswith(_FORBIDDEN_PREFIX)
    return forbidden and END_OF_SUPPORT_WORDS.search(_QUOTED.sub(" ", detail or "")) is not None


def at_default_endpoint(connection, client):
    """Whether ``client`` (a Chime client of ``connection``) sends to botocore's own Chime endpoint: no
    ``endpoint_url``, and none configured in the environment or the profile. A connection that cannot say
    (the facade's users may pass their own) is taken as not."""
    if getattr(connection, "endpoint_url", None) is not None or not hasattr(connection, "botocore_endpoint"):
        return False
    try:
        return client.meta.endpoint_url == connection.botocore_endpoint(SERVICE)
    except (AttributeError, ValueError, _BOTOCORE_ERROR):
        return False


def note_unreachable(error, connection, client):
    """``error`` (a :class:`ChimeListingError` of ``client``), with :data:`UNREACHABLE_HINT` added when the
    default Chime endpoint could not be reached at all (refused, no such name, no answer to connect)."""
    if error.code in UNREACHABLE_CODES and at_default_endpoint(connection, client):
        error.message += f" {UNREACHABLE_HINT}"
        error.args = (error.message,)
    return error
