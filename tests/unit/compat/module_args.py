# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""``patch_module_args`` on every supported ansible-core.

ansible-core 2.19 added ``ansible.module_utils.testing.patch_module_args``. On 2.17 and 2.18 a module
reads its arguments from ``ansible.module_utils.basic._ANSIBLE_ARGS`` instead, so the fallback sets
that for the duration of the block. One unit test suite then runs on every core the collection supports.
"""

import contextlib
import json
from unittest import mock

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from ansible.module_utils import basic

    @contextlib.contextmanager
    def patch_module_args(args=None):
        """Give a module ``args`` as its arguments while the block runs."""
        payload = json.dumps({"ANSIBLE_MODULE_ARGS": args or {}}).encode("utf-8")
        with mock.patch.object(basic, "_ANSIBLE_ARGS", payload):
            yield


__all__ = ["patch_module_args"]
