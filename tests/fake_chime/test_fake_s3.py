# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fake S3's own tests, and those of the fake Chime endpoint's STS GetCallerIdentity: real boto3
clients over HTTP on loopback. Each check is shown to refuse as well as to accept, so that a test of
the collection that passes against these fakes could have failed."""

import io
import json
import os
import socket
import urllib.error
import urllib.request

import boto3
import botocore.exceptions
import pytest
from boto3.s3.transfer import TransferConfig

from fake_chime.organization import FakeOrganization
from fake_chime.s3 import FakeS3
from fake_chime.testing import ACCESS_KEY
from fake_chime.testing import SECRET_KEY
from fake_chime.testing import TENANT
from fake_chime.testing import make_client

BUCKET = "audit-reports"
OWNER = "111122223333"
OTHER_ACCOUNT = "444455556666"
KEY_ID, SECRET = "AKIAFAKES3CLIENT0001", "fake-s3-client-secret"
MIB = 1 << 20


@pytest.fixture
def s3():
    """A fake S3 with one bucket owned by OWNER and one client key pair of OWNER's."""
    with FakeS3() as server:
        server.create_bucket(BUCKET, OWNER)
        server.add_credential(KEY_ID, SECRET, OWNER)
        yield server


@pytest.fixture
def s3_client(s3):
    """A boto3 S3 client signed with the fixture's key pair."""
    return s3.client(KEY_ID, SECRET)


def _error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"], response["Error"]["Message"]


def _put(client, key, body=b"{}", **params):
    return client.put_object(Bucket=BUCKET, Key=key, Body=body, ExpectedBucketOwner=OWNER, **params)


# ----- S3: signatures ---------------------------------------------------------------------------
def test_signature_and_key_are_checked(s3, s3_client):
    _put(s3_client, "signed.json")
    assert _error(lambda: _put(s3.client(KEY_ID, "not-the-secret"), "x.json"))[:2] == (403, "SignatureDoesNotMatch")
    assert _error(lambda: _put(s3.client("AKIAUNKNOWNS3KEY0001", SECRET), "x.json"))[:2] == (403, "InvalidAccessKeyId")
    s3.add_credential("AKIAFAKES3TEMPORARY1", "temp-secret", OWNER, session_token="the-token")
    _put(s3.client("AKIAFAKES3TEMPORARY1", "temp-secret", "the-token"), "temporary.json")
    wrong_token = s3.client("AKIAFAKES3TEMPORARY1", "temp-secret", "other-token")
    assert _error(lambda: _put(wrong_token, "x.json"))[:2] == (400, "InvalidToken")
    assert [(e["status"], e["error"]) for e in s3.requests()] == [
        (200, None),
        (403, "SignatureDoesNotMatch"),
        (403, "InvalidAccessKeyId"),
        (200, None),
        (400, "InvalidToken"),
    ]
    assert s3.objects(BUCKET) == ["signed.json", "temporary.json"]  # nothing refused reached moto


@pytest.mark.parametrize(
    "key",
    ["plain.json", "with space/and+plus.json", "Zürich/報告 ü.json", "odd !'()*~@$,;=&?#[]%+.txt", "a//b/"],
)
def test_keys_verify_as_sent(s3, s3_client, key):
    # botocore percent-encodes the key once (UTF-8, all but unreserved characters and '/') and signs
    # that path. The gate checks the path as sent: the decoded PATH_INFO reaches WSGI as Latin-1 text
    # of the UTF-8 bytes, and encoding it again signs other bytes (the non-ASCII key fails so).
    _put(s3_client, key, b"content")
    assert s3_client.get_object(Bucket=BUCKET, Key=key, ExpectedBucketOwner=OWNER)["Body"].read() == b"content"
    listed = s3_client.list_objects_v2(Bucket=BUCKET, Prefix=key[:12], ExpectedBucketOwner=OWNER)
    assert [item["Key"] for item in listed["Contents"]] == [key]
    assert [e["key"] for e in s3.requests()] == [key, key, None]
    assert [e["operation"] for e in s3.requests()] == ["PutObject", "GetObject", "ListObjectsV2"]
    assert s3.objects(BUCKET) == [key]


def test_a_body_that_does_not_match_its_signed_hash_is_refused(s3, s3_client):
    def tamper(request, **_kwargs):
        request.body = b"tampered"
        request.headers["Content-Length"] = str(len(request.body))

    s3_client.meta.events.register("before-send.s3.PutObject", tamper)
    assert _error(lambda: _put(s3_client, "x.json", b"original"))[:2] == (400, "XAmzContentSHA256Mismatch")
    assert s3.objects(BUCKET) == []


def test_trailing_checksums_in_aws_chunked_bodies_pass(s3, s3_client):
    # Over HTTP botocore signs the payload's SHA-256 and sends its CRC32 in a header. Over HTTPS it
    # sends an aws-chunked body with the CRC32 in a trailer, signed STREAMING-UNSIGNED-PAYLOAD-TRAILER:
    # made to do so here, as it would against real S3.
    def over_tls(context, **_kwargs):
        algorithm = context.get("checksum", {}).get("request_algorithm")
        if isinstance(algorithm, dict):
            algorithm["in"] = "trailer"

    s3_client.meta.events.register("before-call.s3.PutObject", over_tls)
    _put(s3_client, "chunked.json", b'{"chunked": true}')
    s3_client.upload_fileobj(io.BytesIO(b"streamed"), BUCKET, "streamed.txt", ExtraArgs={"ExpectedBucketOwner": OWNER})
    assert [e["content_sha256"] for e in s3.requests()] == ["STREAMING-UNSIGNED-PAYLOAD-TRAILER"] * 2
    assert s3.get(BUCKET, "chunked.json") == b'{"chunked": true}' and s3.get(BUCKET, "streamed.txt") == b"streamed"


def test_unsigned_requests_are_refused(s3):
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{s3.url}/{BUCKET}/x.json")
    with info.value as answer:
        assert answer.code == 403 and b"<Code>AccessDenied</Code>" in answer.read()


# ----- S3: bucket owner -------------------------------------------------------------------------
def test_expected_bucket_owner_is_required_and_must_match(s3, s3_client):
    _put(s3_client, "report.json")
    missing = _error(lambda: s3_client.put_object(Bucket=BUCKET, Key="y.json", Body=b"{}"))
    assert missing == (403, "AccessDenied", "Access Denied")
    wrong = _error(lambda: s3_client.get_object(Bucket=BUCKET, Key="report.json", ExpectedBucketOwner=OTHER_ACCOUNT))
    assert wrong[:2] == (403, "AccessDenied")
    assert _error(lambda: s3_client.head_object(Bucket=BUCKET, Key="report.json"))[:2] == (403, "403")  # no body
    assert _error(lambda: s3_client.list_objects_v2(Bucket=BUCKET))[:2] == (403, "AccessDenied")
    assert s3_client.head_object(Bucket=BUCKET, Key="report.json", ExpectedBucketOwner=OWNER)["ContentLength"] == 2
    log = s3.requests()
    assert [(e["operation"], e["expected_owner"], e["status"]) for e in log] == [
        ("PutObject", OWNER, 200),
        ("PutObject", None, 403),
        ("GetObject", OTHER_ACCOUNT, 403),
        ("HeadObject", None, 403),
        ("ListObjectsV2", None, 403),
        ("HeadObject", OWNER, 200),
    ]
    assert s3.objects(BUCKET) == ["report.json"]


def test_buckets_exist_only_through_create_bucket(s3, s3_client):
    missing = _error(lambda: s3_client.get_object(Bucket="no-such-bucket", Key="x", ExpectedBucketOwner=OWNER))
    assert missing[:2] == (404, "NoSuchBucket")
    assert _error(lambda: s3_client.create_bucket(Bucket="made-by-a-client"))[:2] == (403, "AccessDenied")


# ----- S3: refusals on demand -------------------------------------------------------------------
def test_deny_put_refuses_writes_of_matching_keys(s3, s3_client):
    s3.deny_put("reports/*.json")
    assert _error(lambda: _put(s3_client, "reports/2026/run.json")) == (403, "AccessDenied", "Access Denied")
    _put(s3_client, "reports/run.html")
    with pytest.raises(botocore.exceptions.ClientError) as info:
        s3_client.upload_fileobj(
            io.BytesIO(b"x" * (6 * MIB)),
            BUCKET,
            "reports/big.json",
            ExtraArgs={"ExpectedBucketOwner": OWNER},
            Config=TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB),
        )
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    s3.put(BUCKET, "reports/planted.json", "{}")  # the helper plants past the denial
    s3.clear_denials()
    # A denial that starts during a multipart upload refuses its parts and its completion.
    upload = s3_client.create_multipart_upload(Bucket=BUCKET, Key="reports/late.json", ExpectedBucketOwner=OWNER)
    s3.deny_put("*late*")
    part = {"Bucket": BUCKET, "Key": "reports/late.json", "UploadId": upload["UploadId"], "ExpectedBucketOwner": OWNER}
    assert _error(lambda: s3_client.upload_part(PartNumber=1, Body=b"x", **part))[:2] == (403, "AccessDenied")
    complete = {"Parts": [{"PartNumber": 1, "ETag": '"x"'}]}
    assert _error(lambda: s3_client.complete_multipart_upload(MultipartUpload=complete, **part))[1] == "AccessDenied"
    s3.clear_denials()
    _put(s3_client, "reports/2026/run.json")
    assert [(e["operation"], e["status"]) for e in s3.requests() if e["key"] != "reports/run.html"] == [
        ("PutObject", 403),
        ("CreateMultipartUpload", 403),
        ("CreateMultipartUpload", 200),
        ("UploadPart", 403),
        ("CompleteMultipartUpload", 403),
        ("PutObject", 200),
    ]
    assert s3.objects(BUCKET) == ["reports/2026/run.json", "reports/planted.json", "reports/run.html"]


def test_unknown_kms_keys_are_refused_and_known_ones_accepted(s3, s3_client):
    kms = {"ServerSideEncryption": "aws:kms"}
    unknown = _error(lambda: _put(s3_client, "x.json", SSEKMSKeyId="no-such-key", **kms))
    assert unknown == (400, "KMS.NotFoundException", "Invalid keyId no-such-key")
    s3.add_kms_key("1234abcd-12ab-34cd-56ef-1234567890ab")
    _put(s3_client, "by-id.json", SSEKMSKeyId="1234abcd-12ab-34cd-56ef-1234567890ab", **kms)
    arn = f"arn:aws:kms:us-east-1:{OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    _put(s3_client, "by-arn.json", SSEKMSKeyId=arn, **kms)
    _put(s3_client, "managed-key.json", **kms)  # no key id: S3's own aws/s3 key
    head = s3_client.head_object(Bucket=BUCKET, Key="by-id.json", ExpectedBucketOwner=OWNER)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert [(e["sse"], e["status"]) for e in s3.requests("PutObject")] == [("aws:kms", 400)] + [("aws:kms", 200)] * 3
    assert s3.objects(BUCKET) == ["by-arn.json", "by-id.json", "managed-key.json"]


# ----- S3: boto3's managed transfer -------------------------------------------------------------
def test_small_and_multipart_uploads_pass_and_read_back(s3, s3_client):
    extra = {"ExpectedBucketOwner": OWNER, "ServerSideEncryption": "AES256"}
    config = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB)
    big = bytes(range(256)) * (11 * MIB // 256)
    s3_client.upload_fileobj(io.BytesIO(b'{"small": 1}'), BUCKET, "small.json", ExtraArgs=extra, Config=config)
    s3_client.upload_fileobj(io.BytesIO(big), BUCKET, "big.bin", ExtraArgs=extra, Config=config)
    answer = s3_client.get_object(Bucket=BUCKET, Key="big.bin", ExpectedBucketOwner=OWNER)
    assert answer["Body"].read() == big and answer["ServerSideEncryption"] == "AES256"
    assert s3.get(BUCKET, "small.json") == b'{"small": 1}'
    log = s3.requests()
    assert [e["operation"] for e in log] == ["PutObject", "CreateMultipartUpload"] + ["UploadPart"] * 3 + [
        "CompleteMultipartUpload",
        "GetObject",
    ]
    assert {(e["expected_owner"], e["status"], e["access_key"], e["account"]) for e in log} == {
        (OWNER, 200, KEY_ID, OWNER)
    }
    assert [e["sse"] for e in log[:2]] == ["AES256", "AES256"]


# ----- S3: the log ------------------------------------------------------------------------------
def test_the_log_has_each_request_when_the_call_returns(s3, s3_client):
    calls = [
        lambda: _put(s3_client, "a.json"),
        lambda: s3_client.get_object(Bucket=BUCKET, Key="a.json", ExpectedBucketOwner=OWNER),
        lambda: s3_client.head_object(Bucket=BUCKET, Key="missing.json", ExpectedBucketOwner=OWNER),
        lambda: s3_client.list_objects_v2(Bucket=BUCKET, ExpectedBucketOwner=OWNER),
        lambda: s3_client.delete_object(Bucket=BUCKET, Key="a.json", ExpectedBucketOwner=OWNER),
        s3_client.list_buckets,
    ]
    for count, call in enumerate(calls, start=1):
        try:
            call()
        except botocore.exceptions.ClientError:
            pass
        assert len(s3.requests()) == count  # no wait: logged before the answer left
    assert [(e["operation"], e["status"]) for e in s3.requests()] == [
        ("PutObject", 200),
        ("GetObject", 200),
        ("HeadObject", 404),
        ("ListObjectsV2", 200),
        ("DeleteObject", 204),
        ("ListBuckets", 200),
    ]
    assert [e["key"] for e in s3.requests("HeadObject")] == ["missing.json"]
    s3.put(BUCKET, "b.json", "{}")
    assert s3.objects(BUCKET) == ["b.json"] and s3.get(BUCKET, "b.json") == b"{}"
    assert len(s3.requests()) == 6  # the helpers' own requests are not logged
    s3.reset_log()
    assert s3.requests() == []


# ----- S3: moto's global state ------------------------------------------------------------------
def test_instances_keep_apart_and_stop_cleanly():
    from moto.s3.models import s3_backends

    first = FakeS3().start()
    try:
        first.create_bucket("shared-name", OWNER).put("shared-name", "one.txt", b"1")
        with FakeS3().add_credential(KEY_ID, SECRET, OWNER) as second:  # set up before it starts
            with pytest.raises(ValueError, match="exists already"):
                second.create_bucket("shared-name", OWNER)  # moto's bucket names are global
            client = second.client(KEY_ID, SECRET)

            def theirs():
                return client.get_object(Bucket="shared-name", Key="one.txt", ExpectedBucketOwner=OWNER)

            assert _error(theirs)[:2] == (404, "NoSuchBucket")  # a fake serves its own buckets only
    finally:
        first.stop()
    assert "shared-name" not in s3_backends.bucket_accounts
    with pytest.raises(OSError):
        socket.create_connection(first.url.removeprefix("http://").split(":"), timeout=1).close()
    with FakeS3() as again:
        again.create_bucket("shared-name", OTHER_ACCOUNT)
        assert again.objects("shared-name") == []
        assert s3_backends.bucket_accounts["shared-name"][1] == OTHER_ACCOUNT  # moto files it under its owner


# ----- STS GetCallerIdentity on the fake Chime endpoint -----------------------------------------
def _sts(url, access_key=ACCESS_KEY, secret_key=SECRET_KEY, region="us-east-1", **kwargs):
    return boto3.client(
        "sts",
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        **kwargs,
    )


def test_caller_identity_is_the_tenant(fake, monkeypatch):
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", fake.url)  # as the collection's tests point it here
    identity = _sts(None).get_caller_identity()
    assert identity["Account"] == TENANT
    assert identity["Arn"] == f"arn:aws:iam::{TENANT}:user/fake-auditor"
    assert identity["UserId"].startswith("AIDA")
    elsewhere = _sts(fake.url, region="eu-west-1").get_caller_identity()  # signed for another region
    assert {k: v for k, v in elsewhere.items() if k != "ResponseMetadata"} == {
        k: v for k, v in identity.items() if k != "ResponseMetadata"
    }
    assert fake.requests() == [] and fake.stats()["requests"] == 0  # ListAccounts' log and counters
    make_client(fake).list_accounts(MaxResults=1)
    assert len(fake.requests()) == 1 and fake.stats()["requests"] == 1
    sts_log = fake.requests(path="/")
    assert [(e["action"], e["status"], e["tenant"], e["region"]) for e in sts_log] == [
        ("GetCallerIdentity", 200, TENANT, "us-east-1"),
        ("GetCallerIdentity", 200, TENANT, "eu-west-1"),
    ]
    with urllib.request.urlopen(f"{fake.url}/_fake/log?path=/") as answer:
        assert [e["action"] for e in json.load(answer)] == ["GetCallerIdentity"] * 2
    with urllib.request.urlopen(f"{fake.url}/_fake/log") as answer:
        assert [e["path"] for e in json.load(answer)] == ["/accounts"]


def test_temporary_credentials_are_an_assumed_role(fake):
    fake.add_credential(TENANT, "AKIAFAKETEMPORARY001", "temp-secret", session_token="the-token")
    identity = _sts(
        fake.url, "AKIAFAKETEMPORARY001", "temp-secret", aws_session_token="the-token"
    ).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{TENANT}:assumed-role/FakeAuditor/fake-session"
    assert identity["Account"] == TENANT and identity["UserId"].endswith(":fake-session")


@pytest.mark.parametrize(
    "access_key,secret_key,token,code",
    [
        (ACCESS_KEY, "not-the-secret", None, "SignatureDoesNotMatch"),
        ("AKIAUNKNOWNKEY000000", SECRET_KEY, None, "InvalidClientTokenId"),
        ("AKIAFAKETEMPORARY001", "temp-secret", "other-token", "InvalidClientTokenId"),
    ],
)
def test_caller_identity_refusals(fake, access_key, secret_key, token, code):
    fake.add_credential(TENANT, "AKIAFAKETEMPORARY001", "temp-secret", session_token="the-token")
    client = _sts(fake.url, access_key, secret_key, aws_session_token=token)
    status, got, _message = _error(client.get_caller_identity)
    assert (status, got) == (403, code)
    assert [(e["status"], e["access_key"]) for e in fake.requests(path="/")] == [(403, access_key)]
    assert fake.requests() == []


def test_other_sts_actions_and_posts_elsewhere(fake):
    client = _sts(fake.url)
    assert _error(client.get_session_token)[:2] == (400, "InvalidAction")
    request = urllib.request.Request(f"{fake.url}/_fake/reset", data=b"", method="POST")
    urllib.request.urlopen(request).close()  # the control endpoints answer POSTs as before
    assert fake.requests(path="/") == []
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(f"{fake.url}/elsewhere", data=b"", method="POST"))
    info.value.close()
    assert info.value.code == 404


def test_roles_moto_issued_are_known_to_both_fakes(fake, s3, s3_client):
    # moto, behind the fake S3, serves STS too: the gate passes requests signed for it unchecked.
    role_account = "210987654321"
    moto_sts = _sts(s3.url, "AKIAANYKEYFORMOTO001", "any")
    role = moto_sts.assume_role(RoleArn=f"arn:aws:iam::{role_account}:role/Auditor", RoleSessionName="audit")
    keys = role["Credentials"]
    organization = FakeOrganization(fake, members=0)  # not started: only its resolver is used
    organization.member_ids = [role_account]
    fake.credentials.resolvers.append(organization.resolve)
    s3.credentials.resolvers.append(organization.resolve)
    try:
        temporary = {"aws_session_token": keys["SessionToken"]}
        identity = _sts(fake.url, keys["AccessKeyId"], keys["SecretAccessKey"], **temporary).get_caller_identity()
        assert identity["Account"] == role_account and ":assumed-role/" in identity["Arn"]
        as_role = s3.client(keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])
        _put(as_role, "from-the-role.json")
        assert [(e["service"], e["operation"]) for e in s3.requests(service="sts")] == [("sts", "AssumeRole")]
        assert [e["account"] for e in s3.requests("PutObject")] == [role_account]
    finally:
        from moto.sts.models import sts_backends

        roles = sts_backends[role_account]["aws"].assumed_roles
        roles[:] = [r for r in roles if r.access_key_id != keys["AccessKeyId"]]
