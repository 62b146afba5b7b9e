#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Lay the collection out as ``<tree>/ansible_collections/chime/admin`` beside amazon.aws.

ansible, ansible-doc and ansible-test all need that layout; ansible-test also needs to run from a
real directory inside it, which a symlink would not give. The files are those git tracks or
would track; only changed files are copied, so a second run with nothing changed is quick.
"""

import argparse
import filecmp
import glob
import os
import shutil
import subprocess
import sys

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
    for folder, dirs, files in os.walk(dest, topdown=True):
        rel = os.path.relpath(folder, dest)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel, d)) not in ("tests/output", ".git")]
        for name in files:
            path = os.path.normpath(os.path.join(rel, name))
            if path not in wanted and "__pycache__" not in path:
                os.unlink(os.path.join(folder, name))


def copy_amazon_aws(tree, venv):
    """Copy the amazon.aws that the ``ansible`` package installed to ``ansible_collections/amazon/aws``.

    A copy with a git repository of its own, not a symlink into the virtualenv: antsibull-docs copies
    a collection's dependencies through git when they sit in a git work tree, and the virtualenv lies
    inside this (ignoring) repository, so through a link it would copy nothing.
    """
    found = glob.glob(os.path.join(venv, "lib", "python3*", "site-packages", "ansible_collections", "amazon", "aws"))
    if not found:
        sys.exit("amazon.aws is not installed in the virtualenv: the `ansible` package should bring it")
    dest = os.path.join(tree, "ansible_collections", "amazon", "aws")
    if os.path.islink(dest):
        os.unlink(dest)
    source = os.path.abspath(found[0])
    files = []
    for folder, _dirs, names in os.walk(source):
        if "__pycache__" not in folder:
            files.extend(os.path.relpath(os.path.join(folder, name), source) for name in names)
    sync_files(files, source, dest)
    if not os.path.isdir(os.path.join(dest, ".git")):
        subprocess.run(["git", "init", "-q", dest], check=True)


def main():
    """Lay out the tree given on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", required=True)
    parser.add_argument("--venv", required=True)
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dest = os.path.join(args.tree, "ansible_collections", "chime", "admin")
    sync(root, dest)
    # ansible-test lists a collection's files with git when it sits in a git work tree. The tree
    # is inside this (ignoring) repository, so give the copy a repository of its own: its files are
    # then all untracked and all listed.
    if not os.path.isdir(os.path.join(dest, ".git")):
        subprocess.run(["git", "init", "-q", dest], check=True)
    copy_amazon_aws(args.tree, args.venv)


if __name__ == "__main__":
    main()
