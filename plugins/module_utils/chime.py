# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module_utils file that chime.admin's plugins import, and the only one other collections
should: Chime account listing, for one AWS account or many.

The module ``chime_account_info``, the lookup ``chime_accounts`` and the action ``chime_account_audit``
are thin doors onto this API:

- :class:`ListingOptions` holds the listing, backoff and fan-out options: their argument spec, their
  defaults and their checks (``validate()``, before any request);
- :class:`AwsConnection` makes the Chime, STS and Organizations clients from amazon.aws's connection info;
- :func:`inventory` is what the doors do once their options are read: it lists, in one AWS account or
  across many (through STS roles or the accounts of an AWS organization), then summarises;
- :func:`list_chime_accounts` pages through ``ListAccounts`` in one AWS account;
- :func:`caller_identity` is STS ``GetCallerIdentity``, with the same retries;
- :class:`Retrying` is the one retry helper of every call (the listing's backoff options), which the audit's
  Security Hub delivery uses too;
- :func:`normalize_account` and :func:`summarize` turn API records into facts;
- :class:`ChimeInputError` and :class:`ChimeListingError` are the failures the doors report;
- :func:`redact` and :func:`quoted` are the one redaction of every AWS service's message: a secret and any
  e-mail address withheld, in every encoding (:func:`quoted` also escapes and bounds the text);
- ``COLLECTION_VERSION`` is the collection's version, as the User-Agent names it.

The parts live in private modules behind this file (``_chime/``), as amazon.aws splits its larger
services: errors, options, retries and pacing, listing, the fan-out across AWS accounts, inventory,
transformations. They may change without notice; the unit tests and the benchmarks import them directly.
"""

# Not intended for general re-use / re-import
from ._chime import errors as _errors
from ._chime import fan_out as _fan_out
from ._chime import inventory as _inventory
from ._chime import listing as _listing
from ._chime import options as _options
from ._chime import retries as _retries
from ._chime import transformations as _transformations

# Intended for general use / re-import
COLLECTION_VERSION = _listing.COLLECTION_VERSION

ChimeInputError = _errors.ChimeInputError
ChimeListingError = _errors.ChimeListingError
redact = _errors.redact
quoted = _errors.quoted

ListingOptions = _options.ListingOptions
Retrying = _retries.Retrying

AwsConnection = _listing.AwsConnection
list_chime_accounts = _listing.list_chime_accounts
caller_identity = _fan_out.caller_identity
inventory = _inventory.inventory

normalize_account = _transformations.normalize_account
summarize = _transformations.summarize
