# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""An audit report's findings in the AWS Security Finding Format (ASFF), as AWS Security Hub imports them.

:func:`asff_findings` makes one ASFF finding of each of the report's open ``violations``, each of its ``waived``
findings and, archived, each of its ``resolved`` findings; :func:`to_asff` writes them as a JSON array (the
``asff`` format, ``<report_name>.asff.json``). What the ``security_hub`` option sends is chosen from these and from
what Security Hub holds (see :mod:`_security_hub`).

What the import may set, from the Security Hub API reference (BatchImportFindings, AwsSecurityFinding,
FindingProviderFields, Workflow):

- ``Note``, ``UserDefinedFields``, ``VerificationState`` and ``Workflow`` are the customer's (BatchUpdateFindings):
  never sent. ``Region`` is Security Hub's to fill: never sent. ``ProductName`` and ``CompanyName`` may be set by a
  custom integration (the default product ARN).
- ``Confidence``, ``Criticality``, ``RelatedFindings``, ``Severity`` and ``Types`` are a provider's to set through
  ``FindingProviderFields`` only: severity and types are sent there, never at the top level, so that a severity
  a person changed in the console stays as they set it.
- A resolved finding is sent again ARCHIVED, ``Compliance.Status`` PASSED when its account was checked and no
  longer breaks the rule, NOT_AVAILABLE when the account is gone or the rule no longer checked (no check passed).

Every finding names the run's scope (``ProductFields`` ``chime.admin/Scope``, the scope's digest, see
:mod:`_scope`), so that a run reconciles only the findings of its own scope.

With the default product ARN (``arn:<partition>:securityhub:<region>:<account>:product/<account>/default``),
Security Hub takes a finding only from the account named in its ``AwsAccountId``: every finding of a run,
whichever AWS account its Chime account belongs to, is imported under the caller's account, and names the Chime
account's AWS account in its resources and in ``ProductFields``.
"""

import io
import json
import re
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.module_utils.chime import COLLECTION_VERSION
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible
from ansible_collections.chime.admin.plugins.plugin_utils._format_ocsf import _inert
from ansible_collections.chime.admin.plugins.plugin_utils._format_ocsf import finding_uid
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import NO_LONGER_VIOLATES
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import parse_time
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import utc
from ansible_collections.chime.admin.plugins.plugin_utils._scope import scope_digest

SCHEMA_VERSION = "2018-10-08"
PRODUCT_NAME = COMPANY_NAME = "chime.admin"
# Amazon Chime's administration API is served from one region only: the Chime account's resource is there.
CHIME_REGION = "us-east-1"
CHIME_RESOURCE_TYPE = "AWS::Chime::Account"
# Security Hub's namespace/category/classifier; the classifier is the rule.
TYPE_PREFIX = "Software and Configuration Checks/Industry and Regulatory Standards/"
# Security Hub's limits (API reference, AwsSecurityFinding and BatchImportFindings): botocore checks a
# string's minimum length before it sends, not its maximum, so the maximums are kept here.
MAX_TITLE, MAX_DESCRIPTION, MAX_REMEDIATION = 256, 1024, 512
MAX_ID, MAX_GENERATOR_ID = 512, 512
MAX_FIELD_VALUE = 2048  # a ProductFields value
MAX_OTHER_VALUE = 1023  # a Resources[].Details.Other value: fewer than 1,024 characters
MAX_FINDING_BYTES = 240 * 1024  # a finding larger than this is refused by Security Hub
ACTIVE, ARCHIVED = "ACTIVE", "ARCHIVED"
FAILED, PASSED, NOT_AVAILABLE = "FAILED", "PASSED", "NOT_AVAILABLE"
SCOPE_FIELD = "chime.admin/Scope"
AWS_ACCOUNT_FIELD, ACCOUNT_FIELD, RULE_FIELD = "chime.admin/AwsAccountId", "chime.admin/AccountId", "chime.admin/Rule"
# The partitions Security Hub's Resource.Partition names (the API reference's enum).
PARTITIONS = ("aws", "aws-cn", "aws-us-gov")
_NOT_PLAIN_ASCII = re.compile(r"[^\n\x20-\x7e]")


class AsffError(ValueError):
    """A report that cannot be written as ASFF findings; the message says why."""


def product_arn(partition, region, account):
    """The default product ARN of ``account`` in ``region``: the one a custom integration imports under."""
    return f"arn:{partition}:securityhub:{region}:{account}:product/{account}/default"


def _time(value):
    """ISO 8601 text in UTC with a ``Z``, as Security Hub's examples write it; None for none."""
    when = parse_time(value)
    return None if when is None else utc(when).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def _text(value, limit):
    """``value`` as visible text of at most ``limit`` characters (an ellipsis marks a cut); None for empty."""
    text = visible(value).strip() if value is not None else ""
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _caller(report):
    """``(partition, account)`` of the report's caller ARN (its source.caller)."""
    parts = str((report.get("source") or {}).get("caller") or "").split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[1] and parts[4]:
        return parts[1], parts[4]
    raise AsffError("the asff format needs the report's caller ARN (source.caller), which names its AWS account.")


def _waiver_words(waiver):
    if not isinstance(waiver, Mapping):
        return None
    words = f"Waived until {waiver.get('expires')}: {waiver.get('reason')}"
    extra = [f"{key} {waiver[key]}" for key in ("owner", "ticket") if waiver.get(key)]
    return words + (f" ({', '.join(extra)})" if extra else "") + "."


def _product_fields(finding, state, scope):
    fields = {
        AWS_ACCOUNT_FIELD: finding.get("aws_account_id"),
        ACCOUNT_FIELD: finding.get("account_id"),
        "chime.admin/AccountName": finding.get("name"),
        RULE_FIELD: finding.get("rule"),
        "chime.admin/State": state,
        "chime.admin/Due": finding.get("due"),
        "chime.admin/OverdueDays": finding.get("overdue_days"),
        "chime.admin/ResolvedReason": finding.get("resolved_reason"),
        "chime.admin/Version": COLLECTION_VERSION,
        SCOPE_FIELD: scope,
    }
    waiver = finding.get("waiver")
    if isinstance(waiver, Mapping):
        for key in ("reason", "expires", "owner", "ticket", "state"):
            fields[f"chime.admin/Waiver/{key.capitalize()}"] = waiver.get(key)
    shown = {key: _text(value, MAX_FIELD_VALUE) for key, value in fields.items() if value is not None}
    return {key: value for key, value in shown.items() if value}  # ProductFields values may not be empty


def _resources(finding, partition):
    aws_account_id = finding.get("aws_account_id")
    aws_account_id = _text(aws_account_id, 64) if aws_account_id is not None else None
    details = (
        ("Type", CHIME_RESOURCE_TYPE),
        ("AwsAccountId", aws_account_id),
        ("Name", _text(finding.get("name"), MAX_OTHER_VALUE)),
    )
    account = {
        "Type": "Other",
        "Id": _text(finding.get("account_id"), MAX_ID) or "unknown",
        "Partition": partition,
        "Region": CHIME_REGION,
        "Details": {"Other": {key: value for key, value in details if value}},
    }
    if aws_account_id is None:
        return [account]
    return [account, {"Type": "AwsAccount", "Id": f"AWS::::Account:{aws_account_id}", "Partition": partition}]


def _finding(finding, listed, context):
    partition, account, arn, generated_at, rules, scope = context
    rule_id = str(finding.get("rule"))
    rule = rules.get(rule_id) if isinstance(rules.get(rule_id), Mapping) else {}
    severity = str(finding.get("severity") or "informational").lower()
    resolved = listed == "resolved"
    state = finding.get("state") or ("resolved" if resolved else "waived" if listed == "waived" else "new")
    first = _time(finding.get("first_seen")) or (None if resolved else generated_at)
    last = _time(finding.get("last_seen")) or (None if resolved else generated_at)
    words = [finding.get("detail")]
    if listed == "waived":
        words.append(_waiver_words(finding.get("waiver")))
    if finding.get("overdue_days"):
        words.append(f"Overdue by {finding['overdue_days']} day(s) (due {finding.get('due')}).")
    if resolved:
        words.append(f"Resolved: {finding.get('resolved_reason')}.")
    description = _text(" ".join(str(w) for w in words if w), MAX_DESCRIPTION) or rule_id
    out = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding.get("uid") or finding_uid(finding),
        "ProductArn": arn,
        "ProductName": PRODUCT_NAME,
        "CompanyName": COMPANY_NAME,
        "GeneratorId": _text(rule_id, MAX_GENERATOR_ID) or "unknown",
        "AwsAccountId": account,
        "CreatedAt": first or generated_at,
        "UpdatedAt": generated_at,
        "Title": _text(rule.get("description") or rule_id, MAX_TITLE) or rule_id,
        "Description": description,
        "FindingProviderFields": {
            "Severity": {"Label": severity.upper(), "Original": severity},
            "Types": [TYPE_PREFIX + (_text(rule_id, 200) or "unknown")],
        },
        "Resources": _resources(finding, partition),
        "ProductFields": _product_fields(finding, state, scope),
        "RecordState": ARCHIVED if resolved else ACTIVE,
    }
    if first:
        out["FirstObservedAt"] = first
    if last:
        out["LastObservedAt"] = last
    if resolved:
        out["Compliance"] = {
            "Status": PASSED if finding.get("resolved_reason") == NO_LONGER_VIOLATES else NOT_AVAILABLE
        }
    else:
        out["Compliance"] = {"Status": FAILED}
    remediation = _text(rule.get("remediation"), MAX_REMEDIATION)
    if remediation:
        out["Remediation"] = {"Recommendation": {"Text": remediation}}
    return out


def compliance_of(aws_account_id, account_id, rule, report):
    """The Compliance.Status of a finding this run no longer has: PASSED when its account was listed and its rule
    checked (the account no longer breaks it), NOT_AVAILABLE when the account is gone or the rule not checked."""
    policy = (report.get("source") or {}).get("policy")
    rules = policy.get("rules") if isinstance(policy, Mapping) and isinstance(policy.get("rules"), Mapping) else {}
    present = any(
        a.get("aws_account_id") == aws_account_id and a.get("account_id") == account_id for a in report["accounts"]
    )
    return PASSED if present and rule in rules else NOT_AVAILABLE


def scope_of(report):
    """The digest that names the report's scope in every finding (None for a report that records no scope)."""
    scope = (report.get("source") or {}).get("scope")
    return scope_digest(scope) if isinstance(scope, Mapping) else None


def asff_findings(report, region, lists=("violations", "waived", "resolved")):
    """The ASFF findings of ``report`` for Security Hub in ``region``, one at a time, of each of ``lists`` in
    order: open violations (ACTIVE, FAILED), waived findings (ACTIVE, FAILED, the waiver in the description and
    ProductFields), resolved findings (ARCHIVED)."""
    partition, account = _caller(report)
    if partition not in PARTITIONS:
        raise AsffError(f"the asff format knows the partitions {', '.join(PARTITIONS)}, not the caller's {partition}.")
    policy = (report.get("source") or {}).get("policy")
    rules = policy.get("rules") if isinstance(policy, Mapping) and isinstance(policy.get("rules"), Mapping) else {}
    generated_at = _time(report.get("generated_at"))
    if generated_at is None:
        given = report.get("generated_at")
        raise AsffError(f"the asff format needs the report's generated_at as an ISO 8601 time, got {given!r:.100}.")
    context = (partition, account, product_arn(partition, region, account), generated_at, rules, scope_of(report))
    for listed in lists:
        for finding in report.get(listed) or []:
            yield _finding(finding, listed, context)


# The members of a finding Security Hub holds that an archive sends back as they are: those the collection set.
_KEPT = (
    "SchemaVersion", "Id", "ProductArn", "ProductName", "CompanyName", "GeneratorId", "AwsAccountId", "CreatedAt",
    "Title", "Description", "FindingProviderFields", "Resources", "ProductFields", "Remediation", "FirstObservedAt",
    "LastObservedAt",
)  # fmt: skip


def archive_of(held, report, updated_at):
    """An ARCHIVED copy of ``held`` (a finding Security Hub holds, from GetFindings) that this run no longer has:
    the members the collection set, a new ``UpdatedAt``, and the Compliance.Status of :func:`compliance_of`."""
    out = {key: held[key] for key in _KEPT if key in held}
    fields = held.get("ProductFields") or {}
    status = compliance_of(fields.get(AWS_ACCOUNT_FIELD), fields.get(ACCOUNT_FIELD), fields.get(RULE_FIELD), report)
    out.update(UpdatedAt=_time(updated_at), RecordState=ARCHIVED, Compliance={"Status": status})
    return out


def finding_bytes(finding):
    """The size of ``finding`` as it is sent: its JSON as botocore's serializer writes it (ASCII escapes)."""
    return len(json.dumps(finding, separators=(",", ":")))


def _region(report):
    """Security Hub's region as the report records it (source.security_hub.region), else us-east-1."""
    recorded = (report.get("source") or {}).get("security_hub")
    region = recorded.get("region") if isinstance(recorded, Mapping) else None
    return region or CHIME_REGION


def write(report, out, region=None):
    """Write the report's ASFF findings to the text stream ``out``, one finding at a time: a JSON array, UTF-8,
    two-space indentation, keys sorted, a final newline, characters that change how text shows written as
    ``\\uXXXX`` escapes (as the ocsf format does); the same text as ``json.dumps`` of the whole array. ``region``
    is Security Hub's; by default the one the report records (source.security_hub.region), else us-east-1."""
    first = True
    for finding in asff_findings(report, region or _region(report)):
        text = json.dumps(finding, indent=2, ensure_ascii=False, sort_keys=True)
        out.write(("[\n  " if first else ",\n  ") + _NOT_PLAIN_ASCII.sub(_inert, text).replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")


def to_asff(report, region=None):
    """The text :func:`write` writes, as one string."""
    out = io.StringIO()
    write(report, out, region)
    return out.getvalue()
