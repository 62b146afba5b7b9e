# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the lookup through ansible's plugin loader, so its option handling is real."""

import datetime
import logging
from unittest import mock

import boto3
import pytest

from ansible import constants as C
from ansible.errors import AnsibleLookupError
from ansible.errors import AnsibleOptionsError
from ansible.module_utils.basic import env_fallback
from ansible.utils.display import Display

from ansible_collections.chime.admin.plugins.module_utils._chime.service import END_OF_SUPPORT_HINT
from ansible_collections.chime.admin.plugins.module_utils.chime import AwsConnection
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils.chime import ChimeListingError
from ansible_collections.chime.admin.plugins.module_utils.chime import ListingOptions
from ansible_collections.chime.admin.tests.unit.plugins.modules.module_argument_spec import module_argument_spec

from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import ACCOUNTS
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT


@pytest.fixture
def options(fake, monkeypatch):
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    return {"endpoint_url": fake.url, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY}


def _iso(wire):
    # The fake sends 2019-04-05T12:34:56.789Z; the lookup returns it as an ISO 8601 string in UTC.
    if wire is None:
        return None
    moment = datetime.datetime.strptime(wire, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return moment.isoformat()


def test_no_term_lists_every_account(fake, lookup, options):
    accounts = lookup.run([], {}, **options)
    raw = fake.tenants[TENANT].data.accounts
    assert [a["account_id"] for a in accounts] == [r["AccountId"] for r in raw]
    assert [a["created_timestamp"] for a in accounts] == [_iso(r.get("CreatedTimestamp")) for r in raw]
    assert sum(a["created_timestamp"] is not None for a in accounts) > ACCOUNTS // 2  # the data has timestamps
    assert fake.stats()["requests"] == 3


def test_terms_give_the_union_in_term_order(fake, lookup, options):
    names = [a["Name"] for a in fake.tenants[TENANT].data.accounts]
    first, second = names[0].split(" ")[0], names[1].split(" ")[0]
    accounts = lookup.run([first, second, first], {}, **options)
    expected = [n for n in names if n.startswith(first)] + [
        n for n in names if n.startswith(second) and not n.startswith(first)
    ]
    assert [a["name"] for a in accounts] == expected


def _core_message(name=None, **options):
    """What the listing core says of these options. Its wording is pinned once, in the module's unit tests
    (tests/unit/plugins/modules/test_chime_account_info.py); the lookup passes it on behind its own name."""
    with pytest.raises(ChimeInputError) as info:
        ListingOptions(**options).validate([name])
    return str(info.value)


@pytest.mark.parametrize(
    "terms,extra,option",
    [
        ([" "], {}, "name"),
        (["x" * 101], {}, "name"),
        (["Eng", " "], {}, "name"),
        ([], {"page_size": 0}, "page_size"),
        ([], {"user_email": "bad"}, "user_email"),
    ],
)
def test_bad_input_fails_before_any_request(fake, lookup, options, terms, extra, option):
    expected = _core_message(terms[-1] if terms else None, **extra)
    assert expected.startswith(f"{option} ")
    with pytest.raises(AnsibleLookupError) as info:
        lookup.run(terms, {}, **dict(options, **extra))
    assert str(info.value) == f"chime_accounts: {expected}"
    assert fake.stats()["requests"] == 0


def test_an_on_denied_outside_its_choices_is_refused_by_ansible_before_any_request(fake, lookup, options):
    # ansible-core checks the documented choices when it sets the lookup's options; its wording differs
    # between versions ("for configuration option" up to 2.18, "for config" later), the option is named in all.
    with pytest.raises(AnsibleOptionsError, match=r"^Invalid value .shrug. for config.*\bon_denied\b"):
        lookup.run([], {}, **dict(options, on_denied="shrug"))
    assert fake.stats()["requests"] == 0


@pytest.mark.parametrize("mode,warnings", [("warn", 1), ("skip", 0)])
def test_on_denied_warn_and_skip_return_nothing(fake, lookup, options, mode, warnings):
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    with mock.patch.object(Display, "warning") as warning:
        assert lookup.run([], {}, on_denied=mode, **options) == []
    assert warning.call_count == warnings
    if warnings:
        message = warning.call_args.args[0]
        assert "chime:ListAccounts" in message and "ForbiddenException" in message


def test_on_denied_error_and_other_errors_raise(fake, lookup, options):
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    with pytest.raises(AnsibleLookupError, match="chime:ListAccounts"):
        lookup.run([], {}, **options)
    fake.set_faults(TENANT, rules=[{"kind": "500", "every": 1}])
    with pytest.raises(AnsibleLookupError, match="ServiceFailureException"):
        lookup.run([], {}, on_denied="skip", backoff_retries=1, backoff_delay=0.001, **options)


def test_a_botocore_without_the_chime_model_fails_before_any_request(fake, lookup, options, monkeypatch):
    from ansible_collections.chime.admin.plugins.module_utils._chime import service

    from fake_chime.no_chime import hide_chime

    monkeypatch.setattr(service, "_HAS_MODEL", {})
    hide_chime(monkeypatch)
    with pytest.raises(ChimeListingError) as core:
        AwsConnection(None, fake.url, {})
    with pytest.raises(AnsibleLookupError) as info:
        lookup.run([], {}, **options)
    assert core.value.code == "ChimeApiUnavailable"
    assert str(info.value) == f"chime_accounts: {core.value.message}"
    assert fake.log == []


def test_a_403_of_end_of_support_says_so_instead_of_naming_the_permission(fake, lookup, options):
    fake.set_faults(TENANT, rules=[{"kind": "deprecated", "every": 1}])
    with pytest.raises(AnsibleLookupError) as info:
        lookup.run([], {}, **options)
    message = str(info.value)
    assert message.startswith("chime_accounts: Failed to list Chime accounts: ListAccounts on page 1 returned")
    assert "is not authorized to call deprecated ListAccounts API." in message
    assert message.endswith(END_OF_SUPPORT_HINT) and "chime:ListAccounts" not in message


def _environment_variables(fallback):
    """The environment variables of a module option's ``fallback`` (``(env_fallback, [names])``)."""
    if not fallback:
        return []
    function, names = fallback
    assert function is env_fallback
    return list(names)


def _facets(option, environment):
    """What the parity test compares of one option: an argument spec's entry or a documented option (the
    keys they share), and its environment variables, which each gives its own way."""
    facets = {key: option.get(key) for key in ("default", "elements", "choices")}
    return dict(
        facets, aliases=sorted(option.get("aliases") or []), type=option.get("type", "str"), environment=environment
    )


def test_the_lookup_takes_every_option_of_the_module_with_its_aliases_type_default_and_variables(lookup):
    """Option by option, the module's argument spec (its own and amazon.aws's common options) against the
    lookup's documented options as ansible reads them; ``name`` is the lookup's terms."""
    module = module_argument_spec()
    documented = C.config.get_configuration_definitions("lookup", lookup._load_name)  # pylint: disable=protected-access
    assert "page_size" in documented and "access_key" in documented  # the definitions were read
    differences = []
    for option in sorted(set(module) | set(documented) - {"_terms"}):
        if option == "name":
            continue
        if option not in documented or option not in module:
            differences.append(f"{option}: only in the {'module' if option in module else 'lookup'}")
            continue
        spec, doc = module[option], documented[option]
        mine = _facets(spec, _environment_variables(spec.get("fallback")))
        theirs = _facets(doc, [e["name"] for e in doc.get("env") or []])
        differences += [
            f"{option}.{key}: module {mine[key]!r}, lookup {theirs[key]!r}" for key in mine if mine[key] != theirs[key]
        ]
    assert differences == []


def test_validate_certs_and_the_ca_bundle_reach_the_chime_client(fake, lookup, options, tmp_path, monkeypatch):
    """What the lookup hands botocore for certificates: ``verify`` of every client it creates."""
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")  # botocore opens it only for an https:// endpoint
    created = []
    original = boto3.session.Session.client

    def client(session, service, **kwargs):
        created.append((service, kwargs.get("verify")))
        return original(session, service, **kwargs)

    with mock.patch.object(boto3.session.Session, "client", client):
        assert len(lookup.run([], {}, validate_certs=False, **options)) == ACCOUNTS
        assert len(lookup.run([], {}, aws_ca_bundle=str(bundle), **options)) == ACCOUNTS
        # A bundle is not used while certificates are not checked (amazon.aws's rule).
        lookup.run([], {}, aws_ca_bundle=str(bundle), validate_certs=False, **options)
        lookup.run([], {}, **options)
    assert created == [("chime", False), ("chime", str(bundle)), ("chime", False), ("chime", True)]


def test_the_ca_bundle_comes_from_aws_ca_bundle_in_the_environment(fake, lookup, options, tmp_path, monkeypatch):
    bundle = tmp_path / "env-ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("AWS_CA_BUNDLE", str(bundle))
    with mock.patch.object(boto3.session.Session, "client", side_effect=RuntimeError("stop")) as client:
        with pytest.raises(RuntimeError):
            lookup.run([], {}, **options)
    assert client.call_args.kwargs["verify"] == str(bundle)


def test_debug_botocore_endpoint_logs_shows_the_calls_made_and_restores_the_logger(fake, lookup, options):
    logger = logging.getLogger("botocore.endpoint")
    level, handlers, propagate = logger.level, list(logger.handlers), logger.propagate
    seen_above = []  # a handler of the controller's root logger, as a callback plugin might add one

    class Above(logging.Handler):
        def emit(self, record):
            seen_above.append(record)

    above = Above()
    logging.getLogger().addHandler(above)
    try:
        with mock.patch.object(Display, "display") as display:
            lookup.run([], {}, debug_botocore_endpoint_logs=True, **options)
    finally:
        logging.getLogger().removeHandler(above)
    display.assert_called_once_with("chime_accounts: resource actions: 127:ListAccounts")
    assert logger.level == level and logger.handlers == handlers and logger.propagate == propagate
    assert not [r for r in seen_above if r.name.startswith("botocore.endpoint")]  # requests stay in the block
    with mock.patch.object(Display, "display") as display:
        lookup.run([], {}, **options)
    display.assert_not_called()


def test_a_plain_http_endpoint_to_a_remote_host_warns_once(fake, lookup, options):
    """The lookup shows the connection's warnings with its own, even when the listing then fails; the decision
    is the listing core's. 0.0.0.0 is not loopback to the check, yet reaches the fake on this machine."""
    remote = dict(options, endpoint_url=fake.url.replace("127.0.0.1", "0.0.0.0"))
    expected = f"chime_accounts: The Chime endpoint {remote['endpoint_url']} (from endpoint_url,"
    with mock.patch.object(Display, "warning") as warning:
        assert len(lookup.run([], {}, **remote)) == ACCOUNTS
    (call,) = warning.call_args_list
    assert call.args[0].startswith(expected)
    fake.set_faults(TENANT, rules=[{"kind": "forbidden", "every": 1}])
    with mock.patch.object(Display, "warning") as warning, pytest.raises(AnsibleLookupError, match="Forbidden"):
        lookup.run([], {}, **remote)
    (call,) = warning.call_args_list  # kept though the listing failed
    assert call.args[0].startswith(expected)
    fake.set_faults(TENANT)
    with mock.patch.object(Display, "warning") as warning:
        lookup.run([], {}, **options)  # the fake's loopback endpoint: no warning
    warning.assert_not_called()
