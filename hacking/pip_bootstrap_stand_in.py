#!/usr/bin/env python
# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Place a stand-in for ansible-test's pip bootstrap script where ansible-test looks for it.

ansible-test downloads ``get-pip-<version>.py`` from a host outside the package registries before
it creates a virtualenv, unless a cached copy exists. The stand-in does the same job with the
interpreter's own ``ensurepip`` and then pip from the package index. An existing file is kept.
"""

import os
import re
import sys

STAND_IN = '''"""Stand-in for get-pip.py: ensurepip, then pip install of the requested packages."""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
'''


def ansible_test_pip_version():
    """The pip version that the installed ansible-test bootstraps."""
    import ansible_test

    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source, encoding="utf-8") as handle:
        match = re.search(r"pip='([0-9.]+)'", handle.read())
    if not match:
        sys.exit(f"cannot find the pip version that ansible-test bootstraps in {source}")
    return match.group(1)


def main():
    """Write the stand-in unless a bootstrap script is already cached."""
    version = ansible_test_pip_version()
    path = os.path.expanduser(f"~/.ansible/test/cache/get_pip_{version.replace('.', '_')}.py")
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(STAND_IN)
    print(f"placed a pip bootstrap stand-in for ansible-test (pip {version})")


if __name__ == "__main__":
    main()
