# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the ASFF findings (plugins/plugin_utils/_format_asff.py) and of their delivery to Security Hub
(plugins/plugin_utils/_security_hub.py). Every finding is checked against botocore's own model of
BatchImportFindings, as the real client checks it before sending; the delivery runs through a real boto3 client
whose answers botocore's Stubber gives."""

import json

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber
from botocore.validate import ParamValidator

from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils.chime import Retrying
from ansible_collections.chime.admin.plugins.plugin_utils import _format_asff as asff
from ansible_collections.chime.admin.plugins.plugin_utils import _formats as formats
from ansible_collections.chime.admin.plugins.plugin_utils import _report as rp
from ansible_collections.chime.admin.plugins.plugin_utils import _security_hub as sh
from ansible_collections.chime.admin.plugins.plugin_utils._format_json import to_json
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._scope import scope_digest
from ansible_collections.chime.admin.tests.unit.plugins.plugin_utils.accounts import account as _account

CALLER = "arn:aws:sts::111122223333:assumed-role/Audit/job"
DAY = "2026-11-{:02d}T08:00:00+00:00"
RULES = {"no_suspended_accounts": True, "name_pattern": "^Engineering"}
HOSTILE = "Sales \x1b[31m\u202eevil\u2066 \x85\u2028</script>" + "x" * 3000
MODEL = botocore.session.get_session().get_service_model("securityhub")
IMPORT = MODEL.operation_model("BatchImportFindings")


def _run(accounts, day, baseline=None, waivers=()):
    listing = {"accounts": accounts, "summary": {"total": len(accounts)}}
    policy = Policy(RULES, waivers=list(waivers))
    report = rp.build_report(listing, None, baseline, DAY.format(day), None, CALLER, policy=policy)
    return json.loads(to_json(report))


def _valid(findings):
    """botocore's client-side validation of a BatchImportFindings request with ``findings``."""
    report = ParamValidator().validate({"Findings": findings}, IMPORT.input_shape)
    assert not report.has_errors(), report.generate_report()


def test_each_finding_is_valid_asff_with_severity_and_types_only_through_the_provider_fields():
    report = _run([_account(1, account_status="Suspended"), _account(2, name=HOSTILE)], 1)
    findings = list(asff.asff_findings(report, "eu-west-1"))
    _valid(findings)
    assert [f["Id"] for f in findings] == [v["uid"] for v in report["violations"]]
    first = findings[0]
    assert first["ProductArn"] == "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"
    assert first["AwsAccountId"] == "111122223333" and "Region" not in first  # Security Hub's to fill
    assert first["ProductFields"]["chime.admin/Scope"] == scope_digest(report["source"]["scope"])
    assert first["GeneratorId"] == "no_suspended_accounts" and first["RecordState"] == "ACTIVE"
    assert first["FindingProviderFields"]["Severity"] == {"Label": "MEDIUM", "Original": "medium"}
    assert first["FindingProviderFields"]["Types"][0].startswith("Software and Configuration Checks/")
    assert first["CreatedAt"] == first["FirstObservedAt"] == first["LastObservedAt"] == first["UpdatedAt"]
    assert first["UpdatedAt"] == "2026-11-01T08:00:00Z" and first["Compliance"] == {"Status": "FAILED"}
    for finding in findings:
        assert not {"Severity", "Types", "Confidence", "Criticality", "RelatedFindings"} & set(finding)
        assert not {"Note", "UserDefinedFields", "VerificationState", "Workflow"} & set(finding)
        assert finding["Resources"][1] == {
            "Type": "AwsAccount",
            "Id": "AWS::::Account:111122223333",
            "Partition": "aws",
        }
        assert finding["ProductFields"]["chime.admin/AwsAccountId"] == "111122223333"


def test_hostile_and_huge_text_is_made_visible_and_kept_within_security_hub_limits():
    report = _run([_account(2, name=HOSTILE)], 1)
    (finding,) = asff.asff_findings(report, "us-east-1")
    _valid([finding])
    assert len(finding["Title"]) <= asff.MAX_TITLE and len(finding["Description"]) <= asff.MAX_DESCRIPTION
    assert all(len(v) <= asff.MAX_FIELD_VALUE for v in finding["ProductFields"].values())
    assert all(
        len(v) <= asff.MAX_OTHER_VALUE
        for r in finding["Resources"]
        for v in r.get("Details", {}).get("Other", {}).values()
    )
    assert len(finding["Resources"][0]["Details"]["Other"]["Name"]) == asff.MAX_OTHER_VALUE
    assert all(v for v in finding["ProductFields"].values())  # Security Hub takes no empty value
    text = json.dumps(finding, ensure_ascii=False)
    for invisible in ("\x1b", "\u202e", "\u2066", "\x85", "\u2028"):
        assert invisible not in text
    assert "\\u202e" in finding["ProductFields"]["chime.admin/AccountName"]
    assert asff.finding_bytes(finding) < asff.MAX_FINDING_BYTES
    written = asff.to_asff(report)
    assert "\u202e" not in written and json.loads(written) == [finding]


def test_a_run_sends_its_violations_waived_ones_held_active_and_archives_what_it_no_longer_has():
    accounts = [_account(1, account_status="Suspended"), _account(2, name="Sales"), _account(3, name="Ops")]
    first = _run(accounts, 1)
    held = {f["Id"]: f for f in asff.asff_findings(first, "us-east-1")}  # what run 1 imported, all ACTIVE
    waivers = [
        {"rule": "name_pattern", "account_id": f"id-{n}", "reason": "Legacy", "expires": "2999-01-01"} for n in (3, 4)
    ]
    # id-1 no longer suspended, id-2 removed, id-3 waived (held active), id-4 new and waived at once; id-5's finding
    # is held active from a run this one has no baseline of: archived too
    stray = dict(next(iter(held.values())), Id="stray")
    stray["ProductFields"] = dict(stray["ProductFields"], **{"chime.admin/AccountId": "id-5"})
    other = dict(stray, Id="other-aws-account")
    other["ProductFields"] = dict(stray["ProductFields"], **{"chime.admin/AwsAccountId": "999988887777"})
    held.update(stray=stray, **{"other-aws-account": other})
    second = _run([_account(1), _account(3, name="Ops"), _account(4, name="Legal")], 2, first, waivers)
    sent = {f["Id"]: f for f in sh.choose(second, "us-east-1", held, {"999988887777"})}
    _valid(list(sent.values()))
    by_account = {f["ProductFields"]["chime.admin/AccountId"]: f for f in sent.values()}
    assert set(by_account) == {
        "id-1",
        "id-2",
        "id-3",
        "id-5",
    }  # id-4 (waived, not held) and the unlisted AWS account not
    assert "other-aws-account" not in sent
    assert by_account["id-1"]["RecordState"] == "ARCHIVED" and by_account["id-1"]["Compliance"]["Status"] == "PASSED"
    assert by_account["id-2"]["RecordState"] == "ARCHIVED"
    assert by_account["id-2"]["Compliance"]["Status"] == "NOT_AVAILABLE"  # account removed: no check passed
    assert (
        by_account["id-5"]["RecordState"] == "ARCHIVED"
        and by_account["id-5"]["Compliance"]["Status"] == "NOT_AVAILABLE"
    )
    assert by_account["id-1"]["LastObservedAt"] == "2026-11-01T08:00:00Z"  # last seen by run 1
    assert by_account["id-1"]["UpdatedAt"] == by_account["id-5"]["UpdatedAt"] == "2026-11-02T08:00:00Z"
    waived = by_account["id-3"]
    assert waived["RecordState"] == "ACTIVE" and waived["Compliance"]["Status"] == "FAILED"
    assert "Workflow" not in waived and "Waived until 2999-01-01" in waived["Description"]
    assert sh.choose(second, "us-east-1", {}, set()) == list(asff.asff_findings(second, "us-east-1", ("violations",)))


def test_a_report_without_a_caller_arn_is_refused_by_the_asff_format():
    report = _run([_account(1, account_status="Suspended")], 1)
    report["source"]["caller"] = None
    with pytest.raises(rp.ReportError, match="caller ARN"):
        formats.render(report, ["asff"], is_plain=True)


def _client():
    return boto3.client(
        "securityhub", region_name="us-east-1", aws_access_key_id="AKIAUNITTEST", aws_secret_access_key="unit"
    )


def _findings(count):
    accounts = [_account(n, account_status="Suspended") for n in range(count)]
    return list(asff.asff_findings(_run(accounts, 1), "us-east-1"))


RETRYING = Retrying(ListingOptions(backoff_retries=3, backoff_delay=0.001, backoff_max_delay=0.002))


def test_findings_go_in_batches_of_100_and_a_throttled_batch_alone_is_sent_again():
    findings = _findings(250)
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "batch_import_findings", {"FailedCount": 0, "SuccessCount": 100}, {"Findings": findings[:100]}
        )
        stub.add_client_error("batch_import_findings", "LimitExceededException", "Rate exceeded", 429)
        stub.add_response(
            "batch_import_findings", {"FailedCount": 0, "SuccessCount": 100}, {"Findings": findings[100:200]}
        )
        failed = [{"Id": findings[210]["Id"], "ErrorCode": "InvalidInput", "ErrorMessage": "bad <x@example.com>"}]
        answer = {"FailedCount": 1, "SuccessCount": 49, "FailedFindings": failed}
        stub.add_response("batch_import_findings", answer, {"Findings": findings[200:]})
        delivery = sh.deliver(client, findings, RETRYING, "us-east-1", "arn", "111122223333")
        stub.assert_no_pending_responses()
    assert (delivery.calls, delivery.sent, delivery.imported, delivery.failed_count) == (3, 250, 249, 1)
    assert delivery.failed[0]["id"] == findings[210]["Id"] and delivery.failed[0]["error_code"] == "InvalidInput"
    assert delivery.failed[0]["account_id"] == "id-210" and "example.com" not in delivery.failed[0]["message"]
    assert not delivery.complete


@pytest.mark.parametrize(
    "code, words",
    [
        ("InvalidAccessException", "enable-security-hub --region us-east-1"),
        ("AccessDeniedException", "securityhub:BatchImportFindings"),
    ],
)
def test_a_disabled_hub_or_a_refused_caller_stops_at_the_first_call(code, words):
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error("batch_import_findings", code, "no", 401 if code.startswith("Invalid") else 403)
        with pytest.raises(sh.SecurityHubError, match="in region us-east-1") as raised:
            sh.deliver(client, _findings(150), RETRYING, "us-east-1", "arn", "111122223333")
        stub.assert_no_pending_responses()
    assert words in str(raised.value)


def test_a_finding_above_240_kb_is_not_sent_and_a_batch_failing_for_good_names_its_findings():
    findings = _findings(3)
    findings[0]["ProductFields"] = {f"k{n}": "x" * 5000 for n in range(50)}  # 250 KB
    client = _client()
    with Stubber(client) as stub:
        for _attempt in range(4):  # the first try and three retries
            stub.add_client_error("batch_import_findings", "InternalException", "oops", 500)
        delivery = sh.deliver(client, findings, RETRYING, "us-east-1", "arn", "111122223333")
        stub.assert_no_pending_responses()
    assert delivery.failed_count == 3 and delivery.imported == 0 and delivery.calls == 1
    assert [f["error_code"] for f in delivery.failed] == ["FindingTooLarge", "InternalException", "InternalException"]


def test_a_batch_failing_for_good_stops_the_delivery_and_a_later_refusal_is_recorded_not_raised():
    findings = _findings(350)
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("batch_import_findings", {"FailedCount": 0, "SuccessCount": 100})
        stub.add_client_error("batch_import_findings", "AccessDeniedException", "no", 403)  # a later refusal
        delivery = sh.deliver(client, findings, RETRYING, "us-east-1", "arn", "111122223333")
        stub.assert_no_pending_responses()  # batches 3 and 4 never sent
    assert (delivery.calls, delivery.imported, delivery.failed_count) == (2, 100, 250)
    assert len(delivery.failed) == sh.MAX_FAILURES_SHOWN  # the first 20 named, all of them counted
    assert {f["error_code"] for f in delivery.failed} == {"AccessDeniedException"}
    assert "250 not imported" in delivery.line()


def test_a_failed_count_above_the_findings_it_names_counts_the_batch_as_not_taken():
    findings = _findings(3)
    findings[2]["RecordState"] = "ARCHIVED"
    client = _client()
    with Stubber(client) as stub:
        stub.add_response("batch_import_findings", {"FailedCount": 2, "SuccessCount": 1})
        delivery = sh.deliver(client, findings, RETRYING, "us-east-1", "arn", "111122223333")
    assert (delivery.imported, delivery.archived, delivery.failed_count) == (0, 0, 3)
    assert delivery.line().endswith("3 not imported (first: Unknown).")


@pytest.mark.parametrize(
    "region, connection, words",
    [
        ("us-gov-west-1", "us-east-1", "is in partition aws-us-gov"),
        ("bad region", "us-east-1", "must be an AWS region name"),
        ("eu-foo-9", "us-east-1", "is not a region where partition aws offers Security Hub"),
        ("us-iso-east-1", "us-iso-east-1", "does not import into Security Hub"),
    ],
)
def test_a_region_outside_the_partition_or_without_security_hub_is_refused(region, connection, words):
    with pytest.raises(ValueError, match=words):
        sh.check_region("security_hub_region", region, connection, botocore.session.get_session())


def test_the_default_region_is_the_connection_s():
    session = botocore.session.get_session()
    assert sh.check_region("security_hub_region", None, "eu-west-1", session) == ("eu-west-1", "aws")
    assert sh.check_region("security_hub_region", "cn-north-1", "cn-northwest-1", session) == ("cn-north-1", "aws-cn")
