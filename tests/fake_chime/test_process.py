# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake endpoint in a child process as `make demo` starts it. The demo's stage of .venv holds no
moto (only the organization and S3 modes need it), so this path must not import it."""

import os

import boto3

from fake_chime.process import FakeChimeProcess

NO_MOTO = """raise ImportError("the fake endpoint's demo path imported moto")\n"""


def test_the_demo_endpoint_answers_chime_and_sts_without_moto(tmp_path, monkeypatch):
    # A `moto` package that fails on import, first on the child's path: the child fails to start
    # (FakeChimeProcess raises) if its demo path imports moto.
    (tmp_path / "moto").mkdir()
    (tmp_path / "moto" / "__init__.py").write_text(NO_MOTO, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    with FakeChimeProcess([40], seed=2026, audit_sample=True) as endpoint:
        tenant = endpoint.tenants[0]
        session = boto3.Session(
            aws_access_key_id=tenant["access_key"],
            aws_secret_access_key=tenant["secret_key"],
            region_name="us-east-1",
        )
        chime = session.client("chime", endpoint_url=endpoint.url)
        accounts = [a for page in chime.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
        caller = session.client("sts", endpoint_url=endpoint.url).get_caller_identity()
    assert len(accounts) == tenant["accounts"] == 40
    assert caller["Account"] == tenant["aws_account_id"]
