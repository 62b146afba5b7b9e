# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The ``ocsf`` format: an audit report's findings as OCSF Compliance Finding events, for AWS Security Hub and SIEMs.

:func:`to_ocsf` turns each finding of a report (its open ``violations``, then the ``waived`` ones, then, from
report format 5, the ``resolved`` ones) into one event of the Open Cybersecurity Schema Framework's Compliance
Finding class, as OCSF 1.5.0 defines it (the version py-ocsf-models 0.10.0 implements, which the unit tests
validate every event with). The finding's life cycle (report format 5, see :mod:`_lifecycle`) gives the event its
status, activity and times, so that a consumer keeping one case per ``finding_info.uid`` opens, updates and closes
it. The events are plain dicts written with :mod:`json`: the schema's models are a test dependency only, so that
the collection needs nothing beyond ansible-core and boto3 on the controller.
"""

import datetime
import hashlib
import io
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

# The Findings category (2) and the Compliance Finding class (2003); an event's type is
# class_uid * 100 + activity_id.
CATEGORY_UID, CLASS_UID = 2, 2003
# The activity (activity_id, activity_name), the Finding classes' enum in OCSF 1.5.0 and py-ocsf-models' ActivityID:
# Create (1) "a finding was created", Update (2) "a finding was updated", Close (3) "a finding was closed". A
# finding first seen in this run is created (so is every finding of a report before format 5, which cannot tell);
# one seen by an earlier run too, open or waived, is updated: a waiver suppresses the case for a while but does
# not close it (the waiver expires, the case is still there); a resolved finding closes its case.
CREATE, UPDATE, CLOSE = (1, "Create"), (2, "Update"), (3, "Close")
# severity_id, by the severity of a rule; a finding without one (a report of format 2) is Unknown (0).
SEVERITIES = {"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}
UNKNOWN_SEVERITY = 0
# The finding's status (status_id, status), OCSF 1.5.0's Finding status enum and py-ocsf-models' StatusID (whose
# member InProgress has the caption "In Progress" in the schema): New (1) "new and yet to be reviewed" for a
# finding first seen in this run, In Progress (2) "under review" for one still open since an earlier run,
# Suppressed (3) for one waived by an active waiver (OCSF's status of a finding reviewed and accepted), Resolved (4)
# "remediated and now considered resolved" for a finding of the baseline that this run no longer has.
STATUS_NEW, STATUS_IN_PROGRESS = (1, "New"), (2, "In Progress")
STATUS_SUPPRESSED, STATUS_RESOLVED = (3, "Suppressed"), (4, "Resolved")
# The life-cycle states of report format 5 (_lifecycle.STATES; _lifecycle imports this module, so they are
# spelled here too, and a unit test holds the two together). The report's list of a finding (violations, waived,
# resolved) and its state give its status and activity: a finding without a state (a report before format 5),
# or with one this module does not know, is New or Suppressed by its list, and created, as before format 5.
STATE_NEW, STATE_OPEN, STATE_WAIVED, STATE_RESOLVED = "new", "open", "waived", "resolved"
# compliance.status_id (OCSF 1.5.0's compliance status enum, py-ocsf-models' objects.compliance_status.StatusID):
# every open or waived finding is a failed check of its rule (Fail, 3). A finding resolved because its account no
# longer violates the rule passed the check (Pass, 1). One resolved because the account was removed or the rule is
# no longer checked was not checked at all: saying Pass would claim a check that was never made, and Fail is no
# longer true, so its compliance status is Unknown (0), and status_detail says why it was resolved.
COMPLIANCE_FAIL, COMPLIANCE_PASS, COMPLIANCE_UNKNOWN = (3, "Fail"), (1, "Pass"), (0, "Unknown")
# _lifecycle.NO_LONGER_VIOLATES: the one reason of a resolved finding whose account was checked and passed.
PASSED = "no longer violates"
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


def _epoch_milliseconds(value, what="the report's generated_at"):
    """``value`` (ISO 8601 text) as milliseconds since the epoch, OCSF's timestamp_t, or :class:`OcsfError`
    naming ``what`` it is."""
    try:
        when = datetime.datetime.fromisoformat(re.sub(r"[Zz]$", "+00:00", str(value).strip()))
    except ValueError:
        raise OcsfError(f"the ocsf format needs {what} as an ISO 8601 time, got {value!r:.100}.") from None
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


# What a finding of report format 5 keeps under unmapped, when it has it: its state and deadline in the report's
# own words (the times are in finding_info), and why and when it was resolved.
_UNMAPPED = ("state", "age_days", "due", "overdue_days", "resolved_at", "resolved_reason")
VIOLATIONS, WAIVED, RESOLVED = "violations", "waived", "resolved"  # the report's lists of findings


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _seen(finding, key, uid, default):
    """The finding's ``key`` (first_seen or last_seen, ISO 8601 text) in epoch milliseconds, ``default`` when
    the finding has none (a report before format 5), or :class:`OcsfError`."""
    value = finding.get(key)
    if value is None:
        return default
    return _epoch_milliseconds(value, f"the {key} of finding {uid}")


def _life_cycle(finding, listed, uid, time):
    """What the finding's place in its life cycle makes of its event: ``(status, activity, compliance, times,
    words)``. ``listed`` is the report's list that holds it; ``time`` the report's time in milliseconds."""
    resolved = listed == RESOLVED
    # A finding of this run without its own first_seen or last_seen (a report before format 5) was seen now; a
    # resolved one without them (its baseline recorded no time) is left without them rather than given a guess.
    default = None if resolved else time
    first = _seen(finding, "first_seen", uid, default)
    last = _seen(finding, "last_seen", uid, default)
    times = {"created_time": first, "first_seen_time": first, "last_seen_time": last}
    words = []
    if resolved:
        reason = finding.get("resolved_reason")
        status, activity = STATUS_RESOLVED, CLOSE
        compliance = COMPLIANCE_PASS if reason == PASSED else COMPLIANCE_UNKNOWN
        words.append(f"Resolved: {reason}." if reason else "Resolved.")
    else:
        compliance = COMPLIANCE_FAIL
        if listed == WAIVED:
            status = STATUS_SUPPRESSED
            activity = CREATE if first >= time else UPDATE  # first seen in this run, or by an earlier one
        elif finding.get("state") == STATE_OPEN:
            status, activity = STATUS_IN_PROGRESS, UPDATE
        else:  # new, or a report before format 5 (no state), or a state this module does not know
            status, activity = STATUS_NEW, CREATE
        waiver = finding.get("waiver")
        if isinstance(waiver, Mapping):
            words.append(_waiver_words(waiver))
        overdue = finding.get("overdue_days")
        if overdue:
            words.append(f"Overdue by {_plural(overdue, 'day')} (due {finding.get('due')}).")
    return status, activity, compliance, {k: v for k, v in times.items() if v is not None}, " ".join(words)


def _event(finding, listed, context):
    rules, standards, time, version, partition = context
    rule_id = str(finding.get("rule"))
    rule = rules.get(rule_id)
    rule = rule if isinstance(rule, Mapping) else {}
    severity = str(finding.get("severity") or "").lower()
    severity_id = SEVERITIES.get(severity, UNKNOWN_SEVERITY)
    uid = finding_uid(finding)
    (status_id, status), (activity_id, activity), (compliance_id, compliance_status), times, words = _life_cycle(
        finding, listed, uid, time
    )
    aws_account_id = str(finding.get("aws_account_id"))
    account = _aws_account(aws_account_id)
    compliance = {"control": rule_id, "status": compliance_status, "status_id": compliance_id}
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
        "activity_id": activity_id,
        "activity_name": activity,
        "category_name": "Findings",
        "category_uid": CATEGORY_UID,
        "class_name": "Compliance Finding",
        "class_uid": CLASS_UID,
        "cloud": cloud,
        "compliance": compliance,
        "finding_info": {
            "desc": finding.get("detail"),
            "title": rule.get("description") or rule_id,
            "uid": uid,
            **times,
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
        "type_name": f"Compliance Finding: {activity}",
        "type_uid": CLASS_UID * 100 + activity_id,
    }
    if rule.get("remediation"):
        event["remediation"] = {"desc": rule["remediation"]}
    if words:
        event["status_detail"] = words
    unmapped = {key: finding[key] for key in _UNMAPPED if finding.get(key) is not None}
    waiver = finding.get("waiver")
    if isinstance(waiver, Mapping):
        unmapped["waiver"] = dict(waiver)
    if unmapped:
        event["unmapped"] = unmapped
    return event


def _events(report):
    """The events of ``report``, one at a time (see :func:`ocsf_events`); what every event shares is read, and
    checked, before the first."""
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
    lists = [(listed, report.get(listed) or []) for listed in (VIOLATIONS, WAIVED, RESOLVED)]
    if not any(findings for _listed, findings in lists):
        return iter(())
    time = _epoch_milliseconds(report.get("generated_at"))
    context = (
        rules,
        standards,
        time,
        source.get("collection_version") or COLLECTION_VERSION,
        _partition(source.get("caller")),
    )
    return (_event(finding, listed, context) for listed, findings in lists for finding in findings)


def ocsf_events(report):
    """The OCSF Compliance Finding events of ``report``, in a list: one for each of its ``violations`` (status
    New, or In Progress when still open since an earlier run), then one for each of its ``waived`` findings
    (status Suppressed), then one for each of its ``resolved`` findings (status Resolved, activity Close)."""
    return list(_events(report))


def to_ocsf(report):
    """The report's findings as a JSON array of OCSF Compliance Finding events: UTF-8 text, two-space
    indentation, keys in alphabetical order, ending with a newline. Characters that would change how the text
    shows (C1 controls, bidirectional overrides) are written as ``\\uXXXX`` escapes, so the file reads inertly
    in a terminal."""
    out = io.StringIO()
    write(report, out)
    return out.getvalue()


def write(report, out):
    """Write the report's findings as OCSF events (:func:`to_ocsf`) to the text stream ``out``, one event at a
    time: the same text as ``json.dumps`` of the whole array (an element's lines indented two spaces more; JSON
    escapes every newline inside a string, so each raw newline is the layout's), without holding the array."""
    first = True
    for event in _events(report):
        text = json.dumps(event, indent=2, ensure_ascii=False, sort_keys=True)
        out.write(("[\n  " if first else ",\n  ") + _NOT_PLAIN_ASCII.sub(_inert, text).replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")
