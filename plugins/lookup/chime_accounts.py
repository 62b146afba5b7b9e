# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: chime_accounts
version_added: 0.1.0
short_description: List Amazon Chime accounts on the controller, for templates, set_fact, loops and asserts
description:
  - Returns the Amazon Chime accounts of an AWS account, listed with C(ListAccounts) through every page, with
    the same keys, order and retries as the M(chime.admin.chime_account_info) module's
    RV(chime.admin.chime_account_info#module:accounts).
  - Each term is an account-name prefix. No term lists every account; several terms give their union, in term
    order, with each account once.
  - With O(role_arns) or O(organization_role_name), the same listing runs in each of those AWS accounts, several
    at a time, and the union is sorted by AWS account ID.
  - Call it with the C(query) function, or with C(lookup) and C(wantlist=True). A plain C(lookup) joins a list
    with commas when it is used as a string and hands a one-account result over as a dict instead of a list.
options:
  _terms:
    description:
      - Account-name prefixes (1 to 100 characters each, not all white space, no line break or other control
        character). None lists every account.
    required: false
    type: list
    elements: str
  aws_config:
    description:
      - Advanced botocore configuration, the same dictionary as the module's
        O(chime.admin.chime_account_info#module:aws_config) option, for example with C(read_timeout) or C(retries).
      - See the botocore documentation of C(botocore.config.Config) for the parameters.
    type: dict
  region:
    description:
      - The AWS region, as the module's O(chime.admin.chime_account_info#module:region) option; Chime is global,
        and V(us-east-1) is used where none is set.
      - Also read from C(AWS_DEFAULT_REGION), as the module reads it (amazon.aws's lookups read only C(AWS_REGION)).
    type: str
    aliases: [aws_region]
    env:
      - name: AWS_REGION
      - name: AWS_DEFAULT_REGION
  aws_ca_bundle:
    description:
      - The CA bundle with which the endpoints' certificates are checked, as the module's
        O(chime.admin.chime_account_info#module:aws_ca_bundle) option.
      - Only used while O(validate_certs) is V(true).
    type: path
    env:
      - name: AWS_CA_BUNDLE
    version_added: 0.3.0
  validate_certs:
    description:
      - When V(false), the endpoints' TLS certificates are not checked, as with the module's
        O(chime.admin.chime_account_info#module:validate_certs) option.
      - Strongly discouraged; give O(aws_ca_bundle) instead.
    type: bool
    default: true
    version_added: 0.3.0
  debug_botocore_endpoint_logs:
    description:
      - Show the unique C(resource:action) API calls that the lookup made, as the module returns them as
        C(resource_actions). A lookup returns only its list, so they are shown as a message of the play
        instead, with the lookup's name.
    type: bool
    default: false
    env:
      - name: ANSIBLE_DEBUG_BOTOCORE_LOGS
    version_added: 0.3.0
author:
  - chime.admin contributors (@chime-admin)
extends_documentation_fragment:
  - chime.admin.listing
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
notes:
  - C(module_defaults) do not apply to lookups. Pass credentials as options (O(access_key), O(secret_key),
    O(profile), ...) or through the AWS environment variables, as AWX and AAP inject them.
  - A lookup is evaluated again every time it is referenced. Inside C(vars), every reference lists the accounts
    again; run it once with C(set_fact) and reuse the fact.
seealso:
  - module: chime.admin.chime_account_info
"""

EXAMPLES = r"""
- name: Every Chime account, once, into a fact
  ansible.builtin.set_fact:
    chime_accounts: "{{ query('chime.admin.chime_accounts') }}"

- name: Accounts whose name starts with "Engineering" or "Finance" (union, each once)
  ansible.builtin.debug:
    msg: "{{ item.name }} is {{ item.account_status }}"
  loop: "{{ query('chime.admin.chime_accounts', 'Engineering', 'Finance') }}"

- name: The account of one user
  ansible.builtin.set_fact:
    owner: "{{ query('chime.admin.chime_accounts', user_email=auditee_email) }}"

- name: No account may be suspended (reuses the fact, so no second listing)
  ansible.builtin.assert:
    that: chime_accounts | selectattr('account_status', '==', 'Suspended') | list | length == 0

- name: Credentials as options (module_defaults do not reach lookups); refusals become warnings
  ansible.builtin.set_fact:
    audited: >-
      {{ query('chime.admin.chime_accounts', access_key=audit_access_key, secret_key=audit_secret_key,
               on_denied='warn', backoff_retries=20) }}

- name: Every active account of the AWS organization, through a read-only role in each member account
  ansible.builtin.set_fact:
    organization_accounts: >-
      {{ query('chime.admin.chime_accounts', organization_role_name='ChimeAudit', concurrency=16,
               on_denied='warn') }}
"""

RETURN = r"""
_raw:
  description:
    - The accounts, in API order and term order, each once. Every account has all nine keys of the module's
      RV(chime.admin.chime_account_info#module:accounts); an absent member is V(null), an absent list V([]),
      and C(created_timestamp) is an ISO 8601 string in UTC (never a datetime object).
  type: list
  elements: dict
"""

import contextlib
import io
import logging
import re
from urllib.parse import urlsplit

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display

from ansible_collections.amazon.aws.plugins.plugin_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.plugin_utils.lookup import AWSLookupBase

from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils.chime import inventory


class LookupModule(AWSLookupBase):
    def run(self, terms, variables=None, **kwargs):
        self._reject_unknown_options(kwargs)
        self._reject_non_booleans(kwargs)
        super().run(terms, variables, **kwargs)
        options = ListingOptions.from_params(self.get_options())
        names = list(terms) or [None]
        try:
            ListingOptions.check_given(kwargs)  # before Ansible's conversion, which turns true into 1 or 1.0
            options.validate(names)
        except ChimeInputError as error:
            raise AnsibleLookupError(f"chime_accounts: {error}") from None

        with _resource_actions(self.get_option("debug_botocore_endpoint_logs")) as actions:
            connection = None
            try:
                connection = AwsConnection(*get_aws_connection_info(self))
                facts, warnings = inventory(connection, names, options)
            except ChimeListingError as error:
                for warning in getattr(connection, "warnings", []):  # a plain-HTTP endpoint, though the listing failed
                    self.warn(f"chime_accounts: {warning}")
                raise AnsibleLookupError(f"chime_accounts: {error.message}") from None
            finally:
                if actions is not None:
                    Display().display(f"chime_accounts: resource actions: {', '.join(actions()) or 'none'}")
        for warning in warnings:
            self.warn(f"chime_accounts: {warning}")
        return facts["accounts"]

    def _reject_non_booleans(self, given):
        # Ansible's option types take any text as a boolean for a lookup ("maybe" is false), where a module
        # refuses it: validate_certs: maybe would then turn certificate checks off without a word.
        definitions = C.config.get_configuration_definitions("lookup", self._load_name)
        for option, definition in definitions.items():
            if definition.get("type") != "bool":
                continue
            for key in (option, *(definition.get("aliases") or [])):
                if key in given:
                    try:
                        boolean(given[key], strict=True)
                    except TypeError:
                        raise AnsibleLookupError(
                            f"chime_accounts: {key} must be a boolean, got {given[key]!r}."
                        ) from None

    def _reject_unknown_options(self, given):
        # Ansible ignores options a lookup does not define; a misspelt option (for example
        # user_mail) would then widen an audit to every account without a word.
        definitions = C.config.get_configuration_definitions("lookup", self._load_name)
        known = set(definitions)
        for definition in definitions.values():
            known.update(definition.get("aliases") or [])
        unknown = sorted(set(given) - known)
        if unknown:
            raise AnsibleLookupError(
                f"chime_accounts: unknown option(s) {', '.join(unknown)}; known options: {', '.join(sorted(known))}"
            )


_OPERATION_RE = re.compile(r"OperationModel\(name=(\w+)\)")
_URL_RE = re.compile(r"'url': '([^']+)'")


@contextlib.contextmanager
def _resource_actions(wanted):
    """While the block runs, collect the API calls that botocore's ``botocore.endpoint`` logger reports, as
    amazon.aws's modules do for ``debug_botocore_endpoint_logs``; yields a function that returns them, unique
    and sorted, as ``resource:Operation`` (the resource is the endpoint host's first label), or ``None`` when
    not ``wanted``. The logger's level is put back afterwards: the lookup shares the controller's process."""
    if not wanted:
        yield None
        return
    logger, stream = logging.getLogger("botocore.endpoint"), io.StringIO()
    handler, level, propagate = logging.StreamHandler(stream), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    # The DEBUG records hold whole requests (an AssumeRole's ExternalId, session tokens): they reach this
    # block's handler only, never the controller's other handlers.
    logger.propagate = False

    def actions():
        found = set()
        for line in stream.getvalue().splitlines():
            operation, url = _OPERATION_RE.search(line), _URL_RE.search(line)
            if operation and url:
                host = urlsplit(url.group(1)).hostname or ""
                found.add(f"{host.split('.')[0]}:{operation.group(1)}")
        return sorted(found)

    try:
        yield actions
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
