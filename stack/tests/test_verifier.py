"""Tests of the verifying front door (stack/verifier.py) against the running local stack.

    scripts/stack up && python3 -m pytest -q stack/tests

The stack must be up: these tests fail (they do not skip) when it is not.
The first tests pin the judge to AWS's published SigV4 examples and need no stack.
"""
from __future__ import annotations

import base64
import calendar
import datetime as dt
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from unittest import mock

import boto3
import botocore.auth
import botocore.exceptions
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
STACK = os.path.dirname(HERE)
sys.path.insert(0, STACK)
import verifier  # noqa: E402

ENDPOINT = os.environ.get("VOLTLAKE_VERIFIER_URL", "http://127.0.0.1:19000")
REGION = "eu-central-1"
BUCKET = "volt-data-lake"
with open(os.path.join(STACK, "credentials.json"), encoding="utf-8") as _f:
    KEYS = {k["name"]: k for k in json.load(_f)["keys"]}

AWKWARD_KEYS = [
    "plain.txt",
    "with space/file name.jpg",
    "plus+sign/a+b.csv",
    "percent%25/100%.txt",
    "eq=and&amp/x=1&y=2",
    "tilde~/~home~",
    "polski/łącznik ż.jpg",
    "Zażółć gęślą jaźń/ĄĆĘŁŃÓŚŹŻ.PNG",
    "/".join(f"d{i}" for i in range(30)) + "/deep.bin",
    "specials/!$'()*,;:@[]{}^`|.txt",
    "spaces  double/trailing ",
    "quote\"s/back\\slash",
]


# ------------------------------------------------------------------ helpers

def client(name="app", region=REGION, **kw):
    k = KEYS[name]
    return boto3.client(
        "s3", endpoint_url=ENDPOINT, region_name=region,
        aws_access_key_id=kw.pop("access_key", k["accessKeyId"]),
        aws_secret_access_key=kw.pop("secret", k["secretAccessKey"]),
        aws_session_token=kw.pop("token", k.get("sessionToken")),
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"},
                      s3={"addressing_style": "path"}, **kw),
    )


def err_code(exc: botocore.exceptions.ClientError):
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


def control(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(ENDPOINT + "/__voltlake/" + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def last_seq():
    recs = control("GET", "requests?since=0")
    return recs[-1]["seq"] if recs else 0


def records_since(seq):
    return control("GET", f"requests?since={seq}")


def raw_request(method, path, headers=None, body=b"", query=""):
    u = urllib.parse.urlsplit(ENDPOINT)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    target = path + ("?" + query if query else "")
    c.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
    hdrs = dict(headers or {})
    hdrs.setdefault("Host", u.netloc)
    if body or method in ("PUT", "POST"):
        hdrs["Content-Length"] = str(len(body))
    for k, v in hdrs.items():
        c.putheader(k, v)
    c.endheaders(body if body else None)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict(r.getheaders()), data


def sign(method, path, name="app", body=b"", headers=None, query="", region=REGION, when=None,
         secret=None, token=None, presign_expires=None):
    """Sign with botocore's S3 signer; returns (path_with_query, headers)."""
    k = KEYS[name]
    creds = Credentials(k["accessKeyId"], secret or k["secretAccessKey"], token or k.get("sessionToken"))
    url = ENDPOINT + path + ("?" + query if query else "")
    req = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    if presign_expires is not None:
        signer = botocore.auth.S3SigV4QueryAuth(creds, "s3", region, expires=presign_expires)
    else:
        signer = S3SigV4Auth(creds, "s3", region)
    if when is not None:
        with mock.patch("botocore.auth.get_current_datetime", return_value=when):
            signer.add_auth(req)
    else:
        signer.add_auth(req)
    p = req.prepare()
    sp = urllib.parse.urlsplit(p.url)
    target = sp.path + ("?" + sp.query if sp.query else "")
    return target, {k: v for k, v in p.headers.items()}


def xml_code(body: bytes):
    import xml.etree.ElementTree as ET
    root = ET.fromstring(body)
    return root.findtext("Code"), root


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="session", autouse=True)
def stack_up():
    try:
        h = control("GET", "health")
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"the local stack is not up at {ENDPOINT} ({e!r}); run scripts/stack up first",
                    pytrace=False)
    assert h["ok"], f"verifier up but moto is not: {h}"
    control("DELETE", "faults")
    control("POST", "config", {"requireSse": True, "clockOffsetSeconds": 0})
    yield
    control("DELETE", "faults")


@pytest.fixture(scope="session")
def bucket():
    name = f"vl-test-{uuid.uuid4().hex[:12]}"
    r = control("POST", f"buckets/{name}?region={REGION}")
    assert r["ok"], r
    yield name
    adm = client("admin")
    try:
        for page in adm.get_paginator("list_objects_v2").paginate(Bucket=name):
            objs = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if objs:
                adm.delete_objects(Bucket=name, Delete={"Objects": objs})
        for u in adm.list_multipart_uploads(Bucket=name).get("Uploads", []):
            adm.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
        adm.delete_bucket(Bucket=name)
    except Exception:  # noqa: BLE001
        pass


# ------------------------------------------------------------------ pinned published examples (no stack needed)

AWS_EXAMPLE = {"region": "us-east-1", "keys": [{"accessKeyId": "AKIAIOSFODNN7EXAMPLE",
                                               "secretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]}


class _H(dict):
    def get(self, k, d=None):
        for kk, vv in self.items():
            if kk.lower() == k.lower():
                return vv
        return d


def _judge(tmp_path, method, path, query, headers):
    p = tmp_path / "c.json"
    p.write_text(json.dumps(AWS_EXAMPLE))
    store = verifier.CredentialStore(str(p))
    now = calendar.timegm((2013, 5, 24, 0, 0, 30, 0, 0, 0))
    return verifier.judge(method, path, query, list(headers.items()), _H(headers), store, now, None)


def _ex_auth(signed, sig):
    return ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            f"SignedHeaders={signed},Signature={sig}")


E = hashlib.sha256(b"").hexdigest()
HOST = "examplebucket.s3.amazonaws.com"


@pytest.mark.parametrize("method,path,query,headers", [
    ("GET", "/test.txt", "", {"Host": HOST, "Range": "bytes=0-9", "x-amz-content-sha256": E,
                              "x-amz-date": "20130524T000000Z",
                              "Authorization": _ex_auth("host;range;x-amz-content-sha256;x-amz-date",
                                                        "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")}),
    ("PUT", "/test$file.text", "", {"Host": HOST, "Date": "Fri, 24 May 2013 00:00:00 GMT",
                                    "x-amz-date": "20130524T000000Z", "x-amz-storage-class": "REDUCED_REDUNDANCY",
                                    "x-amz-content-sha256": "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
                                    "Authorization": _ex_auth("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                                                              "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")}),
    ("GET", "/", "lifecycle", {"Host": HOST, "x-amz-content-sha256": E, "x-amz-date": "20130524T000000Z",
                               "Authorization": _ex_auth("host;x-amz-content-sha256;x-amz-date",
                                                         "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")}),
    ("GET", "/", "max-keys=2&prefix=J", {"Host": HOST, "x-amz-content-sha256": E, "x-amz-date": "20130524T000000Z",
                                         "Authorization": _ex_auth("host;x-amz-content-sha256;x-amz-date",
                                                                   "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")}),
    ("GET", "/test.txt", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
     "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
     "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", {"Host": HOST}),
])
def test_published_aws_examples_pass(tmp_path, method, path, query, headers):
    res = _judge(tmp_path, method, path, query, headers)
    assert res.access_key == "AKIAIOSFODNN7EXAMPLE"


def test_published_example_with_one_character_changed_fails(tmp_path):
    h = {"Host": HOST, "x-amz-content-sha256": E, "x-amz-date": "20130524T000000Z",
         "Authorization": _ex_auth("host;x-amz-content-sha256;x-amz-date",
                                   "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783544")}
    with pytest.raises(verifier.S3Error) as ei:
        _judge(tmp_path, "GET", "/", "lifecycle", h)
    assert ei.value.code == "SignatureDoesNotMatch"


def test_classification_table():
    H = _H
    c = verifier.classify
    assert c("GET", "/", set(), H()).operation == "ListBuckets"
    assert c("GET", "/b", {"list-type"}, H()).actions == [("s3:ListBucket", "b")]
    assert c("HEAD", "/b", set(), H()).actions == [("s3:ListBucket", "b")]
    assert c("GET", "/b", {"location"}, H()).actions == [("s3:GetBucketLocation", "b")]
    assert c("GET", "/b", {"uploads"}, H()).actions == [("s3:ListBucketMultipartUploads", "b")]
    assert c("PUT", "/b", set(), H()).actions == [("s3:CreateBucket", "b")]
    assert c("POST", "/b", {"delete"}, H()).actions == [("s3:DeleteObject", "b")]
    assert c("GET", "/b/k", set(), H()).actions == [("s3:GetObject", "b")]
    assert c("HEAD", "/b/k", set(), H()).actions == [("s3:GetObject", "b")]
    assert c("PUT", "/b/k", set(), H()).operation == "PutObject"
    assert c("PUT", "/b/k", {"partNumber", "uploadId"}, H()).operation == "UploadPart"
    assert c("POST", "/b/k", {"uploads"}, H()).actions == [("s3:PutObject", "b")]
    assert c("POST", "/b/k", {"uploadId"}, H()).operation == "CompleteMultipartUpload"
    assert c("DELETE", "/b/k", {"uploadId"}, H()).actions == [("s3:AbortMultipartUpload", "b")]
    assert c("GET", "/b/k", {"uploadId"}, H()).actions == [("s3:ListMultipartUploadParts", "b")]
    assert c("DELETE", "/b/k", set(), H()).actions == [("s3:DeleteObject", "b")]
    assert c("PUT", "/b/k", {"tagging"}, H()).actions == [("s3:PutObjectTagging", "b")]
    assert ("s3:PutObjectTagging", "b") in c("PUT", "/b/k", set(), H({"x-amz-tagging": "a=b"})).actions
    cp = c("PUT", "/b/k", set(), H({"x-amz-copy-source": "/src/x%20y"}))
    assert cp.operation == "CopyObject" and ("s3:GetObject", "src") in cp.actions


# ------------------------------------------------------------------ happy paths through the stack

def test_roundtrip_put_get_head_list_delete(bucket):
    s3 = client("app")
    body = "Wyłącznik B16, \"cena\"\n".encode() * 100
    s3.put_object(Bucket=bucket, Key="rt/obj.csv", Body=body, ServerSideEncryption="AES256",
                  ContentType="text/csv; charset=utf-8", Metadata={"component-id": "mcb_b16"})
    got = s3.get_object(Bucket=bucket, Key="rt/obj.csv")
    assert got["Body"].read() == body
    assert got["ContentType"].startswith("text/csv")
    assert got["Metadata"] == {"component-id": "mcb_b16"}
    h = s3.head_object(Bucket=bucket, Key="rt/obj.csv")
    assert h["ContentLength"] == len(body)
    assert h["ETag"].strip('"') == hashlib.md5(body).hexdigest()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="rt/")["Contents"]] == ["rt/obj.csv"]
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == REGION
    s3.head_bucket(Bucket=bucket)
    r = s3.get_object(Bucket=bucket, Key="rt/obj.csv", Range="bytes=0-9")
    assert r["Body"].read() == body[:10] and r["ResponseMetadata"]["HTTPStatusCode"] == 206
    s3.delete_object(Bucket=bucket, Key="rt/obj.csv")
    assert s3.list_objects_v2(Bucket=bucket, Prefix="rt/").get("KeyCount") == 0


def test_awkward_keys_pass_when_signed_by_boto3(bucket):
    s3 = client("app")
    for i, key in enumerate(AWKWARD_KEYS):
        data = f"{i}:{key}".encode()
        s3.put_object(Bucket=bucket, Key="awk/" + key, Body=data, ServerSideEncryption="AES256")
        assert s3.get_object(Bucket=bucket, Key="awk/" + key)["Body"].read() == data
        assert s3.head_object(Bucket=bucket, Key="awk/" + key)["ContentLength"] == len(data)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "awk/" + key},
                                        ExpiresIn=300)
        with urllib.request.urlopen(url, timeout=30) as r:
            assert r.read() == data, key
    listed = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="awk/", PaginationConfig={"PageSize": 5}):
        listed |= {o["Key"] for o in page.get("Contents", [])}
    assert listed == {"awk/" + k for k in AWKWARD_KEYS}
    for key in AWKWARD_KEYS:
        s3.delete_object(Bucket=bucket, Key="awk/" + key)


def test_multipart_upload_and_abort(bucket):
    s3 = client("app")
    part1 = os.urandom(5 * 1024 * 1024)
    part2 = b"tail-" * 1000
    mp = s3.create_multipart_upload(Bucket=bucket, Key="mp/big.bin", ServerSideEncryption="AES256")
    e1 = s3.upload_part(Bucket=bucket, Key="mp/big.bin", UploadId=mp["UploadId"], PartNumber=1, Body=part1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="mp/big.bin", UploadId=mp["UploadId"], PartNumber=2, Body=part2)["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="mp/big.bin", UploadId=mp["UploadId"],
                                 MultipartUpload={"Parts": [{"ETag": e1, "PartNumber": 1},
                                                            {"ETag": e2, "PartNumber": 2}]})
    got = s3.get_object(Bucket=bucket, Key="mp/big.bin")["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(part1 + part2).digest()
    mp2 = s3.create_multipart_upload(Bucket=bucket, Key="mp/aborted.bin", ServerSideEncryption="AES256")
    s3.upload_part(Bucket=bucket, Key="mp/aborted.bin", UploadId=mp2["UploadId"], PartNumber=1, Body=b"x" * 100)
    assert any(u["uploadId"] == mp2["UploadId"] for u in control("GET", f"multipart-uploads/{bucket}"))
    s3.abort_multipart_upload(Bucket=bucket, Key="mp/aborted.bin", UploadId=mp2["UploadId"])
    assert control("GET", f"multipart-uploads/{bucket}") == []


def test_tutorial_policy_cannot_abort_multipart(bucket):
    tut = client("tutorial-policy")
    mp = tut.create_multipart_upload(Bucket=bucket, Key="mp/tut.bin", ServerSideEncryption="AES256")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        tut.abort_multipart_upload(Bucket=bucket, Key="mp/tut.bin", UploadId=mp["UploadId"])
    assert err_code(ei.value) == ("AccessDenied", 403)
    client("admin").abort_multipart_upload(Bucket=bucket, Key="mp/tut.bin", UploadId=mp["UploadId"])


def test_presigned_put_with_sse(bucket):
    s3 = client("app")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "pre/put.txt",
                                                          "ServerSideEncryption": "AES256"}, ExpiresIn=120)
    req = urllib.request.Request(url, data=b"presigned body", method="PUT",
                                 headers={"x-amz-server-side-encryption": "AES256"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200
    assert s3.get_object(Bucket=bucket, Key="pre/put.txt")["Body"].read() == b"presigned body"
    # the same URL without the signed SSE header is refused
    req = urllib.request.Request(url, data=b"presigned body", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(req, timeout=30)
    assert ei.value.code == 403


def test_aws_cli_cp_and_ls(bucket, tmp_path):
    aws = [shutil.which("aws")] if shutil.which("aws") else None
    if aws is None:
        import importlib.util
        assert importlib.util.find_spec("awscli"), "aws-cli is not installed (pip install awscli)"
        aws = [sys.executable, "-m", "awscli"]
    src = tmp_path / "plik ż.txt"
    src.write_text("zażółć gęślą jaźń\n", encoding="utf-8")
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEYS["app"]["accessKeyId"],
               AWS_SECRET_ACCESS_KEY=KEYS["app"]["secretAccessKey"], AWS_DEFAULT_REGION=REGION,
               AWS_REGION=REGION, AWS_MAX_ATTEMPTS="1")
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    base = aws + ["--endpoint-url", ENDPOINT, "--region", REGION]
    r = subprocess.run(base + ["s3", "cp", str(src), f"s3://{bucket}/cli/plik ż.txt", "--sse", "AES256"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run(base + ["s3", "ls", f"s3://{bucket}/cli/"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "plik ż.txt" in r.stdout
    r = subprocess.run(base + ["s3", "cp", f"s3://{bucket}/cli/plik ż.txt", str(tmp_path / "back.txt")],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "back.txt").read_text(encoding="utf-8") == "zażółć gęślą jaźń\n"


# ------------------------------------------------------------------ refusals

def test_wrong_secret_is_signature_does_not_match(bucket):
    s3 = client("app", secret="voltlake-local-app-secret/WRONG")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        s3.list_objects_v2(Bucket=bucket)
    assert err_code(ei.value) == ("SignatureDoesNotMatch", 403)
    assert "CanonicalRequest" in ei.value.response["Error"]


def test_unknown_key_id(bucket):
    s3 = client("app", access_key="VOLTLAKENOSUCHKEY0001")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        s3.list_objects_v2(Bucket=bucket)
    assert err_code(ei.value) == ("InvalidAccessKeyId", 403)


def test_unsigned_request_is_access_denied(bucket):
    status, headers, body = raw_request("GET", f"/{bucket}", query="list-type=2")
    assert status == 403
    assert xml_code(body)[0] == "AccessDenied"
    assert headers.get("x-amz-request-id")


def test_presigned_url_with_one_signature_character_changed(bucket):
    s3 = client("app")
    s3.put_object(Bucket=bucket, Key="pre/t.txt", Body=b"t", ServerSideEncryption="AES256")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre/t.txt"}, ExpiresIn=60)
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.read() == b"t"
    i = url.index("X-Amz-Signature=") + len("X-Amz-Signature=") + 10
    bad = url[:i] + ("0" if url[i] != "0" else "1") + url[i + 1:]
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(bad, timeout=30)
    assert ei.value.code == 403
    assert xml_code(ei.value.read())[0] == "SignatureDoesNotMatch"
    # a changed key with the original signature is refused too
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(url.replace("pre/t.txt", "pre/u.txt"), timeout=30)
    assert ei.value.code == 403


def test_expired_presigned_url(bucket):
    s3 = client("app")
    past = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(hours=2)
    with mock.patch("botocore.auth.get_current_datetime", return_value=past):
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre/t.txt"},
                                        ExpiresIn=3600)
    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.urlopen(url, timeout=30)
    assert ei.value.code == 403
    code, root = xml_code(ei.value.read())
    assert code == "AccessDenied" and root.findtext("Message") == "Request has expired"


def test_presigned_expires_over_a_week_is_refused(bucket):
    target, _ = sign("GET", f"/{bucket}/pre/t.txt", presign_expires=604801)
    path, _, query = target.partition("?")
    status, _, body = raw_request("GET", path, query=query)
    assert status == 400 and xml_code(body)[0] == "AuthorizationQueryParametersError"


def test_clock_skew_on_header_auth(bucket):
    when = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(minutes=20)
    target, headers = sign("GET", f"/{bucket}", query="list-type=2", when=when)
    path, _, query = target.partition("?")
    status, _, body = raw_request("GET", path, headers=headers, query=query)
    assert status == 403 and xml_code(body)[0] == "RequestTimeTooSkewed"
    # 10 minutes is within S3's 15-minute window
    when = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(minutes=10)
    target, headers = sign("GET", f"/{bucket}", query="list-type=2", when=when)
    path, _, query = target.partition("?")
    assert raw_request("GET", path, headers=headers, query=query)[0] == 200


def test_tampered_payload_is_sha256_mismatch(bucket):
    body = b"original payload"
    target, headers = sign("PUT", f"/{bucket}/tamper.txt", body=body,
                           headers={"x-amz-server-side-encryption": "AES256"})
    status, _, resp = raw_request("PUT", target, headers=headers, body=b"tampered payload")
    assert status == 400 and xml_code(resp)[0] == "XAmzContentSHA256Mismatch"
    status, _, resp = raw_request("PUT", target, headers=headers, body=body)
    assert status == 200, resp


def test_bad_content_md5_is_bad_digest(bucket):
    body = b"md5 checked"
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    target, headers = sign("PUT", f"/{bucket}/md5.txt", body=body,
                           headers={"x-amz-server-side-encryption": "AES256", "Content-MD5": wrong})
    status, _, resp = raw_request("PUT", target, headers=headers, body=body)
    assert status == 400 and xml_code(resp)[0] == "BadDigest"


def test_wrong_region_in_scope_is_refused(bucket):
    target, headers = sign("GET", f"/{bucket}", query="list-type=2", region="us-east-1")
    path, _, query = target.partition("?")
    status, _, body = raw_request("GET", path, headers=headers, query=query)
    assert status == 400
    code, root = xml_code(body)
    assert code == "AuthorizationHeaderMalformed" and root.findtext("Region") == REGION


def test_unsigned_amz_header_is_refused(bucket):
    target, headers = sign("PUT", f"/{bucket}/unsigned-hdr.txt", body=b"x",
                           headers={"x-amz-server-side-encryption": "AES256"})
    headers["x-amz-meta-sneaky"] = "added after signing"
    status, _, body = raw_request("PUT", target, headers=headers, body=b"x")
    assert status == 403 and xml_code(body)[0] == "AccessDenied"


def test_app_key_denied_admin_actions(bucket):
    s3 = client("app")
    s3.put_object(Bucket=bucket, Key="tags/x.txt", Body=b"x", ServerSideEncryption="AES256")
    for call in (
        lambda: s3.create_bucket(Bucket=f"vl-test-{uuid.uuid4().hex[:8]}",
                                 CreateBucketConfiguration={"LocationConstraint": REGION}),
        lambda: s3.put_object_tagging(Bucket=bucket, Key="tags/x.txt",
                                      Tagging={"TagSet": [{"Key": "a", "Value": "b"}]}),
        lambda: s3.put_object(Bucket=bucket, Key="tags/y.txt", Body=b"y", ServerSideEncryption="AES256",
                              Tagging="a=b"),
        lambda: s3.list_buckets(),
        lambda: s3.list_objects_v2(Bucket="some-other-bucket"),
    ):
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            call()
        assert err_code(ei.value) == ("AccessDenied", 403)
    # the admin key may do all of it
    assert any(b["Name"] == bucket for b in client("admin").list_buckets()["Buckets"])


def test_put_without_sse_is_denied(bucket):
    s3 = client("app")
    seq = last_seq()
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        s3.put_object(Bucket=bucket, Key="nosse.txt", Body=b"x")
    assert err_code(ei.value) == ("AccessDenied", 403)
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        s3.create_multipart_upload(Bucket=bucket, Key="nosse.bin")
    assert err_code(ei.value) == ("AccessDenied", 403)
    recs = records_since(seq)
    assert [r["operation"] for r in recs] == ["PutObject", "CreateMultipartUpload"]
    assert all("require-SSE" in r["reason"] for r in recs)


def test_session_key_needs_its_token(bucket):
    ok = client("session")
    ok.put_object(Bucket=bucket, Key="sess/a.txt", Body=b"s", ServerSideEncryption="AES256")
    assert ok.get_object(Bucket=bucket, Key="sess/a.txt")["Body"].read() == b"s"
    url = ok.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "sess/a.txt"}, ExpiresIn=60)
    assert "X-Amz-Security-Token" in url
    with urllib.request.urlopen(url, timeout=30) as r:
        assert r.read() == b"s"
    no_token = client("session", token=None)
    no_token._request_signer._credentials = Credentials(KEYS["session"]["accessKeyId"],
                                                        KEYS["session"]["secretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        no_token.get_object(Bucket=bucket, Key="sess/a.txt")
    assert ei.value.response["Error"]["Code"] == "InvalidToken"
    bad = client("session", token="voltlake-local-session-token//WRONG")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        bad.get_object(Bucket=bucket, Key="sess/a.txt")
    assert ei.value.response["Error"]["Code"] == "InvalidToken"
    expired = client("expired-session")
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        expired.get_object(Bucket=bucket, Key="sess/a.txt")
    assert ei.value.response["Error"]["Code"] == "ExpiredToken"


# ------------------------------------------------------------------ faults, keep-alive, records

def test_faults_make_the_next_two_requests_503(bucket):
    s3 = client("app")
    control("POST", "faults", {"count": 2, "status": 503, "code": "SlowDown", "method": "PUT",
                               "keyPrefix": "faulty/"})
    for _ in range(2):
        with pytest.raises(botocore.exceptions.ClientError) as ei:
            s3.put_object(Bucket=bucket, Key="faulty/x.txt", Body=b"x", ServerSideEncryption="AES256")
        assert err_code(ei.value) == ("SlowDown", 503)
    s3.put_object(Bucket=bucket, Key="faulty/x.txt", Body=b"x", ServerSideEncryption="AES256")
    assert s3.get_object(Bucket=bucket, Key="faulty/x.txt")["Body"].read() == b"x"


def test_fault_retried_by_sdk_then_succeeds(bucket):
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name=REGION,
                      aws_access_key_id=KEYS["app"]["accessKeyId"],
                      aws_secret_access_key=KEYS["app"]["secretAccessKey"],
                      config=Config(retries={"total_max_attempts": 4, "mode": "standard"}))
    seq = last_seq()
    control("POST", "faults", {"count": 2, "status": 503, "code": "SlowDown", "method": "GET",
                               "keyPrefix": "faulty/"})
    assert s3.get_object(Bucket=bucket, Key="faulty/x.txt")["Body"].read() == b"x"
    statuses = [r["status"] for r in records_since(seq) if r["key"] == "faulty/x.txt"]
    assert statuses == [503, 503, 200]


def test_drop_fault_closes_the_connection(bucket):
    s3 = client("app")
    control("POST", "faults", {"count": 1, "action": "drop", "method": "GET", "keyPrefix": "faulty/"})
    with pytest.raises((botocore.exceptions.ConnectionClosedError, botocore.exceptions.EndpointConnectionError,
                        botocore.exceptions.ReadTimeoutError)):
        s3.get_object(Bucket=bucket, Key="faulty/x.txt")
    assert s3.get_object(Bucket=bucket, Key="faulty/x.txt")["Body"].read() == b"x"


def test_keep_alive_survives_refusals(bucket):
    """Several requests (some refused, with bodies) on one HTTP/1.1 connection."""
    u = urllib.parse.urlsplit(ENDPOINT)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    body = b"k" * 70000
    for i, (good, sse) in enumerate([(True, True), (False, True), (True, False), (True, True)]):
        hdrs = {"x-amz-server-side-encryption": "AES256"} if sse else {}
        target, headers = sign("PUT", f"/{bucket}/ka/{i}.bin", body=body, headers=hdrs,
                               secret=None if good else "wrong-secret")
        headers.pop("Host", None)
        c.request("PUT", target, body=body, headers=headers)
        r = c.getresponse()
        r.read()
        assert r.status == (200 if good and sse else 403), i
        assert r.getheader("Content-Length") is not None
    target, headers = sign("HEAD", f"/{bucket}/ka/nope.bin")
    headers.pop("Host", None)
    c.request("HEAD", target, headers=headers)
    r = c.getresponse()
    r.read()
    assert r.status == 404
    target, headers = sign("GET", f"/{bucket}/ka/0.bin")
    headers.pop("Host", None)
    c.request("GET", target, headers=headers)
    r = c.getresponse()
    assert r.read() == body
    c.close()


def test_record_lists_each_requests_action(bucket):
    s3 = client("app")
    seq = last_seq()
    s3.put_object(Bucket=bucket, Key="rec/a.txt", Body=b"a", ServerSideEncryption="AES256")
    s3.get_object(Bucket=bucket, Key="rec/a.txt")["Body"].read()
    s3.head_object(Bucket=bucket, Key="rec/a.txt")
    s3.list_objects_v2(Bucket=bucket, Prefix="rec/")
    s3.get_bucket_location(Bucket=bucket)
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "rec/a.txt"}]})
    with pytest.raises(botocore.exceptions.ClientError):
        s3.list_buckets()
    recs = records_since(seq)
    got = [(r["operation"], r["action"], r["status"], r["allowed"]) for r in recs]
    assert got == [
        ("PutObject", "s3:PutObject", 200, True),
        ("GetObject", "s3:GetObject", 200, True),
        ("HeadObject", "s3:GetObject", 200, True),
        ("ListObjectsV2", "s3:ListBucket", 200, True),
        ("GetBucketLocation", "s3:GetBucketLocation", 200, True),
        ("DeleteObjects", "s3:DeleteObject", 200, True),
        ("ListBuckets", "s3:ListAllMyBuckets", 403, False),
    ]
    assert all(r["accessKeyId"] == KEYS["app"]["accessKeyId"] for r in recs)
    assert recs[0]["bucket"] == bucket and recs[0]["key"] == "rec/a.txt" and recs[0]["sse"] == "AES256"
    assert [r["seq"] for r in recs] == sorted(r["seq"] for r in recs)


def test_record_file_holds_no_secrets():
    path = os.path.join(os.environ.get("VOLTLAKE_STACK_DIR", os.path.join(os.path.dirname(STACK), ".stack")),
                        "verifier-requests.jsonl")
    assert os.path.exists(path), path
    with open(path, encoding="utf-8") as f:
        text = f.read()
    assert text
    for k in KEYS.values():
        assert k["secretAccessKey"] not in text
        if k.get("sessionToken"):
            assert k["sessionToken"] not in text
    assert "X-Amz-Signature" not in text and "Signature=" not in text


# ------------------------------------------------------------------ aws-chunked (streaming SigV4) uploads

class _StreamingSigner(S3SigV4Auth):
    def __init__(self, creds, region, mode):
        super().__init__(creds, "s3", region)
        self.mode = mode

    def payload(self, request):
        return self.mode


def _aws_chunked_put(bucket, key, data, chunk=64 * 1024, tamper=False, name="app"):
    k = KEYS[name]
    creds = Credentials(k["accessKeyId"], k["secretAccessKey"])
    chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
    sizes = sum(len(f"{len(c):x};chunk-signature=".encode()) + 64 + 2 + len(c) + 2 for c in chunks)
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-server-side-encryption": "AES256", "Content-Length": str(sizes),
               "Content-Type": "application/octet-stream"}
    req = AWSRequest(method="PUT", url=f"{ENDPOINT}/{bucket}/{key}", headers=headers)
    signer = _StreamingSigner(creds, REGION, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
    signer.add_auth(req)
    p = req.prepare()
    auth = p.headers["Authorization"]
    seed = auth.rsplit("Signature=", 1)[1]
    amz_date = p.headers["X-Amz-Date"]
    scope = f"{amz_date[:8]}/{REGION}/s3/aws4_request"
    skey = verifier.signing_key_bytes(k["secretAccessKey"], amz_date[:8], REGION, "s3")
    import hmac as _hmac
    body, prev = b"", seed
    for c in chunks:
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev, hashlib.sha256(b"").hexdigest(),
                         hashlib.sha256(c).hexdigest()])
        sig = _hmac.new(skey, sts.encode(), hashlib.sha256).hexdigest()
        prev = sig
        if tamper and c:
            c = bytes([c[0] ^ 1]) + c[1:]
        body += f"{len(c):x};chunk-signature={sig}\r\n".encode() + c + b"\r\n"
    assert len(body) == sizes
    sp = urllib.parse.urlsplit(p.url)
    return raw_request("PUT", sp.path, headers=dict(p.headers), body=body)


def test_aws_chunked_signed_streaming_upload(bucket):
    data = os.urandom(200 * 1024 + 17)
    status, _, resp = _aws_chunked_put(bucket, "chunked/ok.bin", data)
    assert status == 200, resp
    assert client("app").get_object(Bucket=bucket, Key="chunked/ok.bin")["Body"].read() == data
    status, _, resp = _aws_chunked_put(bucket, "chunked/bad.bin", data, tamper=True)
    assert status == 403 and xml_code(resp)[0] == "SignatureDoesNotMatch"


def test_unsigned_payload_trailer_with_crc32(bucket):
    import zlib
    data = b"trailer checksum body " * 1000
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    body = f"{len(data):x}\r\n".encode() + data + b"\r\n0\r\n" + f"x-amz-checksum-crc32:{crc}\r\n\r\n".encode()
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-server-side-encryption": "AES256"}
    k = KEYS["app"]
    req = AWSRequest(method="PUT", url=f"{ENDPOINT}/{bucket}/chunked/trailer.bin", headers=headers)
    _StreamingSigner(Credentials(k["accessKeyId"], k["secretAccessKey"]), REGION,
                     "STREAMING-UNSIGNED-PAYLOAD-TRAILER").add_auth(req)
    p = req.prepare()
    status, _, resp = raw_request("PUT", urllib.parse.urlsplit(p.url).path, headers=dict(p.headers), body=body)
    assert status == 200, resp
    assert client("app").get_object(Bucket=bucket, Key="chunked/trailer.bin")["Body"].read() == data
    bad = body.replace(crc.encode(), base64.b64encode(b"\0\0\0\0"))
    status, _, resp = raw_request("PUT", urllib.parse.urlsplit(p.url).path, headers=dict(p.headers), body=bad)
    assert status == 400 and xml_code(resp)[0] == "BadDigest"
