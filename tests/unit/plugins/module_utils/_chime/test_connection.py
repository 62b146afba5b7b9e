# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the clients that AwsConnection makes (module_utils/_chime/listing.py): the one Chime client
that every assumed role shares, each thread signing with its own role's credentials, and the ListAccounts
parser that reads answers at JSON speed and gives the facts that botocore's own parser gives."""

import json
import threading

import botocore.config
import botocore.parsers
import botocore.session
import pytest

from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions
from ansible_collections.chime.admin.plugins.module_utils._chime.transformations import normalize_account

from fake_chime.data import generate
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY

ROLES = {f"ASIAROLE{n:012d}": (f"{n:012d}", f"secret-{n}", f"token-{n}") for n in range(1, 7)}


def _credentials(access_key):
    _tenant, secret, token = ROLES[access_key]
    return {"AccessKeyId": access_key, "SecretAccessKey": secret, "SessionToken": token}


@pytest.fixture
def roles(fake):
    """The standard fake with six more tenants, each reached only with its role's session credentials."""
    for access_key, (tenant, secret, token) in ROLES.items():
        fake.add_tenant(
            generate(3 + int(tenant) % 4, seed=int(tenant), aws_account_id=tenant), access_key, secret, token
        )
    return fake


def _connection(fake):
    return listing.AwsConnection(None, fake.url, {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET_KEY})


def test_threads_sharing_the_role_client_each_sign_with_their_own_role(roles):
    connection = _connection(roles)
    options = ListingOptions(page_size=1)  # several pages each, interleaved across the threads
    barrier, results, clients = threading.Barrier(len(ROLES)), {}, set()

    def work(access_key):
        with connection.role_client(_credentials(access_key), pool=len(ROLES)) as client:
            barrier.wait()
            clients.add(id(client))
            results[access_key] = listing.list_chime_accounts(client, options=options)

    threads = [threading.Thread(target=work, args=(key,)) for key in ROLES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clients) == 1  # one client for every role
    for access_key, (tenant, _secret, _token) in ROLES.items():
        expected = [normalize_account(a) for a in roles.tenants[tenant].data.accounts]
        assert results[access_key] == expected
        signed = {entry["access_key"] for entry in roles.requests(tenant)}
        assert signed == {access_key} and len(roles.requests(tenant)) == len(expected)  # a page each


def test_the_role_client_signs_nothing_outside_its_block_and_the_callers_keys_never_reach_it(roles):
    connection = _connection(roles)
    access_key = next(iter(ROLES))
    with connection.role_client(_credentials(access_key)) as client:
        client.list_accounts(MaxResults=1)
    with pytest.raises(RuntimeError, match="outside AwsConnection.role_client"):
        client.list_accounts(MaxResults=1)
    # Another thread, inside no block, cannot sign with this thread's role either.
    failures = []
    with connection.role_client(_credentials(access_key)) as client:
        thread = threading.Thread(target=lambda: failures.append(_fails(client)))
        thread.start()
        thread.join()
    assert failures == [True]
    assert {entry["access_key"] for entry in roles.log} == {access_key}


def _fails(client):
    try:
        client.list_accounts(MaxResults=1)
    except RuntimeError:
        return True
    return False


def test_the_role_client_keeps_the_callers_configuration_and_a_pool_for_its_threads(roles):
    connection = listing.AwsConnection(
        "eu-west-1", roles.url, {"aws_config": botocore.config.Config(read_timeout=7, max_pool_connections=3)}
    )
    with connection.role_client(_credentials(next(iter(ROLES))), pool=40) as client:
        assert client.meta.config.read_timeout == 7 and client.meta.region_name == "eu-west-1"
        assert client.meta.config.max_pool_connections == 3  # the user's aws_config wins
        assert client.meta.config.retries["total_max_attempts"] == 1
        assert isinstance(client.list_accounts(MaxResults=1)["Accounts"][0]["CreatedTimestamp"], str)
    sized = _connection(roles).client("sts", pool=40)
    assert sized.meta.config.max_pool_connections == 40
    assert _connection(roles).client("sts", pool=2).meta.config.max_pool_connections == 10  # botocore's default


# ----- the ListAccounts parser --------------------------------------------------------------------------


def _both(body, status=200):
    """The facts of ``body`` (a ListAccounts answer) as botocore's own parser and the collection's give them."""
    session = botocore.session.Session()
    model = session.get_service_model("chime").operation_model("ListAccounts")
    response = {
        "status_code": status,
        "headers": {"x-amzn-requestid": "req-1", "content-type": "application/json"},
        "body": body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"),
    }
    factory = botocore.parsers.ResponseParserFactory()
    factory.set_parser_defaults(timestamp_parser=listing._wire_timestamp)
    plain = factory.create_parser("rest-json").parse(dict(response), model.output_shape)
    ours_factory = listing._ParserFactory()
    ours_factory.set_parser_defaults(timestamp_parser=listing._wire_timestamp)
    ours = ours_factory.create_parser("rest-json").parse(dict(response), model.output_shape)
    return plain, ours


def _facts(parsed):
    return {k: v for k, v in parsed.items() if k != "Accounts"}, [
        normalize_account(a) for a in parsed.get("Accounts") or []
    ]


HOSTILE_ACCOUNTS = [
    {"AccountId": "a", "AwsAccountId": "1", "Name": "n", "Unknown": {"Nested": 1}, "CreatedTimestamp": 1577836800},
    {"AccountId": "b", "Name": None, "SupportedLicenses": None, "SigninDelegateGroups": [{"GroupName": "g", "X": 1}]},
    {"AccountId": "c", "CreatedTimestamp": "2020-01-02T03:04:05.123Z", "SigninDelegateGroups": []},
    {"AccountId": "d", "SupportedLicenses": ["Pro", "Basic"], "AccountStatus": "Suspended"},
]


@pytest.mark.parametrize(
    "body",
    [
        {"Accounts": generate(40, seed=3).accounts},
        {"Accounts": HOSTILE_ACCOUNTS, "NextToken": "next"},
        {"Accounts": []},
        {"Accounts": [], "NextToken": None, "Extra": 1},
        {"NextToken": "only-a-token"},
        {"Accounts": "not a list"},
        {"Accounts": ["not an object"]},
        {"Accounts": [{"AccountId": "x", "SigninDelegateGroups": "not a list"}]},
        {"Accounts": [{"AccountId": "x", "SigninDelegateGroups": ["not an object"]}]},
        {"Accounts": [], "NextToken": 5},
        [],
        b"<html>not json</html>",
        b"",
    ],
)
def test_the_listaccounts_parser_gives_the_facts_botocore_gives(body):
    try:
        plain = _facts(_both(body)[0])
    except (AttributeError, TypeError) as error:  # botocore's own parser cannot read it: neither may ours
        with pytest.raises(type(error)):
            _facts(_both(body)[1])
        return
    assert _facts(_both(body)[1]) == plain


def test_errors_and_other_operations_go_to_botocores_parser():
    error = {"Message": "Rate exceeded", "Code": "ThrottledClientException"}
    plain, ours = _both(error, status=429)
    assert ours == plain and ours["Error"]["Message"] == "Rate exceeded"
    factory = listing._ParserFactory()
    for protocol, parser_class in (("json", botocore.parsers.JSONParser), ("query", botocore.parsers.QueryParser)):
        parser = factory.create_parser(protocol)  # Organizations' ListAccounts, and STS: botocore's own parsers
        assert isinstance(parser, parser_class) and not isinstance(parser, listing._ListAccountsParser)


def test_well_formed_answers_take_the_fast_path_and_others_do_not(monkeypatch):
    taken = []
    original = listing._ListAccountsParser._fast
    monkeypatch.setattr(listing._ListAccountsParser, "_fast", lambda *a: taken.append(original(*a)) or taken[-1])
    _both({"Accounts": generate(5, seed=4).accounts, "NextToken": "n"})
    _both({"Accounts": HOSTILE_ACCOUNTS})
    with pytest.raises(AttributeError):  # botocore's own parser cannot read it either
        _both({"Accounts": ["not an object"]})
    _both(b"<html>not json</html>")
    assert [result is not None for result in taken] == [True, True, False]  # botocore refused the third first
    assert taken[0]["NextToken"] == "n" and taken[0]["ResponseMetadata"]["RequestId"] == "req-1"


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf" + json.dumps({"Accounts": HOSTILE_ACCOUNTS}).encode("utf-8"),  # a BOM
        json.dumps({"Accounts": HOSTILE_ACCOUNTS}).encode("utf-16"),
        b'{"Accounts": [{"AccountId": "\xed\xa0\x80"}]}',  # a lone surrogate in CESU-8: not UTF-8
        {"Accounts": [{"AccountId": "x", "SupportedLicenses": 0}]},
        {"Accounts": [{"AccountId": "x", "SupportedLicenses": "Pro"}]},
    ],
)
def test_bodies_botocore_reads_otherwise_go_to_botocore(body, monkeypatch):
    taken = []
    original = listing._ListAccountsParser._fast
    monkeypatch.setattr(listing._ListAccountsParser, "_fast", lambda *a: taken.append(original(*a)) or taken[-1])
    try:
        plain, ours = _both(body)
    except (TypeError, UnicodeDecodeError) as error:  # botocore's own parser cannot read it
        assert taken == [] or taken == [None], type(error)
        return
    assert taken == [None] and ours == plain


def test_role_client_blocks_that_interleave_in_one_thread_are_refused(roles):
    connection = _connection(roles)
    first, second = (_credentials(key) for key in list(ROLES)[:2])
    outer = connection.role_client(first)
    outer.__enter__()
    inner = connection.role_client(second)
    inner.__enter__()
    with pytest.raises(RuntimeError, match="must nest"):
        outer.__exit__(None, None, None)  # the first block ends while the second is still open


def _signer(client):
    """The access key the next request of ``client`` would be signed with in this thread, or None if refused."""
    try:
        return client._request_signer._credentials.get_frozen_credentials().access_key
    except RuntimeError:
        return None


def _generator_block(connection, credentials):
    with connection.role_client(credentials) as client:
        yield client


def test_a_generator_block_closed_in_another_thread_fails_closed_in_both(roles):
    # Thread 1, inside role X's block, starts a generator that enters role A's block; thread 2, inside role C's
    # block, closes it. Neither thread may then sign with another block's role.
    connection = _connection(roles)
    x, a, c = list(ROLES)[:3]
    generator, seen, errors = None, {}, []
    closed, done = threading.Event(), threading.Event()

    def first():
        nonlocal generator
        with connection.role_client(_credentials(x)) as client:
            generator = _generator_block(connection, _credentials(a))
            next(generator)
            seen["first, inside A"] = _signer(client)
            started.set()
            closed.wait(10)
            seen["first, after the close"] = _signer(client)
            try:
                client.list_accounts(MaxResults=1)
            except RuntimeError as error:
                errors.append(str(error))
        seen["first, outside"] = _signer(client)

    def second():
        started.wait(10)
        with connection.role_client(_credentials(c)) as client:
            try:
                generator.close()
            except RuntimeError as error:
                errors.append(str(error))
            seen["second, after the close"] = _signer(client)
            closed.set()
            done.wait(10)
        seen["second, outside"] = _signer(client)

    started = threading.Event()
    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    threads[0].join()
    done.set()
    threads[1].join()
    assert seen == {
        "first, inside A": a,
        "first, after the close": None,  # refused, not signed as X
        "first, outside": None,
        "second, after the close": None,  # refused, not signed as X nor A
        "second, outside": None,
    }
    assert len(errors) == 2 and all("out of order or in another thread" in e for e in errors)  # close, request
    assert {entry["access_key"] for entry in roles.log} <= {a, c}  # X's keys never signed thread 2's request


def test_generator_blocks_that_end_out_of_order_in_one_thread_leave_nothing_signed(roles):
    connection = _connection(roles)
    a, b = list(ROLES)[:2]
    first, second = _generator_block(connection, _credentials(a)), _generator_block(connection, _credentials(b))
    client = next(first)
    next(second)
    assert _signer(client) == b
    with pytest.raises(RuntimeError, match="out of order"):
        first.close()  # A's block ends while B's is open
    assert _signer(client) is None  # refused inside B's block, whose role is not A's either
    second.close()  # in order now: no block is left
    assert _signer(client) is None  # outside every block: refused, never signed as A
    with connection.role_client(_credentials(b)) as client:
        assert _signer(client) == b  # a new block afterwards signs as its own role
    assert roles.log == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the collection's RuntimeError
def test_a_generator_block_collected_in_another_thread_fails_closed(roles):
    connection = _connection(roles)
    a, c = list(ROLES)[:2]
    holder, seen = {}, {}

    def first():
        generator = _generator_block(connection, _credentials(a))
        holder["client"] = next(generator)
        holder["generator"] = generator  # left open when the thread ends

    thread = threading.Thread(target=first)
    thread.start()
    thread.join()
    with connection.role_client(_credentials(c)) as client:
        del holder["generator"]  # collected here, in this thread: its block ends in the wrong thread
        seen["after the collection"] = _signer(client)
    seen["outside"] = _signer(client)
    assert seen == {"after the collection": None, "outside": None}


def test_the_parser_reads_the_account_members_from_the_model_once_per_session(roles, monkeypatch):
    # botocore asks the session's parser factory for a new parser for every response: the member set is kept
    # by the factory, not by a parser, or it would be read from the model again for every page.
    reads = []
    original = listing._account_members
    monkeypatch.setattr(listing, "_account_members", lambda shape: reads.append(shape.name) or original(shape))
    connection = _connection(roles)
    accounts = listing.list_chime_accounts(connection.client("chime"), options=ListingOptions(page_size=50))
    assert len(accounts) > 100  # several pages, each parsed by the fast parser
    assert reads == ["ListAccountsResponse"]
