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

try:
    from botocore.exceptions import InvalidRegionError
    from botocore.utils import validate_region_name
except ImportError:  # HAS_BOTO3 says so in run()
    pass
from ansible.module_utils.common.parameters import remove_values
from ansible.plugins.action import ActionBase

try:  # ansible-core 2.19 and later: what its gather_facts, package and service actions use
    from ansible.executor.module_common import _apply_action_arg_defaults
except ImportError:  # ansible-core 2.17 and 2.18
    from ansible.executor.module_common import get_action_args_with_defaults

    def _apply_action_arg_defaults(action, task, action_args, templar):
        return get_action_args_with_defaults(
            action, action_args, task.module_defaults, templar, action_groups=task._parent._play._action_groups
        )


from ansible_collections.amazon.aws.plugins.module_utils.botocore import HAS_BOTO3
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.plugin_utils.botocore import get_aws_connection_info

from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils.chime import redact
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import Audit
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import audit_option_spec
from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible


def argument_spec():
    """Every option of the action: the AWS options, the module's listing and fan-out options, the audit's."""
    spec = aws_argument_spec()
    spec.update(name=dict(type="str"), **ListingOptions.argument_spec(), **audit_option_spec())
    return spec


FQCN = "chime.admin.chime_account_audit"


def plain(value):
    """``value`` as plain Python data. ansible-core 2.19 and later hand an action its arguments as tagged
    subclasses of str, int, float, dict and list; the audit's messages name a value's type, which must read
    ``str``, not ``_AnsibleTaggedStr``, and nothing below the action needs the tags."""
    if isinstance(value, bool) or value is None:
        return value
    for kind in (str, int, float):
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def connection_info_of(params):
    """amazon.aws's connection info ``(region, endpoint_url, connect_params)``, checked before any request:
    a region botocore would refuse at its first client, half a key pair, or a profile given with keys fail
    here, as bad input, rather than as an audit that could not list."""
    region, endpoint_url, connect_params = get_aws_connection_info(_ConnectionOptions(params))
    try:
        validate_region_name(region)
    except InvalidRegionError:
        raise ChimeInputError(f"region must be an AWS region name such as us-east-1, got {region!r}.") from None
    keys = [name for name in ("aws_access_key_id", "aws_secret_access_key") if connect_params.get(name)]
    if len(keys) == 1:
        given, missing = ("access_key", "secret_key") if keys == ["aws_access_key_id"] else ("secret_key", "access_key")
        raise ChimeInputError(f"{given} is set but {missing} is not: give both, or neither.")
    return region, endpoint_url, connect_params


class _ConnectionOptions:
    """What amazon.aws's ``get_aws_connection_info`` reads from a plugin: its options, and a way to fail."""

    def __init__(self, params):
        self._params = params

    def get_options(self):
        return self._params

    def fail_aws(self, message, **_kwargs):
        raise ChimeListingError(f"Couldn't connect to AWS: {message}", code="ConnectionInfo")


def with_module_defaults(task, templar, omit_token):
    """The task's arguments, with module_defaults for every option the task left out.

    ansible-core layers module_defaults under a task's arguments before it templates them, so an argument
    that templates to omit also removes its module default: the role's ``"{{ account_audit_x | default(omit) }}"``
    would hide a module_defaults ``region`` or ``access_key`` (and leave half a key pair). An argument
    absent here was either never given or omitted, and both mean "not set": the defaults apply to them as
    they do when ansible-core's own gather_facts, package and service actions pass arguments on. Arguments
    that are present always win. (A private helper of ansible-core, as those actions use it; imported above
    for each supported version.)
    """
    args = _apply_action_arg_defaults(task.resolved_action, task, dict(task.args), templar)
    # ansible-core 2.17 and 2.18 template a module default of omit to the omit token, then remove it.
    return {key: value for key, value in args.items() if omit_token is None or value != omit_token}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # the audit runs on the controller, whatever the host

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if not HAS_BOTO3:
            message = "Chime account audit did not run: boto3 and botocore are required on the controller."
            return dict(result, failed=True, msg=message, failure=message, outcome="incomplete", changed=False)
        self._task.args = plain(with_module_defaults(self._task, self._templar, (task_vars or {}).get("omit")))
        try:
            try:
                validation, params = self.validate_argument_spec(
                    argument_spec=argument_spec(), mutually_exclusive=ListingOptions.mutually_exclusive()
                )
            except AnsibleActionFail as error:
                # ansible-core names the action by its Python module: users know it by its FQCN.
                raise AnsibleActionFail(str(error.message).replace(f"({self._load_name})", f"({FQCN})")) from None
            # Ansible has turned a boolean given to a float option into 1.0: the task's arguments show it.
            ListingOptions.check_given(self._task.args)
            params = plain(params)
            connection_info = connection_info_of(params)
        except (AnsibleActionFail, ChimeInputError, ChimeListingError) as error:
            # redact: ansible-core's argument check quotes the values it refuses (a role ARN may hold an address).
            # visible: the value it quotes is the user's, control characters and all.
            message = visible(redact(f"Chime account audit did not run: {getattr(error, 'message', None) or error}"))
            return dict(result, failed=True, msg=message, failure=message, outcome="incomplete", changed=False)

        made = []

        def connect():
            made.append(AwsConnection(*connection_info))
            return made[0]

        audit = Audit(params, connect, self._loader.get_basedir(), bool(self._task.check_mode), connection_info[0])
        result.update(audit.run())
        # The connection's warnings (a plain-HTTP endpoint of any client it made), whether the audit succeeded
        # or failed: a failed one returns without the listing's warnings.
        shown = made[0].warnings if made else []
        result["warnings"] = shown + [w for w in result.get("warnings") or [] if w not in shown]
        # A module's result is masked against its no_log values by AnsibleModule; an action's is not. No
        # secret is known to reach it, and this keeps it so if one ever does (in an error message, say).
        no_log_values = validation._no_log_values  # pylint: disable=protected-access
        return remove_values(result, no_log_values - ListingOptions.unmasked_when_refused(params["external_id"]))
