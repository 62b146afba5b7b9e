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

from ansible import constants as C
from ansible.errors import AnsibleLookupError

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
        super().run(terms, variables, **kwargs)
        options = ListingOptions.from_params(self.get_options())
        names = list(terms) or [None]
        try:
            ListingOptions.check_given(kwargs)  # before Ansible's conversion, which turns true into 1 or 1.0
            options.validate(names)
        except ChimeInputError as error:
            raise AnsibleLookupError(f"chime_accounts: {error}") from None

        try:
            connection = AwsConnection(*get_aws_connection_info(self))
            facts, warnings = inventory(connection, names, options)
        except ChimeListingError as error:
            raise AnsibleLookupError(f"chime_accounts: {error.message}") from None
        for warning in warnings:
            self.warn(f"chime_accounts: {warning}")
        return facts["accounts"]

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
