# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""One whole audit in one Python call, on the controller: what the ``chime_account_audit`` action does.

Order of work, each step before the next:

1. every option is checked (listing, rules, report name and destination, S3, baseline): bad input fails
   before any request;
2. the caller's identity (STS GetCallerIdentity), which the report records and S3 needs as bucket owner;
3. the baseline: a local report, the report ``latest.json`` points to, or an ``s3://`` object; a baseline of
   another scope than the run's, and with ``s3_bucket`` a ``latest.json`` that points to another scope's run,
   refuse the run here, before any Chime request (see _scope.py);
4. the listing, with the same core and options as the module and the lookup;
5. the report, rendered in every format asked for;
6. the local files, then S3 (the run folder's reports, its manifest, then ``latest.json`` by a conditional
   write). Check mode writes and uploads nothing.

The result holds no account: the summary, counts, locations and at most ``show_violations`` violations.
Private to this collection.
"""

import dataclasses
import datetime
import os

from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils.chime import Retrying
from ansible_collections.chime.admin.plugins.module_utils.chime import caller_identity
from ansible_collections.chime.admin.plugins.module_utils.chime import inventory
from ansible_collections.chime.admin.plugins.module_utils.chime import redact
from ansible_collections.chime.admin.plugins.module_utils.chime import summarize
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import product_arn
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import scope_of
from ansible_collections.chime.admin.plugins.plugin_utils._formats import CONTENT_TYPES
from ansible_collections.chime.admin.plugins.plugin_utils._formats import DEFAULT_FORMATS
from ansible_collections.chime.admin.plugins.plugin_utils._formats import EXTENSIONS
from ansible_collections.chime.admin.plugins.plugin_utils._formats import FORMATS
from ansible_collections.chime.admin.plugins.plugin_utils._formats import outputs
from ansible_collections.chime.admin.plugins.plugin_utils._formats import write
from ansible_collections.chime.admin.plugins.plugin_utils._history import HistoryError
from ansible_collections.chime.admin.plugins.plugin_utils._history import check_object_lock
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import GATE_ALL
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import GATES
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import why_failing
from ansible_collections.chime.admin.plugins.plugin_utils._policy import DEFAULT_WAIVER_WARN_DAYS
from ansible_collections.chime.admin.plugins.plugin_utils._policy import PARTS
from ansible_collections.chime.admin.plugins.plugin_utils._policy_file import combine
from ansible_collections.chime.admin.plugins.plugin_utils._policy_file import load_policy_file
from ansible_collections.chime.admin.plugins.plugin_utils._policy_file import resolve
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.plugins.plugin_utils._report import ReportError
from ansible_collections.chime.admin.plugins.plugin_utils._report import build_report
from ansible_collections.chime.admin.plugins.plugin_utils._report import comparison_base
from ansible_collections.chime.admin.plugins.plugin_utils._report import incomplete_aws_accounts
from ansible_collections.chime.admin.plugins.plugin_utils._report import summary_lines
from ansible_collections.chime.admin.plugins.plugin_utils._report import unlisted_aws_accounts
from ansible_collections.chime.admin.plugins.plugin_utils._report import violation_lines
from ansible_collections.chime.admin.plugins.plugin_utils._scope import build_scope
from ansible_collections.chime.admin.plugins.plugin_utils._scope import refusal
from ansible_collections.chime.admin.plugins.plugin_utils._scope import report_scope
from ansible_collections.chime.admin.plugins.plugin_utils._scope import same_scope
from ansible_collections.chime.admin.plugins.plugin_utils._security_hub import BATCH as SECURITY_HUB_BATCH
from ansible_collections.chime.admin.plugins.plugin_utils._security_hub import SecurityHubError
from ansible_collections.chime.admin.plugins.plugin_utils._security_hub import check_region
from ansible_collections.chime.admin.plugins.plugin_utils._security_hub import choose
from ansible_collections.chime.admin.plugins.plugin_utils._security_hub import deliver
from ansible_collections.chime.admin.plugins.plugin_utils._security_hub import held_active
from ansible_collections.chime.admin.plugins.plugin_utils._store import LATEST
from ansible_collections.chime.admin.plugins.plugin_utils._store import MAX_KEY_BYTES
from ansible_collections.chime.admin.plugins.plugin_utils._store import LocalStore
from ansible_collections.chime.admin.plugins.plugin_utils._store import S3Store
from ansible_collections.chime.admin.plugins.plugin_utils._store import StoreError
from ansible_collections.chime.admin.plugins.plugin_utils._store import check_account_id
from ansible_collections.chime.admin.plugins.plugin_utils._store import check_bucket
from ansible_collections.chime.admin.plugins.plugin_utils._store import check_prefix
from ansible_collections.chime.admin.plugins.plugin_utils._store import check_report_name
from ansible_collections.chime.admin.plugins.plugin_utils._store import console_url
from ansible_collections.chime.admin.plugins.plugin_utils._store import parse_baseline_uri
from ansible_collections.chime.admin.plugins.plugin_utils._store import read_local_report
from ansible_collections.chime.admin.plugins.plugin_utils._store import spool

COMPLIANT, NON_COMPLIANT, INCOMPLETE = "compliant", "non_compliant", "incomplete"
DEFAULT_DEST = "chime-account-audit"
DEFAULT_REPORT_NAME = "chime-account-audit"
DEFAULT_PREFIX = "chime-account-audit/"
MAX_SHOW_VIOLATIONS = 1000  # a violation line is about 200 bytes: the result stays far below AWX's 700,000
S3_SSE = ("AES256", "aws:kms")
LATEST_BASELINE = "latest"
NO_BASELINE = "first audit, no baseline"
DEFAULT_REGION = "us-east-1"  # the connection's, without a region anywhere (Chime is global)


def audit_option_spec():
    """Argument spec of the audit's own options (the listing's and the AWS options come beside them)."""
    return dict(
        rules=dict(type="dict", default={}),
        custom_rules=dict(type="list", elements="dict", default=[]),
        severities=dict(type="dict", default={}),
        waivers=dict(type="list", elements="dict", default=[]),
        # No default: the policy file may set it (the built-in default is informational).
        fail_severity=dict(type="str", choices=list(SEVERITIES)),
        # No default either: the policy file may set them (none, and all). Checked by the policy, which names
        # the option and the severity.
        sla_days=dict(type="dict"),
        fail_gate=dict(type="str", choices=list(GATES)),
        waiver_warn_days=dict(type="int", default=DEFAULT_WAIVER_WARN_DAYS),
        policy_file=dict(type="str"),
        formats=dict(type="list", elements="str", default=list(DEFAULT_FORMATS), choices=list(FORMATS)),
        # str, not path: a path option expands environment variables, and AWX injects the secret key as
        # one; a dest of "$AWS_SECRET_ACCESS_KEY" would put it in the report paths. ~ is expanded below.
        dest=dict(type="str"),
        report_name=dict(type="str", default=DEFAULT_REPORT_NAME),
        baseline=dict(type="str"),
        show_violations=dict(type="int", default=20),
        fail_on_violation=dict(type="bool", default=True),
        s3_bucket=dict(type="str"),
        s3_prefix=dict(type="str", default=DEFAULT_PREFIX),
        s3_sse=dict(type="str", choices=list(S3_SSE)),
        s3_kms_key_id=dict(type="str"),
        s3_bucket_owner=dict(type="str"),
        s3_object_lock=dict(
            type="dict", options=dict(mode=dict(type="str", required=True), days=dict(type="int", required=True))
        ),
        s3_adopt_latest=dict(type="bool", default=False),
        baseline_unverified=dict(type="bool", default=False),
        security_hub=dict(type="bool", default=False),
        security_hub_region=dict(type="str"),
    )


class AuditInputError(ValueError):
    """An audit option with a bad value; the message names the option."""


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


class Plan:
    """The checked options of one audit: its listing options, where the reports go and where the baseline
    comes from."""

    def __init__(self, params, basedir, region=None):
        self.options = ListingOptions.from_params(params)
        try:
            self.options.validate([params["name"]])
            self.policy = self._policy(params, basedir)
            self._check_audit_options(params, basedir)
            self._check_security_hub(params, region)
        except (ChimeInputError, PolicyError, StoreError, HistoryError) as error:
            raise AuditInputError(str(error)) from None

    def _check_security_hub(self, params, connection_region):
        """Security Hub's region (``security_hub_region``, by default the connection's), checked against
        botocore's endpoint data, for the delivery (``security_hub``) and the asff format's product ARN."""
        self.security_hub = params["security_hub"]
        self.security_hub_region = self.security_hub_partition = None
        asked = self.security_hub or "asff" in params["formats"]
        if params["security_hub_region"] is not None and not asked:
            raise AuditInputError("security_hub_region needs security_hub: true, or the asff format.")
        if asked:
            import botocore.session  # the action has checked that botocore is there

            try:
                self.security_hub_region, self.security_hub_partition = check_region(
                    "security_hub_region", params["security_hub_region"], connection_region or DEFAULT_REGION,
                    botocore.session.get_session(),
                )  # fmt: skip
            except ValueError as error:
                raise AuditInputError(str(error)) from None

    @staticmethod
    def _policy(params, basedir):
        """The checked policy, from the variables and the policy file (read here, before any request)."""
        file_policy = file_name = None
        if params["policy_file"]:
            # Plain data only, no alias, no key twice (_policy.load_yaml). A str option, not a path one: see dest.
            file_name = params["policy_file"]
            file_policy = load_policy_file(resolve(file_name, basedir))
        variables = {key: params[key] for key in PARTS}
        return combine(variables, file_policy, file_name, params["waiver_warn_days"])

    def _check_audit_options(self, params, basedir):
        show = params["show_violations"]
        if isinstance(show, bool) or not isinstance(show, int) or not 0 <= show <= MAX_SHOW_VIOLATIONS:
            raise AuditInputError(
                f"show_violations must be a whole number from 0 to {MAX_SHOW_VIOLATIONS}, got {show!r}."
            )
        name = check_report_name(params["report_name"])
        dest = os.path.expanduser(params["dest"] or DEFAULT_DEST)
        self.local = LocalStore(os.path.join(basedir, dest), name, outputs(params["formats"]))
        self.local.check()
        self.bucket = params["s3_bucket"] and check_bucket("s3_bucket", params["s3_bucket"])
        self.prefix = check_prefix(params["s3_prefix"])
        self.owner = check_account_id("s3_bucket_owner", params["s3_bucket_owner"])
        if params["s3_kms_key_id"] is not None and params["s3_sse"] != "aws:kms":
            raise AuditInputError("s3_kms_key_id needs s3_sse: aws:kms.")
        if not self.bucket and (params["s3_sse"] or params["s3_kms_key_id"]):
            raise AuditInputError("s3_sse and s3_kms_key_id need s3_bucket.")
        self.object_lock = check_object_lock("s3_object_lock", params["s3_object_lock"])
        if self.object_lock and not self.bucket:
            raise AuditInputError("s3_object_lock needs s3_bucket: it is the retention of the reports uploaded there.")
        baseline = params["baseline"]
        if params["s3_adopt_latest"] and baseline != LATEST_BASELINE:
            raise AuditInputError("s3_adopt_latest needs baseline: latest (and s3_bucket).")
        if params["baseline_unverified"] and not (isinstance(baseline, str) and baseline.startswith("s3://")):
            raise AuditInputError("baseline_unverified applies only to a baseline: s3://... report.")
        self.baseline_uri = self.baseline_path = None
        if baseline == LATEST_BASELINE:
            if not self.bucket:
                raise AuditInputError("baseline: latest needs s3_bucket: the baseline is the bucket's latest run.")
        elif isinstance(baseline, str) and baseline.startswith("s3://"):
            self.baseline_uri = parse_baseline_uri("baseline", baseline)
        elif baseline:
            self.baseline_path = os.path.join(basedir, os.path.expanduser(baseline))
        if self.bucket:  # the longest key a run writes must fit S3's limit, checked before any request
            extension = max(EXTENSIONS.values(), key=len)
            longest = f"{self.prefix}YYYYMMDDTHHMMSSZ-12345678/{name}.{extension}"
            if len(longest.encode("utf-8")) > MAX_KEY_BYTES:
                raise AuditInputError(f"s3_prefix and report_name make keys longer than {MAX_KEY_BYTES} bytes.")


class _Discard:
    """A text stream that keeps nothing: a check-mode run renders each report and writes it nowhere."""

    @staticmethod
    def write(text):
        return len(text)


def shown(value):
    """``value`` (a part of the report) for the action's result, which ansible-core writes to the job's
    output at -v and AWX stores in job events: every string made visible, as the summary lines are."""
    if isinstance(value, dict):
        return {visible(key): shown(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shown(item) for item in value]
    return visible(value) if isinstance(value, str) else value


def caller_evidence(caller):
    """``(ARN to record, partition)`` from STS GetCallerIdentity's answer. Any part of the ARN that holds an
    e-mail address is withheld (an IAM user or a federated user named by e-mail, an assumed role's session
    name from AWS IAM Identity Center), keeping the AWS account and the principal type: the collection keeps
    e-mail addresses out of reports and logs, with the same redaction as every service message."""
    arn, account = caller.get("Arn"), caller.get("Account")
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    if len(parts) != 6 or parts[0] != "arn" or parts[4] != account:
        shown = redact(arn) if isinstance(arn, str) else arn
        raise ChimeListingError(f"STS GetCallerIdentity returned no ARN of account {account!r}: {shown!r}.")
    return redact(arn), parts[1]


def _listing(connection, name, options, caller):
    """The listing, as the module returns it. A refused single AWS account, with ``on_denied`` warn or skip,
    is recorded as not listed, so that the report does not take its accounts for removed."""
    if options.fan_out_requested:
        return inventory(connection, [name], options)
    try:
        return inventory(connection, [name], dataclasses.replace(options, on_denied="error"))
    except ChimeListingError as error:
        if not error.denied or options.on_denied == "error":
            raise
        entry = {"aws_account_id": caller["Account"], "role_arn": None, "status": "denied", "accounts": 0}
        entry["message"] = error.message
        facts = {"accounts": [], "summary": summarize([]), "aws_accounts": [entry]}
        return facts, [error.message] if options.on_denied == "warn" else []


def outcome_of(report, complete):
    """The outcome of a run: non-compliant on any open violation (a fact whatever else was not listed),
    incomplete when an AWS account asked for was not listed, else compliant."""
    if report["violations"]:
        return NON_COMPLIANT
    return COMPLIANT if complete else INCOMPLETE


class Audit:
    """One run: ``run()`` returns the action's result, whatever happened; nothing in it names an account
    beyond the violations shown."""

    def __init__(self, params, connect, basedir, check_mode, region=None):
        self.params, self.connect, self.basedir, self.check_mode = params, connect, basedir, check_mode
        self.region = region  # the connection's (Security Hub's by default)
        self.undelivered = 0  # findings Security Hub did not take
        # complete: every AWS account asked for was listed, whatever the outcome (non_compliant says only that
        # violations were found; a workflow that branches on a whole audit reads complete too).
        self.result = {"changed": False, "outcome": INCOMPLETE, "complete": False, "failure": None, "warnings": []}

    def run(self):
        try:
            self._run()
        except AuditInputError as error:
            # visible(): a policy's rule names, fields and file name are a policy author's text.
            self._fail(visible(f"Chime account audit did not run: {error}"))
        except (ChimeListingError, StoreError, SecurityHubError) as error:
            self._fail(visible(f"Chime account audit incomplete: {getattr(error, 'message', None) or error}"))
        except Exception as error:  # pylint: disable=broad-exception-caught
            # Whatever went wrong, the role publishes an outcome and fails with a message, not a traceback.
            self._fail(f"Chime account audit incomplete: {type(error).__name__}: {visible(error)}")
        # Every warning, whatever its source (the listing's, S3's), through the one redaction.
        self.result["warnings"] = [redact(str(warning)) for warning in self.result["warnings"]]
        return self.result

    def _fail(self, message):
        # Every failure goes out through here: whatever it quotes (an exception's text, a service's message, an
        # option's value such as a role ARN), no e-mail address leaves it (redact, the one redaction).
        message = redact(message)
        self.result.update(outcome=INCOMPLETE, failure=message, failed=True, msg=message)

    def _run(self):
        params = self.params
        plan = Plan(params, self.basedir, self.region)
        local_baseline = read_local_report(plan.baseline_path) if plan.baseline_path else None  # before any request
        connection = self.connect()
        caller = caller_identity(connection, plan.options)
        arn, partition = caller_evidence(caller)
        if plan.security_hub_region and plan.security_hub_partition != partition:  # before any Chime request
            raise AuditInputError(
                f"security_hub_region {plan.security_hub_region} is in partition {plan.security_hub_partition}, the"
                f" caller's AWS account {caller['Account']} in {partition}: Security Hub takes findings from the"
                " caller's own partition."
            )
        options = plan.options
        scope = build_scope(
            caller["Account"], partition, options.role_arns, options.organization_role_name, [params["name"]],
            params["user_email"],
        )  # fmt: skip
        owner = plan.owner or caller["Account"]
        s3 = None
        if plan.bucket or plan.baseline_uri:
            bucket = plan.bucket or plan.baseline_uri[0]
            s3 = S3Store(
                connection.client("s3"), bucket, plan.prefix, owner, params["s3_sse"], params["s3_kms_key_id"],
                plan.object_lock,
            )  # fmt: skip
        if plan.bucket:  # Object Lock checked, the pointer read (its generation orders this run): before Chime
            history = params["baseline"] == LATEST_BASELINE
            s3.begin(params["report_name"], history, params["s3_adopt_latest"], self.check_mode)
        evidence = None
        if plan.baseline_path:
            baseline, baseline_source = local_baseline, plan.baseline_path
            evidence = {"path": plan.baseline_path, "generated_at": local_baseline.get("generated_at")}
            evidence["scope"] = (local_baseline.get("source") or {}).get("scope")
        else:
            baseline, baseline_source, evidence = self._s3_baseline(plan, s3, owner)  # before any Chime request
        self._check_scope(scope, plan, s3, baseline, baseline_source)  # before any Chime request
        facts, warnings = _listing(connection, params["name"], plan.options, caller)
        trend = s3.read_trend(scope) if plan.bucket else None  # earlier runs' counts, from their manifests (check too)
        self.result["warnings"] += (s3.warnings if s3 else []) + warnings
        now = _now()
        filters = {"name": params["name"], "user_email": params["user_email"]}
        report = build_report(
            facts,
            None,
            baseline,
            now.isoformat(),
            filters,
            arn,
            policy=plan.policy,
            baseline_evidence=evidence,
            scope=scope,
            trend=trend,
        )
        if trend is not None and not incomplete_aws_accounts(facts):  # a complete run is its own trend's last point
            report["trend"].append(s3.trend_point(report))
        if plan.security_hub_region:  # where its findings go: the asff format's product ARN, and the evidence
            hub_arn = product_arn(partition, plan.security_hub_region, caller["Account"])
            report["source"]["security_hub"] = {"region": plan.security_hub_region, "product_arn": hub_arn}
        # Every AWS account asked for was listed (or skipped, as suspended or closing in Organizations).
        unlisted = incomplete_aws_accounts(facts)
        self.result["complete"] = not unlisted
        self._publish(report, baseline_source)
        self._store(plan, s3, now, partition, complete=not unlisted, report=report, evidence=evidence)
        if plan.security_hub:
            self._deliver(plan, connection, report, caller["Account"])  # check mode: reads, sends nothing
        self._verdict(report, unlisted, plan.policy)

    def _deliver(self, plan, connection, report, account):
        """Import the findings into Security Hub (after the reports are written and stored: a hub that refuses
        fails the task, with the reports in place). What Security Hub holds of this scope is read first, in check
        mode too, which sends nothing and says what it would send."""
        region = plan.security_hub_region
        lines = self.result["summary_lines"]
        arn = report["source"]["security_hub"]["product_arn"]
        client = connection.client("securityhub", region=region)
        retrying = Retrying(plan.options)
        written = " and stored in S3" if plan.bucket and not self.check_mode else ""
        try:
            held = held_active(client, retrying, region, arn, account, scope_of(report))
            findings = choose(report, region, held, set(unlisted_aws_accounts(report)))
            if self.check_mode:
                archived = sum(1 for f in findings if f["RecordState"] == "ARCHIVED")
                calls = -(-len(findings) // SECURITY_HUB_BATCH)
                lines.append(
                    f"Would import into Security Hub ({region}): {len(findings)} finding(s), {archived} of them"
                    f" archived, in {calls} call(s)"
                )
                self.result["security_hub"] = {"region": region, "product_arn": arn, "would_send": len(findings)}
                self.result["security_hub"].update(would_archive=archived, calls=0)
                return
            delivery = deliver(client, findings, retrying, region, arn, account)
        except SecurityHubError as error:
            where = "Reports (check mode: not written)" if self.check_mode else f"The reports were written{written}"
            raise SecurityHubError(f"{error} {where}.") from None
        self.result["security_hub"] = delivery.result()
        self.result["changed"] = self.result["changed"] or delivery.imported > 0
        lines.append(delivery.line())
        if not delivery.complete:
            self.undelivered = delivery.failed_count
            self.result["complete"] = False
            first = delivery.failed[0] if delivery.failed else {}
            self.result["warnings"].append(
                f"Security Hub ({region}) did not import {delivery.failed_count} finding(s), first"
                f" {first.get('id')} ({first.get('aws_account_id')}, {first.get('rule')}): {first.get('error_code')}"
                f" {first.get('message')}"
            )

    def _s3_baseline(self, plan, s3, owner):
        """``(report or None, where it came from, its evidence)`` for an ``s3://`` or ``latest`` baseline."""
        if plan.baseline_uri:
            bucket, key, version_id = plan.baseline_uri
            store = s3 if bucket == s3.bucket else S3Store(s3.client, bucket, "", owner)
            report, evidence = store.read_report(key, version_id, unverified=self.params["baseline_unverified"])
            self.result["warnings"] += store.warnings if store is not s3 else []
            return report, store.uri(key, version_id), evidence
        if self.params["baseline"] == LATEST_BASELINE:
            report, evidence = s3.read_latest()
            return report, evidence["uri"] if evidence else NO_BASELINE, evidence
        return None, None, None

    def _check_scope(self, scope, plan, s3, baseline, baseline_source):
        """Refuse a run whose baseline is of another scope, and, with ``s3_bucket``, one whose bucket's
        ``latest.json`` points to a run of another scope (this run would move it): a baseline and a prefix
        belong to one scope. The baseline's comparison base is checked here too, before any Chime request."""
        if baseline is not None:
            if not same_scope(scope, report_scope(baseline)):
                raise AuditInputError(refusal(scope, report_scope(baseline), f"the baseline {baseline_source}"))
            try:
                comparison_base(baseline)
            except ReportError as error:
                raise AuditInputError(f"baseline {baseline_source}: {error}") from None
        if plan.bucket and self.params["baseline"] != LATEST_BASELINE:  # a latest baseline is the pointer's
            pointed, pointed_evidence = s3.read_latest()  # the pointer begin() read: no second GET of it
            if pointed is not None and not same_scope(scope, report_scope(pointed)):
                latest = s3.uri(plan.prefix + LATEST)
                subject = f"the run {latest} points to ({pointed_evidence['uri']}), which this run would replace,"
                raise AuditInputError(refusal(scope, report_scope(pointed), subject))

    def _publish(self, report, baseline_source):
        summary = report["summary"]
        show = self.params["show_violations"]
        self.result.update(
            summary=shown(summary),  # its counts are keyed by the service's account types and licenses
            violation_counts=summary["violations"]["by_rule"],
            severity_counts=summary["violations"]["by_severity"],
            finding_counts=shown(summary["findings"]),  # its since is the baseline's text
            violations=shown(report["violations"][:show]),
            baseline=shown(
                {"source": baseline_source, "generated_at": (report.get("changes") or {}).get("baseline_generated_at")}
            ),
            source=shown(report["source"]),
            summary_lines=summary_lines(report),
            violation_lines=violation_lines(report["violations"], show) if report["violations"] else [],
            generated_at=report["generated_at"],
        )
        if baseline_source is not None:
            self.result["summary_lines"].append(visible(f"Baseline: {baseline_source}"))

    def _store(self, plan, s3, now, partition, complete, report, evidence):
        """Write the reports, one file at a time, each as it renders (build_report's own dicts, never
        templated): locally, then to S3 from the files written (the JSON, S3's history and the next run's
        baseline, is uploaded even when not among the formats, from a temporary file)."""
        lines = self.result["summary_lines"]
        paths = dict(plan.local.paths)
        self.result["reports"] = paths
        names = outputs(self.params["formats"])
        names += ["json"] if plan.bucket and "json" not in names else []

        def write_one(name, out):
            write(report, name, out)

        if self.check_mode:
            for name in names:  # rendered, so that a report that cannot be written fails here too; kept nowhere
                write_one(name, _Discard())
            lines += [visible(f"Would write: {path}") for path in paths.values()]
            if plan.bucket:
                lines.append(f"Would upload to: s3://{plan.bucket}/{plan.prefix}<run folder>/")
            self.result["changed"] = bool(paths) or bool(plan.bucket)  # what a real run would change
            return
        written = {}
        try:
            if plan.bucket:
                _paths, written = plan.local.write(write_one, keep=True)
                for name in names:
                    if name not in written:
                        written[name] = spool(write_one, name)
            else:
                plan.local.write(write_one)
            self._upload(plan, s3, {name: written[name] for name in names if plan.bucket}, now, partition,
                         complete, report, evidence)  # fmt: skip
        finally:
            for entry in written.values():
                entry.handle.close()

    def _upload(self, plan, s3, texts, now, partition, complete, report, evidence):
        lines = self.result["summary_lines"]
        paths = dict(plan.local.paths)
        self.result["changed"] = bool(paths)
        lines += [visible(f"Report: {path}") for path in paths.values()]
        if plan.bucket and texts:
            stamp = now.strftime("%Y%m%dT%H%M%SZ")
            try:
                violations = report["summary"]["violations"]
                counts = {key: violations[key] for key in ("total", "failing", "waived", "by_rule", "by_severity")}
                counts["accounts"] = len(report["accounts"])
                counts["findings"] = report["summary"]["findings"]  # the trend reads these, never the reports
                stored = s3.store(
                    texts, self.params["report_name"], stamp, CONTENT_TYPES, move_latest=complete,
                    scope=report["source"].get("scope"), outcome=outcome_of(report, complete), counts=counts,
                    baseline=evidence,
                )  # fmt: skip
            except StoreError as error:
                raise StoreError(
                    f"{error} The local reports were written; {s3.uri(plan.prefix)}latest.json was not moved."
                ) from None
            stored["console_url"] = console_url(partition, s3.bucket, stored.pop("folder_key"))
            if stored["latest_reason"]:  # it may name a run folder that the pointer, bucket content, gave
                stored["latest_reason"] = visible(stored["latest_reason"])
            self.result["s3"] = stored
            self.result["changed"] = True
            lines += [f"Stored in S3: {stored['run_folder']}", f"S3 console: {stored['console_url']}"]
            if not stored["latest_moved"]:
                lines.append(f"Not moved: {stored['latest']} ({stored['latest_reason']})")

    @staticmethod
    def _gate_words(violations, failing, policy, show):
        """What fails the job under a ``fail_gate`` other than ``all``, and why: each failing finding's account,
        severity and reason (new, or overdue by N days), and how many older findings the gate lets pass."""
        kind = "new" if policy.fail_gate == "new" else "new or overdue"
        at = f" at or above {policy.fail_severity}" if policy.fail_severity != SEVERITIES[0] else ""
        passed = sum(1 for v in violations if policy.at_fail_severity(v)) - len(failing)
        kept = f" {passed} older finding(s){at} do not fail it (fail_gate: {policy.fail_gate})." if passed else ""
        if not failing:
            return f" None {kind}{at}: the job does not fail.{kept}"
        # One entry per finding (account ID and rule), so that the count of those named and "N more" add up.
        named = list(
            dict.fromkeys(
                f"{visible(v['name'])} ({visible(v['account_id'])}, {visible(v['rule'])}, {v['severity']},"
                f" {why_failing(v)})"
                for v in failing
            )
        )
        words = f" {kind.capitalize()}{at}: {len(failing)} finding(s)"
        words += f": {', '.join(named[:show])}" if show and named else ""
        words += f" and {len(named) - show} more." if show and len(named) > show else "."
        return words + kept

    def _verdict(self, report, unlisted, policy):
        """The outcome: non-compliant on any open violation (a fact whatever else was not listed), incomplete
        when an AWS account asked for was refused or failed (with on_denied warn or skip), else compliant.
        The job fails only for violations at or above the policy's fail severity."""
        violations = report["violations"]
        if outcome_of(report, not unlisted) != NON_COMPLIANT:
            if self.undelivered and not unlisted:
                message = (
                    f"Chime account audit incomplete: Security Hub did not import {self.undelivered} finding(s)"
                    " (see security_hub.failed). No violation among the accounts listed."
                )
                self.result.update(outcome=INCOMPLETE, msg=message)
            elif unlisted:
                message = (
                    f"Chime account audit incomplete: {len(unlisted)} AWS account(s) not listed:"
                    f" {', '.join(unlisted)}. No violation among the accounts listed."
                )
                if self.undelivered:
                    message += f" Security Hub did not import {self.undelivered} finding(s) either."
                self.result.update(outcome=INCOMPLETE, msg=message)
            else:
                waived = report["summary"]["violations"].get("waived", 0)
                note = f" ({waived} waived finding(s), in the reports)" if waived else ""
                self.result.update(outcome=COMPLIANT, msg=f"Chime account audit: compliant{note}.")
            return
        self.result["outcome"] = NON_COMPLIANT
        show = self.params["show_violations"]
        accounts = list(dict.fromkeys((v["aws_account_id"], v["account_id"]) for v in violations))
        names = list(dict.fromkeys(visible(v["name"]) for v in violations))
        shown = ", ".join(names[:show])
        if shown and len(names) > show:
            shown += f" and {len(names) - show} more"
        locations = list(self.result["reports"].values())
        if "s3" in self.result:
            locations.append(self.result["s3"]["run_folder"])
        where = "Reports (check mode: not written)" if self.check_mode else "Reports"
        failing = [v for v in violations if policy.fails(v)]
        threshold = ""
        if policy.fail_gate != GATE_ALL:  # the gate: which of the findings at or above fail_severity fail
            threshold = self._gate_words(violations, failing, policy, show)
        elif policy.fail_severity != SEVERITIES[0]:  # with the default, every violation fails: nothing to add
            if failing:
                named = list(dict.fromkeys(f"{visible(v['name'])} ({v['severity']})" for v in failing))
                threshold = f" At or above {policy.fail_severity}: {violation_lines(failing, 0)[0]}"
                threshold += f": {', '.join(named[:show])}" if show and named else ""
                threshold += f" and {len(named) - show} more." if show and len(named) > show else "."
            else:
                threshold = f" None at or above {policy.fail_severity}: the job does not fail."
        message = (
            f"Chime account audit: non-compliant: {violation_lines(violations, 0)[0]} in {len(accounts)} account(s)"
            f"{': ' + shown if shown else ''}.{threshold} {where}: {visible(', '.join(locations)) or 'none'}."
        )
        if unlisted:  # both facts: violations were found, and the audit is not complete
            message += f" Incomplete too: {len(unlisted)} AWS account(s) not listed: {', '.join(unlisted)}."
        if self.undelivered:
            message += f" Incomplete too: Security Hub did not import {self.undelivered} finding(s)."
        self.result["msg"] = message
        if self.params["fail_on_violation"] and failing:
            self.result.update(failure=message, failed=True)
