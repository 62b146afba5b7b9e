# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the options object (module_utils/_chime/options.py): its argument spec, its checks and
their messages, and what the doors read from it."""

import ast
import dataclasses
import os

import pytest
import yaml

from ansible_collections.chime.admin.plugins.module_utils._chime.errors import ChimeInputError
from ansible_collections.chime.admin.plugins.module_utils._chime.options import ListingOptions
from ansible_collections.chime.admin.tests.unit.plugins.module_utils._chime.samples import EMAIL

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "..")


def _validate(name=None, **options):
    ListingOptions(**options).validate([name])


@pytest.mark.parametrize(
    "options,option",
    [
        ({"name": ""}, "name"),
        ({"name": "   \t"}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"user_email": "no-at-sign"}, "user_email"),
        ({"user_email": "a@b"}, "user_email"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 201}, "page_size"),
        ({"backoff_retries": -1}, "backoff_retries"),
        ({"backoff_retries": 101}, "backoff_retries"),
        ({"backoff_delay": 0}, "backoff_delay"),
        ({"backoff_max_delay": 0}, "backoff_max_delay"),
        ({"backoff_delay": 5, "backoff_max_delay": 1}, "backoff_max_delay"),
    ],
)
def test_every_input_check_names_its_option(options, option):
    with pytest.raises(ChimeInputError) as info:
        _validate(**options)
    assert str(info.value).startswith(f"{option} "), str(info.value)  # the message opens with the option's name
    assert "no-at-sign" not in str(info.value)


def test_valid_options_pass():
    _validate(name="x" * 100, user_email=EMAIL, page_size=1, backoff_retries=0)
    _validate(name="Zürich", page_size=200, backoff_delay=0.001, backoff_max_delay=0.001)


# A valid external ID that every case carries, so that each one can show that the value is never echoed.
EXTERNAL_ID = "Ext-Secret-7f3a"


@pytest.mark.parametrize(
    "options,option,words",
    [
        ({"role_arns": ["arn:aws:iam::1234:role/R"]}, "role_arns", "role_arns must hold IAM role ARNs"),
        ({"role_arns": []}, "role_arns", "role_arns must be a non-empty list"),
        (  # two roles into one AWS account: it would have two entries, its accounts counted twice
            {"role_arns": ["arn:aws:iam::123456789012:role/A", "arn:aws:iam::123456789012:role/path/B"]},
            "role_arns",
            "role_arns must give one role per AWS account",
        ),
        (
            {"role_arns": ["arn:aws:iam::123456789012:role/R"], "organization_role_name": "R"},
            "role_arns",
            "mutually exclusive",
        ),
        ({"organization_role_name": "a b"}, "organization_role_name", "organization_role_name must be"),
        # Too short; a letter that the message has nowhere else, so that an echo would show.
        ({"external_id": "Q"}, "external_id", "external_id must be 8 to 1224"),
        # Seven characters: STS would take it, but no_log masking would blank every "Pro4567" in the results.
        ({"external_id": "Pro4567"}, "external_id", "external_id must be 8 to 1224"),
        ({"external_id": "Ext Secret 7f3a"}, "external_id", "external_id must be 8 to 1224"),  # a space
        ({"external_id": EXTERNAL_ID * 100}, "external_id", "external_id must be 8 to 1224"),  # 1500 characters
        ({"role_session_name": "x" * 65}, "role_session_name", "role_session_name must be 2 to 64"),
        ({"concurrency": 0}, "concurrency", "concurrency must be between 1 and 64"),
        ({"concurrency": 65}, "concurrency", "concurrency must be between 1 and 64"),
        ({"on_denied": "shrug"}, "on_denied", "on_denied must be one of"),
    ],
)
def test_bad_fan_out_options_name_the_option(options, option, words):
    options = {"external_id": EXTERNAL_ID, **options}
    with pytest.raises(ChimeInputError) as info:
        _validate(**options)
    message = str(info.value)
    assert message.startswith(f"{option} ") and words in message  # the message opens with the option's name
    assert options["external_id"] not in message  # the external ID, good or bad, is never echoed
    if option == "external_id":
        assert " (value not shown): " in message


def test_good_fan_out_options_pass():
    _validate(
        role_arns=["arn:aws-us-gov:iam::123456789012:role/path/to/Role.Name@x"], external_id="a:b/c-d=", concurrency=64
    )
    _validate(organization_role_name="R", external_id="x" * 1224)
    _validate(organization_role_name="audit/ChimeAudit", role_session_name="ab", concurrency=1)


def test_the_argument_spec_is_every_option_with_its_spec():
    assert ListingOptions.argument_spec() == {
        "user_email": {"type": "str", "no_log": True},
        "page_size": {"type": "int", "default": 200, "aliases": ["max_results"]},
        "backoff_retries": {"type": "int", "default": 10},
        "backoff_delay": {"type": "float", "default": 0.1},
        "backoff_max_delay": {"type": "float", "default": 30.0},
        "role_arns": {"type": "list", "elements": "str"},
        "organization_role_name": {"type": "str"},
        "external_id": {"type": "str", "no_log": True},
        "role_session_name": {"type": "str", "default": "chime-admin"},
        "concurrency": {"type": "int", "default": 32},
        "on_denied": {"type": "str", "default": "error", "choices": ["error", "warn", "skip"]},
    }
    spec = ListingOptions.argument_spec()
    spec["page_size"]["aliases"].append("changed")  # Ansible may change the spec it is given
    assert ListingOptions.argument_spec()["page_size"]["aliases"] == ["max_results"]


def test_the_doc_fragment_documents_each_option_as_specified():
    # The lookup's options are the doc fragment's (validate-modules compares only the module's with its spec).
    with open(os.path.join(ROOT, "plugins", "doc_fragments", "listing.py"), encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    (text,) = [
        n.value.value for n in ast.walk(tree) if isinstance(n, ast.Assign) and n.targets[0].id == "DOCUMENTATION"
    ]
    documented = yaml.safe_load(text)["options"]
    spec = ListingOptions.argument_spec()
    assert set(documented) == set(spec)
    for name, option in spec.items():
        doc = documented[name]
        for key in ("type", "default", "choices", "elements"):
            assert doc.get(key) == option.get(key), (name, key)
        assert doc.get("aliases", []) == option.get("aliases", []), name


def test_from_params_reads_every_option_and_ignores_the_rest():
    params = dict(ListingOptions.argument_spec(), name="Eng", region="eu-west-1")
    params = {key: f"value of {key}" for key in params}
    read = ListingOptions.from_params(params)
    assert dataclasses.asdict(read) == {key: f"value of {key}" for key in ListingOptions.argument_spec()}
    with pytest.raises(KeyError):
        ListingOptions.from_params({"page_size": 5})  # an option the door did not read is a bug, not a default


def test_the_defaults_are_valid_and_list_the_callers_own_aws_account():
    defaults = ListingOptions()
    defaults.validate()
    assert not defaults.fan_out_requested
    assert (
        ListingOptions.from_params({k: v.get("default") for k, v in ListingOptions.argument_spec().items()}) == defaults
    )


@pytest.mark.parametrize(
    "options,requested",
    [
        ({"role_arns": ["arn:aws:iam::123456789012:role/R"]}, True),
        ({"organization_role_name": "R"}, True),
        ({"role_arns": []}, False),  # refused by validate(), but asks for no other AWS account
        ({"external_id": "ab-cd-ef", "concurrency": 3}, False),
    ],
)
def test_fan_out_is_requested_by_roles_or_an_organization(options, requested):
    assert ListingOptions(**options).fan_out_requested is requested


@pytest.mark.parametrize(
    "names,options,opening",
    [
        (["Eng", " "], {"page_size": 0}, "page_size "),  # the first name, then the listing's options
        (["Eng", " "], {"concurrency": 0}, "name "),  # every name before the fan-out options
        ([" ", "Eng"], {"page_size": 0}, "name "),
        (["Eng", "Fin"], {"concurrency": 0}, "concurrency "),
    ],
)
def test_each_name_is_checked_in_turn_then_the_fan_out_options(names, options, opening):
    with pytest.raises(ChimeInputError) as info:
        ListingOptions(**options).validate(names)
    assert str(info.value).startswith(opening), str(info.value)


def test_options_cannot_change_once_read():
    read = ListingOptions(page_size=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.page_size = 6
    assert dataclasses.replace(read, on_denied="warn") == ListingOptions(page_size=5, on_denied="warn")


def test_roles_and_an_organization_exclude_each_other():
    assert ListingOptions.mutually_exclusive() == [("role_arns", "organization_role_name")]


def test_the_repr_shows_no_no_log_value():
    options = ListingOptions(user_email="ana.lopez@example.com", external_id="ExternalId-0123456789")
    shown = repr(options)
    assert "ana.lopez@example.com" not in shown and "ExternalId-0123456789" not in shown
    assert "page_size=200" in shown


def test_no_names_still_checks_the_listing_options():
    with pytest.raises(ChimeInputError, match="^page_size must be between 1 and 200, got 0"):
        ListingOptions(page_size=0).validate([])


NUMERIC = {
    "page_size": (1, 200),
    "backoff_retries": (0, 100),
    "backoff_delay": (0.001, 300),
    "backoff_max_delay": (0.001, 3600),
    "concurrency": (1, 64),
}


def test_every_int_and_float_option_is_a_numeric_option():
    numeric = {name for name, spec in ListingOptions.argument_spec().items() if spec["type"] in ("int", "float")}
    assert numeric == set(NUMERIC)


@pytest.mark.parametrize("option", sorted(NUMERIC))
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_refused_for_every_numeric_option(option, value):
    low, high = NUMERIC[option]
    expected = f"{option} must be a number between {low} and {high}, not a boolean, got {value!r}."
    with pytest.raises(ChimeInputError) as info:
        ListingOptions(**{option: value}).validate()  # as a module reads an int option: still a bool
    assert str(info.value) == expected
    with pytest.raises(ChimeInputError) as info:
        ListingOptions.check_given({option: value})  # as given, before Ansible made 1 or 1.0 of it
    assert str(info.value) == expected


def test_a_boolean_given_through_an_alias_is_named_by_it():
    with pytest.raises(ChimeInputError, match=r"^max_results must be a number between 1 and 200, not a boolean"):
        ListingOptions.check_given({"max_results": True})


def test_numbers_and_other_options_as_given_pass():
    given = {name: low for name, (low, _high) in NUMERIC.items()}
    ListingOptions.check_given(dict(given, max_results=5, on_denied="warn", validate_certs=True, name=None))
    ListingOptions.check_given({})


def test_a_concurrency_with_a_fraction_is_refused():
    with pytest.raises(ChimeInputError, match=r"^concurrency must be between 1 and 64, got 2.0"):
        ListingOptions(concurrency=2.0).validate()


def test_a_user_email_longer_than_an_address_can_be_is_refused_unshown():
    email = "a" * 250 + "@b.co"
    with pytest.raises(ChimeInputError) as info:
        ListingOptions(user_email=email).validate()
    assert str(info.value) == "user_email must be at most 254 characters, as an e-mail address is (value not shown)."
    ListingOptions(user_email="a" * 245 + "@b.co").validate()  # 250 characters
