# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Waivers: what a waiver matches, when it expires, and which waiver a finding gets.

A waiver waives one rule's findings for the accounts it matches (``account_id``, ``aws_account_id``, ``name``
exactly, ``name_glob`` as a glob) until the end of its ``expires`` day in UTC. Of the waivers that match a
finding, each counts as used; the active one that expires last applies, else the expired one that expired last,
which leaves the finding open and says so."""

import dataclasses
import datetime
import fnmatch
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import as_str
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import aws_account_ids
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import text_field

# What a waiver matches on: all that it gives must match. ``name`` is the account's exact name; ``name_glob`` is
# a shell-style glob (fnmatch's: ``*`` any text, ``?`` one character, ``[abc]`` one of a set, ``[!abc]`` one
# outside it, ``[[]`` a literal bracket), case-sensitive, for a family of names.
_WAIVER_MATCH = ("account_id", "aws_account_id", "name", "name_glob")
_WAIVER_FIELDS = ("rule", *_WAIVER_MATCH, "reason", "expires", "owner", "ticket")


def _date(value, where):
    if isinstance(value, datetime.datetime):  # a day in UTC, not a moment in some offset
        raise PolicyError(f"{where}.expires must be a date (YYYY-MM-DD), not a date and time.")
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise PolicyError(f"{where}.expires must be a date (YYYY-MM-DD), got {value!r}.")


@dataclasses.dataclass(frozen=True)
class Waiver:
    index: int
    rule: str
    match: dict
    reason: str
    expires: datetime.date
    owner: str
    ticket: str

    def matches(self, finding):
        if finding["rule"] != self.rule:
            return False
        for key, wanted in self.match.items():
            value = finding.get("name" if key == "name_glob" else key)
            if not isinstance(value, str):
                return False
            if key == "name_glob":
                if not fnmatch.fnmatchcase(value, wanted):
                    return False
            elif value != wanted:
                return False
        return True

    def describe(self, state=None):
        entry = {"rule": self.rule, **self.match, "reason": self.reason, "expires": self.expires.isoformat()}
        entry.update(owner=self.owner, ticket=self.ticket)
        if state is not None:
            entry["state"] = state
        return entry

    def label(self):
        return f"waiver {self.index + 1}" + (f" ({self.ticket})" if self.ticket else "")


def parse_waiver(entry, index, known_rules):
    where = f"waivers[{index}]"
    if not isinstance(entry, Mapping):
        raise PolicyError(f"{where} must be a dict with rule, reason, expires and what it matches.")
    unknown = sorted(set(map(str, entry)) - set(_WAIVER_FIELDS))
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(_WAIVER_FIELDS)}.")
    rule = entry.get("rule")
    if rule not in known_rules:
        raise PolicyError(f"{where}.rule: unknown rule {rule!r}; known rules: {', '.join(known_rules)}.")
    where = f"waivers[{index}] (rule {rule})"
    match = {}
    for key in _WAIVER_MATCH:
        if entry.get(key) is not None:
            value = entry[key]
            if isinstance(value, (dict, list, tuple, bool)):
                raise PolicyError(f"{where}.{key} must be a string.")
            match[key] = as_str(value, f"{where}.{key}")
            if not match[key]:
                raise PolicyError(f"{where}.{key} must not be empty.")
            if key == "aws_account_id":
                aws_account_ids([match[key]], f"{where}.{key}")
    if not match:
        raise PolicyError(f"{where} matches nothing: give at least one of {', '.join(_WAIVER_MATCH)}.")
    if entry.get("expires") is None:
        raise PolicyError(f"{where}.expires is required: a waiver that never expires is a hole.")
    return Waiver(
        index=index,
        rule=rule,
        match=match,
        reason=text_field(entry, "reason", where),
        expires=_date(entry["expires"], where),
        owner=text_field(entry, "owner", where, required=False),
        ticket=text_field(entry, "ticket", where, required=False),
    )


def state(waiver, today):
    """``active`` until the end of the waiver's day, then ``expired``."""
    return "active" if today <= waiver.expires else "expired"


def apply_waivers(waivers, finding, today, used):
    """The waiver of ``finding`` among ``waivers`` (its rule's): of those that match it (each counts as used,
    its index added to ``used``), the active one that expires last, else the expired one that expired last."""
    active = expired = None
    for waiver in waivers:
        if not waiver.matches(finding):
            continue
        used.add(waiver.index)
        if state(waiver, today) == "active":
            if active is None or waiver.expires > active.expires:
                active = waiver
        elif expired is None or waiver.expires > expired.expires:
            expired = waiver
    if active is not None:
        finding["waiver"] = active.describe("active")
    elif expired is not None:
        finding["waiver"] = expired.describe("expired")
        finding["detail"] += f"; {expired.label()} expired on {expired.expires.isoformat()}: {expired.reason}"


def waiver_summary(waivers, used, today, warn_days):
    """The waivers that matched nothing (``unused``), that expire within ``warn_days`` (``expiring``) and that
    have expired (``expired``)."""
    soon = today + datetime.timedelta(days=warn_days)
    return {
        "unused": [w.describe(state(w, today)) for w in waivers if w.index not in used],
        "expiring": [w.describe("active") for w in waivers if today <= w.expires <= soon],
        "expired": [w.describe("expired") for w in waivers if w.expires < today],
    }
