#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a small Sphinx intersphinx inventory of the Ansible docsite labels that the pages
antsibull-docs generates refer to.

The docsite build resolves those references through Ansible's published inventory, which a build
host without the internet cannot fetch; Sphinx then warns, and the build (run with -W) fails. This
inventory holds the same labels with the same addresses on docs.ansible.com, so the links the
pages get are the ones the published inventory would give them. A label missing here still fails
the build, as it should.
"""

import sys
import zlib

# label: (page under https://docs.ansible.com/ansible/devel/, title)
LABELS = {
    "action_plugins": ("plugins/action.html", "Action plugins"),
    "common_return_values": ("reference_appendices/common_return_values.html", "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html", "Ansible Configuration Settings"),
    "ansible_collections.ansible.builtin.set_stats_module": (
        "collections/ansible/builtin/set_stats_module.html",
        "ansible.builtin.set_stats module",
    ),
}


def inventory():
    """The inventory file's bytes, in Sphinx's version 2 format."""
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
    header += "# The remainder of this file is compressed using zlib.\n"
    lines = "".join(f"{label} std:label -1 {page}#$ {title}\n" for label, (page, title) in sorted(LABELS.items()))
    return header.encode("utf-8") + zlib.compress(lines.encode("utf-8"))


def main():
    """Write the inventory to the path given on the command line."""
    with open(sys.argv[1], "wb") as handle:
        handle.write(inventory())


if __name__ == "__main__":
    main()
