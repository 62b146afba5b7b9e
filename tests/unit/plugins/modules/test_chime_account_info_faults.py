# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's door through the whole fault matrix (``fake_chime/fault_matrix.py``): ``main()`` in-process,
as AnsibleModule runs it, against the fake endpoint over HTTP. Each row either returns the complete list or
fails cleanly naming the fault; ``tests/e2e/test_fault_matrix.py`` runs one row of each kind through
ansible-playbook, and every row through the lookup."""

import json

import pytest

from ansible_collections.chime.admin.plugins.modules import chime_account_info
from ansible_collections.chime.admin.tests.unit.compat.module_args import patch_module_args

from fake_chime import fault_matrix
from fake_chime.fault_matrix import ROWS


@pytest.mark.parametrize("index", range(len(ROWS)), ids=[row.name for row in ROWS])
def test_module_through_the_fault_matrix(matrix_fake, clean_environment, capsys, index):
    aws_account_id = fault_matrix.tenant(index)[0]
    matrix_fake.set_faults(aws_account_id, ROWS[index].faults)
    with patch_module_args(fault_matrix.options(matrix_fake, index)):
        with pytest.raises(SystemExit):
            chime_account_info.main()
    result = json.loads(capsys.readouterr().out)
    fault_matrix.check_row(matrix_fake, index, result.get("failed"), result.get("msg", ""), result.get("accounts"))
    assert not [e for e in matrix_fake.requests(aws_account_id) if e["status"] in (401, 403)]
