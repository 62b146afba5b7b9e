# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Findings across runs: when each was first seen, its state, its deadline, and what was resolved.

A finding is known across runs by its uid (:func:`_ocsf.finding_uid`: rule, AWS account and account). With a
baseline (an earlier report of the same scope, see :mod:`_scope`), each finding of this run is:

- ``new``: not among the baseline's findings (open or waived); first seen now;
- ``open``: among them; its ``first_seen`` is carried from the baseline (for a baseline of a report format
  before 5, which records no ``first_seen``, that baseline's time);
- ``waived``: under an active waiver, keeping its ``first_seen`` as well.

A baseline finding absent now is ``resolved`` when its AWS account was listed by this run: the account was
removed, the rule is no longer checked, or the account no longer breaks it. A baseline finding of an AWS
account this run did not list (refused, failed, skipped) is not compared: nothing is known of it, and an
incomplete report carries it forward (``comparison_base``) so that the next run still knows its first_seen.

Deadlines (``sla_days``, days per severity) make a new or open finding older than its severity's deadline
``overdue``. The gate (``fail_gate``) chooses which findings at or above ``fail_severity`` fail the job: all
of them, only new ones, or new and overdue ones.
"""

import datetime
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.plugin_utils._format_ocsf import finding_uid
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError

NEW, OPEN, WAIVED, RESOLVED = "new", "open", "waived", "resolved"
STATES = (NEW, OPEN, WAIVED, RESOLVED)
GATE_ALL, GATE_NEW, GATE_NEW_OR_OVERDUE = "all", "new", "new_or_overdue"
GATES = (GATE_ALL, GATE_NEW, GATE_NEW_OR_OVERDUE)
# Ten years: a deadline longer than that is a typo (3650 for 365), not a remediation policy.
MAX_SLA_DAYS = 3650
NO_LONGER_VIOLATES, ACCOUNT_REMOVED, RULE_NOT_CHECKED = (
    "no longer violates",
    "account removed",
    "rule no longer checked",
)
# The keys a finding gains, after its own, in this order (report format 5).
LIFE_KEYS = ("uid", "state", "first_seen", "last_seen", "age_days", "due", "overdue_days")
# How far ahead of this run's clock a baseline's time may be: the clocks of two controllers differ (SigV4
# itself accepts a request signed up to 15 minutes away from the service's clock).
CLOCK_SKEW = datetime.timedelta(minutes=15)
_COUNTED = (NEW, OPEN, "overdue", WAIVED, RESOLVED)


class FindingHistoryError(ValueError):
    """A baseline's finding whose dates cannot be right; the message names the finding by rule and uid."""


def check_sla_days(value, where="sla_days"):
    """``value`` (days per severity, a dict; None or empty for none) as a dict in severity order, or
    :class:`PolicyError` naming the option and the severity."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise PolicyError(f"{where} must be a dict of severities to days, got {type(value).__name__}.")
    unknown = sorted(str(key) for key in value if key not in SEVERITIES)
    if unknown:
        raise PolicyError(f"{where}: unknown severity {', '.join(unknown)}; known severities: {', '.join(SEVERITIES)}.")
    for severity, days in value.items():
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_SLA_DAYS:
            raise PolicyError(
                f"{where}.{severity} must be a whole number of days from 1 to {MAX_SLA_DAYS}, got {days!r}."
            )
    return {severity: value[severity] for severity in SEVERITIES if severity in value}


def check_gate(value, where="fail_gate"):
    """``value`` (None for the default, ``all``) as one of :data:`GATES`, or :class:`PolicyError`."""
    if value is None:
        return GATE_ALL
    if not isinstance(value, str) or value not in GATES:
        raise PolicyError(f"{where} must be one of {', '.join(GATES)}, got {value!r}.")
    return value


def parse_time(value):
    """An ISO 8601 timestamp as an aware datetime (UTC when it names no offset), or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def utc(moment):
    """``moment`` (an aware datetime) in UTC: the times a report writes, and the days its ages count."""
    return moment.astimezone(datetime.timezone.utc)


def is_count(value):
    """Whether ``value`` is a count: a whole number, not a boolean, not negative."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def age_in_days(first_seen, now):
    """Days from ``first_seen``'s day to ``now``'s day, both in UTC (calendar days, as ``due`` is a day: a
    finding is overdue from the day after its due day, whatever the hour the job starts), never below 0."""
    return max((utc(now).date() - utc(first_seen).date()).days, 0)


def gate_passes(gate, finding):
    """Whether ``finding`` (with its state) is one that ``gate`` lets fail the job."""
    if gate == GATE_ALL:
        return True
    if finding.get("state") == NEW:
        return True
    return gate == GATE_NEW_OR_OVERDUE and bool(finding.get("overdue_days"))


def why_failing(finding):
    """Why a failing finding fails under a gate other than ``all``: ``new``, or ``overdue by N days``."""
    if finding.get("state") == NEW:
        return NEW
    return f"overdue by {finding.get('overdue_days')} day(s)"


def _earlier(finding, report_time, now, where):
    """A baseline finding, checked, with its uid, first_seen and last_seen as strings: those it records (report
    format 5), or its report's time (``report_time``, an ISO string) for an older one."""
    if not isinstance(finding, Mapping):
        raise FindingHistoryError(f"{where}: a finding that is not a mapping.")
    for key in ("aws_account_id", "account_id", "rule"):  # a uid is made of them: text, never another type
        if not isinstance(finding.get(key), str):
            raise FindingHistoryError(f"{where}: a finding whose {key} is not a string.")
    uid = finding_uid(finding)
    named = f"{where}: the finding of rule {finding['rule']:.80} (uid {uid[:12]})"
    if finding.get("severity") not in SEVERITIES:
        raise FindingHistoryError(f"{named} has no known severity.")
    when = parse_time(report_time)
    if when is not None and when > now + CLOCK_SKEW:
        raise FindingHistoryError(f"{where}: its time ({utc(when).isoformat()}) is in the future.")
    if "first_seen" in finding:
        first = parse_time(finding["first_seen"])
        if first is None:
            raise FindingHistoryError(f"{named} has a first_seen that is not an ISO 8601 time.")
        if first > now + CLOCK_SKEW:
            raise FindingHistoryError(f"{named} was first seen in the future ({first.isoformat()}).")
        if when is not None and first > when:
            raise FindingHistoryError(f"{named} was first seen after its own report's time ({first.isoformat()}).")
        # Carried as the time it names, in UTC, written afresh: never the baseline's text itself.
        first_seen = utc(first).isoformat()
        last = parse_time(finding.get("last_seen"))
        if last is not None and (last < first or (when is not None and last > when)):
            raise FindingHistoryError(f"{named} was last seen before it was first seen, or after its report's time.")
        last = last if last is not None else when
        last_seen = utc(last).isoformat() if last is not None else None
    else:
        first_seen = last_seen = utc(when).isoformat() if when is not None else None
    kept = {key: finding.get(key) for key in ("aws_account_id", "account_id", "name", "rule", "severity", "detail")}
    kept["waiver"] = finding.get("waiver")
    kept.update(uid=uid, first_seen=first_seen, last_seen=last_seen)
    return kept


def earlier_findings(report, now, where, aws_account_id=None, report_time=None):
    """The findings (open and waived) a report records, by uid, checked: ``report`` is an earlier JSON
    report, or a ``comparison_base`` entry (``aws_account_id`` and ``report_time`` given, its ``findings``)."""
    if report_time is None:
        report_time = report.get("generated_at")
    if aws_account_id is None:
        lists = [report.get("violations"), report.get("waived")]
    else:
        lists = [report.get("findings")]
    found = {}
    for findings in lists:
        if findings is None:
            continue
        if not isinstance(findings, list):
            raise FindingHistoryError(f"{where}: findings must be a list.")
        for finding in findings:
            kept = _earlier(finding, report_time, now, where)
            if aws_account_id is not None and kept["aws_account_id"] != aws_account_id:
                raise FindingHistoryError(f"{where}: the findings of AWS account {aws_account_id} hold another's.")
            if kept["uid"] in found:
                raise FindingHistoryError(f"{where}: the finding uid {kept['uid'][:12]} is there twice.")
            found[kept["uid"]] = kept
    return found


def _due_day(first, deadline):
    """The day (UTC) a deadline of ``deadline`` days from ``first`` ends, or None past the calendar's end."""
    try:
        return utc(first).date() + datetime.timedelta(days=deadline)
    except OverflowError:
        return None


def _counts():
    return {
        "since": None,
        **dict.fromkeys((*_COUNTED, "not_compared"), 0),
        "by_severity": {severity: dict.fromkeys(_COUNTED, 0) for severity in SEVERITIES},
    }


def _count(counts, state, severity):
    counts[state] += 1
    if severity in counts["by_severity"]:
        counts["by_severity"][severity][state] += 1


def follow(violations, waived, earlier, generated_at, sla_days, unlisted_now, accounts, checked):
    """Give each finding of this run (``violations`` and ``waived``, changed in place) its life-cycle keys,
    and say what was resolved.

    ``earlier`` is the baseline's findings by uid (:func:`earlier_findings`), or None without a baseline;
    ``generated_at`` this run's time (ISO text); ``sla_days`` the deadlines; ``unlisted_now`` the AWS accounts
    this run did not list; ``accounts`` this run's accounts; ``checked`` the rules this run checked.
    Returns ``(resolved, not_compared, counts)``: the resolved findings, the baseline findings that were not
    compared (by uid, to carry forward) and the counts by state and severity (``summary.findings``)."""
    now = parse_time(generated_at) or datetime.datetime.now(datetime.timezone.utc)
    known = earlier or {}
    counts = _counts()
    seen = set()
    for findings, waived_list in ((violations, False), (waived, True)):
        for finding in findings:
            uid = finding_uid(finding)
            seen.add(uid)
            prior = known.get(uid)
            first = parse_time(prior.get("first_seen")) if prior else None
            # Never after this run: a baseline made by a controller whose clock ran ahead (by less than
            # CLOCK_SKEW) would otherwise give a first_seen that the next run refuses as after its report's time.
            first = now if first is None or first > now else first
            first_text = utc(first).isoformat()  # in UTC, as the action's own times are
            age = age_in_days(first, now)
            state = WAIVED if waived_list else OPEN if prior else NEW
            due = overdue = None
            deadline = sla_days.get(finding.get("severity")) if not waived_list else None
            if deadline is not None:
                due_day = _due_day(first, deadline)
                due = due_day.isoformat() if due_day else None
                past = (utc(now).date() - due_day).days if due_day else 0
                overdue = past if past > 0 else None
            finding.update(
                uid=uid, state=state, first_seen=first_text, last_seen=generated_at, age_days=age, due=due,
                overdue_days=overdue,
            )  # fmt: skip
            _count(counts, state, finding.get("severity"))
            if overdue:
                _count(counts, "overdue", finding.get("severity"))
    present = {(a.get("aws_account_id"), a.get("account_id")) for a in accounts}
    unlisted = set(unlisted_now)
    resolved, not_compared = [], {}
    for uid, prior in known.items():
        if uid in seen:
            continue
        if prior.get("aws_account_id") in unlisted:
            not_compared[uid] = prior
            counts["not_compared"] += 1
            continue
        if (prior.get("aws_account_id"), prior.get("account_id")) not in present:
            reason = ACCOUNT_REMOVED
        elif prior.get("rule") not in checked:
            reason = RULE_NOT_CHECKED
        else:
            reason = NO_LONGER_VIOLATES
        first = parse_time(prior.get("first_seen")) or now
        entry = {key: prior.get(key) for key in ("aws_account_id", "account_id", "name", "rule", "severity")}
        entry.update(detail=prior.get("detail"), waiver=prior.get("waiver"), uid=uid, state=RESOLVED)
        entry.update(
            first_seen=prior.get("first_seen"), last_seen=prior.get("last_seen"), age_days=age_in_days(first, now),
            resolved_at=generated_at, resolved_reason=reason,
        )  # fmt: skip
        resolved.append(entry)
        _count(counts, RESOLVED, prior.get("severity"))
    return resolved, not_compared, counts
