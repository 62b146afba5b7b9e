#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ansible-test sanity and units on every ansible-core that meta/runtime.yml admits, and the
unit and end-to-end tests on the oldest stack the collection declares, then print a table.

Each ansible-core gets a virtualenv of its own under ``.matrix/`` (kept between runs; remade when
what it should hold changes), all on one Python that every one of those cores supports (3.12).
Two cores are tested at a time (``--lanes``): the first lane in the tree of ``make collection``, the second in a
tree and a HOME of its own under ``.matrix/lane-1`` (see :func:`lane`). The oldest stack runs after them.

The oldest stack is the oldest core with the oldest boto3/botocore that requirements.txt admits
and the oldest amazon.aws that galaxy.yml admits, taken from the ``ansible`` release that bundles it
(Galaxy is not reachable from every build host; PyPI is).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import lay_tree  # beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORES = ("2.17", "2.18", "2.19", "2.20", "2.21")
PYTHON = "3.12"  # the one Python that ansible-core 2.17 to 2.21 all run on as a controller
# The `ansible` release whose bundled amazon.aws is galaxy.yml's floor (checked when it is unpacked).
ANSIBLE_WITH_OLDEST_AMAZON_AWS = "14.0.0"
OLDEST_E2E = (
    "tests/e2e/test_module_e2e.py",
    "tests/e2e/test_lookup_e2e.py",
    "tests/e2e/test_api_calls.py",
    "tests/e2e/test_organization.py",
    "tests/e2e/test_s3_history.py",  # the conditional writes, versions and Object Lock on the oldest botocore
)


def run(command, env, cwd, log):
    """Run a command with its output in the file ``log``; returns the exit code."""
    print("+", " ".join(command), f"> {os.path.relpath(log, ROOT)}", flush=True)
    with open(log, "w", encoding="utf-8") as sink:
        return subprocess.run(command, env=env, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, check=False).returncode


def floor(path, name):
    """The lowest version ``name`` may have according to ``path`` (requirements.txt or galaxy.yml)."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        match = re.search(rf"^\s*{re.escape(name)}\W*>=\s*([0-9.]+)", handle.read(), re.MULTILINE)
    if not match:
        sys.exit(f"no lower bound for {name} in {path}")
    return match.group(1)


def requirement_lines(path):
    """The requirements in the file ``path`` (relative to the root), those of the files that it
    includes with ``-r`` in their place."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#")[0].strip()
            if line.startswith("-r"):
                yield from requirement_lines(os.path.join(os.path.dirname(path), line[2:].strip()))
            elif line:
                yield line


def pinned(name):
    """``name==version`` as test-requirements.txt, or a file that it includes, pins it."""
    for line in requirement_lines("test-requirements.txt"):
        if line.split("==")[0].strip() == name:
            return line
    sys.exit(f"{name} is not pinned in test-requirements.txt or the files that it includes")


def virtualenv(path, python, requirements):
    """A virtualenv at ``path`` holding ``requirements``; reused when it already holds them."""
    stamp = os.path.join(path, ".installed")
    wanted = json.dumps(requirements)
    if os.path.exists(stamp):
        with open(stamp, encoding="utf-8") as handle:
            if handle.read() == wanted:
                return path
    shutil.rmtree(path, ignore_errors=True)
    subprocess.run([python, "-m", "venv", path], check=True)
    pip = [os.path.join(path, "bin", "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(pip + requirements, check=True)
    with open(stamp, "w", encoding="utf-8") as handle:
        handle.write(wanted)
    return path


def environment(venv, collections_path):
    """The environment the Makefile gives its tools, with ``venv`` first on PATH."""
    env = dict(os.environ)
    env.update(
        PATH=os.path.join(venv, "bin") + os.pathsep + env["PATH"],
        ANSIBLE_COLLECTIONS_PATH=collections_path,
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        PYTHONPATH=f"{collections_path}:{os.path.join(collections_path, 'ansible_collections/chime/admin/tests')}",
    )
    env.pop("VIRTUAL_ENV", None)
    return env


def lane(args, index):
    """``(collections tree, HOME)`` of lane ``index``. Lane 0 is the tree of ``make collection`` and the user's
    HOME. Each other lane gets a tree of its own, laid out as ``make collection`` lays it (ansible-test keeps its
    results and scratch files in the collection's tests/output), and a HOME of its own under ``--work`` (it keeps
    its virtualenvs in ~/.ansible/test, which it creates without a lock: two runs must not share them)."""
    if index == 0:
        return args.tree, os.environ["HOME"]
    tree, home = os.path.join(args.work, f"lane-{index}", "tree"), os.path.join(args.work, f"lane-{index}", "home")
    os.makedirs(home, exist_ok=True)
    lay = [sys.executable, os.path.join(ROOT, "hacking", "lay_tree.py"), "--tree", tree, "--venv", sys.prefix]
    subprocess.run(lay, check=True)
    return tree, home


def core_runs(args, python, core, tree, home):
    """ansible-test sanity and units on one core, in ``tree`` with ``home``; returns table rows."""
    collection = os.path.join(tree, "ansible_collections", "chime", "admin")
    venv = virtualenv(os.path.join(args.work, f"core-{core}"), python, [f"ansible-core~={core}.0"])
    env = dict(environment(venv, tree), HOME=home)
    version = subprocess.run(
        [os.path.join(venv, "bin", "python"), "-c", "import ansible; print(ansible.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    stand_in = [os.path.join(venv, "bin", "python"), os.path.join(ROOT, "hacking/pip_bootstrap_stand_in.py")]
    subprocess.run(stand_in, env=env, check=True)
    rows = []
    for test in ("sanity", "units"):
        log = os.path.join(args.work, f"core-{core}-{test}.log")
        started = time.monotonic()
        command = ["ansible-test", test, "--venv", "--python", PYTHON, "--color", "no"]
        rc = run(command, env=env, cwd=collection, log=log)
        rows.append((f"ansible-core {version}", test, rc, time.monotonic() - started, log))
    return rows


def core_rows(args, python):
    """ansible-test sanity and units on each core, ``--lanes`` cores at a time (most of a sanity run uses one
    core of the machine); the table rows in the order of the cores."""
    lanes = [lane(args, index) for index in range(min(args.lanes, len(args.cores)))]
    pending = list(args.cores)
    results = {}
    lock = threading.Lock()

    def work(tree, home):
        while True:
            with lock:
                if not pending:
                    return
                core = pending.pop(0)
            try:
                results[core] = core_runs(args, python, core, tree, home)
            except (OSError, subprocess.CalledProcessError, SystemExit) as error:  # a failed set-up is a failed row
                results[core] = [(f"ansible-core {core}", "set-up", 1, 0.0, f"failed: {error}")]

    threads = [threading.Thread(target=work, args=place) for place in lanes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [row for core in args.cores for row in results.get(core, [])]


def oldest_amazon_aws(work, wanted, collections_tree):
    """A collections tree holding the amazon.aws that ``ansible==ANSIBLE_WITH_OLDEST_AMAZON_AWS`` bundles."""
    tree = os.path.join(work, "oldest-tree")
    target = os.path.join(tree, "ansible_collections", "amazon", "aws")
    manifest = os.path.join(target, "MANIFEST.json")
    wheel = lay_tree.ansible_wheel(ANSIBLE_WITH_OLDEST_AMAZON_AWS, os.path.join(work, "download"), PYTHON)
    lay_tree.sync_from_wheel(wheel, lay_tree.AMAZON_AWS, target)
    with open(manifest, encoding="utf-8") as handle:
        version = json.load(handle)["collection_info"]["version"]
    if version != wanted:
        sys.exit(
            f"ansible {ANSIBLE_WITH_OLDEST_AMAZON_AWS} bundles amazon.aws {version}, not galaxy.yml's floor {wanted}"
        )
    link = os.path.join(tree, "ansible_collections", "chime", "admin")
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if not os.path.islink(link):
        os.symlink(os.path.join(collections_tree, "ansible_collections", "chime", "admin"), link)
    return tree, version


def oldest_rows(args, python):
    """Unit and end-to-end tests on the oldest core, boto3/botocore and amazon.aws declared."""
    boto3, botocore = floor("requirements.txt", "boto3"), floor("requirements.txt", "botocore")
    tree, amazon_aws = oldest_amazon_aws(args.work, floor("galaxy.yml", "amazon.aws"), args.tree)
    core = min(args.cores, key=lambda v: tuple(map(int, v.split("."))))
    requirements = [f"ansible-core~={core}.0", f"boto3=={boto3}", f"botocore=={botocore}"]
    requirements.append(f"google-re2=={floor('requirements.txt', 'google-re2')}")
    # Test tools (not the stack under test): moto serves STS and Organizations to the organization tests
    # and to the benchmark smoke run, and S3 to the latter, whose AWX-style job runs with ansible-runner;
    # their versions are the ones test-requirements.txt pins.
    requirements += ["pytest", pinned("pytest-xdist"), "PyYAML", "hypothesis", pinned("moto[server]")]
    requirements += [pinned("ansible-runner")]
    # The OCSF models that the unit tests of the ocsf report format validate its events with.
    requirements += [pinned("py-ocsf-models")]
    # The reports' unit tests compare the CSV with defusedcsv's and render the Markdown with cmark-gfm.
    requirements += [pinned("defusedcsv"), pinned("cmarkgfm")]
    venv = virtualenv(os.path.join(args.work, "oldest"), python, requirements)
    env = environment(venv, tree)
    log = os.path.join(args.work, "oldest.log")
    started = time.monotonic()
    collection = os.path.join(tree, "ansible_collections", "chime", "admin")
    # On two workers, a test file per worker, as `make e2e` runs them (see the Makefile).
    command = [os.path.join(venv, "bin", "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    command += ["-n", "2", "--dist", "loadfile", "tests/unit"]
    rc = run(command + list(OLDEST_E2E), env=env, cwd=collection, log=log)
    label = f"core {core}, boto3/botocore {boto3}/{botocore}, amazon.aws {amazon_aws}"
    yield (label, "unit + e2e", rc, time.monotonic() - started, log)


def main():
    """Run the matrix and print its table; exit non-zero when any run failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", required=True, help="the collections tree laid by `make collection`")
    parser.add_argument("--work", default=os.path.join(ROOT, ".matrix"), help="virtualenvs and logs")
    parser.add_argument("--cores", nargs="+", default=list(CORES))
    parser.add_argument("--skip-oldest", action="store_true", help="only the core matrix")
    parser.add_argument("--lanes", type=int, default=2, help="how many cores are tested at a time")
    args = parser.parse_args()
    args.tree, args.work = os.path.abspath(args.tree), os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)
    python = subprocess.run(
        [os.path.join(ROOT, "hacking", "find-python"), PYTHON], check=True, capture_output=True, text=True
    ).stdout.strip()
    rows = core_rows(args, python)
    if not args.skip_oldest:
        rows += list(oldest_rows(args, python))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'stack'.ljust(width)}  {'tests':<10}  {'result':<6}  seconds  log")
    for label, test, rc, seconds, log in rows:
        print(f"{label.ljust(width)}  {test:<10}  {'pass' if rc == 0 else 'FAIL':<6}  {seconds:7.1f}  {log}")
    failed = [r for r in rows if r[2] != 0]
    print(f"\n{len(rows) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
