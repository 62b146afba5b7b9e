# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a user would write instead of the collection: a plain boto3 ListAccounts loop that prints JSON.

The benchmarks compare the collection against this script. Credentials and the endpoint come from
the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, CHIME_ENDPOINT_URL).
"""

import json
import os
import sys

import boto3
import botocore.config


def list_accounts_plainly(client, page_size=200):
    """Every account's raw dict, following NextToken, with no retries, checks or normalisation."""
    accounts, token = [], None
    while True:
        params = {"MaxResults": page_size}
        if token:
            params["NextToken"] = token
        response = client.list_accounts(**params)
        accounts.extend(response["Accounts"])
        token = response.get("NextToken")
        if not token:
            return accounts


def main():
    """List the accounts and print them as JSON."""
    client = boto3.client(
        "chime",
        region_name="us-east-1",
        endpoint_url=os.environ["CHIME_ENDPOINT_URL"],
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )
    json.dump({"accounts": list_accounts_plainly(client)}, sys.stdout, default=str)


if __name__ == "__main__":
    main()
