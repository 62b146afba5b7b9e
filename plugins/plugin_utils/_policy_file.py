# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The policy file, and how it combines with the variables: :func:`load_policy_file` reads and checks a file
(plain YAML data, no alias, no key given twice, never quoted in an error), and :func:`combine` makes one
:class:`~_policy.Policy` of the file's parts and the variables'."""

import os
import re
import stat
from collections.abc import Mapping

import yaml  # PyYAML, which ansible-core depends on

from ansible_collections.chime.admin.plugins.plugin_utils._escape import visible as visible_text
from ansible_collections.chime.admin.plugins.plugin_utils._policy import DEFAULT_WAIVER_WARN_DAYS
from ansible_collections.chime.admin.plugins.plugin_utils._policy import PARTS
from ansible_collections.chime.admin.plugins.plugin_utils._policy import Policy
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import PolicyError
from ansible_collections.chime.admin.plugins.plugin_utils._policy_values import as_flag

MAX_POLICY_FILE_BYTES = 1024 * 1024
# exclusive: true says that the file is the whole policy, so that a part set in the variables too is refused.
POLICY_FILE_KEYS = (
    "name",
    "version",
    "rules",
    "custom_rules",
    "severities",
    "waivers",
    "fail_severity",
    "sla_days",
    "fail_gate",
    "exclusive",
)


# ----- the policy file, and how it combines with the variables --------------------------------------
class _PolicyLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """yaml.safe_load's loader, stricter for a policy that a reviewer reads in git: no alias (anchors and aliases
    let a few hundred bytes name one list exponentially often) and no key given twice in one mapping (the
    second would silently replace the first, which is the one a reviewer may have read)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise _PolicyYamlError(
                f"at line {mark.line + 1}, column {mark.column + 1}: aliases (*name) are not allowed"
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                mark = key_node.start_mark
                raise _PolicyYamlError(f"at line {mark.line + 1}, column {mark.column + 1}: a key given twice")
            if isinstance(key, (str, int, float, bool)):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _PolicyYamlError(Exception):
    """A policy file's YAML refused by :class:`_PolicyLoader`; the message says where, never what."""


def load_yaml(text):
    """``text`` as YAML data, plain data only (as yaml.safe_load), with no alias and no key given twice."""
    loader = _PolicyLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _read_regular_file(path):
    """At most MAX_POLICY_FILE_BYTES + 1 bytes of the regular file at ``path``. Opened without blocking and
    checked before it is read: a FIFO or a device named as the policy file would block the audit or never end."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise PolicyError("is not a regular file")
        return handle.read(MAX_POLICY_FILE_BYTES + 1)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")


def load_policy_file(path, loader=load_yaml):
    """The policy file at ``path``, parsed by ``loader`` (text to data; :func:`load_yaml` by default), checked
    for its shape; :class:`PolicyError` names the file.

    No error quotes the file: when policy_file names the wrong file (an AWS credentials file, say), YAML's own
    messages would put a line of it, or a tag or alias name, in the job's output. They say where, and what
    kind of error."""
    shown = visible_text(path)
    try:
        data = _read_regular_file(path)
    except OSError as error:
        raise PolicyError(f"policy file {shown}: cannot be read: {error.strerror or error}.") from None
    except PolicyError as error:
        raise PolicyError(f"policy file {shown}: {error}.") from None
    if len(data) > MAX_POLICY_FILE_BYTES:
        raise PolicyError(f"policy file {shown}: larger than {MAX_POLICY_FILE_BYTES} bytes.")
    try:
        policy = loader(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(f"policy file {shown}: not UTF-8 text.") from None
    except _PolicyYamlError as error:
        raise PolicyError(f"policy file {shown}: not valid as a policy's YAML {error}.") from None
    except Exception as error:  # pylint: disable=broad-exception-caught
        mark, context = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        if context is not None and (mark is None or context.line != mark.line):
            where += f", in what starts at line {context.line + 1}, column {context.column + 1}"
        raise PolicyError(f"policy file {shown}: not valid YAML{where} ({type(error).__name__}).") from None
    return check_policy_keys(policy, f"policy file {shown}")


def check_policy_keys(policy, where):
    """``policy`` (a policy file's data, or the filters' ``policy`` argument) as a dict, if it is a mapping of
    POLICY_FILE_KEYS; :class:`PolicyError` naming ``where``. An unknown key is named only when it reads as
    a key name: the file may be the wrong one, and its keys someone's secrets."""
    if not isinstance(policy, Mapping):
        raise PolicyError(f"{where}: must be a mapping with {', '.join(POLICY_FILE_KEYS)}.")
    unknown = sorted(set(map(str, policy)) - set(POLICY_FILE_KEYS))
    if unknown:
        named = [key for key in unknown if _PLAIN_KEY.fullmatch(key)]
        others = len(unknown) - len(named)
        listed = ", ".join(named + ([f"{others} other(s) not shown"] if others else []))
        raise PolicyError(f"{where}: unknown key(s) {listed}; known: {', '.join(POLICY_FILE_KEYS)}.")
    return dict(policy)


def combine(variables, file_policy=None, file_name=None, waiver_warn_days=DEFAULT_WAIVER_WARN_DAYS):
    """The :class:`Policy` of the variables (``rules``, ``custom_rules``, ``severities``, ``waivers``,
    ``fail_severity``, ``sla_days``, ``fail_gate``; None or empty is unset) and of a policy file (its parts,
    and ``name`` and ``version``). Each part comes from one place: a part set in both is a conflict, which fails naming
    both; an error in a part of the file names the file. A file with ``exclusive: true`` is the whole policy:
    any part set in the variables is refused, naming the parts."""
    parts = {key: value for key, value in variables.items() if value not in (None, {}, [], ())}
    read = file_policy is not None
    file_policy = dict(file_policy or {})
    exclusive = file_policy.pop("exclusive", None)
    exclusive = False if exclusive is None else as_flag(exclusive, f"exclusive (in the policy file {file_name})")
    if exclusive and parts:
        raise PolicyError(
            f"the policy file {file_name} is the whole policy (exclusive: true), but the variables set"
            f" {', '.join(key for key in PARTS if key in parts)}: set them in the file, or leave them unset."
        )
    origins = {}
    for key, value in file_policy.items():
        if value in (None, {}, [], ()):
            continue
        if key in parts:
            raise PolicyError(
                f"{key} is set both in the policy file {file_name} and in the variables: set it in one place."
            )
        parts[key] = value
        origins[key] = file_name
    return Policy(
        rules=parts.get("rules"),
        custom_rules=parts.get("custom_rules"),
        severities=parts.get("severities"),
        waivers=parts.get("waivers"),
        fail_severity=parts.get("fail_severity"),
        sla_days=parts.get("sla_days"),
        fail_gate=parts.get("fail_gate"),
        waiver_warn_days=waiver_warn_days,
        name=parts.get("name"),
        version=parts.get("version"),
        origins=origins,
        policy_file=file_name if read else None,
        exclusive=exclusive,
    )


def resolve(path, basedir):
    """A policy file's path: relative to ``basedir`` (the playbook's directory), ``~`` expanded."""
    return os.path.join(basedir, os.path.expanduser(path))
