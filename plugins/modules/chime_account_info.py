#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: chime_account_info
version_added: 0.1.0
short_description: List Amazon Chime accounts, with every page and clean facts
description:
  - Lists the Amazon Chime accounts of an AWS account with C(ListAccounts), optionally filtered by an
    account-name prefix or a user's e-mail address.
  - Follows C(NextToken) through every page. A throttled or failed page is retried alone, with jittered
    backoff; the pages already fetched are kept. A partial list is never returned as success.
  - Returns each account with the same nine snake_case keys, timestamps as ISO 8601 strings, and counts by
    status, type and default license.
options:
  name:
    description:
      - Only list accounts whose name starts with this prefix, sent as C(Name).
      - 1 to 100 characters, not all white space, no line break or other control character.
    type: str
author:
  - chime.admin contributors (@chime-admin)
extends_documentation_fragment:
  - chime.admin.listing
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
attributes:
  check_mode:
    support: full
    description: The module only reads; check mode lists the accounts as a normal run does.
  diff_mode:
    support: none
    description: Nothing changes, so there is no diff.
  platform:
    support: full
    platforms: all
    description: Runs wherever boto3 can reach the Chime endpoint.
seealso:
  - plugin: chime.admin.chime_accounts
    plugin_type: lookup
"""

EXAMPLES = r"""
- name: List every Chime account
  chime.admin.chime_account_info:
  register: chime

- name: Fail when any account is suspended
  ansible.builtin.assert:
    that: chime.summary.by_status.Suspended | default(0) == 0
    fail_msg: >-
      Suspended: {{ chime.accounts | selectattr('account_status', '==', 'Suspended')
      | map(attribute='name') | join(', ') }}

- name: Accounts whose name starts with "Engineering", 100 per call
  chime.admin.chime_account_info:
    name: Engineering
    page_size: 100

- name: Which account does this user belong to?
  chime.admin.chime_account_info:
    user_email: "{{ auditee_email }}"
  register: owner

- name: Credentials once for this collection's modules and amazon.aws's
  module_defaults:
    group/chime.admin.aws:
      access_key: "{{ audit_access_key }}"
      secret_key: "{{ audit_secret_key }}"
  block:
    - name: List accounts with a patient retry budget
      chime.admin.chime_account_info:
        backoff_retries: 20
        backoff_max_delay: 60

- name: Every active account of the organization, through a read-only audit role, 16 AWS accounts at a time
  chime.admin.chime_account_info:
    organization_role_name: ChimeAudit
    external_id: "{{ audit_external_id }}"
    concurrency: 16
    on_denied: warn
  register: org

- name: No AWS account may have been refused silently
  ansible.builtin.assert:
    that: org.aws_accounts | selectattr('status', '==', 'denied') | list | length == 0
    fail_msg: >-
      Not listed: {{ org.aws_accounts | selectattr('status', '==', 'denied')
      | map(attribute='aws_account_id') | join(', ') }}

- name: Two AWS accounts through roles named one by one
  chime.admin.chime_account_info:
    role_arns:
      - arn:aws:iam::111122223333:role/ChimeAudit
      - arn:aws:iam::444455556666:role/audit/ChimeAudit
"""

RETURN = r"""
accounts:
  description:
    - The Chime accounts in API order, each once (a record repeated across pages is kept at its first position).
    - Across several AWS accounts (O(role_arns), O(organization_role_name)), sorted by AWS account ID and in API
      order within each, each once per AWS account.
    - Every account has all nine keys; an absent member is V(null) and an absent list is V([]).
  returned: always
  type: list
  elements: dict
  contains:
    aws_account_id:
      description: The AWS account ID.
      type: str
      returned: always
      sample: "111122223333"
    account_id:
      description: The Amazon Chime account ID.
      type: str
      returned: always
      sample: 2d055095-46fa-4f84-bb61-db560c43c70a
    name:
      description: The Amazon Chime account name.
      type: str
      returned: always
      sample: Zürich Engineering
    account_type:
      description: V(Team), V(EnterpriseDirectory), V(EnterpriseLWA) or V(EnterpriseOIDC); V(null) when absent.
      type: str
      returned: always
      sample: Team
    created_timestamp:
      description: When the account was created, as an ISO 8601 string in UTC; V(null) when absent.
      type: str
      returned: always
      sample: "2019-04-05T12:34:56.789000+00:00"
    default_license:
      description: V(Basic), V(Plus), V(Pro) or V(ProTrial); V(null) when absent.
      type: str
      returned: always
      sample: Pro
    supported_licenses:
      description: The licenses the account supports; V([]) when absent.
      type: list
      elements: str
      returned: always
      sample: [Basic, Pro]
    account_status:
      description: V(Active) or V(Suspended); V(null) when absent.
      type: str
      returned: always
      sample: Active
    signin_delegate_groups:
      description: The sign-in delegate groups; V([]) when absent.
      type: list
      elements: dict
      returned: always
      contains:
        group_name:
          description: The group's name.
          type: str
          returned: always
          sample: chime-admins
summary:
  description:
    - Counts over RV(accounts), keyed by the API's values. An absent member counts under V(unknown).
  returned: always
  type: dict
  contains:
    total:
      description: The number of accounts.
      type: int
      returned: always
      sample: 3
    by_status:
      description: Accounts per C(account_status).
      type: dict
      returned: always
      sample: {Active: 2, Suspended: 1}
    by_type:
      description: Accounts per C(account_type).
      type: dict
      returned: always
      sample: {Team: 2, EnterpriseOIDC: 1}
    by_aws_account:
      description: Accounts per AWS account ID. Only across several AWS accounts.
      type: dict
      returned: when O(role_arns) or O(organization_role_name) is given
      sample: {"111122223333": 2, "444455556666": 1}
      version_added: 0.3.0
    by_default_license:
      description: Accounts per C(default_license).
      type: dict
      returned: always
      sample: {Pro: 2, Basic: 1}
aws_accounts:
  description:
    - One entry per AWS account asked for, sorted by AWS account ID, with what became of it. Two O(role_arns) into
      one AWS account are refused before any request, so no AWS account has two entries.
  returned: when O(role_arns) or O(organization_role_name) is given
  type: list
  elements: dict
  version_added: 0.3.0
  contains:
    aws_account_id:
      description: The AWS account ID.
      type: str
      returned: always
      sample: "444455556666"
    role_arn:
      description:
        - The role assumed in that AWS account; V(null) for the caller's own account and for skipped ones.
        - A part of the ARN that holds an e-mail address (a role named C(alice@example.com)) is shown as
          C(<e-mail address withheld>), as in every message and report.
      type: str
      returned: always
      sample: arn:aws:iam::444455556666:role/ChimeAudit
    status:
      description:
        - V(listed) when its Chime accounts are in RV(accounts); V(denied) when STS or Chime refused and O(on_denied)
          is V(warn) or V(skip); V(skipped) when AWS Organizations reports it suspended or closing.
        - Any other outcome fails the task, naming each such AWS account, whatever O(on_denied) says. Such outcomes
          are a listing that failed for good, a ListAccounts record that cannot be read or has no C(AwsAccountId)
          (retried first, then named with its page), a record of another AWS account than the one listed, and a
          member account that AWS Organizations gives neither C(State) nor C(Status) (its state is unknown, neither
          listed nor skipped).
      type: str
      returned: always
      choices: [listed, denied, skipped]
      sample: listed
    accounts:
      description: How many of its Chime accounts are in RV(accounts).
      type: int
      returned: always
      sample: 12
    message:
      description: Why it was not listed. Holds no credential, no external ID and no e-mail address.
      type: str
      returned: when RV(aws_accounts[].status) is not V(listed)
      sample: "STS AssumeRole of arn:aws:iam::444455556666:role/ChimeAudit returned AccessDenied: ..."
"""

from ansible.module_utils.basic import _load_params

from ansible_collections.amazon.aws.plugins.module_utils.botocore import get_aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils.chime import inventory


def main():
    argument_spec = dict(name=dict(type="str"), **ListingOptions.argument_spec())
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=ListingOptions.mutually_exclusive(),
    )
    names = [module.params["name"]]
    options = ListingOptions.from_params(module.params)
    # The result's invocation (at -vvv and above) shows the options: a role's name may hold an e-mail address
    # (IAM allows @), which no output holds. The options above keep the ARNs that STS is asked for.
    module.params.update(ListingOptions.shown_params(module.params))
    try:
        # Ansible has turned a boolean given to a float option into 1.0: the options as given show it.
        ListingOptions.check_given(_load_params())
        options.validate(names)
    except ChimeInputError as error:
        refused = ListingOptions.unmasked_when_refused(module.params["external_id"])
        module.no_log_values.difference_update(refused)
        if refused:  # not masked in the words of the refusal, but never shown: the invocation masks it by name
            module.params["external_id"] = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
        module.fail_json(msg=str(error))

    connection = None
    try:
        connection = AwsConnection(*get_aws_connection_info(module))
        facts, warnings = inventory(connection, names, options)
    except ChimeListingError as error:
        for warning in getattr(connection, "warnings", []):  # a plain-HTTP endpoint, even though the listing failed
            module.warn(warning)
        module.fail_json_aws(error)
    for warning in warnings:
        module.warn(warning)
    module.exit_json(changed=False, **facts)


if __name__ == "__main__":
    main()
