#!/usr/bin/env python3
"""boto3 generate_presigned_url on one thread: the peer for bench/presign (same bucket, key shape, expiry)."""

import argparse
import time

import boto3
from botocore.config import Config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args()
    client = boto3.client(
        "s3",
        endpoint_url="http://127.0.0.1:19000",
        region_name="eu-central-1",
        aws_access_key_id="VOLTBENCHACCESSKEY01",
        aws_secret_access_key="bench/secret+key/0123456789abcdefghijklmn",
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )

    def presign(index):
        return client.generate_presigned_url(
            "get_object",
            Params={"Bucket": "volt-data-lake", "Key": f"images/components/{index}/photo {index}.jpg"},
            ExpiresIn=3600,
        )

    sample = presign(0)
    for index in range(min(args.count // 10, 2000)):  # warm up
        presign(index)
    checksum = 0
    start = time.perf_counter()
    cpu_start = time.thread_time()
    for index in range(args.count):
        checksum += len(presign(index))
    cpu = time.thread_time() - cpu_start
    wall = time.perf_counter() - start
    print(f"sample: {sample[:160]}…")
    # Same format as presign-bench: per CPU second first (fair on a shared machine), then wall.
    print(f"boto3: {args.count} links, {cpu:.3f} s CPU = {int(args.count / cpu)} links/s; "
          f"wall {wall:.3f} s = {int(args.count / wall)} links/s (checksum {checksum})")


if __name__ == "__main__":
    main()
