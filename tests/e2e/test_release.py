# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a release goes through: the built tarball's contents, an install from it that runs against the
fake endpoint, Galaxy's importer, and the changelog."""

import json
import os
import subprocess
import sys
import tarfile

import pytest
import yaml

from e2e.playbooks import CREDENTIALS
from e2e.playbooks import playbook_runner
from fake_chime.testing import ACCOUNTS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as _handle:
    VERSION = yaml.safe_load(_handle)["version"]
TARBALL = f"chime-admin-{VERSION}.tar.gz"

# What a user of the collection needs from the tarball.
NEEDED = (
    "MANIFEST.json",
    "FILES.json",
    "README.md",
    "COPYING",
    "CHANGELOG.rst",
    "changelogs/changelog.yaml",
    "requirements.txt",
    "bindep.txt",
    "meta/runtime.yml",
    "meta/execution-environment.yml",
    "plugins/modules/chime_account_info.py",
    "plugins/modules/chime_account_audit.py",
    "plugins/action/chime_account_audit.py",
    "plugins/plugin_utils/_audit_run.py",
    "plugins/plugin_utils/_store.py",
    "plugins/lookup/chime_accounts.py",
    "plugins/doc_fragments/listing.py",
    "plugins/module_utils/chime.py",
    "plugins/module_utils/_chime/fan_out.py",
    "plugins/plugin_utils/_formats.py",
    "plugins/plugin_utils/_format_asff.py",
    "plugins/plugin_utils/_security_hub.py",
    "plugins/filter/audit.py",
    "plugins/filter/audit_violations.yml",
    "docs/examples/organization.yml",
    # The member role's template and the policies the user guide shows: users deploy them from the collection.
    "docs/examples/organization/chime-audit-role.yml",
    "docs/examples/organization/member-role-permissions.json",
    "docs/examples/organization/member-role-trust.json",
    "docs/examples/organization/caller-permissions.json",
    "docs/examples/execution-environment.yml",
    "docs/examples/compliance.yml",
    "docs/examples/awx/audit.yml",
    "docs/examples/awx/survey.json",
    "docs/examples/report.yml",
    "docs/examples/audit.yml",
    "roles/account_audit/meta/argument_specs.yml",
    "roles/account_audit/meta/main.yml",
    "roles/account_audit/defaults/main.yml",
    "roles/account_audit/tasks/main.yml",
    "plugins/plugin_utils/_report.py",
    "plugins/filter/audit_report.yml",
    "plugins/filter/audit_html.yml",
    "plugins/filter/audit_markdown.yml",
    "plugins/filter/audit_violation_lines.yml",
    "docs/docsite/extra-docs.yml",
    "docs/docsite/rst/user_guide.rst",
    "docs/docsite/rst/compliance.rst",
    "docs/docsite/rst/awx.rst",
    "docs/docsite/rst/troubleshooting.rst",
    "docs/docsite/rst/report_reference.rst",
)
# What only developers of the collection use, and build artefacts.
DEVELOPMENT = (
    ".venv", ".tree", ".matrix", ".ci", ".git", "hacking", "Makefile", "pyproject.toml", "tests/output", "build",
    "tests/integration/cloud-config",
)  # fmt: skip


def _run(*command, cwd=ROOT, env=None):
    environment = dict(os.environ, ANSIBLE_NOCOLOR="1", **(env or {}))
    completed = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    """The collection built by ansible-galaxy, as it would be published."""
    out = tmp_path_factory.mktemp("build")
    _run(os.path.join(BIN, "ansible-galaxy"), "collection", "build", "--output-path", str(out))
    return out / TARBALL


def test_tarball_holds_what_users_need_and_no_development_files(tarball):
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    missing = [name for name in NEEDED if name not in names]
    assert not missing, f"missing from the tarball: {missing}"
    development = sorted(n for n in names if n.split("/")[0] in DEVELOPMENT or n.startswith(DEVELOPMENT))
    assert not development, f"development files in the tarball: {development}"
    assert not [n for n in names if "__pycache__" in n or n.endswith((".pyc", ".tar.gz"))]


def test_installed_tarball_runs_the_module_and_the_lookup(fake, tarball, tmp_path):
    installed, deps = tmp_path / "installed", tmp_path / "deps"
    # amazon.aws, the one dependency, from the copy beside the development tree (Galaxy is not reachable).
    amazon = os.path.realpath(os.path.join(os.environ["ANSIBLE_COLLECTIONS_PATH"], "ansible_collections/amazon/aws"))
    os.makedirs(deps / "ansible_collections" / "amazon")
    os.symlink(amazon, deps / "ansible_collections" / "amazon" / "aws")
    # Only the installed copy is on any path: no development tree, no site-packages, no PYTHONPATH.
    env = {"ANSIBLE_COLLECTIONS_PATH": f"{installed}:{deps}", "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false"}
    env["PYTHONPATH"] = ""
    env["AWS_ENDPOINT_URL_STS"] = fake.url  # the audit's GetCallerIdentity
    galaxy = os.path.join(BIN, "ansible-galaxy")
    _run(galaxy, "collection", "install", "--no-deps", "-p", str(installed), str(tarball), env=env)
    listed = _run(galaxy, "collection", "list", "chime.admin", env=env)
    assert str(installed / "ansible_collections") in listed and f"chime.admin {VERSION}" in listed

    options = dict(CREDENTIALS, endpoint_url=fake.url)
    lookup = "{{ query('chime.admin.chime_accounts', " + ", ".join(f"{k}='{v}'" for k, v in options.items()) + ") }}"
    audit = {f"account_audit_{k}": v for k, v in options.items()}
    audit.update(account_audit_dest=str(tmp_path / "audit"), account_audit_rules={"no_suspended_accounts": True})
    audit["account_audit_fail_on_violation"] = False
    tasks = [
        {"chime.admin.chime_account_info": options, "register": "r"},
        {"ansible.builtin.set_fact": {"via_lookup": lookup}},
        {"ansible.builtin.include_role": {"name": "chime.admin.account_audit"}, "vars": audit},
    ]
    result = playbook_runner(tmp_path)(tasks, save=("r", "via_lookup", "account_audit_result"), env=env)
    assert result.rc == 0, result.output
    assert result.saved["r"]["summary"]["total"] == ACCOUNTS == len(result.saved["via_lookup"])
    assert result.saved["r"]["accounts"] == result.saved["via_lookup"]
    with open(result.saved["account_audit_result"]["reports"]["json"], encoding="utf-8") as handle:
        assert json.load(handle)["accounts"] == result.saved["r"]["accounts"]


def test_galaxy_importer_accepts_the_tarball(tarball, tmp_path):
    """Galaxy's importer, without containers, with its ansible-doc, ansible-lint and changelog checks on."""
    config = tmp_path / "galaxy-importer.cfg"
    config.write_text(
        "[galaxy-importer]\n"
        "run_ansible_test = False\n"  # needs a container engine
        "run_ansible_doc = True\n"
        "run_ansible_lint = True\n"
        "offline_ansible_lint = True\n"
        "check_changelog = True\n"
        "run_flake8 = False\n"
    )
    # The importer points ansible-doc at its own unpacked copy only. Our docs extend amazon.aws's doc
    # fragments, so amazon.aws must be found another way: through sys.path, as on a host where the
    # `ansible` package put it in site-packages. Here sys.path gets a folder holding only the amazon.aws
    # beside the development tree (the virtualenv has no `ansible` package).
    amazon = os.path.realpath(os.path.join(os.environ["ANSIBLE_COLLECTIONS_PATH"], "ansible_collections/amazon/aws"))
    site = tmp_path / "site"
    os.makedirs(site / "ansible_collections" / "amazon")
    os.symlink(amazon, site / "ansible_collections" / "amazon" / "aws")
    env = {"GALAXY_IMPORTER_CONFIG": str(config), "PYTHONPATH": str(site), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "true"}
    out = _run(sys.executable, "-m", "galaxy_importer.main", str(tarball), cwd=str(tmp_path), env=env)
    assert "Importer processing completed successfully" in out, out
    problems = [line for line in out.splitlines() if line.startswith(("ERROR", "WARNING"))]
    assert not problems, "\n".join(problems)


def test_changelog_fragments_lint_and_changelog_is_current(tmp_path):
    _run(os.path.join(BIN, "antsibull-changelog"), "lint")
    current = (tmp_path / "CHANGELOG.rst").as_posix()
    _run(os.path.join(BIN, "antsibull-changelog"), "generate", "--output", current)
    with open(os.path.join(ROOT, "CHANGELOG.rst"), encoding="utf-8") as handle:
        assert handle.read() == (tmp_path / "CHANGELOG.rst").read_text(encoding="utf-8"), (
            "CHANGELOG.rst is out of date: run antsibull-changelog generate"
        )
