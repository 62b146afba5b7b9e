# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A test-only action that writes the registered results of a play to a file, on the controller.

The end-to-end plays end with it instead of ``ansible.builtin.copy``: copy runs two modules (stat, then
copy), which cost as much CPU as the playbook's own start-up. This action runs no module.
``playbook_runner`` puts this folder on ``ANSIBLE_ACTION_PLUGINS``; nothing in the collection knows of it.
"""

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Write ``content`` (a string, templated as any task argument) to ``dest``."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("content", "dest"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        content, dest = self._task.args.get("content"), self._task.args.get("dest")
        if not isinstance(content, str) or not isinstance(dest, str):
            raise AnsibleActionFail("e2e_save_results needs content and dest, both strings.")
        with open(dest, "w", encoding="utf-8") as handle:
            handle.write(content)
        result["changed"] = False
        return result
