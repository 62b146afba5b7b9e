# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of where the audit's reports go: names, the local directory, and the S3 run folders
(plugins/plugin_utils/_store.py).

A private plugin_utils module ``_<name>.py`` is tested in ``test_<name>.py``, its name without the underscore.
"""

import io
import json
import os
import stat

import pytest

from ansible_collections.chime.admin.plugins.plugin_utils import _store as store


@pytest.mark.parametrize(
    "name",
    ["", "  ", "../escaped", "a/b", "a\\b", "..", "x..y", "nul\x00", "line\nbreak", "tab\t", "del\x7f", "é" * 101],
)
def test_a_report_name_must_be_a_plain_file_name(name):
    with pytest.raises(store.StoreError, match="report_name"):
        store.check_report_name(name)


@pytest.mark.parametrize("name", ["chime-account-audit", "Zürich audit 2026", "audit.v2"])
def test_plain_names_are_accepted(name):
    assert store.check_report_name(name) == name


def test_a_missing_directory_is_created_0750_and_reports_are_0640(tmp_path):
    local = store.LocalStore(str(tmp_path / "new" / "dir"), "r", ["json", "markdown"])
    local.check()
    written = local.write({"json": "{}\n", "markdown": "# é\n"})
    assert written == {"json": str(tmp_path / "new/dir/r.json"), "markdown": str(tmp_path / "new/dir/r.md")}
    assert stat.S_IMODE(os.stat(tmp_path / "new" / "dir").st_mode) == 0o750
    assert all(stat.S_IMODE(os.stat(path).st_mode) == 0o640 for path in written.values())
    assert (tmp_path / "new/dir/r.md").read_text(encoding="utf-8") == "# é\n"
    assert sorted(os.listdir(tmp_path / "new" / "dir")) == ["r.json", "r.md"]  # no temporary file left


def test_an_existing_directory_and_a_symlinks_target_keep_their_mode(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    link = tmp_path / "link"
    link.symlink_to(shared)
    for directory in (shared, link):
        store.LocalStore(str(directory), "r", ["json"]).write({"json": "{}"})
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o1777
    assert link.is_symlink() and (shared / "r.json").exists()


def test_a_symlink_at_a_reports_path_is_refused_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("precious")
    (tmp_path / "r.json").symlink_to(target)
    local = store.LocalStore(str(tmp_path), "r", ["json"])
    with pytest.raises(store.StoreError, match="is a symlink"):
        local.check()
    with pytest.raises(store.StoreError, match="is a symlink"):
        local.write({"json": "{}"})
    assert target.read_text() == "precious"


def test_a_destination_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(store.StoreError, match="exists and is not a directory"):
        store.LocalStore(str(tmp_path / "f"), "r", ["json"]).check()
    store.LocalStore(str(tmp_path / "f"), "r", []).check()  # no format, nothing to write, nothing to refuse


def test_a_crash_mid_write_leaves_the_previous_report_whole(tmp_path, monkeypatch):
    local = store.LocalStore(str(tmp_path), "r", ["json"])
    local.write({"json": '{"accounts": [1]}'})

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt  # the process is stopped between writing and renaming

    monkeypatch.setattr(store.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        local.write({"json": '{"accounts": [1, 2]}'})
    assert json.loads((tmp_path / "r.json").read_text()) == {"accounts": [1]}
    assert os.listdir(tmp_path) == ["r.json"]


@pytest.mark.parametrize(
    "data,match",
    [(b"{not json", "is not a JSON report"), (b'{"accounts": "x"}', "no list of accounts"), (b"\xff", "is not a JSON")],
)
def test_a_local_baseline_must_be_a_report(tmp_path, data, match):
    (tmp_path / "b.json").write_bytes(data)
    with pytest.raises(store.StoreError, match=match):
        store.read_local_report(str(tmp_path / "b.json"))
    with pytest.raises(store.StoreError, match="no such file"):
        store.read_local_report(str(tmp_path / "missing.json"))


@pytest.mark.parametrize("bucket", ["ab", "Upper", "under_score", "-start", "end-", "a..b", "192.168.1.1", "x" * 64])
def test_bucket_names_follow_s3s_rules(bucket):
    with pytest.raises(store.StoreError, match="s3_bucket must be an S3 bucket name"):
        store.check_bucket("s3_bucket", bucket)


def test_prefixes_and_uris():
    assert store.check_prefix("audits") == "audits/" and store.check_prefix("") == ""
    for prefix in ("/abs/", "a/../b/", "a/./b", "ctl\x01/"):
        with pytest.raises(store.StoreError, match="s3_prefix"):
            store.check_prefix(prefix)
    assert store.parse_s3_uri("baseline", "s3://my-bucket/a/b.json") == ("my-bucket", "a/b.json")
    for uri in ("s3://my-bucket", "s3://my-bucket/", "s3://Bad_Bucket/k", "https://x/y"):
        with pytest.raises(store.StoreError, match="baseline"):
            store.parse_s3_uri("baseline", uri)


class _Client:
    """The S3 client calls the store makes, over a dict (unversioned); uploads of keys ending ``deny_suffix``
    are refused; PutObject honours If-Match and If-None-Match as S3 does."""

    def __init__(self):
        self.objects, self.calls, self.deny_suffix, self.handlers = {}, [], None, {}
        self.meta = type("Meta", (), {"events": self})()

    def register(self, event, handler, unique_id=None):
        self.handlers[unique_id] = (event, handler)  # botocore keeps one handler per unique_id

    @staticmethod
    def _error(code, operation):
        from botocore.exceptions import ClientError

        return ClientError({"Error": {"Code": code, "Message": code}}, operation)

    def put_object(self, Bucket, Key, Body, ExpectedBucketOwner, Metadata, IfMatch=None, IfNoneMatch=None, **_extra):  # noqa: N803
        self.calls.append(("put", Key, ExpectedBucketOwner))
        if self.deny_suffix and Key.endswith(self.deny_suffix):
            raise self._error("AccessDenied", "PutObject")
        if IfNoneMatch == "*" and Key in self.objects:
            raise self._error("PreconditionFailed", "PutObject")
        if IfMatch is not None and (Key not in self.objects or self.etag(Key) != IfMatch):
            raise self._error("PreconditionFailed" if Key in self.objects else "NoSuchKey", "PutObject")
        self.objects[Key] = (bytes(Body), dict(Metadata))
        return {"ETag": self.etag(Key)}

    def etag(self, key):
        import hashlib

        return '"' + hashlib.md5(self.objects[key][0]).hexdigest() + '"'  # noqa: S324 (S3's ETag)

    def get_object(self, Bucket, Key, ExpectedBucketOwner, VersionId=None):  # noqa: N803
        self.calls.append(("get", Key, ExpectedBucketOwner))
        if Key not in self.objects:
            raise self._error("NoSuchKey", "GetObject")
        data, metadata = self.objects[Key]
        return {"Body": io.BytesIO(data), "Metadata": metadata, "ETag": self.etag(Key)}

    def list_objects_v2(self, Bucket, Prefix, Delimiter, ExpectedBucketOwner, ContinuationToken=None):  # noqa: N803
        self.calls.append(("list", Prefix, ExpectedBucketOwner))
        folders = sorted(
            {
                Prefix + k[len(Prefix) :].split("/")[0] + "/"
                for k in self.objects
                if k.startswith(Prefix) and "/" in k[len(Prefix) :]
            }
        )
        return {"CommonPrefixes": [{"Prefix": f} for f in folders], "IsTruncated": False}


TEXTS = {"json": '{"accounts": []}\n', "csv": "a\r\n"}
TYPES = {"json": "application/json", "csv": "text/csv"}


def test_a_run_goes_into_its_own_folder_and_latest_is_written_last():
    client = _Client()
    s3 = store.S3Store(client, "audit-bucket", "p/", "111122223333", "AES256")
    first = s3.store(TEXTS, "r", "20261201T080000Z", TYPES)
    second = s3.store(TEXTS, "r", "20261201T080001Z", TYPES)
    assert first["run_folder"] != second["run_folder"] and first["run_folder"].startswith("s3://audit-bucket/p/2026")
    folders = {s3.new_run_folder("20261201T080000Z") for _run in range(50)}
    assert len(folders) == 50  # runs in the same second still get folders of their own
    puts = [c[1] for c in client.calls if c[0] == "put"]
    assert puts[-1] == "p/latest.json"
    assert [key.rsplit("/", 1)[1] for key in puts] == ["r.json", "r.csv", "manifest.json", "latest.json"] * 2
    assert {c[2] for c in client.calls} == {"111122223333"}  # every call names the expected owner
    registered = list(client.handlers.values())  # and so does every call boto3 makes on its own
    assert len(registered) == 1
    event, handler = registered[0]
    params = {}
    handler(params=params)
    assert event == "before-parameter-build.s3" and params == {"ExpectedBucketOwner": "111122223333"}
    pointer = json.loads(client.objects["p/latest.json"][0])
    assert pointer["reports"]["json"]["key"] == second["reports"]["json"].split("/", 3)[3]
    report, evidence = s3.read_latest()
    assert report == {"accounts": []} and evidence["uri"] == second["reports"]["json"]
    assert evidence["verified"] == "manifest" and evidence["generation"] == 2


def test_a_failed_upload_does_not_move_latest():
    client = _Client()
    s3 = store.S3Store(client, "audit-bucket", "", "111122223333")
    kept = s3.store(TEXTS, "r", "20261201T080000Z", TYPES)
    client.deny_suffix = ".csv"
    with pytest.raises(store.StoreError) as failure:
        s3.store(TEXTS, "r", "20261202T080000Z", TYPES)
    message = str(failure.value)
    assert "s3://audit-bucket/20261202T080000Z-" in message and "/r.csv" in message and "s3:PutObject" in message
    assert "owned by AWS account 111122223333" in message
    assert s3.read_latest()[1]["uri"] == kept["reports"]["json"]


def test_a_baseline_whose_digest_differs_is_refused():
    client = _Client()
    s3 = store.S3Store(client, "audit-bucket", "p/", "111122223333")
    stored = s3.store(TEXTS, "r", "20261201T080000Z", TYPES)
    key = stored["reports"]["json"].split("/", 3)[3]
    data, metadata = client.objects[key]
    client.objects[key] = (b'{"accounts": [{"tampered": true}]}', metadata)
    with pytest.raises(store.StoreError, match="does not match its recorded SHA-256"):
        s3.read_latest()
    with pytest.raises(store.StoreError, match="does not match the SHA-256 its manifest recorded"):
        s3.read_report(key)  # an s3:// baseline: its run's manifest


def test_first_run_and_broken_pointers():
    client = _Client()
    s3 = store.S3Store(client, "audit-bucket", "p/", "111122223333")
    assert s3.read_latest() == (None, None)
    client.objects["p/latest.json"] = (b"not json", {})
    with pytest.raises(store.StoreError, match="s3://audit-bucket/p/latest.json is not a pointer"):
        s3.read_latest()
    pointer = {"reports": {"json": {"key": "q/x.json", "sha256": "0" * 64}}}
    client.objects["p/latest.json"] = (json.dumps(pointer).encode(), {})
    with pytest.raises(store.StoreError, match="points outside the prefix"):
        s3.read_latest()
    pointer["reports"]["json"].update(key="p/x.json", sha256="")  # an empty digest would check nothing
    client.objects["p/latest.json"] = (json.dumps(pointer).encode(), {})
    with pytest.raises(store.StoreError, match="hex SHA-256"):
        s3.read_latest()
    with pytest.raises(store.StoreError, match="s3:GetObject"):
        s3.read_report("p/missing.json")


def test_latest_never_moves_back_to_an_older_run_nor_for_an_incomplete_one():
    client = _Client()
    s3 = store.S3Store(client, "audit-bucket", "p/", "111122223333")
    newer = s3.store(TEXTS, "r", "20261202T080000Z", TYPES)
    older = s3.store(TEXTS, "r", "20261201T080000Z", TYPES)  # started earlier, finished later
    assert newer["latest_moved"] is True and older["latest_moved"] is False
    assert s3.read_latest()[1]["uri"] == newer["reports"]["json"]
    partial = s3.store(TEXTS, "r", "20261203T080000Z", TYPES, move_latest=False)
    assert partial["latest_moved"] is False and s3.read_latest()[1]["uri"] == newer["reports"]["json"]


def test_latest_moves_for_a_run_of_the_same_scope_as_every_scope_is_compared():
    """One comparison of scopes, _scope.same_scope: the pointer's move used one of its own, which took a scope
    recorded with ``derived`` for another scope, though the baseline check, which refuses runs of another scope
    before any request, took it for the same; and the baseline check took two dicts that differ only in keys no
    scope has for the same scope, where the pointer's move did not. Both now say what same_scope says."""
    from ansible_collections.chime.admin.plugins.plugin_utils import _history
    from ansible_collections.chime.admin.plugins.plugin_utils._scope import build_scope
    from ansible_collections.chime.admin.plugins.plugin_utils._scope import same_scope

    assert not hasattr(_history, "same_scope")  # one home
    scope = build_scope("111122223333", "aws", names=["Lagos"])
    recorded = dict(scope, derived=True)
    assert same_scope(scope, recorded)
    hand_made = {"aws_account": "111122223333", "name": None}
    assert not same_scope(hand_made, dict(hand_made, name="L")) and same_scope(
        hand_made, dict(reversed(hand_made.items()))
    )
    client = _Client()
    s3 = store.S3Store(client, "audit-bucket", "p/", "111122223333")
    first = s3.store(TEXTS, "r", "20261201T080000Z", TYPES, scope=recorded)
    second = s3.store(TEXTS, "r", "20261202T080000Z", TYPES, scope=scope)
    assert first["latest_moved"] is True and second["latest_moved"] is True, second["latest_reason"]
    assert s3.read_latest()[1]["uri"] == second["reports"]["json"]
    other = s3.store(TEXTS, "r", "20261203T080000Z", TYPES, scope=build_scope("111122223333", "aws"))
    assert (other["latest_moved"], other["latest_reason"]) == (False, "another scope")
    unscoped = store.S3Store(client, "audit-bucket", "q/", "111122223333")
    unscoped.store(TEXTS, "r", "20261201T080000Z", TYPES)  # a pointer that records no scope: it may be replaced
    assert unscoped.store(TEXTS, "r", "20261202T080000Z", TYPES, scope=scope)["latest_moved"] is True


def test_console_url_by_partition():
    assert store.console_url("aws", "b", "p/r/") == "https://s3.console.aws.amazon.com/s3/buckets/b?prefix=p%2Fr%2F"
    assert store.console_url("aws-us-gov", "b", "x/").startswith("https://console.amazonaws-us-gov.com/")


@pytest.mark.parametrize("name", ["r\ud800", "rtl\u202eoverride", "zero\u200bwidth", "c1\x9bcsi", "line\u2028sep"])
def test_invisible_characters_are_no_part_of_a_name(name):
    with pytest.raises(store.StoreError, match="report_name"):
        store.check_report_name(name)


@pytest.mark.parametrize("prefix", [".", "a//b/", "€" * 200, "x\u202e/"])
def test_prefixes_with_empty_dot_or_long_segments_are_refused(prefix):
    with pytest.raises(store.StoreError, match="s3_prefix"):
        store.check_prefix(prefix)


def test_a_fifo_deep_nesting_and_identifiers_of_the_wrong_type_are_refused_as_baselines(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(store.StoreError, match="is not a regular file"):
        store.read_local_report(str(tmp_path / "fifo"))  # would block forever if it were opened for reading
    with pytest.raises(store.StoreError, match="RecursionError"):
        store.decode_report(b"[" * 100_000 + b"]" * 100_000, "deep.json")
    with pytest.raises(store.StoreError, match="not a string"):
        store.decode_report(b'{"accounts": [{"aws_account_id": ["x"], "account_id": "a"}]}', "ids.json")


def test_a_baseline_larger_than_the_bound_is_refused_naming_the_bound(tmp_path):
    """A baseline is read whole and parsed: one past 128 MiB, local or in S3, is refused before it is read, and the
    message says the bound, which holds the largest listing measured (100,000 accounts, about 70 MB)."""
    assert store.MAX_REPORT_BYTES == 128 * 1024 * 1024
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(store.MAX_REPORT_BYTES + 1)  # sparse: no disk or memory used
    bound = "is larger than 128 MiB, the most a baseline may be (a report holds about 7 MB per 10,000 accounts)."
    with pytest.raises(store.StoreError) as info:
        store.read_local_report(str(big))
    assert str(info.value) == f"baseline: {big} {bound}"

    class _Large(_Client):
        def get_object(self, Bucket, Key, ExpectedBucketOwner):  # noqa: N803
            return {"Body": io.BytesIO(b"{}"), "Metadata": {}, "ContentLength": store.MAX_REPORT_BYTES + 1}

    s3 = store.S3Store(_Large(), "audit-bucket", "p/", "111122223333")
    with pytest.raises(store.StoreError) as info:
        s3.read_report("p/r.json")
    # The run folder's manifest is read first, and refused as the report would be.
    assert str(info.value) == f"baseline: s3://audit-bucket/p/manifest.json {bound}"


def test_a_report_that_fails_to_render_leaves_every_report_as_it_was(tmp_path):
    """Every file is renamed into place only once all are written: a failure while the second renders leaves the
    first (written before it) as it was too, and no temporary file behind."""
    local = store.LocalStore(str(tmp_path), "r", ["json", "markdown"])
    local.write({"json": "{}\n", "markdown": "# before\n"})

    def write(name, out):
        out.write("new\n")
        if name == "markdown":
            raise ValueError("cannot render")

    with pytest.raises(ValueError):
        local.write(write)
    assert (tmp_path / "r.json").read_text() == "{}\n" and (tmp_path / "r.md").read_text() == "# before\n"
    assert sorted(os.listdir(tmp_path)) == ["r.json", "r.md"]


def test_a_written_file_keeps_its_digest_and_is_open_for_s3(tmp_path):
    """With ``keep``, each file comes back open, with the size and SHA-256 of the bytes on disk (UTF-8, a lone
    surrogate as its backslash escape, CRLF kept)."""
    local = store.LocalStore(str(tmp_path), "r", ["json", "csv"])
    paths, written = local.write({"json": '"\ud800é"\n', "csv": "a\r\n"}, keep=True)
    try:
        for name, entry in written.items():
            data = open(paths[name], "rb").read()
            assert (entry.size, entry.sha256) == (len(data), store.sha256(data))
            entry.handle.seek(0)
            assert entry.handle.read() == data
        assert open(paths["json"], "rb").read() == '"\\ud800é"\n'.encode()
    finally:
        for entry in written.values():
            entry.handle.close()
