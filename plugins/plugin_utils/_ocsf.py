# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""An audit report's findings as OCSF Compliance Finding events, for AWS Security Hub and SIEMs.

:func:`to_ocsf` turns each finding of a report (its open ``violations``, then the ``waived`` ones) into one
event of the Open Cybersecurity Schema Framework's Compliance Finding class, as OCSF 1.5.0 defines it (the
version py-ocsf-models 0.10.0 implements, which the unit tests validate every event with). The events are
plain dicts written with :mod:`json`: the schema's models are a test dependency only, so that the collection
needs nothing beyond ansible-core and boto3 on the controller.
"""

import datetime
import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.module_utils.chime import COLLECTION_VERSION

OCSF_VERSION = "1.5.0"
PRODUCT = {"name": "chime.admin", "vendor_name": "chime.admin contributors"}
RESOURCE_TYPE = "AWS::Chime::Account"
# Amazon Chime's administration API is served from one region only.
REGION = "us-east-1"

# The Findings category (2), the Compliance Finding class (2003), the activity Create (1): the event's type is
# class_uid * 100 + activity_id.
CATEGORY_UID, CLASS_UID, ACTIVITY_ID = 2, 2003, 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_ID
# severity_id, by the severity of a rule; a finding without one (a report of format 2) is Unknown (0).
SEVERITIES = {"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
UNKNOWN_SEVERITY = 0
# The finding's status_id (set by whoever triages the finding): open findings are New, a finding waived by an
# active waiver is Suppressed, OCSF's status of a finding reviewed and accepted.
STATUS_NEW, STATUS_SUPPRESSED = (1, "New"), (3, "Suppressed")
# compliance.status_id: every finding is a failed check of its rule.
COMPLIANCE_FAIL = (3, "Fail")
AWS_ACCOUNT_TYPE = (10, "AWS Account")  # account.type_id
OTHER_USER_TYPE = 99  # user.type_id Other, with the type "AWS Account": the owner is an AWS account, not a person
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

# Characters that JSON may carry unescaped but that change how text is shown in a terminal or an editor (C1
# controls, bidirectional overrides, zero-width and other format characters, line and paragraph separators):
# the characters _report.visible() escapes. In the JSON text they can only stand inside strings, where a
# \uXXXX escape reads back as the same character.
_INVISIBLE = ("Cc", "Cf", "Cs", "Zl", "Zp")
_NOT_PLAIN_ASCII = re.compile(r"[^\n\x20-\x7e]")


class OcsfError(ValueError):
    """A report that cannot be written as OCSF events; the message says why."""


def _inert(match):
    char = match.group()
    if unicodedata.category(char) not in _INVISIBLE:
        return char
    code = ord(char)
    if code > 0xFFFF:  # outside the BMP: JSON escapes it as a UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def _epoch_milliseconds(generated_at):
    """``generated_at`` (ISO 8601) as milliseconds since the epoch, OCSF's timestamp_t."""
    try:
        when = datetime.datetime.fromisoformat(str(generated_at))
    except ValueError:
        message = f"the ocsf format needs the report's generated_at as an ISO 8601 time, got {generated_at!r}."
        raise OcsfError(message) from None
    if when.tzinfo is None:  # the reports record UTC; one without an offset is read as UTC too
        when = when.replace(tzinfo=datetime.timezone.utc)
    return (when - _EPOCH) // datetime.timedelta(milliseconds=1)


def _partition(caller):
    """The AWS partition (aws, aws-cn, aws-us-gov) of the caller's ARN, or None without one."""
    parts = str(caller).split(":") if caller else []
    return parts[1] if len(parts) > 5 and parts[0] == "arn" and parts[1] else None


def finding_uid(finding):
    """A finding's identifier, the same in every run for the same rule, AWS account and Chime account (never
    the account's name, which its owner may change): a SHA-256 digest, as hexadecimal text."""
    key = json.dumps([str(finding.get(k)) for k in ("rule", "aws_account_id", "account_id")])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _aws_account(aws_account_id):
    """An OCSF account object of an AWS account. Its name is the account ID: the report does not know the AWS
    account's name, and py-ocsf-models requires one."""
    return {"name": aws_account_id, "type": AWS_ACCOUNT_TYPE[1], "type_id": AWS_ACCOUNT_TYPE[0], "uid": aws_account_id}


def _waiver_words(waiver):
    """The waiver of a finding in words, for status_detail."""
    if waiver.get("state") == "active":
        text = f"Suppressed by a waiver until {waiver.get('expires')}: {waiver.get('reason')}"
    else:
        text = f"A waiver expired on {waiver.get('expires')}: {waiver.get('reason')}"
    extra = [f"{key} {waiver[key]}" for key in ("owner", "ticket") if waiver.get(key)]
    return text + (f" ({', '.join(extra)})" if extra else "") + "."


def _event(finding, waived, context):
    rules, standards, time, version, partition = context
    rule_id = str(finding.get("rule"))
    rule = rules.get(rule_id)
    rule = rule if isinstance(rule, Mapping) else {}
    severity = str(finding.get("severity") or "").lower()
    severity_id = SEVERITIES.get(severity, UNKNOWN_SEVERITY)
    status_id, status = STATUS_SUPPRESSED if waived else STATUS_NEW
    aws_account_id = str(finding.get("aws_account_id"))
    account = _aws_account(aws_account_id)
    compliance = {"control": rule_id, "status": COMPLIANCE_FAIL[1], "status_id": COMPLIANCE_FAIL[0]}
    if rule.get("description"):
        compliance["desc"] = rule["description"]
    if standards:
        compliance["standards"] = standards
    resource = {
        "name": finding.get("name"),
        "owner": {
            "account": account,
            "name": aws_account_id,
            "type": AWS_ACCOUNT_TYPE[1],
            "type_id": OTHER_USER_TYPE,
            "uid": aws_account_id,
        },
        "region": REGION,
        "type": RESOURCE_TYPE,
        "uid": finding.get("account_id"),
    }
    cloud = {"account": account, "provider": "AWS", "region": REGION}
    if partition:
        resource["cloud_partition"] = cloud["cloud_partition"] = partition
    event = {
        "activity_id": ACTIVITY_ID,
        "activity_name": "Create",
        "category_name": "Findings",
        "category_uid": CATEGORY_UID,
        "class_name": "Compliance Finding",
        "class_uid": CLASS_UID,
        "cloud": cloud,
        "compliance": compliance,
        "finding_info": {
            "desc": finding.get("detail"),
            "title": rule.get("description") or rule_id,
            "uid": finding_uid(finding),
        },
        "metadata": {
            "product": {**PRODUCT, "version": version},
            "profiles": ["cloud"],
            "version": OCSF_VERSION,
        },
        "resources": [resource],
        "severity": severity.capitalize() if severity_id else "Unknown",
        "severity_id": severity_id,
        "status": status,
        "status_id": status_id,
        "time": time,
        "type_name": "Compliance Finding: Create",
        "type_uid": TYPE_UID,
    }
    if rule.get("remediation"):
        event["remediation"] = {"desc": rule["remediation"]}
    waiver = finding.get("waiver")
    if isinstance(waiver, Mapping):
        event["status_detail"] = _waiver_words(waiver)
        event["unmapped"] = {"waiver": dict(waiver)}
    return event


def ocsf_events(report):
    """The OCSF Compliance Finding events of ``report``: one for each of its ``violations`` (status New),
    then one for each of its ``waived`` findings (status Suppressed)."""
    source = report.get("source") or {}
    policy = source.get("policy") if isinstance(source.get("policy"), Mapping) else {}
    rules = policy.get("rules") if isinstance(policy.get("rules"), Mapping) else {}
    name, version = policy.get("name"), policy.get("version")
    standards = [f"{name} {version}" if version else str(name)] if name else None
    origins = policy.get("origins") if isinstance(policy.get("origins"), Mapping) else {}
    beside = [part for part, origin in origins.items() if origin == "variables"]
    if standards and policy.get("policy_file") and beside:
        # The file names the standard, but parts of what was checked came from elsewhere: the standard says so.
        standards = [f"{standards[0]}, with {', '.join(beside)} set outside it"]
    violations, waived = report.get("violations") or [], report.get("waived") or []
    if not violations and not waived:
        return []
    time = _epoch_milliseconds(report.get("generated_at"))
    context = (
        rules,
        standards,
        time,
        source.get("collection_version") or COLLECTION_VERSION,
        _partition(source.get("caller")),
    )
    return [_event(f, False, context) for f in violations] + [_event(f, True, context) for f in waived]


def to_ocsf(report):
    """The report's findings as a JSON array of OCSF Compliance Finding events: UTF-8 text, two-space
    indentation, keys in alphabetical order, ending with a newline. Characters that would change how the text
    shows (C1 controls, bidirectional overrides) are written as ``\\uXXXX`` escapes, so the file reads inertly
    in a terminal."""
    text = json.dumps(ocsf_events(report), indent=2, ensure_ascii=False, sort_keys=True)
    return _NOT_PLAIN_ASCII.sub(_inert, text) + "\n"
