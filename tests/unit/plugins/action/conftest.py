# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action's documentation is read through ansible's plugin loader, with its doc fragments resolved."""

from ansible.plugins.loader import init_plugin_loader
from ansible.utils.collection_loader import AnsibleCollectionConfig

# The collection finder must be in place before anything imports ansible_collections.*. ansible-test
# installs its own first, and then this is skipped.
if not AnsibleCollectionConfig.collection_finder:
    init_plugin_loader()
