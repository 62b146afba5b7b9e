# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Where an audit's reports go, on the controller: a local directory (written atomically, never touching
what the audit does not own) and an S3 bucket (one folder per run with its manifest, ``latest.json`` moved
last by a conditional write).

Private to this collection: the ``chime_account_audit`` action is its only caller.
"""

import collections
import datetime
import errno
import hashlib
import io
import json
import os
import re
import secrets
import stat
import tempfile
import unicodedata
from urllib.parse import quote

from ansible_collections.chime.admin.plugins.plugin_utils import _history
from ansible_collections.chime.admin.plugins.plugin_utils._formats import EXTENSIONS
from ansible_collections.chime.admin.plugins.plugin_utils._lifecycle import is_count
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import SEVERITIES
from ansible_collections.chime.admin.plugins.plugin_utils._scope import same_scope

try:
    import boto3.s3.transfer
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    BotoCoreError = ClientError = None  # the action reports a missing boto3 before it gets here

from ansible_collections.chime.admin.plugins.module_utils.chime import quoted

LATEST = "latest.json"
POINTER_FORMAT = _history.POINTER_FORMAT
FILE_MODE = 0o640
DIRECTORY_MODE = 0o750
# Large reports go up in parts (boto3's managed transfer): 8 MiB parts, as the AWS CLI uses.
TRANSFER = {"multipart_threshold": 8 * 1024 * 1024, "multipart_chunksize": 8 * 1024 * 1024}

# A report file as it was written: an open binary file (read again for S3 from its start), its size and SHA-256.
Written = collections.namedtuple("Written", ("handle", "size", "sha256"))


class _Digest(io.RawIOBase):
    """A binary stream that writes to ``handle`` and counts and hashes what passes through."""

    def __init__(self, handle):
        super().__init__()
        self.handle, self.size, self.hash = handle, 0, hashlib.sha256()

    def writable(self):
        return True

    def write(self, data):
        self.handle.write(data)
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def stream(handle, write):
    """Call ``write(out)`` with a text stream that encodes to ``handle`` (an open binary file) as it goes:
    UTF-8, a lone surrogate (which JSON can carry) as its backslash escape, as JSON reads it back, and no
    newline translation. Returns the :class:`Written` file, its digest computed on the way."""
    digest = _Digest(handle)
    text = io.TextIOWrapper(io.BufferedWriter(digest, 1 << 16), "utf-8", "backslashreplace", newline="")
    try:
        write(text)
    finally:
        text.detach().detach()  # flushes what is pending into ``handle``, and leaves it open
    return Written(handle, digest.size, digest.hash.hexdigest())


def writer_of(texts):
    """``texts`` as a writer: a dict of file to str (each written as it is), or already ``write(name, out)``."""
    if callable(texts):
        return texts
    return lambda name, out: out.write(texts[name])


def spool(write, name):
    """The file ``name`` written by ``write(name, out)`` into an anonymous temporary file (for S3 alone)."""
    handle = tempfile.TemporaryFile()
    try:
        return stream(handle, lambda out: write(name, out))
    except BaseException:
        handle.close()
        raise


# A baseline larger than this is refused rather than read into memory: it is read whole and parsed, which takes
# several times its size. A report holds about 7 MB per 10,000 accounts, so 128 MiB holds the largest listing the
# collection is measured at (100,000 accounts, about 70 MB) with room for its findings.
MAX_REPORT_BYTES = 128 * 1024 * 1024
_TOO_LARGE = (
    f"is larger than {MAX_REPORT_BYTES // (1024 * 1024)} MiB, the most a baseline may be"
    " (a report holds about 7 MB per 10,000 accounts)."
)
MAX_KEY_BYTES = 1024  # S3's limit on an object key, in UTF-8 bytes
# S3's rules for bucket names (general purpose buckets): 3-63 of a-z 0-9 . -, a letter or digit at each
# end, no "..", not an IP address.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP = re.compile(r"\d+\.\d+\.\d+\.\d+")
_ACCOUNT = re.compile(r"[0-9]{12}")


class StoreError(Exception):
    """A destination that cannot take the reports, or a baseline that cannot be read; the message names the
    path, bucket or object, and for S3 the permission needed."""


# ----- Names --------------------------------------------------------------------------------------
def _unsafe(text):
    """Whether ``text`` holds a character that is no part of a name: a control or format character (C0,
    C1, bidirectional overrides, zero-width marks), a line or paragraph separator, or a lone surrogate."""
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text)


def check_report_name(name):
    """A report name is a plain file name: no directory part, no ``..``, no control character, not empty.
    AWX surveys feed role variables, so the name is untrusted input."""
    if not isinstance(name, str) or not name.strip():
        raise StoreError("report_name must be a file name, not empty.")
    if "/" in name or "\\" in name or ".." in name or _unsafe(name):
        raise StoreError(
            f"report_name must be a plain file name without /, \\, .. or control characters, got {name!r}."
        )
    if len(name.encode("utf-8")) > 200:
        raise StoreError("report_name must be at most 200 bytes long.")
    return name


def check_bucket(option, bucket):
    """An S3 bucket name as S3 defines them."""
    if not (isinstance(bucket, str) and _BUCKET.fullmatch(bucket) and ".." not in bucket and not _IP.fullmatch(bucket)):
        raise StoreError(
            f"{option} must be an S3 bucket name (3 to 63 characters of a-z, 0-9, '.' and '-'), got {bucket!r}."
        )
    return bucket


def check_prefix(prefix):
    """The key prefix of the run folders: ends with ``/`` (added when missing), at most 512 bytes, no
    control character, no empty, ``.`` or ``..`` segment, no leading ``/``."""
    if prefix is None or prefix == "":
        return ""
    if not isinstance(prefix, str) or _unsafe(prefix) or prefix.startswith("/") or len(prefix.encode()) > 512:
        raise StoreError(f"s3_prefix must be a key prefix of at most 512 bytes, not starting with /, got {prefix!r}.")
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    if any(segment in ("", ".", "..") for segment in prefix.split("/")[:-1]):
        raise StoreError(f"s3_prefix must not have an empty, '.' or '..' segment, got {prefix!r}.")
    return prefix


def check_account_id(option, value):
    """A 12-digit AWS account ID, or None."""
    if value is not None and not (isinstance(value, str) and _ACCOUNT.fullmatch(value)):
        raise StoreError(f"{option} must be a 12-digit AWS account ID, got {value!r}.")
    return value


def parse_s3_uri(option, uri):
    """``s3://bucket/key`` as ``(bucket, key)``."""
    rest = uri[len("s3://") :] if isinstance(uri, str) and uri.startswith("s3://") else None
    bucket, _slash, key = (rest or "").partition("/")
    if rest is None or not key or _unsafe(key) or len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise StoreError(f"{option} must be s3://<bucket>/<key> with a key, got {uri!r}.")
    return check_bucket(option, bucket), key


sha256 = _history.sha256


# ----- Local --------------------------------------------------------------------------------------
class LocalStore:
    """The reports' directory on the controller.

    Created with mode 0750 only when missing; an existing directory, and a symlink's target, keep their
    mode and owner (a destination such as a shared 1777 directory is not ours to change). Each report is
    written to a new temporary file beside its final name and renamed over it, so a crash leaves either
    the previous report or the new one, never half of one that a next run would read as its baseline. A
    symlink planted at a report's path is refused, not followed.
    """

    def __init__(self, directory, report_name, outputs):
        """``outputs``: the files to write, as _report.outputs() names them (csv makes two)."""
        self.directory = directory
        self.paths = {fmt: os.path.join(directory, f"{report_name}.{EXTENSIONS[fmt]}") for fmt in outputs}

    def check(self):
        """Refuse, before any request, a destination that exists but is not a directory, and a report path
        that is a symlink or not a regular file."""
        if not self.paths:
            return
        if os.path.lexists(self.directory) and not os.path.isdir(self.directory):
            raise StoreError(f"dest {self.directory} exists and is not a directory.")
        for path in self.paths.values():
            self._check_target(path)

    @staticmethod
    def _check_target(path, directory=None):
        """Refuse a report path that is a symlink or not a regular file; with ``directory`` (an open
        directory), the path's name is looked up in it."""
        try:
            if directory is None:
                mode = os.lstat(path).st_mode
            else:
                mode = os.lstat(os.path.basename(path), dir_fd=directory).st_mode
        except FileNotFoundError:
            return
        if stat.S_ISLNK(mode):
            raise StoreError(f"refusing to write the report {path}: it is a symlink.")
        if not stat.S_ISREG(mode):
            raise StoreError(f"refusing to write the report {path}: it is not a regular file.")

    def write(self, texts, keep=False):
        """Write each file to its path: ``texts`` is a dict of file to str, or ``write(name, out)``, which writes
        the file ``name`` to the text stream ``out`` as it renders (one file at a time: nothing but the file being
        rendered is held). Returns the paths written; with ``keep``, also each file as :class:`Written`, open for
        reading (the caller closes them), so that S3 uploads the very bytes written here.

        Every file is written to a temporary file first, and renamed only once all are written: a failure
        while rendering or writing any of them leaves every report as it was. The directory is opened once and
        every file is created and renamed relative to that open directory, so a directory (or a parent) swapped
        for a symlink during the run cannot redirect the reports elsewhere."""
        if not self.paths:
            return ({}, {}) if keep else {}
        write = writer_of(texts)
        if not os.path.isdir(self.directory):
            try:
                os.makedirs(self.directory, mode=DIRECTORY_MODE)
            except FileExistsError:
                pass  # made by a concurrent run in the meantime
            except OSError as error:
                raise StoreError(f"cannot create dest {self.directory}: {error.strerror}.") from None
        try:
            directory = os.open(self.directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as error:
            raise StoreError(f"cannot open dest {self.directory}: {error.strerror}.") from None
        written, temporaries = {}, {}
        try:
            for fmt, path in self.paths.items():
                temporaries[fmt] = self._temporary(directory, path)
                written[fmt] = self._write_one(temporaries[fmt], path, lambda out, fmt=fmt: write(fmt, out))
            for fmt, path in self.paths.items():
                # rename() replaces a symlink planted meanwhile instead of following it; refusing it is the
                # clearer answer, and the window left between this check and the rename writes nothing through it.
                self._check_target(path, directory)
                try:
                    os.replace(temporaries[fmt][0], os.path.basename(path), src_dir_fd=directory, dst_dir_fd=directory)
                except OSError as error:
                    raise StoreError(f"cannot write the report {path}: {error.strerror or error}.") from None
                del temporaries[fmt]  # renamed: nothing left to remove (its handle is the Written one)
        except BaseException:
            for entry in written.values():
                entry.handle.close()
            for name, handle in temporaries.values():
                handle.close()  # closing twice (a Written one) does nothing
                try:
                    os.unlink(name, dir_fd=directory)
                except OSError:
                    pass
            raise
        finally:
            os.close(directory)
        if not keep:
            for entry in written.values():
                entry.handle.close()
            return dict(self.paths)
        return dict(self.paths), written

    def _temporary(self, directory, path):
        """A new temporary file beside ``path`` in the open ``directory``: ``(its name, its binary handle)``."""
        self._check_target(path, directory)
        temporary = f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp"
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(temporary, flags, FILE_MODE, dir_fd=directory)
        except OSError as error:
            raise StoreError(f"cannot write the report {path}: {error.strerror}.") from None
        handle = os.fdopen(descriptor, "w+b")
        os.fchmod(handle.fileno(), FILE_MODE)  # whatever the umask
        return temporary, handle

    @staticmethod
    def _write_one(temporary, path, write):
        _name, handle = temporary
        try:
            entry = stream(handle, write)
            handle.flush()
            os.fsync(handle.fileno())
        except OSError as error:
            raise StoreError(f"cannot write the report {path}: {error.strerror or error}.") from None
        return entry


def read_local_report(path):
    """The JSON report at ``path``, decoded; refuses what is not a regular file (a FIFO would block) and
    what is larger than :data:`MAX_REPORT_BYTES`."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        reason = "no such file" if error.errno == errno.ENOENT else error.strerror
        raise StoreError(f"baseline: cannot read {path} ({reason}).") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(f"baseline: {path} is not a regular file.")
        if info.st_size > MAX_REPORT_BYTES:
            raise StoreError(f"baseline: {path} {_TOO_LARGE}")
        try:
            data = handle.read()
        except OSError as error:
            raise StoreError(f"baseline: cannot read {path} ({error.strerror}).") from None
    return decode_report(data, path)


def decode_report(data, where):
    """A report from its JSON bytes: a dict with a list of accounts whose identifiers are strings, or
    :class:`StoreError` naming ``where``."""
    try:
        report = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = type(error).__name__
        raise StoreError(f"baseline: {where} is not a JSON report of this collection ({reason}).") from None
    accounts = report.get("accounts") if isinstance(report, dict) else None
    if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
        raise StoreError(f"baseline: {where} is not a JSON report of this collection (it has no list of accounts).")
    for account in accounts:
        if not all(isinstance(account.get(k), (str, type(None))) for k in ("aws_account_id", "account_id")):
            raise StoreError(f"baseline: {where} has an account whose aws_account_id or account_id is not a string.")
    return report


# ----- S3 -----------------------------------------------------------------------------------------
def console_url(partition, bucket, prefix):
    """The S3 console's page of a folder."""
    host = {"aws-cn": "console.amazonaws.cn", "aws-us-gov": "console.amazonaws-us-gov.com"}.get(
        partition, "s3.console.aws.amazon.com"
    )
    return f"https://{host}/s3/buckets/{quote(bucket)}?prefix={quote(prefix, safe='')}"


def parse_baseline_uri(option, uri):
    """``s3://bucket/key[?versionId=...]`` as ``(bucket, key, version ID or None)``."""
    try:
        rest, version_id = _history.split_version(option, uri)
    except _history.HistoryError as error:
        raise StoreError(str(error)) from None
    return (*parse_s3_uri(option, rest), version_id)


# Answers of a conditional PutObject that mean "the pointer changed meanwhile": read it again, decide again.
# 412 PreconditionFailed: the ETag (or the absence) read no longer holds; 409 ConditionalRequestConflict: a
# concurrent write or delete of the same key; 404 NoSuchKey: If-Match on a pointer deleted meanwhile.
_RACED = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "412", "409")
MAX_POINTER_ATTEMPTS = 10
MAX_ADOPT_FOLDERS = 100  # run folders whose manifest is read, newest first, to find the newest complete run
# The trend: the counts of the last complete runs of a scope, read from their manifests, never from their reports.
# At most TREND_RUNS points (the current run's among them); at most MAX_TREND_MANIFESTS manifests read to find the
# earlier ones, newest first, so that a prefix crowded with incomplete runs or damaged manifests costs a bounded
# number of requests; and a manifest larger than MAX_MANIFEST_BYTES (one is about 3 KB) is not read.
TREND_RUNS = 12
MAX_TREND_MANIFESTS = 40
MAX_MANIFEST_BYTES = 1024 * 1024
_TREND_STATES = ("new", "open", "overdue", "waived", "resolved")


def _code(error):
    return error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else type(error).__name__


def _stamp():
    """A run's start, to the microsecond, in a form that sorts as it reads."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class S3Store:
    """Reports and their history in one bucket: each run in a folder of its own with its ``manifest.json``,
    and ``<prefix>latest.json``, pointing to the newest complete run, moved last and only by a conditional
    write (see :mod:`_history` for the shapes and the order of runs).

    Every call passes ``ExpectedBucketOwner``: reports never land in, and baselines never come from, a
    bucket that another AWS account owns.
    """

    def __init__(self, client, bucket, prefix, owner, sse=None, kms_key_id=None, object_lock=None):
        self.client, self.bucket, self.prefix, self.owner = client, bucket, prefix, owner
        self.sse, self.kms_key_id, self.object_lock = sse, kms_key_id, object_lock
        self.base = None  # the pointer as this run read it when it began (parsed), or None
        self.folder = None  # this run's folder, once named (trend_point names it before store() writes it)
        self.listed = None  # the run folders, once begin() listed them
        self._begun = None  # (pointer, ETag) read by begin(): the first conditional write's condition
        self.base_generation = 0
        self.run_started = _stamp()
        self.warnings = []
        self.requests = 0  # S3 requests this store made (boto3's managed transfer counts as one per call)
        # Every call, also those boto3's managed transfer makes on its own (AbortMultipartUpload after a
        # failed part), names the expected owner.
        client.meta.events.register(
            "before-parameter-build.s3", self._name_the_owner, unique_id=f"chime-admin-expected-owner-{owner}"
        )

    def _name_the_owner(self, params, **_kwargs):
        params.setdefault("ExpectedBucketOwner", self.owner)

    @property
    def latest_key(self):
        return self.prefix + LATEST

    def uri(self, key, version_id=None):
        """``s3://bucket/key``, with ``?versionId=`` when pinned."""
        return f"s3://{self.bucket}/{key}" + (f"?versionId={quote(version_id, safe='')}" if version_id else "")

    def new_run_folder(self, stamp):
        """A run folder key of its own: ``<prefix><UTC timestamp>-<random>/``; two runs never share one."""
        return f"{self.prefix}{stamp}-{secrets.token_hex(4)}/"

    # ----- refusals ------------------------------------------------------------------------------
    def _refusal(self, verb, key, error, needed=None):
        code = _code(error)
        # S3's AccessDenied may quote the caller's ARN, whose session name may be an e-mail address.
        text = quoted(str(error))
        needed = needed or ("s3:PutObject" if verb == "upload" else "s3:GetObject")
        if verb == "upload" and self.object_lock:
            needed += ", s3:PutObjectRetention"
        if self.sse == "aws:kms" or "KMS" in str(code) or "KMS" in text:
            needed += ", kms:GenerateDataKey" if verb == "upload" else ", kms:Decrypt"
        where = f"s3://{self.bucket}/{key}"
        if code in ("NoSuchBucket",):
            reason = f"the bucket {self.bucket} does not exist"
        elif "KMS" in str(code):
            reason = (
                f"the KMS key is not usable ({code}: {quoted(str(error.response.get('Error', {}).get('Message', '')))})"
            )
        else:
            reason = text.rstrip(".")
        return (
            f"Could not {verb} {where}: {reason}. It needs {needed} on the bucket {self.bucket}, owned by AWS account"
            f" {self.owner}."
        )

    # ----- writing -------------------------------------------------------------------------------
    def _extra(self, content_type, digest):
        extra = {"ExpectedBucketOwner": self.owner, "ContentType": content_type, "Metadata": {"sha256": digest}}
        if self.sse:
            extra["ServerSideEncryption"] = self.sse
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        return extra

    def _lock(self):
        """The Object Lock arguments of a report or manifest upload. S3 takes a retention only with a
        checksum of the body: SHA-256, named here, since botocore before 1.36 sends none by default."""
        if not self.object_lock:
            return {}
        until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=self.object_lock["days"])
        return {
            "ObjectLockMode": self.object_lock["mode"],
            "ObjectLockRetainUntilDate": until.replace(microsecond=0),
            "ChecksumAlgorithm": "SHA256",
        }

    def _put(self, key, data, content_type, locked=True):
        """Upload one report: in one PutObject (which answers the VersionId) up to the multipart threshold,
        above it by boto3's managed transfer, whose VersionId a HeadObject then reads. ``data`` is bytes, or a
        :class:`Written` file, read from its start (its size and digest were computed as it was written).
        Returns its entry."""
        if isinstance(data, Written):
            body, size, digest = data.handle, data.size, data.sha256
            body.seek(0)
        else:
            body, size, digest = data, len(data), sha256(data)
        extra = self._extra(content_type, digest)
        extra.update(self._lock() if locked else {})
        try:
            if size < TRANSFER["multipart_threshold"]:
                self.requests += 1
                answer = self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)
            else:
                config = boto3.s3.transfer.TransferConfig(**TRANSFER)
                self.requests += 2 + -(-size // TRANSFER["multipart_chunksize"])
                fileobj = body if isinstance(data, Written) else io.BytesIO(body)
                self.client.upload_fileobj(fileobj, self.bucket, key, ExtraArgs=extra, Config=config)
                self.requests += 1
                answer = self.client.head_object(Bucket=self.bucket, Key=key, ExpectedBucketOwner=self.owner)
                if (answer.get("Metadata") or {}).get("sha256") != extra["Metadata"]["sha256"]:
                    raise StoreError(f"s3://{self.bucket}/{key} was overwritten while it was uploaded.")
        except (ClientError, BotoCoreError, boto3.exceptions.S3UploadFailedError) as error:
            raise StoreError(self._refusal("upload", key, error)) from None
        version = answer.get("VersionId")
        return {"key": key, "sha256": digest, "size": size, "version_id": _version(version)}

    def store(
        self, texts, report_name, stamp, content_types, move_latest=True, scope=None, outcome=None, counts=None,
        baseline=None, complete=None,
    ):  # fmt: skip
        """Upload every format of one run, then its manifest, then, with ``move_latest``, point ``latest.json``
        to it. Returns the run's locations, and whether ``latest.json`` now points to this run (and why not).
        ``texts``: a dict of file to its text (str) or to the :class:`Written` file (uploaded from the file, a
        part at a time above the multipart threshold). ``complete`` (whether the run listed every AWS account it
        asked for, recorded in the manifest for the trend) is ``move_latest`` unless given: only a complete run
        moves the pointer.

        ``scope`` (a JSON-able dict, None when unknown) is recorded in the manifest and the pointer; a pointer
        of another scope is never moved. A failure raises :class:`StoreError` before ``latest.json`` moves:
        the previous complete run stays the newest one."""
        folder, self.folder = self.folder or self.new_run_folder(stamp), None
        reports = {}
        for fmt, text in texts.items():
            data = text if isinstance(text, Written) else text.encode("utf-8", "backslashreplace")
            reports[fmt] = self._put(f"{folder}{report_name}.{EXTENSIONS[fmt]}", data, content_types[fmt])
        run = {
            "run_folder": folder,
            "run_started": self.run_started,
            "base_generation": self.base_generation,
            "scope": scope,
            "reports": reports,
        }
        lock = None
        if self.object_lock:
            lock = {"mode": self.object_lock["mode"], "days": self.object_lock["days"]}
        complete = move_latest if complete is None else complete
        data = _history.manifest_json(self.bucket, run, outcome, counts, baseline, lock, complete)
        run["manifest"] = self._put(folder + _history.MANIFEST, data, "application/json")
        moved, why = (False, "not every AWS account was listed")
        if move_latest:
            moved, why = self._move_pointer(run)
        return {
            "bucket": self.bucket,
            "run_folder": self.uri(folder),
            "reports": {fmt: self.uri(entry["key"]) for fmt, entry in reports.items()},
            "sha256": {fmt: entry["sha256"] for fmt, entry in reports.items()},
            "version_ids": {fmt: entry["version_id"] for fmt, entry in reports.items()},
            "manifest": self.uri(run["manifest"]["key"], run["manifest"]["version_id"]),
            "latest": self.uri(self.latest_key),
            "latest_moved": moved,
            "latest_reason": why,
            "s3_requests": self.requests,
            "folder_key": folder,
        }

    def _move_pointer(self, run):
        """Point ``latest.json`` to ``run`` by a conditional write, unless it names a newer run or a run of
        another scope; on a lost race, read it again and decide again. ``(moved, why not)``."""
        for attempt in range(MAX_POINTER_ATTEMPTS):
            # The first attempt writes on what begin() read (one GET less): if the pointer moved since, S3
            # answers 412 and the next attempt reads it again.
            current, etag = self._begun if attempt == 0 and self._begun else self._read_pointer()
            # Compared as every scope is (_scope.same_scope, ``derived`` and unknown keys left out). A pointer
            # written before scopes were recorded (no scope) belongs to no scope, and may be replaced.
            if current is not None and current["scope"] is not None and not same_scope(current["scope"], run["scope"]):
                return False, "another scope"
            if not _history.newer(run, current):
                return False, f"it points to a newer run, {self.uri(current['run_folder'])}"
            generation = (current["generation"] if current else 0) + 1
            data = _history.pointer_json(self.bucket, run, generation)
            condition = {"IfMatch": etag} if current is not None else {"IfNoneMatch": "*"}
            extra = self._extra("application/json", sha256(data))
            try:
                self.requests += 1
                # put_object, not the managed transfer, which does not pass If-Match on; the pointer is small.
                self.client.put_object(
                    Bucket=self.bucket, Key=self.latest_key, Body=data, ChecksumAlgorithm="SHA256", **condition, **extra
                )
            except ClientError as error:
                if _code(error) in _RACED:
                    continue  # another run moved (or deleted) it meanwhile
                raise StoreError(self._refusal("upload", self.latest_key, error)) from None
            except BotoCoreError as error:
                raise StoreError(self._refusal("upload", self.latest_key, error)) from None
            return True, None
        raise StoreError(
            f"{self.uri(self.latest_key)} changed under every one of {MAX_POINTER_ATTEMPTS} conditional writes;"
            " it was not moved."
        )

    # ----- reading -------------------------------------------------------------------------------
    def _get(self, key, missing_ok=False, version_id=None, max_bytes=MAX_REPORT_BYTES):
        """``(bytes, metadata, ETag, VersionId)`` of an object, or ``(None,) * 4`` when missing and
        ``missing_ok`` (a delete marker reads as missing). An object larger than ``max_bytes`` is not read."""
        args = {"Bucket": self.bucket, "Key": key, "ExpectedBucketOwner": self.owner}
        if version_id:
            args["VersionId"] = version_id
        try:
            self.requests += 1
            answer = self.client.get_object(**args)
            if answer.get("ContentLength", 0) > max_bytes:
                answer["Body"].close()
                too_large = _TOO_LARGE if max_bytes == MAX_REPORT_BYTES else f"is larger than {max_bytes} bytes."
                raise StoreError(f"baseline: s3://{self.bucket}/{key} {too_large}")
            data = answer["Body"].read()
        except ClientError as error:
            if missing_ok and _code(error) in ("NoSuchKey", "404"):
                return None, None, None, None
            raise StoreError("baseline: " + self._refusal("read", key, error)) from None
        except BotoCoreError as error:
            raise StoreError(f"baseline: could not read s3://{self.bucket}/{key}: {quoted(str(error))}.") from None
        return data, answer.get("Metadata") or {}, answer.get("ETag"), _version(answer.get("VersionId"))

    def _read_pointer(self):
        """``(parsed pointer or None, its ETag)``. A pointer that cannot be read (refused, throttled, a KMS
        key) raises: it is never taken for a missing one."""
        data, _metadata, etag, _version_id = self._get(self.latest_key, missing_ok=True)
        if data is None:
            return None, None
        where = self.uri(self.latest_key)
        try:
            pointer = _history.parse_pointer(data, where)
        except _history.HistoryError as error:
            raise StoreError(f"baseline: {error}.") from None
        if not pointer["reports"]["json"]["key"].startswith(self.prefix):
            raise StoreError(
                f"baseline: {where} points outside the prefix {self.prefix!r}: {pointer['reports']['json']['key']!r}."
            )
        return pointer, etag

    def begin(self, report_name, history=False, adopt=False, check_mode=False):
        """What a run does in S3 before any Chime request: check that the bucket has Object Lock (when asked
        for), and read the pointer, whose generation orders this run. With ``history`` (``baseline:
        latest``) a missing pointer beside run folders is an error, or, with ``adopt``, the newest complete
        run (by its manifest) becomes the pointer (in ``check_mode`` only this run's baseline: nothing is
        written)."""
        if self.object_lock:
            self._check_object_lock()
        self.run_started = _stamp()
        self.base, etag = self._read_pointer()
        if self.base is None and history:
            folders = self.listed = self._run_folders()
            if folders and not adopt:
                newest = folders[-1]
                raise StoreError(
                    f"{self.uri(self.latest_key)} is missing, but {self.uri(self.prefix)} holds {len(folders)} run"
                    f" folder(s), the newest {self.uri(newest)}. It was deleted (by a person, a lifecycle rule or a"
                    " delete marker); a first audit now would report nothing that changed since. To go on, run once"
                    f" with baseline: {self.uri(newest + report_name + '.json')} (that run's report), or with"
                    " s3_adopt_latest: true to make the newest complete run, by its manifest, the pointer."
                )
            if folders:
                adopted = self._adopt(folders, check_mode)
                self.base, etag = (adopted, None) if check_mode else self._read_pointer()
        self.base_generation = self.base["generation"] if self.base else 0
        self._begun = (self.base, etag)

    def _check_object_lock(self):
        try:
            self.requests += 1
            answer = self.client.get_object_lock_configuration(Bucket=self.bucket, ExpectedBucketOwner=self.owner)
            enabled = (answer.get("ObjectLockConfiguration") or {}).get("ObjectLockEnabled") == "Enabled"
        except ClientError as error:
            if _code(error) != "ObjectLockConfigurationNotFoundError":
                raise StoreError(
                    f"s3_object_lock: could not read the Object Lock configuration of the bucket {self.bucket}:"
                    f" {str(error).rstrip('.')}. It needs s3:GetBucketObjectLockConfiguration (and"
                    f" s3:PutObjectRetention to upload), on the bucket owned by AWS account {self.owner}."
                ) from None
            enabled = False
        except BotoCoreError as error:
            raise StoreError(
                f"s3_object_lock: could not read the bucket {self.bucket}'s Object Lock: {error}."
            ) from None
        if not enabled:
            raise StoreError(
                f"s3_object_lock: the bucket {self.bucket} has no Object Lock: the reports cannot be retained. Object"
                " Lock is turned on when a bucket is created (with versioning); use such a bucket, or leave"
                " s3_object_lock unset."
            )

    def _run_folders(self):
        """The run folders under the prefix, oldest first (ListObjectsV2 with a delimiter)."""
        folders, token = [], None
        while True:
            args = {"Bucket": self.bucket, "Prefix": self.prefix, "Delimiter": "/", "ExpectedBucketOwner": self.owner}
            if token:
                args["ContinuationToken"] = token
            try:
                self.requests += 1
                page = self.client.list_objects_v2(**args)
            except (ClientError, BotoCoreError) as error:
                raise StoreError("baseline: " + self._refusal("list", self.prefix, error, "s3:ListBucket")) from None
            for entry in page.get("CommonPrefixes") or []:
                name = entry.get("Prefix", "")[len(self.prefix) :]
                if _history.RUN_FOLDER.fullmatch(name):
                    folders.append(self.prefix + name)
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return sorted(folders)

    # ----- the trend -----------------------------------------------------------------------------
    def read_trend(self, scope, runs=TREND_RUNS - 1):
        """The counts of the last ``runs`` complete runs of ``scope`` under the prefix, oldest first, each
        ``{"generated_at", "run_folder", "findings"}``, read from their run folders' manifests (newest first, at
        most :data:`MAX_TREND_MANIFESTS`), never from their reports. A run of another scope, an incomplete run
        and a run without finding counts (before the life cycle) are left out; so is a manifest that is
        missing, too large, unreadable, not a manifest, or changed after it was written (its body no longer
        matches the SHA-256 it was written with), each of the last with a warning. A prefix that cannot be
        listed gives no earlier runs, with a warning: the trend never fails an audit."""
        try:
            folders = self.listed if self.listed is not None else self._run_folders()
        except StoreError as error:
            self.warnings.append(f"trend: {str(error).removeprefix('baseline: ')} The trend shows this run only.")
            return []
        points = []
        for folder in reversed(folders[-MAX_TREND_MANIFESTS:]):
            if len(points) >= runs:
                break
            point = self._trend_point(folder, scope)
            if point is not None:
                points.append(point)
        return points[::-1]

    def _trend_point(self, folder, scope):
        """The trend's point of one run folder, or None (see :meth:`read_trend`)."""
        key = folder + _history.MANIFEST
        try:
            data, metadata, _etag, _version = self._get(key, missing_ok=True, max_bytes=MAX_MANIFEST_BYTES)
        except StoreError as error:
            self.warnings.append(f"trend: {str(error).removeprefix('baseline: ')} That run is left out.")
            return None
        if data is None:
            return None  # a run that stopped before its manifest: nothing to count
        problem, manifest = None, None
        if metadata.get("sha256") != sha256(data):
            problem = "it does not match the SHA-256 it was written with: it was changed after it was written"
        else:
            try:
                manifest = _history.parse_manifest(data, self.uri(key))
            except _history.HistoryError as error:
                problem = str(error).removeprefix(self.uri(key) + " ")
        if manifest is not None and manifest.get("run_folder") != folder:
            problem = "it is the manifest of another run folder"
        if problem:
            self.warnings.append(f"trend: {self.uri(key)} is left out: {problem}.")
            return None
        if not same_scope(scope, manifest.get("scope")):
            return None
        if manifest.get("outcome") not in ("compliant", "non_compliant") or manifest.get("complete") is False:
            return None  # an incomplete run: its counts miss what it could not list
        findings = _trend_counts((manifest.get("counts") or {}).get("findings"))
        if findings is None:
            if (manifest.get("counts") or {}).get("findings") is not None:
                self.warnings.append(f"trend: {self.uri(key)} is left out: its counts.findings are not counts.")
            return None  # a run from before the findings' life cycle has no counts to show
        when = _stamp_time(folder)
        return None if when is None else {"generated_at": when, "run_folder": self.uri(folder), "findings": findings}

    def trend_point(self, report):
        """The current run's own point of its trend: its finding counts, and the run folder :meth:`store` will
        write them to (named now)."""
        moment = datetime.datetime.fromisoformat(report["generated_at"])
        self.folder = self.folder or self.new_run_folder(moment.strftime("%Y%m%dT%H%M%SZ"))
        findings = _trend_counts(report["summary"].get("findings"))
        return {"generated_at": report["generated_at"], "run_folder": self.uri(self.folder), "findings": findings}

    def _adopt(self, folders, check_mode=False):
        """Make the newest complete run whose manifest is whole the pointer (If-None-Match: a pointer written
        meanwhile by another run is kept); returns that pointer, parsed."""
        for folder in reversed(folders[-MAX_ADOPT_FOLDERS:]):
            data, _metadata, _etag, version = self._get(folder + _history.MANIFEST, missing_ok=True)
            if data is None:
                continue
            try:
                manifest = _history.parse_manifest(data, self.uri(folder + _history.MANIFEST))
            except _history.HistoryError:
                continue
            if manifest.get("outcome") in (None, "incomplete") or "json" not in manifest["reports"]:
                continue
            run = {
                "run_folder": folder,
                "run_started": str(manifest.get("run_started") or ""),
                "base_generation": -1,  # older than any run that reads the adopted pointer
                "scope": manifest.get("scope"),
                "reports": manifest["reports"],
                "manifest": {"key": folder + _history.MANIFEST, "sha256": sha256(data), "size": len(data)},
            }
            run["manifest"]["version_id"] = version
            extra = self._extra("application/json", "")
            pointer = _history.pointer_json(self.bucket, run, 1)
            extra["Metadata"] = {"sha256": sha256(pointer)}
            if check_mode:
                return _history.parse_pointer(pointer, self.uri(self.latest_key))
            try:
                self.requests += 1
                self.client.put_object(
                    Bucket=self.bucket, Key=self.latest_key, Body=pointer, IfNoneMatch="*", ChecksumAlgorithm="SHA256",
                    **extra,
                )  # fmt: skip
            except ClientError as error:
                if _code(error) not in _RACED:
                    raise StoreError(self._refusal("upload", self.latest_key, error)) from None
            self.warnings.append(f"s3_adopt_latest: {self.uri(self.latest_key)} now points to {self.uri(folder)}.")
            return _history.parse_pointer(pointer, self.uri(self.latest_key))
        raise StoreError(
            f"s3_adopt_latest: none of the newest {min(len(folders), MAX_ADOPT_FOLDERS)} run folder(s) under"
            f" {self.uri(self.prefix)} has the manifest of a complete run; set baseline: s3://... to a report instead."
        )

    def _manifest(self, folder, version_id=None, digest=None):
        """``(manifest, its entry for the pointer or evidence)`` of a run folder, or ``(None, None)``."""
        key = folder + _history.MANIFEST
        data, _metadata, _etag, version = self._get(key, missing_ok=version_id is None, version_id=version_id)
        if data is None:
            return None, None
        if digest and sha256(data) != digest:
            raise StoreError(
                f"baseline: {self.uri(key, version_id)} does not match the SHA-256 its pointer recorded ({digest}):"
                " it was changed or damaged after it was written."
            )
        try:
            manifest = _history.parse_manifest(data, self.uri(key))
        except _history.HistoryError as error:
            raise StoreError(f"baseline: {error}.") from None
        return manifest, {"key": key, "version_id": version, "sha256": sha256(data)}

    def _evidence(self, key, version, digest, manifest, manifest_entry, report, verified):
        scope = (manifest or {}).get("scope")
        if scope is None and isinstance(report.get("source"), dict):
            scope = report["source"].get("scope")
        return {
            "uri": self.uri(key),
            "bucket": self.bucket,
            "key": key,
            "version_id": version,
            "run_folder": self.uri(_history.folder_of(key)),
            "sha256": digest,
            "generated_at": report.get("generated_at"),
            "scope": scope,
            "manifest": manifest_entry,
            "verified": verified,
        }

    def read_report(self, key, version_id=None, unverified=False):
        """The report at ``key`` (``s3://`` baseline) and its evidence, checked against its run folder's
        manifest: its digest, and, when the URI names no version, the version the manifest pinned. With no
        manifest, or a digest that differs, the report is refused unless ``unverified``."""
        manifest, manifest_entry = self._manifest(_history.folder_of(key))
        entry = manifest and _history.manifest_entry(manifest, key)
        pinned = version_id or (entry or {}).get("version_id")
        data, metadata, _etag, version = self._get(key, version_id=pinned)
        digest, problem = sha256(data), None
        if manifest is None:
            problem = f"its run folder has no manifest ({self.uri(_history.folder_of(key) + _history.MANIFEST)})"
        elif entry is None:
            problem = f"its run folder's manifest ({self.uri(manifest_entry['key'])}) does not list it"
        elif entry["sha256"] != digest:
            problem = f"it does not match the SHA-256 its manifest recorded ({entry['sha256']})"
        if problem is None:
            report = decode_report(data, self.uri(key, version_id))
            return report, self._evidence(key, version, digest, manifest, manifest_entry, report, "manifest")
        if not unverified:
            raise StoreError(
                f"baseline: {self.uri(key, version_id)} cannot be verified: {problem}. It may have been changed after"
                " it was written. Set baseline_unverified: true to compare with it anyway (the report says so)."
            )
        recorded = metadata.get("sha256")
        self.warnings.append(f"baseline_unverified: {self.uri(key, version_id)} was not verified: {problem}.")
        report = decode_report(data, self.uri(key, version_id))
        evidence = self._evidence(key, version, digest, manifest, manifest_entry, report, False)
        evidence["unverified_reason"] = problem + (
            " (its own sha256 metadata differs too)" if recorded and recorded != digest else ""
        )
        return report, evidence

    def read_latest(self):
        """The JSON report of the newest complete run and its evidence, or ``(None, None)`` on the first run.
        The report is read at the version the pointer pinned and checked against the pointer's digest and
        against its run's manifest (pinned too); a pointer of format 1 has no manifest to check."""
        pointer = self.base if self._begun else self._read_pointer()[0]  # begin() read it already
        if pointer is None:
            return None, None
        entry = pointer["reports"]["json"]
        key, digest, version = entry["key"], entry["sha256"], entry["version_id"]
        manifest = manifest_entry = None
        if pointer["manifest"] is not None:
            recorded = pointer["manifest"]
            manifest, manifest_entry = self._manifest(
                _history.folder_of(key), recorded["version_id"] or None, recorded["sha256"]
            )
            listed = manifest and _history.manifest_entry(manifest, key)
            if manifest is None or listed is None or listed["sha256"] != digest:
                raise StoreError(
                    f"baseline: {self.uri(self.latest_key)} and the manifest of {self.uri(_history.folder_of(key))}"
                    f" disagree on {self.uri(key)}: one of them was changed after it was written."
                )
        data, _metadata, _etag, read_version = self._get(key, version_id=version)
        if sha256(data) != digest:
            raise StoreError(
                f"baseline: {self.uri(key, version)} does not match its recorded SHA-256 ({digest}): it was changed"
                " or damaged after it was written."
            )
        report = decode_report(data, self.uri(key))
        verified = "manifest" if manifest is not None else "pointer"
        evidence = self._evidence(key, read_version, digest, manifest, manifest_entry, report, verified)
        evidence["generation"] = pointer["generation"]
        return report, evidence


def _trend_counts(findings):
    """A copy of a run's ``summary.findings`` (from its manifest) with only what the trend shows, each a
    count: ``since``, the totals and ``by_severity``; None when it is not that shape."""
    if not isinstance(findings, dict) or not isinstance(findings.get("by_severity"), dict):
        return None
    totals = {state: findings.get(state) for state in (*_TREND_STATES, "not_compared")}
    by_severity = {}
    for severity in SEVERITIES:  # a severity unknown to this version is not shown
        counts = findings["by_severity"].get(severity, {})
        if not isinstance(counts, dict):
            return None
        by_severity[severity] = {state: counts.get(state, 0) for state in _TREND_STATES}
    counts = [*totals.values(), *(n for entry in by_severity.values() for n in entry.values())]
    since = findings.get("since")
    if not all(is_count(n) for n in counts) or not isinstance(since, (str, type(None))):
        return None
    return {"since": since, **totals, "by_severity": by_severity}


def _stamp_time(folder):
    """The time a run folder's name records (``<prefix>20261201T080000Z-…/``), as its report's generated_at."""
    name = folder.rstrip("/").rpartition("/")[2]
    try:
        moment = datetime.datetime.strptime(name[:16], "%Y%m%dT%H%M%SZ")
    except ValueError:  # digits in the shape of a run folder's name that are no time: not a run's folder
        return None
    return moment.replace(tzinfo=datetime.timezone.utc).isoformat()


def _version(version_id):
    """A VersionId as S3 answers it; None for an unversioned bucket (no VersionId, or ``null``)."""
    return version_id if isinstance(version_id, str) and version_id and version_id != "null" else None
