# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The audit report, the evidence document of one audit: what it listed, how, under which policy, what it found
and what it compared with.

:func:`build_report` assembles what one audit found (the listing, every violation, the changes since a
baseline) into one dict whose keys come in a fixed order, documented in the docsite's report reference.
The JSON report is that dict; each format of :mod:`_formats` renders it, in a module of its own
(``_format_<name>.py``). The checks themselves live in :mod:`_rules` and :mod:`_policy`, drift in :mod:`_drift`.
Also here: the comparison base an incomplete run carries, and the summary in words for a task's output.
"""

import datetime
import re
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.module_utils.chime import COLLECTION_VERSION
from ansible_collections.chime.admin.plugins.plugin_utils._drift import find_changes
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import FindingHistoryError
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import earlier_findings
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import follow
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import parse_time
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._policy import count_by_rule
from ansible_collections.chime.admin.plugins.plugin_utils._policy import count_by_severity
from ansible_collections.chime.admin.plugins.plugin_utils._policy import provenance_words
from ansible_collections.chime.admin.plugins.plugin_utils._rules import RULES
from ansible_collections.chime.admin.plugins.plugin_utils._scope import derive_scope
from ansible_collections.chime.admin.plugins.plugin_utils._scope import describe
from ansible_collections.chime.admin.plugins.plugin_utils._scope import refusal
from ansible_collections.chime.admin.plugins.plugin_utils._scope import report_scope
from ansible_collections.chime.admin.plugins.plugin_utils._scope import same_scope
from ansible_collections.chime.admin.plugins.plugin_utils._scope import scope_digest

# 2: the source records the caller, the policy and the collection version; by_rule holds only the rules
# checked; changes have not_compared.
# 3: findings have a severity and a waiver; `waived` holds the waived findings and `waivers` the waivers
# unused, expiring and expired; the policy records each rule's kind, severity, description and remediation;
# the summary counts violations by severity, the waived and the failing ones, and the waivers.
# 4: the source records the run's scope (`source.scope`, see _scope.py); changes say which AWS accounts were
# compared with an earlier run than the baseline (`compared_earlier`) and which the baseline did not list
# (`baseline_unlisted`); an incomplete report carries the last complete listing of each AWS account it did not
# list (`comparison_base`), so that it never becomes the next run's baseline for them.
# 5: each finding has its life cycle (`uid`, `state`, `first_seen`, `last_seen`, `age_days`, `due`,
# `overdue_days`, see _lifecycle.py); `resolved` holds the baseline's findings resolved by this run; the summary
# counts findings by state and severity (`summary.findings`); the policy records `sla_days` and `fail_gate`;
# comparison_base entries carry their findings; `trend` holds the counts of the last complete runs (S3 history).
# A baseline of an earlier format is read as well (its accounts and findings; its scope is derived, and its
# findings were first seen at its own time).
REPORT_FORMAT = 5
# The report's keys, in their order. `aws_accounts` is present only when the listing had it.
REPORT_KEYS = (
    "report_format",
    "generated_at",
    "source",
    "summary",
    "accounts",
    "violations",
    "waived",
    "resolved",
    "waivers",
    "aws_accounts",
    "changes",
    "comparison_base",
    "trend",
)
COUNTS = (
    ("by_status", "Accounts by status"),
    ("by_type", "Accounts by type"),
    ("by_default_license", "Accounts by default license"),
    ("by_aws_account", "Accounts by AWS account"),
)


def plain(value):
    """A plain copy of ``value`` (dicts, lists and scalars), each member read once.

    ansible-core 2.19 and later hand filters containers that template each value when it is read, and
    rendering a report reads every value several times: a copy read once costs a tenth as much at
    10,000 accounts.
    """
    kind = type(value)
    if kind is str or kind is int or value is None:  # most values: no ABC check (a third of the copy's time)
        return value
    if kind is dict or isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if kind is list or isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


class ReportError(ValueError):
    """An input that cannot make a report (a listing or baseline of the wrong shape); the message says why."""


def _baseline_accounts(baseline):
    """The accounts of a baseline: an earlier report (a dict with ``accounts``) or a list of accounts."""
    if isinstance(baseline, Mapping):
        baseline = baseline.get("accounts")
    baseline = plain(baseline)
    if not isinstance(baseline, list) or not all(isinstance(a, dict) for a in baseline):
        raise ReportError("the baseline must be an earlier JSON report of this role (with a list of accounts).")
    return baseline


def _listing_source(listing, filters, caller, policy, scope=None):
    """What was audited, as evidence: who asked (the caller's ARN), every AWS account listed (one with no
    Chime account too), the filters, the policy checked and the collection's version. A user e-mail filter
    is recorded as set, never as the address, so that a report can be shared without personal data."""
    if listing.get("aws_accounts") is not None:
        aws_ids = [entry.get("aws_account_id") for entry in listing["aws_accounts"] if entry.get("status") == "listed"]
    elif caller and len(str(caller).split(":")) > 4:
        aws_ids = [str(caller).split(":")[4]]
    else:
        aws_ids = sorted({a.get("aws_account_id") for a in listing["accounts"] if a.get("aws_account_id")})
    filters = dict(filters or {})
    source = {
        "caller": caller,
        "aws_accounts": aws_ids,
        "filters": {"name": filters.get("name") or None, "user_email": bool(filters.get("user_email"))},
        "scope": scope,
        "policy": policy,
        "collection_version": COLLECTION_VERSION,
    }
    if scope is None:  # made by a filter, not a run: the scope its source shows (None without a caller)
        source["scope"] = derive_scope({"source": source, "aws_accounts": listing.get("aws_accounts")})
    return source


def unlisted_aws_accounts(listing):
    """The AWS accounts of a listing (or report) that were asked for but not listed (refused, skipped or
    failed)."""
    entries = listing.get("aws_accounts") or []
    if not isinstance(entries, list):
        return []
    return [e.get("aws_account_id") for e in entries if isinstance(e, Mapping) and e.get("status") != "listed"]


# The statuses of an AWS account that make a run incomplete (a skipped one, suspended or closing in
# Organizations, does not).
INCOMPLETE_STATUSES = ("denied", "failed")


def incomplete_aws_accounts(listing):
    """The AWS accounts of a listing (or report) that were asked for and refused or failed: the run is
    incomplete for them."""
    entries = listing.get("aws_accounts") or []
    if not isinstance(entries, list):
        return []
    return [
        e.get("aws_account_id") for e in entries if isinstance(e, Mapping) and e.get("status") in INCOMPLETE_STATUSES
    ]


def _carried(baseline):
    """The last complete listings an incomplete baseline carries (its ``comparison_base``), by AWS account:
    ``{aws_account_id: (generated_at, accounts)}``; a malformed one raises :class:`ReportError`."""
    base = baseline.get("comparison_base")
    if base is None:
        return {}
    entries = base.get("aws_accounts") if isinstance(base, Mapping) else None
    if not isinstance(entries, list):
        raise ReportError("the baseline's comparison_base must hold a list of aws_accounts.")
    recorded = (baseline.get("source") or {}).get("scope") if isinstance(baseline.get("source"), Mapping) else None
    if isinstance(recorded, Mapping) and base.get("scope_digest") != scope_digest(recorded):
        raise ReportError("the baseline's comparison_base is of another scope than the baseline itself.")
    carried = {}
    for entry in entries:
        aws_id = entry.get("aws_account_id") if isinstance(entry, Mapping) else None
        accounts = entry.get("accounts") if isinstance(entry, Mapping) else None
        if not isinstance(aws_id, str) or not isinstance(accounts, list):
            raise ReportError("each comparison_base entry of the baseline must have an aws_account_id and accounts.")
        if not all(isinstance(a, dict) and a.get("aws_account_id") == aws_id for a in accounts):
            raise ReportError(f"the baseline's comparison_base of AWS account {aws_id} holds another AWS account's.")
        carried[aws_id] = (entry.get("generated_at"), plain(accounts), plain(entry.get("findings") or []))
    return carried


def comparison_base(baseline, now=None):
    """What a run compares with, from its ``baseline`` (an earlier report, or a list of accounts).

    An incomplete baseline never stands alone: for each AWS account it could not list (refused or failed) it
    carries that AWS account's last complete listing, and those accounts are compared instead; an AWS account
    it could not list and carries nothing of is not compared. Returns a dict: ``accounts`` (the accounts to
    compare with), ``unlisted`` (the AWS accounts whose accounts are not compared), ``compared_earlier`` (each
    AWS account compared with an earlier run than the baseline, with that run's ``generated_at``),
    ``baseline_unlisted`` (those the baseline did not list, with nothing earlier to reach back to),
    ``listed_at`` (each AWS account known to the comparison, with the time of the listing compared with) and
    ``findings`` (the findings compared with, by uid: the baseline's, and those carried with an earlier
    listing; see :mod:`_lifecycle`). ``now`` (an aware datetime; the current time by default) is when a
    finding's first_seen may not be after; a baseline finding whose dates cannot be right raises
    :class:`ReportError`."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    accounts = _baseline_accounts(baseline)
    if not isinstance(baseline, Mapping):
        ids = {a.get("aws_account_id") for a in accounts}
        return {"accounts": accounts, "unlisted": [], "compared_earlier": [], "baseline_unlisted": [],
                "listed_at": dict.fromkeys(ids), "findings": {}}  # fmt: skip
    generated_at = baseline.get("generated_at")
    unlisted = unlisted_aws_accounts(baseline)
    source = baseline.get("source") if isinstance(baseline.get("source"), Mapping) else {}
    listed = source.get("aws_accounts") if isinstance(source.get("aws_accounts"), list) else []
    listed_at = dict.fromkeys([*listed, *(a.get("aws_account_id") for a in accounts)], generated_at)
    for aws_id in unlisted:
        listed_at.pop(aws_id, None)
    carried = _carried(baseline)
    compared_earlier, not_reached = [], []
    accounts = list(accounts)
    try:
        findings = earlier_findings(baseline, now, "the baseline")
    except FindingHistoryError as error:
        raise ReportError(str(error)) from None
    for aws_id in dict.fromkeys(incomplete_aws_accounts(baseline)):
        if aws_id in carried:
            then, earlier, earlier_found = carried[aws_id]
            try:
                where = f"the baseline's comparison_base of AWS account {aws_id}"
                findings.update(earlier_findings({"findings": earlier_found}, now, where, aws_id, then))
            except FindingHistoryError as error:
                raise ReportError(str(error)) from None
            accounts.extend(earlier)
            listed_at[aws_id] = then
            compared_earlier.append({"aws_account_id": aws_id, "generated_at": then})
        else:
            not_reached.append(aws_id)
    reached = {entry["aws_account_id"] for entry in compared_earlier}
    return {
        "accounts": accounts,
        "unlisted": [aws_id for aws_id in unlisted if aws_id not in reached],
        "compared_earlier": compared_earlier,
        "baseline_unlisted": not_reached,
        "listed_at": listed_at,
        "findings": findings,
    }


def carry_forward(base, listing, digest=None, not_compared=None):
    """The ``comparison_base`` of a run that could not list some AWS account (None when it listed every one):
    for each such AWS account, the listing it was compared with (``base``, what :func:`comparison_base`
    returned, or None without a baseline), and its findings then (``not_compared``, by uid, with their
    first_seen), so that the next run compares with that, not with nothing. A chain of incomplete runs carries
    the same last complete listing forward."""
    missing = incomplete_aws_accounts(listing)
    if not missing:
        return None
    known = [aws_id for aws_id in sorted(set(missing)) if base is not None and aws_id in base["listed_at"]]
    by_aws_account = {aws_id: [] for aws_id in known}  # an AWS account not known: the next run says so
    for account in base["accounts"] if known else ():
        if account.get("aws_account_id") in by_aws_account:
            by_aws_account[account["aws_account_id"]].append(account)
    findings = {aws_id: [] for aws_id in known}
    for finding in (not_compared or {}).values():
        if finding.get("aws_account_id") in findings:
            findings[finding["aws_account_id"]].append(finding)
    entries = [
        {
            "aws_account_id": aws_id,
            "generated_at": base["listed_at"][aws_id],
            "accounts": by_aws_account[aws_id],
            "findings": findings[aws_id],
        }
        for aws_id in known
    ]
    return {"scope_digest": digest, "aws_accounts": entries}


def audit_time(generated_at):
    """The audit's time, which custom rules' ``age_days``, waivers' expiry and findings' ages are judged at:
    ``generated_at`` when it is an ISO timestamp (:func:`_lifecycle.parse_time`), else now."""
    return parse_time(generated_at) or datetime.datetime.now(datetime.timezone.utc)


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _without_surrogates(value):
    """``value`` with every surrogate code point in its strings (dict keys included) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    return value


def _replace_lone_surrogates(listing):
    """Replace, in ``listing`` (a plain copy), every lone surrogate with U+FFFD, and say where, never what.

    Python's JSON parser, and so botocore's, turns an unpaired ``\\ud800`` escape into a lone surrogate, which
    no UTF-8 file can hold. Returns one entry per field replaced, in the report's order: ``aws_account_id``,
    ``account_id`` and ``field`` (the key: ``name``, or ``summary.by_type``, or ``aws_accounts.message`` with
    ``account_id`` null), the identifiers as they read after the replacement."""
    replaced = []
    summary = listing.get("summary")
    if isinstance(summary, dict):
        for key, value in summary.items():
            clean = _without_surrogates(value)
            if clean != value or _without_surrogates(key) != key:
                replaced.append({"aws_account_id": None, "account_id": None, "field": f"summary.{key}"})
        listing["summary"] = _without_surrogates(summary)
    for part, prefix in (("accounts", ""), ("aws_accounts", "aws_accounts.")):
        for entry in listing.get(part) or []:
            if not isinstance(entry, dict):
                continue
            fields = [key for key, value in entry.items() if _without_surrogates(value) != value]
            for key in fields:
                entry[key] = _without_surrogates(entry[key])
            where = {"aws_account_id": entry.get("aws_account_id"), "account_id": entry.get("account_id")}
            replaced += [dict(where, field=prefix + key) for key in fields]
    return replaced


def build_report(
    listing,
    rules=None,
    baseline=None,
    generated_at=None,
    filters=None,
    caller=None,
    policy=None,
    baseline_evidence=None,
    scope=None,
    trend=None,
):
    """The audit report of ``listing`` (what chime_account_info returns): the listing's accounts and
    summary, every finding of the policy (``policy``, a checked :class:`Policy`, or else the built-in
    ``rules`` alone), and, with ``baseline``, what changed since it.

    ``summary`` extends the listing's with ``violations`` (the open ones: a total, counts per rule checked
    and per severity, how many fail the job, how many were waived, and the rules not checked), ``waivers``
    (how many are active, expired, unused and expiring soon) and, with a baseline, ``changes`` (how many
    accounts were added, removed, changed and not compared). ``caller`` is the ARN of the identity that
    listed, from STS GetCallerIdentity; ``scope`` the run's (see :mod:`_scope`), recorded as ``source.scope``.

    The baseline must be of the same scope (the caller checks it). An incomplete baseline is compared through
    :func:`comparison_base`; an incomplete report carries what it was compared with (:func:`carry_forward`).

    ``baseline_evidence`` (what the baseline was: its location, version, digest, scope and how it was verified)
    is recorded as ``source.baseline``, the chain an auditor walks back.

    Each finding gets its life cycle from the baseline's findings (:func:`_lifecycle.follow`): its state,
    first_seen, age and deadline; ``resolved`` lists the baseline's findings this run resolved. ``trend`` (the
    counts of the last complete runs of this scope, from S3 history) is recorded as given: None without it.
    """
    if not isinstance(listing, Mapping) or not isinstance(listing.get("accounts"), list):
        raise ReportError("the input must be the result of chime.admin.chime_account_info (with accounts).")
    listing = plain({key: listing.get(key) for key in ("accounts", "summary", "aws_accounts")})
    replaced = _replace_lone_surrogates(listing)
    accounts = listing["accounts"]
    policy = policy if policy is not None else Policy(rules)
    now = audit_time(generated_at)
    seen_at = generated_at if parse_time(generated_at) else now.isoformat()  # the time findings are seen at
    findings = policy.evaluate(accounts, now)
    violations = findings.violations
    source = _listing_source(listing, filters, caller, policy.describe(), scope)
    recorded = report_scope(baseline) if isinstance(baseline, Mapping) else None
    if (
        isinstance(recorded, Mapping)
        and isinstance(source["scope"], Mapping)
        and not same_scope(source["scope"], recorded)
    ):
        # The action refuses such a run before any request; a filter's caller learns it here: a baseline of another
        # scope would report every account outside the smaller scope as removed, its findings as resolved.
        raise ReportError(refusal(source["scope"], recorded, "the baseline"))
    base = comparison_base(baseline, now) if baseline is not None else None
    unlisted_now = unlisted_aws_accounts(listing)
    resolved, not_compared, finding_counts = follow(
        violations, findings.waived, base["findings"] if base else None, seen_at, policy.sla_days,
        unlisted_now, accounts, policy.checked(),
    )  # fmt: skip
    finding_counts["since"] = baseline.get("generated_at") if isinstance(baseline, Mapping) else None
    per_rule = count_by_rule(violations, policy.rule_names())
    summary = dict(listing.get("summary") or {})
    summary["violations"] = {
        "total": len(violations),
        "failing": sum(1 for v in violations if policy.fails(v)),
        "waived": len(findings.waived),
        "by_rule": {rule: per_rule.get(rule, 0) for rule in policy.checked()},
        "by_severity": count_by_severity(violations),
        "not_checked": [rule for rule in RULES if rule not in policy.settings],
    }
    waivers = findings.waivers
    summary["waivers"] = {
        "active": len(policy.waivers) - len(waivers["expired"]),
        "expired": len(waivers["expired"]),
        "unused": len(waivers["unused"]),
        "expiring": len(waivers["expiring"]),
    }
    summary["findings"] = finding_counts
    changes = None
    if baseline is not None:
        found = find_changes(base["accounts"], accounts, unlisted_now, base["unlisted"])
        previous = baseline.get("generated_at") if isinstance(baseline, Mapping) else None
        changes = {"baseline_generated_at": previous, **found}
        changes.update(compared_earlier=base["compared_earlier"], baseline_unlisted=base["baseline_unlisted"])
        summary["changes"] = {kind: len(found[kind]) for kind in ("added", "removed", "changed", "not_compared")}
    digest = scope_digest(source["scope"]) if source["scope"] else None
    values = {
        "report_format": REPORT_FORMAT,
        "generated_at": generated_at,
        "source": source,
        "summary": summary,
        "accounts": accounts,
        "violations": violations,
        "waived": findings.waived,
        "resolved": resolved,
        "waivers": waivers,
        "aws_accounts": listing.get("aws_accounts"),
        "changes": changes,
        "comparison_base": carry_forward(base, listing, digest, not_compared),
        "trend": plain(trend) if trend is not None else None,
    }
    if baseline_evidence is not None:
        values["source"]["baseline"] = plain(baseline_evidence)
    if replaced:
        values["source"]["replaced_characters"] = replaced
    return {key: values[key] for key in REPORT_KEYS if key != "aws_accounts" or values[key] is not None}


def summary_lines(report):
    """The report's summary in words, for a task's output: the counts, the violations, every AWS account
    that was not listed and why, and the changes since the baseline. No account is named."""
    summary = report["summary"]
    aws = ", ".join(report["source"]["aws_accounts"]) or "none"
    lines = [visible(f"Accounts: {summary.get('total', 0)} in AWS account(s) {aws}")]
    if report["source"].get("caller"):
        lines.append(visible(f"Listed as: {report['source']['caller']}"))
    if report["source"].get("scope"):
        lines.append(visible(f"Scope: {describe(report['source']['scope'])}"))
    provenance = provenance_words(report["source"].get("policy"))
    if provenance:
        lines.append(visible(f"Policy: {provenance}"))
    for key, title in COUNTS:
        if key in summary:  # the values are the service's (account types, licenses): made visible
            counts = ", ".join(f"{value}: {count}" for value, count in sorted(summary[key].items()))
            lines.append(visible(f"{title}: {counts}"))
    lines += _severity_lines(report)
    lines += finding_lines(report)
    if summary["violations"].get("not_checked"):
        lines.append("Rules not checked: " + ", ".join(summary["violations"]["not_checked"]))
    for entry in report.get("aws_accounts") or []:
        if entry.get("status") != "listed":
            lines.append(
                visible(f"Not listed: AWS account {entry.get('aws_account_id')} ({entry.get('status')}):")
                + f" {visible(entry.get('message'))}"
            )
    if "changes" in summary:
        counts = summary["changes"]
        line = "Changes since the baseline: {added} added, {removed} removed, {changed} changed".format(**counts)
        if counts.get("not_compared"):
            line += f", {counts['not_compared']} not compared (their AWS account was not listed)"
        lines.append(line)
        lines += [visible(line) for line in baseline_notes(report.get("changes") or {})]
    return lines


def baseline_notes(changes):
    """What the changes were compared with when the baseline was incomplete, in words (raw text)."""
    notes = []
    by_time = {}
    for entry in changes.get("compared_earlier") or []:
        by_time.setdefault(entry.get("generated_at") or "an unknown time", []).append(entry.get("aws_account_id"))
    for then, ids in by_time.items():
        ids = ", ".join(ids)
        notes.append(f"Baseline was incomplete; compared with the last complete run of {then} for AWS account(s) {ids}")
    if changes.get("baseline_unlisted"):
        notes.append(
            "Baseline was incomplete and holds no earlier listing of AWS account(s)"
            f" {', '.join(changes['baseline_unlisted'])}: their accounts are not compared"
        )
    return notes


def finding_lines(report):
    """The findings by state in one line (``Findings: 3 new, 41 open (5 overdue), 2 resolved since
    2026-11-30``), for a report of format 5 or later; none for an older one."""
    counts = report["summary"].get("findings")
    if not isinstance(counts, Mapping):
        return []
    policy = report["source"].get("policy") or {}
    line = f"Findings: {counts.get('new', 0)} new, {counts.get('open', 0)} open"
    if policy.get("sla_days"):
        line += f" ({counts.get('overdue', 0)} overdue)"
    line += f", {counts.get('waived', 0)} waived, {counts.get('resolved', 0)} resolved"
    since = counts.get("since")
    moment = parse_time(since)
    if moment:
        line += f" since {moment.date().isoformat()}"
    else:  # a baseline of unknown time (a list of accounts given to a filter), or none
        line += " since the baseline" if "changes" in report["summary"] else " (no baseline: every finding is new)"
    if counts.get("not_compared"):
        line += f"; {counts['not_compared']} not compared (their AWS account was not listed)"
    gate = policy.get("fail_gate")
    if gate and gate != "all":
        line += f"; only {'new' if gate == 'new' else 'new and overdue'} findings fail the job (fail_gate: {gate})"
    return [visible(line)]


def _severity_lines(report):
    """The violations by severity, how many fail the job, and the waivers, in words."""
    violations = report["summary"]["violations"]
    line = f"Violations: {violations['total']}"
    by_severity = {severity: count for severity, count in (violations.get("by_severity") or {}).items() if count}
    if by_severity:
        line += " (" + ", ".join(f"{severity}: {count}" for severity, count in by_severity.items()) + ")"
    fail_severity = (report["source"].get("policy") or {}).get("fail_severity")
    if violations["total"] and fail_severity and fail_severity != "informational":
        line += f"; {violations.get('failing', 0)} at or above {fail_severity}, the severity that fails the job"
    lines = [line]
    if violations.get("waived"):
        lines.append(f"Waived: {violations['waived']} finding(s), shown in the reports with their waivers")
    waivers = report["summary"].get("waivers") or {}
    if any(waivers.values()):
        lines.append(
            "Waivers: {active} active, {expired} expired, {unused} matching nothing, {expiring} expiring soon".format(
                **waivers
            )
        )
    return lines


def violation_lines(violations, limit=20):
    """Violations in words, for a task's output or failure message: a first line with the total and the
    count per rule, then one line for each of the first ``limit`` (with its severity), then how many more
    there are."""
    counts = count_by_rule(violations)
    per_rule = ", ".join(f"{rule}: {count}" for rule, count in counts.items())
    lines = [f"{len(violations)} violation(s)" + (f" ({per_rule})" if per_rule else "")]
    for v in violations[: max(limit, 0)]:
        line = f"{v['name']} (account {v['account_id']}, AWS account {v['aws_account_id']}): {v['detail']}"
        if v.get("severity"):
            line = f"[{v['severity']}] {line}"
        lines.append(visible(line))
    if len(violations) > max(limit, 0):
        lines.append(f"and {len(violations) - max(limit, 0)} more, in the reports")
    return lines
