# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""chime_account_info's whole argument spec as the module builds it, for the tests that compare the lookup's and
the action's options with it (one copy of the trick)."""

from unittest import mock

import pytest

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.chime.admin.plugins.modules import chime_account_info


class _Built(Exception):
    """Stops chime_account_info's main() once its AnsibleAWSModule has built the argument spec."""


def module_argument_spec():
    """chime_account_info's argument spec: its own (main()) over amazon.aws's common options, merged by
    AnsibleAWSModule itself, caught where it hands the result to AnsibleModule."""

    def module_class(**kwargs):
        raise _Built(kwargs["argument_spec"])

    settings = dict(AnsibleAWSModule.default_settings, module_class=module_class)
    with mock.patch.object(AnsibleAWSModule, "default_settings", settings):
        with pytest.raises(_Built) as built:
            chime_account_info.main()
    return built.value.args[0]
