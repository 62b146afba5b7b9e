# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bad-input matrix: invalid inputs to the module and the lookup, each of which must be refused with a clear
message that names the problem, with no traceback and no request sent.

The module's cases run in-process through its ``main()`` (``tests/unit/plugins/modules/test_chime_account_info.py``),
those of :data:`MODULE_CASES_END_TO_END` also through ansible-playbook, and every lookup case through
ansible-playbook (``tests/e2e/test_bad_input_matrix.py``): the lookup runs in the controller's process, so a case
costs no process of its own.
"""

# (case, options, words the failure message must hold)
MODULE_CASES = [
    ("page_size not a number", {"page_size": "many"}, "page_size"),
    ("page_size 0", {"page_size": 0}, "page_size must be between 1 and 200"),
    ("page_size 201", {"page_size": 201}, "page_size must be between 1 and 200"),
    ("page_size negative", {"page_size": -5}, "page_size must be between 1 and 200"),
    ("max_results alias 500", {"max_results": 500}, "page_size must be between 1 and 200"),
    ("backoff_retries not a number", {"backoff_retries": "lots"}, "backoff_retries"),
    ("backoff_retries -1", {"backoff_retries": -1}, "backoff_retries must be between 0 and 100"),
    ("backoff_retries 101", {"backoff_retries": 101}, "backoff_retries must be between 0 and 100"),
    ("backoff_delay 0", {"backoff_delay": 0}, "backoff_delay must be between"),
    ("backoff_delay not a number", {"backoff_delay": "soon"}, "backoff_delay"),
    ("backoff_max_delay below delay", {"backoff_delay": 5, "backoff_max_delay": 1}, "backoff_max_delay (1.0) must not"),
    ("empty name", {"name": ""}, "name must be an account-name prefix of 1 to 100 characters"),
    ("whitespace-only name", {"name": "  \t "}, "name must contain a character that is not white space"),
    ("name of 101 characters", {"name": "n" * 101}, "name must be an account-name prefix of 1 to 100 characters"),
    ("name of line breaks only", {"name": "\n\n"}, "name must contain a character that is not white space"),
    ("page_size with a fraction", {"page_size": 2.5}, "page_size"),
    # A YAML true is an int to Python; Ansible makes 1.0 of it for a float option.
    ("page_size true", {"page_size": True}, "page_size must be a number between 1 and 200, not a boolean"),
    ("concurrency true", {"concurrency": True}, "concurrency must be a number between 1 and 64, not a boolean"),
    ("backoff_delay true", {"backoff_delay": True}, "backoff_delay must be a number between 0.001 and 300, not a"),
    (
        "backoff_max_delay false",
        {"backoff_max_delay": False},
        "backoff_max_delay must be a number between 0.001 and 3600, not a boolean",
    ),
    (
        "external_id of 7 characters",
        {"organization_role_name": "ChimeAudit", "external_id": "Pro4567"},
        "external_id must be 8 to 1224 characters",
    ),
    ("user_email without @", {"user_email": "not-an-email"}, "user_email must be an e-mail address"),
    ("user_email without a dot", {"user_email": "a@b"}, "user_email must be an e-mail address"),
    ("unknown option", {"colour": "blue"}, "Unsupported parameters"),
    ("malformed endpoint_url", {"endpoint_url": "not a url"}, "Invalid endpoint"),
    (
        "profile that does not exist",
        {"profile": "no-such-profile", "access_key": "", "secret_key": ""},
        "no-such-profile",
    ),
    (
        "access key without its secret",
        {"secret_key": ""},
        "Partial credentials found in explicit, missing: aws_secret_access_key",
    ),
]

LOOKUP_CASES = [
    ("empty term", [""], {}, "name must be an account-name prefix of 1 to 100 characters"),
    ("whitespace-only term", [" "], {}, "name must contain a character that is not white space"),
    ("term of 101 characters", ["t" * 101], {}, "name must be an account-name prefix of 1 to 100 characters"),
    ("term not a string", [42], {}, "name must be an account-name prefix"),
    ("page_size 0", [], {"page_size": 0}, "page_size must be between 1 and 200"),
    ("page_size not a number", [], {"page_size": "many"}, "page_size"),
    ("user_email bad pattern", [], {"user_email": "bad@"}, "user_email must be an e-mail address"),
    ("on_denied not a choice", [], {"on_denied": "shrug"}, "on_denied"),
    ("backoff_retries -1", [], {"backoff_retries": -1}, "backoff_retries must be between 0 and 100"),
    ("backoff_max_delay 0", [], {"backoff_max_delay": 0}, "backoff_max_delay must be between"),
    # A lookup's int options make 1 of a true, its float options 1.0: the options as given are checked.
    ("page_size true", [], {"page_size": True}, "page_size must be a number between 1 and 200, not a boolean"),
    ("max_results false", [], {"max_results": False}, "max_results must be a number between 1 and 200, not a"),
    ("backoff_retries true", [], {"backoff_retries": True}, "backoff_retries must be a number between 0 and 100"),
    ("backoff_delay true", [], {"backoff_delay": True}, "backoff_delay must be a number between 0.001 and 300"),
    ("backoff_max_delay true", [], {"backoff_max_delay": True}, "backoff_max_delay must be a number between"),
    ("concurrency true", [], {"concurrency": True}, "concurrency must be a number between 1 and 64, not a boolean"),
    (
        "external_id of 7 characters",
        [],
        {"organization_role_name": "ChimeAudit", "external_id": "Pro4567"},
        "external_id must be 8 to 1224 characters",
    ),
    ("validate_certs not a boolean", [], {"validate_certs": "maybe"}, "validate_certs must be a boolean, got 'maybe'"),
    ("aws_ca_bundle alias unknown", [], {"ca_bundle": "ca.pem"}, "unknown option(s) ca_bundle"),
    ("unknown option", [], {"colour": "blue"}, "unknown option(s) colour"),
    ("misspelt user_email", [], {"user_mail": "a@example.com"}, "unknown option(s) user_mail"),
    ("malformed endpoint_url", [], {"endpoint_url": "not a url"}, "Invalid endpoint"),
    (
        "profile that does not exist",
        [],
        {"profile": "no-such-profile", "access_key": "", "secret_key": ""},
        "no-such-profile",
    ),  # noqa: E501
    (
        "access key without its secret",
        [],
        {"secret_key": ""},
        "Partial credentials found in explicit, missing: aws_secret_access_key",
    ),
]

# The module's cases that also run through ansible-playbook, one of each kind of refusal: Ansible's own argument
# checks (a type, an unknown option), the core's checks, and the connection's (endpoint, profile, credentials).
MODULE_CASES_END_TO_END = (
    "page_size not a number",
    "max_results alias 500",
    "backoff_max_delay below delay",
    "name of line breaks only",
    "user_email without a dot",
    "concurrency true",
    "backoff_delay true",
    "external_id of 7 characters",
    "unknown option",
    "malformed endpoint_url",
    "profile that does not exist",
    "access key without its secret",
)
# A renamed case must not drop out of the end-to-end run unseen.
assert set(MODULE_CASES_END_TO_END) <= {case for case, _options, _words in MODULE_CASES}

# The audit action's S3 history options, through ansible-playbook (tests/e2e/test_audit_s3.py): each refused before
# any request (STS, S3 or Chime), naming the option. (case, options, words the failure message must hold)
_LOCK = {"mode": "GOVERNANCE", "days": 30}
AUDIT_S3_CASES = [
    (
        "object lock 0 days",
        {"s3_bucket": "ok-bucket", "s3_object_lock": dict(_LOCK, days=0)},
        "s3_object_lock.days must be a whole number of days from 1 to 36500, got 0",
    ),
    (
        "object lock negative days",
        {"s3_bucket": "ok-bucket", "s3_object_lock": dict(_LOCK, days=-3)},
        "s3_object_lock.days must be a whole number of days from 1 to 36500",
    ),
    (
        "object lock 36501 days",
        {"s3_bucket": "ok-bucket", "s3_object_lock": dict(_LOCK, days=36501)},
        "s3_object_lock.days must be a whole number of days from 1 to 36500",
    ),
    (
        "object lock unknown mode",
        {"s3_bucket": "ok-bucket", "s3_object_lock": dict(_LOCK, mode="LEGAL_HOLD")},
        "s3_object_lock.mode must be GOVERNANCE or COMPLIANCE",
    ),
    ("object lock without a bucket", {"s3_object_lock": _LOCK}, "s3_object_lock needs s3_bucket"),
    (
        "versionId not a version ID",
        {"baseline": "s3://ok-bucket/r.json?versionId=not a version;id"},
        "baseline must name an S3 version ID",
    ),
    ("versionId empty", {"baseline": "s3://ok-bucket/r.json?versionId="}, "baseline must name an S3 version ID"),
    (
        "adopt_latest without baseline latest",
        {"s3_bucket": "ok-bucket", "s3_adopt_latest": True},
        "s3_adopt_latest needs baseline: latest",
    ),
    (
        "baseline_unverified without an s3 baseline",
        {"baseline_unverified": True},
        "baseline_unverified applies only to a baseline: s3://",
    ),
]
