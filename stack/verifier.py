#!/usr/bin/env python3
"""voltlake verifying front door: an S3 SigV4 judge in front of moto.

Every request is judged the way S3 judges it -- signature (header or presigned
query form, recomputed with botocore's SigV4 pieces, S3 path rules: the path is
decoded once and re-encoded once, never normalised), credential scope, expiry,
clock skew, session token, payload hash, Content-MD5 / x-amz-checksum-*, the
IAM action the S3 operation needs, and an optional require-SSE policy.  What
passes is forwarded to moto (authentication off) and moto's answer is relayed.
What fails gets S3's XML error.  Every S3 request is recorded.

Python 3.11 stdlib + botocore only.  Loopback test use only: the control
endpoints under /__voltlake/ are unauthenticated.

    python3 stack/verifier.py --port 19000 --upstream http://127.0.0.1:15000 \
        --credentials stack/credentials.json [--no-require-sse] [--record FILE]
"""
from __future__ import annotations

import argparse
import base64
import binascii
import calendar
import collections
import datetime as dt
import email.utils
import fnmatch
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape as xml_escape

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

CONTROL_PREFIX = "/__voltlake/"
MAX_EXPIRES = 604800
MAX_SKEW = 15 * 60
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
STREAMING_VALUES = {STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER}
HEX64 = re.compile(r"^[0-9a-f]{64}$")
AMZ_DATE = re.compile(r"^\d{8}T\d{6}Z$")
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailer", "trailers", "transfer-encoding", "upgrade", "expect", "proxy-connection",
}
SPOOL_MEMORY = 8 * 1024 * 1024
IO_CHUNK = 1024 * 1024
DRAIN_LIMIT = 64 * 1024 * 1024


# --------------------------------------------------------------------------
# small helpers

def now_epoch(server=None) -> float:
    off = server.clock_offset if server is not None else 0.0
    return time.time() + off


def iso_utc(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_amz_date(value: str) -> float | None:
    if not value or not AMZ_DATE.match(value):
        return None
    try:
        t = time.strptime(value, "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return float(calendar.timegm(t))


def s3_quote(s: str) -> str:
    """URI-encode per SigV4: everything but unreserved A-Za-z0-9-_.~ (UTF-8)."""
    return urllib.parse.quote(s, safe="-_.~")


def raw_to_text(s: str) -> str:
    """The request line / header text was decoded as latin-1; recover UTF-8."""
    b = s.encode("latin-1", "replace")
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return s


def canonical_uri(raw_path: str) -> str:
    """S3: decode each segment once, re-encode once; no dot-segment or // removal."""
    segs = raw_path.split("/")
    out = []
    for seg in segs:
        decoded = urllib.parse.unquote_to_bytes(seg.encode("latin-1", "replace"))
        out.append(urllib.parse.quote(decoded, safe="-_.~"))
    return "/".join(out) or "/"


def parse_query(raw_query: str) -> list[tuple[str, str]]:
    """Decoded (name, value) pairs; '+' stays '+' (S3 does not treat it as space here)."""
    pairs = []
    if not raw_query:
        return pairs
    for part in raw_query.split("&"):
        if part == "":
            continue
        k, _, v = part.partition("=")
        pairs.append((urllib.parse.unquote(raw_to_text(k)), urllib.parse.unquote(raw_to_text(v))))
    return pairs


def canonical_query(pairs: list[tuple[str, str]], exclude=("X-Amz-Signature",)) -> str:
    enc = sorted((s3_quote(k), s3_quote(v)) for k, v in pairs if k not in exclude)
    return "&".join(f"{k}={v}" for k, v in enc)


def new_request_id() -> str:
    return secrets.token_hex(8).upper()


class S3Error(Exception):
    def __init__(self, status: int, code: str, message: str, extra: dict | None = None,
                 reason: str | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.reason = reason or message


def error_xml(err: S3Error, request_id: str, resource: str | None) -> bytes:
    parts = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>",
             f"<Code>{xml_escape(err.code)}</Code>",
             f"<Message>{xml_escape(err.message)}</Message>"]
    for k, v in err.extra.items():
        parts.append(f"<{k}>{xml_escape(str(v))}</{k}>")
    if resource:
        parts.append(f"<Resource>{xml_escape(resource)}</Resource>")
    parts.append(f"<RequestId>{request_id}</RequestId>")
    parts.append(f"<HostId>{base64.b64encode(request_id.encode()).decode()}</HostId>")
    parts.append("</Error>")
    return "".join(parts).encode("utf-8")


# --------------------------------------------------------------------------
# credentials and policy

class KeyInfo:
    def __init__(self, d: dict):
        self.access_key = d["accessKeyId"]
        self.secret = d["secretAccessKey"]
        self.name = d.get("name", self.access_key)
        self.token = d.get("sessionToken")
        exp = d.get("expiresAt")
        self.expires_at = None
        if exp:
            self.expires_at = dt.datetime.fromisoformat(exp.replace("Z", "+00:00")).timestamp()
        self.statements = d.get("statements", [])

    def allows(self, action: str, bucket: str | None) -> bool:
        for st in self.statements:
            acts = st.get("actions", [])
            if not any(fnmatch.fnmatchcase(action, a) for a in acts):
                continue
            buckets = st.get("buckets", ["*"])
            if bucket is None:
                # account-level actions (ListBuckets): only a "*" resource grants them
                if "*" in buckets:
                    return True
                continue
            if any(fnmatch.fnmatchcase(bucket, b) for b in buckets):
                return True
        return False


class CredentialStore:
    def __init__(self, path: str):
        self.path = path
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.region = data.get("region", "eu-central-1")
        self.keys = {}
        for k in data["keys"]:
            ki = KeyInfo(k)
            self.keys[ki.access_key] = ki

    def get(self, access_key: str) -> KeyInfo | None:
        return self.keys.get(access_key)


# --------------------------------------------------------------------------
# request classification: S3 operation -> IAM action(s)

BUCKET_GET_SUB = {
    "location": ("GetBucketLocation", "s3:GetBucketLocation"),
    "uploads": ("ListMultipartUploads", "s3:ListBucketMultipartUploads"),
    "versions": ("ListObjectVersions", "s3:ListBucketVersions"),
    "tagging": ("GetBucketTagging", "s3:GetBucketTagging"),
    "policy": ("GetBucketPolicy", "s3:GetBucketPolicy"),
    "policyStatus": ("GetBucketPolicyStatus", "s3:GetBucketPolicyStatus"),
    "acl": ("GetBucketAcl", "s3:GetBucketAcl"),
    "cors": ("GetBucketCors", "s3:GetBucketCORS"),
    "lifecycle": ("GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
    "versioning": ("GetBucketVersioning", "s3:GetBucketVersioning"),
    "encryption": ("GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    "logging": ("GetBucketLogging", "s3:GetBucketLogging"),
    "notification": ("GetBucketNotificationConfiguration", "s3:GetBucketNotification"),
    "website": ("GetBucketWebsite", "s3:GetBucketWebsite"),
    "replication": ("GetBucketReplication", "s3:GetReplicationConfiguration"),
    "object-lock": ("GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
    "ownershipControls": ("GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
    "publicAccessBlock": ("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    "accelerate": ("GetBucketAccelerateConfiguration", "s3:GetAccelerateConfiguration"),
    "requestPayment": ("GetBucketRequestPayment", "s3:GetBucketRequestPayment"),
}
BUCKET_PUT_SUB = {
    "tagging": ("PutBucketTagging", "s3:PutBucketTagging"),
    "policy": ("PutBucketPolicy", "s3:PutBucketPolicy"),
    "acl": ("PutBucketAcl", "s3:PutBucketAcl"),
    "cors": ("PutBucketCors", "s3:PutBucketCORS"),
    "lifecycle": ("PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration"),
    "versioning": ("PutBucketVersioning", "s3:PutBucketVersioning"),
    "encryption": ("PutBucketEncryption", "s3:PutEncryptionConfiguration"),
    "logging": ("PutBucketLogging", "s3:PutBucketLogging"),
    "notification": ("PutBucketNotificationConfiguration", "s3:PutBucketNotification"),
    "website": ("PutBucketWebsite", "s3:PutBucketWebsite"),
    "replication": ("PutBucketReplication", "s3:PutReplicationConfiguration"),
    "object-lock": ("PutObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"),
    "ownershipControls": ("PutBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
    "publicAccessBlock": ("PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
    "accelerate": ("PutBucketAccelerateConfiguration", "s3:PutAccelerateConfiguration"),
    "requestPayment": ("PutBucketRequestPayment", "s3:PutBucketRequestPayment"),
}
BUCKET_DELETE_SUB = {
    "tagging": ("DeleteBucketTagging", "s3:PutBucketTagging"),
    "policy": ("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
    "cors": ("DeleteBucketCors", "s3:PutBucketCORS"),
    "lifecycle": ("DeleteBucketLifecycle", "s3:PutLifecycleConfiguration"),
    "encryption": ("DeleteBucketEncryption", "s3:PutEncryptionConfiguration"),
    "website": ("DeleteBucketWebsite", "s3:DeleteBucketWebsite"),
    "replication": ("DeleteBucketReplication", "s3:PutReplicationConfiguration"),
    "ownershipControls": ("DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
    "publicAccessBlock": ("DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
}
OBJECT_GET_SUB = {
    "tagging": ("GetObjectTagging", "s3:GetObjectTagging"),
    "acl": ("GetObjectAcl", "s3:GetObjectAcl"),
    "attributes": ("GetObjectAttributes", "s3:GetObjectAttributes"),
    "retention": ("GetObjectRetention", "s3:GetObjectRetention"),
    "legal-hold": ("GetObjectLegalHold", "s3:GetObjectLegalHold"),
    "torrent": ("GetObjectTorrent", "s3:GetObjectTorrent"),
}
OBJECT_PUT_SUB = {
    "tagging": ("PutObjectTagging", "s3:PutObjectTagging"),
    "acl": ("PutObjectAcl", "s3:PutObjectAcl"),
    "retention": ("PutObjectRetention", "s3:PutObjectRetention"),
    "legal-hold": ("PutObjectLegalHold", "s3:PutObjectLegalHold"),
}


class Classified:
    def __init__(self, operation, actions, bucket, key, extra_resources=None):
        self.operation = operation
        self.actions = actions          # list of (action, bucket) pairs to authorise
        self.bucket = bucket
        self.key = key


def split_bucket_key(raw_path: str):
    p = raw_path[1:] if raw_path.startswith("/") else raw_path
    if p == "":
        return None, None
    bucket_raw, sep, key_raw = p.partition("/")
    bucket = urllib.parse.unquote(raw_to_text(bucket_raw))
    if not sep or key_raw == "":
        return bucket, None
    return bucket, urllib.parse.unquote(raw_to_text(key_raw))


def classify(method: str, raw_path: str, qnames: set, headers) -> Classified:
    bucket, key = split_bucket_key(raw_path)
    m = method.upper()

    def one(op, action, b=bucket):
        return Classified(op, [(action, b)], bucket, key)

    if bucket is None:
        if m in ("GET", "HEAD"):
            return Classified("ListBuckets", [("s3:ListAllMyBuckets", None)], None, None)
        return Classified(f"Unknown{m}Service", [(f"s3:Unknown{m}", None)], None, None)

    if key is None:  # bucket level
        if m == "GET":
            for sub, (op, act) in BUCKET_GET_SUB.items():
                if sub in qnames:
                    return one(op, act)
            if "list-type" in qnames:
                return one("ListObjectsV2", "s3:ListBucket")
            return one("ListObjects", "s3:ListBucket")
        if m == "HEAD":
            return one("HeadBucket", "s3:ListBucket")
        if m == "PUT":
            for sub, (op, act) in BUCKET_PUT_SUB.items():
                if sub in qnames:
                    return one(op, act)
            return one("CreateBucket", "s3:CreateBucket")
        if m == "DELETE":
            for sub, (op, act) in BUCKET_DELETE_SUB.items():
                if sub in qnames:
                    return one(op, act)
            return one("DeleteBucket", "s3:DeleteBucket")
        if m == "POST":
            if "delete" in qnames:
                return one("DeleteObjects", "s3:DeleteObject")
            return one("PostObject", "s3:PutObject")
        return one(f"Unknown{m}Bucket", f"s3:Unknown{m}")

    # object level
    if m == "GET":
        for sub, (op, act) in OBJECT_GET_SUB.items():
            if sub in qnames:
                return one(op, act)
        if "uploadId" in qnames:
            return one("ListParts", "s3:ListMultipartUploadParts")
        return one("GetObject", "s3:GetObject")
    if m == "HEAD":
        return one("HeadObject", "s3:GetObject")
    if m == "PUT":
        for sub, (op, act) in OBJECT_PUT_SUB.items():
            if sub in qnames:
                return one(op, act)
        copy_src = headers.get("x-amz-copy-source")
        if "uploadId" in qnames or "partNumber" in qnames:
            c = one("UploadPartCopy" if copy_src else "UploadPart", "s3:PutObject")
        else:
            c = one("CopyObject" if copy_src else "PutObject", "s3:PutObject")
            if headers.get("x-amz-tagging") is not None:
                c.actions.append(("s3:PutObjectTagging", bucket))
            if headers.get("x-amz-acl") is not None or any(
                    h.lower().startswith("x-amz-grant-") for h in headers.keys()):
                c.actions.append(("s3:PutObjectAcl", bucket))
        if copy_src:
            src = urllib.parse.unquote(copy_src.split("?")[0]).lstrip("/")
            src_bucket = src.split("/", 1)[0]
            c.actions.append(("s3:GetObject", src_bucket))
        return c
    if m == "POST":
        if "uploads" in qnames:
            c = one("CreateMultipartUpload", "s3:PutObject")
            if headers.get("x-amz-tagging") is not None:
                c.actions.append(("s3:PutObjectTagging", bucket))
            return c
        if "uploadId" in qnames:
            return one("CompleteMultipartUpload", "s3:PutObject")
        if "restore" in qnames:
            return one("RestoreObject", "s3:RestoreObject")
        if "select" in qnames:
            return one("SelectObjectContent", "s3:GetObject")
        return one("UnknownPostObject", "s3:UnknownPOST")
    if m == "DELETE":
        if "uploadId" in qnames:
            return one("AbortMultipartUpload", "s3:AbortMultipartUpload")
        if "tagging" in qnames:
            return one("DeleteObjectTagging", "s3:DeleteObjectTagging")
        return one("DeleteObject", "s3:DeleteObject")
    return one(f"Unknown{m}Object", f"s3:Unknown{m}")


# --------------------------------------------------------------------------
# SigV4 judgement

class AuthResult:
    def __init__(self):
        self.kind = "none"             # none | header | presigned
        self.access_key = None
        self.key_info = None
        self.payload_claim = None      # value of x-amz-content-sha256 / UNSIGNED-PAYLOAD
        self.signing_key = None        # for aws-chunked chunk signatures
        self.amz_date = None
        self.scope = None
        self.seed_signature = None
        self.region = None


def _sigv4(key: KeyInfo, region: str, service: str, amz_date: str):
    auth = SigV4Auth(Credentials(key.access_key, key.secret, key.token), service, region)
    req = AWSRequest(method="GET", url="http://placeholder/")
    req.context["timestamp"] = amz_date
    return auth, req


def compute_signature(key: KeyInfo, region: str, service: str, amz_date: str,
                      canonical_request: str) -> tuple[str, str]:
    """String to sign and signature via botocore's SigV4Auth."""
    auth, req = _sigv4(key, region, service, amz_date)
    sts = auth.string_to_sign(req, canonical_request)
    return sts, auth.signature(sts, req)


def signing_key_bytes(secret: str, date: str, region: str, service: str) -> bytes:
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    k = hmac.new(k, region.encode(), hashlib.sha256).digest()
    k = hmac.new(k, service.encode(), hashlib.sha256).digest()
    return hmac.new(k, b"aws4_request", hashlib.sha256).digest()


def build_canonical_request(method, raw_path, query_pairs, headers_list, signed_names,
                            payload_hash, exclude_query=("X-Amz-Signature",)):
    hdrs = HTTPHeaders()
    present = {n.lower() for n, _ in headers_list}
    for n in signed_names:
        if n not in present:
            raise S3Error(403, "SignatureDoesNotMatch",
                          "The request signature we calculated does not match the signature you provided. "
                          "Check your key and signing method.", reason=f"signed header {n!r} missing")
    for n, v in headers_list:
        ln = n.lower()
        if ln in signed_names:
            hdrs[ln] = raw_to_text(v)
    auth = SigV4Auth(None, "s3", "us-east-1")
    canon_headers = auth.canonical_headers(hdrs)
    return "\n".join([
        method.upper(),
        canonical_uri(raw_path),
        canonical_query(query_pairs, exclude_query),
        canon_headers + "\n",
        ";".join(signed_names),
        payload_hash,
    ])


AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)


def parse_auth_header(value: str) -> dict:
    m = AUTH_RE.match(value.strip())
    if not m:
        raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.")
    out = {}
    for part in m.group(1).split(","):
        part = part.strip()
        if not part:
            continue
        k, eq, v = part.partition("=")
        if not eq:
            raise S3Error(400, "AuthorizationHeaderMalformed", "The authorization header is malformed.")
        out[k.strip()] = v.strip()
    for need in ("Credential", "SignedHeaders", "Signature"):
        if need not in out:
            raise S3Error(400, "AuthorizationHeaderMalformed",
                          f"The authorization header is malformed; missing {need}.")
    return out


def judge(method: str, raw_path: str, raw_query: str, headers_list, headers, store: CredentialStore,
          now: float, bucket_region_fn) -> AuthResult:
    """Raise S3Error if AWS would refuse the request's authentication; else return AuthResult."""
    res = AuthResult()
    pairs = parse_query(raw_query)
    q = {}
    for k, v in pairs:
        q.setdefault(k, v)
    authz = headers.get("Authorization")
    has_query_auth = "X-Amz-Algorithm" in q or "X-Amz-Signature" in q or "X-Amz-Credential" in q
    if authz and has_query_auth:
        raise S3Error(400, "InvalidArgument",
                      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                      "Signature query string parameter or the Authorization header should be specified")
    if not authz and ("Signature" in q or "AWSAccessKeyId" in q):
        raise S3Error(400, "InvalidRequest",
                      "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
    if not authz and not has_query_auth:
        return res  # anonymous; the caller refuses it

    if authz:
        res.kind = "header"
        if not authz.strip().startswith("AWS4-HMAC-SHA256"):
            raise S3Error(400, "InvalidRequest",
                          "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
        a = parse_auth_header(authz)
        cred, signed_headers_s, provided = a["Credential"], a["SignedHeaders"], a["Signature"]
        err_code = "AuthorizationHeaderMalformed"
        amz_date = headers.get("x-amz-date")
        if amz_date is None and headers.get("Date"):
            try:
                d = email.utils.parsedate_to_datetime(headers.get("Date"))
                amz_date = d.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            except (TypeError, ValueError):
                amz_date = None
    else:
        res.kind = "presigned"
        err_code = "AuthorizationQueryParametersError"
        need = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date",
                "X-Amz-SignedHeaders", "X-Amz-Expires"]
        if any(n not in q for n in need):
            raise S3Error(400, err_code,
                          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                          "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
        if q["X-Amz-Algorithm"] != "AWS4-HMAC-SHA256":
            raise S3Error(400, err_code,
                          "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
        cred, signed_headers_s, provided = q["X-Amz-Credential"], q["X-Amz-SignedHeaders"], q["X-Amz-Signature"]
        amz_date = q["X-Amz-Date"]

    cparts = cred.split("/")
    if len(cparts) != 5:
        raise S3Error(400, err_code, "Error parsing the X-Amz-Credential parameter; "
                      "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".")
    access_key, cdate, cregion, cservice, cterm = cparts
    res.access_key = access_key
    key = store.get(access_key)
    if key is None:
        raise S3Error(403, "InvalidAccessKeyId",
                      "The AWS Access Key Id you provided does not exist in our records.",
                      {"AWSAccessKeyId": access_key})
    res.key_info = key

    # session token
    token = headers.get("x-amz-security-token") if res.kind == "header" else q.get("X-Amz-Security-Token")
    if key.token is not None:
        if not token:
            raise S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.",
                          reason="session key used without its x-amz-security-token")
        if not hmac.compare_digest(token.encode(), key.token.encode()):
            raise S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.",
                          reason="security token does not match the session key")
        if key.expires_at is not None and now > key.expires_at:
            raise S3Error(400, "ExpiredToken", "The provided token has expired.",
                          reason="session credentials expired")
    elif token:
        raise S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.",
                      reason="security token sent with a long-term key")

    # date and scope
    t = parse_amz_date(amz_date or "")
    if t is None:
        if res.kind == "header":
            raise S3Error(403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        raise S3Error(400, err_code, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"")
    res.amz_date = amz_date
    if cterm != "aws4_request":
        raise S3Error(400, err_code, f"Error parsing the X-Amz-Credential parameter; incorrect terminal "
                      f"'{cterm}'. This endpoint uses 'aws4_request'.")
    if cservice != "s3":
        raise S3Error(400, err_code, f"Error parsing the X-Amz-Credential parameter; incorrect service "
                      f"'{cservice}'. This endpoint belongs to 's3'.")
    if cdate != amz_date[:8]:
        raise S3Error(400, err_code, f"Error parsing the X-Amz-Credential parameter; Invalid credential date "
                      f"'{cdate}'. Date is not the same as X-Amz-Date: '{amz_date[:8]}'.")
    expected_region = bucket_region_fn() if bucket_region_fn else None
    if expected_region and cregion != expected_region:
        raise S3Error(400, err_code,
                      f"Error parsing the X-Amz-Credential parameter; the region '{cregion}' is wrong; "
                      f"expecting '{expected_region}'" if res.kind == "presigned" else
                      f"The authorization header is malformed; the region '{cregion}' is wrong; "
                      f"expecting '{expected_region}'",
                      {"Region": expected_region})
    res.region = cregion

    # time window
    if res.kind == "header":
        if abs(now - t) > MAX_SKEW:
            raise S3Error(403, "RequestTimeTooSkewed",
                          "The difference between the request time and the current time is too large.",
                          {"RequestTime": amz_date, "ServerTime": iso_utc(now),
                           "MaxAllowedSkewMilliseconds": "900000"})
    else:
        try:
            expires = int(q["X-Amz-Expires"])
        except ValueError:
            raise S3Error(400, err_code, "X-Amz-Expires should be a number")
        if expires < 0:
            raise S3Error(400, err_code, "X-Amz-Expires must be non-negative")
        if expires > MAX_EXPIRES:
            raise S3Error(400, err_code,
                          "X-Amz-Expires must be less than a week (in seconds) that is 604800 seconds")
        if t - now > MAX_SKEW:
            raise S3Error(403, "AccessDenied", "Request is not valid yet",
                          reason="presigned X-Amz-Date is in the future")
        if now > t + expires:
            raise S3Error(403, "AccessDenied", "Request has expired",
                          {"X-Amz-Expires": str(expires), "Expires": iso_utc(t + expires),
                           "ServerTime": iso_utc(now)}, reason="presigned URL expired")

    # signed headers
    signed_names = signed_headers_s.split(";")
    if not signed_names or any(n != n.lower() or not n for n in signed_names) or signed_names != sorted(signed_names):
        # AWS itself just fails the signature for unsorted/uppercase lists
        pass
    signed_set = set(signed_names)
    if "host" not in signed_set:
        raise S3Error(400, err_code if res.kind == "presigned" else "AuthorizationHeaderMalformed",
                      "The request signature must include the host header in SignedHeaders.")
    unsigned_amz = sorted({n.lower() for n, _ in headers_list
                           if n.lower().startswith("x-amz-") and n.lower() not in signed_set
                           and not (res.kind == "header" and n.lower() == "x-amz-content-sha256" and False)})
    if unsigned_amz:
        raise S3Error(403, "AccessDenied", "There were headers present in the request which were not signed",
                      {"HeadersNotSigned": ", ".join(unsigned_amz)},
                      reason="unsigned x-amz-* headers: " + ", ".join(unsigned_amz))

    # payload claim
    if res.kind == "header":
        claim = headers.get("x-amz-content-sha256")
        if claim is None:
            raise S3Error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        if not (claim == UNSIGNED_PAYLOAD or claim in STREAMING_VALUES or HEX64.match(claim)):
            raise S3Error(400, "InvalidArgument",
                          "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
                          "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, "
                          "or a valid sha256 value.")
        payload_for_sig = claim
    else:
        claim = q.get("X-Amz-Content-Sha256") or (
            headers.get("x-amz-content-sha256") if "x-amz-content-sha256" in signed_set else None)
        payload_for_sig = claim or UNSIGNED_PAYLOAD
        claim = payload_for_sig
    res.payload_claim = claim

    canonical = build_canonical_request(method, raw_path, pairs, headers_list, signed_names, payload_for_sig)
    sts, expected = compute_signature(key, cregion, cservice, amz_date, canonical)
    if not hmac.compare_digest(expected.encode(), provided.encode()):
        raise S3Error(403, "SignatureDoesNotMatch",
                      "The request signature we calculated does not match the signature you provided. "
                      "Check your key and signing method.",
                      {"AWSAccessKeyId": access_key, "StringToSign": sts, "SignatureProvided": provided,
                       "CanonicalRequest": canonical},
                      reason="signature mismatch")
    res.seed_signature = provided
    res.scope = f"{cdate}/{cregion}/{cservice}/{cterm}"
    res.signing_key = signing_key_bytes(key.secret, cdate, cregion, cservice)
    return res


# --------------------------------------------------------------------------
# body reading (Content-Length / chunked / aws-chunked), hashing, spooling

class BodyReader:
    def __init__(self, rfile, headers):
        self.rfile = rfile
        self.headers = headers
        te = (headers.get("Transfer-Encoding") or "").lower()
        self.chunked = "chunked" in te
        cl = headers.get("Content-Length")
        self.length = None
        if cl is not None:
            try:
                self.length = int(cl)
            except ValueError:
                raise S3Error(400, "InvalidArgument", "Content-Length is not a number")
            if self.length < 0:
                raise S3Error(400, "InvalidArgument", "Content-Length is negative")
        self.consumed = False

    def has_body(self):
        return self.chunked or (self.length or 0) > 0

    def iter_raw(self):
        """Yield the message body bytes (transfer-decoded)."""
        if self.consumed:
            return
        self.consumed = True
        if self.chunked:
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    raise S3Error(400, "IncompleteBody", "The request body terminated unexpectedly")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:  # trailers
                        tl = self.rfile.readline(65537)
                        if tl in (b"\r\n", b"\n", b""):
                            break
                    return
                left = size
                while left:
                    b = self.rfile.read(min(left, IO_CHUNK))
                    if not b:
                        raise S3Error(400, "IncompleteBody", "The request body terminated unexpectedly")
                    left -= len(b)
                    yield b
                self.rfile.readline(65537)
        else:
            left = self.length or 0
            while left:
                b = self.rfile.read(min(left, IO_CHUNK))
                if not b:
                    raise S3Error(400, "IncompleteBody",
                                  "You did not provide the number of bytes specified by the Content-Length HTTP header")
                left -= len(b)
                yield b

    def drain(self) -> bool:
        """Consume the rest of the body; False if it is too large to bother (close instead)."""
        if self.consumed:
            return True
        if not self.chunked and (self.length or 0) > DRAIN_LIMIT:
            return False
        try:
            for _ in self.iter_raw():
                pass
        except (S3Error, OSError, ValueError):
            return False
        return True


class StreamBuf:
    """Byte-stream reader over an iterator (for aws-chunked decoding)."""

    def __init__(self, it):
        self.it = it
        self.buf = b""

    def _fill(self, n):
        while len(self.buf) < n:
            try:
                self.buf += next(self.it)
            except StopIteration:
                return False
        return True

    def readline(self):
        while b"\r\n" not in self.buf:
            try:
                self.buf += next(self.it)
            except StopIteration:
                line, self.buf = self.buf, b""
                return line
            if len(self.buf) > 1 << 20 and b"\r\n" not in self.buf[:1 << 20]:
                raise S3Error(400, "InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes")
        i = self.buf.index(b"\r\n")
        line, self.buf = self.buf[:i + 2], self.buf[i + 2:]
        return line

    def read_exact(self, n):
        out = []
        while n:
            if not self.buf:
                try:
                    self.buf = next(self.it)
                except StopIteration:
                    raise S3Error(400, "IncompleteBody", "The request body terminated unexpectedly")
            take = self.buf[:n]
            self.buf = self.buf[len(take):]
            n -= len(take)
            out.append(take)
        return b"".join(out)


def decode_aws_chunked(raw_iter, auth: AuthResult, mode: str, trailers: dict):
    """Yield decoded payload bytes; verify chunk signatures for signed streaming.
    Trailing headers (x-amz-checksum-*) are stored into `trailers`."""
    sb = StreamBuf(iter(raw_iter))
    prev_sig = auth.seed_signature
    signed = mode in (STREAMING_SIGNED, STREAMING_SIGNED_TRAILER)
    while True:
        line = sb.readline()
        if not line:
            raise S3Error(400, "IncompleteBody", "The request body terminated unexpectedly")
        header = line.strip().decode("latin-1")
        size_s, _, ext = header.partition(";")
        try:
            size = int(size_s, 16)
        except ValueError:
            raise S3Error(400, "InvalidChunkSizeError", "Invalid chunk size")
        data = sb.read_exact(size)
        if signed:
            m = re.match(r"chunk-signature=([0-9a-f]{64})", ext.strip())
            if not m:
                raise S3Error(403, "SignatureDoesNotMatch", "Chunk signature missing",
                              reason="aws-chunked chunk without chunk-signature")
            sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", auth.amz_date, auth.scope, prev_sig, EMPTY_SHA256,
                             hashlib.sha256(data).hexdigest()])
            calc = hmac.new(auth.signing_key, sts.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(calc, m.group(1)):
                raise S3Error(403, "SignatureDoesNotMatch",
                              "The request signature we calculated does not match the signature you provided. "
                              "Check your key and signing method.", reason="aws-chunked chunk signature mismatch")
            prev_sig = calc
        if size == 0:
            break
        if sb.readline() not in (b"\r\n",):
            raise S3Error(400, "IncompleteBody", "Malformed aws-chunked body")
        yield data
    # trailers
    while True:
        line = sb.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").strip().partition(":")
        trailers[name.strip().lower()] = value.strip()


CHECKSUM_ALGOS = {
    "x-amz-checksum-crc32": "crc32",
    "x-amz-checksum-sha1": "sha1",
    "x-amz-checksum-sha256": "sha256",
}


class Hashers:
    def __init__(self, want_sha256, want_md5, checksum_names):
        self.sha = hashlib.sha256() if want_sha256 else None
        self.md5 = hashlib.md5() if want_md5 else None
        self.crc32 = 0 if "crc32" in checksum_names else None
        self.sha1 = hashlib.sha1() if "sha1" in checksum_names else None
        self.csha = hashlib.sha256() if "sha256" in checksum_names else None
        self.size = 0

    def update(self, b):
        self.size += len(b)
        if self.sha is not None:
            self.sha.update(b)
        if self.md5 is not None:
            self.md5.update(b)
        if self.crc32 is not None:
            self.crc32 = zlib.crc32(b, self.crc32)
        if self.sha1 is not None:
            self.sha1.update(b)
        if self.csha is not None:
            self.csha.update(b)

    def checksum_b64(self, algo):
        if algo == "crc32":
            return base64.b64encode((self.crc32 & 0xFFFFFFFF).to_bytes(4, "big")).decode()
        if algo == "sha1":
            return base64.b64encode(self.sha1.digest()).decode()
        if algo == "sha256":
            return base64.b64encode(self.csha.digest()).decode()
        return None


# --------------------------------------------------------------------------
# server state

class Fault:
    def __init__(self, d: dict):
        self.count = int(d.get("count", 1))
        self.status = d.get("status")
        self.code = d.get("code")
        self.message = d.get("message")
        self.method = (d.get("method") or "").upper() or None
        self.key_prefix = d.get("keyPrefix")
        self.bucket = d.get("bucket")
        self.operation = d.get("operation")
        self.access_key = d.get("accessKeyId")
        self.action = d.get("action", "error")
        self.delay = float(d.get("delaySeconds", 0) or 0)
        if self.action == "error" and self.status is None and self.delay == 0:
            self.status = 503
        if self.status is not None:
            self.status = int(self.status)
            if not self.code:
                self.code = {500: "InternalError", 503: "SlowDown", 400: "BadRequest",
                             403: "AccessDenied", 404: "NoSuchKey"}.get(self.status, "InternalError")
            if not self.message:
                self.message = {"SlowDown": "Please reduce your request rate.",
                                "InternalError": "We encountered an internal error. Please try again."
                                }.get(self.code, f"Injected fault {self.code}")

    def matches(self, method, cl: Classified, access_key):
        if self.method and self.method != method.upper():
            return False
        if self.bucket and self.bucket != cl.bucket:
            return False
        if self.key_prefix is not None and not (cl.key or "").startswith(self.key_prefix):
            return False
        if self.operation and self.operation != cl.operation:
            return False
        if self.access_key and self.access_key != access_key:
            return False
        return True

    def describe(self):
        return {"action": self.action, "status": self.status, "code": self.code, "delaySeconds": self.delay}


class State:
    def __init__(self, args):
        self.store = CredentialStore(args.credentials)
        self.upstream = urllib.parse.urlsplit(args.upstream)
        self.require_sse = not args.no_require_sse
        self.record_path = args.record
        self.lock = threading.Lock()
        self.records = collections.deque(maxlen=200000)
        self.seq = 0
        self.faults: list[Fault] = []
        self.clock_offset = 0.0
        self.bucket_regions: dict[str, str] = {}
        self.default_region = self.store.region
        self.record_file = None
        if self.record_path:
            d = os.path.dirname(os.path.abspath(self.record_path))
            os.makedirs(d, exist_ok=True)
            self.record_file = open(self.record_path, "a", encoding="utf-8")

    def record(self, rec: dict):
        with self.lock:
            self.seq += 1
            rec["seq"] = self.seq
            self.records.append(rec)
            if self.record_file:
                self.record_file.write(json.dumps(rec, ensure_ascii=False) + "\n")
                self.record_file.flush()

    def take_fault(self, method, cl, access_key):
        with self.lock:
            for f in self.faults:
                if f.count > 0 and f.matches(method, cl, access_key):
                    f.count -= 1
                    if f.count <= 0:
                        self.faults.remove(f)
                    return f
        return None

    def upstream_conn(self, timeout=600):
        return http.client.HTTPConnection(self.upstream.hostname, self.upstream.port or 80, timeout=timeout)

    def upstream_host(self):
        return self.upstream.netloc

    def bucket_region(self, bucket: str) -> str | None:
        if bucket in self.bucket_regions:
            return self.bucket_regions[bucket]
        try:
            c = self.upstream_conn(timeout=10)
            c.request("GET", "/" + urllib.parse.quote(bucket, safe="") + "?location",
                      headers={"Host": self.upstream_host()})
            r = c.getresponse()
            body = r.read()
            c.close()
        except OSError:
            return None
        if r.status != 200:
            return None
        try:
            root = ET.fromstring(body)
            region = (root.text or "").strip() or "us-east-1"
        except ET.ParseError:
            return None
        self.bucket_regions[bucket] = region
        return region


# --------------------------------------------------------------------------
# HTTP handler

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "voltlake-verifier"
    sys_version = ""

    def log_message(self, fmt, *args):
        if getattr(self.server, "quiet", False):
            return
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    @property
    def st(self) -> State:
        return self.server.state

    # every method goes through one place
    def do_GET(self): self.dispatch()
    def do_PUT(self): self.dispatch()
    def do_POST(self): self.dispatch()
    def do_DELETE(self): self.dispatch()
    def do_HEAD(self): self.dispatch()
    def do_OPTIONS(self): self.dispatch()
    def do_PATCH(self): self.dispatch()

    # ---- low-level response writers

    def send_bytes(self, status, body: bytes, headers: dict | None = None, content_type="application/xml"):
        self.send_response(status)
        hdrs = dict(headers or {})
        if content_type and "Content-Type" not in hdrs:
            hdrs["Content-Type"] = content_type
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0" if self.command == "HEAD" else str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def send_json(self, status, obj):
        body = json.dumps(obj, ensure_ascii=False, indent=None).encode("utf-8")
        self.send_bytes(status, body, content_type="application/json")

    def send_s3_error(self, err: S3Error, request_id: str, resource: str | None):
        body = error_xml(err, request_id, resource)
        self.send_bytes(err.status, body, {"x-amz-request-id": request_id,
                                           "x-amz-id-2": base64.b64encode(request_id.encode()).decode()})

    # ---- main entry

    def dispatch(self):
        raw_line = self.raw_requestline.decode("latin-1").rstrip("\r\n")
        words = raw_line.split()
        target = words[1] if len(words) >= 2 else self.path
        if target.startswith("http://") or target.startswith("https://"):
            target = urllib.parse.urlsplit(target)._replace(scheme="", netloc="").geturl() or "/"
        raw_path, _, raw_query = target.partition("?")
        if raw_path.startswith(CONTROL_PREFIX) or raw_path == CONTROL_PREFIX.rstrip("/"):
            try:
                self.control(raw_path, raw_query)
            except Exception as e:  # noqa: BLE001
                self.close_connection = True
                self.send_json(500, {"error": repr(e)})
            return
        self.s3(raw_path, raw_query)

    # ---- S3 path

    def s3(self, raw_path, raw_query):
        st = self.st
        started = time.time()
        request_id = new_request_id()
        headers = self.headers
        headers_list = list(headers.items())
        pairs = parse_query(raw_query)
        qnames = {k for k, _ in pairs}
        cl = classify(self.command, raw_path, qnames, headers)
        rec = {
            "time": iso_utc(started), "requestId": request_id, "remote": self.client_address[0],
            "method": self.command, "path": raw_to_text(raw_path),
            "query": "&".join(f"{k}={v}" if v else k for k, v in pairs
                              if k not in ("X-Amz-Signature", "X-Amz-Security-Token", "X-Amz-Credential")),
            "accessKeyId": None, "auth": "none", "operation": cl.operation,
            "action": cl.actions[0][0], "actions": [a for a, _ in cl.actions],
            "bucket": cl.bucket, "key": cl.key, "status": None, "allowed": False, "code": None,
            "reason": None, "sse": headers.get("x-amz-server-side-encryption"),
            "payload": None, "bytesIn": 0, "bytesOut": 0,
        }
        body_reader = None
        spool = None
        try:
            body_reader = BodyReader(self.rfile, headers)
            now = now_epoch(st)

            def region_fn():
                if cl.bucket is None or cl.operation == "CreateBucket":
                    return None
                return st.bucket_region(cl.bucket)

            auth = judge(self.command, raw_path, raw_query, headers_list, headers, st.store, now, region_fn)
            rec["auth"] = auth.kind
            rec["accessKeyId"] = auth.access_key
            rec["payload"] = (auth.payload_claim if auth.payload_claim in (UNSIGNED_PAYLOAD, *STREAMING_VALUES)
                              else ("signed" if auth.payload_claim else None))
            if auth.kind == "none":
                raise S3Error(403, "AccessDenied", "Access Denied", reason="anonymous (unsigned) request")

            # authorisation
            for action, b in cl.actions:
                if not auth.key_info.allows(action, b):
                    raise S3Error(403, "AccessDenied", "Access Denied",
                                  reason=f"{auth.key_info.name} key lacks {action} on "
                                         f"{'arn:aws:s3:::' + b if b else '*'}")
            if st.require_sse and cl.operation in ("PutObject", "CopyObject", "CreateMultipartUpload"):
                sse = headers.get("x-amz-server-side-encryption")
                if sse is None:
                    sse = dict(pairs).get("x-amz-server-side-encryption")
                if sse not in ("AES256", "aws:kms", "aws:kms:dsse"):
                    raise S3Error(403, "AccessDenied", "Access Denied",
                                  reason="require-SSE policy: x-amz-server-side-encryption missing "
                                         f"or not AES256/aws:kms (got {sse!r})")

            # body: read, hash, verify, spool
            if self.command in ("PUT", "POST") and not body_reader.chunked and body_reader.length is None:
                raise S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
            spool, fwd_headers = self.read_and_verify_body(body_reader, auth, headers, rec)

            # injected faults
            fault = st.take_fault(self.command, cl, auth.access_key)
            if fault is not None:
                rec["fault"] = fault.describe()
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.action == "drop":
                    rec.update(status=0, allowed=True, code="ConnectionDropped", reason="injected fault: drop")
                    self.close_connection = True
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if fault.status is not None:
                    raise S3Error(fault.status, fault.code, fault.message, reason="injected fault")

            if cl.operation in ("PutObject", "UploadPart") and spool is not None:
                ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    # moto (werkzeug) swallows form-typed bodies: store the bytes, lose the type
                    fwd_headers = [(k, v) for k, v in fwd_headers if k.lower() != "content-type"]
                    fwd_headers.append(("Content-Type", "application/octet-stream"))
                    rec["note"] = (f"moto cannot store a {ctype} body; forwarded as application/octet-stream")

            rec["allowed"] = True
            status, nout = self.forward(raw_path, raw_query, fwd_headers, spool, cl, request_id)
            rec["status"] = status
            rec["bytesOut"] = nout
            if status >= 300:
                rec["reason"] = "upstream answered %d" % status
            if cl.operation in ("CreateBucket", "DeleteBucket") and cl.bucket:
                st.bucket_regions.pop(cl.bucket, None)
        except S3Error as err:
            rec["status"] = err.status
            rec["code"] = err.code
            rec["reason"] = err.reason
            if err.reason == "injected fault":
                rec["allowed"] = True
            if body_reader is not None and not body_reader.drain():
                self.close_connection = True
            resource = "/" + (cl.bucket or "") + ("/" + cl.key if cl.key else "")
            try:
                self.send_s3_error(err, request_id, resource)
            except OSError:
                self.close_connection = True
        except (ConnectionError, socket.timeout, http.client.HTTPException) as e:
            rec["status"] = rec["status"] or 502
            rec["code"] = rec["code"] or "UpstreamError"
            rec["reason"] = f"{type(e).__name__}: {e}"
            self.close_connection = True
            try:
                self.send_s3_error(S3Error(503, "ServiceUnavailable", "Upstream (moto) failed: " + str(e)),
                                   request_id, None)
            except OSError:
                pass
        finally:
            if spool is not None:
                spool.close()
            rec["durationMs"] = int((time.time() - started) * 1000)
            st.record(rec)

    def read_and_verify_body(self, body_reader: BodyReader, auth: AuthResult, headers, rec):
        """Read the whole body into a spool file while hashing; verify the payload claims.
        Returns (spool or None, headers to forward)."""
        claim = auth.payload_claim
        content_md5 = headers.get("Content-MD5")
        checksum_hdrs = {CHECKSUM_ALGOS[h.lower()]: v for h, v in headers.items() if h.lower() in CHECKSUM_ALGOS}
        fwd = [(k, v) for k, v in headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"]
        content_enc = [e.strip().lower() for e in (headers.get("Content-Encoding") or "").split(",") if e.strip()]
        streaming = claim in STREAMING_VALUES or "aws-chunked" in content_enc
        if not body_reader.has_body() and not streaming:
            if claim and HEX64.match(claim) and claim != EMPTY_SHA256:
                raise S3Error(400, "XAmzContentSHA256Mismatch",
                              "The provided 'x-amz-content-sha256' header does not match what was computed.",
                              {"ClientComputedContentSHA256": claim, "S3ComputedContentSHA256": EMPTY_SHA256},
                              reason="payload hash mismatch")
            if content_md5 is not None:
                self.check_md5(content_md5, hashlib.md5(b""))
            out = [(k, v) for k, v in fwd if k.lower() != "content-length"]
            if body_reader.length is not None or self.command in ("PUT", "POST"):
                out.append(("Content-Length", "0"))
            return None, out

        trailer_names = [t.strip().lower() for t in (headers.get("x-amz-trailer") or "").split(",") if t.strip()]
        for t in trailer_names:
            if t in CHECKSUM_ALGOS:
                checksum_hdrs.setdefault(CHECKSUM_ALGOS[t], None)
        hashers = Hashers(bool(claim and HEX64.match(claim)), content_md5 is not None, set(checksum_hdrs))
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        try:
            raw = body_reader.iter_raw()
            trailers = {}
            if streaming:
                if claim not in STREAMING_VALUES:
                    raise S3Error(400, "InvalidArgument", "aws-chunked body without a STREAMING-* x-amz-content-sha256")
                gen = decode_aws_chunked(raw, auth, claim, trailers)
            else:
                gen = raw
            for b in gen:
                hashers.update(b)
                spool.write(b)
            rec["bytesIn"] = hashers.size
            if streaming:
                dlen = headers.get("x-amz-decoded-content-length")
                if dlen is not None and dlen.isdigit() and int(dlen) != hashers.size:
                    raise S3Error(400, "IncompleteBody",
                                  "You did not provide the number of bytes specified by the x-amz-decoded-content-length header")
                for t in trailer_names:
                    if t in CHECKSUM_ALGOS and t in trailers:
                        checksum_hdrs[CHECKSUM_ALGOS[t]] = trailers[t]
                fwd = [(k, v) for k, v in fwd if k.lower() not in
                       ("x-amz-decoded-content-length", "x-amz-trailer", "content-encoding", "x-amz-content-sha256")]
                rest = [e for e in content_enc if e != "aws-chunked"]
                if rest:
                    fwd.append(("Content-Encoding", ", ".join(rest)))
                fwd.append(("x-amz-content-sha256", UNSIGNED_PAYLOAD))
                for t in trailer_names:
                    if t in trailers:
                        fwd.append((t, trailers[t]))
            elif claim and HEX64.match(claim):
                got = hashers.sha.hexdigest()
                if got != claim:
                    raise S3Error(400, "XAmzContentSHA256Mismatch",
                                  "The provided 'x-amz-content-sha256' header does not match what was computed.",
                                  {"ClientComputedContentSHA256": claim, "S3ComputedContentSHA256": got},
                                  reason="payload hash mismatch")
            if content_md5 is not None:
                self.check_md5(content_md5, hashers.md5)
            for algo, val in checksum_hdrs.items():
                if val is None:
                    continue
                calc = hashers.checksum_b64(algo)
                if calc is not None and calc != val:
                    raise S3Error(400, "BadDigest",
                                  f"The {algo.upper()} you specified did not match the calculated checksum.",
                                  reason=f"x-amz-checksum-{algo} mismatch")
            fwd = [(k, v) for k, v in fwd if k.lower() != "content-length"]
            fwd.append(("Content-Length", str(hashers.size)))
            spool.seek(0)
            return spool, fwd
        except BaseException:
            spool.close()
            raise

    @staticmethod
    def check_md5(value, md5obj):
        try:
            want = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            want = b""
        if len(want) != 16:
            raise S3Error(400, "InvalidDigest", "The Content-MD5 you specified was invalid.",
                          {"Content-MD5": value}, reason="invalid Content-MD5")
        if want != md5obj.digest():
            raise S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.",
                          {"ExpectedDigest": want.hex(), "CalculatedDigest": md5obj.hexdigest()},
                          reason="Content-MD5 mismatch")

    def forward(self, raw_path, raw_query, fwd_headers, spool, cl, request_id):
        st = self.st
        conn = st.upstream_conn()
        try:
            target = raw_path + ("?" + raw_query if raw_query else "")
            conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", st.upstream_host())
            for k, v in fwd_headers:
                conn.putheader(k, v.encode("latin-1", "replace") if isinstance(v, str) else v)
            conn.endheaders()
            if spool is not None:
                while True:
                    b = spool.read(IO_CHUNK)
                    if not b:
                        break
                    conn.send(b)
            resp = conn.getresponse()
            status = resp.status
            out_headers = []
            for k, v in resp.getheaders():
                lk = k.lower()
                if lk in HOP_BY_HOP or lk in ("content-length", "server", "date"):
                    continue
                out_headers.append((k, v))
            length = resp.getheader("Content-Length")
            no_body = self.command == "HEAD" or status in (204, 304) or 100 <= status < 200
            body_spool = None
            if not no_body and length is None:
                # upstream did not say: buffer so that we can always send Content-Length
                body_spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
                while True:
                    b = resp.read(IO_CHUNK)
                    if not b:
                        break
                    body_spool.write(b)
                length = str(body_spool.tell())
                body_spool.seek(0)
            self.send_response(status)
            if not any(k.lower() == "x-amz-request-id" for k, _ in out_headers):
                self.send_header("x-amz-request-id", request_id)
            for k, v in out_headers:
                self.send_header(k, v)
            if no_body:
                if self.command == "HEAD" and length is not None:
                    self.send_header("Content-Length", length)
                elif self.command != "HEAD":
                    self.send_header("Content-Length", "0")
                else:
                    self.send_header("Content-Length", "0")
            else:
                self.send_header("Content-Length", length)
            self.end_headers()
            sent = 0
            if not no_body:
                src = body_spool if body_spool is not None else resp
                while True:
                    b = src.read(IO_CHUNK)
                    if not b:
                        break
                    self.wfile.write(b)
                    sent += len(b)
                if body_spool is not None:
                    body_spool.close()
                if str(sent) != length:
                    self.close_connection = True
            else:
                resp.read()
            return status, sent
        finally:
            conn.close()

    # ---- control endpoints

    def read_small_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return b"".join(BodyReader(self.rfile, self.headers).iter_raw())
        return self.rfile.read(n) if n else b""

    def control(self, raw_path, raw_query):
        st = self.st
        sub = raw_path[len(CONTROL_PREFIX):] if raw_path.startswith(CONTROL_PREFIX) else ""
        q = dict(parse_query(raw_query))
        body = self.read_small_body()
        m = self.command
        if sub == "health" and m in ("GET", "HEAD"):
            ok = True
            try:
                c = st.upstream_conn(timeout=5)
                c.request("GET", "/", headers={"Host": st.upstream_host()})
                up = c.getresponse().status
                c.read() if False else None
                c.close()
            except OSError as e:
                ok, up = False, repr(e)
            return self.send_json(200 if ok else 503, {"ok": ok, "upstream": up, "requireSse": st.require_sse,
                                                       "seq": st.seq, "clockOffsetSeconds": st.clock_offset})
        if sub == "requests":
            if m == "GET":
                since = int(q.get("since", "0") or 0)
                limit = int(q.get("limit", "0") or 0)
                with st.lock:
                    out = [r for r in st.records if r["seq"] > since]
                if limit:
                    out = out[:limit]
                return self.send_json(200, out)
            if m == "DELETE":
                with st.lock:
                    st.records.clear()
                return self.send_json(200, {"ok": True, "seq": st.seq})
        if sub == "faults":
            if m == "POST":
                d = json.loads(body or b"{}")
                items = d if isinstance(d, list) else [d]
                with st.lock:
                    for it in items:
                        st.faults.append(Fault(it))
                return self.send_json(200, {"ok": True, "pending": len(st.faults)})
            if m == "DELETE":
                with st.lock:
                    st.faults.clear()
                return self.send_json(200, {"ok": True})
            if m == "GET":
                with st.lock:
                    return self.send_json(200, [dict(f.describe(), count=f.count) for f in st.faults])
        if sub == "config":
            if m == "POST":
                d = json.loads(body or b"{}")
                if "requireSse" in d:
                    st.require_sse = bool(d["requireSse"])
                if "clockOffsetSeconds" in d:
                    st.clock_offset = float(d["clockOffsetSeconds"])
            return self.send_json(200, {"requireSse": st.require_sse, "clockOffsetSeconds": st.clock_offset})
        if sub.startswith("buckets/") and m in ("POST", "PUT"):
            name = urllib.parse.unquote(sub[len("buckets/"):]).strip("/")
            region = q.get("region") or st.default_region
            cfg = b"" if region == "us-east-1" else (
                "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                f"<LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>").encode()
            c = st.upstream_conn(timeout=30)
            c.request("PUT", "/" + urllib.parse.quote(name, safe=""), body=cfg,
                      headers={"Host": st.upstream_host(), "Content-Length": str(len(cfg))})
            r = c.getresponse()
            rb = r.read()
            c.close()
            st.bucket_regions.pop(name, None)
            if r.status == 200:
                return self.send_json(200, {"ok": True, "bucket": name, "region": region, "created": True})
            text = rb.decode("utf-8", "replace")
            if "BucketAlreadyOwnedByYou" in text or "BucketAlreadyExists" in text:
                return self.send_json(200, {"ok": True, "bucket": name, "region": st.bucket_region(name),
                                            "created": False})
            return self.send_json(r.status, {"ok": False, "status": r.status, "body": text})
        if sub.startswith("multipart-uploads/") and m == "GET":
            name = urllib.parse.unquote(sub[len("multipart-uploads/"):]).strip("/")
            c = st.upstream_conn(timeout=30)
            c.request("GET", "/" + urllib.parse.quote(name, safe="") + "?uploads",
                      headers={"Host": st.upstream_host()})
            r = c.getresponse()
            rb = r.read()
            c.close()
            if r.status != 200:
                return self.send_json(r.status, {"ok": False, "status": r.status,
                                                 "body": rb.decode("utf-8", "replace")})
            root = ET.fromstring(rb)
            ups = []
            for el in root.iter():
                if el.tag.split("}")[-1] == "Upload":
                    item = {}
                    for ch in el:
                        tag = ch.tag.split("}")[-1]
                        if tag in ("Key", "UploadId", "Initiated", "StorageClass"):
                            item[tag[0].lower() + tag[1:]] = ch.text
                    ups.append(item)
            return self.send_json(200, ups)
        self.send_json(404, {"error": f"unknown control endpoint {m} {raw_path}"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=19000)
    ap.add_argument("--upstream", default="http://127.0.0.1:15000")
    ap.add_argument("--credentials", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                          "credentials.json"))
    ap.add_argument("--no-require-sse", action="store_true", help="do not require x-amz-server-side-encryption")
    ap.add_argument("--record", default=None, help="append a JSON line per request to this file")
    ap.add_argument("--quiet", action="store_true", help="no per-request access log on stderr")
    args = ap.parse_args(argv)
    srv = Server((args.host, args.port), Handler)
    srv.state = State(args)
    srv.quiet = args.quiet
    sys.stderr.write(f"voltlake verifier on http://{args.host}:{args.port} -> {args.upstream} "
                     f"(require SSE: {srv.state.require_sse}; keys: {', '.join(srv.state.store.keys)})\n")
    sys.stderr.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
