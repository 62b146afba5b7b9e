# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The ``json`` format: the report itself (:func:`_report.build_report`'s dict) as JSON text."""

import io
import json
import re
import unicodedata

from ansible_collections.chime.admin.plugins.plugin_utils._escape import INVISIBLE_CATEGORIES

# Runs of characters that json.dumps(ensure_ascii=False) writes as they are (beyond the printable ASCII).
_JSON_RAW = re.compile(r"[^\x00-\x7e]+")


def _json_escapes(match):
    """A run of raw characters of the JSON text, its invisible ones (C1 controls, DEL, format characters such
    as bidirectional overrides, line and paragraph separators, surrogates) as json's own ``\\uXXXX`` escapes."""
    run = match.group()
    if run.isprintable():
        return run
    return "".join(json.dumps(c)[1:-1] if unicodedata.category(c) in INVISIBLE_CATEGORIES else c for c in run)


def to_json(report):
    """The report as JSON text: UTF-8, two-space indentation, keys in the report's order. json escapes the
    C0 controls; the other invisible characters are escaped here, so that the text is safe to show in a
    terminal and parses to the same data. Outside its strings, JSON text is ASCII, so every character
    escaped is inside a string."""
    out = io.StringIO()
    write(report, out)
    return out.getvalue()


# How many characters of JSON text are gathered before they are escaped and written.
_CHUNK = 1 << 16


def write(report, out):
    """Write the report as JSON text (:func:`to_json`) to the text stream ``out`` as it is encoded, in chunks:
    the same text as ``json.dumps`` (which, with an indentation, runs this same encoder and joins its pieces),
    never the whole of it at once. Escaping a chunk at a time is escaping the whole: each character is escaped
    on its own."""
    pending, size = [], 0
    for piece in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(report):
        pending.append(piece)
        size += len(piece)
        if size >= _CHUNK:
            out.write(_JSON_RAW.sub(_json_escapes, "".join(pending)))
            pending, size = [], 0
    out.write(_JSON_RAW.sub(_json_escapes, "".join(pending)) + "\n")
