# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One AWS account's Chime accounts: the client, and the NextToken loop with per-page retries."""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

import contextlib
import ipaddress
import json
import os
import threading
from urllib.parse import urlsplit

try:
    import boto3
    import botocore.config
    import botocore.credentials
    import botocore.parsers
    import botocore.session
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError

    botocore_loaded = True
except ImportError:
    BotoCoreError = ClientError = None  # handled by AnsibleAWSModule / AWSLookupBase
    botocore_loaded = False

from ansible.module_utils.ansible_release import __version__ as ANSIBLE_VERSION

from .errors import ChimeListingError
from .errors import MalformedResponseError
from .errors import quoted
from .options import ListingOptions
from .retries import NOT_FOUND_CODES
from .retries import THROTTLE_CODES
from .retries import AdaptivePacer
from .retries import ChimeRetry
from .retries import Retrying
from .retries import call_failure
from .retries import retried
from .service import END_OF_SUPPORT
from .service import require_chime_api
from .transformations import normalize_account
from .transformations import union_by_account_id

COLLECTION = "chime.admin"
COLLECTION_VERSION = "0.3.0"  # kept equal to galaxy.yml's version by a unit test
DEFAULT_REGION = "us-east-1"  # Chime is global: botocore signs for us-east-1 whatever the region
OPERATION = "ListAccounts"
PERMISSION = "chime:ListAccounts"
DENIED_HINT = (
    f"Check that the credentials are valid and allow {PERMISSION}. Amazon Chime reached end of"
    f" support on {END_OF_SUPPORT}; the service may also refuse accounts it no longer serves."
)


def client_config():
    """Extra botocore configuration for the Chime client.

    The User-Agent names Ansible and this collection with its version, as amazon.aws's names
    amazon.aws, without changing amazon.aws's process-wide collection info (the lookup shares the
    controller with other collections' lookups).

    botocore's own retries are turned off: they differ by retry mode (standard and adaptive do
    not retry Chime's 429) and would multiply with the per-page retries here, outside the
    backoff options. A user's ``aws_config`` is merged after this and still wins.
    """
    return botocore.config.Config(
        user_agent_extra=f"APN/1.0 Ansible/{ANSIBLE_VERSION} {COLLECTION}/{COLLECTION_VERSION}",
        retries={"total_max_attempts": 1},
    )


# The most pages one listing follows. At 200 accounts a page (the service's maximum) that is 2,000,000 Chime
# accounts in one AWS account, far above any real one (an AWS account holds a few hundred at most in practice),
# yet a bound: past it, a service that keeps handing out fresh NextTokens would be listed forever, one request
# after another, with memory growing.
# Module-level so that a test can lower it. The Organizations listing has a bound of its own
# (fan_out.MAX_ORGANIZATIONS_PAGES), checked by the same check_next_page.
MAX_PAGES = 10_000


def check_page_limit(pages, operation, limit=None):
    """Raise :class:`ChimeListingError` (code ``PaginationLimit``) when ``pages`` pages of ``operation`` (its
    description, as the failure message opens with it) have been fetched and another NextToken has come back:
    ``limit``, by default :data:`MAX_PAGES` (read at each call), is the most a listing follows, and a partial
    list is never returned."""
    limit = MAX_PAGES if limit is None else limit
    if pages >= limit:
        raise ChimeListingError(
            f"{operation} pagination stopped: a NextToken came back after page {pages}, the most a listing"
            f" follows ({limit} pages). Refusing to return a partial list.",
            code="PaginationLimit",
        )


def check_next_page(operation, token, tokens, pages, limit=None):
    """Check the NextToken ``token`` that came back after ``pages`` pages of ``operation``, before it is followed:
    :func:`check_page_limit`, then a token seen before (``tokens``, which gains this one) is a loop (code
    ``PaginationLoop``). Chime's and Organizations' listings both page through here."""
    check_page_limit(pages, operation, limit)
    if token in tokens:
        raise ChimeListingError(
            f"{operation} pagination looped: a NextToken came back a second time after page {pages}."
            " Refusing to return a partial list.",
            code="PaginationLoop",
        )
    tokens.add(token)


def is_cleartext_remote(url):
    """True when ``url`` is plain ``http://`` to a host that is not the local machine's loopback
    (``localhost``, ``127.0.0.0/8``, ``::1``), so that signed requests and session tokens would cross a network
    in clear text. The host is what urllib parses after any ``user@``, compared whole: ``127.0.0.1.example.com``
    and ``127.0.0.1@example.com`` are remote. A URL that cannot be parsed is not judged here (creating the
    client refuses it)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname  # lower case, without user info, port or brackets
    except ValueError:
        return False
    if parts.scheme.lower() != "http" or not host:
        return False
    if host.rstrip(".") == "localhost":
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name other than localhost: it may resolve anywhere
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return not (address.is_loopback or (mapped is not None and mapped.is_loopback))


def cleartext_warning(service, url):
    """The warning for a ``service`` client (chime, sts, organizations, s3) whose resolved endpoint ``url``
    :func:`is_cleartext_remote` finds plain HTTP to a remote host, or None. The endpoint is the one botocore
    resolved for the client: from ``endpoint_url``, an ``AWS_ENDPOINT_URL*`` variable, or the AWS profile's
    ``endpoint_url`` or ``services`` section. It names the scheme, host and port only: user info or a path may
    hold secrets."""
    if not is_cleartext_remote(url):
        return None
    host = urlsplit(url.strip()).netloc.rpartition("@")[2]
    return (
        f"The {SERVICE_NAMES.get(service, service)} endpoint http://{host} (from endpoint_url, the environment or the"
        " AWS profile) is plain HTTP to a host that is not this machine's loopback: requests, their signatures,"
        " any session token and STS's role keys cross the network in clear text. Use https://."
    )


SERVICE_NAMES = {"chime": "Chime", "sts": "STS", "organizations": "Organizations", "s3": "S3"}


def _wire_timestamp(value):
    return value


class _ParserFactory(botocore.parsers.ResponseParserFactory if botocore_loaded else object):
    """botocore's response parser factory, with wire timestamps kept, and ListAccounts answers read at JSON speed.

    botocore walks every member of every account through the service model to parse a ListAccounts answer:
    at 1,000 accounts a page that was half the CPU of a listing, which threads cannot overlap, so it bounded
    how many AWS accounts a listing could serve at once. For a successful Chime ListAccounts answer whose body
    is a JSON object with a list of objects, :class:`_ListAccountsParser` reads it with ``json.loads`` and
    keeps each account's modelled members only, as botocore does; everything else (errors, other operations,
    any body it does not expect) goes to botocore's own parser. A unit test checks that both give the same
    facts, for generated and hostile answers.
    """

    def __init__(self):
        super().__init__()
        # The Account shape's member names, by response shape, read from the model on the first answer. Kept
        # here, in the session's one factory: botocore asks the factory for a new parser for every response.
        self._members = {}

    def create_parser(self, protocol_name):
        parser = super().create_parser(protocol_name)
        return _ListAccountsParser(parser, self._members) if protocol_name == "rest-json" else parser


def _account_members(shape):
    """The member names of the Account shape in the ``ListAccountsResponse`` shape ``shape``."""
    return frozenset(shape.members["Accounts"].member.members)


class _ListAccountsParser:
    def __init__(self, parser, members):
        self._parser = parser
        self._members = members  # the factory's cache, shared by every parser it makes

    def parse(self, response, shape):
        if shape is not None and shape.name == "ListAccountsResponse" and response.get("status_code", 500) < 300:
            fast = self._fast(response, shape)
            if fast is not None:
                return fast
        return self._parser.parse(response, shape)

    def _fast(self, response, shape):
        try:
            # Decoded as UTF-8 first, as botocore does: json.loads would guess UTF-16 or a BOM from bytes.
            body = json.loads(response["body"].decode("utf-8"))
        except (AttributeError, TypeError, ValueError):  # UnicodeDecodeError is a ValueError
            return None
        if not isinstance(body, dict):
            return None
        accounts, token = body.get("Accounts"), body.get("NextToken")
        if not isinstance(accounts, list) or not (token is None or isinstance(token, str)):
            return None
        members = self._members.get(shape.name)
        if members is None:
            members = self._members[shape.name] = _account_members(shape)
        kept = []
        for account in accounts:
            if not isinstance(account, dict):
                return None
            groups, licenses = account.get("SigninDelegateGroups"), account.get("SupportedLicenses")
            if groups is not None and not (isinstance(groups, list) and all(isinstance(g, dict) for g in groups)):
                return None
            if licenses is not None and not isinstance(licenses, list):
                return None
            kept.append({k: v for k, v in account.items() if k in members and v is not None})
        # botocore's own parse of an empty body gives the response metadata, exactly as for the whole answer.
        parsed = self._parser.parse(dict(response, body=b"{}"), shape)
        parsed["Accounts"] = kept
        if token is not None:
            parsed["NextToken"] = token
        return parsed


def _with_legacy_session_token(params, environ):
    """``params`` with the session token from ``AWS_SECURITY_TOKEN`` when the key pair came from the
    environment without one.

    Some AWX and AAP controllers inject a temporary key pair's token as ``AWS_SECURITY_TOKEN`` only.
    amazon.aws 10 and later read only ``AWS_SESSION_TOKEN``, take the key pair from the environment,
    and so sign without the token, which the service refuses. An explicit ``session_token`` (or
    ``AWS_SESSION_TOKEN``) still wins, and a key pair that is not the environment's gets no token from it.
    """
    token = environ.get("AWS_SECURITY_TOKEN")
    key = params.get("aws_access_key_id")
    if token and key and not params.get("aws_session_token"):
        if key in (environ.get("AWS_ACCESS_KEY_ID"), environ.get("AWS_ACCESS_KEY")):
            params["aws_session_token"] = token
    return params


class AwsConnection:
    """The clients of one AWS identity, made from amazon.aws's connection info:
    ``get_aws_connection_info()`` of the module or of the lookup gives ``(region, endpoint_url, connect_params)``.

    Clients are built here rather than with ``module.client()`` for one reason: botocore parses
    every ``CreatedTimestamp`` with dateutil, which took about two thirds of the CPU of a listing
    (see docs/performance.md). The session's response parser keeps the wire string instead, through
    botocore's public ``response_parser_factory`` component (as the AWS CLI does), and
    :func:`normalize_account` turns it into the same ISO 8601 UTC string. Credentials, profile,
    endpoint, certificate options and ``aws_config`` are used exactly as amazon.aws uses them.
    No region anywhere means ``us-east-1``: Chime is global.

    ``endpoint_url`` is Chime's only. STS and Organizations clients take botocore's own endpoint
    resolution, which honours ``AWS_ENDPOINT_URL_STS``, ``AWS_ENDPOINT_URL_ORGANIZATIONS`` and a
    profile's ``services`` section.

    ``warnings`` are for the door to show once, whether the listing then succeeds or fails: one for each
    client made whose resolved endpoint is plain HTTP to a remote host (:func:`cleartext_warning`). A client
    is made once per service and pool size, and reused. ``caller`` is the identity's STS GetCallerIdentity
    answer once one was asked for (:func:`caller_identity`), so that it is asked once.

    Raises :class:`ChimeListingError` when a client cannot be created (unknown profile, partial
    credentials, malformed endpoint URL).
    """

    def __init__(self, region, endpoint_url, connect_params):
        params = _with_legacy_session_token(dict(connect_params), os.environ)
        profile = params.pop("profile_name", None)
        user_config = params.pop("aws_config", None)
        self.config = client_config() if user_config is None else client_config().merge(user_config)  # user's win
        # S3 keeps botocore's own retries (standard mode): its SlowDown and 5xx answers are botocore's to
        # retry, and boto3's managed transfer retries parts on top. Chime's are off for the reason above.
        s3_config = client_config().merge(botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 5}))
        self._configs = {"s3": s3_config if user_config is None else s3_config.merge(user_config)}
        self.region, self.endpoint_url, self.params = region or DEFAULT_REGION, endpoint_url, params
        self._profile = profile
        self.warnings = []  # shown by the door, once a task
        self.caller = None
        self._clients = {}
        self._lock = threading.Lock()
        self._role_client = self._role_credentials = None
        try:
            core_session = botocore.session.Session()
            _use_parsers(core_session)
            self.session = boto3.session.Session(botocore_session=core_session, profile_name=profile)
            self._core_session = core_session
        except (ValueError, BotoCoreError) as error:
            raise _connect_failure(error) from None
        require_chime_api(core_session)  # after the profile is set: a profile may name its own data_path

    def client(self, service, pool=None, region=None):
        """A client of ``service`` (chime, sts, organizations, s3, securityhub) with the identity's own credentials.

        ``pool`` is the number of threads that will share it: its connection pool is made that large (unless
        ``aws_config`` sets ``max_pool_connections``), so that no thread opens and drops a connection of its own.
        ``region`` is the client's when it is not the connection's (Security Hub is regional).
        """
        endpoint_url = self.endpoint_url if service == "chime" else None
        config = self._config(service, pool)
        # boto3 sessions are not thread-safe; the clients they make are.
        with self._lock:
            key = (service, pool, region)
            if key not in self._clients:
                client = _made(self.session, service, region or self.region, endpoint_url, config, self.params)
                self._clients[key] = self._judged(service, client)
            return self._clients[key]

    def _judged(self, service, client):
        # Under self._lock. From the endpoint botocore resolved for the client, not the options or the
        # environment alone: a profile's endpoint_url or services section points clients elsewhere too.
        warning = cleartext_warning(service, client.meta.endpoint_url)
        if warning is not None and warning not in self.warnings:
            self.warnings.append(warning)
        return client

    @contextlib.contextmanager
    def role_client(self, credentials, pool=None):
        """The Chime client of an assumed role: ``with connection.role_client(answer["Credentials"]) as client``.

        Every role shares one Chime client, made on first use, and each thread signs with the credentials it
        gave here, until the ``with`` block ends. A client of its own per role cost about 5 ms of CPU on an idle
        machine (botocore copies its event hooks, builds the client class from the service model, resolves the
        endpoint and makes a connection pool, each time), under one lock as boto3 sessions require: at 1,000 AWS
        accounts, seconds of CPU that no ``concurrency`` could overlap, and a TLS handshake per role. The shared
        client keeps everything a per-role client does: SigV4 signing (each request is signed with the frozen
        credentials of the calling thread, read where botocore reads them), the response parser, the endpoint,
        ``aws_config``, and no botocore retries. ``pool`` sizes its connection pool, as for :meth:`client`.
        """
        with self._lock:
            if self._role_client is None:
                self._role_credentials = _ThreadCredentials()
                try:
                    session = self._role_session(self._role_credentials)
                except (ValueError, BotoCoreError) as error:
                    raise _connect_failure(error) from None
                params = {k: v for k, v in self.params.items() if k not in _KEYS}
                self._role_client = self._judged(
                    "chime",
                    _made(session, "chime", self.region, self.endpoint_url, self._config("chime", pool), params),
                )
        with self._role_credentials.bound(credentials):
            yield self._role_client

    def botocore_endpoint(self, service):
        """The endpoint URL that botocore resolves for ``service`` by itself: with no ``endpoint_url``, and
        none configured in the environment (``AWS_ENDPOINT_URL*``) or the profile. Makes a client, unsigned
        and never used: only for a failure's message (see service.at_default_endpoint)."""
        config = botocore.config.Config(ignore_configured_endpoint_urls=True)
        unused = {"aws_access_key_id": "unused", "aws_secret_access_key": "unused"}  # no credential lookup
        with self._lock:
            return self.session.client(service, region_name=self.region, config=config, **unused).meta.endpoint_url

    def _config(self, service, pool):
        config = self._configs.get(service, self.config)
        if pool is None:
            return config
        # Under the configuration, which holds the user's aws_config: a max_pool_connections there wins.
        return botocore.config.Config(max_pool_connections=max(pool, _DEFAULT_POOL)).merge(config)

    def _role_session(self, credentials):
        # A second botocore session, for the roles alone: its only credential provider is the thread's role
        # credentials, so that the caller's own (keys, profile, environment) can never sign a role's request.
        # It shares the first session's loader, whose models are already parsed, and reads the same profile.
        core_session = botocore.session.Session(profile=self._profile)
        core_session.register_component("data_loader", self._core_session.get_component("data_loader"))
        core_session.register_component(
            "credential_provider", botocore.credentials.CredentialResolver([_Provider(credentials)])
        )
        _use_parsers(core_session)
        return boto3.session.Session(botocore_session=core_session)


def _use_parsers(core_session):
    parsers = _ParserFactory()
    parsers.set_parser_defaults(timestamp_parser=_wire_timestamp)
    core_session.register_component("response_parser_factory", parsers)


_KEYS = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
_DEFAULT_POOL = 10  # botocore's own max_pool_connections


def _connect_failure(error):
    """The :class:`ChimeListingError` of a session or client that could not be made (unknown profile, partial
    credentials, malformed endpoint URL)."""
    # botocore's text may quote a profile's name, an endpoint URL or a file's path, any of which may hold an
    # e-mail address: redacted and bounded as every service message is.
    return ChimeListingError(f"Couldn't connect to AWS: {quoted(str(error))}", code=type(error).__name__)


def _made(session, service, region, endpoint_url, config, params):
    try:
        return session.client(service, region_name=region, endpoint_url=endpoint_url, config=config, **params)
    except (ValueError, BotoCoreError) as error:
        raise _connect_failure(error) from None


class _ThreadCredentials(botocore.credentials.Credentials if botocore_loaded else object):
    """botocore credentials that are, in each thread, the assumed role's that the thread bound, and none elsewhere.

    botocore's request signer asks its credentials for ``get_frozen_credentials()`` when it signs each request,
    in the thread that sends it; a thread that bound no role gets an error instead of someone else's role.

    Each thread keeps a stack of its bindings. A block that ends as the innermost block of the thread that
    entered it pops itself, and the thread goes back to its own previous role, or to none. Any other ending
    fails closed: a block ending out of order (two generators' blocks closed in the wrong order), or in
    another thread than the one that entered it (a generator closed or garbage-collected there). The block is
    removed from its own thread's stack, and the thread that entered it and the thread that ended it both
    refuse every request until their remaining blocks have ended: no request is ever signed with another
    block's role, nor another thread's, nor the caller's own keys. The ending raises ``RuntimeError``.
    """

    def __init__(self):  # pylint: disable=super-init-not-called
        # The base class's attributes are per thread here, so its __init__, which sets them, is not called.
        self._local = threading.local()
        self._lock = threading.Lock()  # a block may end in another thread than its own
        self.method = "assume-role"

    def _state(self):
        state = getattr(self._local, "state", None)
        if state is None:
            # Held by the thread (threading.local) and by its blocks: a thread that ends takes its stack with it,
            # so a new thread that reuses its identifier starts with none.
            state = self._local.state = _Bindings()
        return state

    @contextlib.contextmanager
    def bound(self, credentials):
        """Sign with ``credentials`` (an STS ``Credentials`` dict) in this thread until the block ends."""
        frozen = botocore.credentials.ReadOnlyCredentials(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        )
        owner, binding = self._state(), [frozen]  # a list: each binding is its own object, compared by identity
        with self._lock:
            owner.stack.append(binding)
        try:
            yield
        finally:
            self._end(owner, binding)

    def _end(self, owner, binding):
        ending = self._state()
        with self._lock:
            in_order = ending is owner and owner.stack and owner.stack[-1] is binding
            owner.stack[:] = [b for b in owner.stack if b is not binding]
            if not in_order:
                owner.broken = ending.broken = True
            for state in (owner, ending):
                if not state.stack:
                    state.broken = False  # no block left: the thread signs nothing, as before its first
        if not in_order:
            raise RuntimeError(
                "AwsConnection.role_client() blocks must nest and end in the thread that entered them: this one"
                " ended out of order or in another thread, so the threads involved refuse every request until"
                " their blocks have ended"
            )

    def get_frozen_credentials(self):
        state = self._state()
        with self._lock:
            if state.broken:
                raise RuntimeError(
                    "an assumed role's client was used after AwsConnection.role_client() blocks ended"
                    " out of order or in another thread: refused"
                )
            if not state.stack:
                raise RuntimeError("an assumed role's client was used outside AwsConnection.role_client()")
            return state.stack[-1][0]

    access_key = property(lambda self: self.get_frozen_credentials().access_key)
    secret_key = property(lambda self: self.get_frozen_credentials().secret_key)
    token = property(lambda self: self.get_frozen_credentials().token)
    account_id = property(lambda self: None)


class _Bindings:
    """One thread's ``role_client`` blocks, innermost last, and whether one ended out of order."""

    __slots__ = ("stack", "broken")

    def __init__(self):
        self.stack, self.broken = [], False


class _Provider(botocore.credentials.CredentialProvider if botocore_loaded else object):
    METHOD = "assume-role"
    CANONICAL_NAME = "chime-admin-assumed-role"

    def __init__(self, credentials):  # pylint: disable=super-init-not-called
        self._credentials = credentials

    def load(self):
        return self._credentials


def _fetch_page(client, params, pacer):
    pacer.before_request()
    try:
        response = client.list_accounts(**params)
    except ClientError as error:
        if ChimeRetry.status_code_from_exception(error) in THROTTLE_CODES:
            pacer.throttled()
        raise
    # botocore turns a 200 whose body is not JSON into an empty result instead of an error;
    # taking that for the last page would return a truncated list as success.
    if not isinstance(response.get("Accounts"), list):
        raise MalformedResponseError("the ListAccounts answer has no Accounts list")
    # Inside the retried call: a record that cannot be read is a malformed answer, retried as one, then a
    # failure that names the page (and, across AWS accounts, the AWS account), never a raw Python exception.
    response["Accounts"] = normalized_page(response["Accounts"])
    pacer.succeeded()
    return response


def normalized_page(records):
    """The ListAccounts ``records`` of one page through :func:`normalize_account`. Raises
    :class:`MalformedResponseError` naming the record when one cannot be read (a ``CreatedTimestamp`` that is
    no timestamp, a sign-in delegate group that is not an object, ...) or has no ``AwsAccountId`` or
    ``AccountId``: the model requires both, and an account without them cannot be counted or told apart."""
    accounts = []
    for number, raw in enumerate(records, 1):
        try:
            account = normalize_account(raw)
        except (AttributeError, KeyError, OverflowError, TypeError, ValueError) as error:
            raise MalformedResponseError(f"record {number} of the page cannot be read: {error}") from None
        for key, member in (("aws_account_id", "AwsAccountId"), ("account_id", "AccountId")):
            if not isinstance(account[key], str) or not account[key]:
                raise MalformedResponseError(f"record {number} of the page has no {member}")
        accounts.append(account)
    return accounts


def list_chime_accounts(client, name=None, options=None):
    """List every Chime account whose name starts with ``name`` (every account for ``None``) and that
    matches the :class:`ListingOptions` ``options`` (the defaults for ``None``), normalised, in API order,
    each once.

    One ``list_accounts`` call per page, following NextToken. A throttled or failed page is retried
    alone with jittered backoff: pages already fetched are kept. A NotFoundException on a
    ``user_email`` filter means no account. Raises :class:`ChimeListingError` on any other failure,
    and when a NextToken comes back a second time: a partial list is never returned.
    """
    options = ListingOptions() if options is None else options
    user_email, retrying = options.user_email, Retrying(options)
    params = {"MaxResults": options.page_size}
    if name is not None:
        params["Name"] = name
    if user_email is not None:
        params["UserEmail"] = user_email
    pages, seen_tokens, pacer = [], set(), AdaptivePacer()
    while True:
        try:
            # The retry wraps one page fetch (not the client, not a paginator): a paginator wrapped in a
            # retry decorator starts again from page 1 on every throttle.
            response = retrying.call(_fetch_page, client, params, pacer)
        except (ClientError, BotoCoreError, MalformedResponseError) as error:
            if user_email is not None and ChimeRetry.status_code_from_exception(error) in NOT_FOUND_CODES:
                return []
            attempts = retrying.attempts if retried(error) and retrying.attempts > 1 else None
            operation = f"Failed to list Chime accounts: {OPERATION} on page {len(pages) + 1}"
            raise call_failure(operation, error, attempts, user_email, denied_hint=DENIED_HINT) from None
        pages.append(response["Accounts"])
        token = response.get("NextToken")
        if not token:
            return union_by_account_id(pages)
        check_next_page(f"Failed to list Chime accounts: {OPERATION}", token, seen_tokens, len(pages))
        params["NextToken"] = token
