# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift only between runs of the same scope, and never lost behind an incomplete run: AWX-style jobs (the
ansible-runner CLI, a fresh private data directory each) of docs/examples/awx/audit.yml against the fake
Chime endpoint, moto's S3 behind its gate and, for the organization, moto's STS and Organizations."""

import itertools
import json
import os

import pytest

from e2e.awx_jobs import run_job
from e2e.awx_jobs import stats_data
from fake_chime.data import audit_sample
from fake_chime.data import generate
from fake_chime.organization import MANAGEMENT_ACCESS_KEY
from fake_chime.organization import MANAGEMENT_ACCOUNT
from fake_chime.organization import MANAGEMENT_SECRET_KEY
from fake_chime.organization import FakeOrganization
from fake_chime.s3 import FakeS3
from fake_chime.server import FakeChime

TENANT, OTHER = "444455556666", "777788889999"
KEY, SECRET, TOKEN = "ASIASCOPEAUDITKEY001", "scope-audit-temporary-secret", "ScopeAuditSessionToken-9e1"
OTHER_KEY, OTHER_SECRET = "AKIASCOPEOTHERKEY001", "scope-other-account-secret"
PREFIX = "chime-account-audit/"
_buckets = itertools.count()
NO_FILE = {"AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}


@pytest.fixture(scope="module")
def services():
    """The fake Chime endpoint with two AWS accounts' tenants, and the fake S3 that knows both callers."""
    chime = FakeChime().start()
    s3 = FakeS3().start()
    s3.add_credential(KEY, SECRET, TENANT, session_token=TOKEN).add_credential(OTHER_KEY, OTHER_SECRET, OTHER)
    yield chime, s3
    s3.stop()
    chime.stop()


@pytest.fixture
def bucket(services):
    """A new bucket of TENANT for each test, the tenants served afresh; every S3 call named the owner."""
    chime, s3 = services
    chime.reset()
    chime.add_tenant(audit_sample(120, seed=7, aws_account_id=TENANT), KEY, SECRET, session_token=TOKEN)
    chime.add_tenant(audit_sample(40, seed=8, aws_account_id=OTHER), OTHER_KEY, OTHER_SECRET)
    s3.reset_log()
    name = f"chime-scope-{os.getpid()}-{next(_buckets)}"
    s3.create_bucket(name, TENANT)
    yield name
    assert all(e["expected_owner"] == TENANT for e in s3.requests() if e["bucket"] == name), s3.requests()


def _env(chime, s3, caller=TENANT):
    """What AWX injects for the caller's credential, and the fakes' endpoints."""
    if caller == TENANT:
        env = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN}
    else:
        env = {"AWS_ACCESS_KEY_ID": OTHER_KEY, "AWS_SECRET_ACCESS_KEY": OTHER_SECRET}
    return dict(env, AWS_ENDPOINT_URL_STS=chime.url, **s3.env(), **NO_FILE)


def _survey(chime, bucket, **extra):
    return dict({"account_audit_endpoint_url": chime.url, "audit_s3_bucket": bucket, "audit_fail_on_violation": False},
                **extra)  # fmt: skip


def _folders(s3, bucket, prefix=PREFIX):
    return sorted({key.rsplit("/", 1)[0] for key in s3.objects(bucket) if key.startswith(prefix) and
                   key.count("/") == prefix.count("/") + 1})  # fmt: skip


def _failure(job):
    """The message the role's last task failed with."""
    (failed,) = [e for e in job.events if e["event"] == "runner_on_failed"]
    return failed["event_data"]["res"]["msg"]


def _listing_requests(chime):
    return len(chime.requests())


def _refused_without_moving_anything(job, chime, s3, bucket, before, listed_before):
    """A refused job: failed, incomplete, no Chime request, nothing new in the bucket, latest.json as it was."""
    assert job.status == "failed" and stats_data(job)["account_audit_outcome"] == "incomplete"
    assert _listing_requests(chime) == listed_before
    assert s3.get(bucket, PREFIX + "latest.json") == before["latest"] and _folders(s3, bucket) == before["folders"]
    message = _failure(job)
    assert (
        message.startswith(f"Chime account audit did not run: the baseline s3://{bucket}/{PREFIX}")
        and "is of another scope: " in message
    )
    assert "an s3_prefix of its own (one job template per prefix) or a baseline of its own scope" in message
    return message


def _state(s3, bucket):
    return {"latest": s3.get(bucket, PREFIX + "latest.json"), "folders": _folders(s3, bucket)}


def test_a_name_filtered_run_into_the_same_prefix_is_refused_and_the_next_full_run_compares_with_the_first(
    services, bucket, tmp_path
):
    chime, s3 = services
    first = run_job(tmp_path / "1", _env(chime, s3), _survey(chime, bucket))
    assert first.status == "successful", first.stdout
    (folder,) = _folders(s3, bucket)
    before, listed = _state(s3, bucket), _listing_requests(chime)
    name = chime.tenants[TENANT].data.accounts[0]["Name"][:3]
    filtered = run_job(tmp_path / "2", _env(chime, s3), _survey(chime, bucket, account_audit_name=name))
    message = _refused_without_moving_anything(filtered, chime, s3, bucket, before, listed)
    assert f"caller AWS account {TENANT} (aws) auditing its own AWS account, every name [scope " in message
    assert f'This run\'s scope is caller AWS account {TENANT} (aws) auditing its own AWS account, names starting with "{name}"' in message  # fmt: skip  # noqa: E501
    # What the message says to change works: the filtered run in a prefix of its own.
    own = run_job(tmp_path / "2b", _env(chime, s3), _survey(chime, bucket, account_audit_name=name,
                                                            account_audit_s3_prefix="filtered/"))  # fmt: skip
    assert own.status == "successful" and "Baseline: first audit, no baseline" in own.stdout, own.stdout
    third = run_job(tmp_path / "3", _env(chime, s3), _survey(chime, bucket))
    assert third.status == "successful", third.stdout
    assert f"Baseline: s3://{bucket}/{folder}/chime-account-audit.json" in third.stdout
    changes = stats_data(third)["account_audit_summary"]["changes"]
    assert changes == {"added": 0, "removed": 0, "changed": 0, "not_compared": 0}
    assert len(_folders(s3, bucket)) == 2 and _folders(s3, bucket, "filtered/") != []


@pytest.mark.parametrize("baseline", ["own-report", "none"])
def test_a_run_never_moves_the_latest_json_of_another_scope_whatever_its_baseline(services, bucket, tmp_path, baseline):
    chime, s3 = services
    first = run_job(tmp_path / "1", _env(chime, s3), _survey(chime, bucket))
    assert first.status == "successful", first.stdout
    name = chime.tenants[TENANT].data.accounts[0]["Name"][:3]
    survey = _survey(chime, bucket, account_audit_name=name, account_audit_s3_prefix="filtered/")
    own = run_job(tmp_path / "2", _env(chime, s3), survey)
    assert own.status == "successful", own.stdout
    report = stats_data(own)["account_audit_s3"]["reports"]["json"]
    before, listed = _state(s3, bucket), _listing_requests(chime)
    # The filtered run's own report as its baseline (or none), but the full run's prefix.
    survey = _survey(
        chime, bucket, account_audit_name=name, account_audit_baseline=report if baseline != "none" else ""
    )
    into_full = run_job(tmp_path / "3", _env(chime, s3), survey)
    assert into_full.status == "failed" and _listing_requests(chime) == listed
    assert _state(s3, bucket) == before
    message = _failure(into_full)
    assert message.startswith(f"Chime account audit did not run: the run s3://{bucket}/{PREFIX}latest.json points to")
    assert "which this run would replace, is of another scope: " in message and f'"{name}"' in message


def test_two_aws_accounts_sharing_a_bucket_and_prefix_never_flip_latest(services, bucket, tmp_path):
    chime, s3 = services
    first = run_job(tmp_path / "1", _env(chime, s3), _survey(chime, bucket))
    assert first.status == "successful", first.stdout
    (folder,) = _folders(s3, bucket)
    before, listed = _state(s3, bucket), _listing_requests(chime)
    survey = _survey(chime, bucket, account_audit_s3_bucket_owner=TENANT)
    other = run_job(tmp_path / "2", _env(chime, s3, OTHER), survey)
    message = _refused_without_moving_anything(other, chime, s3, bucket, before, listed)
    assert f"is of another scope: caller AWS account {TENANT} (aws)" in message
    assert f"This run's scope is caller AWS account {OTHER} (aws)" in message
    third = run_job(tmp_path / "3", _env(chime, s3), _survey(chime, bucket))
    assert third.status == "successful", third.stdout
    assert f"Baseline: s3://{bucket}/{folder}/chime-account-audit.json" in third.stdout
    changes = stats_data(third)["account_audit_summary"]["changes"]
    assert changes == {"added": 0, "removed": 0, "changed": 0, "not_compared": 0}


def test_the_local_chain_through_a_refused_run_reports_the_deletion_and_the_suspension(services, bucket, tmp_path):
    """The documented local recurring use: ``baseline`` is the report each run overwrites."""
    chime, s3 = services
    dest = tmp_path / "reports"
    report = dest / "chime-account-audit.json"
    survey = {
        "account_audit_endpoint_url": chime.url,
        "audit_fail_on_violation": False,
        "account_audit_dest": str(dest),
    }
    survey.update(account_audit_on_denied="warn", account_audit_backoff_retries=0)
    first = run_job(tmp_path / "1", _env(chime, s3), survey)
    assert first.status == "successful", first.stdout
    survey["account_audit_baseline"] = str(report)
    chime.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])  # the account refuses
    second = run_job(tmp_path / "2", _env(chime, s3), survey)
    assert second.status == "successful", second.stdout  # a green job ...
    assert stats_data(second)["account_audit_outcome"] == "incomplete"  # ... of an incomplete report
    assert json.loads(report.read_text(encoding="utf-8"))["comparison_base"]["aws_accounts"][0]["accounts"]
    chime.set_faults(TENANT, {})
    data = chime.tenants[TENANT].data
    deleted = data.accounts.pop(30)
    suspended = data.accounts[31]
    suspended["AccountStatus"] = "Suspended"
    chime.add_tenant(data, KEY, SECRET, session_token=TOKEN)
    third = run_job(tmp_path / "3", _env(chime, s3), survey)
    assert third.status == "successful", third.stdout
    stats = stats_data(third)
    assert stats["account_audit_outcome"] == "non_compliant"
    assert stats["account_audit_summary"]["changes"] == {"added": 0, "removed": 1, "changed": 1, "not_compared": 0}
    changes = json.loads(report.read_text(encoding="utf-8"))["changes"]
    assert [a["account_id"] for a in changes["removed"]] == [deleted["AccountId"]]
    assert [(c["account_id"], list(c["fields"])) for c in changes["changed"]] == [
        (suspended["AccountId"], ["account_status"])
    ]
    assert "Baseline was incomplete; compared with the last complete run of " in third.stdout


@pytest.fixture(scope="module")
def organization():
    """An organization of the management account and three members, four Chime accounts each, and a bucket."""
    chime = FakeChime().start()
    org = FakeOrganization(chime, members=3, accounts_each=4, seed=40).start()
    s3 = FakeS3().start()
    s3.add_credential(MANAGEMENT_ACCESS_KEY, MANAGEMENT_SECRET_KEY, MANAGEMENT_ACCOUNT)
    name = f"chime-scope-org-{os.getpid()}"
    s3.create_bucket(name, MANAGEMENT_ACCOUNT)
    yield org, s3, name
    s3.stop()
    org.stop()
    chime.stop()


def test_a_role_arns_subset_after_an_organization_wide_run_is_refused_and_a_new_member_is_added(organization, tmp_path):
    org, s3, bucket = organization
    env = dict(org.env(), **s3.env(), **NO_FILE)
    survey = _survey(org.chime, bucket, account_audit_organization_role_name="ChimeAudit")
    first = run_job(tmp_path / "1", env, survey)
    assert first.status == "successful", first.stdout
    (folder,) = _folders(s3, bucket)
    before, listed = _state(s3, bucket), _listing_requests(org.chime)
    assumed = len(org.requests("AssumeRole"))
    subset = sorted(
        f"arn:aws:iam::{member}:role/ChimeAudit" for member in org.member_ids[:2]
    )  # as the scope sorts them
    refused = run_job(tmp_path / "2", env, _survey(org.chime, bucket, account_audit_role_arns=subset))
    message = _refused_without_moving_anything(refused, org.chime, s3, bucket, before, listed)
    assert f"caller AWS account {MANAGEMENT_ACCOUNT} (aws) auditing the organization through the role ChimeAudit" in message  # fmt: skip  # noqa: E501
    assert f"This run's scope is caller AWS account {MANAGEMENT_ACCOUNT} (aws) auditing 2 role ARN(s) ({subset[0]}, {subset[1]})" in message  # fmt: skip  # noqa: E501
    assert len(org.requests("AssumeRole")) == assumed  # refused before any role was assumed
    # A member joins: the same scope, its accounts real additions.
    status = org._backend().create_account(Email="joined@example.com", AccountName="joined")  # noqa: SLF001
    joined = status["CreateAccountStatus"]["AccountId"]
    org.member_ids.append(joined)
    org.chime.add_tenant(generate(3, seed=99, aws_account_id=joined), "AKIAUNUSEDJOINED0001", "unused-joined")
    third = run_job(tmp_path / "3", env, survey)
    assert third.status == "successful", third.stdout
    assert f"Baseline: s3://{bucket}/{folder}/chime-account-audit.json" in third.stdout
    changes = stats_data(third)["account_audit_summary"]["changes"]
    assert changes == {"added": 3, "removed": 0, "changed": 0, "not_compared": 0}
