# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Options shared by the chime_account_info module and the chime_accounts lookup: the listing, its
    # retries, and the listing across AWS accounts.
    DOCUMENTATION = r"""
options:
  user_email:
    description:
      - Return the Chime account of the user with this e-mail address, sent as C(UserEmail).
      - The service returns at most one account for an address. An address it does not know gives an empty list,
        not a failure.
      - Must match C(.+@.+\..+), at most 254 characters. The address is personal data, so it is never shown in
        results, warnings, errors or logs.
    type: str
  page_size:
    description:
      - Accounts to ask for per C(ListAccounts) call, sent as C(MaxResults) on every page.
      - The default of V(200), the service's maximum, halves the calls that the service's own default of 100 would make.
      - Every page is fetched whatever the page size, so the result is never truncated.
      - 1 to 200; a boolean is refused.
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
      - Between V(0) (no retries) and V(100); a boolean is refused.
    type: int
    default: 10
  backoff_delay:
    description:
      - Upper bound in seconds of the first wait before a retry. Each wait is drawn at random below a bound
        that doubles on every retry (jittered exponential backoff), up to O(backoff_max_delay).
      - Between V(0.001) and V(300); a boolean is refused.
    type: float
    default: 0.1
  backoff_max_delay:
    description:
      - The largest bound in seconds of one wait between retries. Not below O(backoff_delay); at most V(3600).
        A boolean is refused.
    type: float
    default: 30.0
  role_arns:
    description:
      - List the Chime accounts of several AWS accounts, one IAM role each. Each role is assumed with STS
        C(AssumeRole), and the Chime accounts of that role's AWS account are listed with its credentials.
      - Each is an IAM role ARN, C(arn:<partition>:iam::<12 digits>:role/<path and name>), checked before any
        request. A role given twice is assumed once; two roles into one AWS account are refused, as the results
        have one entry per AWS account.
      - Results then carry RV(chime.admin.chime_account_info#module:aws_accounts), a status for each AWS account.
      - Mutually exclusive with O(organization_role_name).
    type: list
    elements: str
    version_added: 0.3.0
  organization_role_name:
    description:
      - List the Chime accounts of every active account of the caller's AWS organization.
      - The member accounts come from AWS Organizations C(ListAccounts), every page, so the credentials must be
        those of the management account or of a delegated administrator. Suspended and closing accounts are
        skipped and reported as V(skipped).
      - In each active member account the role C(arn:<partition>:iam::<account>:role/<this name>) is assumed; the
        partition is the caller's. The caller's own account is listed with the caller's credentials, not through
        the role.
      - A role name with an optional path, such as V(ChimeAudit) or V(audit/ChimeAudit).
      - Mutually exclusive with O(role_arns).
    type: str
    version_added: 0.3.0
  external_id:
    description:
      - The external ID that the roles' trust policies require, sent with every C(AssumeRole).
      - 8 to 1224 characters of C([\w+=,.@:/-]). Never shown in results, warnings, errors or logs.
      - STS takes 2 characters or more, but a shorter external ID is refused. The value of a C(no_log) option is
        masked wherever it appears in the results, so an external ID such as V(Pro) would also replace every
        V(Pro) license there. AWS advises a long random value.
    type: str
    version_added: 0.3.0
  role_session_name:
    description:
      - The session name of every assumed role, which AWS CloudTrail records in each member account.
      - 2 to 64 characters of C([\w+=,.@-]), as STS requires.
    type: str
    default: chime-admin
    version_added: 0.3.0
  concurrency:
    description:
      - How many AWS accounts are listed at the same time, in one process. The pages of one AWS account are
        always fetched one after another, as C(NextToken) requires.
      - Between V(1) and V(64); a boolean is refused. Only used with O(role_arns) or O(organization_role_name).
      - The default of V(32) was measured against V(48) on a controller of 2 CPUs, 1,000 AWS accounts at 100 ms a
        call, where V(32) was faster (7.1 s against 7.7 s). With no CPU cost V(40) threads would keep up with the AWS
        Organizations pages (20 member accounts a round trip, each member holding a thread for C(AssumeRole) then
        C(ListAccounts)), but the listing's CPU bounds it first. Raise it on a controller with CPU to spare.
      - Each thread has at most one STS call in flight. At 100 ms a call 32 threads send at most 160 C(AssumeRole)
        calls a second, below STS's default quota of 600 per AWS account and Region, which every other caller in
        the account shares. Throttled calls are retried with the backoff options. Lower it when other automation
        uses the same account's STS quota heavily.
    type: int
    default: 32
    version_added: 0.3.0
  on_denied:
    description:
      - What to do when an AWS account refuses, because STS refuses to assume its role or Chime refuses
        C(ListAccounts) there (401, 403).
      - V(error) fails the task, after every AWS account has been tried, naming each refused one. V(warn) gives
        one warning per refused AWS account and leaves it out of the accounts; V(skip) leaves it out silently.
        Either way it is reported in RV(chime.admin.chime_account_info#module:aws_accounts) as V(denied).
      - Every other failure, after retries, fails the task once every AWS account has been tried, with a message
        that names each failed AWS account and its error. A partial list is never a success.
      - >-
        The service's answer that it no longer serves the API (its end of support, see the notes) is not a
        refusal: it fails the task whatever O(on_denied) says, so that it is never silent.
    type: str
    default: error
    choices: [error, warn, skip]
notes:
  - Amazon Chime is a global service. Where no region is set by the task, C(module_defaults), the profile or
    the environment, V(us-east-1) is used, as botocore does for C(https://chime.us-east-1.amazonaws.com).
  - The C(endpoint_url) option is Chime's. The STS and Organizations clients follow botocore's own endpoint
    settings, C(AWS_ENDPOINT_URL_STS), C(AWS_ENDPOINT_URL_ORGANIZATIONS) and a profile's C(services) section.
  - An endpoint in plain C(http://) to a host other than this machine's loopback (C(localhost), C(127.0.0.0/8),
    C(::1)), given as C(endpoint_url) or in C(AWS_ENDPOINT_URL), C(AWS_ENDPOINT_URL_CHIME), C(AWS_ENDPOINT_URL_STS),
    C(AWS_ENDPOINT_URL_ORGANIZATIONS) or C(AWS_ENDPOINT_URL_S3), gives one warning per task, as the requests, their
    signatures and any session token would cross the network in clear text.
  - A listing follows at most 10,000 pages of C(ListAccounts) (2,000,000 accounts at 200 a page). A service that
    hands out a NextToken after that fails the task with the code C(PaginationLimit), as a NextToken that comes
    back a second time fails it with C(PaginationLoop). A partial list is never returned.
  - Throttling and faults of STS and Organizations are retried with the same backoff options as Chime's.
  - botocore's own retries are turned off for the Chime client, so that O(backoff_retries) is the whole retry
    budget whatever C(AWS_RETRY_MODE) says. Setting C(retries) in the C(aws_config) option overrides this.
  - AWS ended support for the Amazon Chime service on 2026-02-20. A refusal from the service (401 or 403)
    fails with a message that names the permission C(chime:ListAccounts).
  - >-
    A 403 whose own wording speaks of deprecation, end of support or end of life, or discontinuation (the words
    C(deprecated), C(end of support), C(end of life), C(no longer supported), C(no longer available) or
    C(has been discontinued), in any case; never an ARN, a name with a path or a quoted name in the message,
    such as a role C(End-of-Support-Cleanup)) keeps the service's own text and ends with "This is the Amazon Chime
    service's end of support (2026-02-20), not a missing IAM permission: the service no longer serves this API.
    It fails the listing whatever on_denied says." instead of naming the permission. It is not a refusal for
    O(on_denied): with V(warn) or V(skip) too, the task fails (the audit's outcome is C(incomplete)), as no
    permission would make the service answer.
  - >-
    When botocore's own Chime endpoint (no O(endpoint_url), none in the environment or the profile) cannot be
    reached at all (the connection is refused, its name does not resolve, connecting times out), the failure
    ends with "The Amazon Chime service ended on 2026-02-20, and its endpoint may no longer answer (this is
    botocore's default Chime endpoint: no endpoint_url is set)."
  - >-
    A refused or dropped connection, and a resolver that fails for now, are retried as throttling is. A name
    that the resolver says does not exist (C(EAI_NONAME)) is not: the answer would be the same each time.
  - botocore drops the models of retired services. When the installed botocore has no C(chime) service model,
    the task fails before any request, with error code C(ChimeApiUnavailable) and a message that names the
    botocore releases checked to include it, 1.35.69 and later up to at least 1.44.18, for example
    C(pip install 'botocore>=1.35.69,<=1.44.18' 'boto3>=1.35.69,<=1.44.18').
  - >-
    A failure quotes the service's message, or a proxy's error page, with control and other invisible
    characters escaped as C(\uXXXX) and cut after 500 characters, where it says how long the message was.
    The O(user_email) filter is redacted from it (C(<user_email>)), and so is every other e-mail address, such
    as the caller's in an ARN that a refusal quotes (C(<e-mail address withheld>), keeping the AWS account and
    the principal type): in any letter case (case-folded), any Unicode form, URL-encoded, as HTML character
    references (C(&#64;)) or as C(\u0040) escapes. Warnings and the messages of the C(aws_accounts) entries are
    redacted the same way. A message is cut only where no address can straddle the cut. The failure's
    C(response_metadata) keeps C(request_id), C(http_status_code) and C(retry_attempts), not the response headers.
"""
