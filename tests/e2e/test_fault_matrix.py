# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix (``fake_chime/fault_matrix.py``), end to end through ansible-playbook.

Each row is one tenant of one fake endpoint with its own faults, so a whole door's matrix runs in a
single ansible-playbook process. Every row either returns the complete list (equal to the tenant's
data, as a fault-free run does) or fails cleanly with a message that names the fault. At the end a
table shows, per row, the outcome, the requests made against the minimum, and the time taken.

The lookup runs every row: it lists in the controller's process. The module runs one row of each kind
here, since each row costs a module process of its own; every row runs through the module's ``main()`` in
its unit tests (``tests/unit/plugins/modules/test_chime_account_info_faults.py``).
"""

import pytest

from fake_chime import fault_matrix
from fake_chime.fault_matrix import KINDS
from fake_chime.fault_matrix import ROWS


def _module_task(fake, index):
    return {
        "name": ROWS[index].name,
        "chime.admin.chime_account_info": fault_matrix.options(fake, index),
        "register": f"row{index}",
        "ignore_errors": True,
    }


def _lookup_task(fake, index):
    args = ", ".join(f"{k}={v!r}" for k, v in fault_matrix.options(fake, index).items())
    return {
        "name": ROWS[index].name,
        "ansible.builtin.set_fact": {f"row{index}_accounts": "{{ query('chime.admin.chime_accounts', " + args + ") }}"},
        "register": f"row{index}",
        "ignore_errors": True,
    }


@pytest.mark.parametrize("door", ["module", "lookup"])
def test_fault_matrix(matrix_fake, play, capsys, door):
    fault_matrix.reset(matrix_fake)
    indexes = KINDS if door == "module" else range(len(ROWS))
    make_task = _module_task if door == "module" else _lookup_task
    names = [f"row{i}" for i in indexes] + [f"row{i}_accounts" for i in indexes]
    result = play([make_task(matrix_fake, i) for i in indexes], save=names)
    assert result.rc == 0, result.output
    lines = []
    for index in indexes:
        registered = result.saved[f"row{index}"]
        accounts = registered.get("accounts") if door == "module" else result.saved[f"row{index}_accounts"]
        lines.append(
            fault_matrix.check_row(matrix_fake, index, registered.get("failed"), registered.get("msg", ""), accounts)
        )
    with capsys.disabled():
        print(fault_matrix.table(door, lines))
    # Every request of the matrix passed the endpoint's SigV4 check.
    assert not [e for e in matrix_fake.log if e["status"] in (401, 403)]
