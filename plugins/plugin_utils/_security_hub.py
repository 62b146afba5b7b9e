# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The audit's findings delivered to AWS Security Hub: ``BatchImportFindings`` in batches of 100.

The findings are :func:`_format_asff.asff_findings`'s. Each call goes through the collection's one retry helper
(:class:`Retrying`, the backoff options of the listing): Security Hub's throttle (LimitExceededException, 429)
and faults are retried, and only the batch that was refused is sent again, never the ones before it. A finding
that Security Hub does not take (``FailedFindings``) is reported by its Id, account and rule, and the delivery
is incomplete. A finding larger than Security Hub's 240 KB is not sent, and reported the same way.

A hub that is not enabled in the region (InvalidAccessException), or a caller without
``securityhub:BatchImportFindings`` (AccessDeniedException), stops the delivery at its first call with a
:class:`SecurityHubError` that names the region and what to do. The client is a real boto3 client: botocore
checks every finding against the service model before anything is sent.
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:  # the action says boto3 is missing before anything here runs
    BotoCoreError = ClientError = Exception

from ansible_collections.chime.admin.plugins.module_utils.chime import redact
from ansible_collections.chime.admin.plugins.plugin_utils._audit import visible
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import MAX_FINDING_BYTES
from ansible_collections.chime.admin.plugins.plugin_utils._format_asff import finding_bytes

BATCH = 100  # BatchImportFindings takes at most 100 findings a call
PERMISSION = "securityhub:BatchImportFindings"
MAX_FAILURES_SHOWN = 20  # failures named in the result; the count has them all
NOT_ENABLED_CODES = ("InvalidAccessException",)
DENIED_CODES = ("AccessDeniedException", "AccessDenied", "UnrecognizedClientException")


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
            words += f"; {self.failed_count} not imported (first: {self.failed[0]['error_code']})"
        return words + "."


def _refusal(code, message, region, account):
    where = f"in region {region}"
    shown = visible(redact(str(message or "")))[:500]
    if code in NOT_ENABLED_CODES:
        return SecurityHubError(
            f"Security Hub BatchImportFindings {where} returned {code}: {shown} Enable AWS Security Hub (CSPM) in"
            f" {region} for AWS account {account} (aws securityhub enable-security-hub --region {region}), or set"
            " security_hub_region to a region where it is enabled."
        )
    return SecurityHubError(
        f"Security Hub BatchImportFindings {where} returned {code}: {shown} The caller needs {PERMISSION} on"
        f" {region}'s product ARN arn:<partition>:securityhub:{region}:{account}:product/{account}/default."
    )


def deliver(client, findings, retrying, region, arn, account):
    """Import ``findings`` (ASFF dicts, an iterable) with ``client`` (a boto3 securityhub client of ``region``),
    ``BATCH`` at a time, each call through ``retrying``. Returns the :class:`Delivery`; raises
    :class:`SecurityHubError` when Security Hub refuses the first call as disabled or forbidden."""
    delivery = Delivery(region, arn)
    batch = []

    def send():
        if not batch:
            return
        delivery.calls += 1
        delivery.sent += len(batch)
        try:
            answer = retrying.call(client.batch_import_findings, Findings=list(batch))
        except (ClientError, BotoCoreError) as error:
            code, message = _code(error)
            if code in NOT_ENABLED_CODES + DENIED_CODES:
                raise _refusal(code, message, region, account) from None
            for finding in batch:  # the batch failed for good, after the retries: each of its findings is named
                delivery.fail(finding, code, message)
            batch.clear()
            return
        failed = {}
        for entry in answer.get("FailedFindings") or []:
            failed[entry.get("Id")] = entry
        for finding in batch:
            entry = failed.get(finding["Id"])
            if entry is not None:
                delivery.fail(finding, entry.get("ErrorCode") or "Failed", entry.get("ErrorMessage"))
                continue
            delivery.imported += 1
            if finding.get("RecordState") == "ARCHIVED":
                delivery.archived += 1
        counted = answer.get("FailedCount")
        if isinstance(counted, int) and counted > len(failed):  # counted but not named: the batch's count wins
            delivery.failed_count += counted - len(failed)
            delivery.imported -= counted - len(failed)
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
