# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The chime_account_audit action: the whole audit on the controller, in one call.

Its documentation is in plugins/modules/chime_account_audit.py, as ansible.builtin documents its actions.
The work is in plugins/plugin_utils/_audit_run.py; this file reads the options as the module reads them
(the same argument spec, so module_defaults, aliases and the AWS environment variables apply) and builds
the connection as the lookup does, with amazon.aws's connection info.
"""

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

from ansible_collections.amazon.aws.plugins.module_utils.botocore import HAS_BOTO3
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.plugin_utils.botocore import get_aws_connection_info

from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import Audit
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import audit_option_spec


def argument_spec():
    """Every option of the action: the AWS options, the module's listing and fan-out options, the audit's."""
    spec = aws_argument_spec()
    spec.update(name=dict(type="str"), **ListingOptions.argument_spec(), **audit_option_spec())
    return spec


class _ConnectionOptions:
    """What amazon.aws's ``get_aws_connection_info`` reads from a plugin: its options, and a way to fail."""

    def __init__(self, params):
        self._params = params

    def get_options(self):
        return self._params

    def fail_aws(self, message, **_kwargs):
        raise ChimeListingError(f"Couldn't connect to AWS: {message}", code="ConnectionInfo")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # the audit runs on the controller, whatever the host

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if not HAS_BOTO3:
            message = "Chime account audit did not run: boto3 and botocore are required on the controller."
            return dict(result, failed=True, msg=message, failure=message, outcome="incomplete", changed=False)
        try:
            validation, params = self.validate_argument_spec(
                argument_spec=argument_spec(), mutually_exclusive=ListingOptions.mutually_exclusive()
            )
            # Ansible has turned a boolean given to a float option into 1.0: the task's arguments show it.
            ListingOptions.check_given(self._task.args)
        except (AnsibleActionFail, ChimeInputError) as error:
            message = f"Chime account audit did not run: {getattr(error, 'message', None) or error}"
            return dict(result, failed=True, msg=message, failure=message, outcome="incomplete", changed=False)

        made = []

        def connect():
            made.append(AwsConnection(*get_aws_connection_info(_ConnectionOptions(params))))
            return made[0]

        audit = Audit(params, connect, self._loader.get_basedir(), bool(self._task.check_mode))
        result.update(audit.run())
        # The connection's warnings (a plain-HTTP endpoint of any client it made), whether the audit succeeded
        # or failed: a failed one returns without the listing's warnings.
        shown = made[0].warnings if made else []
        result["warnings"] = shown + [w for w in result.get("warnings") or [] if w not in shown]
        # A module's result is masked against its no_log values by AnsibleModule; an action's is not. No
        # secret is known to reach it, and this keeps it so if one ever does (in an error message, say).
        return remove_values(result, validation._no_log_values)  # pylint: disable=protected-access
