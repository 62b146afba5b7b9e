# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""API records as facts: snake_case keys, ISO 8601 timestamps in UTC, counts, unions."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

import datetime
import sys

try:
    import botocore.utils
except ImportError:
    pass  # handled by AnsibleAWSModule / AWSLookupBase

from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict

# The nine members of ListAccounts' Account shape. A fixed mapping instead of
# camel_dict_to_snake_dict for these: it is exact for the known keys and several times faster on
# large listings. Members a newer API adds still go through camel_dict_to_snake_dict.
ACCOUNT_KEYS = (
    ("AwsAccountId", "aws_account_id"),
    ("AccountId", "account_id"),
    ("Name", "name"),
    ("AccountType", "account_type"),
    ("CreatedTimestamp", "created_timestamp"),
    ("DefaultLicense", "default_license"),
    ("SupportedLicenses", "supported_licenses"),
    ("AccountStatus", "account_status"),
    ("SigninDelegateGroups", "signin_delegate_groups"),
)
_KNOWN = {camel for camel, snake in ACCOUNT_KEYS}
UNKNOWN = "unknown"


def union_by_account_id(listings, key=lambda account: account["account_id"]):
    """Join lists of normalised accounts in order, keeping each account once, at its first position.

    ``key`` says what makes an account the same one: its ``account_id`` by default.
    """
    seen, joined = set(), []
    for listing in listings:
        for account in listing:
            identity = key(account)
            if identity not in seen:
                seen.add(identity)
                joined.append(account)
    return joined


def _iso(value):
    if value is None:
        return None
    if isinstance(value, str):
        try:
            # fromisoformat reads the service's form; it takes "Z" only from Python 3.11 on.
            value = datetime.datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
        except ValueError:
            value = botocore.utils.parse_timestamp(value)
    elif isinstance(value, (int, float)):
        value = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.astimezone(datetime.timezone.utc).isoformat()


def _shared(value):
    # Enumerations and the AWS account ID repeat in every record: one string object each keeps
    # large listings smaller in memory.
    return sys.intern(value) if isinstance(value, str) else value


def normalize_account(raw):
    """One API ``Account`` as facts: all nine snake_case keys, absent members as None (lists as []),
    ``created_timestamp`` as an ISO 8601 string in UTC."""
    account = {snake: raw.get(camel) for camel, snake in ACCOUNT_KEYS}
    for key in ("aws_account_id", "account_type", "default_license", "account_status"):
        account[key] = _shared(account[key])
    account["created_timestamp"] = _iso(account["created_timestamp"])
    account["supported_licenses"] = [_shared(license) for license in account["supported_licenses"] or []]
    groups = account["signin_delegate_groups"] or []
    account["signin_delegate_groups"] = [{"group_name": g.get("GroupName")} for g in groups]
    extra = {k: v for k, v in raw.items() if k not in _KNOWN}
    if extra:
        account.update(camel_dict_to_snake_dict(extra))
    return account


def _count(accounts, key):
    counts = {}
    for account in accounts:
        value = account.get(key) or UNKNOWN
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def summarize(accounts):
    """Counts over normalised accounts: ``total``, ``by_status``, ``by_type``, ``by_default_license``.

    Keys are the API's values (Active, Suspended, Team, Pro, ...); an absent member counts as ``unknown``.
    """
    return {
        "total": len(accounts),
        "by_status": _count(accounts, "account_status"),
        "by_type": _count(accounts, "account_type"),
        "by_default_license": _count(accounts, "default_license"),
    }
