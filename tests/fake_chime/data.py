# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Account data for the fake Chime endpoint: a seeded generator and a JSON/YAML loader.

Accounts are kept in wire form (the CamelCase members of ListAccounts' ``Account`` shape).
"""

import datetime
import json
import random
import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Dict
from typing import List

ACCOUNT_TYPES = ["Team", "EnterpriseDirectory", "EnterpriseLWA", "EnterpriseOIDC"]
LICENSES = ["Basic", "Plus", "Pro", "ProTrial"]
STATUSES = ["Active", "Suspended"]
OPTIONAL_MEMBERS = [
    "AccountType",
    "CreatedTimestamp",
    "DefaultLicense",
    "SupportedLicenses",
    "AccountStatus",
    "SigninDelegateGroups",
]

_PLACES = [
    "Zürich", "São Paulo", "Kraków", "Malmö", "Montréal", "東京", "Москва", "Αθήνα", "İstanbul", "Reykjavík",
    "Dublin", "Seattle", "Austin", "Bengaluru", "Lagos", "Nairobi", "Sydney", "Toronto", "Berlin", "Lisboa",
]  # fmt: skip
_TEAMS = [
    "Engineering", "Finance", "Sales", "Support", "Legal", "Marketing", "Research", "Operations",
    "Design", "Security", "Data", "Platform", "People", "Procurement", "Café Crew",
]  # fmt: skip
_FIRST = ["ana", "björn", "chloé", "dmitri", "eun-ji", "farah", "gonzalo", "hana", "ivan", "jürgen", "kofi", "lena"]
_LAST = ["silva", "müller", "nakamura", "okafor", "petrov", "quinn", "rossi", "søndergaard", "tanaka", "ünal"]


@dataclass
class TenantData:
    """The Chime accounts of one AWS account, and the user e-mail addresses that map to them."""

    aws_account_id: str
    accounts: List[dict] = field(default_factory=list)
    users: Dict[str, str] = field(default_factory=dict)  # e-mail -> AccountId


def _timestamp(rng: random.Random) -> str:
    start = datetime.datetime(2017, 1, 1, tzinfo=datetime.timezone.utc)
    moment = start + datetime.timedelta(seconds=rng.randrange(9 * 365 * 86400), milliseconds=rng.randrange(1000))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _account(rng: random.Random, aws_account_id: str, index: int) -> dict:
    account_type = ACCOUNT_TYPES[index % len(ACCOUNT_TYPES)] if index < 16 else rng.choice(ACCOUNT_TYPES)
    default_license = LICENSES[index % len(LICENSES)] if index < 16 else rng.choice(LICENSES)
    status = STATUSES[index % 2] if index < 16 else ("Suspended" if rng.random() < 0.15 else "Active")
    supported = sorted({default_license, *rng.sample(LICENSES, rng.randint(0, 3))}, key=LICENSES.index)
    account = {
        "AwsAccountId": aws_account_id,
        "AccountId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "Name": f"{rng.choice(_PLACES)} {rng.choice(_TEAMS)} {index:05d}",
        "AccountType": account_type,
        "CreatedTimestamp": _timestamp(rng),
        "DefaultLicense": default_license,
        "SupportedLicenses": supported,
        "AccountStatus": status,
    }
    if account_type != "Team" and rng.random() < 0.5:
        account["SigninDelegateGroups"] = [{"GroupName": f"chime-{rng.choice(_TEAMS).lower()}-{n}"} for n in range(2)]
    # Only AwsAccountId, AccountId and Name are required by the model: drop optional members
    # from some accounts (always from account 3, so small data sets have one such account too).
    if index == 3:
        dropped = OPTIONAL_MEMBERS
    elif rng.random() < 0.08:
        dropped = rng.sample(OPTIONAL_MEMBERS, rng.randint(1, len(OPTIONAL_MEMBERS)))
    else:
        dropped = []
    for member in dropped:
        account.pop(member, None)
    return account


def generate(
    count: int, seed: int = 0, aws_account_id: str = "111122223333", users_per_account: float = 0.5
) -> TenantData:
    """Draw ``count`` realistic accounts from ``seed``; the same arguments always give the same data.

    Every account type, license and status occurs once ``count`` reaches 16. About
    ``users_per_account`` of the accounts get one user e-mail address for the UserEmail filter.
    """
    rng = random.Random(f"{seed}:{aws_account_id}")
    data = TenantData(aws_account_id)
    for index in range(count):
        account = _account(rng, aws_account_id, index)
        data.accounts.append(account)
        if rng.random() < users_per_account:
            email = f"{rng.choice(_FIRST)}.{rng.choice(_LAST)}.{index}@example.com"
            data.users[email] = account["AccountId"]
    return data


def load(path: str, default_aws_account_id: str = "111122223333") -> TenantData:
    """Load one tenant's data from a JSON or YAML file.

    The file holds ``{"aws_account_id": ..., "accounts": [...], "users": {email: account_id}}``
    or just a list of accounts in wire form.
    """
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith((".yml", ".yaml")):
        import yaml  # only needed for YAML files

        document = yaml.safe_load(text)
    else:
        document = json.loads(text)
    if isinstance(document, list):
        document = {"accounts": document}
    aws_account_id = str(document.get("aws_account_id", default_aws_account_id))
    accounts = [dict({"AwsAccountId": aws_account_id}, **a) for a in document.get("accounts", [])]
    return TenantData(aws_account_id, accounts, dict(document.get("users", {})))


# The accounts of audit_sample() that break the policy of docs/examples/audit.yml, by index, with the
# rule each breaks. Every other account complies.
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
FORMULA_NAME = '=HYPERLINK("http://attacker.example/","Open")'
AUDIT_VIOLATORS = {
    5: "no_suspended_accounts",
    9: "no_suspended_accounts",
    12: "enterprise_signin_delegate_groups",
    20: "allowed_default_licenses",
    7: "name_pattern",
    30: "name_pattern",
}


def audit_sample(
    count: int = 300, seed: int = 0, aws_account_id: str = "111122223333", violations: bool = True
) -> TenantData:
    """Accounts for audits: ``count`` (at least 31) generated accounts with every member present, made
    to comply with the policy of docs/examples/audit.yml, except (unless ``violations`` is false) the few
    of AUDIT_VIOLATORS. Two of those have hostile names: an HTML tag with a script handler, and a
    spreadsheet formula."""
    if count < 31:
        raise ValueError("an audit sample needs at least 31 accounts")
    data = generate(count, seed, aws_account_id)
    for index, account in enumerate(data.accounts):
        account_type = ACCOUNT_TYPES[index % len(ACCOUNT_TYPES)]
        license_ = LICENSES[index % 3]  # Basic, Plus or Pro
        account.update(AccountType=account_type, DefaultLicense=license_, AccountStatus="Active")
        account.setdefault("CreatedTimestamp", "2020-02-20T20:20:20.200Z")
        account["SupportedLicenses"] = sorted({license_, *account.get("SupportedLicenses", [])}, key=LICENSES.index)
        if account_type == "Team":
            account.pop("SigninDelegateGroups", None)
        elif not account.get("SigninDelegateGroups"):
            account["SigninDelegateGroups"] = [{"GroupName": f"chime-admins-{index}"}]
    if not violations:
        return data
    data.accounts[5]["AccountStatus"] = data.accounts[9]["AccountStatus"] = "Suspended"
    data.accounts[12].update(AccountType="EnterpriseOIDC", SigninDelegateGroups=[])
    data.accounts[20].update(DefaultLicense="ProTrial", SupportedLicenses=["ProTrial"])
    data.accounts[7]["Name"] = HOSTILE_NAME
    data.accounts[30]["Name"] = FORMULA_NAME
    return data
