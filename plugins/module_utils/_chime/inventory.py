# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the module and the lookup both do once their options are read: list, then summarise."""

from .errors import ChimeListingError
from .fan_out import fan_out_requested
from .fan_out import list_across_aws_accounts
from .fan_out import summarize_across
from .listing import list_chime_accounts
from .transformations import summarize
from .transformations import union_by_account_id

FAN_OUT_KEYS = ("role_arns", "organization_role_name", "external_id", "role_session_name", "concurrency")
BACKOFF_KEYS = ("backoff_retries", "backoff_delay", "backoff_max_delay")


def inventory(connection, names, listing, fan_out):
    """List the Chime accounts that match ``names`` (name prefixes; ``[None]`` for all) and the
    ``listing`` options, in the caller's AWS account or, with the ``fan_out`` options, across AWS accounts.

    Returns ``(facts, warnings)``: ``facts`` has ``accounts`` and ``summary``, and ``aws_accounts`` when
    several AWS accounts were asked for; ``warnings`` are for the door to show. Several names give
    their union, in name order, each account once. ``fan_out['on_denied']`` decides what a refusal
    does; any other failure raises :class:`ChimeListingError`.
    """

    def list_one(client):
        return union_by_account_id([list_chime_accounts(client, name=name, **listing) for name in names])

    on_denied = fan_out["on_denied"]
    if fan_out_requested(fan_out["role_arns"], fan_out["organization_role_name"]):
        options = {key: fan_out[key] for key in FAN_OUT_KEYS}
        options.update({key: listing[key] for key in BACKOFF_KEYS})
        accounts, aws_accounts, warnings = list_across_aws_accounts(
            connection, list_one, on_denied=on_denied, **options
        )
        return {"accounts": accounts, "summary": summarize_across(accounts), "aws_accounts": aws_accounts}, warnings
    try:
        accounts = list_one(connection.client("chime"))
    except ChimeListingError as error:
        if not error.denied or on_denied == "error":
            raise
        return {"accounts": [], "summary": summarize([])}, [error.message] if on_denied == "warn" else []
    return {"accounts": accounts, "summary": summarize(accounts)}, []
