# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Drift: what changed in the listed accounts since a baseline (an earlier listing).

:func:`find_changes` compares two listings by (AWS account, account ID); the report carries its result as
``changes`` (see :mod:`_report`), and the ``audit_changes`` filter is a thin door onto it.
"""

import json

# The nine fields of a listed account, in the listing's order (the CSV's columns, too).
ACCOUNT_FIELDS = (
    "aws_account_id",
    "account_id",
    "name",
    "account_type",
    "created_timestamp",
    "default_license",
    "supported_licenses",
    "account_status",
    "signin_delegate_groups",
)
# The fields whose change a baseline comparison reports (the identifiers are the key).
_COMPARED = tuple(c for c in ACCOUNT_FIELDS if c not in ("aws_account_id", "account_id"))


def _key(account):
    return (account.get("aws_account_id"), account.get("account_id"))


def _comparable(value):
    """A field's value as the comparison sees it: a list as the set of its members (the service does not
    promise an order for licenses or sign-in delegate groups, so a reordered list is not a change)."""
    if isinstance(value, (list, tuple)):
        return sorted(json.dumps(item, sort_keys=True) for item in value)
    return value


def find_changes(baseline, accounts, unlisted_aws_accounts=(), unlisted_in_baseline=()):
    """What changed from ``baseline`` (an earlier listing) to ``accounts``, keyed by (AWS account,
    account ID): ``added`` and ``removed`` accounts, ``changed`` ones with each changed field's
    ``before`` and ``after``, and ``not_compared``: the accounts of AWS accounts that one of the two
    listings could not list (refused or skipped), ``unlisted_aws_accounts`` now and
    ``unlisted_in_baseline`` then. Their accounts are not known to be gone or new, so they are never
    reported as removed or added."""
    now_unlisted, then_unlisted = set(unlisted_aws_accounts), set(unlisted_in_baseline)
    before = {_key(a): a for a in baseline}
    after = {_key(a): a for a in accounts}
    changed = []
    for key, account in after.items():
        if key not in before or before[key] == account:  # most accounts are as they were: nothing to compare
            continue
        fields = {
            field: {"before": before[key].get(field), "after": account.get(field)}
            for field in _COMPARED
            if _comparable(before[key].get(field)) != _comparable(account.get(field))
        }
        if fields:
            entry = {"aws_account_id": key[0], "account_id": key[1], "name": account.get("name"), "fields": fields}
            changed.append(entry)
    gone = [a for k, a in before.items() if k not in after]
    new = [a for k, a in after.items() if k not in before]
    return {
        "added": [a for a in new if a.get("aws_account_id") not in then_unlisted],
        "removed": [a for a in gone if a.get("aws_account_id") not in now_unlisted],
        "changed": changed,
        "not_compared": [a for a in gone if a.get("aws_account_id") in now_unlisted]
        + [a for a in new if a.get("aws_account_id") in then_unlisted],
    }
