#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# The documentation of the chime_account_audit action plugin (plugins/action/chime_account_audit.py):
# it runs on the controller, so this file holds only its docs, as ansible.builtin's template does.

DOCUMENTATION = r"""
module: chime_account_audit
version_added: 0.3.0
short_description: Audit Amazon Chime accounts on the controller, write the reports locally and to S3
description:
  - Does a whole audit in one step on the controller, for scheduled AWX/AAP jobs and for playbooks of one's own.
  - Lists the Amazon Chime accounts with the same listing, options and retries as M(chime.admin.chime_account_info),
    in one AWS account or across many, checks every account against every rule of O(rules), compares them with
    a baseline report (a local file, an S3 object, or the newest run in the S3 bucket), writes the reports under
    O(dest) and, with O(s3_bucket), uploads them to S3 in a folder of their own.
  - The accounts never become a task result or a variable, so that no job event grows with the number of
    accounts (AWX drops an event's result above 700,000 bytes) and ansible-core does not template them. The
    result holds the summary, the counts per rule, the report locations and at most O(show_violations)
    violations.
  - Fails naming the violations when there are any and O(fail_on_violation) is true, after the reports are
    written. Fails with a message of its own when the audit could not run or its reports could not be stored;
    RV(outcome) tells the two apart.
  - The role P(chime.admin.account_audit#role) wraps this action, publishing the result with
    M(ansible.builtin.set_stats).
options:
  name:
    description:
      - Only audit accounts whose name starts with this prefix, sent as C(Name).
      - 1 to 100 characters, not all white space, no line break or other control character.
    type: str
  rules:
    description:
      - The policy rules, as a dict of rule name to setting. Each is optional; one left out, V(null) or V(false) is
        not checked, and the report shows it as not checked.
      - V(allowed_aws_account_ids), V(allowed_account_types) and V(allowed_default_licenses) take lists of strings;
        V(no_suspended_accounts) and V(enterprise_signin_delegate_groups) take V(true); V(name_pattern) takes an
        RE2 regular expression (no look-around, no back-references), searched in the name.
      - Default severities - V(allowed_aws_account_ids) high, V(allowed_account_types) medium,
        V(allowed_default_licenses) low, V(no_suspended_accounts) medium, V(enterprise_signin_delegate_groups)
        high, V(name_pattern) low. O(severities) overrides them.
      - Checked before any request; an unknown rule or a setting of the wrong kind fails naming the rule.
    type: dict
    default: {}
  custom_rules:
    description:
      - Rules of your own. Each has C(id), C(description), C(severity) (V(informational), V(low), V(medium),
        V(high) or V(critical)), C(remediation), an optional C(where) (which accounts the rule applies to; all
        when left out) and C(require) (what those accounts must satisfy).
      - C(where) and C(require) are value filters in Cloud Custodian's shape - C({key, op, value}), combined with
        C(and), C(or) and C(not). Keys are the nine account keys and C(age_days) (days since
        C(created_timestamp), at the audit's time). Ops are C(eq), C(ne), C(in), C(not-in), C(contains),
        C(not-contains) (list keys), C(regex) (RE2, searched), C(lt), C(le), C(gt), C(ge), C(present),
        C(absent) and C(empty).
      - A missing value satisfies no op but C(absent) and C(empty) - fail closed.
      - Checked before any request; an unknown key or op, a broken regular expression, a duplicate id or an id
        of a built-in rule fails naming the rule and the field. See the compliance guide for a cookbook.
    type: list
    elements: dict
    default: []
  severities:
    description: Severities that override the defaults, as a dict of rule id (built-in or custom) to severity.
    type: dict
    default: {}
  fail_severity:
    description:
      - Fail only for violations at or above this severity. Violations below it are reported and make the
        outcome V(non_compliant), but do not fail.
      - The default is V(informational) (any violation fails), or the policy file's C(fail_severity).
    type: str
    choices: [informational, low, medium, high, critical]
  fail_gate:
    description:
      - Which open findings at or above O(fail_severity) fail the job, by their state since the baseline.
      - V(all) (the default, or the policy file's C(fail_gate)), every one of them.
      - V(new), only those that were not in the baseline, so that a team adopting the audit fails on what is
        new and burns the older findings down on a schedule.
      - V(new_or_overdue), the new ones and those open past their severity's deadline (O(sla_days)).
      - The failure message names each failing finding and why it fails (new, or overdue by N days), and how
        many older findings the gate let pass. Without a baseline every finding is new.
    type: str
    choices: [all, new, new_or_overdue]
  sla_days:
    description:
      - Remediation deadlines, as a dict of severity (V(informational), V(low), V(medium), V(high),
        V(critical)) to a whole number of days from 1 to 3650, for example 7 days for V(critical) and 30 for V(high).
      - A new or open finding of a severity with a deadline is due on its first-seen day (UTC) plus that many
        days, and overdue from the day after; the reports give its due date and the days past due.
      - None by default, or the policy file's C(sla_days). A severity not given has no deadline.
    type: dict
  waivers:
    description:
      - Accepted risks. Each has C(rule) (a rule id), at least one of C(account_id), C(aws_account_id),
        C(name) (the account's exact name, brackets and stars included) and C(name_glob) (a shell-style glob,
        such as V(legacy-*), case-sensitive; C(*) is any text, C(?) one character, C([abc]) one of a set,
        C([!abc]) one outside it, C([[]) a literal bracket), which must all match, C(reason) and C(expires) (a
        date, V(YYYY-MM-DD), quoted or not), both required, and optionally C(owner) and C(ticket).
      - Until the end of its C(expires) day (UTC), a waiver turns the violations it matches into waived findings,
        kept in every report with the waiver, that never fail the job. After it, the violation is open again,
        and its detail names the waiver and when it expired.
      - The reports list the waivers that matched nothing and those that expire within O(waiver_warn_days).
    type: list
    elements: dict
    default: []
  waiver_warn_days:
    description: List the waivers that expire within this many days, from 0 to 36500 (a hundred years).
    type: int
    default: 30
  policy_file:
    description:
      - A YAML file on the controller (relative to the playbook's directory) holding the policy - C(name),
        C(version), C(rules), C(custom_rules), C(severities), C(waivers), C(fail_severity), C(sla_days) and
        C(fail_gate). This is how an AWX project keeps its policy in git.
      - Each part comes from one place. A part set both in the file and in the options fails naming both.
      - With C(exclusive) set to V(true), the file is the whole policy, and any part set in the options as well
        (even one the file leaves unset) fails before any request, naming the parts.
      - Checked as strictly as the options, before any request; an error names the file and the entry.
      - The policy's C(name) and C(version) are the standard of the OCSF findings.
    type: str
  formats:
    description:
      - The report formats to write and upload; V([]) writes none.
      - V(ocsf), not written by default, is the findings as OCSF Compliance Finding events (a JSON array), for
        AWS Security Hub and SIEMs.
      - V(asff), not written by default, is the findings in the AWS Security Finding Format (a JSON array,
        C(<report_name>.asff.json)) - the violations, waived and resolved findings as O(security_hub) builds them;
        their product ARN is that of O(security_hub_region).
    type: list
    elements: str
    choices: [json, csv, markdown, html, ocsf, asff]
    default: [json, csv, markdown, html]
  dest:
    description:
      - The directory on the controller to write the reports to. A relative path is relative to the playbook's
        directory. The default is C(chime-account-audit) there.
      - A leading C(~) is expanded; environment variables are not (AWX injects secrets as environment variables).
      - Created with mode V(0750) when missing. An existing directory is never changed (neither its mode nor a
        symlink's target).
      - The files are C(<report_name>.json), C(.csv) with C(.findings.csv) (the violations, waived and resolved
        findings), C(.md), C(.html), C(.ocsf.json) and C(.asff.json), mode V(0640), each
        written to a temporary file as it renders, one file at a time, and all renamed once every one is written,
        so that a crash or a report that cannot be written never leaves half a report, nor a new report beside
        old ones. A symlink at a report's path is refused.
    type: str
  report_name:
    description:
      - The reports' file name, before the extension.
      - A plain file name; V(/), V(\\), V(..), control characters and an empty name are refused before any request.
    type: str
    default: chime-account-audit
  baseline:
    description:
      - The earlier report to compare with. The report then lists the accounts added, removed and changed since
        it, and the accounts of AWS accounts that this run could not list as not compared.
      - A path on the controller of an earlier JSON report (relative to the playbook's directory).
      - V(latest) reads the JSON report of the newest complete run in O(s3_bucket) under O(s3_prefix), found
        through C(latest.json), at the version C(latest.json) pinned (in a versioned bucket), and checks its
        SHA-256 against both C(latest.json) and the run's C(manifest.json). On the first run, when the prefix
        holds no C(latest.json) and no run folder, the audit says C(first audit, no baseline) and reports no
        changes. When run folders are there but C(latest.json) is missing (deleted, expired, a delete marker),
        the run fails as V(incomplete) before any Chime request, naming the newest run folder; see
        O(s3_adopt_latest).
      - An V(s3://bucket/key) URI reads that object (its owner must be the caller's AWS account or
        O(s3_bucket_owner)) and checks it against its run folder's C(manifest.json), its SHA-256 and, in a
        versioned bucket, the version the manifest pinned. V(s3://bucket/key?versionId=ID) reads exactly that
        version; an ID that is not an S3 version ID is refused before any request. A report with no manifest,
        or whose digest differs, is refused unless O(baseline_unverified=true).
      - Read before any Chime request; a missing, unreadable or malformed baseline fails naming it.
      - The baseline must be of this run's scope (the caller's AWS account and partition, the caller's own AWS
        account or O(role_arns) or the organization with O(organization_role_name), O(name), and whether
        O(user_email) is set), recorded in each report as C(source.scope) and derived for reports of format 3
        and earlier. A baseline of another scope, and with O(s3_bucket) a C(latest.json) under O(s3_prefix) that
        points to a run of another scope, refuse the run after STS GetCallerIdentity and before any Chime
        request, with a message that names both scopes. Use one O(s3_prefix) per scope.
      - An incomplete baseline (an AWS account refused or failed) is compared through the last complete listing
        it carries of each AWS account it did not list (C(comparison_base)), so no change is lost behind it.
    type: str
  show_violations:
    description: How many violations the result holds and the failure message names; 0 to 1000.
    type: int
    default: 20
  fail_on_violation:
    description:
      - Fail, after the reports are written and uploaded, when any rule is broken at or above O(fail_severity).
      - With V(false), never fail for violations.
    type: bool
    default: true
  s3_bucket:
    description:
      - Upload the reports to this S3 bucket, owned by the caller's AWS account (or O(s3_bucket_owner)). For an
        audit across an organization, this is the bucket of the auditing (central) account.
      - Each run goes into a folder of its own, C(<s3_prefix><UTC timestamp>-<random id>/<report_name>.<ext>),
        so that two runs never overwrite each other, with a C(manifest.json) (every report's key, size, SHA-256
        and VersionId, the run's scope, outcome and counts) written after the reports.
        C(<s3_prefix>latest.json) then points to it, moved last by a conditional write (C(If-None-Match) or
        C(If-Match)), so that it never moves to an older run or to a run of another scope, whatever the controllers'
        clocks say; see RV(s3.latest_moved).
      - The S3 client takes botocore's own endpoint resolution (C(AWS_ENDPOINT_URL_S3), a profile's C(services)
        section); O(endpoint_url) is Chime's only.
      - Presigned URLs are not made, because a URL signed with temporary credentials carries the session token.
    type: str
  s3_prefix:
    description: The key prefix of the run folders and of C(latest.json); a V(/) is added when it does not end with one.
    type: str
    default: chime-account-audit/
  s3_sse:
    description:
      - Server-side encryption of the uploaded reports, V(AES256) or V(aws:kms). Without it, the bucket's default
        encryption applies.
    type: str
    choices: [AES256, aws:kms]
  s3_kms_key_id:
    description: The KMS key for O(s3_sse=aws:kms); without it, S3's AWS managed key. Needs O(s3_sse=aws:kms).
    type: str
  s3_bucket_owner:
    description:
      - The AWS account that must own O(s3_bucket) and any V(s3://) baseline's bucket, sent with every S3 call as
        C(ExpectedBucketOwner). The default is the caller's AWS account, from STS C(GetCallerIdentity).
    type: str
  s3_object_lock:
    description:
      - S3 Object Lock retention of every report and manifest uploaded (not of C(latest.json), which each run
        replaces). The bucket must have Object Lock (turned on when it was created, with versioning); it is
        checked with C(GetObjectLockConfiguration) before any Chime request, and a bucket without it fails
        naming it.
      - Needs O(s3_bucket). Needs C(s3:PutObjectRetention) and C(s3:GetBucketObjectLockConfiguration).
    type: dict
    suboptions:
      mode:
        description:
          - V(GOVERNANCE) (a user with C(s3:BypassGovernanceRetention) may still delete) or V(COMPLIANCE)
            (nobody may, not even the root user, until the date).
        type: str
        required: true
      days:
        description: How long each object is retained, in days from its upload, 1 to 36500.
        type: int
        required: true
  s3_adopt_latest:
    description:
      - With O(baseline=latest), when C(latest.json) is missing but run folders are there, make the newest run
        whose C(manifest.json) says it was complete the pointer, and compare with it, instead of failing.
    type: bool
    default: false
  baseline_unverified:
    description:
      - Compare with an V(s3://) baseline that cannot be verified (its run folder has no C(manifest.json), the
        manifest does not list it, or its SHA-256 differs). The report records it as unverified, with the reason,
        in C(source.baseline), and the run warns.
    type: bool
    default: false
  security_hub:
    description:
      - Import the findings into AWS Security Hub (CSPM) with C(BatchImportFindings), in the AWS Security Finding
        Format, at most 100 a call, after the reports are written and stored.
      - Each run reads first what Security Hub holds active of this scope (C(GetFindings)). Each open violation is
        imported V(ACTIVE) with C(Compliance.Status) V(FAILED); a waived finding only when Security Hub holds it
        active, so that a waiver never opens a case nor reopens one a person closed; and every finding Security Hub
        holds active of this scope that the run no longer has, of an AWS account it listed, again V(ARCHIVED).
      - C(Workflow), C(Note), C(UserDefinedFields), C(VerificationState) and C(Region) are never sent; severity and
        types only in C(FindingProviderFields).
      - Every finding is imported under the caller's AWS account, with the default product ARN
        C(arn:<partition>:securityhub:<region>:<caller>:product/<caller>/default); the Chime account's own AWS
        account is named in its resources and C(ProductFields).
      - Throttling is retried with the backoff options. Findings that Security Hub does not take are named in
        RV(security_hub.failed), and the run is not complete; a batch that fails for good stops the delivery. A hub
        that is not enabled, or a caller without C(securityhub:BatchImportFindings) or C(securityhub:GetFindings),
        fails the task naming the region.
      - Check mode reads what Security Hub holds, imports nothing, and says how many findings it would send.
    type: bool
    default: false
  security_hub_region:
    description:
      - The region of Security Hub for O(security_hub) and the V(asff) format. The default is the connection's
        region (O(region), or the environment's, else V(us-east-1)).
      - Refused before any request when it is not a region of the caller's partition where Security Hub is
        offered (botocore's endpoint data; partitions aws, aws-cn and aws-us-gov), or when neither O(security_hub)
        nor the V(asff) format is asked for.
    type: str
author:
  - chime.admin contributors (@chime-admin)
extends_documentation_fragment:
  - chime.admin.listing
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  action:
    support: full
    description: Runs on the controller, whatever the host.
  check_mode:
    support: full
    description: Lists and checks, and reads the baseline; writes no file and uploads nothing.
  diff_mode:
    support: none
    description: There is no diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller.
notes:
  - Runs on the controller. The AWS environment variables are the controller's, as AWX/AAP inject them, with the
    token as E(AWS_SESSION_TOKEN), as E(AWS_SECURITY_TOKEN), or both; the task's C(environment) keyword does not
    reach it.
  - Calls STS C(GetCallerIdentity) once, to record who audited and to know the bucket's expected owner.
  - "IAM permissions: C(chime:ListAccounts); with O(s3_bucket): C(s3:PutObject), and C(s3:GetObject) and
    C(s3:GetObjectVersion) for a baseline and to read C(latest.json) and manifests; C(s3:ListBucket), to find the
    run folders when C(latest.json) is missing (and without which S3 answers a missing C(latest.json) with
    AccessDenied instead of NoSuchKey); with O(s3_object_lock): C(s3:PutObjectRetention) and
    C(s3:GetBucketObjectLockConfiguration); with O(s3_sse=aws:kms): C(kms:GenerateDataKey), and C(kms:Decrypt) to
    read a baseline."
  - "A C(latest.json) that cannot be read (AccessDenied, throttling, a KMS key) fails the run: it is never taken
    for a missing one."
seealso:
  - module: chime.admin.chime_account_info
"""

EXAMPLES = r"""
- name: Audit the accounts, keep the reports and their history in S3, compare with the last run
  chime.admin.chime_account_audit:
    rules:
      no_suspended_accounts: true
      allowed_default_licenses: [Pro]
    baseline: latest
    s3_bucket: example-audit-reports
    s3_sse: aws:kms
    s3_kms_key_id: alias/audit-reports
  register: audit

- name: Report only, never fail, in check mode nothing is written
  chime.admin.chime_account_audit:
    rules:
      name_pattern: "^(eng|fin)-"
    fail_on_violation: false
    dest: /var/tmp/chime-audit
    formats: [json, html]
"""

RETURN = r"""
outcome:
  description:
    - V(compliant), V(non_compliant) (a rule is broken, at any severity; waived findings do not count), or
      V(incomplete) (the audit did not run, or its reports
      could not be stored).
  type: str
  returned: always
  sample: non_compliant
complete:
  description:
    - V(true) when every AWS account asked for was listed (or skipped as suspended or closing in Organizations),
      whatever the outcome; V(false) when the audit did not run, failed, or an AWS account was refused or failed
      under O(on_denied) V(warn) or V(skip).
    - V(non_compliant) with V(false) says both facts - violations were found among the accounts listed, and
      some AWS accounts were not listed, so their accounts were not checked. A workflow that branches on a whole
      audit reads this beside RV(outcome).
  type: bool
  returned: always
  sample: false
failure:
  description:
    - The message the audit fails with, or V(null).
    - "It starts with C(Chime account audit: non-compliant:) for violations, C(Chime account audit incomplete:)
      when the listing or the storing failed, and C(Chime account audit did not run:) for bad input."
  type: str
  returned: always
summary:
  description:
    - The report's summary, as in the JSON report; no account is named.
    - C(total), C(by_status), C(by_type), C(by_default_license), C(by_aws_account) across AWS accounts,
      C(violations) (C(total) open, C(failing) the ones that fail the job - at or above O(fail_severity) and
      let through by O(fail_gate), C(waived), C(by_rule) with the rules checked, C(by_severity), C(not_checked)),
      C(waivers) (C(active), C(expired), C(unused), C(expiring)), C(findings) (as RV(finding_counts)) and, with a
      baseline, C(changes) (C(added), C(removed), C(changed), C(not_compared)).
  type: dict
  returned: when the listing succeeded
violation_counts:
  description: The violations per rule checked (0 included); rules not checked are left out.
  type: dict
  returned: when the listing succeeded
  sample: {"no_suspended_accounts": 2, "name_pattern": 0}
severity_counts:
  description: The open violations per severity, highest first, every severity included.
  type: dict
  returned: when the listing succeeded
  sample: {"critical": 0, "high": 1, "medium": 2, "low": 0, "informational": 0}
finding_counts:
  description:
    - The findings by state since the baseline - C(new) (not in the baseline), C(open) (in it too),
      C(overdue) (new or open past their severity's deadline), C(waived), C(resolved) (in the baseline, gone
      now, for an AWS account listed by both runs) and C(not_compared) (the baseline's findings of AWS accounts
      this run did not list) - with C(since) (the baseline's time, V(null) without one) and C(by_severity)
      (the same counts for each severity).
    - The role publishes it as C(account_audit_finding_counts).
  type: dict
  returned: when the listing succeeded
  sample:
    since: "2026-11-30T06:00:00+00:00"
    new: 3
    open: 41
    overdue: 5
    waived: 2
    resolved: 2
    not_compared: 0
    by_severity:
      high: {new: 1, open: 10, overdue: 2, waived: 0, resolved: 1}
violations:
  description:
    - The first O(show_violations) open violations, in account order then rule order, each with
      C(aws_account_id), C(account_id), C(name), C(rule), C(severity), C(detail) and C(waiver) (V(null), or the
      expired waiver that matched it), and its life cycle - C(uid), C(state) (V(new) or V(open)),
      C(first_seen), C(last_seen), C(age_days), C(due) and C(overdue_days). Waived and resolved findings are in
      the reports only.
  type: list
  elements: dict
  returned: when the listing succeeded
reports:
  description: The local path of each report, by format (in check mode, where they would be written).
  type: dict
  returned: when the listing succeeded
  sample: {"json": "/srv/audit/chime-account-audit.json"}
security_hub:
  description:
    - What the delivery to Security Hub did (O(security_hub)). In check mode, C(would_send), C(would_archive) and
      C(calls=0) instead of the counts.
  type: dict
  returned: when O(security_hub=true) and the delivery ran (not when Security Hub refused it)
  contains:
    region:
      description: Security Hub's region.
      type: str
    product_arn:
      description: The product ARN the findings were imported under.
      type: str
    calls:
      description: The C(BatchImportFindings) calls made (retries not counted), one per 100 findings.
      type: int
    sent:
      description: The findings sent.
      type: int
    imported:
      description: The findings Security Hub took, resolved ones included.
      type: int
    archived:
      description: The resolved findings Security Hub took, archived.
      type: int
    failed_count:
      description: The findings Security Hub did not take.
      type: int
    failed:
      description: The first 20 findings Security Hub did not take, with their Id, AWS account, account, rule,
        error code and message.
      type: list
      elements: dict
    complete:
      description: V(true) when every finding sent was taken.
      type: bool
  sample: {"region": "us-east-1", "calls": 2, "sent": 130, "imported": 130, "archived": 2, "failed_count": 0,
           "failed": [], "complete": true,
           "product_arn": "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"}
s3:
  description: Where the reports were uploaded.
  type: dict
  returned: when O(s3_bucket) is set, the run uploaded, and not in check mode
  contains:
    bucket:
      description: The bucket.
      type: str
    run_folder:
      description: The run folder, as an C(s3://) URI.
      type: str
      sample: s3://example-audit-reports/chime-account-audit/20261201T080000Z-1a2b3c4d/
    reports:
      description: Each report's C(s3://) URI, by format.
      type: dict
    sha256:
      description: Each report's SHA-256, by format, as C(latest.json) and C(manifest.json) record it.
      type: dict
    version_ids:
      description: Each report's S3 VersionId, by format; V(null) values in a bucket without versioning.
      type: dict
    manifest:
      description: The C(s3://) URI of the run's C(manifest.json), with C(?versionId=) in a versioned bucket.
      type: str
    latest:
      description: The C(s3://) URI of C(latest.json).
      type: str
    latest_moved:
      description: Whether C(latest.json) now points to this run.
      type: bool
    latest_reason:
      description:
        - Why C(latest.json) was not moved, or V(null) when it was. V(another scope), C(it points to a newer
          run, <run folder>), or C(not every AWS account was listed).
      type: str
    s3_requests:
      description: How many S3 requests the run made (a multipart upload counts each part).
      type: int
    console_url:
      description: The S3 console's page of the run folder.
      type: str
baseline:
  description:
    - Where the baseline came from (a path, an C(s3://) URI, or C(first audit, no baseline)) and when it was made.
  type: dict
  returned: when the listing succeeded
source:
  description:
    - The report's evidence of what was audited, C(caller), C(aws_accounts), C(filters), C(scope) (what the run
      asked for, see the report reference), C(policy) and C(collection_version).
    - C(policy) records where each part of the policy came from - C(policy_file) (the file's name as given, or
      V(null)), C(exclusive), and C(origins) (for C(rules), C(custom_rules), C(severities), C(waivers) and
      C(fail_severity), V(policy_file), V(variables) or V(default)); the summary lines say it in words.
    - With a baseline, C(baseline), the evidence of what it compared with (C(uri), C(bucket), C(key),
      C(version_id), C(run_folder), C(sha256), C(scope), C(manifest) and C(verified), or C(path) for a local one).
  type: dict
  returned: when the listing succeeded
summary_lines:
  description: The summary in words, with the report locations, for a task's output; no account is named.
  type: list
  elements: str
  returned: when the listing succeeded
violation_lines:
  description: The violations in words, the first O(show_violations) of them.
  type: list
  elements: str
  returned: when the listing succeeded
generated_at:
  description: When the report was made, ISO 8601 in UTC, in the notation of the accounts' timestamps.
  type: str
  returned: when the listing succeeded
  sample: "2026-12-01T08:00:00+00:00"
"""
