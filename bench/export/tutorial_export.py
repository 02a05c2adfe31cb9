#!/usr/bin/env python3
"""The tutorial's export, as its readers write it: psycopg2 fetchall, json.dumps, csv, boto3 put_object.

Usage: tutorial_export.py TABLE BUCKET PREFIX   (PostgreSQL from POSTGRES_*; S3 from AWS_* / AWS_ENDPOINT_URL)
Needs: pip install psycopg2-binary boto3
"""
import csv
import io
import json
import os
import sys
from datetime import datetime, timezone

import boto3
import psycopg2

table, bucket, prefix = sys.argv[1:4]
conn = psycopg2.connect(
    host=os.environ.get("POSTGRES_HOST", "localhost"), port=int(os.environ.get("POSTGRES_PORT", "5432")),
    dbname=os.environ.get("POSTGRES_DB", "volt"), user=os.environ.get("POSTGRES_USER", "postgres"),
    password=os.environ.get("POSTGRES_PASSWORD", ""))
s3 = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"), region_name=os.environ.get("AWS_REGION", "eu-central-1"))

now = datetime.now(timezone.utc)
cur = conn.cursor()
cur.execute(f"SELECT * FROM {table}")
rows = cur.fetchall()
columns = [d[0] for d in cur.description]
components = [dict(zip(columns, row)) for row in rows]

document = {"metadata": {"export_date": now.isoformat(), "total_records": len(components), "source_table": table},
            "components": components}
body = json.dumps(document, default=str, ensure_ascii=False, indent=2).encode("utf-8")
meta = {"record-count": str(len(components)), "exported-at": now.isoformat(), "source-table": table}
s3.put_object(Bucket=bucket, Key=f"{prefix}components_{now:%Y%m%d_%H%M%S}.json", Body=body,
              ContentType="application/json", ServerSideEncryption="AES256", Metadata=meta)

out = io.StringIO()
writer = csv.writer(out)
writer.writerow(columns)
writer.writerows(rows)
s3.put_object(Bucket=bucket, Key=f"{prefix}dt={now:%Y-%m-%d}/components.csv", Body=out.getvalue().encode("utf-8"),
              ContentType="text/csv", ServerSideEncryption="AES256", Metadata=meta)
print(f"exported {len(components)} rows")
