# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Escaping, one function per output syntax: text for a terminal or a job's output (:func:`visible`), a CSV
cell (:func:`csv_cell`, with :func:`neutralise` for spreadsheet formulas), Markdown (:func:`md`) and HTML
(:func:`e`). Every value a report shows goes through one of these: account names are chosen by whoever created
the account. The JSON formats escape in their own modules, as JSON's syntax asks (``\\uXXXX``).
"""

import html
import re
import unicodedata

# Characters that change how text is shown rather than what it says: C0 and C1 controls (terminal escapes),
# format characters (bidirectional overrides and isolates, zero-width marks), surrogates and the Unicode line and
# paragraph separators.
INVISIBLE_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def visible(value):
    """``value`` as text whose every character shows: an invisible or control character becomes its
    ``\\uXXXX`` escape, so that an account name cannot move the cursor, recolour a terminal, reverse the
    text around it or hide part of itself, in a job's output or a report."""
    text = "" if value is None else str(value)
    if text.isprintable():
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in INVISIBLE_CATEGORIES else c for c in text)


# A cell's parts as a spreadsheet may split it: on ``;`` in the locales whose list separator is the semicolon
# (German, French, Dutch), on ``,`` in the others. Lists are joined with ``;`` too.
_CELL_PARTS = re.compile(r"([;,])")
# What a spreadsheet may pass over before a formula's first character: white space, and a quote.
_PART_LEAD = re.compile(r'[\s"]*')


def _formula_like(part):
    """Whether a spreadsheet could take ``part`` for the start of a formula: it starts with a formula character,
    or does after white space and quotes, in ASCII or as one of its compatibility forms (the full-width ＝＋－＠
    that an input method types, the small forms), which NFKC maps to ASCII."""
    if part[:1].isalnum():  # most cells; no letter or digit has a formula character as its NFKC form
        return False
    if part.startswith(_FORMULA_STARTS):
        return True
    first = part[_PART_LEAD.match(part).end() :][:1]
    return unicodedata.normalize("NFKC", first).startswith(_FORMULA_STARTS)


def neutralise(text):
    """``text`` made inert for a spreadsheet: each of its ``;``- and ``,``-separated parts that a spreadsheet
    would take for a formula gets a leading apostrophe, the whole cell's first part included.

    defusedcsv (the library for this) checks only a cell's first character, so this is our own: a spreadsheet
    of a semicolon locale may read ``x;=1+1`` as two cells, the second a formula. Every cell that defusedcsv
    escapes is neutralised here too."""
    return "".join("'" + part if _formula_like(part) else part for part in _CELL_PARTS.split(text))


def field_text(value, separator):
    """An account field's value as text: None as empty, a list joined with ``separator`` (sign-in
    delegate groups by their names)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return separator.join(v.get("group_name", "") if isinstance(v, dict) else str(v) for v in value)
    return str(value)


# What a spreadsheet reads as the start of a formula: OWASP's =, +, -, @, tab and carriage return, and the | and
# % that defusedcsv adds (DDE links, and the macros of some spreadsheets).
_FORMULA_STARTS = ("=", "+", "-", "@", "|", "%", "\t", "\r")


def csv_cell(value):
    """A CSV cell: the value as text, invisible characters as escapes (:func:`visible`), neutralised."""
    return neutralise(visible(field_text(value, ";")))


_MD_SPECIAL = "\\`*_[]|~"
_MD_LINE_STARTS = ("#", "+", "-", "!", "=")
_MD_ORDERED_ITEM = re.compile(r"^(\d+)([.)])")
# GFM's extended autolinks: a scheme's ``://`` (http, https, ftp), a host starting ``www.`` (both found as the
# text is parsed, so a backslash escape stops them), and e-mail addresses (with or without ``mailto:`` or
# ``xmpp:``), found in each text node once it is parsed, as GitHub finds ``@mentions``.
_MD_WWW = re.compile(r"(www)\.", re.IGNORECASE)
# An empty HTML comment ends the text node after each ``@``, so that no address or mention spans it: a backslash
# or a character reference would not, as the ``@`` is back in the same text node once parsed. A renderer that
# allows HTML shows nothing of the comment; one that escapes HTML shows it as text.
_MD_AT = "@<!-- -->"


def md(value):
    """``value`` as inert Markdown text: HTML and Markdown syntax escaped, on one line, and no text that GFM
    would make a link of (a URL, a ``www.`` host, an e-mail address) or GitHub a mention."""
    text = visible(" ".join(("" if value is None else str(value)).split()))
    text = "".join("\\" + c if c in _MD_SPECIAL else c for c in text)
    if text.startswith(_MD_LINE_STARTS):
        text = "\\" + text
    text = _MD_ORDERED_ITEM.sub(r"\1\\\2", text)
    text = _MD_WWW.sub(r"\1\\.", text.replace("://", "\\://"))
    return html.escape(text, quote=False).replace("@", _MD_AT)


def e(value):
    """``value`` as HTML text, quotes included."""
    return html.escape(visible(value), quote=True)
