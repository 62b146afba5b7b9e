# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module_utils file that chime.admin's plugins import: Chime account listing, for one AWS
account or many.

The module ``chime_account_info`` and the lookup ``chime_accounts`` are thin doors onto this API:

- :func:`validate_options` and :func:`validate_fan_out_options` check option values before any request;
- :class:`AwsConnection` makes the Chime, STS and Organizations clients from amazon.aws's connection info;
- :func:`inventory` is what both doors do once their options are read: it lists, then summarises;
- :func:`list_chime_accounts` pages through ``ListAccounts`` in one AWS account;
- :func:`list_across_aws_accounts` lists many AWS accounts at once, through STS roles or the accounts of
  an AWS organization, and reports on each;
- :func:`normalize_account`, :func:`summarize` and :func:`union_by_account_id` turn records into facts;
- :class:`ChimeInputError` and :class:`ChimeListingError` are the failures both doors report.

The parts live in private modules behind this file (``_chime/``), as amazon.aws splits its larger
services: errors, retries and pacing, listing, the fan-out across AWS accounts, transformations.
"""

from ._chime import errors as _errors
from ._chime import fan_out as _fan_out
from ._chime import inventory as _inventory
from ._chime import listing as _listing
from ._chime import options as _options
from ._chime import retries as _retries
from ._chime import transformations as _transformations

ChimeInputError = _errors.ChimeInputError
ChimeListingError = _errors.ChimeListingError
MalformedResponseError = _errors.MalformedResponseError

AdaptivePacer = _retries.AdaptivePacer
ChimeRetry = _retries.ChimeRetry
is_transient = _retries.is_transient

COLLECTION = _listing.COLLECTION
COLLECTION_VERSION = _listing.COLLECTION_VERSION
DEFAULT_REGION = _listing.DEFAULT_REGION
client_config = _listing.client_config
create_chime_client = _listing.create_chime_client
AwsConnection = _listing.AwsConnection
list_chime_accounts = _listing.list_chime_accounts

list_across_aws_accounts = _fan_out.list_across_aws_accounts
summarize_across = _fan_out.summarize_across
caller_identity = _fan_out.caller_identity

inventory = _inventory.inventory

ListingOptions = _options.ListingOptions

normalize_account = _transformations.normalize_account
summarize = _transformations.summarize
union_by_account_id = _transformations.union_by_account_id
ACCOUNT_KEYS = _transformations.ACCOUNT_KEYS
