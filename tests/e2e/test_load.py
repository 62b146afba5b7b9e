# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Load: 50 concurrent runs against one fake endpoint, each for its own tenant (AWS account).

Five ansible-playbook processes run at once, each over ten hosts with forks=10; each host runs the
module and the lookup with its own tenant's credentials. Every run must get exactly its own
tenant's accounts (no cross-talk), and none may fail. Each host saves what it got with the test-only
action ``e2e_save_results`` (see ``e2e/playbooks.py``).
"""

import json
import os
import subprocess
import sys

import yaml

from e2e.playbooks import ACTION_PLUGINS
from fake_chime import FakeChime
from fake_chime import generate

PROCESSES = 5
HOSTS_PER_PROCESS = 10


def _tenant(index):
    return f"3000{index:08d}", f"AKIALOAD{index:012d}", f"load-secret-{index}"


def _playbook(out_dir):
    options = {
        "endpoint_url": "{{ chime_url }}",
        "access_key": "{{ chime_key }}",
        "secret_key": "{{ chime_secret }}",
        "backoff_delay": 0.01,
        "backoff_max_delay": 0.1,
    }
    lookup = (
        "{{ query('chime.admin.chime_accounts', endpoint_url=chime_url, access_key=chime_key,"
        " secret_key=chime_secret, backoff_delay=0.01, backoff_max_delay=0.1) }}"
    )
    return [
        {
            "hosts": "all",
            "gather_facts": False,
            "tasks": [
                {"name": "Module", "chime.admin.chime_account_info": options, "register": "listed"},
                {
                    "name": "Lookup",
                    "ansible.builtin.set_fact": {"looked_up": lookup},
                },
                {
                    "name": "Save",
                    "e2e_save_results": {
                        "dest": f"{out_dir}/{{{{ inventory_hostname }}}}.json",
                        "content": "{{ {'module': listed.accounts, 'lookup': looked_up} | to_json }}",
                    },
                },
            ],
        }
    ]


def test_fifty_concurrent_runs_each_get_their_own_tenant(tmp_path):
    runs = PROCESSES * HOSTS_PER_PROCESS
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with FakeChime() as fake:
        for index in range(runs):
            tenant, key, secret = _tenant(index)
            fake.add_tenant(generate(40 + index, seed=index, aws_account_id=tenant), key, secret)
        playbook = tmp_path / "load.yml"
        playbook.write_text(yaml.safe_dump(_playbook(out_dir), sort_keys=False))
        processes = []
        for process in range(PROCESSES):
            lines = []
            for host in range(HOSTS_PER_PROCESS):
                index = process * HOSTS_PER_PROCESS + host
                tenant, key, secret = _tenant(index)
                lines.append(
                    f"run{index} ansible_connection=local ansible_python_interpreter={sys.executable} "
                    f"chime_url={fake.url} chime_key={key} chime_secret={secret}"
                )
            inventory = tmp_path / f"hosts{process}"
            inventory.write_text("\n".join(lines) + "\n")
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
            env.update(ANSIBLE_ACTION_PLUGINS=ACTION_PLUGINS)
            command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory)]
            command += ["--forks", str(HOSTS_PER_PROCESS), str(playbook)]
            processes.append(
                subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            )
        for process in processes:
            output = process.communicate(timeout=600)[0]
            assert process.returncode == 0, output
        for index in range(runs):
            tenant = _tenant(index)[0]
            expected = [a["AccountId"] for a in fake.tenants[tenant].data.accounts]
            saved = json.loads((out_dir / f"run{index}.json").read_text())
            assert [a["account_id"] for a in saved["module"]] == expected
            assert saved["lookup"] == saved["module"]
            assert {a["aws_account_id"] for a in saved["module"]} == {tenant}
        stats = fake.stats()
        assert stats["by_status"] == {"200": stats["requests"]}
        assert len(stats["by_tenant"]) == runs
