#!/usr/bin/env python3
"""The tutorial's week-4 presigned_urls.py, reduced to what the Volt route spawns: the old path the
benchmark compares against. Same flags and JSON as the tutorial; boto3 finds the picture under
images/components/<id>/ with one listing and presigns it."""
import argparse
import json
import os
import sys
from datetime import datetime, timedelta, timezone

import boto3


def create_presigned_url_api_response(component_id, expiration_hours=24):
    s3 = boto3.client(
        "s3",
        region_name=os.environ.get("AWS_REGION", "eu-central-1"),
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
    )
    bucket = os.environ.get("S3_BUCKET_NAME", "volt-data-lake")
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=f"images/components/{component_id}/")
    keys = sorted(item["Key"] for item in listing.get("Contents", []))
    if not keys:
        return {"success": False, "error": f"No image found for component {component_id}"}
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": keys[0]}, ExpiresIn=expiration_hours * 3600
    )
    expires_at = datetime.now(timezone.utc) + timedelta(hours=expiration_hours)
    return {
        "success": True,
        "data": {
            "componentId": component_id,
            "imageUrl": url,
            "expiresAt": expires_at.strftime("%Y-%m-%dT%H:%M:%S"),
            "expiresInHours": expiration_hours,
        },
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--component-id", required=True)
    parser.add_argument("--expiration", type=int, default=24)
    args = parser.parse_args()
    response = create_presigned_url_api_response(args.component_id, args.expiration)
    print(json.dumps(response))
    sys.exit(0 if response["success"] else 1)
