# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The audit's findings delivered to AWS Security Hub: ``BatchImportFindings`` in batches of 100.

Each run reads first what Security Hub holds of its own scope (``GetFindings``: this product ARN, ProductName
chime.admin, ACTIVE, ProductFields ``chime.admin/Scope`` this run's scope; filtered here too), then sends
(:func:`choose`):

- every open violation, ACTIVE;
- every waived finding that Security Hub holds ACTIVE (kept up to date, its case left as a person set it); a
  waived finding Security Hub does not hold active (never imported, or archived after it was resolved) is not
  sent: sending it active would open a case, or reopen one a person resolved, for a risk accepted;
- ARCHIVED, every finding Security Hub holds ACTIVE of this scope that this run no longer has, of an AWS
  account this run listed: the run's own resolved findings, and any archive an earlier run could not make (its
  import failed, it ran without a baseline or without ``security_hub``).

Each call goes through the collection's one retry helper (:class:`Retrying`, the backoff options of the
listing): Security Hub's throttle (LimitExceededException, 429) and faults are retried, and only the batch that
was refused is sent again. A finding that Security Hub does not take (``FailedFindings``) is reported by its Id,
account and rule, and the delivery is incomplete; the next run sends it again (an open finding is sent every
run; a finding left active is archived by the next run). A batch that fails for good stops the delivery: the
findings not sent are counted as failed. A finding larger than Security Hub's 240 KB is not sent.

A hub that is not enabled in the region (InvalidAccessException), or a caller without the permission
(AccessDeniedException), stops the delivery at its first call with a :class:`SecurityHubError` that names the
region and what to do. The client is a real boto3 client: botocore checks every finding against the service
model before anything is sent.
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # the action says boto3 is missing before anything here runs
    BotoCoreError = ClientError = Exception

from ansible_collections.chime.admin.plugins.module_utils.chime import redact
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import AWS_ACCOUNT_FIELD
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import MAX_FINDING_BYTES
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import PARTITIONS
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import PRODUCT_NAME
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import SCOPE_FIELD
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import archive_of
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import asff_findings
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import finding_bytes

BATCH = 100  # BatchImportFindings takes at most 100 findings a call
PERMISSION = "securityhub:BatchImportFindings"
READ_PERMISSION = "securityhub:GetFindings"
MAX_FAILURES_SHOWN = 20  # failures named in the result; the count has them all
NOT_ENABLED_CODES = ("InvalidAccessException",)
DENIED_CODES = ("AccessDeniedException", "AccessDenied")
CREDENTIAL_CODES = ("UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException")


def check_region(option, region, connection_region, session):
    """Security Hub's region: ``region`` (the option's value) or the connection's, checked before any request
    with botocore's endpoint data (``session``, a botocore session): a region name, of the same partition as the
    connection's region, where the partition offers Security Hub. Returns ``(region, partition)``; raises
    ValueError naming ``option``."""
    from botocore.exceptions import InvalidRegionError
    from botocore.exceptions import UnknownRegionError
    from botocore.utils import validate_region_name

    chosen = region if region is not None else connection_region
    try:
        validate_region_name(chosen)
        partition = session.get_partition_for_region(chosen)
    except (InvalidRegionError, UnknownRegionError, TypeError):
        raise ValueError(f"{option} must be an AWS region name such as us-east-1, got {chosen!r:.100}.") from None
    try:
        connection_partition = session.get_partition_for_region(connection_region)
    except (InvalidRegionError, UnknownRegionError, TypeError):
        connection_partition = partition
    if partition not in PARTITIONS:
        raise ValueError(
            f"{option} {chosen} is in partition {partition}, where the collection does not import into"
            f" Security Hub (it does in {', '.join(PARTITIONS)})."
        )
    if partition != connection_partition:
        raise ValueError(
            f"{option} {chosen} is in partition {partition}, the connection's region {connection_region} in"
            f" {connection_partition}: Security Hub takes findings from the caller's own partition."
        )
    offered = session.get_available_regions("securityhub", partition)
    if offered and chosen not in offered:
        raise ValueError(
            f"{option} {chosen} is not a region where partition {partition} offers Security Hub (this botocore"
            f" knows: {', '.join(offered)})."
        )
    return chosen, partition


class SecurityHubError(Exception):
    """A delivery that cannot start: Security Hub disabled in the region, or the permission missing."""


def _code(error):
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") or "Unknown", error.response.get("Error", {}).get("Message")
    return type(error).__name__, str(error)


def _failure(finding, code, message):
    names = finding.get("ProductFields") or {}
    return {
        "id": finding.get("Id"),
        "aws_account_id": names.get("chime.admin/AwsAccountId"),
        "account_id": names.get("chime.admin/AccountId"),
        "rule": finding.get("GeneratorId"),
        "error_code": visible(code),
        "message": visible(redact(str(message or ""))[:500]),
    }


class Delivery:
    """What one delivery did: counts, calls and failures, for the action's result."""

    def __init__(self, region, arn):
        self.region, self.product_arn = region, arn
        self.calls = self.sent = self.imported = self.archived = self.failed_count = 0
        self.failed = []
        self.archived_ids = set()

    def fail(self, finding, code, message):
        self.failed_count += 1
        if len(self.failed) < MAX_FAILURES_SHOWN:
            self.failed.append(_failure(finding, code, message))

    @property
    def complete(self):
        return self.failed_count == 0

    def result(self):
        return {
            "region": self.region,
            "product_arn": self.product_arn,
            "calls": self.calls,
            "sent": self.sent,
            "imported": self.imported,
            "archived": self.archived,
            "failed_count": self.failed_count,
            "failed": self.failed,
            "complete": self.complete,
        }

    def line(self):
        """The job output's line."""
        words = f"Security Hub ({self.region}): {self.imported} finding(s) imported, {self.archived} of them archived"
        words += f", in {self.calls} call(s)"
        if self.failed_count:
            first = f" (first: {self.failed[0]['error_code']})" if self.failed else ""
            words += f"; {self.failed_count} not imported{first}"
        return words + "."


def _refusal(code, message, region, account, arn, permission=PERMISSION, operation="BatchImportFindings"):
    where = f"in region {region}"
    shown = visible(redact(str(message or "")))[:500]
    said = f"Security Hub {operation} {where} returned {code}: {shown}"
    if code in NOT_ENABLED_CODES:
        return SecurityHubError(
            f"{said} Enable AWS Security Hub (CSPM) in {region} for AWS account {account} (aws securityhub"
            f" enable-security-hub --region {region}), or set security_hub_region to a region where it is enabled."
        )
    if code in CREDENTIAL_CODES:
        return SecurityHubError(f"{said} The credentials were not accepted (expired, or of another partition).")
    return SecurityHubError(f"{said} The caller needs {permission} on {arn}.")


def _filters(arn, scope):
    return {
        "ProductArn": [{"Value": arn, "Comparison": "EQUALS"}],
        "ProductName": [{"Value": PRODUCT_NAME, "Comparison": "EQUALS"}],
        "RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}],
        "ProductFields": [{"Key": SCOPE_FIELD, "Value": scope, "Comparison": "EQUALS"}],
    }


def held_active(client, retrying, region, arn, account, scope):
    """The findings of this product and scope that Security Hub holds ACTIVE, by Id (GetFindings, every page;
    the filters are applied here as well). ``{}`` for a report that records no scope."""
    if scope is None:
        return {}
    held, token, pages = {}, None, 0
    while True:
        kwargs = {"Filters": _filters(arn, scope), "MaxResults": 100}
        if token:
            kwargs["NextToken"] = token
        try:
            answer = retrying.call(client.get_findings, **kwargs)
        except (ClientError, BotoCoreError) as error:
            code, message = _code(error)
            hub = arn.split(":product/", 1)[0] + ":hub/default"  # GetFindings is granted on the hub
            raise _refusal(code, message, region, account, hub, READ_PERMISSION, "GetFindings") from None
        pages += 1
        for finding in answer.get("Findings") or []:
            fields = finding.get("ProductFields") or {}
            if (
                finding.get("ProductArn") == arn
                and finding.get("ProductName") == PRODUCT_NAME
                and finding.get("RecordState", "ACTIVE") == "ACTIVE"
                and fields.get(SCOPE_FIELD) == scope
            ):
                held[finding["Id"]] = finding
        token = answer.get("NextToken")
        if not token or pages >= 10_000:
            return held


def choose(report, region, held, unlisted):
    """What one run sends (see the module): the open violations; the waived findings in ``held``; ARCHIVED, this
    run's resolved findings in ``held``, and every other finding of ``held`` this run no longer has, of an AWS
    account not in ``unlisted``."""
    current = list(asff_findings(report, region, ("violations",)))
    every_waived = list(asff_findings(report, region, ("waived",)))
    waived = [f for f in every_waived if f["Id"] in held]
    resolved = {f["Id"]: f for f in asff_findings(report, region, ("resolved",))}
    kept = {f["Id"] for f in current} | {f["Id"] for f in every_waived}
    archives = []
    for uid, finding in held.items():
        if uid in kept or (finding.get("ProductFields") or {}).get(AWS_ACCOUNT_FIELD) in unlisted:
            continue
        archives.append(resolved.get(uid) or archive_of(finding, report, report.get("generated_at")))
    return current + waived + archives


def deliver(client, findings, retrying, region, arn, account):
    """Import ``findings`` (ASFF dicts, an iterable) with ``client`` (a boto3 securityhub client of ``region``),
    ``BATCH`` at a time, each call through ``retrying``. Returns the :class:`Delivery`; raises
    :class:`SecurityHubError` when Security Hub refuses the first call as disabled or forbidden."""
    delivery = Delivery(region, arn)
    batch = []
    stopped = []

    def send():
        if not batch:
            return
        if stopped:  # an earlier batch failed for good: the rest is not sent, and counted as failed
            for finding in batch:
                delivery.fail(finding, "NotSent", f"not sent after {stopped[0]}")
            batch.clear()
            return
        delivery.calls += 1
        delivery.sent += len(batch)
        try:
            answer = retrying.call(client.batch_import_findings, Findings=list(batch))
        except (ClientError, BotoCoreError) as error:
            code, message = _code(error)
            refused = code in NOT_ENABLED_CODES + DENIED_CODES + CREDENTIAL_CODES
            if refused and delivery.calls == 1:
                raise _refusal(code, message, region, account, arn) from None
            for finding in batch:  # the batch failed for good, after the retries: each of its findings is named
                delivery.fail(finding, code, message)
            stopped.append(code)
            batch.clear()
            return
        failed = {}
        for entry in answer.get("FailedFindings") or []:
            failed[entry.get("Id")] = entry
        taken = []
        for finding in batch:
            entry = failed.get(finding["Id"])
            if entry is not None:
                delivery.fail(finding, entry.get("ErrorCode") or "Failed", entry.get("ErrorMessage"))
            else:
                taken.append(finding)
        counted = answer.get("FailedCount")
        unnamed = counted - len(failed) if isinstance(counted, int) and counted > len(failed) else 0
        if unnamed:  # counted but not named: which ones is not known, so none of the batch is counted as taken
            for finding in taken:
                delivery.fail(finding, "Unknown", f"FailedCount {counted} names {len(failed)} finding(s)")
            taken = []
        delivery.imported += len(taken)
        delivery.archived += sum(1 for f in taken if f.get("RecordState") == "ARCHIVED")
        batch.clear()

    for finding in findings:
        size = finding_bytes(finding)
        if size > MAX_FINDING_BYTES:
            delivery.fail(finding, "FindingTooLarge", f"{size} bytes, above Security Hub's {MAX_FINDING_BYTES}")
            continue
        batch.append(finding)
        if len(batch) == BATCH:
            send()
    send()
    return delivery
