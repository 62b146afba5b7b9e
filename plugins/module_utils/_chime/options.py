# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The listing's options, in one place: their argument spec, their defaults and their checks.

The module, the lookup and the audit action read them into one :class:`ListingOptions`, check it, and
hand it to the core as it is. A new listing, backoff or fan-out option is a field here (its spec in the
field's metadata), its check in :meth:`ListingOptions.validate`, its use in the core, and its docs.
"""

# Not intended for general re-use / re-import: this module may change without notice.
# Plugins and other collections import from plugins/module_utils/chime.py.

import dataclasses
import re
from typing import List
from typing import Optional

from .errors import ChimeInputError
from .errors import quoted
from .errors import redact

ON_DENIED = ("error", "warn", "skip")
MAX_CONCURRENCY = 64
# RFC 5321's limit on a forward path, so an e-mail address. It also bounds redaction, whose cost grows with
# the address's length (errors.quoted).
MAX_EMAIL = 254

_EMAIL_RE = re.compile(r".+@.+\..+")
_NAME_RE = re.compile(r".*\S.*", re.DOTALL)
# The service's pattern `.*\S.*` admits no line break, and a control character in a prefix is a mistake
# (a survey answer pasted with its newline), not a name.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_IAM_NAME = r"[\w+=,.@-]"
ROLE_ARN_RE = re.compile(rf"arn:(aws[a-z-]*):iam::([0-9]{{12}}):role/(?:{_IAM_NAME}+/)*{_IAM_NAME}{{1,64}}")
_ROLE_NAME_RE = re.compile(rf"(?:{_IAM_NAME}+/)*{_IAM_NAME}{{1,64}}")
_SESSION_NAME_RE = re.compile(rf"{_IAM_NAME}{{2,64}}")
# STS takes 2 to 1224 characters. Fewer than 8 are refused: a module's no_log masking replaces every
# occurrence of a no_log value in its result, so an external ID such as "Pro" would turn each "Pro" licence
# into VALUE_SPECIFIED_IN_NO_LOG_PARAMETER; AWS also advises long random external IDs.
MIN_EXTERNAL_ID = 8
_EXTERNAL_ID_RE = re.compile(rf"[\w+=,.@:/-]{{{MIN_EXTERNAL_ID},1224}}")
EXTERNAL_ID_MESSAGE = (
    f"external_id must be {MIN_EXTERNAL_ID} to 1224 characters of [\\w+=,.@:/-] (value not shown): a shorter one"
    " would also be masked wherever it appears in the results, and AWS advises long random values."
)
# The bounds of the numeric options, by option name.
RANGES = {
    "page_size": (1, 200),
    "backoff_retries": (0, 100),
    "backoff_delay": (0.001, 300),
    "backoff_max_delay": (0.001, 3600),
    "concurrency": (1, MAX_CONCURRENCY),
}


def _shown(value):
    """``value`` as a refusal quotes it: its repr, with any e-mail address withheld (a role's name may hold one),
    escaped and bounded as a service message is (:func:`quoted`)."""
    return quoted(repr(value))


def _check_range(option, value, low=None, high=None):
    # A YAML true is an int to Python (and to Ansible's int check): sent as max-results=True, the
    # service answers 400, so a boolean is refused here, before any request.
    if low is None:
        low, high = RANGES[option]
    if isinstance(value, bool):
        raise ChimeInputError(f"{option} must be a number between {low} and {high}, not a boolean, got {value!r}.")
    if not isinstance(value, (int, float)) or not low <= value <= high:
        raise ChimeInputError(f"{option} must be between {low} and {high}, got {value!r}.")


def check_name(name):
    """Check an account-name prefix (``None`` for none) against ListAccounts' constraints.

    Raises :class:`ChimeInputError` naming ``name``. The module documents ``name`` itself and the lookup
    takes prefixes as terms, so it is not one of the :class:`ListingOptions`.
    """
    if name is None:
        return
    if not isinstance(name, str) or not 1 <= len(name) <= 100:
        length = len(name) if isinstance(name, str) else type(name).__name__
        raise ChimeInputError(f"name must be an account-name prefix of 1 to 100 characters, got {length}.")
    if not _NAME_RE.fullmatch(name):
        raise ChimeInputError("name must contain a character that is not white space.")
    if _CONTROL_RE.search(name):
        raise ChimeInputError("name must not contain a line break or another control character.")


@dataclasses.dataclass(frozen=True)
class ListingOptions:
    """The options that the module, the lookup and the audit action share: the listing, its retries
    (which STS and Organizations calls share) and the listing across AWS accounts.

    Each field's default is the option's default, and its metadata the rest of its argument spec; the doc
    fragment ``chime.admin.listing`` documents them. ``ListingOptions()`` holds every default.
    """

    # The listing of one AWS account.
    # no_log options stay out of the repr, should one ever be shown.
    user_email: Optional[str] = dataclasses.field(default=None, repr=False, metadata=dict(type="str", no_log=True))
    page_size: int = dataclasses.field(default=200, metadata=dict(type="int", aliases=["max_results"]))
    # The retries of one page (and of one STS or Organizations call).
    backoff_retries: int = dataclasses.field(default=10, metadata=dict(type="int"))
    backoff_delay: float = dataclasses.field(default=0.1, metadata=dict(type="float"))
    backoff_max_delay: float = dataclasses.field(default=30.0, metadata=dict(type="float"))
    # The listing across AWS accounts.
    role_arns: Optional[List[str]] = dataclasses.field(default=None, metadata=dict(type="list", elements="str"))
    organization_role_name: Optional[str] = dataclasses.field(default=None, metadata=dict(type="str"))
    external_id: Optional[str] = dataclasses.field(default=None, repr=False, metadata=dict(type="str", no_log=True))
    role_session_name: str = dataclasses.field(default="chime-admin", metadata=dict(type="str"))
    # 32: see the doc fragment. In a model with no CPU, 40 threads keep up with the Organizations pages (each AWS
    # account holds a thread for two calls, a page brings 20); measured on a 2-CPU controller, 48 threads were
    # slower than 32 (the listing's CPU is the bound there), so the default stays 32, well within STS's quota.
    concurrency: int = dataclasses.field(default=32, metadata=dict(type="int"))
    on_denied: str = dataclasses.field(default="error", metadata=dict(type="str", choices=list(ON_DENIED)))

    @classmethod
    def argument_spec(cls):
        """The options' Ansible argument spec (a new dict on every call: Ansible may change it)."""
        spec = {}
        for field in dataclasses.fields(cls):
            option = {key: list(value) if isinstance(value, list) else value for key, value in field.metadata.items()}
            if field.default is not None:
                option["default"] = field.default
            spec[field.name] = option
        return spec

    @staticmethod
    def mutually_exclusive():
        """The options that exclude each other, as Ansible's ``mutually_exclusive`` takes them."""
        return [("role_arns", "organization_role_name")]

    @classmethod
    def from_params(cls, params):
        """The options from a mapping of option values, such as a module's ``params`` (other keys are ignored)."""
        return cls(**{field.name: params[field.name] for field in dataclasses.fields(cls)})

    @staticmethod
    def shown_params(params):
        """The options of ``params`` that may hold an e-mail address, as outputs show them (for a module's
        invocation): ``role_arns`` and ``organization_role_name``, any address withheld (:func:`redact`)."""
        arns, role_name = params.get("role_arns"), params.get("organization_role_name")
        shown = {}
        if isinstance(arns, list):
            shown["role_arns"] = [redact(arn) if isinstance(arn, str) else arn for arn in arns]
        if isinstance(role_name, str):
            shown["organization_role_name"] = redact(role_name)
        return shown

    @staticmethod
    def unmasked_when_refused(external_id):
        """The values of ``external_id`` that a door need not mask in its result: one shorter than the minimum
        is refused before any request, so it reaches no service and no report, and masking it would garble
        the refusal itself (the external ID "short" in "a shorter one")."""
        return {external_id} if isinstance(external_id, str) and len(external_id) < MIN_EXTERNAL_ID else set()

    @classmethod
    def check_given(cls, given):
        """Refuse a boolean given to a numeric option, in ``given``: the options as the task gave them, before
        Ansible's type conversion (a module's ``_load_params()``, a lookup's keyword arguments, an action's task
        arguments).

        The conversion hides it from :meth:`validate`: ``true`` becomes ``1.0`` for a float option in every
        door, and ``1`` for an int option in a lookup. Raises :class:`ChimeInputError` naming the option as given
        (an alias, if one was used).
        """
        for field in dataclasses.fields(cls):
            if field.name not in RANGES:
                continue
            for key in (field.name, *field.metadata.get("aliases", ())):
                if isinstance(given.get(key), bool):
                    low, high = RANGES[field.name]
                    _check_range(key, given[key], low, high)

    @property
    def fan_out_requested(self):
        """True when the options ask for more than the caller's own AWS account."""
        return bool(self.role_arns) or self.organization_role_name is not None

    def validate(self, names=(None,)):
        """Check the options, and each of ``names`` (account-name prefixes, ``None`` for none), before any request.

        Raises :class:`ChimeInputError` naming the option. The e-mail address and the external ID are never echoed.
        """
        for name in names or (None,):  # no names: the listing options are checked all the same
            check_name(name)
            self._check_listing()
        self._check_fan_out()

    def _check_listing(self):
        email = self.user_email
        if email is not None and not (isinstance(email, str) and _EMAIL_RE.fullmatch(email)):
            raise ChimeInputError("user_email must be an e-mail address matching .+@.+\\..+ (value not shown).")
        if len(email or "") > MAX_EMAIL:
            raise ChimeInputError(
                f"user_email must be at most {MAX_EMAIL} characters, as an e-mail address is (value not shown)."
            )
        for option in ("page_size", "backoff_retries", "backoff_delay", "backoff_max_delay"):
            _check_range(option, getattr(self, option))
        if self.backoff_max_delay < self.backoff_delay:
            raise ChimeInputError(
                f"backoff_max_delay ({self.backoff_max_delay}) must not be below backoff_delay ({self.backoff_delay})."
            )

    def _check_fan_out(self):
        role_arns, role_name = self.role_arns, self.organization_role_name
        if role_arns is not None and role_name is not None:
            raise ChimeInputError("role_arns and organization_role_name are mutually exclusive: give one of them.")
        if role_arns is not None:
            if not isinstance(role_arns, list) or not role_arns:
                raise ChimeInputError("role_arns must be a non-empty list of IAM role ARNs.")
            into = {}  # AWS account -> the first role ARN into it
            for arn in role_arns:
                if not isinstance(arn, str) or not ROLE_ARN_RE.fullmatch(arn):
                    raise ChimeInputError(
                        "role_arns must hold IAM role ARNs like arn:aws:iam::123456789012:role/ChimeAudit,"
                        f" got {_shown(arn)}."
                    )
                # One entry per AWS account: two roles into one would list it twice, each with its own count.
                # The same ARN twice is the same role, listed once.
                account = ROLE_ARN_RE.fullmatch(arn).group(2)
                if into.setdefault(account, arn) != arn:
                    raise ChimeInputError(
                        f"role_arns must give one role per AWS account: {_shown(into[account])} and {_shown(arn)} are"
                        f" both roles into AWS account {account}. Give one of them."
                    )
        if role_name is not None and not (isinstance(role_name, str) and _ROLE_NAME_RE.fullmatch(role_name)):
            raise ChimeInputError(
                "organization_role_name must be an IAM role name (with an optional path) of [\\w+=,.@-] characters,"
                f" got {_shown(role_name)}."
            )
        external_id = self.external_id
        if external_id is not None and not (isinstance(external_id, str) and _EXTERNAL_ID_RE.fullmatch(external_id)):
            raise ChimeInputError(EXTERNAL_ID_MESSAGE)
        session = self.role_session_name
        if not (isinstance(session, str) and _SESSION_NAME_RE.fullmatch(session)):
            raise ChimeInputError(f"role_session_name must be 2 to 64 characters of [\\w+=,.@-], got {session!r}.")
        if not isinstance(self.concurrency, int):  # a float is no number of threads, 2.0 neither
            raise ChimeInputError(f"concurrency must be between 1 and {MAX_CONCURRENCY}, got {self.concurrency!r}.")
        _check_range("concurrency", self.concurrency)
        if self.on_denied not in ON_DENIED:
            raise ChimeInputError(f"on_denied must be one of {', '.join(ON_DENIED)}, got {self.on_denied!r}.")
