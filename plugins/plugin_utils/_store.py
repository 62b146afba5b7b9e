# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""Where an audit's reports go, on the controller: a local directory (written atomically, never touching
what the audit does not own) and an S3 bucket (one folder per run, ``latest.json`` written last).

Private to this collection: the ``chime_account_audit`` action is its only caller.
"""

import errno
import hashlib
import io
import json
import os
import re
import secrets
import stat
import unicodedata
from urllib.parse import quote

try:
    import boto3.s3.transfer
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
except ImportError:
    BotoCoreError = ClientError = None  # the action reports a missing boto3 before it gets here

from ansible_collections.chime.admin.plugins.module_utils.chime import quoted

EXTENSIONS = {
    "json": "json",
    "csv": "csv",
    "findings_csv": "findings.csv",
    "markdown": "md",
    "html": "html",
    "ocsf": "ocsf.json",
}
LATEST = "latest.json"
POINTER_FORMAT = 1
FILE_MODE = 0o640
DIRECTORY_MODE = 0o750
# Large reports go up in parts (boto3's managed transfer): 8 MiB parts, as the AWS CLI uses.
TRANSFER = {"multipart_threshold": 8 * 1024 * 1024, "multipart_chunksize": 8 * 1024 * 1024}
# A baseline larger than this is refused rather than read into memory (a report of 10,000 accounts is
# about 7 MB).
MAX_REPORT_BYTES = 1024 * 1024 * 1024
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


def sha256(data):
    """The hex SHA-256 of ``data`` (bytes)."""
    return hashlib.sha256(data).hexdigest()


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

    def write(self, texts):
        """Write each format's text (a dict of format to str) to its path; returns the paths written.

        The directory is opened once and every file is created and renamed relative to that open
        directory, so a directory (or a parent) swapped for a symlink during the run cannot redirect
        the reports elsewhere."""
        if not self.paths:
            return {}
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
        try:
            for fmt, path in self.paths.items():
                # A lone surrogate (which JSON can carry) becomes its backslash escape, as JSON reads it back.
                self._write_one(directory, path, texts[fmt].encode("utf-8", "backslashreplace"))
        finally:
            os.close(directory)
        return dict(self.paths)

    def _write_one(self, directory, path, data):
        name = os.path.basename(path)
        self._check_target(path, directory)
        temporary = f".{name}.{secrets.token_hex(6)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            descriptor = os.open(temporary, flags, FILE_MODE, dir_fd=directory)
        except OSError as error:
            raise StoreError(f"cannot write the report {path}: {error.strerror}.") from None
        try:
            with os.fdopen(descriptor, "wb") as handle:
                os.fchmod(handle.fileno(), FILE_MODE)  # whatever the umask
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            # rename() replaces a symlink planted meanwhile instead of following it; refusing it is the
            # clearer answer, and the window left between this check and the rename writes nothing through it.
            self._check_target(path, directory)
            os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
        except BaseException as error:
            try:
                os.unlink(temporary, dir_fd=directory)
            except OSError:
                pass
            if isinstance(error, OSError):
                raise StoreError(f"cannot write the report {path}: {error.strerror or error}.") from None
            raise


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
            raise StoreError(f"baseline: {path} is larger than {MAX_REPORT_BYTES} bytes.")
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


class S3Store:
    """Reports and their history in one bucket: each run in a folder of its own, and ``<prefix>latest.json``,
    pointing to the newest complete run with the SHA-256 of each of its reports, written last.

    Every call passes ``ExpectedBucketOwner``: reports never land in, and baselines never come from, a
    bucket that another AWS account owns.
    """

    def __init__(self, client, bucket, prefix, owner, sse=None, kms_key_id=None):
        self.client, self.bucket, self.prefix, self.owner = client, bucket, prefix, owner
        self.sse, self.kms_key_id = sse, kms_key_id
        # Every call, also those boto3's managed transfer makes on its own (AbortMultipartUpload after a
        # failed part), names the expected owner.
        client.meta.events.register(
            "before-parameter-build.s3", self._name_the_owner, unique_id=f"chime-admin-expected-owner-{owner}"
        )

    def _name_the_owner(self, params, **_kwargs):
        params.setdefault("ExpectedBucketOwner", self.owner)

    def uri(self, key):
        """``s3://bucket/key``."""
        return f"s3://{self.bucket}/{key}"

    def new_run_folder(self, stamp):
        """A run folder key of its own: ``<prefix><UTC timestamp>-<random>/``; two runs never share one."""
        return f"{self.prefix}{stamp}-{secrets.token_hex(4)}/"

    def _extra(self, content_type, digest):
        extra = {"ExpectedBucketOwner": self.owner, "ContentType": content_type, "Metadata": {"sha256": digest}}
        if self.sse:
            extra["ServerSideEncryption"] = self.sse
        if self.kms_key_id:
            extra["SSEKMSKeyId"] = self.kms_key_id
        return extra

    def _put(self, key, data, content_type):
        config = boto3.s3.transfer.TransferConfig(**TRANSFER)
        extra = self._extra(content_type, sha256(data))
        try:
            self.client.upload_fileobj(io.BytesIO(data), self.bucket, key, ExtraArgs=extra, Config=config)
        except (ClientError, BotoCoreError, boto3.exceptions.S3UploadFailedError) as error:
            raise StoreError(self._refusal("upload", key, error)) from None

    def _refusal(self, verb, key, error):
        code = error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else type(error).__name__
        # S3's AccessDenied may quote the caller's ARN, whose session name may be an e-mail address.
        text = quoted(str(error))
        needed = "s3:PutObject" if verb == "upload" else "s3:GetObject"
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

    def store(self, texts, report_name, stamp, content_types, move_latest=True):
        """Upload every format of one run, then, with ``move_latest``, point ``latest.json`` to it. Returns
        the run's locations, and whether ``latest.json`` now points to this run.

        A failure raises :class:`StoreError` before ``latest.json`` moves: the previous complete run stays
        the newest one. A pointer to a newer run (one that started later and finished first) is left as
        it is."""
        folder = self.new_run_folder(stamp)
        reports = {}
        for fmt, text in texts.items():
            data = text.encode("utf-8", "backslashreplace")
            key = f"{folder}{report_name}.{EXTENSIONS[fmt]}"
            self._put(key, data, content_types[fmt])
            reports[fmt] = {"key": key, "sha256": sha256(data), "size": len(data)}
        latest = self.prefix + LATEST
        moved = move_latest and not self._newer_run_than(folder)
        if moved:
            pointer = {"pointer_format": POINTER_FORMAT, "bucket": self.bucket, "run_folder": folder}
            pointer["reports"] = reports
            self._put(latest, (json.dumps(pointer, indent=2) + "\n").encode("utf-8"), "application/json")
        return {
            "bucket": self.bucket,
            "run_folder": self.uri(folder),
            "reports": {fmt: self.uri(entry["key"]) for fmt, entry in reports.items()},
            "sha256": {fmt: entry["sha256"] for fmt, entry in reports.items()},
            "latest": self.uri(latest),
            "latest_moved": moved,
            "folder_key": folder,
        }

    def _newer_run_than(self, folder):
        """Whether ``latest.json`` already points to a run folder that sorts after ``folder`` (folders begin
        with their UTC time). An unreadable pointer is no reason to keep it."""
        try:
            data, _metadata = self._get(self.prefix + LATEST, missing_ok=True)
            current = json.loads(data.decode("utf-8")).get("run_folder") if data else None
        except (StoreError, ValueError, AttributeError):
            return False
        return isinstance(current, str) and current > folder

    def _get(self, key, missing_ok=False):
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key, ExpectedBucketOwner=self.owner)
            if answer.get("ContentLength", 0) > MAX_REPORT_BYTES:
                answer["Body"].close()
                raise StoreError(f"baseline: s3://{self.bucket}/{key} is larger than {MAX_REPORT_BYTES} bytes.")
            return answer["Body"].read(), answer.get("Metadata") or {}
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if missing_ok and code in ("NoSuchKey", "404"):
                return None, None
            raise StoreError("baseline: " + self._refusal("read", key, error)) from None
        except BotoCoreError as error:
            raise StoreError(f"baseline: could not read s3://{self.bucket}/{key}: {quoted(str(error))}.") from None

    def read_report(self, key, expected_digest=None):
        """The report at ``key``, its digest checked against ``expected_digest`` (from ``latest.json``) or
        against the digest recorded with the object when it was uploaded."""
        data, metadata = self._get(key)
        digest = expected_digest or (metadata or {}).get("sha256")
        if digest and sha256(data) != digest:
            raise StoreError(
                f"baseline: s3://{self.bucket}/{key} does not match its recorded SHA-256 ({digest}): it was changed"
                " or damaged after it was written."
            )
        return decode_report(data, self.uri(key))

    def read_latest(self):
        """The JSON report of the newest complete run and its URI, or ``(None, None)`` on the first run."""
        data, _metadata = self._get(self.prefix + LATEST, missing_ok=True)
        if data is None:
            return None, None
        where = self.uri(self.prefix + LATEST)
        try:
            pointer = json.loads(data.decode("utf-8"))
            entry = pointer["reports"]["json"]
            key, digest = entry["key"], entry["sha256"]
            if not (isinstance(key, str) and isinstance(digest, str) and re.fullmatch("[0-9a-f]{64}", digest)):
                raise TypeError("key must be a string and sha256 a hex SHA-256 digest")
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            raise StoreError(
                f"baseline: {where} is not a pointer to a run with a JSON report ({type(error).__name__}: {error})."
            ) from None
        if not key.startswith(self.prefix):
            raise StoreError(f"baseline: {where} points outside the prefix {self.prefix!r}: {key!r}.")
        return self.read_report(key, digest), self.uri(key)
