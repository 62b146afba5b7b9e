# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The shapes of an audit's history in S3, without any request: ``latest.json`` (the pointer), each run
folder's ``manifest.json``, the order of two runs, and the evidence a report gives of its baseline.

The order of runs comes from the pointer itself, not from clocks. Each run reads the pointer when it starts
and keeps its ``generation`` (0 when there is none) as its *base generation*; each move of the pointer
writes ``generation + 1``. A run whose base generation is higher started after the other run's base was
replaced, so it is newer whatever the two controllers' clocks say. Only two runs that started from the same
generation (they truly overlapped) are ordered by their start time, then their run folder's name.

Private to this collection: ``_store.S3Store`` is its only caller.
"""

import hashlib
import json
import re
from urllib.parse import unquote

POINTER_FORMAT = 2  # 1: run_folder and the reports' keys and digests. 2: generations, scope, versions, manifest
MANIFEST_FORMAT = 1
MANIFEST = "manifest.json"
LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
MAX_LOCK_DAYS = 36500
# S3 version IDs are URL-safe text of at most 1,024 bytes ("null" for an object written before versioning).
_VERSION_ID = re.compile(r"[A-Za-z0-9._+/=-]{1,1024}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
# A run folder as S3Store.new_run_folder names them: <UTC timestamp>-<8 hex digits>/.
RUN_FOLDER = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}/")


class HistoryError(ValueError):
    """A pointer, manifest or option that is not what it should be; the message says which and why."""


def sha256(data):
    """The hex SHA-256 of ``data`` (bytes)."""
    return hashlib.sha256(data).hexdigest()


def check_version_id(option, version_id):
    """An S3 version ID, or :class:`HistoryError` naming ``option``."""
    if not (isinstance(version_id, str) and _VERSION_ID.fullmatch(version_id)):
        raise HistoryError(f"{option} must name an S3 version ID (letters, digits and ._+/=-), got {version_id!r}.")
    return version_id


def split_version(option, uri):
    """``(uri without its query, versionId or None)`` of ``s3://bucket/key[?versionId=...]``."""
    base, marker, rest = uri.rpartition("?versionId=") if isinstance(uri, str) else ("", "", "")
    if not marker:
        return uri, None
    return base, check_version_id(option, unquote(rest))


def check_object_lock(option, lock):
    """``{"mode": GOVERNANCE|COMPLIANCE, "days": 1..36500}`` or None, checked before any request."""
    if lock is None:
        return None
    if not isinstance(lock, dict) or set(lock) - {"mode", "days"}:
        raise HistoryError(f"{option} must be a dict of mode and days, got {lock!r}.")
    mode, days = lock.get("mode"), lock.get("days")
    if mode not in LOCK_MODES:
        raise HistoryError(f"{option}.mode must be GOVERNANCE or COMPLIANCE, got {mode!r}.")
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days)  # an AWX survey answers text
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_LOCK_DAYS:
        raise HistoryError(f"{option}.days must be a whole number of days from 1 to {MAX_LOCK_DAYS}, got {days!r}.")
    return {"mode": mode, "days": days}


def _entry(value, where, name):
    """A report's or manifest's entry: key, sha256, and optional size and version_id."""
    if not isinstance(value, dict):
        raise HistoryError(f"{where}: {name} is not an object")
    key, digest, version = value.get("key"), value.get("sha256"), value.get("version_id")
    if not isinstance(key, str) or not key:
        raise HistoryError(f"{where}: {name} has no key")
    if not (isinstance(digest, str) and _DIGEST.fullmatch(digest)):
        raise HistoryError(f"{where}: {name} has no hex SHA-256 digest (key must be a string and sha256 a hex SHA-256)")
    if version is not None and not (isinstance(version, str) and _VERSION_ID.fullmatch(version)):
        raise HistoryError(f"{where}: {name} has a version_id that is not an S3 version ID")
    size = value.get("size")
    return {"key": key, "sha256": digest, "size": size if isinstance(size, int) else None, "version_id": version}


def parse_pointer(data, where):
    """A pointer's JSON bytes as a dict with every field of format 2 (a format 1 pointer gets generation 0,
    no scope, no manifest, no versions), or :class:`HistoryError`."""
    try:
        pointer = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise HistoryError(f"{where} is not a pointer to a run with a JSON report ({type(error).__name__})") from None
    if (
        not isinstance(pointer, dict)
        or not isinstance(pointer.get("reports"), dict)
        or "json" not in pointer["reports"]
    ):
        raise HistoryError(f"{where} is not a pointer to a run with a JSON report (it names no JSON report)")
    reports = {fmt: _entry(entry, where, f"reports.{fmt}") for fmt, entry in pointer["reports"].items()}
    legacy = pointer.get("pointer_format", 1) == 1
    generation = 0 if legacy else pointer.get("generation")
    base = -1 if legacy else pointer.get("base_generation")
    for name, value in (("generation", generation), ("base_generation", base)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise HistoryError(f"{where}: {name} is not a whole number")
    manifest = None if legacy or pointer.get("manifest") is None else _entry(pointer["manifest"], where, "manifest")
    return {
        "pointer_format": pointer.get("pointer_format", 1),
        "generation": generation,
        "base_generation": base,
        "run_started": str(pointer.get("run_started") or ""),
        "run_folder": str(pointer.get("run_folder") or ""),
        "scope": None if legacy else pointer.get("scope"),
        "reports": reports,
        "manifest": manifest,
    }


def newer(run, current):
    """Whether ``run`` (base_generation, run_started, run_folder) is newer than the run ``current`` (a
    parsed pointer) names. A format 1 pointer is older than any run of this version."""
    if current is None or current["pointer_format"] == 1:
        return True
    order = ("base_generation", "run_started", "run_folder")
    return tuple(run[k] for k in order) > tuple(current[k] for k in order)


def pointer_json(bucket, run, generation):
    """The pointer's bytes for ``run`` at ``generation``."""
    pointer = {
        "pointer_format": POINTER_FORMAT,
        "bucket": bucket,
        "run_folder": run["run_folder"],
        "generation": generation,
        "base_generation": run["base_generation"],
        "run_started": run["run_started"],
        "scope": run["scope"],
        "reports": run["reports"],
        "manifest": run["manifest"],
    }
    return (json.dumps(pointer, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def manifest_json(bucket, run, outcome, counts, baseline, lock, complete=None):
    """A run folder's manifest's bytes: every report, the run's scope, outcome, whether it listed every AWS
    account it asked for (``complete``: a non-compliant run may not have), counts and baseline."""
    manifest = {
        "manifest_format": MANIFEST_FORMAT,
        "bucket": bucket,
        "run_folder": run["run_folder"],
        "run_started": run["run_started"],
        "base_generation": run["base_generation"],
        "scope": run["scope"],
        "outcome": outcome,
        "complete": complete,
        "counts": counts,
        "baseline": baseline,
        "object_lock": lock,
        "reports": run["reports"],
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def parse_manifest(data, where):
    """A manifest's JSON bytes as a dict (reports checked), or :class:`HistoryError`."""
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise HistoryError(f"{where} is not a run's manifest ({type(error).__name__})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("reports"), dict):
        raise HistoryError(f"{where} is not a run's manifest (it lists no reports)")
    manifest["reports"] = {fmt: _entry(e, where, f"reports.{fmt}") for fmt, e in manifest["reports"].items()}
    return manifest


def manifest_entry(manifest, key):
    """The manifest's entry of the report at ``key``, or None."""
    return next((e for e in manifest["reports"].values() if e["key"] == key), None)


def folder_of(key):
    """The run folder (with its trailing ``/``) that holds ``key``."""
    return key.rpartition("/")[0] + "/" if "/" in key else ""
