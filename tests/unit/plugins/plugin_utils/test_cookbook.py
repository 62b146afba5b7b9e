# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance guide (docs/docsite/rst/compliance.rst) against the policy engine (plugins/plugin_utils/_policy*.py):
the table of built-in rules agrees with BUILT_IN, and every rule of the custom-rule cookbook, shown in the guide and
kept as docs/examples/policy-cookbook.yml, flags the accounts it means and passes the others."""

import datetime
import os
import re

import pytest
import yaml

from ansible_collections.chime.admin.plugins.plugin_utils import _policy_file as pfile
from ansible_collections.chime.admin.plugins.plugin_utils import _policy_values as values
from ansible_collections.chime.admin.plugins.plugin_utils import _rules as rules

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
GUIDE = os.path.join(ROOT, "docs", "docsite", "rst", "compliance.rst")
COOKBOOK = os.path.join(ROOT, "docs", "examples", "policy-cookbook.yml")
# The audit's time: before the cookbook waiver's expiry (2027-03-31).
NOW = datetime.datetime(2026, 12, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
FINANCE, PRODUCTION, LEGACY, OTHER = "111122223333", "444455556666", "555566667777", "222233334444"
_BLOCK = re.compile(r"^\.\. code-block:: yaml\n\n((?:   .*\n|\n)+)", re.M)


def _guide():
    with open(GUIDE, encoding="utf-8") as handle:
        return handle.read()


def _section(text, label):
    """The guide's text from the label ``.. _ansible_collections.chime.admin.docsite.compliance.<label>:`` on."""
    marker = f".. _ansible_collections.chime.admin.docsite.compliance.{label}:\n"
    assert marker in text, f"compliance.rst has no label {label}"
    return text[text.index(marker) + len(marker) :]


def _normal(text):
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def _cookbook_shown():
    """The cookbook's YAML as the guide shows it: the first yaml block after its label."""
    match = _BLOCK.search(_section(_guide(), "cookbook"))
    assert match, "no yaml block after the cookbook's label"
    return "\n".join(line[3:] for line in match.group(1).split("\n"))


def _policy():
    return pfile.combine({}, yaml.safe_load(_cookbook_shown()), "policy-cookbook.yml")


POLICY = _policy()


def account(**fields):
    """An account that complies with every cookbook rule, with ``fields`` changed (None removes a key)."""
    sample = {
        "aws_account_id": OTHER,
        "account_id": "2d055095-46fa-4f84-bb61-db560c43c70a",
        "name": "Engineering",
        "account_type": "EnterpriseOIDC",
        "created_timestamp": "2024-06-01T00:00:00+00:00",  # 913 days old at NOW
        "default_license": "Pro",
        "supported_licenses": ["Basic", "Pro"],
        "account_status": "Active",
        "signin_delegate_groups": [{"group_name": "chime-eng-admins"}],
    }
    sample.update(fields)
    return {key: value for key, value in sample.items() if value is not None}


def _groups(*names):
    return [{"group_name": name} for name in names]


def _broken(sample, now=NOW):
    """The rules that ``sample`` breaks, open violations only."""
    return [finding["rule"] for finding in POLICY.evaluate([sample], now).violations]


# Each cookbook rule, an account that complies with it and one that breaks it (and no other rule).
CASES = [
    (
        "team-accounts-default-to-pro",
        account(account_type="Team", default_license="Pro"),
        account(account_type="Team", default_license="Basic"),
    ),
    (
        "old-accounts-have-delegate-groups",
        account(created_timestamp="2020-01-02T03:04:05+00:00"),
        account(created_timestamp="2020-01-02T03:04:05+00:00", signin_delegate_groups=[]),
    ),
    (
        "finance-accounts-are-named-fin",
        account(aws_account_id=FINANCE, name="fin-payroll"),
        account(aws_account_id=FINANCE, name="Payroll"),
    ),
    (
        "no-protrial-default-license",
        account(default_license="Basic"),
        account(default_license="ProTrial"),
    ),
    (
        "enterprise-accounts-use-oidc",
        account(account_type="EnterpriseOIDC"),
        account(account_type="EnterpriseLWA"),
    ),
    (
        "suspended-accounts-are-recent",
        account(account_status="Suspended", created_timestamp="2026-11-01T00:00:00+00:00"),
        account(account_status="Suspended", created_timestamp="2024-06-01T00:00:00+00:00"),
    ),
    (
        "no-test-accounts-in-production",
        account(aws_account_id=PRODUCTION, name="Attestation Services"),
        account(aws_account_id="777788889999", name="Sales Test"),
    ),
    (
        "pro-is-a-supported-license",
        account(supported_licenses=["Plus", "Pro"]),
        account(supported_licenses=["Basic", "Plus"]),
    ),
    (
        "new-accounts-are-enterprise",
        account(created_timestamp="2025-03-01T09:00:00+00:00", account_type="EnterpriseOIDC"),
        account(created_timestamp="2025-03-01T09:00:00+00:00", account_type="Team"),
    ),
    (
        "delegate-groups-are-chime-admins",
        account(signin_delegate_groups=_groups("chime-fin-admins", "chime-ops-admins")),
        account(signin_delegate_groups=_groups("chime-eng-admins", "AD-Domain-Admins")),
    ),
]


def test_the_cookbook_shown_is_the_example_file():
    with open(COOKBOOK, encoding="utf-8") as handle:
        assert _normal(_cookbook_shown()) == _normal(handle.read())


def test_the_cookbook_is_a_policy_file_of_ten_custom_rules_and_a_waiver():
    data = yaml.safe_load(_cookbook_shown())
    assert set(data) == {"name", "version", "custom_rules", "waivers"} and set(data) <= set(pfile.POLICY_FILE_KEYS)
    assert (POLICY.name, POLICY.version) == ("Example Corp Amazon Chime cookbook", "2026.12")
    assert [rule.name for rule in POLICY.custom] == [case[0] for case in CASES]
    assert [waiver.rule for waiver in POLICY.waivers] == ["enterprise-accounts-use-oidc"]


def test_the_sample_account_complies_with_every_rule():
    assert POLICY.evaluate([account()], NOW).violations == []


@pytest.mark.parametrize("rule,compliant,violating", CASES, ids=[case[0] for case in CASES])
def test_each_rule_passes_its_compliant_account_and_flags_its_violating_one(rule, compliant, violating):
    assert _broken(compliant) == []
    assert _broken(violating) == [rule]
    (finding,) = POLICY.evaluate([violating], NOW).violations
    assert finding["severity"] == next(r.severity for r in POLICY.custom if r.name == rule)
    assert finding["detail"].startswith(f"does not satisfy custom rule {rule}: ")


@pytest.mark.parametrize(
    "fields,rule",
    [
        # An account of unknown age is not skipped: without groups it breaks the rule.
        ({"created_timestamp": None, "signin_delegate_groups": []}, "old-accounts-have-delegate-groups"),
        ({"default_license": None}, "no-protrial-default-license"),
        ({"supported_licenses": None}, "pro-is-a-supported-license"),
        # A suspended account whose age cannot be told is not known to be recent.
        ({"account_status": "Suspended", "created_timestamp": "not a time"}, "suspended-accounts-are-recent"),
        # `not` of the regex would hold for a missing name: `present` fails it.
        ({"aws_account_id": PRODUCTION, "name": None}, "no-test-accounts-in-production"),
        ({"signin_delegate_groups": None}, "delegate-groups-are-chime-admins"),
    ],
)
def test_rules_fail_closed_on_missing_values(fields, rule):
    assert rule in _broken(account(**fields))


def test_an_account_of_unknown_age_still_passes_on_its_groups():
    assert _broken(account(created_timestamp=None)) == []


@pytest.mark.parametrize("name", ["Test Lab", "sales-test", "QA_TEST 2", "Prüfung test"])
def test_the_word_test_is_found_in_a_production_account_name(name):
    assert _broken(account(aws_account_id=PRODUCTION, name=name)) == ["no-test-accounts-in-production"]


@pytest.mark.parametrize("name", ["Attestation Services", "Ütest", "Contest Winners", "testimonials"])
def test_test_inside_a_word_is_not_the_word(name):
    assert _broken(account(aws_account_id=PRODUCTION, name=name)) == []


def test_outside_production_test_accounts_are_allowed():
    assert _broken(account(name="Sales Test")) == []


def test_re2_word_boundary_is_ascii_only_as_the_guide_says():
    """Why the cookbook writes [^\\pL\\pN] for a boundary: RE2's \\b sees no word character in Ü."""
    ascii_boundary = values.compile_pattern(r"\btest\b", "test")
    assert values.pattern_search(ascii_boundary, "Ütest")
    assert not values.pattern_search(values.compile_pattern(r"\w", "test"), "ü")


def test_accounts_created_before_the_cut_off_are_not_checked_for_enterprise():
    assert _broken(account(created_timestamp="2024-12-31T23:59:59+00:00", account_type="Team")) == []
    assert _broken(account(created_timestamp="2025-01-01T00:00:00+00:00", account_type="Team")) == [
        "new-accounts-are-enterprise"
    ]


def test_an_account_without_delegate_groups_complies_with_the_group_name_rule():
    assert "delegate-groups-are-chime-admins" not in _broken(account(signin_delegate_groups=[]))


def _legacy(**fields):
    return account(aws_account_id=LEGACY, name="Legacy HR", account_type="EnterpriseLWA", **fields)


def test_the_waiver_covers_legacy_accounts_of_its_aws_account_until_the_end_of_its_day():
    last_moment = datetime.datetime(2027, 3, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)
    for now in (NOW, last_moment):
        findings = POLICY.evaluate([_legacy()], now)
        assert findings.violations == []
        (waived,) = findings.waived
        assert (waived["rule"], waived["waiver"]["state"], waived["waiver"]["ticket"]) == (
            "enterprise-accounts-use-oidc",
            "active",
            "CHG-3107",
        )
    assert [w["ticket"] for w in POLICY.evaluate([_legacy()], NOW).waivers["unused"]] == []


def test_the_waiver_does_not_cover_other_names_or_other_aws_accounts():
    assert _broken(account(aws_account_id=LEGACY, name="HR", account_type="EnterpriseLWA")) == [
        "enterprise-accounts-use-oidc"
    ]
    assert _broken(account(name="Legacy HR", account_type="EnterpriseLWA")) == ["enterprise-accounts-use-oidc"]
    assert [w["ticket"] for w in POLICY.evaluate([account()], NOW).waivers["unused"]] == ["CHG-3107"]


def test_after_the_waiver_expires_the_violation_is_open_again_and_says_so():
    findings = POLICY.evaluate([_legacy()], datetime.datetime(2027, 4, 1, tzinfo=datetime.timezone.utc))
    (violation,) = findings.violations
    assert findings.waived == [] and violation["waiver"]["state"] == "expired"
    assert "; waiver 1 (CHG-3107) expired on 2027-03-31: The legacy accounts keep" in violation["detail"]
    assert [w["ticket"] for w in findings.waivers["expired"]] == ["CHG-3107"]


def test_the_waiver_is_listed_as_expiring_within_the_warning_days():
    march = datetime.datetime(2027, 3, 15, tzinfo=datetime.timezone.utc)
    assert [w["ticket"] for w in POLICY.evaluate([_legacy()], march).waivers["expiring"]] == ["CHG-3107"]
    assert POLICY.evaluate([_legacy()], NOW).waivers["expiring"] == []


# ----- the table of built-in rules ---------------------------------------------------------------------
_ROW = re.compile(r"^   \* - ", re.M)
_CELL = re.compile(r"\n     - ")
# The words the Setting column uses for each kind of setting.
SETTING_WORDS = {"list": "a list of", "flag": "``true``", "pattern": "an RE2 regular expression"}


def _rule_table():
    """The rows of the first list-table after the rules' label, each a list of its cells' text."""
    section = _section(_guide(), "rules")
    table = section[section.index(".. list-table::") :]
    end = re.search(r"\n(?=\S)", table)
    body = table[: end.start()] if end else table
    rows = []
    for chunk in _ROW.split(body)[1:]:
        cells = _CELL.split(chunk.rstrip("\n"))
        rows.append([" ".join(cell.split()) for cell in cells])
    return rows


def test_the_rule_table_lists_every_built_in_rule_with_its_default_severity():
    header, *rows = _rule_table()
    assert header == ["Rule", "Setting", "Default severity", "What it checks", "Remediation"]
    assert [row[0] for row in rows] == [f"``{rule.name}``" for rule in rules.BUILT_IN]
    for row, rule in zip(rows, rules.BUILT_IN, strict=True):
        assert row[2] == rule.severity, rule.name


def test_the_rule_table_gives_each_rules_setting_description_and_remediation():
    _header, *rows = _rule_table()
    assert len(rows) == len(rules.BUILT_IN)
    for (_name, setting, _severity, description, remediation), rule in zip(rows, rules.BUILT_IN, strict=True):
        assert setting.startswith(SETTING_WORDS[rule.kind]), (rule.name, setting)
        assert (description, remediation) == (rule.description, rule.remediation), rule.name
