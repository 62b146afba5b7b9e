# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recurring audits with their history in S3: the chime_account_audit action and the account_audit role
against the fake Chime endpoint (which also answers STS GetCallerIdentity) and moto's S3 behind a gate
that checks every request's SigV4 signature and ExpectedBucketOwner, as AWX runs scheduled jobs."""

import concurrent.futures
import itertools
import json
import os

import pytest

from e2e.awx_jobs import artifact_text
from e2e.awx_jobs import run_job
from e2e.awx_jobs import stats_data
from e2e.playbooks import FAST_RETRIES
from e2e.playbooks import playbook_runner
from fake_chime.bad_inputs import AUDIT_S3_CASES
from fake_chime.data import audit_sample
from fake_chime.s3 import FakeS3
from fake_chime.server import FakeChime

TENANT = "444455556666"
KEY, SECRET, TOKEN = "ASIAS3AUDITTEMPKEY01", "s3-audit-temporary-secret", "S3AuditSessionToken-51c0"
ACTION = "chime.admin.chime_account_audit"
KMS_KEY = "0f1e2d3c-4b5a-4697-8877-665544332211"
RULES = {"no_suspended_accounts": True, "allowed_default_licenses": ["Basic", "Plus", "Pro"]}
_buckets = itertools.count()


@pytest.fixture(scope="module")
def services():
    """The fake Chime endpoint (the audit sample, temporary credentials) and the fake S3."""
    chime = FakeChime().start()
    chime.add_tenant(audit_sample(300, seed=5, aws_account_id=TENANT), KEY, SECRET, session_token=TOKEN)
    s3 = FakeS3().start()
    s3.add_credential(KEY, SECRET, TENANT, session_token=TOKEN).add_kms_key(KMS_KEY)
    yield chime, s3
    s3.stop()
    chime.stop()


@pytest.fixture
def bucket(services):
    """A new bucket of the caller's AWS account for each test (moto's state is global); logs emptied."""
    chime, s3 = services
    chime.reset()
    chime.add_tenant(audit_sample(300, seed=5, aws_account_id=TENANT), KEY, SECRET, session_token=TOKEN)
    s3.clear_denials()
    s3.reset_log()
    name = f"chime-audit-{os.getpid()}-{next(_buckets)}"
    s3.create_bucket(name, TENANT)
    yield name
    # Every S3 call of the test named the bucket's owner.
    assert all(e["expected_owner"] == TENANT for e in s3.requests() if e["bucket"] == name), s3.requests()


def aws_env(chime, s3):
    """What AWX injects (the temporary key pair, the token under both names), and the fakes' endpoints."""
    env = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN}
    env.update(AWS_SECURITY_TOKEN=TOKEN, AWS_ENDPOINT_URL_STS=chime.url, **s3.env())
    return env


def audit(services, tmp_path, **args):
    """Run the action once through ansible-playbook; returns (rc, registered result, output)."""
    chime, s3 = services
    options = dict({"endpoint_url": chime.url, **FAST_RETRIES, "dest": str(tmp_path / "reports")}, **args)
    options.setdefault("fail_on_violation", False)
    options.setdefault("rules", RULES)
    check = options.pop("_check", False)
    tmp_path.mkdir(parents=True, exist_ok=True)
    result = playbook_runner(tmp_path)(
        [{ACTION: options, "register": "r", "ignore_errors": True}],
        env=aws_env(chime, s3),
        args=["--check"] if check else [],
    )
    return result.rc, result.saved["r"], result.output


def runs(s3, bucket, prefix="chime-account-audit/"):
    """The run folders in the bucket, oldest first, with their objects' names."""
    folders = {}
    for key in s3.objects(bucket):
        if key.startswith(prefix) and key.count("/") == prefix.count("/") + 1:
            folder, name = key.rsplit("/", 1)
            folders.setdefault(folder + "/", []).append(name)
    return dict(sorted(folders.items()))


def latest(s3, bucket, prefix="chime-account-audit/"):
    return json.loads(s3.get(bucket, prefix + "latest.json"))


ALL = [f"chime-account-audit.{extension}" for extension in ("csv", "findings.csv", "html", "json", "md")]
IN_S3 = sorted([*ALL, "manifest.json"])  # a run folder: the reports and the run's manifest


def test_two_scheduled_jobs_keep_their_history_in_s3(services, bucket, tmp_path):
    chime, s3 = services
    survey = {"account_audit_endpoint_url": chime.url, "audit_s3_bucket": bucket, "audit_fail_on_violation": False}
    envvars = dict(aws_env(chime, s3), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    first = run_job(tmp_path / "first", envvars, survey)  # a private data directory of its own
    assert first.status == "successful", first.stdout
    assert "Baseline: first audit, no baseline" in first.stdout
    (folder,) = runs(s3, bucket)
    first_stats = stats_data(first)
    assert first_stats["account_audit_outcome"] == "non_compliant"
    assert first_stats["account_audit_s3"]["run_folder"] == f"s3://{bucket}/{folder}"
    assert "changes" not in first_stats["account_audit_summary"]

    # Between the jobs the accounts change: one removed, one suspended, one added.
    data = chime.tenants[TENANT].data
    removed = data.accounts.pop(10)
    data.accounts[11]["AccountStatus"] = "Suspended"
    data.accounts.append(dict(data.accounts[12], AccountId="00000000-0000-4000-8000-0000000000aa", Name="Added"))
    chime.add_tenant(data, KEY, SECRET, session_token=TOKEN)

    second = run_job(tmp_path / "second", envvars, survey)
    assert second.status == "successful", second.stdout
    stats = stats_data(second)
    assert stats["account_audit_summary"]["changes"] == {"added": 1, "removed": 1, "changed": 1, "not_compared": 0}
    folders = runs(s3, bucket)
    assert len(folders) == 2 and all(sorted(names) == IN_S3 for names in folders.values())
    newest = list(folders)[-1]
    assert latest(s3, bucket)["run_folder"] == newest and stats["account_audit_s3"]["run_folder"].endswith(newest)
    report = json.loads(s3.get(bucket, f"{newest}chime-account-audit.json"))
    assert [a["account_id"] for a in report["changes"]["removed"]] == [removed["AccountId"]]
    assert f"Baseline: s3://{bucket}/{folder}chime-account-audit.json" in second.stdout
    assert stats["account_audit_s3"]["console_url"].startswith("https://s3.console.aws.amazon.com/s3/buckets/")
    for job in (first, second):
        text = artifact_text(job.artifacts)
        assert SECRET not in text and TOKEN not in text and "X-Amz-Security-Token" not in text


def test_a_denied_upload_fails_clearly_and_latest_keeps_the_last_complete_run(services, bucket, tmp_path):
    chime, s3 = services
    rc, good, _output = audit(services, tmp_path / "a", s3_bucket=bucket, baseline="latest")
    assert rc == 0 and good["outcome"] == "non_compliant"
    s3.deny_put("*.csv")
    rc, denied, output = audit(services, tmp_path / "b", s3_bucket=bucket, baseline="latest")
    assert rc == 0 and denied["failed"] and denied["outcome"] == "incomplete"
    message = denied["failure"]
    assert message.startswith("Chime account audit incomplete: Could not upload s3://" + bucket + "/")
    assert "chime-account-audit.csv" in message and "s3:PutObject" in message and f"bucket {bucket}" in message
    assert "latest.json was not moved" in message
    assert sorted(os.listdir(tmp_path / "b" / "reports")) == ALL  # the local reports are written all the same
    assert latest(s3, bucket)["run_folder"] == good["s3"]["run_folder"].split("/", 3)[3]
    s3.clear_denials()
    rc, third, _output = audit(services, tmp_path / "c", s3_bucket=bucket, baseline="latest")
    assert rc == 0 and third["baseline"]["source"] == good["s3"]["reports"]["json"]


def test_a_missing_kms_key_names_the_permission(services, bucket, tmp_path):
    rc, result, _output = audit(services, tmp_path, s3_bucket=bucket, s3_sse="aws:kms", s3_kms_key_id="missing-key")
    assert result["outcome"] == "incomplete" and "kms:GenerateDataKey" in result["failure"]
    assert "s3:PutObject" in result["failure"] and "latest.json" not in str(services[1].objects(bucket))
    rc, result, _output = audit(services, tmp_path / "ok", s3_bucket=bucket, s3_sse="aws:kms", s3_kms_key_id=KMS_KEY)
    assert result["outcome"] == "non_compliant", result
    puts = services[1].requests("PutObject")
    assert {(e["sse"], e["kms_key_id"]) for e in puts if e["status"] == 200} == {("aws:kms", KMS_KEY)}


def test_two_runs_at_once_both_land_and_latest_names_one(services, bucket, tmp_path):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda n: audit(services, tmp_path / n, s3_bucket=bucket), ["x", "y"]))
    assert [rc for rc, _r, _o in results] == [0, 0]
    folders = runs(services[1], bucket)
    assert len(folders) == 2 and all(sorted(names) == IN_S3 for names in folders.values())
    assert latest(services[1], bucket)["run_folder"] in folders
    assert {r["s3"]["run_folder"] for _rc, r, _o in results} == {f"s3://{bucket}/{f}" for f in folders}


def test_the_action_alone_module_defaults_check_mode_and_a_result_without_accounts(services, bucket, tmp_path):
    chime, s3 = services
    defaults = {"group/chime.admin.aws": {"endpoint_url": chime.url, "page_size": 50}}
    args = {"s3_bucket": bucket, "dest": str(tmp_path / "r"), "fail_on_violation": False, "rules": RULES}
    task = {ACTION: args, "register": "r"}
    environment = aws_env(chime, s3)
    play = playbook_runner(tmp_path)
    checked = play([task], env=environment, args=["--check"], play_extra={"module_defaults": defaults})
    assert checked.rc == 0, checked.output
    assert s3.objects(bucket) == [] and not (tmp_path / "r").exists()  # check mode: nothing written anywhere
    assert f"Would upload to: s3://{bucket}/chime-account-audit/<run folder>/" in checked.saved["r"]["summary_lines"]
    assert len(chime.requests()) == 6  # module_defaults reached the action: pages of 50
    done = play([task], env=environment, play_extra={"module_defaults": defaults})
    assert done.rc == 0 and done.saved["r"]["changed"] is True
    result = done.saved["r"]
    # No account list: the only accounts the result names are those of the violations it shows.
    text = json.dumps(result)
    named = {a["AccountId"] for a in chime.tenants[TENANT].data.accounts if a["AccountId"] in text}
    assert "accounts" not in result and named == {v["account_id"] for v in result["violations"]}
    assert len(text) < 20_000 and len(result["violations"]) <= 20
    assert result["source"]["caller"] == f"arn:aws:sts::{TENANT}:assumed-role/FakeAuditor/fake-session"
    assert len(runs(s3, bucket)) == 1


@pytest.mark.parametrize(
    "args,message",
    [
        ({"s3_bucket": "Bad_Bucket"}, "s3_bucket must be an S3 bucket name"),
        ({"s3_bucket": "ok-bucket", "s3_sse": "DES"}, "s3_sse"),
        ({"s3_bucket": "ok-bucket", "s3_kms_key_id": KMS_KEY}, "s3_kms_key_id needs s3_sse: aws:kms"),
        ({"baseline": "s3://ok-bucket"}, "baseline must be s3://<bucket>/<key>"),
        ({"baseline": "s3://Bad_Bucket/key.json"}, "baseline must be an S3 bucket name"),
        ({"s3_bucket": "ok-bucket", "s3_prefix": "../up/"}, "s3_prefix"),
        ({"s3_bucket": "ok-bucket", "s3_bucket_owner": "12345"}, "s3_bucket_owner must be a 12-digit"),
        ({"report_name": "a/../../b"}, "report_name must be a plain file name"),
        *((options, words) for _case, options, words in AUDIT_S3_CASES),
    ],
    ids=["bucket", "sse", "kms-without-sse", "uri-without-key", "uri-bucket", "prefix", "owner", "name"]
    + [case for case, _options, _words in AUDIT_S3_CASES],
)
def test_bad_s3_input_fails_before_any_request(services, bucket, tmp_path, args, message):
    chime, s3 = services
    rc, result, _output = audit(services, tmp_path, **args)
    assert result["failed"] and result["outcome"] == "incomplete", result
    assert result["failure"].startswith("Chime account audit did not run: ") and message in result["failure"]
    assert chime.log == [] and s3.requests() == [] and not (tmp_path / "reports").exists()


@pytest.mark.parametrize("body", [b"{not json", b'{"accounts": 3}', None], ids=["malformed", "not-a-report", "missing"])
def test_an_unreadable_baseline_object_fails_before_any_chime_request(services, bucket, tmp_path, body):
    chime, s3 = services
    if body is not None:
        s3.put(bucket, "old/report.json", body)
    rc, result, _output = audit(services, tmp_path, baseline=f"s3://{bucket}/old/report.json")
    assert result["outcome"] == "incomplete" and f"s3://{bucket}/old/report.json" in result["failure"]
    assert chime.requests() == [] and not (tmp_path / "reports").exists()


def test_the_older_of_two_overlapping_runs_leaves_latest_to_the_newer(services, bucket, tmp_path):
    """Two ansible-playbook runs from the same pointer: the one that started first is held by the gate at
    its write of latest.json until the newer one has finished. S3's If-Match refuses the older one's write;
    it reads the pointer again, finds the newer run, and says why it did not move it."""
    chime, s3 = services
    rc, seed, _output = audit(services, tmp_path / "seed", s3_bucket=bucket, baseline="latest")
    assert seed["s3"]["latest_moved"] is True
    hold = s3.hold("PutObject", "chime-account-audit/latest.json")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        older = pool.submit(audit, services, tmp_path / "older", s3_bucket=bucket, baseline="latest")
        assert hold.arrived.wait(300), "the older run never wrote its pointer"
        _rc, newer, _output = audit(services, tmp_path / "newer", s3_bucket=bucket, baseline="latest")
        hold.release.set()
        _rc, late, _output = older.result(timeout=300)
    assert newer["s3"]["latest_moved"] is True and late["s3"]["latest_moved"] is False
    assert late["s3"]["latest_reason"] == f"it points to a newer run, {newer['s3']['run_folder']}"
    assert f"Not moved: s3://{bucket}/chime-account-audit/latest.json (it points to a newer run" in str(
        late["summary_lines"]
    )
    pointer = latest(s3, bucket)
    assert f"s3://{bucket}/{pointer['run_folder']}" == newer["s3"]["run_folder"] and pointer["generation"] == 2
    assert [e["status"] for e in s3.requests("PutObject") if e["key"].endswith("latest.json")][-2:] == [200, 412]


def test_a_pointer_that_cannot_be_read_fails_before_any_chime_request(services, bucket, tmp_path):
    chime, s3 = services
    audit(services, tmp_path / "a", s3_bucket=bucket, baseline="latest")
    s3.deny("GetObject", "chime-account-audit/latest.json")
    before = len(chime.requests())
    rc, result, _output = audit(services, tmp_path / "b", s3_bucket=bucket)  # no baseline: the pointer all the same
    assert result["outcome"] == "incomplete" and "AccessDenied" in result["failure"]
    assert "latest.json" in result["failure"] and "s3:GetObject" in result["failure"]
    assert len(chime.requests()) == before and len(runs(s3, bucket)) == 1
    s3.clear_denials()


def test_a_deleted_pointer_fails_the_job_naming_the_newest_run_then_adopt_latest_goes_on(services, tmp_path):
    """AWX jobs on a versioned bucket: latest.json gets a delete marker; the next job fails as incomplete,
    naming the newest run folder and both ways on, before any Chime request; a job with
    account_audit_s3_adopt_latest compares with the newest complete run and puts the pointer back."""
    chime, s3 = services
    s3.clear_denials()
    name = f"chime-audit-{os.getpid()}-{next(_buckets)}"
    s3.create_bucket(name, TENANT, versioning=True)
    survey = {"account_audit_endpoint_url": chime.url, "audit_s3_bucket": name, "audit_fail_on_violation": False}
    envvars = dict(aws_env(chime, s3), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    first = run_job(tmp_path / "first", envvars, survey)
    assert first.status == "successful", first.stdout
    (folder,) = runs(s3, name)
    s3.delete(name, "chime-account-audit/latest.json")  # a delete marker: every version is still there
    before = len(chime.requests())
    lost = run_job(tmp_path / "lost", envvars, survey)
    assert lost.status == "failed" and stats_data(lost)["account_audit_outcome"] == "incomplete"
    assert "latest.json is missing" in lost.stdout and f"s3://{name}/{folder}" in lost.stdout
    assert f"baseline: s3://{name}/{folder}chime-account-audit.json" in lost.stdout
    assert "s3_adopt_latest: true" in lost.stdout and "Baseline: first audit" not in lost.stdout
    assert len(chime.requests()) == before
    adopted = run_job(tmp_path / "adopted", envvars, dict(survey, account_audit_s3_adopt_latest=True))
    assert adopted.status == "successful", adopted.stdout
    assert f"Baseline: s3://{name}/{folder}chime-account-audit.json" in adopted.stdout
    assert stats_data(adopted)["account_audit_summary"]["changes"]["added"] == 0
    assert latest(s3, name)["run_folder"] == list(runs(s3, name))[-1]
    assert all(e["expected_owner"] == TENANT for e in s3.requests() if e["bucket"] == name)


def test_an_object_locked_bucket_pins_the_baseline_and_records_the_chain(services, tmp_path):
    chime, s3 = services
    s3.clear_denials()
    name = f"chime-audit-{os.getpid()}-{next(_buckets)}"
    s3.create_bucket(name, TENANT, object_lock=True)
    lock = {"mode": "COMPLIANCE", "days": 1}
    rc, first, _output = audit(services, tmp_path / "a", s3_bucket=name, baseline="latest", s3_object_lock=lock)
    assert first["outcome"] == "non_compliant" and first["s3"]["latest_moved"], first
    json_uri = first["s3"]["reports"]["json"]
    key = json_uri.split("/", 3)[3]
    s3.put(name, key, json.dumps({"accounts": []}))  # overwritten: a new version; the pinned one stays
    rc, second, _output = audit(services, tmp_path / "b", s3_bucket=name, baseline="latest", s3_object_lock=lock)
    assert second["summary"]["changes"] == {"added": 0, "removed": 0, "changed": 0, "not_compared": 0}
    report = json.loads(s3.get(name, second["s3"]["reports"]["json"].split("/", 3)[3]))
    chain = report["source"]["baseline"]
    assert chain["uri"] == json_uri and chain["version_id"] == first["s3"]["version_ids"]["json"]
    assert chain["sha256"] == first["s3"]["sha256"]["json"] and chain["verified"] == "manifest"
    assert chain["run_folder"] == first["s3"]["run_folder"] and "scope" in chain
    manifest = json.loads(s3.get(name, second["s3"]["manifest"].split("/", 3)[3].split("?")[0]))
    assert manifest["baseline"]["version_id"] == chain["version_id"] and manifest["object_lock"] == lock
    assert manifest["outcome"] == "non_compliant" and manifest["counts"]["accounts"] == 300
    with pytest.raises(Exception, match="AccessDenied"):
        s3.delete(name, key, version_id=first["s3"]["version_ids"]["json"])
    calls = [e for e in s3.requests() if e["bucket"] == name]
    assert {"GetBucketObjectLockConfiguration", "PutObject", "GetObject"} <= {e["operation"] for e in calls}
    assert all(e["expected_owner"] == TENANT for e in calls), calls


def test_a_bucket_without_object_lock_fails_before_any_chime_request(services, bucket, tmp_path):
    chime, s3 = services
    before = len(chime.requests())
    lock = {"mode": "GOVERNANCE", "days": 7}
    rc, result, _output = audit(services, tmp_path, s3_bucket=bucket, s3_object_lock=lock)
    assert result["outcome"] == "incomplete" and f"the bucket {bucket} has no Object Lock" in result["failure"]
    assert len(chime.requests()) == before and s3.objects(bucket) == []


@pytest.mark.parametrize("how", ["no-metadata", "recomputed-metadata", "manifest-removed"])
def test_an_s3_baseline_rewritten_is_refused_unless_accepted_unverified(services, bucket, tmp_path, how):
    chime, s3 = services
    rc, first, _output = audit(services, tmp_path / "a", s3_bucket=bucket)
    uri = first["s3"]["reports"]["json"]
    key = uri.split("/", 3)[3]
    original = json.loads(s3.get(bucket, key))
    cut = json.dumps(dict(original, accounts=original["accounts"][:5])).encode()
    if how == "manifest-removed":
        s3.delete(bucket, first["s3"]["manifest"].split("/", 3)[3])
    else:
        s3.put(bucket, key, cut, metadata={"sha256": store_sha256(cut)} if how == "recomputed-metadata" else None)
    before = len(chime.requests())
    rc, refused, _output = audit(services, tmp_path / "b", baseline=uri)
    assert refused["outcome"] == "incomplete" and "cannot be verified" in refused["failure"]
    assert "baseline_unverified: true" in refused["failure"] and len(chime.requests()) == before
    rc, accepted, _output = audit(services, tmp_path / "c", baseline=uri, baseline_unverified=True)
    assert accepted["outcome"] == "non_compliant" and any("baseline_unverified" in w for w in accepted["warnings"])
    assert accepted["source"]["baseline"]["verified"] is False
    if how != "manifest-removed":
        assert accepted["summary"]["changes"]["added"] == 295  # what the cut baseline makes of it, as asked


def store_sha256(data):
    import hashlib

    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("door", ["action", "awx_job"])
def test_an_incomplete_run_is_stored_but_latest_json_stays_on_the_last_complete_run(services, bucket, tmp_path, door):
    """The pointer for an incomplete run: a run whose only AWS account refuses (on_denied warn) is stored in a run
    folder of its own, but latest.json, the next run's baseline, stays on the last complete run. Through the
    action (ansible-playbook, its result) and through the role as AWX runs it (set_stats and the job's output)."""
    chime, s3 = services
    survey = {"account_audit_endpoint_url": chime.url, "audit_s3_bucket": bucket, "audit_fail_on_violation": False}
    envvars = dict(aws_env(chime, s3), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)

    def run(name, **extra):
        """(outcome, complete, the s3 result, the job's output) of one run through the door."""
        if door == "action":
            _rc, result, output = audit(services, tmp_path / name, s3_bucket=bucket, baseline="latest", **extra)
            return result["outcome"], result["complete"], result["s3"], "\n".join(result["summary_lines"])
        job = run_job(tmp_path / name, envvars, dict(survey, **{f"account_audit_{k}": v for k, v in extra.items()}))
        assert job.status == "successful", job.stdout
        stats = stats_data(job)
        return stats["account_audit_outcome"], stats["account_audit_complete"], stats["account_audit_s3"], job.stdout

    _outcome, complete, stored, _output = run("complete")
    assert complete is True and stored["latest_moved"] is True
    kept = latest(s3, bucket)["run_folder"]
    chime.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    outcome, complete, stored, output = run("partial", on_denied="warn")
    assert (outcome, complete) == ("incomplete", False)
    assert (stored["latest_moved"], stored["latest_reason"]) == (False, "not every AWS account was listed")
    assert f"Not moved: s3://{bucket}/chime-account-audit/latest.json (not every AWS account was listed)" in output
    manifest = json.loads(s3.get(bucket, stored["manifest"].split("/", 3)[3].split("?")[0]))
    assert manifest["outcome"] == "incomplete" and len(runs(s3, bucket)) == 2
    assert latest(s3, bucket)["run_folder"] == kept


@pytest.mark.parametrize("door", ["action", "awx_job"])
def test_a_latest_baseline_changed_after_it_was_written_is_refused_by_its_digest(services, bucket, tmp_path, door):
    """The digest of baseline: latest: the report latest.json points to is overwritten in place (an unversioned
    bucket), with sha256 metadata recomputed to match; latest.json and the run's manifest still record the digest
    of what was written. The next run refuses it before any Chime request, through the action and through the
    role as AWX runs it."""
    chime, s3 = services
    survey = {"account_audit_endpoint_url": chime.url, "audit_s3_bucket": bucket, "audit_fail_on_violation": False}
    envvars = dict(aws_env(chime, s3), AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)

    def run(name):
        """(outcome, failure or None, the job's output) of one run with baseline: latest through the door."""
        if door == "action":
            _rc, result, output = audit(services, tmp_path / name, s3_bucket=bucket, baseline="latest")
            return result["outcome"], result.get("failure"), output
        job = run_job(tmp_path / name, envvars, survey)
        stats = stats_data(job)
        return stats["account_audit_outcome"], job.stdout if job.status == "failed" else None, job.stdout

    outcome, failure, _output = run("first")
    assert outcome == "non_compliant" and failure is None
    pointer = latest(s3, bucket)
    key = pointer["reports"]["json"]["key"]
    original = json.loads(s3.get(bucket, key))
    cut = json.dumps(dict(original, accounts=original["accounts"][:5])).encode()
    s3.put(bucket, key, cut, metadata={"sha256": store_sha256(cut)})
    before = len(chime.requests())
    outcome, failure, _output = run("second")
    assert outcome == "incomplete" and failure is not None
    assert f"baseline: s3://{bucket}/{key} does not match its recorded SHA-256" in failure, failure
    assert len(chime.requests()) == before and latest(s3, bucket) == pointer


def test_a_report_too_large_for_one_put_names_the_bucket_owner_even_in_the_abort_boto3_sends(
    services, bucket, tmp_path
):
    """The bucket-owner hook through the action: a JSON report above the multipart threshold goes up through
    boto3's managed transfer, whose AbortMultipartUpload after a refused part carries no ExpectedBucketOwner of its
    own. The audit fails naming the upload, and every S3 call, the abort included, named the owner (the bucket
    fixture checks that after the test)."""
    chime, s3 = services
    chime.add_tenant(audit_sample(30000, seed=5, aws_account_id=TENANT), KEY, SECRET, session_token=TOKEN)
    s3.deny("UploadPart", "*")
    _rc, result, _output = audit(services, tmp_path, s3_bucket=bucket, formats=["json"], page_size=200)
    assert result["outcome"] == "incomplete" and "Could not upload" in result["failure"], result.get("failure")
    (abort,) = s3.requests("AbortMultipartUpload")
    assert abort["expected_owner"] == TENANT and abort["status"] == 204
    assert s3.requests("CreateMultipartUpload") and "chime-account-audit/latest.json" not in s3.objects(bucket)
