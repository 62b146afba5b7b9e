#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lay the collection out as ``<tree>/ansible_collections/chime/admin`` beside amazon.aws.

ansible, ansible-doc and ansible-test all need that layout; ansible-test also needs to run from a
real directory inside it, which a symlink would not give. The files are those git tracks or
would track; only changed files are copied, so a second run with nothing changed is quick.

amazon.aws is the one bundled in the ``ansible`` release that ``amazon-aws-requirements.txt`` (beside
this script) pins, taken from that release's wheel: the package itself, about a hundred collections,
is never installed.
"""

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

AMAZON_AWS = "ansible_collections/amazon/aws/"  # its folder inside the `ansible` wheel
AMAZON_AWS_PIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "amazon-aws-requirements.txt")
SKIP_DIRS = {".git", ".venv", ".tree", "tests/output", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}


def source_files(root):
    """Relative paths of the files that belong to the collection."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            check=True,
            capture_output=True,
        ).stdout
        return sorted(p for p in out.decode().split("\0") if p and os.path.isfile(os.path.join(root, p)))
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder, dirs, files in os.walk(root):
            rel = os.path.relpath(folder, root)
            dirs[:] = [
                d for d in dirs if os.path.normpath(os.path.join(rel, d)) not in SKIP_DIRS and d not in SKIP_DIRS
            ]
            found.extend(os.path.normpath(os.path.join(rel, f)) for f in files)
        return sorted(found)


def sync(root, dest):
    """Copy the collection's changed files into ``dest``."""
    sync_files(source_files(root), root, dest)


def sync_files(paths, root, dest):
    """Copy ``paths`` (relative to ``root``) that changed into ``dest``, and delete what is no longer
    among them (tests/output and .git are kept)."""
    wanted = set(paths)
    for path in wanted:
        src, dst = os.path.join(root, path), os.path.join(dest, path)
        if not os.path.exists(dst) or not filecmp.cmp(src, dst, shallow=False):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
    prune(dest, wanted)


def prune(dest, wanted):
    """Delete the files under ``dest`` whose relative paths are not in ``wanted`` (tests/output and .git
    are kept)."""
    for folder, dirs, files in os.walk(dest, topdown=True):
        rel = os.path.relpath(folder, dest)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel, d)) not in ("tests/output", ".git")]
        for name in files:
            path = os.path.normpath(os.path.join(rel, name))
            if path not in wanted and "__pycache__" not in path:
                os.unlink(os.path.join(folder, name))


def pinned_ansible(path=AMAZON_AWS_PIN):
    """The version of the ``ansible`` package that the requirements file ``path`` pins."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            name, _sep, version = line.split("#")[0].strip().partition("==")
            if name.strip() == "ansible" and version:
                return version.strip()
    sys.exit(f"{path} pins no ansible==<version>")


def ansible_wheel(version, download, python_version=None):
    """The path of the ``ansible`` wheel of ``version`` in the folder ``download``; pip downloads it
    there first when it is not there yet (the wheel only: no dependencies, nothing installed)."""

    def found():
        names = os.listdir(download) if os.path.isdir(download) else []
        return [n for n in names if n.startswith(f"ansible-{version}-") and n.endswith(".whl")]

    if not found():
        # Downloaded into a staging folder, then moved into place: an interrupted download leaves no
        # truncated wheel that a later run would take for the whole one.
        os.makedirs(download, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=download, prefix=".staging-") as staging:
            pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--disable-pip-version-check"]
            pip += ["--only-binary", ":all:", "-d", staging, f"ansible=={version}"]
            if python_version:
                pip += ["--python-version", python_version]
            subprocess.run(pip, check=True)
            for name in os.listdir(staging):
                if name.endswith(".whl"):
                    os.replace(os.path.join(staging, name), os.path.join(download, name))
    if not found():
        sys.exit(f"pip downloaded no wheel of ansible {version} into {download}")
    return os.path.join(download, found()[0])


def sync_from_wheel(wheel, prefix, dest):
    """Write the files under ``prefix`` in the zip archive ``wheel`` into ``dest`` where they differ,
    and delete what is no longer among them, as :func:`sync_files` does for a folder."""
    wanted = set()
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.startswith(prefix):
                continue
            path = os.path.normpath(member.filename[len(prefix) :])
            if path.startswith(("..", "/")):
                sys.exit(f"{wheel}: {member.filename} lies outside {prefix}")
            wanted.add(path)
            data, target = archive.read(member), os.path.join(dest, path)
            if os.path.isfile(target) and os.path.getsize(target) == len(data):
                with open(target, "rb") as handle:
                    if handle.read() == data:
                        continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data)
    if not wanted:
        sys.exit(f"{wheel} holds nothing under {prefix}")
    prune(dest, wanted)


def copy_amazon_aws(tree, wheel):
    """Lay out the amazon.aws that the ``ansible`` wheel ``wheel`` bundles as ``ansible_collections/amazon/aws``.

    A copy with a git repository of its own: antsibull-docs copies a collection's dependencies through
    git when they sit in a git work tree, and the tree lies inside this (ignoring) repository, so it
    would otherwise copy nothing.
    """
    dest = os.path.join(tree, "ansible_collections", "amazon", "aws")
    if os.path.islink(dest):
        os.unlink(dest)
    sync_from_wheel(wheel, AMAZON_AWS, dest)
    if not os.path.isdir(os.path.join(dest, ".git")):
        subprocess.run(["git", "init", "-q", dest], check=True)


def main():
    """Lay out the tree given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--venv", required=True, help="the virtualenv; the `ansible` wheel is kept in its wheels/")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dest = os.path.join(args.tree, "ansible_collections", "chime", "admin")
    sync(root, dest)
    # ansible-test lists a collection's files with git when it sits in a git work tree. The tree
    # is inside this (ignoring) repository, so give the copy a repository of its own: its files are
    # then all untracked and all listed.
    if not os.path.isdir(os.path.join(dest, ".git")):
        subprocess.run(["git", "init", "-q", dest], check=True)
    copy_amazon_aws(args.tree, ansible_wheel(pinned_ansible(), os.path.join(args.venv, "wheels")))


if __name__ == "__main__":
    main()
