# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The scope of an audit run: what it asked for, so that drift is computed only between runs that asked for
the same thing.

A scope is a plain dict (JSON as it is, recorded in every report as ``source.scope``)::

    {
      "scope_format": 1,
      "partition": "aws",                     # the caller's partition
      "caller_account": "111122223333",       # the caller's AWS account (STS GetCallerIdentity)
      "aws_accounts": "caller",               # what was asked for: "caller", "role_arns" or "organization"
      "role_arns": None,                      # with "role_arns": the sorted set of role ARNs
      "organization_role_name": None,         # with "organization": the role assumed in each member
      "names": [],                            # the account-name prefixes, a sorted set (their union is listed)
      "user_email": False,                    # whether a user e-mail filter was set (never the address)
    }

A member that joins the organization does not change an organization's scope: its accounts are real
additions. A scope derived from an older report (format 3 and earlier, which record no scope) has the
same keys and ``"derived": True``; equality and the digest leave ``derived`` out.

Call :func:`build_scope` for a run, :func:`report_scope` for a baseline, :func:`same_scope` to compare,
:func:`scope_digest` / :func:`scope_id` for a stable identifier and :func:`describe` for one line of words.
"""

import hashlib
import json
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.module_utils.chime import redact

SCOPE_FORMAT = 1
CALLER, ROLE_ARNS, ORGANIZATION = "caller", "role_arns", "organization"
# What makes two scopes the same: every key but ``derived``.
_IDENTITY = (
    "scope_format",
    "partition",
    "caller_account",
    "aws_accounts",
    "role_arns",
    "organization_role_name",
    "names",
    "user_email",
)
# A scope's description names at most this many role ARNs and name prefixes (a baseline's may be long).
_SHOWN = 3


def build_scope(caller_account, partition, role_arns=None, organization_role_name=None, names=(), user_email=None):
    """The scope of a run, from its checked options and the caller (STS GetCallerIdentity's ``Account``, and
    the partition of its ARN). ``names``: the account-name prefixes (None entries are no filter)."""
    # A role's name may hold an e-mail address (IAM allows @): the scope, recorded in every report and in S3,
    # holds it withheld, as the listing's aws_accounts[].role_arn does. One role per AWS account keeps them apart.
    if role_arns:
        asked, arns, role_name = ROLE_ARNS, sorted({redact(arn) for arn in role_arns}), None
    elif organization_role_name is not None:
        asked, arns, role_name = ORGANIZATION, None, redact(organization_role_name)
    else:
        asked, arns, role_name = CALLER, None, None
    return {
        "scope_format": SCOPE_FORMAT,
        "partition": partition,
        "caller_account": caller_account,
        "aws_accounts": asked,
        "role_arns": arns,
        "organization_role_name": role_name,
        "names": sorted({name for name in names or () if name is not None}),
        "user_email": bool(user_email),
    }


def _identity(scope):
    return {key: scope.get(key) for key in _IDENTITY}


def canonical(scope):
    """The scope's canonical JSON text (sorted keys, no white space, ASCII), ``derived`` left out."""
    return json.dumps(_identity(scope), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def scope_digest(scope):
    """The hex SHA-256 of the scope's canonical JSON: the same for every run of the same scope."""
    return hashlib.sha256(canonical(scope).encode("ascii")).hexdigest()


def scope_id(scope):
    """A short, stable identifier of the scope (the first 12 hex digits of its digest), for messages."""
    return scope_digest(scope)[:12]


def same_scope(one, other):
    """Whether two scopes ask for the same thing: the one comparison of scopes (a baseline's, a pointer's). A
    missing scope (None) is the same as none. ``derived`` is left out; a key that is no scope's (in a dict made by
    hand, or a bucket's pointer edited) is compared too, so that two dicts of such keys alone are never the same
    scope; a scope's own key that is missing counts as None, as in :func:`canonical`."""
    if not isinstance(one, Mapping) or not isinstance(other, Mapping):
        return False
    return _compared(one) == _compared(other)


def _compared(scope):
    kept = {key: value for key, value in scope.items() if key != "derived"}
    kept.update(_identity(scope))
    return json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=repr)


def describe(scope):
    """The scope in one line of words (raw text: escape it with ``visible()`` where it is shown)."""
    if not isinstance(scope, Mapping):
        return "an unknown scope (the report records no scope and no caller)"
    asked = scope.get("aws_accounts")
    if asked == ROLE_ARNS:
        arns = _texts(scope.get("role_arns"))
        what = f"{len(arns)} role ARN(s) ({_first(arns, ', ')})"
    elif asked == ORGANIZATION:
        role = scope.get("organization_role_name")
        what = f"the organization through the role {role}" if role else "the organization (role not recorded)"
    else:
        what = "its own AWS account"
    names = [json.dumps(name, ensure_ascii=False) for name in _texts(scope.get("names"))]
    filters = f"names starting with {_first(names, ' or ')}" if names else "every name"
    if scope.get("user_email"):
        filters += ", one user's e-mail address"
    derived = " (derived from an older report)" if scope.get("derived") else ""
    return (
        f"caller AWS account {scope.get('caller_account')} ({scope.get('partition')}) auditing {what}, {filters}"
        f" [scope {scope_id(scope)}]{derived}"
    )


def _texts(value):
    """A scope's list as strings (a baseline's scope is read from a file: any JSON value may stand there)."""
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _first(items, separator):
    """The first few ``items`` joined, and how many more there are."""
    shown = separator.join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def report_scope(report):
    """The scope of a report: the one it records (``source.scope``, format 4 and later), else one derived
    from what an older report records (see :func:`derive_scope`); None when neither is there."""
    source = report.get("source") if isinstance(report, Mapping) else None
    if isinstance(source, Mapping) and isinstance(source.get("scope"), Mapping):
        return dict(source["scope"])
    return derive_scope(report)


def _caller_of(source):
    """``(account, partition)`` of the caller ARN a report records, or ``(None, None)``."""
    parts = source.get("caller").split(":") if isinstance(source.get("caller"), str) else []
    if len(parts) < 6 or parts[0] != "arn" or not parts[4]:
        return None, None
    return parts[4], parts[1]


def _organization_role(entries, partition):
    """The role name an organization-wide run assumed in its members, from their role ARNs
    (``arn:<partition>:iam::<member>:role/<name>``), or None when no member's ARN is recorded or they differ."""
    names = set()
    for entry in entries:
        arn = entry.get("role_arn")
        parts = arn.split(":", 5) if isinstance(arn, str) else []
        if len(parts) == 6 and parts[1] == partition and parts[5].startswith("role/"):
            names.add(parts[5][len("role/") :])
    return names.pop() if len(names) == 1 else None


def derive_scope(report):
    """A best-effort scope of an older report, which records no scope, from its ``source`` (the caller's ARN
    and the filters) and its ``aws_accounts`` (each AWS account asked for, with the role ARN assumed):

    - no ``aws_accounts``, or only the caller's own without a role: the caller's own AWS account;
    - every entry with a role ARN: those role ARNs;
    - else (the caller's own account without a role, beside members): the organization, the role name read
      from the members' role ARNs.

    None when the report records no caller (format 1)."""
    source = report.get("source") if isinstance(report, Mapping) else None
    if not isinstance(source, Mapping):
        return None
    account, partition = _caller_of(source)
    if account is None:
        return None
    filters = source.get("filters") if isinstance(source.get("filters"), Mapping) else {}
    name = filters.get("name")
    entries = [e for e in report.get("aws_accounts") or [] if isinstance(e, Mapping)]
    arns = [e.get("role_arn") for e in entries]
    role_arns = role_name = None
    if entries and all(isinstance(arn, str) for arn in arns):
        role_arns = arns
    elif entries and not (len(entries) == 1 and entries[0].get("aws_account_id") == account):
        role_name = _organization_role(entries, partition) or ""
    scope = build_scope(account, partition, role_arns, role_name, [name] if isinstance(name, str) else [])
    if role_name == "":
        scope["organization_role_name"] = None  # not recorded: never the same as a run's
    scope["user_email"] = bool(filters.get("user_email"))
    scope["derived"] = True
    return scope


def refusal(run_scope, other_scope, subject):
    """The message that refuses a run whose baseline (or the pointer it would move) is of another scope:
    ``subject`` names what (``the baseline <where>``), the message names both scopes and says what to change.
    Raw text: escape it where it is shown."""
    return (
        f"{subject} is of another scope: {describe(other_scope)}. This run's scope is"
        f" {describe(run_scope)}. Drift is computed only between runs of the same scope, and a baseline and an"
        " S3 prefix (its latest.json) belong to one scope: give this run an s3_prefix of its own (one job template"
        " per prefix) or a baseline of its own scope."
    )
