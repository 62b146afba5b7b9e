# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Normalised accounts for the audit and report unit tests."""


def account(n, **fields):
    """A compliant Team account numbered ``n``, with ``fields`` changed."""
    sample = {
        "aws_account_id": "111122223333",
        "account_id": f"id-{n}",
        "name": f"Engineering {n}",
        "account_type": "Team",
        "created_timestamp": "2020-01-02T03:04:05+00:00",
        "default_license": "Pro",
        "supported_licenses": ["Basic", "Pro"],
        "account_status": "Active",
        "signin_delegate_groups": [],
    }
    sample.update(fields)
    return sample
