# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the guides show is what runs: every playbook shown is an example that a test runs, every task
snippet passes ansible-playbook's syntax check, every JSON block parses, and the JSON report's sample is
what the report code makes of its own accounts."""

import glob
import json
import os
import re
import subprocess
import sys

import pytest
import yaml

from ansible_collections.chime.admin.plugins.plugin_utils._formats import render
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._report import build_report
from ansible_collections.chime.admin.plugins.plugin_utils._scope import build_scope
from ansible_collections.chime.admin.plugins.plugin_utils._scope import refusal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDES = sorted(glob.glob(os.path.join(ROOT, "docs", "docsite", "rst", "*.rst")))
EXAMPLES = os.path.join(ROOT, "docs", "examples")
# Each example playbook, and the test module that runs it against the fake endpoint.
RUN_BY = {
    "audit.yml": "test_audit_html.py",
    "awx/audit.yml": "test_audit_role.py",
    "compliance.yml": "test_examples.py",
    "report.yml": "test_examples.py",
    "organization.yml": "test_organization.py",
}
_RST_BLOCK = re.compile(r"^( *)\.\. code-block:: (\S+)\n\n((?:\1 {3}.*\n|\n)+)", re.M)
_MD_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def code_blocks():
    """(file, language, text) of every code block of the guides and the README."""
    blocks = []
    for path in GUIDES:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        for match in _RST_BLOCK.finditer(text):
            indent = len(match.group(1)) + 3
            body = "\n".join(line[indent:] for line in match.group(3).split("\n"))
            blocks.append((os.path.basename(path), match.group(2), body.strip("\n") + "\n"))
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        blocks += [("README.md", lang, body) for lang, body in _MD_BLOCK.findall(handle.read())]
    return blocks


def _normal(text):
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def _examples():
    paths = glob.glob(os.path.join(EXAMPLES, "**", "*.yml"), recursive=True)
    texts = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            texts[os.path.relpath(path, EXAMPLES)] = _normal(handle.read())
    return texts


BLOCKS = code_blocks()
YAML = [b for b in BLOCKS if b[1] in ("yaml", "yaml+jinja")]


def _is_playbook(data):
    return isinstance(data, list) and data and all(isinstance(p, dict) and "hosts" in p for p in data)


def test_the_guides_have_code_blocks():
    assert len(GUIDES) == 5 and len(YAML) > 20


def test_every_example_playbook_is_run_by_a_test():
    playbooks = {name for name, text in _examples().items() if _is_playbook(yaml.safe_load(text))}
    assert playbooks == set(RUN_BY)
    for example, test in RUN_BY.items():
        with open(os.path.join(ROOT, "tests", "e2e", test), encoding="utf-8") as handle:
            source = handle.read()
        assert os.path.basename(example) in source, (example, test)


def test_every_playbook_shown_is_an_example():
    examples = _examples()
    shown = [(f, body) for f, _lang, body in YAML if _is_playbook(yaml.safe_load(body))]
    assert len(shown) >= 3
    for source, body in shown:
        assert _normal(body) in examples.values(), f"a playbook in {source} is not one of docs/examples:\n{body}"


def test_every_yaml_block_parses_and_other_files_shown_match():
    examples = _examples()
    for source, _lang, body in YAML:
        data = yaml.safe_load(body)
        assert data is not None, (source, body)
        if isinstance(data, dict) and "dependencies" in data:  # the execution environment definition
            assert _normal(body) == examples["execution-environment.yml"], source


def test_every_json_block_parses_and_the_survey_shown_is_the_example():
    with open(os.path.join(EXAMPLES, "awx", "survey.json"), encoding="utf-8") as handle:
        survey = json.load(handle)
    blocks = [(f, body) for f, lang, body in BLOCKS if lang == "json"]
    assert blocks
    for source, body in blocks:
        data = json.loads(body)
        if "spec" in data:
            assert data == survey, source


def test_the_iam_policies_shown_are_the_organization_examples():
    """Each IAM policy in the user guide is one of docs/examples/organization/*.json, which the unit tests check
    against the CloudFormation template and the calls the collection makes; each of them is shown."""
    files = {}
    for path in glob.glob(os.path.join(EXAMPLES, "organization", "*.json")):
        with open(path, encoding="utf-8") as handle:
            files[os.path.basename(path)] = json.load(handle)
    assert set(files) == {"caller-permissions.json", "member-role-permissions.json", "member-role-trust.json"}
    shown = [(f, json.loads(body)) for f, lang, body in BLOCKS if f == "user_guide.rst" and lang == "json"]
    for source, policy in shown:
        assert policy in files.values(), f"an IAM policy in {source} is not one of docs/examples/organization"
    assert all(policy in [p for _f, p in shown] for policy in files.values())


def _pin(path, package, operator):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        (version,) = re.findall(rf"^{package}{operator}([0-9.]+)$", handle.read(), re.M)
    return version


def test_the_botocore_range_quoted_is_the_one_of_the_releases_checked():
    """The troubleshooting guide quotes the ChimeApiUnavailable message whole, with the range of the botocore
    releases checked to hold the model (service.CHECKED_BOTOCORE): the floor of requirements.txt (the test
    matrix's oldest stack) is its first, the demo's pin one of them, and every upper bound the guide gives is
    the newest checked, so that it never advises pinning below a release that works."""
    from ansible_collections.chime.admin.plugins.module_utils._chime import service

    oldest, demo = _pin("requirements.txt", "botocore", ">="), _pin("demo-requirements.txt", "botocore", "==")
    assert oldest == service.OLDEST_BOTOCORE and demo in service.CHECKED_BOTOCORE
    with open(os.path.join(ROOT, "docs", "docsite", "rst", "troubleshooting.rst"), encoding="utf-8") as handle:
        text = " ".join(handle.read().split())
    assert service.API_UNAVAILABLE_MESSAGE.format(version="1.45.0") in text
    newest = service.NEWEST_BOTOCORE
    assert text.count("<=") == text.count(f"<={newest}") >= 4


def test_task_snippets_pass_the_syntax_check(tmp_path):
    """Each snippet that is a list of tasks, as a play of its own, through ansible-playbook --syntax-check."""
    snippets = [(f, yaml.safe_load(body)) for f, _lang, body in YAML]
    plays = [
        {"name": f"Snippet {n} of {source}", "hosts": "localhost", "gather_facts": False, "tasks": tasks}
        for n, (source, tasks) in enumerate(snippets)
        if isinstance(tasks, list) and not _is_playbook(tasks)
    ]
    assert len(plays) >= 10
    path = tmp_path / "snippets.yml"
    path.write_text(yaml.safe_dump(plays, sort_keys=False, allow_unicode=True), encoding="utf-8")
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "--syntax-check", str(path)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _report_of_the_sample():
    """The JSON sample of the report reference, and the report that the report code makes of its accounts,
    baseline and policy."""
    (body,) = [b for f, lang, b in BLOCKS if f == "report_reference.rst" and lang == "json"]
    sample = json.loads(body)
    summary = {k: v for k, v in sample["summary"].items() if k not in ("violations", "waivers", "changes", "findings")}
    listing = {"accounts": sample["accounts"], "summary": summary}
    baseline = {"generated_at": sample["changes"]["baseline_generated_at"], "accounts": sample["accounts"][:1]}
    recorded = sample["source"]["policy"]
    custom = [dict(id=rule, **{k: v for k, v in entry.items() if k not in ("kind", "setting")}, **entry["setting"])
              for rule, entry in recorded["rules"].items() if entry["kind"] == "custom"]  # fmt: skip
    waivers = [{k: v for k, v in sample["waived"][0]["waiver"].items() if k != "state"}]
    policy = Policy({"no_suspended_accounts": True}, custom_rules=custom, waivers=waivers,
                    name=recorded["name"], version=recorded["version"])  # fmt: skip
    # The scope the action records (the filter, without a caller, records none: see source.scope).
    scope = sample["source"]["scope"]
    return sample, build_report(listing, None, baseline, sample["generated_at"], policy=policy, scope=scope)


def test_report_reference_sample_is_what_the_report_makes():
    sample, made = _report_of_the_sample()
    assert json.dumps(made, indent=2) == json.dumps(sample, indent=2)


def test_report_reference_ocsf_sample_is_the_waived_finding_of_the_json_sample():
    """The OCSF event shown is the one the ocsf format writes for the JSON sample's waived finding, byte for byte
    (its title, description and remediation are the rule's own)."""
    _sample, made = _report_of_the_sample()
    (shown,) = [b for f, lang, b in BLOCKS if f == "report_reference.rst" and lang == "text" and '"class_uid"' in b]
    events = json.loads(render(made, ["ocsf"])["ocsf"])
    waived = [event for event in events if event["status"] == "Suppressed"]
    assert waived and json.dumps(waived[:1], indent=2, sort_keys=True, ensure_ascii=False) + "\n" == shown


def test_report_reference_names_the_findings_csv_columns_in_their_order():
    from ansible_collections.chime.admin.plugins.plugin_utils._format_csv import FINDINGS_CSV_COLUMNS

    with open(os.path.join(ROOT, "docs", "docsite", "rst", "report_reference.rst"), encoding="utf-8") as handle:
        text = handle.read()
    paragraph = text.split("also writes ``<report_name>.findings.csv``")[1].split("\n\n")[0]
    named = [word for word in re.findall(r"``([a-z_]+)``", paragraph) if word in FINDINGS_CSV_COLUMNS]
    assert list(dict.fromkeys(named)) == list(FINDINGS_CSV_COLUMNS)


def test_the_awx_guides_scope_refusal_is_the_message_a_run_gives():
    (body,) = [b for f, lang, b in BLOCKS if f == "awx.rst" and "did not run: the baseline" in b]
    baseline = "s3://example-audit-reports/chime-account-audit/20270104T060003Z-5f0e9a1c/chime-account-audit.json"
    full, lagos = build_scope("111122223333", "aws"), build_scope("111122223333", "aws", names=["Lagos"])
    message = "Chime account audit did not run: " + refusal(lagos, full, f"the baseline {baseline}")
    assert " ".join(body.split()) == message


@pytest.mark.parametrize("name", ["user_guide", "compliance", "awx", "troubleshooting", "report_reference"])
def test_each_guide_is_in_the_docsite_and_linked_from_the_readme(name):
    with open(os.path.join(ROOT, "docs", "docsite", "extra-docs.yml"), encoding="utf-8") as handle:
        toctree = yaml.safe_load(handle)["sections"][0]["toctree"]
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert name in toctree and f"(docs/docsite/rst/{name}.rst)" in readme


def _requirements(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


def test_the_install_line_and_make_demo_name_every_runtime_requirement():
    """The user guide's pip line installs every requirement of requirements.txt, with its floor, and the README
    says that make demo installs them (the Makefile's demo stage does)."""
    (install,) = [b for f, lang, b in BLOCKS if f == "user_guide.rst" and lang == "console" and "pip install" in b]
    with open(os.path.join(ROOT, "Makefile"), encoding="utf-8") as handle:
        makefile = handle.read()
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = " ".join(handle.read().split())
    assert "-r requirements.txt -r demo-requirements.txt" in makefile
    for requirement in _requirements("requirements.txt"):
        assert f"'{requirement}'" in install, requirement
        name = re.split(r"[<>=]", requirement)[0]
        assert name in readme[readme.index("`make demo` installs") :][:300], name


def test_the_documented_show_violations_bound_is_the_action_s():
    from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import MAX_SHOW_VIOLATIONS

    with open(os.path.join(ROOT, "roles", "account_audit", "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        role = yaml.safe_load(handle)["argument_specs"]["main"]["options"]["account_audit_show_violations"]
    with open(os.path.join(ROOT, "plugins", "modules", "chime_account_audit.py"), encoding="utf-8") as handle:
        action = yaml.safe_load(handle.read().split('DOCUMENTATION = r"""')[1].split('"""')[0])
    bound = f"0 to {MAX_SHOW_VIOLATIONS}."
    assert bound in role["description"][0] and action["options"]["show_violations"]["description"].endswith(bound)


def test_the_audit_report_filter_documents_the_report_s_key_order():
    from ansible_collections.chime.admin.plugins.plugin_utils._report import REPORT_KEYS

    with open(os.path.join(ROOT, "plugins", "filter", "audit_report.yml"), encoding="utf-8") as handle:
        description = " ".join(yaml.safe_load(handle)["DOCUMENTATION"]["description"])
    order = description[description.index("Its keys come in a fixed order") :].split(". ", maxsplit=1)[0]
    assert re.findall(r"C\((\w+)\)", order) == list(REPORT_KEYS)


def test_every_version_added_is_a_release_or_the_coming_one():
    """ansible-doc's "added in" names a release of the changelog, or the version galaxy.yml is about to release:
    never one that was skipped."""
    with open(os.path.join(ROOT, "changelogs", "changelog.yaml"), encoding="utf-8") as handle:
        released = set(yaml.safe_load(handle)["releases"])
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        coming = yaml.safe_load(handle)["version"]
    found = {}
    # Sources only: the laid-out tree also holds __pycache__ files, which are not text.
    paths = [
        p for p in glob.glob(os.path.join(ROOT, "plugins", "**", "*.*"), recursive=True) if p.endswith((".py", ".yml"))
    ]
    for path in paths + glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")):
        with open(path, encoding="utf-8") as handle:
            for version in re.findall(r"version_added: *['\"]?([0-9.]+)", handle.read()):
                found.setdefault(version, os.path.relpath(path, ROOT))
    assert found and set(found) <= released | {coming}, found


def _fragments():
    texts = {}
    for path in glob.glob(os.path.join(ROOT, "changelogs", "fragments", "*.yml")):
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        entries = [e for v in data.values() for e in (v if isinstance(v, list) else [v])]
        texts[os.path.basename(path)] = " ".join(" ".join(str(e) for e in entries).split())
    return texts


def test_the_release_notes_state_today_s_defaults_and_report_format():
    """The next release's notes are made of the fragments: each default or report format they state is the code's,
    and none tells a user upgrading from the last release of a value that no release had ("it was 8")."""
    from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
    from ansible_collections.chime.admin.plugins.plugin_utils._report import REPORT_FORMAT

    concurrency = ListingOptions().concurrency
    for name, text in _fragments().items():
        for stated in re.findall(r"``concurrency``,? (?:is |default )(?:now )?(\d+)", text):
            assert int(stated) == concurrency, (name, stated)
        assert not re.search(r"default ``concurrency`` is (?!" + str(concurrency) + r"\b)\d+", text), name
        assert "(it was " not in text, name
        for stated in re.findall(r"``report_format`` (?:is )?(\d+)", text):
            assert int(stated) == REPORT_FORMAT, (name, stated)
