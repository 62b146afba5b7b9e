# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lookup is loaded through ansible's plugin loader, so its option handling is real."""

import pytest

from ansible.plugins.loader import init_plugin_loader
from ansible.plugins.loader import lookup_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig

# The collection finder must be in place before anything imports ansible_collections.*. ansible-test
# installs its own first, and then this is skipped.
if not AnsibleCollectionConfig.collection_finder:
    init_plugin_loader()


@pytest.fixture(scope="module")
def lookup():
    """The chime.admin.chime_accounts lookup plugin, as ansible loads it."""
    plugin = lookup_loader.get("chime.admin.chime_accounts")
    assert plugin is not None
    return plugin
