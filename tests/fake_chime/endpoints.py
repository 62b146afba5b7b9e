# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""botocore's own Chime endpoint, moved for a test without setting any endpoint URL: an ``endpoints.json`` in a
folder for ``AWS_DATA_PATH``, botocore's own with the chime entry's host changed (a closed loopback port, or a
name that does not resolve). With a data file other than its own, botocore gives the ruleset resolver the
legacy resolver's answer, so the client's requests go there, as they would go to the retired service's host.

A name that does not resolve is never looked up: :func:`unresolvable_names_shim` writes a ``sitecustomize`` that
answers ``EAI_NONAME`` for names under ``.invalid`` in every Python started with its folder first on
``PYTHONPATH``, and logs each lookup, one line each, to a file."""

import json
import os
import socket

_SITECUSTOMIZE = """\
# Written by the tests: names under .invalid do not resolve, and each lookup is logged (fake_chime/endpoints.py).
import socket

_lookup = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".invalid"):
        with open({log!r}, "a", encoding="utf-8") as handle:
            handle.write(host + "\\n")
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _lookup(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
"""


def chime_data_path(folder, host, scheme="http"):
    """Write botocore's ``endpoints.json`` into ``folder`` with the Chime endpoint at ``host`` (``name:port``);
    returns the folder, for ``AWS_DATA_PATH``."""
    import botocore

    with open(os.path.join(os.path.dirname(botocore.__file__), "data", "endpoints.json"), encoding="utf-8") as handle:
        endpoints = json.load(handle)
    for partition in endpoints["partitions"]:
        chime = partition["services"].get("chime")
        if chime is not None:
            for endpoint in chime.get("endpoints", {}).values():
                endpoint.update(hostname=host, protocols=[scheme])
            chime["defaults"] = dict(chime.get("defaults") or {}, protocols=[scheme])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "endpoints.json"), "w", encoding="utf-8") as handle:
        json.dump(endpoints, handle)
    return str(folder)


def unresolvable_names_shim(folder, log):
    """Write the ``sitecustomize`` described above into ``folder``; returns the folder."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "sitecustomize.py"), "w", encoding="utf-8") as handle:
        handle.write(_SITECUSTOMIZE.format(log=str(log)))
    assert socket.EAI_NONAME  # the constant the shim raises exists here
    return str(folder)
