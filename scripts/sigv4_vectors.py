#!/usr/bin/env python3
"""Differential SigV4 vectors for S3, signed by botocore with a fixed clock.

Prints JSON on stdout: {"botocore": VERSION, "seed": S, "cases": [...]}. Each case gives the
inputs (credentials, region, date, method, host, decoded path, decoded query, headers, payload
hash or expiry) and what botocore produced: the Authorization header (and the other signing
headers) for header signing, or the full presigned URL; plus the path and query botocore put on
the wire. The Swift test `DifferentialTests` signs every case with our signer and expects the same.

botocore is the judge because it is an independent implementation that reproduces AWS's published
examples (checked at start: this script exits non-zero if it does not). S3 signing in botocore
(S3SigV4Auth / S3SigV4QueryAuth) does not normalize or double-encode the path: the path on the
wire is the key encoded once, as botocore's REST serializer does (percent_encode(key, safe='/~')).

Usage: sigv4_vectors.py --seed 42 --count 3000
"""

import argparse
import datetime
import json
import random
import sys
from urllib.parse import urlsplit

try:
    import botocore
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode, percent_encode_sequence
except ImportError as error:  # the Swift test reports this and fails
    sys.stderr.write(f"sigv4_vectors.py: botocore is not importable ({error}); install it with 'pip install botocore'\n")
    sys.exit(3)


# --- a fixed clock -----------------------------------------------------------------------------

_NOW = [datetime.datetime(2013, 5, 24)]
botocore.auth.get_current_datetime = lambda: _NOW[0]


def at(epoch):
    _NOW[0] = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).replace(tzinfo=None)


class _S3Config:
    """A stand-in client config telling S3SigV4Auth whether to sign the payload."""

    def __init__(self, sign_payload):
        self.s3 = {"payload_signing_enabled": sign_payload}


# --- signing with botocore ----------------------------------------------------------------------

def wire_path(path):
    # What botocore's REST serializer puts on the wire for an S3 key: encoded once, "/" kept.
    encoded = percent_encode(path, safe="/~")
    return encoded if encoded.startswith("/") else "/" + encoded


def wire_url(scheme, host, path, query):
    # As botocore.awsrequest.prepare_request_dict builds it for a real S3 call: the serialized
    # query percent-encoded (space as %20, never "+") and appended to the URL.
    url = f"{scheme}://{host}{wire_path(path)}"
    if query:
        url += "?" + percent_encode_sequence([(name, value) for name, value in query])
    return url


def sign_header(creds, region, epoch, scheme, method, host, path, query, headers, body, sign_payload):
    at(epoch)
    request = AWSRequest(method=method, url=wire_url(scheme, host, path, query), headers=dict(headers), data=body)
    request.context["client_config"] = _S3Config(sign_payload)
    botocore.auth.S3SigV4Auth(creds, "s3", region).add_auth(request)
    parts = urlsplit(request.url)
    return {
        "authorization": request.headers["Authorization"],
        "x-amz-date": request.headers["X-Amz-Date"],
        "x-amz-content-sha256": request.headers["X-Amz-Content-SHA256"],
        "x-amz-security-token": request.headers.get("X-Amz-Security-Token"),
        "wirePath": parts.path,
        "wireQuery": parts.query,
    }


def presign(creds, region, epoch, scheme, method, host, path, query, headers, expires):
    at(epoch)
    request = AWSRequest(method=method, url=wire_url(scheme, host, path, query), headers=dict(headers))
    botocore.auth.S3SigV4QueryAuth(creds, "s3", region, expires=expires).add_auth(request)
    parts = urlsplit(request.url)
    user_names = {percent_encode(name) for name, _ in query}
    user_pairs = [pair for pair in parts.query.split("&") if pair.partition("=")[0] in user_names]
    return {"url": request.url, "wirePath": parts.path, "wireQuery": "&".join(user_pairs)}


def self_check():
    """botocore must reproduce AWS's published presign example before it may judge us."""
    creds = Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    url = presign(creds, "us-east-1", 1369353600, "https", "GET", "examplebucket.s3.amazonaws.com",
                  "/test.txt", [], [], 86400)["url"]
    expected = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
    if not url.endswith("X-Amz-Signature=" + expected):
        sys.stderr.write(f"sigv4_vectors.py: botocore does not reproduce AWS's presign example: {url}\n")
        sys.exit(4)
    # S3 paths are encoded once: "%" and "+" must not be double-encoded or normalized away.
    at(1369353600)
    request = AWSRequest(method="GET", url=wire_url("https", "h", "/b/a b+c%d/./x", []))
    request.context["timestamp"] = "20130524T000000Z"
    signer = botocore.auth.S3SigV4Auth(creds, "s3", "us-east-1")
    signer._modify_request_before_signing(request)
    path = signer.canonical_request(request).split("\n")[1]
    if path != "/b/a%20b%2Bc%25d/./x":
        sys.stderr.write(f"sigv4_vectors.py: botocore's S3 canonical path is {path!r}, expected encoded once\n")
        sys.exit(4)


# --- random inputs ------------------------------------------------------------------------------

KEY_PIECES = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list(" +%=&~!'()*-_.,;:@$?#[]^`{}|\"<>\\")
    + list("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
    + ["😀", "🖼️", "日本", "é", "ß", "€", "\u00a0", "%20", "%2F", "a+b", "a b", " ", "  "]
)
WORDS = ["images", "components", "catalogue", "2024", "zdjęcia", "żółw", "a b+c", "100%", "x=y&z",
         "~tilde", "(copy)", "it's", "*star*", "!bang", "emoji😀", "..", ".", "ąćęłńóśźż"]
SAFE_VALUE = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~/=+:;,()@!*'\" ")


def rand_segment(rng):
    if rng.random() < 0.3:
        return rng.choice(WORDS)
    return "".join(rng.choice(KEY_PIECES) for _ in range(rng.randint(1, 12)))


def rand_key(rng):
    segments = [rand_segment(rng) for _ in range(rng.randint(1, 8))]
    if rng.random() < 0.15:  # empty segments: "a//b", trailing "/"
        segments.insert(rng.randint(0, len(segments)), "")
    key = "/".join(segments)
    if rng.random() < 0.05:
        key += "/"
    return key


def rand_token(rng, length):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(rng.choice(alphabet) for _ in range(length)) + rng.choice(["", "=", "=="])


def rand_credentials(rng):
    access = rng.choice(["AKIA", "ASIA", "VOLT"]) + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    secret = rand_token(rng, 40)[:40]
    token = rand_token(rng, rng.randint(40, 400)) if rng.random() < 0.4 else None
    return access, secret, token


def odd_whitespace(rng, text):
    pad = lambda: "".join(rng.choice([" ", "\t", "  "]) for _ in range(rng.randint(0, 3)))
    words = text.split(" ")
    inner = "".join(w + rng.choice([" ", "  ", "\t", " \t ", "   "]) for w in words[:-1]) + words[-1]
    return pad() + inner + pad()


def rand_header_value(rng):
    words = ["".join(rng.choice(SAFE_VALUE[:-1]) for _ in range(rng.randint(1, 10))) for _ in range(rng.randint(1, 5))]
    return odd_whitespace(rng, " ".join(words))


def rand_headers(rng, presigning):
    headers = []
    names = set()

    def add(name, value):
        if name.lower() not in names:
            names.add(name.lower())
            headers.append([name, value])

    for _ in range(rng.randint(0, 4)):
        suffix = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789-_") for _ in range(rng.randint(1, 12)))
        name = rng.choice(["x-amz-meta-", "X-Amz-Meta-", "x-AMZ-meta-"]) + suffix
        add(name, rand_header_value(rng))
    if rng.random() < 0.4:
        add(rng.choice(["Content-Type", "content-type"]), rng.choice(["image/jpeg", "application/json", "text/csv; charset=utf-8", "  image/png  "]))
    if rng.random() < 0.2:
        add("Content-MD5", rand_token(rng, 22) + "==")
    if rng.random() < 0.2:
        add("x-amz-server-side-encryption", rng.choice(["AES256", "aws:kms"]))
    if rng.random() < 0.15 and not presigning:
        add("Range", f"bytes={rng.randint(0, 99)}-{rng.randint(100, 9999)}")
    if rng.random() < 0.1:
        add("Cache-Control", odd_whitespace(rng, "public, max-age=31536000"))
    if rng.random() < 0.1:
        add("Content-Disposition", 'attachment; filename="zdjecie  1.jpg"')
    if rng.random() < 0.1:
        add("x-amz-storage-class", "STANDARD_IA")
    return headers


def rand_query(rng):
    query = []
    names = set()

    def add(name, value):
        if name not in names:
            names.add(name)
            query.append([name, value])

    shape = rng.random()
    if shape < 0.35:
        return query
    if shape < 0.65:  # ListObjectsV2
        add("list-type", "2")
        if rng.random() < 0.7:
            add("prefix", rand_key(rng)[: rng.randint(0, 30)])
        if rng.random() < 0.5:
            add("delimiter", "/")
        if rng.random() < 0.5:
            add("continuation-token", rand_token(rng, rng.randint(20, 120)) + "/" + rand_token(rng, 8))
        if rng.random() < 0.3:
            add("max-keys", str(rng.randint(1, 1000)))
        if rng.random() < 0.2:
            add("start-after", rand_key(rng))
        if rng.random() < 0.2:
            add("encoding-type", "url")
        return query
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.2:
            add("uploads", "")
        elif choice < 0.4:
            add("uploadId", rand_token(rng, 60))
            add("partNumber", str(rng.randint(1, 10000)))
        elif choice < 0.5:
            add("versionId", rand_token(rng, 32))
        elif choice < 0.65:
            add("response-content-disposition", 'attachment; filename="' + rand_segment(rng) + '.jpg"')
        elif choice < 0.75:
            add("x-id", rng.choice(["GetObject", "PutObject", "ListObjectsV2"]))
        else:
            add(rand_segment(rng), rand_segment(rng) if rng.random() < 0.8 else "")
    return query


def rand_epoch(rng):
    if rng.random() < 0.2:  # just before / at / after midnight UTC: exercises the per-day key cache
        day = rng.randint(11000, 24000)
        return day * 86400 + rng.choice([-1, 0, 1, 86399])
    return rng.randint(946684800, 2145916799)  # 2000 … 2037


def make_case(rng, index, pool):
    # Credentials come from a small pool so that the Swift side reuses signers across dates and
    # exercises its per-day signing-key cache.
    access, secret, token = rng.choice(pool)
    creds = Credentials(access, secret, token)
    region = rng.choice(["us-east-1", "eu-central-1", "ap-southeast-2", "eu-west-3", "us-gov-west-1"])
    epoch = rand_epoch(rng)
    bucket = rng.choice(["volt-data-lake", "examplebucket", "a.b-c", "bucket1"])
    key = rand_key(rng)
    if rng.random() < 0.5:
        host, path, scheme = "127.0.0.1:19000", f"/{bucket}/{key}", "http"
    else:
        host, path, scheme = f"{bucket}.s3.{region}.amazonaws.com", f"/{key}", "https"
    if rng.random() < 0.03:
        path = "/" if host.startswith("127.") is False else f"/{bucket}"
    case = {
        "index": index,
        "accessKeyID": access,
        "secretAccessKey": secret,
        "sessionToken": token,
        "region": region,
        "date": epoch,
        "scheme": scheme,
        "host": host,
        "path": path,
        "query": rand_query(rng),
    }
    if rng.random() < 0.5:
        case["kind"] = "header"
        case["method"] = rng.choice(["GET", "PUT", "HEAD", "DELETE", "POST"])
        case["headers"] = rand_headers(rng, presigning=False)
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))) if case["method"] in ("PUT", "POST") else b""
        sign_payload = scheme == "http" or rng.random() < 0.6
        case["body"] = body.hex()
        case["expected"] = sign_header(creds, region, epoch, scheme, case["method"], host, path, case["query"],
                                       case["headers"], body, sign_payload)
    else:
        case["kind"] = "presign"
        case["method"] = rng.choice(["GET", "GET", "GET", "PUT", "HEAD", "DELETE"])
        case["headers"] = rand_headers(rng, presigning=True) if rng.random() < 0.3 else []
        case["expires"] = rng.choice([1, 60, 900, 3600, 86400, 604800, rng.randint(1, 604800)])
        case["expected"] = presign(creds, region, epoch, scheme, case["method"], host, path, case["query"],
                                   case["headers"], case["expires"])
    return case


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    self_check()
    rng = random.Random(args.seed)
    pool = [rand_credentials(rng) for _ in range(8)]
    cases = [make_case(rng, index, pool) for index in range(args.count)]
    json.dump({"botocore": botocore.__version__, "seed": args.seed, "cases": cases}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
