# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's history in S3 (plugins/plugin_utils/_store.py S3Store), in this process, against moto in server
mode behind the fake S3's gate (SigV4, ExpectedBucketOwner on every call): conditional writes of latest.json
under a real race, repeated; unreadable and missing pointers; manifests; pinned versions; Object Lock; the
bucket-owner hook on a call boto3 makes by itself. The same flows through ansible-playbook and ansible-runner
are in test_audit_s3.py; these need many runs, which a process each would make slow."""

import concurrent.futures
import itertools
import json
import os

import botocore.exceptions
import pytest

from ansible_collections.chime.admin.plugins.plugin_utils import _store as store

from fake_chime.s3 import FakeS3

OWNER = "444455556666"
KEY, SECRET = "AKIAS3HISTORYTEST001", "s3-history-secret"
TYPES = {"json": "application/json", "csv": "text/csv"}
_names = itertools.count()


@pytest.fixture(scope="module")
def s3():
    fake = FakeS3().start()
    fake.add_credential(KEY, SECRET, OWNER)
    yield fake
    fake.stop()


def _bucket(s3, **kind):
    name = f"chime-history-{os.getpid()}-{next(_names)}"
    s3.create_bucket(name, OWNER, **kind)
    return name


@pytest.fixture
def bucket(s3):
    s3.clear_denials()
    s3.reset_log()
    name = _bucket(s3)
    yield name
    # Every S3 call of the test named the bucket's owner, the store's own and those boto3 made by itself.
    calls = [e for e in s3.requests() if e["bucket"] == name]
    assert calls and all(e["expected_owner"] == OWNER for e in calls), calls


def _store(s3, bucket, prefix="h/", **options):
    return store.S3Store(s3.client(KEY, SECRET), bucket, prefix, OWNER, **options)


def _texts(accounts):
    report = {"generated_at": "2026-12-01T08:00:00+00:00", "accounts": [{"account_id": a} for a in accounts]}
    return {"json": json.dumps(report) + "\n", "csv": "account_id\r\n" + "".join(f"{a}\r\n" for a in accounts)}


def _run(s3, bucket, accounts, stamp="20261201T080000Z", history=True, scope=None, **options):
    """One run as the audit makes it: begin (read the pointer), read the baseline, store."""
    run = _store(s3, bucket, **options)
    run.begin("r", history=history, adopt=options.pop("adopt", False) if "adopt" in options else False)
    baseline = run.read_latest() if history else (None, None)
    stored = run.store(_texts(accounts), "r", stamp, TYPES, scope=scope, outcome="compliant", counts={"accounts": 1})
    return run, baseline, stored


def _pointer(s3, bucket, prefix="h/"):
    return json.loads(s3.get(bucket, prefix + "latest.json"))


def _key(uri):
    return uri.split("/", 3)[3].split("?")[0]


def test_the_older_of_two_overlapping_runs_never_moves_the_pointer_back(s3, bucket):
    """Twenty times: two runs start from the same pointer; the one that started first is held at the gate
    while it writes latest.json, the newer one runs to the end, then the older is let go. The pointer ends on
    the newer run every time, and the older says why it did not move it. Half the rounds hold the newer one
    instead: it then moves the pointer after the older run did."""
    _run(s3, bucket, ["seed"])
    for round_ in range(20):
        older, newer = _store(s3, bucket), _store(s3, bucket)
        older.begin("r", history=True)
        newer.begin("r", history=True)  # later: its start sorts after the older run's
        slow, fast = (older, newer) if round_ % 2 == 0 else (newer, older)
        hold = s3.hold("PutObject", "h/latest.json")
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            held = pool.submit(slow.store, _texts(["a"]), "r", "20261201T080000Z", TYPES)
            assert hold.arrived.wait(60), "the slow run never wrote its pointer"
            quick = fast.store(_texts(["b"]), "r", "20261201T080000Z", TYPES)
            hold.release.set()
            late = held.result(timeout=60)
        results = {id(slow): late, id(fast): quick}
        assert _pointer(s3, bucket)["run_folder"] == _key(results[id(newer)]["run_folder"]), round_
        assert results[id(newer)]["latest_moved"] is True, round_
        if slow is older:  # the older run finds the newer one's pointer and leaves it
            assert results[id(older)]["latest_moved"] is False, round_
            assert results[id(older)]["latest_reason"].startswith("it points to a newer run"), round_
        else:  # the older run moved it first; the newer one, let go, reads it again and moves it past
            assert results[id(older)]["latest_moved"] is True, round_
    assert _pointer(s3, bucket)["generation"] == 1 + 10 + 20
    # The held writes were refused by S3's condition, not by luck: a 412 for each of the slow runs.
    refused = [e for e in s3.requests("PutObject") if e["key"] == "h/latest.json" and e["status"] == 412]
    assert len(refused) == 20


def test_a_pointer_that_cannot_be_read_is_an_error_not_a_first_audit(s3, bucket):
    _run(s3, bucket, ["a"])
    s3.deny("GetObject", "h/latest.json")
    run = _store(s3, bucket)
    with pytest.raises(store.StoreError, match=r"Could not read s3://.*/h/latest.json: .*AccessDenied.*s3:GetObject"):
        run.begin("r", history=False)
    with pytest.raises(store.StoreError, match="AccessDenied"):
        run.store(_texts(["b"]), "r", "20261202T080000Z", TYPES)  # nor is it overwritten on the way out
    s3.clear_denials()
    assert _pointer(s3, bucket)["generation"] == 1


@pytest.mark.parametrize("versioned", [False, True], ids=["deleted", "delete-marker"])
def test_run_folders_without_a_pointer_fail_naming_the_newest_run(s3, versioned):
    bucket = _bucket(s3, versioning=versioned)
    _run(s3, bucket, ["a"], stamp="20261201T080000Z")
    second = _run(s3, bucket, ["a", "b"], stamp="20261202T080000Z")[2]
    s3.delete(bucket, "h/latest.json")  # in a versioned bucket: a delete marker over every version
    if versioned:
        (newest,) = [v for v in s3.versions(bucket, "h/latest.json") if v["IsLatest"]]
        assert newest["DeleteMarker"] is True and len(s3.versions(bucket, "h/latest.json")) == 3
    run = _store(s3, bucket)
    with pytest.raises(store.StoreError) as failure:
        run.begin("r", history=True)
    message = str(failure.value)
    assert "latest.json is missing" in message and second["run_folder"] in message
    assert f"baseline: {second['reports']['json']}" in message and "s3_adopt_latest: true" in message
    run = _store(s3, bucket)
    run.begin("r", history=True, adopt=True)  # the newest complete run becomes the pointer
    report, evidence = run.read_latest()
    assert [a["account_id"] for a in report["accounts"]] == ["a", "b"] and evidence["verified"] == "manifest"
    assert evidence["uri"] == second["reports"]["json"] and "now points to" in run.warnings[0]


def test_an_incomplete_run_is_not_adopted(s3, bucket):
    complete = _run(s3, bucket, ["a"], stamp="20261201T080000Z")[2]
    partial = _store(s3, bucket)
    partial.begin("r")
    partial.store(_texts(["b"]), "r", "20261202T080000Z", TYPES, move_latest=False, outcome="incomplete")
    s3.delete(bucket, "h/latest.json")
    run = _store(s3, bucket)
    run.begin("r", history=True, adopt=True)
    assert run.read_latest()[1]["uri"] == complete["reports"]["json"]


def test_the_pointers_digest_is_what_read_latest_checks(s3, bucket):
    """The report is replaced with new bytes and a recomputed sha256 metadata: the object's own metadata
    agrees, so only the digest that latest.json recorded can tell. Then the manifest is forged to list the
    new digest as well: the manifest's digest in latest.json tells."""
    stored = _run(s3, bucket, ["a", "b", "c"])[2]
    key, manifest_key = _key(stored["reports"]["json"]), _key(stored["manifest"])
    forged = _texts(["a"])["json"].encode()
    s3.put(bucket, key, forged, metadata={"sha256": store.sha256(forged)})
    run = _store(s3, bucket)
    run.begin("r", history=True)
    with pytest.raises(store.StoreError, match="does not match its recorded SHA-256"):
        run.read_latest()
    manifest = json.loads(s3.get(bucket, manifest_key))
    manifest["reports"]["json"]["sha256"] = store.sha256(forged)
    s3.put(bucket, manifest_key, json.dumps(manifest))
    with pytest.raises(store.StoreError, match="does not match the SHA-256 its pointer recorded"):
        run.read_latest()


@pytest.mark.parametrize("how", ["no-metadata", "recomputed-metadata", "manifest-removed"])
def test_an_s3_baseline_is_checked_against_its_manifest(s3, bucket, how):
    stored = _run(s3, bucket, ["a", "b", "c"])[2]
    key = _key(stored["reports"]["json"])
    cut = _texts(["a"])["json"].encode()
    if how == "no-metadata":
        s3.put(bucket, key, cut)
    elif how == "recomputed-metadata":
        s3.put(bucket, key, cut, metadata={"sha256": store.sha256(cut)})
    else:
        s3.delete(bucket, _key(stored["manifest"]))
    run = _store(s3, bucket, prefix="")
    expected = "has no manifest" if how == "manifest-removed" else "does not match the SHA-256 its manifest recorded"
    with pytest.raises(store.StoreError, match=expected) as failure:
        run.read_report(key)
    assert "baseline_unverified: true" in str(failure.value)
    report, evidence = run.read_report(key, unverified=True)
    assert evidence["verified"] is False and evidence["unverified_reason"] and run.warnings


def test_a_versioned_object_locked_bucket_keeps_what_the_next_run_compares_with(s3):
    bucket = _bucket(s3, object_lock=True)
    lock = {"mode": "GOVERNANCE", "days": 1}
    first = _run(s3, bucket, ["a", "b", "c"], object_lock=lock)[2]
    assert all(first["version_ids"].values()) and "?versionId=" in first["manifest"]
    key = _key(first["reports"]["json"])
    s3.put(bucket, key, _texts(["a"])["json"])  # the key overwritten: a new version, the pinned one stays
    run, (report, evidence), second = _run(s3, bucket, ["a", "b", "c"], object_lock=lock)
    assert len(report["accounts"]) == 3 and evidence["version_id"] == first["version_ids"]["json"]
    assert run.read_report(key)[1]["version_id"] == first["version_ids"]["json"]  # the manifest's pin
    # Every report and manifest was uploaded with a retention; the pointer without one.
    client = s3.client(KEY, SECRET)
    for stored in (first, second):
        pinned = [(_key(stored["reports"][f]), v) for f, v in stored["version_ids"].items()]
        pinned.append((_key(stored["manifest"]), stored["manifest"].split("?versionId=")[1]))
        for name, version in pinned:
            head = client.head_object(Bucket=bucket, Key=name, VersionId=version, ExpectedBucketOwner=OWNER)
            assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"], name
    head = client.head_object(Bucket=bucket, Key="h/latest.json", ExpectedBucketOwner=OWNER)
    assert "ObjectLockMode" not in head
    with pytest.raises(botocore.exceptions.ClientError, match="AccessDenied"):
        s3.delete(bucket, key, version_id=first["version_ids"]["json"])  # a retained version cannot go
    assert second["latest_moved"] is True


def test_a_bucket_without_object_lock_fails_naming_it_and_the_permissions(s3, bucket):
    run = _store(s3, bucket, object_lock={"mode": "COMPLIANCE", "days": 30})
    with pytest.raises(store.StoreError, match=f"the bucket {bucket} has no Object Lock"):
        run.begin("r")
    s3.deny("GetBucketObjectLockConfiguration", "")
    with pytest.raises(store.StoreError, match="s3:GetBucketObjectLockConfiguration.*s3:PutObjectRetention"):
        run.begin("r")
    assert not [e for e in s3.requests() if e["operation"] == "PutObject"]


def test_another_scope_never_moves_the_pointer(s3, bucket):
    weekly = {"aws_account": OWNER, "name": None}
    _run(s3, bucket, ["a", "b"], scope=weekly)
    other = _run(s3, bucket, ["a"], stamp="20261202T080000Z", history=False, scope={"aws_account": OWNER, "name": "L"})
    assert other[2]["latest_moved"] is False and other[2]["latest_reason"] == "another scope"
    again = _run(s3, bucket, ["a", "b"], stamp="20261203T080000Z", scope=dict(reversed(list(weekly.items()))))
    assert again[2]["latest_moved"] is True and _pointer(s3, bucket)["scope"] == weekly


def test_a_failed_part_is_aborted_with_the_bucket_owner_named(s3, bucket):
    """boto3's managed transfer aborts a multipart upload after a failed part by itself, with no
    ExpectedBucketOwner of its own: the store's hook names it, and the gate would refuse the call otherwise."""
    s3.deny("UploadPart", "*")
    run = _store(s3, bucket)
    big = "x" * (store.TRANSFER["multipart_threshold"] + 1024)
    with pytest.raises(store.StoreError, match="Could not upload"):
        run.store({"json": big}, "r", "20261201T080000Z", {"json": "application/json"})
    (abort,) = s3.requests("AbortMultipartUpload")
    assert abort["expected_owner"] == OWNER and abort["status"] == 204


def test_files_written_locally_go_up_as_written_in_parts_above_the_threshold(s3, bucket, tmp_path):
    """The audit uploads the files it wrote (open, read from their start): above the multipart threshold through
    the managed transfer, below it in one PutObject, each object the bytes on disk, with the digest computed as
    they were written, in the manifest and the object's metadata."""
    big = "\u00e9" * (store.TRANSFER["multipart_threshold"] // 2 + 1024)  # two bytes each in UTF-8
    local = store.LocalStore(str(tmp_path), "r", ["json", "csv"])
    paths, written = local.write({"json": big, "csv": "a\r\n"}, keep=True)
    try:
        stored = _store(s3, bucket).store(written, "r", "20261201T080000Z", TYPES)
    finally:
        for entry in written.values():
            entry.handle.close()
    assert len(s3.requests("UploadPart")) == 2 and len(s3.requests("PutObject")) == 3  # csv, manifest, latest.json
    manifest = json.loads(s3.get(bucket, _key(stored["manifest"])))
    for name, path in paths.items():
        data = open(path, "rb").read()
        assert s3.get(bucket, _key(stored["reports"][name])) == data
        assert stored["sha256"][name] == store.sha256(data) == manifest["reports"][name]["sha256"]


def test_adopting_in_check_mode_writes_nothing(s3, bucket):
    stored = _run(s3, bucket, ["a"])[2]
    s3.delete(bucket, "h/latest.json")
    run = _store(s3, bucket)
    run.begin("r", history=True, adopt=True, check_mode=True)
    assert run.read_latest()[1]["uri"] == stored["reports"]["json"]
    assert "h/latest.json" not in s3.objects(bucket)


# ----- The trend: the counts of the last complete runs of a scope, from their manifests ----------------
SCOPE = {"scope_format": 1, "partition": "aws", "caller_account": OWNER, "aws_accounts": "caller", "role_arns": None,
         "organization_role_name": None, "names": [], "user_email": False}  # fmt: skip
OTHER = dict(SCOPE, names=["Eng"])


def _findings(high):
    """A run's summary.findings with ``high`` open high-severity findings (and one new low one)."""
    by_severity = {s: dict.fromkeys(("new", "open", "overdue", "waived", "resolved"), 0) for s in store.SEVERITIES}
    by_severity["high"]["open"], by_severity["low"]["new"] = high, 1
    return {"since": None, "new": 1, "open": high, "overdue": 0, "waived": 0, "resolved": 0, "not_compared": 0,
            "by_severity": by_severity}  # fmt: skip


def _plant_run(s3, bucket, n, scope=None, high=None, outcome="non_compliant", complete=True, prefix="h/"):
    """A run folder holding only the manifest a run of ``scope`` writes (its reports are not needed: the trend
    never reads them), with its sha256 metadata as S3Store writes it. Returns the folder's key."""
    folder = f"{prefix}2026120{1 + n // 60}T08{n % 60:02d}00Z-{n:08x}/"
    scope = SCOPE if scope is None else scope
    report = {"key": folder + "r.json", "sha256": "0" * 64, "size": 1, "version_id": None}
    run = {"run_folder": folder, "run_started": "", "base_generation": n, "scope": scope, "reports": {"json": report}}
    counts = {"accounts": 3} if high is None else {"accounts": 3, "findings": _findings(high)}
    data = store._history.manifest_json(bucket, run, outcome, counts, None, None, complete)
    s3.put(bucket, folder + "manifest.json", data, metadata={"sha256": store.sha256(data)})
    return folder


def _highs(points):
    return [point["findings"]["by_severity"]["high"]["open"] for point in points]


def test_the_trend_reads_the_last_complete_runs_of_its_scope_from_their_manifests_only(s3, bucket):
    folders = {n: _plant_run(s3, bucket, n, high=n) for n in range(1, 10)}
    _plant_run(s3, bucket, 10, OTHER, high=100)  # another scope, in the same prefix
    _plant_run(s3, bucket, 11, high=110, outcome="incomplete", complete=False)
    _plant_run(s3, bucket, 12, high=120, complete=False)  # violations found, but not every AWS account listed
    _plant_run(s3, bucket, 13)  # before the life cycle: no finding counts
    _plant_run(s3, bucket, 14, high=140, prefix="h/deeper/")  # under a prefix of its own, not a run folder of h/
    s3.delete(bucket, folders[2] + "manifest.json")  # a run that stopped before its manifest
    rewritten = json.loads(s3.get(bucket, folders[3] + "manifest.json"))
    rewritten["counts"]["findings"] = _findings(999)
    s3.put(bucket, folders[3] + "manifest.json", json.dumps(rewritten))  # changed after it was written
    s3.put(bucket, folders[4] + "manifest.json", b"{not json", metadata={"sha256": store.sha256(b"{not json")})
    moved = s3.get(bucket, folders[6] + "manifest.json")
    s3.put(bucket, folders[5] + "manifest.json", moved, metadata={"sha256": store.sha256(moved)})  # a copy
    s3.reset_log()
    reader = _store(s3, bucket)
    points = reader.read_trend(SCOPE)
    assert _highs(points) == [1, 6, 7, 8, 9]  # oldest first
    assert [point["run_folder"] for point in points] == [reader.uri(folders[n]) for n in (1, 6, 7, 8, 9)]
    assert points[0]["generated_at"] == "2026-12-01T08:01:00+00:00"  # the run folder's time, as its report's
    assert points[0]["findings"] == _findings(1)
    warned = "\n".join(reader.warnings)
    for n, why in ((3, "changed after it was written"), (4, "JSONDecodeError"), (5, "another run folder")):
        assert f"{reader.uri(folders[n])}manifest.json is left out: " in warned and why in warned, n
    assert len(reader.warnings) == 3
    # One listing, then a GET of each manifest, newest first, and not one report.
    log = [(e["operation"], e["key"]) for e in s3.requests()]
    assert log[0][0] == "ListObjectsV2"
    assert all(op == "GetObject" and key.endswith("/manifest.json") for op, key in log[1:])
    assert len(log) == 1 + 12 and reader.requests == len(log)  # folders 13 down to 1 (14 is not under h/)


def test_the_trend_holds_eleven_earlier_runs_and_reads_at_most_forty_manifests(s3, bucket):
    for n in range(1, 16):
        _plant_run(s3, bucket, n, high=n)
    reader = _store(s3, bucket)
    assert _highs(reader.read_trend(SCOPE)) == list(range(5, 16))
    assert reader.requests == 1 + 11  # it stops at the eleventh
    crowded = _bucket(s3)
    for n in range(1, 61):  # sixty runs of another scope after one of this scope
        _plant_run(s3, crowded, n, scope=SCOPE if n == 1 else OTHER, high=n)
    reader = _store(s3, crowded)
    assert reader.read_trend(SCOPE) == [] and reader.requests == 1 + 40 and not reader.warnings


def test_a_trend_that_cannot_be_listed_warns_and_never_fails_the_run(s3, bucket):
    _plant_run(s3, bucket, 1, high=1)
    s3.deny("ListObjectsV2")
    reader = _store(s3, bucket)
    assert reader.read_trend(SCOPE) == []
    (warning,) = reader.warnings
    assert warning.startswith("trend: Could not list") and "s3:ListBucket" in warning
    s3.clear_denials()
    s3.deny("GetObject", "h/*")
    reader = _store(s3, bucket)
    assert reader.read_trend(SCOPE) == [] and "That run is left out." in reader.warnings[0]
    s3.clear_denials()


def test_a_stored_run_records_whether_it_was_complete_and_its_folder_is_the_one_its_point_names(s3, bucket):
    reader = _store(s3, bucket)
    reader.begin("r", history=True)
    report = {"generated_at": "2026-12-03T08:00:00+00:00", "summary": {"findings": _findings(2)}}
    point = reader.trend_point(report)
    assert point["generated_at"] == report["generated_at"] and point["findings"] == _findings(2)
    assert point["run_folder"].startswith(reader.uri("h/20261203T080000Z-"))
    stored = reader.store(_texts(["a"]), "r", "20261203T080000Z", TYPES, move_latest=False, scope=SCOPE,
                          outcome="non_compliant", counts={"findings": _findings(2)})  # fmt: skip
    assert stored["run_folder"] == point["run_folder"]
    assert json.loads(s3.get(bucket, _key(stored["manifest"])))["complete"] is False
    again = reader.store(_texts(["a"]), "r", "20261203T080001Z", TYPES, scope=SCOPE, outcome="compliant")
    assert again["run_folder"] != stored["run_folder"]  # the name was used once
    assert json.loads(s3.get(bucket, _key(again["manifest"])))["complete"] is True
    assert _highs(_store(s3, bucket).read_trend(SCOPE)) == []  # the incomplete one is left out; the other has none
