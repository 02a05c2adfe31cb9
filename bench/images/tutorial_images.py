#!/usr/bin/env python3
"""The tutorial's picture upload, as written there: a sequential boto3 loop, one upload_file per picture.

Usage: tutorial_images.py FOLDER BUCKET [--endpoint-url URL]
There is no sync: every run uploads every picture again.
"""
import argparse
import mimetypes
import os
from datetime import datetime, timezone

import boto3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("bucket")
    ap.add_argument("--endpoint-url", default=None)
    a = ap.parse_args()
    s3 = boto3.client("s3", endpoint_url=a.endpoint_url, region_name=os.environ.get("AWS_REGION", "eu-central-1"))
    uploaded = 0
    for name in sorted(os.listdir(a.folder)):
        path = os.path.join(a.folder, name)
        if not os.path.isfile(path) or not name.lower().endswith((".jpg", ".jpeg", ".png", ".webp")):
            continue
        component_id = os.path.splitext(name)[0]
        key = f"images/components/{component_id}/{name}"
        stat = os.stat(path)
        s3.upload_file(path, a.bucket, key, ExtraArgs={
            "ContentType": mimetypes.guess_type(name)[0] or "image/jpeg",
            "ServerSideEncryption": "AES256",
            "Metadata": {
                "component-id": component_id,
                "original-filename": name,
                "size": str(stat.st_size),
                "modified-at": datetime.fromtimestamp(stat.st_mtime, timezone.utc).isoformat(),
            },
        })
        uploaded += 1
    print(f"uploaded {uploaded} pictures")


if __name__ == "__main__":
    main()
