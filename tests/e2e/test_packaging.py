# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's docs render with ansible-doc, its group is complete, its EE dependencies are found.

The built tarball and its install are tested in test_release.py."""

import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def _run(*command, cwd=ROOT):
    env = dict(os.environ, ANSIBLE_NOCOLOR="1")
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_action_group_lists_every_module():
    with open(os.path.join(ROOT, "meta", "runtime.yml"), encoding="utf-8") as handle:
        group = yaml.safe_load(handle)["action_groups"]["aws"]
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "plugins", "modules")) if f.endswith(".py"))
    assert sorted(m for m in group if isinstance(m, str)) == modules
    assert {"metadata": {"extend_group": ["amazon.aws.aws"]}} in group


def test_ansible_doc_lists_and_renders_the_plugins():
    listed = json.loads(_run(os.path.join(BIN, "ansible-doc"), "-l", "chime.admin", "--json"))
    assert "chime.admin.chime_account_info" in listed
    lookups = json.loads(_run(os.path.join(BIN, "ansible-doc"), "-t", "lookup", "-l", "chime.admin", "--json"))
    assert "chime.admin.chime_accounts" in lookups
    module_doc = _run(os.path.join(BIN, "ansible-doc"), "chime.admin.chime_account_info")
    assert "backoff_retries" in module_doc and "access_key" in module_doc
    lookup_doc = _run(os.path.join(BIN, "ansible-doc"), "-t", "lookup", "chime.admin.chime_accounts")
    assert "on_denied" in lookup_doc and "wantlist=True" in lookup_doc


def test_execution_environment_definition_is_version_3():
    with open(os.path.join(ROOT, "meta", "execution-environment.yml"), encoding="utf-8") as handle:
        definition = yaml.safe_load(handle)
    assert definition["version"] == 3
    for key in ("python", "system"):
        assert os.path.exists(os.path.join(ROOT, definition["dependencies"][key]))


def test_ansible_builder_reads_the_collection_dependencies():
    """What ansible-builder puts into an execution environment for this collection."""
    tree = os.path.dirname(os.path.dirname(os.path.dirname(ROOT)))  # .../ansible_collections/chime/admin -> tree
    out = _run(os.path.join(BIN, "ansible-builder"), "introspect", "--sanitize", tree)
    assert "boto3>=1.35.69  # from collection chime.admin" in out
    assert "botocore>=1.35.69  # from collection chime.admin" in out
    assert "python3 [platform:dpkg platform:rpm]  # from collection chime.admin" in out


def test_ansible_builder_creates_a_context_for_the_example_execution_environment(tmp_path):
    """docs/examples/execution-environment.yml, as the guide tells users to build it: `create` writes the
    build context (no container engine needed) with this collection's dependency files in it."""
    for name in ("requirements.txt", "bindep.txt"):
        (tmp_path / name).write_text(open(os.path.join(ROOT, name), encoding="utf-8").read())
    definition = tmp_path / "execution-environment.yml"
    with open(os.path.join(ROOT, "docs", "examples", "execution-environment.yml"), encoding="utf-8") as handle:
        definition.write_text(handle.read())
    builder = [os.path.join(BIN, "ansible-builder"), "create", "-f", str(definition), "-c", "context"]
    _run(*builder, "--output-filename", "Containerfile", cwd=str(tmp_path))
    build = tmp_path / "context" / "_build"
    for name in ("requirements.txt", "bindep.txt"):
        with open(os.path.join(ROOT, name), encoding="utf-8") as handle:
            assert (build / name).read_text() == handle.read()
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())
    assert {"name": "chime.admin", "version": ">=0.3.0"} in galaxy["collections"]
    containerfile = (tmp_path / "context" / "Containerfile").read_text()
    assert "quay.io/fedora/fedora:44" in containerfile and "ansible-galaxy" in containerfile
