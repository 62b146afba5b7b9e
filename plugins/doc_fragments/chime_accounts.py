# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Options shared by the chime_account_info module and the chime_accounts lookup.
    DOCUMENTATION = r"""
options:
  user_email:
    description:
      - Return the Chime account of the user with this e-mail address, sent as C(UserEmail).
      - The service returns at most one account for an address. An address it does not know gives an empty list,
        not a failure.
      - Must match C(.+@.+\..+). The address is personal data, so it is never shown in results, warnings,
        errors or logs.
    type: str
  page_size:
    description:
      - Accounts to ask for per C(ListAccounts) call, sent as C(MaxResults) on every page.
      - The default of V(200), the service's maximum, halves the calls that the service's own default of 100 would make.
      - Every page is fetched whatever the page size, so the result is never truncated.
    type: int
    default: 200
    aliases: [max_results]
  backoff_retries:
    description:
      - How many times one page is asked for again after a throttle (429), a service fault (500, 503),
        a dropped connection, a timeout or an unreadable answer, before the listing fails.
      - Only the page that failed is asked for again; the pages already fetched are kept.
      - Once the service throttles, later requests are also spaced out by a client-side rate limiter that adapts
        to the throttling, so that a listing runs close to the service's rate limit.
      - Between V(0) (no retries) and V(100).
    type: int
    default: 10
  backoff_delay:
    description:
      - Upper bound in seconds of the first wait before a retry. Each wait is drawn at random below a bound
        that doubles on every retry (jittered exponential backoff), up to O(backoff_max_delay).
      - Between V(0.001) and V(300).
    type: float
    default: 0.1
  backoff_max_delay:
    description:
      - The largest bound in seconds of one wait between retries. Not below O(backoff_delay); at most V(3600).
    type: float
    default: 30.0
notes:
  - Amazon Chime is a global service. Where no region is set by the task, C(module_defaults), the profile or
    the environment, V(us-east-1) is used, as botocore does for C(https://chime.us-east-1.amazonaws.com).
  - botocore's own retries are turned off for the Chime client, so that O(backoff_retries) is the whole retry
    budget whatever C(AWS_RETRY_MODE) says. Setting C(retries) in the C(aws_config) option overrides this.
  - AWS ended support for the Amazon Chime service on 2026-02-20. A refusal from the service (401 or 403)
    fails with a message that names the permission C(chime:ListAccounts).
"""
