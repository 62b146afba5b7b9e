# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the OCSF rendering of an audit report's findings (plugins/plugin_utils/_format_ocsf.py).

Every event is validated with py-ocsf-models' ComplianceFinding, the Python models of the OCSF schema version
the rendering declares, and read back through the model to show that no attribute stands where the model does
not put it.
"""

import copy
import json
import unicodedata

import pytest
from py_ocsf_models import OCSF_VERSION
from py_ocsf_models.events.findings.compliance_finding import ComplianceFinding
from py_ocsf_models.objects.cloud import Cloud

from ansible_collections.chime.admin.plugins.plugin_utils import _format_ocsf as ocsf
from ansible_collections.chime.admin.plugins.plugin_utils import _formats as formats
from ansible_collections.chime.admin.plugins.plugin_utils import _report as rp

CALLER = "arn:aws-us-gov:sts::444455556666:assumed-role/Audit/job"
HOSTILE = 'Sales \x1b[31m\u202eevil\u2066 "quoted" \\ \x85\x9b2J\u2028</script>'
POLICY = {
    "name": "chime-baseline",
    "version": "2026.11",
    "fail_severity": "medium",
    "rules": {
        "no_suspended_accounts": {
            "kind": "built-in",
            "severity": "high",
            "description": "No Chime account is suspended",
            "remediation": "Reactivate the account or delete it.",
            "setting": True,
        },
        "team-accounts-pro": {
            "kind": "custom",
            "severity": "low",
            "description": "Team accounts default to Pro",
            "remediation": "Set the default license to Pro.",
            "setting": {"account_type": "Team", "default_license": "Pro"},
        },
        "name_pattern": {
            "kind": "built-in",
            "severity": "informational",
            "description": "Account names follow the naming scheme",
            "remediation": "Rename the account.",
            "setting": "^(eng|fin)-",
        },
        "allowed_aws_account_ids": {
            "kind": "built-in",
            "severity": "critical",
            "description": "Accounts live in allowed AWS accounts only",
            "remediation": "Move the account's users and delete it.",
            "setting": ["111122223333"],
        },
        "allowed_default_licenses": {
            "kind": "built-in",
            "severity": "medium",
            "description": "Default licenses are allowed ones",
            "remediation": "Change the default license.",
            "setting": "not checked",
        },
    },
}


def _finding(rule, severity, account_id, name="eng-one", aws_account_id="111122223333", waiver=None):
    return {
        "aws_account_id": aws_account_id,
        "account_id": account_id,
        "name": name,
        "rule": rule,
        "severity": severity,
        "detail": f"{rule} is broken by {name}",
        "waiver": waiver,
    }


def _waiver(state, expires, **extra):
    return {
        "rule": "team-accounts-pro",
        "account_id": extra.pop("account_id", "6f1d2e3c-0000-4000-8000-000000000003"),
        "reason": "Pro licenses are bought in the new fiscal year",
        "expires": expires,
        "owner": extra.pop("owner", "platform-team"),
        "ticket": extra.pop("ticket", "SEC-1234"),
        "state": state,
    }


VIOLATIONS = [
    _finding("no_suspended_accounts", "high", "6f1d2e3c-0000-4000-8000-000000000001", name=HOSTILE),
    _finding(
        "allowed_aws_account_ids", "critical", "6f1d2e3c-0000-4000-8000-000000000002", aws_account_id="999988887777"
    ),
    _finding("name_pattern", "informational", "6f1d2e3c-0000-4000-8000-000000000001", name=HOSTILE),
    _finding(
        "team-accounts-pro",
        "low",
        "6f1d2e3c-0000-4000-8000-000000000003",
        waiver=_waiver("expired", "2026-01-31", owner=None, ticket=None),
    ),
]
WAIVED = [
    _finding(
        "team-accounts-pro", "low", "6f1d2e3c-0000-4000-8000-000000000004", waiver=_waiver("active", "2026-12-31")
    ),
    _finding(
        "no_suspended_accounts",
        "high",
        "6f1d2e3c-0000-4000-8000-000000000005",
        name='Lisboa "Sales"',
        waiver=dict(_waiver("active", "2027-03-01"), rule="no_suspended_accounts"),
    ),
]


def _report(violations=None, waived=None, caller=CALLER):
    """A report of format 3, as the policy code makes it, of VIOLATIONS and WAIVED unless given others; only
    what the OCSF rendering reads is filled in."""
    return {
        "report_format": 3,
        "generated_at": "2026-11-29T08:00:00+00:00",
        "source": {
            "caller": caller,
            "aws_accounts": ["111122223333", "999988887777"],
            "filters": {"name": None, "user_email": False},
            "policy": copy.deepcopy(POLICY),
            "collection_version": "9.8.7",
        },
        "summary": {"total": 5},
        "accounts": [],
        "violations": copy.deepcopy(VIOLATIONS if violations is None else violations),
        "waived": copy.deepcopy(WAIVED if waived is None else waived),
        "waivers": [],
        "changes": None,
    }


# OCSF 1.5.0 attributes that py-ocsf-models 0.10.0 does not model: the Compliance Finding class has no `cloud`
# attribute (it comes with the cloud profile, validated on its own below), and its compliance object no `status`
# (the caption of compliance.status_id) and its cloud object no `cloud_partition`.
NOT_MODELLED = {("cloud",), ("compliance", "status")}


def _without(event, paths):
    event = copy.deepcopy(event)
    for path in paths:
        holder = event
        for key in path[:-1]:
            holder = holder[key]
        holder.pop(path[-1], None)
    return event


def _validate(event):
    """``event`` validated by py-ocsf-models: the model accepts it, and every attribute but the few the model
    does not know reads back unchanged (pydantic drops an attribute it does not know without a word)."""
    model = ComplianceFinding.model_validate(event)
    assert model.model_dump(mode="json", exclude_none=True) == _without(event, NOT_MODELLED)
    cloud = Cloud.model_validate(event["cloud"])
    assert cloud.model_dump(mode="json", exclude_none=True) == _without(event["cloud"], [("cloud_partition",)])
    return model


def _events(report):
    text = ocsf.to_ocsf(report)
    assert text.endswith("\n")
    return json.loads(text)


def test_every_finding_is_a_valid_compliance_finding_open_ones_first():
    report = _report()
    events = _events(report)
    assert len(events) == len(report["violations"]) + len(report["waived"]) == 6
    for event in events:
        model = _validate(event)
        assert (model.class_uid, model.category_uid, model.type_uid, model.activity_id) == (2003, 2, 200301, 1)
        assert event["metadata"]["version"] == OCSF_VERSION
        assert event["metadata"]["product"] == {
            "name": "chime.admin",
            "vendor_name": "chime.admin contributors",
            "version": "9.8.7",
        }
        assert event["time"] == 1795939200000  # 2026-11-29T08:00:00Z in epoch milliseconds
        assert event["compliance"]["standards"] == ["chime-baseline 2026.11"]
        assert (event["compliance"]["status"], event["compliance"]["status_id"]) == ("Fail", 3)
        assert event["cloud"]["provider"] == "AWS" and event["cloud"]["region"] == "us-east-1"
        assert event["cloud"]["cloud_partition"] == event["resources"][0]["cloud_partition"] == "aws-us-gov"
    findings = report["violations"] + report["waived"]
    assert [e["compliance"]["control"] for e in events] == [f["rule"] for f in findings]
    assert [e["resources"][0]["uid"] for e in events] == [f["account_id"] for f in findings]
    assert [e["status"] for e in events] == ["New"] * 4 + ["Suppressed"] * 2
    assert [e["status_id"] for e in events] == [1] * 4 + [3] * 2


def test_each_event_names_the_rule_the_account_and_the_remediation():
    event = _events(_report())[1]
    assert event["finding_info"]["title"] == "Accounts live in allowed AWS accounts only"
    assert event["compliance"]["desc"] == "Accounts live in allowed AWS accounts only"
    assert event["finding_info"]["desc"] == "allowed_aws_account_ids is broken by eng-one"
    assert event["remediation"] == {"desc": "Move the account's users and delete it."}
    aws_account = {"name": "999988887777", "type": "AWS Account", "type_id": 10, "uid": "999988887777"}
    assert event["cloud"]["account"] == aws_account
    resource = event["resources"][0]
    assert (resource["type"], resource["name"], resource["region"]) == ("AWS::Chime::Account", "eng-one", "us-east-1")
    assert resource["owner"] == {
        "account": aws_account,
        "name": "999988887777",
        "type": "AWS Account",
        "type_id": 99,
        "uid": "999988887777",
    }


@pytest.mark.parametrize(
    "severity,severity_id,caption",
    [("informational", 1, "Informational"), ("low", 2, "Low"), ("medium", 3, "Medium"), ("high", 4, "High"),
     ("critical", 5, "Critical")],
)  # fmt: skip
def test_severities_map_to_ocsf_severity_ids(severity, severity_id, caption):
    (event,) = _events(_report([_finding("name_pattern", severity, "a")], []))
    assert (event["severity_id"], event["severity"]) == (severity_id, caption)
    _validate(event)


def test_waivers_are_recorded_with_their_reason_owner_ticket_and_expiry():
    events = _events(_report())
    expired, waived = events[3], events[4]
    assert waived["status"] == "Suppressed" and expired["status"] == "New"
    assert waived["unmapped"] == {"waiver": WAIVED[0]["waiver"]}
    assert waived["status_detail"] == (
        "Suppressed by a waiver until 2026-12-31: Pro licenses are bought in the new fiscal year"
        " (owner platform-team, ticket SEC-1234)."
    )
    assert expired["unmapped"] == {"waiver": VIOLATIONS[3]["waiver"]}
    assert expired["status_detail"] == "A waiver expired on 2026-01-31: Pro licenses are bought in the new fiscal year."
    assert "unmapped" not in events[0] and "status_detail" not in events[0]


def test_the_finding_uid_is_stable_and_differs_between_findings():
    first, again = _events(_report()), _events(_report())
    uids = [e["finding_info"]["uid"] for e in first]
    assert uids == [e["finding_info"]["uid"] for e in again]
    assert len(set(uids)) == len(uids)
    # The same rule and accounts in a later run, under another name, detail and severity: the same finding.
    renamed = dict(VIOLATIONS[0], name="Renamed", detail="other words", severity="low")
    (event,) = _events(dict(_report([renamed], []), generated_at="2027-01-01T00:00:00+00:00"))
    assert event["finding_info"]["uid"] == uids[0]
    # Another Chime account, another AWS account or another rule is another finding.
    for change in ({"account_id": "other"}, {"aws_account_id": "000011112222"}, {"rule": "team-accounts-pro"}):
        (event,) = _events(_report([dict(VIOLATIONS[0], **change)], []))
        assert event["finding_info"]["uid"] not in uids
    assert all(HOSTILE not in uid and len(uid) == 64 for uid in uids)


def test_hostile_names_stay_valid_json_and_show_inertly():
    text = ocsf.to_ocsf(_report())
    for char in "\x1b\x85\x9b\u202e\u2066\u2028":
        assert char not in text
    assert '\\u001b[31m\\u202eevil\\u2066 \\"quoted\\" \\\\ \\u0085\\u009b2J\\u2028</script>' in text
    events = json.loads(text)
    assert events[0]["resources"][0]["name"] == HOSTILE  # the escapes read back as the name itself
    assert events[5]["resources"][0]["name"] == 'Lisboa "Sales"'
    for event in events:
        _validate(event)
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") for c in text.replace("\n", ""))


def test_format_and_characters_beyond_the_bmp_and_printable_text():
    name = "Zürich 東京 \U000e0001tag \U0001d173 \ud800"
    text = ocsf.to_ocsf(_report([_finding("name_pattern", "low", "a", name=name)], []))
    assert "Zürich 東京" in text and "\\udb40\\udc01tag \\ud834\\udd73 \\ud800" in text
    assert json.loads(text)[0]["resources"][0]["name"] == name
    text.encode("utf-8")  # no lone surrogate is left in the text


def test_a_report_without_a_caller_has_no_partition():
    events = _events(_report(caller=None))
    assert len(events) == 6
    for event in events:
        _validate(event)
        assert "cloud_partition" not in event["cloud"] and "cloud_partition" not in event["resources"][0]


def test_a_report_without_findings_is_an_empty_array():
    assert ocsf.to_ocsf(_report([], [])) == "[]\n"
    assert ocsf.to_ocsf(dict(_report([], []), generated_at=None)) == "[]\n"  # no event needs the time


def test_a_report_of_format_2_still_renders():
    """Before report format 3, findings had no severity, and the policy was each rule's setting."""
    report = _report([{k: v for k, v in VIOLATIONS[0].items() if k not in ("severity", "waiver")}], [])
    report["source"]["policy"] = {"no_suspended_accounts": True, "name_pattern": "not checked"}
    del report["waived"]
    (event,) = _events(report)
    _validate(event)
    assert (event["severity_id"], event["severity"]) == (0, "Unknown")
    assert event["finding_info"]["title"] == "no_suspended_accounts" and "standards" not in event["compliance"]
    assert "remediation" not in event


def test_render_writes_ocsf_only_when_asked_and_refuses_a_report_without_its_time():
    report = _report()
    assert "ocsf" in formats.FORMATS and "ocsf" not in formats.DEFAULT_FORMATS
    listing = {"accounts": [], "summary": {"total": 0}}
    rendered = formats.render(rp.build_report(listing, generated_at=report["generated_at"]))
    assert list(rendered) == ["json", "csv", "findings_csv", "markdown", "html"]  # csv makes two files
    assert formats.render(report, ["ocsf"]) == {"ocsf": ocsf.to_ocsf(report)}
    with pytest.raises(rp.ReportError, match="the ocsf format needs the report's generated_at as an ISO 8601 time"):
        formats.render(dict(report, generated_at=None), ["ocsf"])


def test_the_standard_says_when_parts_of_the_policy_were_set_outside_its_file():
    """A policy file names the standard; severities and waivers set in the variables beside it are not that
    standard, and the events say so."""
    origins = {"rules": "default", "custom_rules": "policy_file", "severities": "variables", "waivers": "variables",
               "fail_severity": "policy_file"}  # fmt: skip
    report = _report()
    report["source"]["policy"].update(policy_file="audit-policy.yml", exclusive=False, origins=origins)
    events = _events(report)
    for event in events:
        _validate(event)
    assert {tuple(e["compliance"]["standards"]) for e in events} == {
        ("chime-baseline 2026.11, with severities, waivers set outside it",)
    }
    report["source"]["policy"]["origins"] = dict(origins, severities="policy_file", waivers="default")
    assert {tuple(e["compliance"]["standards"]) for e in _events(report)} == {("chime-baseline 2026.11",)}


# Report format 5: each finding's life cycle (see _lifecycle.py), and the resolved findings.
NOW, WEEK_AGO = "2026-12-07T08:00:00+00:00", "2026-11-30T08:00:00+00:00"
NOW_MS, WEEK_AGO_MS = 1796630400000, 1796025600000


def _life(finding, state, first_seen=WEEK_AGO, last_seen=NOW, age_days=7, due=None, overdue_days=None, **more):
    """``finding`` (one of VIOLATIONS, WAIVED) as report format 5 has it: its seven keys, then its life cycle."""
    finding = copy.deepcopy(finding)
    finding.update(uid=ocsf.finding_uid(finding), state=state, first_seen=first_seen, last_seen=last_seen,
                   age_days=age_days)  # fmt: skip
    if state != "resolved":
        finding.update(due=due, overdue_days=overdue_days)
    finding.update(more)
    return finding


def _resolved(finding, reason, last_seen=WEEK_AGO, **more):
    return _life(finding, "resolved", last_seen=last_seen, resolved_at=NOW, resolved_reason=reason, **more)


def _report_5(violations, waived, resolved):
    return dict(_report(violations, waived), report_format=5, generated_at=NOW, resolved=resolved)


def _lifecycle_report():
    """A run a week after its baseline: a new finding, two open ones (one past its deadline, one under an expired
    waiver), a waived finding first seen now and one waived since the baseline, and three resolved findings, one
    for each reason (the last one waived when it was last seen)."""
    suspended, foreign, naming, expired = VIOLATIONS
    other = _finding("allowed_default_licenses", "medium", "6f1d2e3c-0000-4000-8000-000000000009")
    return _report_5(
        [
            _life(suspended, "new", first_seen=NOW, age_days=0, due="2026-12-14"),
            _life(foreign, "open", due="2026-12-01", overdue_days=6),
            _life(expired, "open", due="2027-05-29"),
        ],
        [_life(WAIVED[0], "waived", first_seen=NOW, age_days=0), _life(WAIVED[1], "waived")],
        [
            _resolved(naming, "no longer violates"),
            _resolved(other, "account removed", first_seen="2026-11-01T08:00:00Z", age_days=36),
            _resolved(dict(WAIVED[1], rule="retired-rule"), "rule no longer checked"),
        ],
    )


def test_the_ids_are_ocsf_1_5_0s_as_py_ocsf_models_has_them():
    """The numbers this module writes are the schema's: the finding status and activity enums, the class's types
    and the compliance status (py-ocsf-models' own enums, of the OCSF version the events declare)."""
    from py_ocsf_models.events.findings.activity_id import ActivityID
    from py_ocsf_models.events.findings.compliance_finding_type_id import ComplianceFindingTypeID
    from py_ocsf_models.events.findings.status_id import StatusID
    from py_ocsf_models.objects.compliance_status import StatusID as ComplianceStatusID

    assert ocsf.OCSF_VERSION == OCSF_VERSION
    statuses = (ocsf.STATUS_NEW, ocsf.STATUS_IN_PROGRESS, ocsf.STATUS_SUPPRESSED, ocsf.STATUS_RESOLVED)
    expected = [StatusID.New, StatusID.InProgress, StatusID.Suppressed, StatusID.Resolved]
    assert [number for number, _caption in statuses] == expected
    assert [caption for _number, caption in statuses] == ["New", "In Progress", "Suppressed", "Resolved"]
    activities = [ocsf.CREATE, ocsf.UPDATE, ocsf.CLOSE]
    assert activities == [(ActivityID.Create, "Create"), (ActivityID.Update, "Update"), (ActivityID.Close, "Close")]
    types = [ComplianceFindingTypeID[caption] for _number, caption in activities]
    assert [ocsf.CLASS_UID * 100 + number for number, _caption in activities] == types
    compliance = (ocsf.COMPLIANCE_FAIL, ocsf.COMPLIANCE_PASS, ocsf.COMPLIANCE_UNKNOWN)
    assert compliance == tuple((ComplianceStatusID[caption], caption) for caption in ("Fail", "Pass", "Unknown"))


def test_the_states_are_the_life_cycles_own():
    from ansible_collections.chime.admin.plugins.plugin_utils import _lifecycle as lifecycle

    assert (ocsf.STATE_NEW, ocsf.STATE_OPEN, ocsf.STATE_WAIVED, ocsf.STATE_RESOLVED) == lifecycle.STATES
    assert ocsf.PASSED == lifecycle.NO_LONGER_VIOLATES


def test_each_state_has_its_status_and_activity_and_every_event_is_valid():
    report = _lifecycle_report()
    events = _events(report)
    assert len(events) == 3 + 2 + 3
    for event in events:
        _validate(event)
        assert event["type_uid"] == 2003 * 100 + event["activity_id"]
        assert event["type_name"] == f"Compliance Finding: {event['activity_name']}"
        assert event["time"] == NOW_MS
    findings = report["violations"] + report["waived"] + report["resolved"]
    assert [e["finding_info"]["uid"] for e in events] == [f["uid"] for f in findings]
    assert [(e["status_id"], e["status"]) for e in events] == [
        (1, "New"), (2, "In Progress"), (2, "In Progress"), (3, "Suppressed"), (3, "Suppressed"),
        (4, "Resolved"), (4, "Resolved"), (4, "Resolved"),
    ]  # fmt: skip
    # Created when first seen now, updated when seen before (waived ones too), closed when resolved.
    assert [(e["activity_id"], e["activity_name"]) for e in events] == [
        (1, "Create"), (2, "Update"), (2, "Update"), (1, "Create"), (2, "Update"),
        (3, "Close"), (3, "Close"), (3, "Close"),
    ]  # fmt: skip
    # Open and waived findings fail their rule; a resolved one passed it when it no longer violates it, and was
    # not checked at all when its account was removed or its rule is no longer checked.
    assert [(e["compliance"]["status_id"], e["compliance"]["status"]) for e in events] == [
        *[(3, "Fail")] * 5, (1, "Pass"), (0, "Unknown"), (0, "Unknown"),
    ]  # fmt: skip
    assert [e["unmapped"]["state"] for e in events] == [f["state"] for f in findings]


def test_every_event_says_when_its_finding_was_first_and_last_seen():
    events = _events(_lifecycle_report())
    seen = [(e["finding_info"]["first_seen_time"], e["finding_info"]["last_seen_time"]) for e in events]
    assert seen == [
        (NOW_MS, NOW_MS), (WEEK_AGO_MS, NOW_MS), (WEEK_AGO_MS, NOW_MS), (NOW_MS, NOW_MS), (WEEK_AGO_MS, NOW_MS),
        # A resolved finding was last seen by the baseline's run (its "Z" time is read as UTC).
        (WEEK_AGO_MS, WEEK_AGO_MS), (WEEK_AGO_MS - 29 * 86400000, WEEK_AGO_MS), (WEEK_AGO_MS, WEEK_AGO_MS),
    ]  # fmt: skip
    assert all(e["finding_info"]["created_time"] == e["finding_info"]["first_seen_time"] for e in events)
    for event in events:  # the _dt forms are optional in py-ocsf-models; the epoch milliseconds are the ones used
        assert not [key for key in event["finding_info"] if key.endswith("_dt")]


def test_overdue_and_resolved_findings_say_so_in_status_detail_and_unmapped():
    new, overdue, expired, waived_now, waived, no_longer, removed, retired = _events(_lifecycle_report())
    assert overdue["status_detail"] == "Overdue by 6 days (due 2026-12-01)."
    assert overdue["unmapped"] == {"state": "open", "age_days": 7, "due": "2026-12-01", "overdue_days": 6}
    assert new["unmapped"] == {"state": "new", "age_days": 0, "due": "2026-12-14"} and "status_detail" not in new
    assert expired["status_detail"] == (
        "A waiver expired on 2026-01-31: Pro licenses are bought in the new fiscal year."
    )
    assert expired["unmapped"] == {"state": "open", "age_days": 7, "due": "2027-05-29",
                                   "waiver": VIOLATIONS[3]["waiver"]}  # fmt: skip
    assert waived["status_detail"].startswith("Suppressed by a waiver until 2027-03-01")
    assert waived["unmapped"] == {"state": "waived", "age_days": 7, "waiver": WAIVED[1]["waiver"]}
    assert no_longer["status_detail"] == "Resolved: no longer violates."
    assert no_longer["unmapped"] == {"state": "resolved", "age_days": 7, "resolved_at": NOW,
                                     "resolved_reason": "no longer violates"}  # fmt: skip
    assert removed["status_detail"] == "Resolved: account removed."
    # A finding waived when last seen and resolved now is resolved: its waiver is kept, but not as its status.
    assert retired["status_detail"] == "Resolved: rule no longer checked."
    assert retired["unmapped"]["waiver"] == WAIVED[1]["waiver"]
    one_day = _events(_report_5([_life(VIOLATIONS[1], "open", due="2026-12-06", overdue_days=1)], [], []))
    assert one_day[0]["status_detail"] == "Overdue by 1 day (due 2026-12-06)."


def test_a_report_with_resolved_findings_only_still_has_their_events():
    (event,) = _events(_report_5([], [], [_resolved(VIOLATIONS[0], "no longer violates")]))
    _validate(event)
    assert (event["status"], event["activity_name"], event["compliance"]["status"]) == ("Resolved", "Close", "Pass")
    assert ocsf.to_ocsf(_report_5([], [], [])) == "[]\n"


def test_a_resolved_finding_without_its_times_has_none_rather_than_a_guess():
    """A resolved finding whose baseline recorded no time: no first or last seen, and no creation time."""
    (event,) = _events(_report_5([], [], [_resolved(VIOLATIONS[0], "account removed", first_seen=None,
                                                    last_seen=None)]))  # fmt: skip
    _validate(event)
    assert set(event["finding_info"]) == {"desc", "title", "uid"}


def test_a_report_of_format_4_still_renders_as_before_with_its_times():
    """Before format 5, findings had no state and no first_seen: open ones are New, waived ones Suppressed, all
    created now, first and last seen at the report's time, with nothing of a life cycle in unmapped."""
    report = dict(_report(), report_format=4)
    report.pop("resolved", None)
    events = _events(report)
    assert len(events) == 6
    for event in events:
        _validate(event)
        assert (event["activity_id"], event["activity_name"], event["type_uid"]) == (1, "Create", 200301)
        assert event["compliance"]["status_id"] == 3
        info = event["finding_info"]
        assert info["first_seen_time"] == info["last_seen_time"] == info["created_time"] == event["time"]
        assert "state" not in event.get("unmapped", {})
    assert [e["status"] for e in events] == ["New"] * 4 + ["Suppressed"] * 2
    assert "unmapped" not in events[0] and "status_detail" not in events[0]


LIFE_TEXT = ("state", "first_seen", "last_seen", "due", "overdue_days", "age_days", "resolved_at", "resolved_reason")


@pytest.mark.parametrize("key", [k for k in LIFE_TEXT if k not in ("first_seen", "last_seen")])
def test_hostile_text_in_any_life_cycle_key_stays_inert_and_valid(key):
    """A hand-made report may hold any text in its findings' life cycle: the events stay valid, the text reads
    back as itself, and nothing in the file changes how it shows. A state this module does not know is taken
    for none (the finding is New, or Suppressed when waived)."""
    report = _lifecycle_report()
    for finding in report["violations"] + report["waived"] + report["resolved"]:
        finding[key] = HOSTILE
    text = ocsf.to_ocsf(report)
    for char in "\x1b\x85\x9b\u202e\u2066\u2028":
        assert char not in text
    events = json.loads(text)
    for event in events:
        _validate(event)
        assert event["unmapped"][key] == HOSTILE
    if key == "state":
        assert [e["status"] for e in events] == ["New"] * 3 + ["Suppressed"] * 2 + ["Resolved"] * 3
    if key == "overdue_days":
        assert events[0]["status_detail"] == f"Overdue by {HOSTILE} days (due 2026-12-14)."
    if key == "resolved_reason":
        assert events[5]["status_detail"] == f"Resolved: {HOSTILE}." and events[5]["compliance"]["status_id"] == 0
    assert all(unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") for c in text.replace("\n", ""))


@pytest.mark.parametrize("key", ["first_seen", "last_seen"])
@pytest.mark.parametrize("listed", ["violations", "waived", "resolved"])
def test_a_first_or_last_seen_that_is_not_a_time_is_refused_naming_it(key, listed):
    report = _lifecycle_report()
    report[listed][0][key] = HOSTILE + "x" * 500
    uid = report[listed][0]["uid"]
    with pytest.raises(ocsf.OcsfError) as raised:
        ocsf.to_ocsf(report)
    message = str(raised.value)
    assert message.startswith(f"the ocsf format needs the {key} of finding {uid} as an ISO 8601 time, got ")
    assert len(message) < 300 and message.isprintable()
    with pytest.raises(rp.ReportError, match=f"the {key} of finding {uid}"):
        formats.render(report, ["ocsf"])
