# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the public facade (module_utils/chime.py): exactly the names that plugins and other
collections may use, and plugins that import nothing else of module_utils. The private modules behind
it have their tests in _chime/."""

import ast
import os

from ansible_collections.chime.admin.plugins.module_utils import chime
from ansible_collections.chime.admin.plugins.module_utils._chime import errors
from ansible_collections.chime.admin.plugins.module_utils._chime import fan_out
from ansible_collections.chime.admin.plugins.module_utils._chime import inventory
from ansible_collections.chime.admin.plugins.module_utils._chime import listing
from ansible_collections.chime.admin.plugins.module_utils._chime import options
from ansible_collections.chime.admin.plugins.module_utils._chime import retries
from ansible_collections.chime.admin.plugins.module_utils._chime import transformations

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..")
FACADE = "ansible_collections.chime.admin.plugins.module_utils.chime"
PUBLIC = {
    "COLLECTION_VERSION": listing.COLLECTION_VERSION,
    "ChimeInputError": errors.ChimeInputError,
    "ChimeListingError": errors.ChimeListingError,
    "redact": errors.redact,
    "quoted": errors.quoted,
    "ListingOptions": options.ListingOptions,
    "Retrying": retries.Retrying,
    "AwsConnection": listing.AwsConnection,
    "list_chime_accounts": listing.list_chime_accounts,
    "caller_identity": fan_out.caller_identity,
    "inventory": inventory.inventory,
    "normalize_account": transformations.normalize_account,
    "summarize": transformations.summarize,
}


def test_the_facade_offers_exactly_the_public_names():
    assert {name for name in vars(chime) if not name.startswith("_")} == set(PUBLIC)
    for name, value in PUBLIC.items():
        assert getattr(chime, name) is value, name


def _plugin_imports():
    """``(path, module, names)`` of every ``from ... import`` in plugins/, module_utils aside."""
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "plugins")):
        if os.path.basename(os.path.dirname(folder)) == "plugins" and os.path.basename(folder) == "module_utils":
            continue
        for file in sorted(f for f in files if f.endswith(".py")):
            path = os.path.join(folder, file)
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    yield path, node.module or "", [alias.name for alias in node.names]


def test_plugins_import_only_public_names_of_the_facade():
    used = set()
    for path, module, names in _plugin_imports():
        assert "_chime" not in module.split("."), (path, module)  # nothing behind the facade
        if module == FACADE:
            used.update(names)
    assert used and used <= set(PUBLIC), sorted(used - set(PUBLIC))
