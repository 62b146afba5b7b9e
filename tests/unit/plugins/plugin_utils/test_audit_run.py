# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the audit's run (plugin_utils/_audit_run.py): what its failures say."""

from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import Audit
from ansible_collections.chime.admin.plugins.plugin_utils._audit_run import audit_option_spec

ADDRESS = "alice.auditor@example.com"
WITHHELD = "<e-mail address withheld>"


def _params(**given):
    spec = dict(name={}, **ListingOptions.argument_spec(), **audit_option_spec())
    return dict({key: option.get("default") for key, option in spec.items()}, **given)


def test_an_unexpected_error_is_reported_with_no_e_mail_address(tmp_path):
    """The catch-all branch quotes the exception's text: it goes through the one redaction, in any encoding."""

    def connect():
        raise RuntimeError(
            f"no route to {ADDRESS} (or {ADDRESS.replace('@', '%40')} or {ADDRESS.replace('@', '&#64;')})"
        )

    result = Audit(_params(dest=str(tmp_path / "audit")), connect, str(tmp_path), False).run()
    assert result["failed"] is True and result["outcome"] == "incomplete"
    assert result["msg"] == result["failure"]
    assert result["msg"] == (
        f"Chime account audit incomplete: RuntimeError: no route to {WITHHELD} (or {WITHHELD} or {WITHHELD})"
    )


def test_every_failure_and_warning_of_an_audit_leaves_through_the_one_redaction(tmp_path):
    """Whatever the branch (bad input, a listing that failed, anything else), the failure and the warnings hold
    no address, though the exception that made them did."""

    def connect():
        raise ChimeListingError(f"Couldn't connect to AWS: the profile {ADDRESS}")

    audit = Audit(_params(dest=str(tmp_path / "audit")), connect, str(tmp_path), False)
    audit.result["warnings"].append(f"S3 said {ADDRESS}")
    result = audit.run()
    assert result["msg"] == f"Chime account audit incomplete: Couldn't connect to AWS: the profile {WITHHELD}"
    assert result["warnings"] == [f"S3 said {WITHHELD}"]
