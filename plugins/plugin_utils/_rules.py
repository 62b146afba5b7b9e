# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The built-in rules of the audit: :data:`BUILT_IN` is their one table, each rule's name, kind, default
severity, description, remediation and check. The role's argument spec and the filters' docs list the same
names (a unit test compares them)."""

import dataclasses

from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import as_flag
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import as_str_list
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import aws_account_ids
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import compile_pattern
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import pattern_search


@dataclasses.dataclass(frozen=True)
class BuiltInRule:
    """One built-in rule: ``kind`` says which setting it takes (``list``: a list of strings, ``flag``:
    true or false, ``pattern``: a regular expression); ``check(setting, account)`` returns what is wrong, or
    None."""

    name: str
    kind: str
    severity: str
    description: str
    remediation: str
    check: object

    def parse(self, setting):
        """The checked setting, or None when the rule is off."""
        where = f"rules.{self.name}"
        if setting is None:
            return None
        if self.kind == "list":
            values = as_str_list(setting, where)
            if self.name == "allowed_aws_account_ids":
                aws_account_ids(values, where)
            return frozenset(values)
        if self.kind == "flag":
            return True if as_flag(setting, where) else None
        if setting is False:
            return None
        return compile_pattern(setting, where)

    @staticmethod
    def describe_setting(setting):
        if isinstance(setting, frozenset):
            return sorted(setting)
        if setting is True:
            return True
        return setting.pattern


def _check_aws_account(setting, account):
    if account.get("aws_account_id") not in setting:
        return f"AWS account {account.get('aws_account_id')} is not among the allowed AWS accounts"
    return None


def _check_type(setting, account):
    if account.get("account_type") not in setting:
        return f"account type {account.get('account_type')} is not allowed"
    return None


def _check_license(setting, account):
    if account.get("default_license") not in setting:
        return f"default license {account.get('default_license')} is not allowed"
    return None


def _check_suspended(_setting, account):
    return "the account is suspended" if account.get("account_status") == "Suspended" else None


def _check_delegates(_setting, account):
    enterprise = str(account.get("account_type") or "").startswith("Enterprise")
    if enterprise and not account.get("signin_delegate_groups"):
        return f"{account.get('account_type')} account has no sign-in delegate group"
    return None


def _check_name(setting, account):
    if not pattern_search(setting, str(account.get("name") or "")):
        return f"the name does not match {setting.pattern}"
    return None


BUILT_IN = (
    BuiltInRule(
        "allowed_aws_account_ids",
        "list",
        "high",
        "Chime accounts exist only in the AWS accounts allowed.",
        "Delete the Chime account, or move its users to an account in an allowed AWS account.",
        _check_aws_account,
    ),
    BuiltInRule(
        "allowed_account_types",
        "list",
        "medium",
        "Every account is of an allowed account type.",
        "Change the account's type (for example connect an identity provider), or retire the account.",
        _check_type,
    ),
    BuiltInRule(
        "allowed_default_licenses",
        "list",
        "low",
        "Every account's default license is an allowed one.",
        "Set the account's default license to an allowed one (Chime UpdateAccount, DefaultLicense).",
        _check_license,
    ),
    BuiltInRule(
        "no_suspended_accounts",
        "flag",
        "medium",
        "No account is suspended.",
        "Find out why the account is suspended; delete it when it is no longer needed.",
        _check_suspended,
    ),
    BuiltInRule(
        "enterprise_signin_delegate_groups",
        "flag",
        "high",
        "Every Enterprise account has at least one sign-in delegate group.",
        "Add a sign-in delegate group to the account (Chime AssociateSigninDelegateGroupsWithAccount).",
        _check_delegates,
    ),
    BuiltInRule(
        "name_pattern",
        "pattern",
        "low",
        "Every account name matches the naming pattern (an RE2 regular expression, searched in the name).",
        "Rename the account (Chime UpdateAccount, Name) to follow the naming convention.",
        _check_name,
    ),
)
RULES = tuple(rule.name for rule in BUILT_IN)
BY_NAME = {rule.name: rule for rule in BUILT_IN}
