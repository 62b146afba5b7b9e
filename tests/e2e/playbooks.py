# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers of the end-to-end tests: real ansible-playbook processes against the fake endpoint, as a user runs them.

Test modules import these from here; ``conftest.py`` holds only fixtures (pytest advises against importing from a
conftest)."""

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import yaml

from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY

# Connection options for tasks; endpoint_url is filled in per test.
CREDENTIALS = {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
FAST_RETRIES = {"backoff_delay": 0.01, "backoff_max_delay": 0.05}
# The test-only action that saves a play's registered results (see action_plugins/e2e_save_results.py).
ACTION_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "action_plugins")


@dataclass
class PlayResult:
    """What a run left behind: exit code, output, and the registered variables it saved."""

    rc: int
    stdout: str
    stderr: str
    saved: dict

    @property
    def output(self):
        """Standard output and error together."""
        return self.stdout + self.stderr


def module_args(result, registered):
    """The module_args of a registered result's invocation (``ANSIBLE_INJECT_INVOCATION``, at -vvv or more).

    ansible-core 2.17 and 2.18 delete the invocation from registered variables, whatever the setting; their
    callback still prints it with the task's result at -vvv, less the keys it hides (failed, exception...). There
    it is read from the output: the printed result whose every other key has the registered value, and that has
    more than ``changed``. None when no printed result is."""
    if "invocation" in registered:
        return registered["invocation"]["module_args"]
    decoder = json.JSONDecoder()
    for found in re.finditer(r"=> \{", result.stdout):
        try:
            printed, _end = decoder.raw_decode(result.stdout, found.end() - 1)
        except ValueError:
            continue
        invocation = printed.pop("invocation", None)
        same = all(key in registered and registered[key] == value for key, value in printed.items())
        if isinstance(invocation, dict) and same and set(printed) - {"changed"}:
            return invocation.get("module_args")
    return None


def playbook_runner(tmp_path):
    """A function that runs a play of ``tasks`` on localhost, working in ``tmp_path``.

    ``save`` names registered variables to return; a last task writes them to a file with the test-only
    action ``e2e_save_results``, which runs no module. The environment holds no AWS settings but those
    a test passes: no region, no profile, no credentials, and empty AWS config files (a test may
    write them).
    """
    config_file = tmp_path / "aws_config"
    credentials_file = tmp_path / "aws_credentials"
    for path in (config_file, credentials_file):
        if not path.exists():
            path.write_text("")

    def run(tasks, save=("r",), env=None, args=(), play_extra=None):
        out_file = tmp_path / "saved.json"
        saved = "{" + ", ".join(f"'{name}': {name} | default(None)" for name in save) + "}"
        tasks = list(tasks) + [
            {
                "name": "Save the registered results",
                "e2e_save_results": {"content": "{{ " + saved + " | to_json }}", "dest": str(out_file)},
                "check_mode": False,
            }
        ]
        playbook = [dict({"hosts": "localhost", "gather_facts": False, "tasks": tasks}, **(play_extra or {}))]
        path = tmp_path / "play.yml"
        path.write_text(yaml.safe_dump(playbook, sort_keys=False, allow_unicode=True), encoding="utf-8")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environment.update(AWS_CONFIG_FILE=str(config_file), AWS_SHARED_CREDENTIALS_FILE=str(credentials_file))
        environment.update(ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_ACTION_PLUGINS=ACTION_PLUGINS)
        environment.update(env or {})
        inventory = f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n"
        (tmp_path / "hosts").write_text(inventory)
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(tmp_path / "hosts")]
        completed = subprocess.run(
            [*command, *args, str(path)], env=environment, capture_output=True, text=True, timeout=300, check=False
        )
        data = json.loads(out_file.read_text(encoding="utf-8")) if out_file.exists() else {}
        return PlayResult(completed.returncode, completed.stdout, completed.stderr, data)

    return run


def run_example(name, endpoint_url, report, aws_env):
    """Run docs/examples/<name> as its header tells users to, against ``endpoint_url``, writing
    ``report``, with no AWS settings but ``aws_env``. Returns (completed process, report text)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    command = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        "-i", "localhost,", "-c", "local",
        "-e", f"ansible_python_interpreter={sys.executable}",
        "-e", f"chime_endpoint_url={endpoint_url}",
        "-e", f"report_file={report}",
        os.path.join(root, "docs", "examples", name),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, ANSIBLE_NOCOLOR="1", **aws_env)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)
    return completed, report.read_text(encoding="utf-8") if report.exists() else ""
