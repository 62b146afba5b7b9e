# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Audit reports over listed Chime accounts: the report itself, and its Markdown and HTML renderings.

:func:`build_report` assembles what one audit found (the listing, every violation, the changes since a
baseline) into one dict whose keys come in a fixed order, documented in the docsite's report reference.
The JSON report is that dict; :func:`to_markdown` and :func:`to_html` render it. The checks themselves
live in :mod:`_audit`.

The renderings are built here, in Python, rather than in Jinja templates, so that every value goes
through one escaping function: account names are chosen by whoever created the account, and a report is
opened by auditors in browsers and Markdown viewers.
"""

import base64
import datetime
import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Mapping

from ansible_collections.chime.admin.plugins.module_utils.chime import COLLECTION_VERSION
from ansible_collections.chime.admin.plugins.plugin_utils._audit import INVISIBLE_CATEGORIES
from ansible_collections.chime.admin.plugins.plugin_utils._audit import field_text
from ansible_collections.chime.admin.plugins.plugin_utils._audit import find_changes
from ansible_collections.chime.admin.plugins.plugin_utils._audit import findings_to_csv
from ansible_collections.chime.admin.plugins.plugin_utils._audit import to_csv
from ansible_collections.chime.admin.plugins.plugin_utils._audit import visible
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import to_asff
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import FindingHistoryError
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import earlier_findings
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import follow
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import is_count
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import parse_time
from ansible_collections.chime.admin.plugins.plugin_utils._ocsf import OcsfError
from ansible_collections.chime.admin.plugins.plugin_utils._ocsf import to_ocsf
from ansible_collections.chime.admin.plugins.plugin_utils._policy import NOT_CHECKED
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._policy import count_by_rule
from ansible_collections.chime.admin.plugins.plugin_utils._policy import count_by_severity
from ansible_collections.chime.admin.plugins.plugin_utils._policy import provenance_words
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
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
_COUNTS = (
    ("by_status", "Accounts by status"),
    ("by_type", "Accounts by type"),
    ("by_default_license", "Accounts by default license"),
    ("by_aws_account", "Accounts by AWS account"),
)


FORMATS = ("json", "csv", "markdown", "html", "ocsf", "asff")
# What is rendered when no formats are given: ocsf (the findings as OCSF events) is asked for by name.
DEFAULT_FORMATS = ("json", "csv", "markdown", "html")
OUTPUTS = {"csv": ("csv", "findings_csv")}  # a format that makes more than one file


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


# Runs of characters that json.dumps(ensure_ascii=False) writes as they are (beyond the printable ASCII).
_JSON_RAW = re.compile(r"[^\x00-\x7e]+")


def _json_escapes(match):
    """A run of raw characters of the JSON text, its invisible ones (C1 controls, DEL, format characters such
    as bidirectional overrides, line and paragraph separators, surrogates) as json's own ``\\uXXXX`` escapes."""
    run = match.group()
    if run.isprintable():
        return run
    return "".join(json.dumps(c)[1:-1] if unicodedata.category(c) in INVISIBLE_CATEGORIES else c for c in run)


def to_json(report):
    """The report as JSON text: UTF-8, two-space indentation, keys in the report's order. json escapes the
    C0 controls; the other invisible characters are escaped here, so that the text is safe to show in a
    terminal and parses to the same data. Outside its strings, JSON text is ASCII, so every character
    escaped is inside a string."""
    return _JSON_RAW.sub(_json_escapes, json.dumps(report, indent=2, ensure_ascii=False)) + "\n"


def _ocsf(report):
    try:
        return to_ocsf(report)
    except OcsfError as error:
        raise ReportError(str(error)) from None


def _asff(report):
    try:
        return to_asff(report)
    except ValueError as error:
        raise ReportError(str(error)) from None


def render(report, formats=DEFAULT_FORMATS, is_plain=False):
    """The report in each of ``formats`` (json, csv, markdown, html, ocsf): a dict of format to text, read
    from one plain copy of the report. ``is_plain``: the report is already plain data (what
    :func:`build_report` returns, before anything templates it), so no copy is made: at 10,000 accounts the
    copy costs a quarter of a second."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ReportError(f"unknown format(s) {', '.join(unknown)}; known formats: {', '.join(FORMATS)}.")
    report = report if is_plain else plain(report)
    writers = {"json": to_json, "csv": lambda r: to_csv(r["accounts"]), "markdown": to_markdown, "html": to_html}
    writers["ocsf"] = _ocsf
    writers["asff"] = _asff
    writers["findings_csv"] = lambda r: findings_to_csv(
        [finding for key in ("violations", "waived", "resolved") for finding in r.get(key) or []]
    )
    return {output: writers[output](report) for output in outputs(formats)}


def outputs(formats):
    """The files that ``formats`` make, in their order: each format's own, and for ``csv`` also
    ``findings_csv``, the violations, the waived and the resolved findings in a CSV file of their own (one
    table per file, as spreadsheets and CSV readers expect)."""
    return [output for fmt in FORMATS if fmt in formats for output in OUTPUTS.get(fmt, (fmt,))]


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
    for key, title in _COUNTS:
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


# ----- Rows shared by the Markdown and HTML renderings ----------------------------------------------
# The life cycle's columns (report format 5): a report of an older format has none of these keys, and its
# cells are left empty.
_LIFE_HEADERS = ("State", "First seen", "Age (days)")
_VIOLATION_HEADERS = ("AWS account", "Account ID", "Name", "Rule", "Severity", "Detail", "Waiver", *_LIFE_HEADERS)
_WAIVED_HEADERS = (
    "AWS account",
    "Account ID",
    "Name",
    "Rule",
    "Severity",
    "Detail",
    "Reason",
    "Owner",
    "Ticket",
    "Expires",
    *_LIFE_HEADERS,
)
_FINDING_HEADERS = ("AWS account", "Account ID", "Name", "Rule", "Severity", "Detail")
_NEW_HEADERS = (*_FINDING_HEADERS, "First seen", "Age (days)", "Due")
_OVERDUE_HEADERS = (*_FINDING_HEADERS, "State", "First seen", "Age (days)", "Due", "Overdue by (days)")
_RESOLVED_HEADERS = (*_FINDING_HEADERS, "First seen", "Last seen", "Resolved at", "Age (days)", "Reason")
_STATE_HEADERS = ("Severity", "New", "Open", "Overdue", "Waived", "Resolved")
_STATES = ("new", "open", "overdue", "waived", "resolved")
_WAIVER_HEADERS = ("Rule", "Matches", "Reason", "Owner", "Ticket", "Expires", "State")
_WAIVER_KINDS = (
    ("unused", "Waivers that matched nothing"),
    ("expiring", "Waivers expiring soon"),
    ("expired", "Expired waivers"),
)
_AWS_ACCOUNT_HEADERS = ("AWS account", "Status", "Chime accounts", "Message")
_CHANGE_HEADERS = ("AWS account", "Account ID", "Name")
_CHANGED_HEADERS = ("AWS account", "Account ID", "Name", "Field", "Before", "After")


def _text(value):
    """A field's value as text for a reader: lists joined with commas, sign-in delegate groups by name."""
    return field_text(value, ", ")


def _rule_rows(report):
    """Each rule with its severity and its count of violations, or ``not checked``."""
    violations = report["summary"]["violations"]
    rules = (report["source"].get("policy") or {}).get("rules") or {}
    counts = [*violations["by_rule"].items(), *((rule, NOT_CHECKED) for rule in violations.get("not_checked", []))]
    return [(rule, (rules.get(rule) or {}).get("severity", ""), count) for rule, count in counts]


def _waiver_text(waiver):
    """A violation's waiver, in words: only an expired one can be on an open violation."""
    if not waiver:
        return ""
    return f"expired {waiver.get('expires')}" if waiver.get("state") == "expired" else f"until {waiver.get('expires')}"


def _date(value):
    """A finding's timestamp as its date (``2026-11-30``), in the offset it was written with; a value that is
    no ISO timestamp is shown as it is (escaped where it is shown), and a missing one as nothing."""
    if not isinstance(value, str):
        return "" if value is None else value
    return value if parse_time(value) is None else value[:10]


def _life(finding):
    """A finding's life-cycle cells: its state, first-seen date and age in days (empty in an older report)."""
    return (finding.get("state") or "", _date(finding.get("first_seen")), _cell(finding.get("age_days")))


def _cell(value):
    """A count or a number of days as a cell: the number, or nothing (never ``None``)."""
    return "" if value is None else value


def _finding(v):
    return (v.get("aws_account_id"), v.get("account_id"), v.get("name"), v.get("rule"), v.get("severity"),
            v.get("detail"))  # fmt: skip


def _violation_rows(report):
    return [
        (
            v["aws_account_id"],
            v["account_id"],
            v["name"],
            v["rule"],
            v.get("severity"),
            v["detail"],
            _waiver_text(v.get("waiver")),
            *_life(v),
        )
        for v in report["violations"]
    ]


def _waived_rows(report):
    rows = []
    for v in report.get("waived") or []:
        w = v.get("waiver") or {}
        rows.append(
            (v["aws_account_id"], v["account_id"], v["name"], v["rule"], v.get("severity"), v["detail"])
            + (w.get("reason"), w.get("owner") or "", w.get("ticket") or "", w.get("expires"))
            + _life(v)
        )
    return rows


def _has_life_cycle(report):
    """Whether the report records its findings' life cycle (format 5 and later)."""
    return isinstance(report.get("summary", {}).get("findings"), Mapping)


def _new_rows(report):
    """The open findings not in the baseline."""
    return [
        (*_finding(v), _date(v.get("first_seen")), _cell(v.get("age_days")), _cell(v.get("due")))
        for v in report["violations"]
        if v.get("state") == "new"
    ]


def _overdue_rows(report):
    """The open findings (new or open) past their severity's deadline, the most overdue first."""
    overdue = [v for v in report["violations"] if isinstance(v.get("overdue_days"), int) and v["overdue_days"] > 0]
    overdue.sort(key=lambda v: -v["overdue_days"])  # stable: the report's order among equals
    return [
        (
            *_finding(v),
            v.get("state") or "",
            _date(v.get("first_seen")),
            _cell(v.get("age_days")),
            _cell(v.get("due")),
            v["overdue_days"],
        )  # fmt: skip
        for v in overdue
    ]


def _resolved_rows(report):
    """The baseline's findings this run resolved, with when and why."""
    return [
        (
            *_finding(v),
            _date(v.get("first_seen")),
            _date(v.get("last_seen")),
            _date(v.get("resolved_at")),
            _cell(v.get("age_days")),
            v.get("resolved_reason") or "",
        )  # fmt: skip
        for v in report.get("resolved") or []
        if isinstance(v, Mapping)
    ]


def _state_rows(report):
    """The findings by severity and state (``summary.findings.by_severity``), the highest severity first."""
    by_severity = report["summary"]["findings"].get("by_severity") or {}
    rows = []
    for severity in reversed(SEVERITIES):
        counts = by_severity.get(severity) if isinstance(by_severity.get(severity), Mapping) else {}
        rows.append((severity, *(_cell(counts.get(state, 0)) for state in _STATES)))
    return rows


def _life_cycle_words(report):
    """One sentence on what the findings were compared with (raw text)."""
    findings = report["summary"]["findings"]
    since = findings.get("since")
    if since is None:
        return "First audit of this scope (no baseline): every open finding is new, first seen now"
    words = f"Compared with the baseline of {since}"
    if findings.get("not_compared"):
        words += (
            f"; {findings['not_compared']} finding(s) of AWS accounts this run did not list are not compared"
            " (neither open nor resolved)"
        )
    return words


# The trend: the counts of the last complete runs of this scope, read from their S3 manifests.
TREND_COLUMNS = ("Generated at", "Run folder", *reversed(SEVERITIES), "Overdue", "Waived", "Resolved")


def _open_count(counts, severity):
    """New and open findings of one severity in a trend point's counts, or None when not recorded."""
    entry = (counts.get("by_severity") or {}).get(severity) if isinstance(counts, Mapping) else None
    if not isinstance(entry, Mapping):
        return None
    values = [entry.get("new"), entry.get("open")]
    if not all(is_count(v) for v in values):
        return None
    return values[0] + values[1]


def _total(counts, state):
    value = counts.get(state) if isinstance(counts, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _trend_points(report):
    """The trend's points that are dicts, oldest first (the report's order)."""
    return [point for point in report.get("trend") or [] if isinstance(point, Mapping)]


def _trend_rows(report):
    rows = []
    for point in _trend_points(report):
        counts = point.get("findings")
        rows.append(
            (point.get("generated_at"), point.get("run_folder"))
            + tuple(_cell(_open_count(counts, severity)) for severity in reversed(SEVERITIES))
            + tuple(_cell(_total(counts, state)) for state in ("overdue", "waived", "resolved"))
        )
    return rows


NO_TREND = "No trend: it is read from the manifests of earlier runs in S3, and this run keeps no S3 history (s3_bucket)"
EMPTY_TREND = "No trend yet: no complete run of this scope is in the S3 history"
TREND_WORDS = (
    "Open findings (new and open) by severity, and all overdue, waived and resolved findings, in the last"
    " {count} complete run(s) of this scope, oldest first (from their S3 manifests)"
)


def _waiver_rows(waivers):
    rows = []
    for w in waivers:
        matches = ", ".join(
            f"{key} {w[key]}" for key in ("account_id", "aws_account_id", "name", "name_glob") if w.get(key)
        )
        rows.append(
            (
                w.get("rule"),
                matches,
                w.get("reason"),
                w.get("owner") or "",
                w.get("ticket") or "",
                w.get("expires"),
                w.get("state"),
            )
        )
    return rows


def _severity_rows(report):
    return list((report["summary"]["violations"].get("by_severity") or {}).items())


def _aws_account_rows(report):
    return [
        (a.get("aws_account_id"), a.get("status"), a.get("accounts"), a.get("message") or "")
        for a in report.get("aws_accounts") or []
    ]


def _change_rows(changes, kind):
    """The accounts ``added`` or ``removed``."""
    return [(a.get("aws_account_id"), a.get("account_id"), a.get("name")) for a in changes[kind]]


def _changed_rows(changes):
    """One row per changed field of each changed account."""
    return [
        (c["aws_account_id"], c["account_id"], c["name"], field, _text(diff["before"]), _text(diff["after"]))
        for c in changes["changed"]
        for field, diff in c["fields"].items()
    ]


# ----- Markdown ------------------------------------------------------------------------------------
_MD_SPECIAL = "\\`*_[]|~"
_MD_LINE_STARTS = ("#", "+", "-", "!", "=")
_MD_ORDERED_ITEM = re.compile(r"^(\d+)([.)])")
# GFM's extended autolinks: a scheme's ``://`` (http, https, ftp), a host starting ``www.`` (both found as the
# text is parsed, so a backslash escape stops them), and e-mail addresses (with or without ``mailto:`` or
# ``xmpp:``), found in each text node once it is parsed, as GitHub finds ``@mentions``.
_MD_WWW = re.compile(r"(www)\.", re.IGNORECASE)
# An empty HTML comment ends the text node after each ``@``, so that no address or mention spans it: a backslash
# or a character reference would not, as the ``@`` is back in the same text node once parsed. A renderer that
# allows HTML shows nothing of the comment; one that escapes HTML shows it as text.
_MD_AT = "@<!-- -->"


def md(value):
    """``value`` as inert Markdown text: HTML and Markdown syntax escaped, on one line, and no text that GFM
    would make a link of (a URL, a ``www.`` host, an e-mail address) or GitHub a mention."""
    text = visible(" ".join(("" if value is None else str(value)).split()))
    text = "".join("\\" + c if c in _MD_SPECIAL else c for c in text)
    if text.startswith(_MD_LINE_STARTS):
        text = "\\" + text
    text = _MD_ORDERED_ITEM.sub(r"\1\\\2", text)
    text = _MD_WWW.sub(r"\1\\.", text.replace("://", "\\://"))
    return html.escape(text, quote=False).replace("@", _MD_AT)


def _md_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    return lines


def _md_life_cycle(report):
    """The findings by state, the trend, and the new, overdue and resolved findings (format 5 and later)."""
    if not _has_life_cycle(report):
        return []
    lines = ["### Findings by state", "", f"{md(_life_cycle_words(report))}.", ""]
    lines += _md_table(_STATE_HEADERS, _state_rows(report)) + [""]
    lines += _md_trend(report)
    new = _new_rows(report)
    lines += ["## New findings", ""]
    if report["summary"]["findings"].get("since") is None and new:
        lines.append(f"All {md(len(new))}: this is the first audit of this scope (see Violations).")
    else:
        lines += _md_table(_NEW_HEADERS, new) if new else ["None."]
    rows = _overdue_rows(report)
    lines += ["", "## Overdue findings", ""] + (_md_table(_OVERDUE_HEADERS, rows) if rows else ["None."])
    rows = _resolved_rows(report)
    lines += ["", "## Resolved findings", ""] + (_md_table(_RESOLVED_HEADERS, rows) if rows else ["None."])
    return lines + [""]


def _md_trend(report):
    if "trend" not in report:
        return []
    lines = ["## Trend", ""]
    if report["trend"] is None:
        return lines + [f"{md(NO_TREND)}.", ""]
    rows = _trend_rows(report)
    if not rows:
        return lines + [f"{md(EMPTY_TREND)}.", ""]
    lines += [f"{md(TREND_WORDS.format(count=len(rows)))}.", ""]
    return lines + _md_table(TREND_COLUMNS, rows) + [""]


def to_markdown(report):
    """The report as Markdown: summary tables, violations, suspended accounts and changes."""
    summary = report["summary"]
    source = report["source"]
    lines = ["# Amazon Chime account audit", ""]
    lines.append(f"Generated {md(report.get('generated_at'))}.")
    aws = ", ".join(source["aws_accounts"]) or "none"
    lines += ["", f"{md(summary.get('total', 0))} accounts in AWS account(s) {md(aws)}."]
    if source.get("caller"):
        lines += ["", f"Listed as {md(source['caller'])}, with chime.admin {md(source.get('collection_version'))}."]
    if source.get("scope"):
        lines += ["", f"Scope: {md(describe(source['scope']))}."]
    filters = source["filters"]
    if filters["name"]:
        lines += ["", f"Names starting with: {md(filters['name'])}."]
    if filters["user_email"]:
        lines += ["", "Filtered by one user's e-mail address (not recorded)."]
    provenance = provenance_words(source.get("policy"))
    if provenance:
        lines += ["", f"Policy: {md(provenance)}."]
    lines += ["", "## Summary", ""]
    for key, title in _COUNTS:
        if key in summary:
            lines += [f"### {title}", ""] + _md_table(["Value", "Accounts"], sorted(summary[key].items())) + [""]
    lines += ["### Violations by rule", ""] + _md_table(["Rule", "Severity", "Violations"], _rule_rows(report)) + [""]
    lines += ["### Violations by severity", ""] + _md_table(["Severity", "Violations"], _severity_rows(report))
    lines += [
        "",
        f"Failing the job: {md(summary['violations'].get('failing', 0))} at or above"
        f" {md((source.get('policy') or {}).get('fail_severity', 'informational'))}."
        f" Waived: {md(summary['violations'].get('waived', 0))}.",
        "",
    ]
    lines += _md_life_cycle(report)
    lines += ["## Violations", ""]
    lines += _md_table(_VIOLATION_HEADERS, _violation_rows(report)) if report["violations"] else ["None."]
    if report.get("waived"):
        lines += ["", "## Waived findings", ""] + _md_table(_WAIVED_HEADERS, _waived_rows(report))
    for kind, title in _WAIVER_KINDS:
        entries = (report.get("waivers") or {}).get(kind)
        if entries:
            lines += ["", f"## {title}", ""] + _md_table(_WAIVER_HEADERS, _waiver_rows(entries))
    lines += ["", "## Suspended accounts", ""]
    suspended = [a for a in report["accounts"] if a.get("account_status") == "Suspended"]
    if suspended:
        rows = [(a.get("aws_account_id"), a.get("account_id"), a.get("name"), a.get("account_type")) for a in suspended]
        lines += _md_table(["AWS account", "Account ID", "Name", "Type"], rows)
    else:
        lines.append("None.")
    if report.get("aws_accounts"):
        lines += ["", "## AWS accounts", ""] + _md_table(_AWS_ACCOUNT_HEADERS, _aws_account_rows(report))
    changes = report.get("changes")
    if changes is not None:
        lines += ["", "## Changes since the baseline", ""]
        lines.append(f"Baseline generated {md(changes.get('baseline_generated_at') or 'at an unknown time')}.")
        lines += [line for note in baseline_notes(changes) for line in ("", f"{md(note)}.")]
        for kind in ("added", "removed"):
            rows = _change_rows(changes, kind)
            lines += ["", f"### {kind.capitalize()}", ""] + (_md_table(_CHANGE_HEADERS, rows) if rows else ["None."])
        rows = _changed_rows(changes)
        lines += ["", "### Changed", ""] + (_md_table(_CHANGED_HEADERS, rows) if rows else ["None."])
        rows = _change_rows(changes, "not_compared")
        if rows:
            lines += ["", "### Not compared: their AWS account was not listed", ""] + _md_table(_CHANGE_HEADERS, rows)
    return "\n".join(lines) + "\n"


# ----- HTML --------------------------------------------------------------------------------------
# The page reads in full without script. One small inline script adds a filter box and sortable columns to
# each table marked data-filterable; the content security policy allows that script and that style sheet by
# their SHA-256 (computed below from the exact text) and nothing else, so a value that escaped escaping still
# could not run, and nothing is fetched. The script writes text only (textContent), never markup.
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1em; color: #1b1b1b; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; max-width: 100%; overflow-wrap: normal;
  font-size: 0.875em; }
th, td { border: 1px solid #c8c8c8; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n { text-align: right; }
td.id { white-space: nowrap; font-family: monospace; }
td.w { overflow-wrap: anywhere; }
th button { font: inherit; font-weight: bold; color: inherit; background: none; border: 0; padding: 0;
  text-align: inherit; cursor: pointer; }
th button::after { content: " \\2195"; opacity: 0.4; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; opacity: 1; }
th[aria-sort="descending"] button::after { content: " \\25BC"; opacity: 1; }
.table-tools { margin: 0.5em 0 0; }
.table-tools input { font: inherit; width: 20em; max-width: 100%; }
svg text { font-size: 12px; }
.bar { fill: #3a6ea5; }
.bar.violation { fill: #b3261e; }
.axis { stroke: #767676; stroke-width: 1; }
.line { fill: none; stroke-width: 2; }
.point { stroke: #fff; stroke-width: 1; }
.sev-critical { stroke: #7b1fa2; fill: #7b1fa2; }
.sev-high { stroke: #b3261e; fill: #b3261e; }
.sev-medium { stroke: #c25e00; fill: #c25e00; }
.sev-low { stroke: #3a6ea5; fill: #3a6ea5; }
.sev-informational { stroke: #5f6b66; fill: #5f6b66; }
.line.sev-critical, .line.sev-high, .line.sev-medium, .line.sev-low, .line.sev-informational { fill: none; }
.line.sev-high { stroke-dasharray: 10 3; }
.line.sev-medium { stroke-dasharray: 8 3 2 3; }
.line.sev-low { stroke-dasharray: 4 3; }
.line.sev-informational { stroke-dasharray: 1 3; }
svg text.legend { fill: #1b1b1b; stroke: none; }
@media print {
  body { margin: 0; color: #000; }
  .table-tools { display: none; }
  table[data-filterable] tr[hidden] { display: table-row; }
  th { background: none; }
  th:not([aria-sort]) button::after { content: none; }
  tr, svg { break-inside: avoid; }
  thead { display: table-header-group; }
  .bar, .bar.violation { fill: #555; }
}
"""
# Written for 10,000 rows: a sort orders an array of the rows and re-appends them once, through a
# DocumentFragment; each row's text is read once and kept; the filter runs 150 ms after the last keystroke and
# touches only the rows whose visibility changes. A header's column sorts as numbers when every value is one.
_SCRIPT = """
(() => {
  "use strict";
  const collator = new Intl.Collator(undefined, { numeric: true });
  const number = /^[+-]?[0-9]+(?:[.][0-9]+)?$/;
  const cellTexts = (tr) => Array.from(tr.cells, (cell) => cell.textContent);
  const heading = (table) => {
    for (let node = table.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent;
    }
    return "";
  };
  const setUp = (table, index) => {
    const body = table.tBodies[0];
    const head = table.tHead && table.tHead.rows[0];
    if (!body || !head || body.rows.length === 0) return;
    const name = table.id || "table-" + index;
    const rows = Array.from(body.rows, (tr) => ({ tr: tr, text: null, keys: [] }));
    const tools = document.createElement("div");
    tools.className = "table-tools";
    const label = document.createElement("label");
    label.textContent = "Filter rows ";
    const input = document.createElement("input");
    input.type = "search";
    input.id = name + "-filter";
    input.autocomplete = "off";
    input.setAttribute("aria-label", ("Filter rows: " + heading(table)).trim());
    label.append(input);
    const count = document.createElement("output");
    count.id = name + "-count";
    count.setAttribute("aria-live", "polite");
    tools.append(label, " ", count);
    table.before(tools);
    const show = (shown) => {
      count.textContent = shown + " of " + rows.length + " rows";
    };
    const filter = () => {
      const query = input.value.trim().toLowerCase();
      let shown = 0;
      for (const row of rows) {
        if (row.text === null) row.text = cellTexts(row.tr).join("\\n").toLowerCase();
        const hide = query !== "" && !row.text.includes(query);
        if (row.tr.hidden !== hide) row.tr.hidden = hide;
        if (!hide) shown += 1;
      }
      show(shown);
    };
    let timer = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(filter, 150);
    });
    show(rows.length);
    const headers = Array.from(head.cells);
    const numeric = [];
    let current = -1;
    let direction = 1;
    const readKeys = (column) => {
      let numbers = true;
      for (const row of rows) {
        const cell = row.tr.cells[column];
        row.keys[column] = cell ? cell.textContent.trim() : "";
        if (row.keys[column] !== "" && !number.test(row.keys[column])) numbers = false;
      }
      if (numbers) {
        for (const row of rows) row.keys[column] = row.keys[column] === "" ? -Infinity : Number(row.keys[column]);
      }
      numeric[column] = numbers;
    };
    const sortBy = (column) => {
      if (numeric[column] === undefined) readKeys(column);
      direction = column === current ? -direction : 1;
      current = column;
      const order = numeric[column]
        ? (a, b) => (a < b ? -1 : a > b ? 1 : 0)
        : (a, b) => collator.compare(a, b);
      // Array.prototype.sort is stable: rows that compare equal keep their order, in both directions.
      rows.sort((a, b) => direction * order(a.keys[column], b.keys[column]));
      // Rows moved out of a body that is not in the page cost no layout work each: it is taken out, its
      // rows re-appended in their new order through a fragment, and put back, for one layout in all.
      const next = body.nextSibling;
      body.remove();
      const fragment = document.createDocumentFragment();
      for (const row of rows) fragment.append(row.tr);
      body.append(fragment);
      table.insertBefore(body, next);
      headers.forEach((th, other) => {
        if (other === column) th.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
        else th.removeAttribute("aria-sort");
      });
    };
    headers.forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.append(button);
      button.addEventListener("click", () => sortBy(column));
    });
  };
  document.querySelectorAll("table[data-filterable]").forEach(setUp);
})();
"""


def _source_hash(text):
    """The CSP source expression that allows an inline element whose text is exactly ``text``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


_CSP = f"default-src 'none'; script-src {_source_hash(_SCRIPT)}; style-src {_source_hash(_STYLE)}"
# The class of a column's cells, by its header: identifiers stay on one line, counts align right.
_CELL_CLASSES = {"AWS account": "id", "Account ID": "id", "Chime accounts": "n", "Violations": "n"}
_CELL_CLASSES.update(dict.fromkeys(("Age (days)", "Overdue by (days)", *_STATE_HEADERS[1:]), "n"))
_CELL_CLASSES.update(dict.fromkeys(SEVERITIES, "n"), **{"Generated at": "id"})
# Any other cell with a word longer than a timestamp (32 characters, with microseconds and offset) may break it
# anywhere ("w"), so that a table fits the window however long a name or detail is; shorter words stay whole.
_LONG_WORD = re.compile(r"\S{33}")


def e(value):
    """``value`` as HTML text, quotes included."""
    return html.escape(visible(value), quote=True)


def _html_table(headers, rows, table_id=None, filterable=True):
    """A data table: the page's script gives it a filter box and sortable columns (``data-filterable``); a
    small summary table (a row per rule or severity) is left as it is."""
    attrs = f' id="{e(table_id)}"' if table_id else ""
    attrs += " data-filterable" if filterable else ""
    out = [f"<table{attrs}><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in headers) + "</tr></thead><tbody>"]
    classes = [_CELL_CLASSES.get(h) for h in headers]
    for row in rows:
        cells = []
        for css, cell in zip(classes, row, strict=True):
            text = visible(cell)
            css = css or ("w" if _LONG_WORD.search(text) else None)
            cells.append(f'<td class="{css}">' if css else "<td>")
            cells.append(html.escape(text, quote=True) + "</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _bar_chart(chart_id, title, counts, css="bar"):
    """A horizontal bar chart of ``counts`` as inline SVG, one labelled bar per entry."""
    items = list(counts.items())
    label_width, bar_width, row = 220, 320, 22
    height = row * max(len(items), 1) + 8
    biggest = max([*counts.values(), 1])
    parts = [
        f'<svg id="{e(chart_id)}" role="img" aria-label="{e(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{label_width + bar_width + 80}" height="{height}">',
        f"<title>{e(title)}</title>",
    ]
    for index, (label, count) in enumerate(items):
        y = 4 + index * row
        width = round(bar_width * count / biggest) if count else 0
        parts.append(
            f'<g class="entry" data-label="{e(label)}" data-count="{e(count)}">'
            f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{e(label)}</text>'
            f'<rect class="{css}" x="{label_width}" y="{y}" width="{width}" height="{row - 6}"></rect>'
            f'<text x="{label_width + width + 6}" y="{y + 14}">{e(count)}</text></g>'
        )
    if not items:
        parts.append(f'<text x="0" y="16">{e("none")}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _line_chart(chart_id, title, labels, series):
    """A line chart of counts over runs as inline SVG: ``labels`` (one per run, oldest first) along the x axis,
    and per entry of ``series`` (``(name, css class, counts)``, a count None where the run recorded none) a line
    with one point per count. Each point carries its series, run and count as data attributes; the chart's
    title names what it shows, and the table beside it is its text alternative."""
    left, top, plot_width, plot_height, bottom, legend = 48, 12, max(420, 64 * len(labels)), 220, 44, 150
    step = plot_width / max(len(labels), 1)
    biggest = max([count for _n, _c, counts in series for count in counts if count is not None] + [1])
    width, height = left + plot_width + legend, top + plot_height + bottom

    def x(index):
        return round(left + step * (index + 0.5), 1)

    def y(count):
        return round(top + plot_height - plot_height * count / biggest, 1)

    parts = [
        f'<svg id="{e(chart_id)}" role="img" aria-label="{e(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}">',
        f"<title>{e(title)}</title>",
        f'<line class="axis" x1="{left}" y1="{top + plot_height}" x2="{left + plot_width}" y2="{top + plot_height}">'
        "</line>",
        f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_height}"></line>',
        f'<text x="{left - 6}" y="{top + plot_height + 4}" text-anchor="end">0</text>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{e(biggest)}</text>',
    ]
    for index, label in enumerate(labels):
        parts.append(f'<text x="{x(index)}" y="{top + plot_height + 18}" text-anchor="middle">{e(label)}</text>')
    for row, (name, css, counts) in enumerate(series):
        points = [(x(index), y(count), index, count) for index, count in enumerate(counts) if count is not None]
        parts.append(f'<g class="series" data-series="{e(name)}">')
        if len(points) > 1:
            path = " ".join(f"{px},{py}" for px, py, _i, _c in points)
            parts.append(f'<polyline class="line {e(css)}" points="{path}"></polyline>')
        for px, py, index, count in points:
            parts.append(
                f'<circle class="point {e(css)}" cx="{px}" cy="{py}" r="4" data-series="{e(name)}"'
                f' data-run="{e(labels[index])}" data-count="{e(count)}"><title>{e(name)}, {e(labels[index])}:'
                f" {e(count)}</title></circle>"
            )
        legend_y = top + 14 + 18 * row
        parts.append(
            f'<line class="line {e(css)}" x1="{left + plot_width + 16}" y1="{legend_y - 4}"'
            f' x2="{left + plot_width + 40}" y2="{legend_y - 4}"></line>'
            f'<text class="legend" x="{left + plot_width + 46}" y="{legend_y}">{e(name)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _html_trend(report):
    if "trend" not in report:
        return []
    out = ["<h2>Trend</h2>"]
    if report["trend"] is None:
        return out + [f'<p id="trend-none">{e(NO_TREND)}.</p>']
    rows = _trend_rows(report)
    if not rows:
        return out + [f'<p id="trend-none">{e(EMPTY_TREND)}.</p>']
    words = TREND_WORDS.format(count=len(rows))
    labels = [_date(point.get("generated_at")) for point in _trend_points(report)]
    series = [
        (severity, f"sev-{severity}", [_open_count(point.get("findings"), severity) for point in _trend_points(report)])
        for severity in reversed(SEVERITIES)
    ]
    out.append(f"<p>{e(words)}.</p>")
    out.append(_line_chart("chart-trend", "Open findings by severity, per run", labels, series))
    out.append(_html_table(TREND_COLUMNS, rows, "trend", filterable=False))
    return out


def _html_life_cycle(report):
    """The findings by state, the trend, and the new, overdue and resolved findings (format 5 and later)."""
    if not _has_life_cycle(report):
        return []
    out = ["<h3>Findings by state</h3>", f'<p id="life-cycle">{e(_life_cycle_words(report))}.</p>']
    out.append(_html_table(_STATE_HEADERS, _state_rows(report), "findings-by-state", filterable=False))
    out += _html_trend(report)
    new = _new_rows(report)
    out.append(f'<h2>New findings (<span id="new-total">{e(len(new))}</span>)</h2>')
    if report["summary"]["findings"].get("since") is None and new:
        out.append("<p>All of them: this is the first audit of this scope (see Violations).</p>")
    else:
        out.append(_html_table(_NEW_HEADERS, new, "findings-new") if new else "<p>None.</p>")
    for kind, title, headers, rows in (
        ("overdue", "Overdue findings", _OVERDUE_HEADERS, _overdue_rows(report)),
        ("resolved", "Resolved findings", _RESOLVED_HEADERS, _resolved_rows(report)),
    ):
        out.append(f'<h2>{e(title)} (<span id="{kind}-total">{e(len(rows))}</span>)</h2>')
        out.append(_html_table(headers, rows, f"findings-{kind}") if rows else "<p>None.</p>")
    return out


def to_html(report):
    """The report as one self-contained HTML page: counts as inline-SVG bar charts, the violations, the
    changes and every account, each table with a filter box and sortable columns when script runs. Every
    value is escaped; the page reads in full without script and allows none but its own."""
    summary = report["summary"]
    source = report["source"]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        "<title>Amazon Chime account audit</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Amazon Chime account audit</h1>",
        f'<p>Generated <time id="generated-at">{e(report.get("generated_at"))}</time>. '
        f'<span id="total">{e(summary.get("total", 0))}</span> accounts in AWS account(s) '
        f"{e(', '.join(source['aws_accounts']) or 'none')}.</p>",
    ]
    if source.get("caller"):
        version = e(source.get("collection_version"))
        out.append(f'<p>Listed as <code id="caller">{e(source["caller"])}</code>, with chime.admin {version}.</p>')
    if source.get("scope"):
        out.append(f'<p id="scope">Scope: {e(describe(source["scope"]))}.</p>')
    if source["filters"]["name"]:
        out.append(f"<p>Names starting with: {e(source['filters']['name'])}.</p>")
    if source["filters"]["user_email"]:
        out.append("<p>Filtered by one user's e-mail address (not recorded).</p>")
    provenance = provenance_words(source.get("policy"))
    if provenance:
        out.append(f'<p id="policy">Policy: {e(provenance)}.</p>')
    out.append("<h2>Summary</h2>")
    for key, title in _COUNTS:
        if key in summary:
            out += [f"<h3>{e(title)}</h3>", _bar_chart(f"chart-{key}", title, dict(sorted(summary[key].items())))]
    by_rule = summary["violations"]["by_rule"]
    chart = _bar_chart("chart-violations", "Violations by rule", by_rule, "bar violation")
    out += ["<h3>Violations by rule</h3>", chart]
    out.append(_html_table(["Rule", "Severity", "Violations"], _rule_rows(report), "rules", filterable=False))
    out.append("<h3>Violations by severity</h3>")
    out.append(_html_table(["Severity", "Violations"], _severity_rows(report), "severities", filterable=False))
    fail_severity = (source.get("policy") or {}).get("fail_severity", "informational")
    out.append(
        f'<p>Failing the job: <span id="failing">{e(summary["violations"].get("failing", 0))}</span> at or above'
        f' {e(fail_severity)}. Waived: <span id="waived-total">{e(summary["violations"].get("waived", 0))}</span>.</p>'
    )
    if summary["violations"].get("not_checked"):
        out.append(f'<p id="not-checked">Not checked: {e(", ".join(summary["violations"]["not_checked"]))}.</p>')
    out += _html_life_cycle(report)
    out.append(f'<h2>Violations (<span id="violation-total">{e(summary["violations"]["total"])}</span>)</h2>')
    if report["violations"]:
        out.append(_html_table(_VIOLATION_HEADERS, _violation_rows(report), "violations"))
    else:
        out.append("<p>None.</p>")
    if report.get("waived"):
        out.append(f"<h2>Waived findings ({e(len(report['waived']))})</h2>")
        out.append(_html_table(_WAIVED_HEADERS, _waived_rows(report), "waived"))
    for kind, title in _WAIVER_KINDS:
        entries = (report.get("waivers") or {}).get(kind)
        if entries:
            out.append(f"<h2>{e(title)} ({e(len(entries))})</h2>")
            out.append(_html_table(_WAIVER_HEADERS, _waiver_rows(entries), f"waivers-{kind}"))
    if report.get("aws_accounts"):
        out.append("<h2>AWS accounts</h2>")
        out.append(_html_table(_AWS_ACCOUNT_HEADERS, _aws_account_rows(report), "aws-accounts"))
    changes = report.get("changes")
    if changes is not None:
        out.append("<h2>Changes since the baseline</h2>")
        out.append(f"<p>Baseline generated {e(changes.get('baseline_generated_at') or 'at an unknown time')}.</p>")
        out += [f'<p class="baseline-note">{e(note)}.</p>' for note in baseline_notes(changes)]
        for kind in ("added", "removed"):
            rows = _change_rows(changes, kind)
            out.append(f"<h3>{kind.capitalize()} ({len(rows)})</h3>")
            out.append(_html_table(_CHANGE_HEADERS, rows, f"changes-{kind}"))
        out.append(f"<h3>Changed ({len(changes['changed'])})</h3>")
        out.append(_html_table(_CHANGED_HEADERS, _changed_rows(changes), "changes-changed"))
        rows = _change_rows(changes, "not_compared")
        if rows:
            out.append(f"<h3>Not compared: their AWS account was not listed ({len(rows)})</h3>")
            out.append(_html_table(_CHANGE_HEADERS, rows, "changes-not-compared"))
    out.append(f"<h2>Accounts ({e(len(report['accounts']))})</h2>")
    headers = ["AWS account", "Account ID", "Name", "Type", "Status", "Default license", "Licenses", "Created"]
    headers.append("Sign-in delegate groups")
    rows = [
        (
            a.get("aws_account_id"),
            a.get("account_id"),
            a.get("name"),
            a.get("account_type"),
            a.get("account_status"),
            a.get("default_license"),
            _text(a.get("supported_licenses")),
            a.get("created_timestamp"),
            _text(a.get("signin_delegate_groups")),
        )
        for a in report["accounts"]
    ]
    out.append(_html_table(headers, rows, "accounts"))
    out.append(f"<script>{_SCRIPT}</script>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
