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
# The botocore releases known to include the chime model: the oldest the collection supports (the oldest
# stack of hacking/test_matrix.py, requirements.txt's floor) and the one demo-requirements.txt pins. A unit
# test keeps both equal to those files and checks that the botocore it runs on lists the model.
OLDEST_BOTOCORE = "1.35.69"
NEWEST_BOTOCORE = "1.44.8"
API_UNAVAILABLE = "ChimeApiUnavailable"
API_UNAVAILABLE_MESSAGE = (
    'The installed botocore {version} no longer includes the Amazon Chime API (no "chime" service model), which'
    f" AWS ended on {END_OF_SUPPORT}. botocore {OLDEST_BOTOCORE} to {NEWEST_BOTOCORE} include it: install one"
    f" of those, for example pip install 'botocore<={NEWEST_BOTOCORE}' 'boto3<={NEWEST_BOTOCORE}'. Even with it,"
    " the chime API may no longer answer at all."
)
END_OF_SUPPORT_HINT = (
    f"This is the Amazon Chime service's end of support ({END_OF_SUPPORT}), not a missing IAM permission:"
    " the service no longer serves this API."
)
# The refusals that may be the end of support: 403s only. A 401 (UnauthorizedClientException) is about the
# credentials themselves, whatever its text says.
_FORBIDDEN_CODES = ("ForbiddenException", "Forbidden")
_FORBIDDEN_PREFIX = "AccessDenied"  # AccessDenied, AccessDeniedException
# What a service says when it no longer serves an API, and nothing else: "deprecated" (the Chime SDK's old
# namespace answers "... is not authorized to call deprecated ... API"), "end of support" (with or without
# hyphens), "no longer supported", "no longer available". Words a plain permission refusal also uses
# ("not authorized", "denied", "disabled") are left out, so that a missing permission keeps its hint.
END_OF_SUPPORT_WORDS = re.compile(
    r"\bdeprecated\b|\bend[\s-]+of[\s-]+support\b|\bno\s+longer\s+(?:supported|available)\b", re.IGNORECASE
)

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
    support rather than a missing permission: a 403 whose text speaks of deprecation or end of support."""
    forbidden = code in _FORBIDDEN_CODES or str(code).startswith(_FORBIDDEN_PREFIX)
    return forbidden and END_OF_SUPPORT_WORDS.search(detail or "") is not None
