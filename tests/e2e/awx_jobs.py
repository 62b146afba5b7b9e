# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jobs run as AWX runs them: through the ansible-runner CLI, with a private data directory laid out as AWX
lays it out (env/envvars for the injected credentials, env/extravars for the survey, project/ with
docs/examples/awx/audit.yml, inventory/), and what a test reads back from their artifacts."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX_EXAMPLES = os.path.join(ROOT, "docs", "examples", "awx")
MAX_EVENT_RES_DATA = 700_000  # AWX drops an event's result above this many bytes (its JSON)


def galaxy_version():
    """The collection's version, as galaxy.yml gives it."""
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as handle:
        return yaml.safe_load(handle)["version"]


@dataclass
class Job:
    """What an ansible-runner job left: its artifact directory, status and exit code."""

    artifacts: object
    status: str
    rc: int

    @property
    def events(self):
        return [json.loads(p.read_text()) for p in sorted((self.artifacts / "job_events").glob("*.json"))]

    @property
    def stdout(self):
        return (self.artifacts / "stdout").read_text(encoding="utf-8")


def run_job(tmp_path, envvars, extravars, cmdline=None, project_files=None):
    """Lay out a private data directory as AWX does and run project/audit.yml through ansible-runner; the
    project also holds policy.yml and ``project_files`` (name to text)."""
    pdd = tmp_path / "job"
    (pdd / "env").mkdir(parents=True)
    (pdd / "project").mkdir()
    (pdd / "inventory").mkdir()
    shutil.copy(os.path.join(AWX_EXAMPLES, "audit.yml"), pdd / "project" / "audit.yml")
    shutil.copy(os.path.join(AWX_EXAMPLES, "policy.yml"), pdd / "project" / "policy.yml")  # the project's policy
    for name, text in (project_files or {}).items():
        (pdd / "project" / name).write_text(text, encoding="utf-8")
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    # The survey's default answers, then the test's variables, as AWX merges a job's extra variables.
    answers = dict(survey_defaults(), **extravars)
    (pdd / "env" / "extravars").write_text(yaml.safe_dump(answers, allow_unicode=True))
    (pdd / "env" / "settings").write_text(yaml.safe_dump({"job_timeout": 600}))
    inventory = f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n"
    (pdd / "inventory" / "hosts").write_text(inventory)
    # The ansible-runner command, as an AWX execution node runs it, in a child process: its library
    # would fork this process, which serves the fake from a thread, in Python (pexpect), and that can
    # deadlock.
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-runner"), "run", "--ident", "job", "-q"]
    command += ["-p", "audit.yml", *([f"--cmdline={cmdline}"] if cmdline else []), str(pdd)]
    subprocess.run(command, check=False, timeout=900, stdout=subprocess.DEVNULL)
    artifacts = pdd / "artifacts" / "job"
    job = Job(artifacts, (artifacts / "status").read_text().strip(), int((artifacts / "rc").read_text()))
    # Every job, passed or failed, keeps every event's result under AWX's cap.
    assert job.events and largest_event_res(job) < MAX_EVENT_RES_DATA
    return job


def survey_defaults():
    """The default answers of docs/examples/awx/survey.json, as AWX passes them: a multiselect as a list."""
    with open(os.path.join(AWX_EXAMPLES, "survey.json"), encoding="utf-8") as handle:
        spec = json.load(handle)["spec"]
    return {
        q["variable"]: q["default"].split("\n") if q["type"] == "multiselect" else q["default"]
        for q in spec
        if q.get("default") is not None
    }


def artifact_text(artifacts):
    """Every file the job left under its artifact directory (stdout, job events, fact cache, status), but
    ansible-runner's own `command` file: it records the environment the job was given, as env/envvars
    holds it, whatever the playbook does."""
    paths = sorted(p for p in artifacts.rglob("*") if p.is_file() and p.name != "command")
    assert artifacts / "stdout" in paths and any(p.parent.name == "job_events" for p in paths)
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in paths)


def stats_data(job):
    """What set_stats published, as AWX passes it on to workflow nodes."""
    (stats,) = [e for e in job.events if e["event"] == "playbook_on_stats"]
    return stats["event_data"]["artifact_data"]


def largest_event_res(job):
    """The size of the largest event result, as AWX measures it against its cap."""
    return max(len(json.dumps(e.get("event_data", {}).get("res", {}))) for e in job.events)
