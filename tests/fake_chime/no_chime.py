# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A botocore without the ``chime`` service model, as a release that dropped it behaves: its loader does not
list ``chime``, and loading the model raises ``UnknownServiceError`` (so ``boto3.client("chime")`` does).

In-process, :func:`hide_chime` patches botocore's ``Loader`` for one test (with pytest's ``monkeypatch``).
For real processes, :func:`shim` writes a ``sitecustomize`` module that does the same at interpreter start:
put its folder first on ``PYTHONPATH`` and every Python started with that environment (ansible-playbook, its
workers, the AnsiballZ module process) has a botocore without the model. ``AWS_DATA_PATH`` cannot do this:
it adds model folders, it does not take botocore's own away."""

import os

SERVICE = "chime"
_SITECUSTOMIZE = """\
# Written by the tests: botocore without the chime service model (fake_chime/no_chime.py).
import sys

sys.path.insert(0, {tests!r})
from fake_chime.no_chime import install  # noqa: E402

install()
"""


def _patched(loader_class):
    """The two ``Loader`` methods of a botocore without the model, over ``loader_class``'s own."""
    from botocore.exceptions import UnknownServiceError

    listed, loaded = loader_class.list_available_services, loader_class.load_service_model

    def list_available_services(self, type_name):
        return [name for name in listed(self, type_name) if name != SERVICE]

    def load_service_model(self, service_name, type_name, api_version=None):
        if service_name == SERVICE:
            known = ", ".join(self.list_available_services(type_name))
            raise UnknownServiceError(service_name=service_name, known_service_names=known)
        return loaded(self, service_name, type_name, api_version)

    return {"list_available_services": list_available_services, "load_service_model": load_service_model}


def hide_chime(monkeypatch):
    """Hide the model from every botocore loader until the test ends."""
    from botocore import loaders

    for name, method in _patched(loaders.Loader).items():
        monkeypatch.setattr(loaders.Loader, name, method)


def install():
    """Hide the model for the rest of this process (what the ``sitecustomize`` of :func:`shim` calls)."""
    from botocore import loaders

    for name, method in _patched(loaders.Loader).items():
        setattr(loaders.Loader, name, method)


def shim(folder):
    """Write the ``sitecustomize`` module into ``folder`` (created if need be); returns ``folder``."""
    os.makedirs(folder, exist_ok=True)
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(folder, "sitecustomize.py"), "w", encoding="utf-8") as handle:
        handle.write(_SITECUSTOMIZE.format(tests=tests))
    return str(folder)


def shimmed_environment(folder, environ=None):
    """``PYTHONPATH`` with the shim of :func:`shim` in ``folder`` first, for a process's environment."""
    environ = os.environ if environ is None else environ
    rest = environ.get("PYTHONPATH")
    return {"PYTHONPATH": shim(folder) + (os.pathsep + rest if rest else "")}
