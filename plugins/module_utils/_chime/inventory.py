# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the module and the lookup both do once their options are read: list, then summarise."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

from .errors import ChimeListingError
from .fan_out import list_across_aws_accounts
from .fan_out import summarize_across
from .listing import list_chime_accounts
from .service import note_unreachable
from .transformations import summarize
from .transformations import union_by_account_id


def inventory(connection, names, options):
    """List the Chime accounts that match ``names`` (name prefixes; ``[None]`` for all) and the
    :class:`ListingOptions` ``options``, in the caller's AWS account or, when the options ask for it,
    across AWS accounts.

    Returns ``(facts, warnings)``: ``facts`` has ``accounts`` and ``summary``, and ``aws_accounts`` when
    several AWS accounts were asked for; ``warnings`` (the connection's, then the listing's) are for the
    door to show (on a failure, the door shows ``connection.warnings``). Several names give their union, in name
    order, each account once. ``options.on_denied``
    decides what a refusal does; any other failure raises :class:`ChimeListingError`.
    """

    def list_one(client):
        try:
            return union_by_account_id([list_chime_accounts(client, name, options) for name in names])
        except ChimeListingError as error:
            raise note_unreachable(error, connection, client) from None

    if options.fan_out_requested:
        accounts, aws_accounts, fan_out_warnings = list_across_aws_accounts(connection, list_one, options)
        facts = {"accounts": accounts, "summary": summarize_across(accounts), "aws_accounts": aws_accounts}
        return facts, _connection_warnings(connection) + fan_out_warnings
    try:
        accounts = list_one(connection.client("chime"))
    except ChimeListingError as error:
        if not error.denied or options.on_denied == "error":
            raise
        refused = [error.message] if options.on_denied == "warn" else []
        return {"accounts": [], "summary": summarize([])}, _connection_warnings(connection) + refused
    return {"accounts": accounts, "summary": summarize(accounts)}, _connection_warnings(connection)


def _connection_warnings(connection):
    # The connection's own warnings (a plain-HTTP endpoint) come first, read once every client was made. On a
    # failure they are not lost: the door shows connection.warnings before the failure. A connection that is
    # not an AwsConnection (the facade's users may pass their own) may carry none.
    return list(getattr(connection, "warnings", None) or [])
