#!/usr/bin/env bash
# Export throughput and peak memory, side by side in one run:
#   voltlake export (JSON + CSV, release build) | the tutorial's Python (psycopg2 + boto3, JSON + CSV)
#   | psql \copy … csv | aws s3 cp - (CSV only)
# Usage: bench/export/run.sh [ROWS...]   (default: 100000 1000000). Needs the local stack (scripts/stack up).
# VOLTLAKE_BIN: a release voltlake binary to use instead of building one.
# Installs what is missing: `time` (apt), psycopg2-binary (pip). Not run in CI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
[ "$#" -gt 0 ] || set -- 100000 1000000

[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
python3 -c 'import psycopg2' 2>/dev/null || pip install -q psycopg2-binary
python3 -c 'import boto3' 2>/dev/null || pip install -q boto3

endpoint="${VOLTLAKE_BENCH_S3:-http://127.0.0.1:19000}"
export AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=VOLTLAKEAPPKEY0000001
export AWS_SECRET_ACCESS_KEY='voltlake-local-app-secret/NOT+A+REAL+KEY' AWS_REGION=eu-central-1 AWS_DEFAULT_REGION=eu-central-1
export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="${VOLTLAKE_BENCH_PG_PORT:-15432}" POSTGRES_DB=volt POSTGRES_USER=voltlake
export POSTGRES_PASSWORD=voltlake-local PGSSLMODE=disable
export PGHOST=$POSTGRES_HOST PGPORT=$POSTGRES_PORT PGDATABASE=$POSTGRES_DB PGUSER=$POSTGRES_USER PGPASSWORD=$POSTGRES_PASSWORD
table=bench_export_components
bucket="vl-test-bench-export"
export S3_BUCKET_NAME="$bucket"
curl -fsS -X POST "$endpoint/__voltlake/buckets/$bucket?region=eu-central-1" >/dev/null

. "$root/bench/release-voltlake.sh"
voltlake="$(release_voltlake "$root")"

log="$(mktemp -d)"
# moto keeps objects in memory: remove what the benchmark wrote, and its table, on the way out.
trap 'rm -rf "$log"; psql -X -q -c "DROP TABLE IF EXISTS $table" >/dev/null 2>&1 || true
      aws s3 rm --recursive --quiet "s3://$bucket/bench/" --endpoint-url "$endpoint" >/dev/null 2>&1 || true' EXIT

# measure NAME ROWS COMMAND…: wall seconds, client CPU seconds (user+sys of the tool and its children; the
# S3 server's own CPU is not included) and peak RSS (largest process) from /usr/bin/time -v
measure() {
  local name="$1" rows="$2"; shift 2
  if ! /usr/bin/time -v -o "$log/time" "$@" >"$log/out" 2>"$log/err"; then
    echo "$name failed:" >&2; tail -5 "$log/err" >&2; tail -5 "$log/out" >&2
    printf '%-34s %9s %10s %12s %12s %12s\n' "$name" "$rows" "failed" "-" "-" "-"; return
  fi
  local wall rss cpu
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log/time")"
  cpu="$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$log/time")"
  rss="$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$log/time")"
  printf '%-34s %9s %10.2f %12.0f %12s %12s\n' "$name" "$rows" "$wall" "$(awk -v r="$rows" -v w="$wall" 'BEGIN { print (w > 0 ? r / w : 0) }')" "$cpu" "$rss"
}

printf '\n%-34s %9s %10s %12s %12s %12s\n' "tool" "rows" "wall s" "rows/s" "client CPU s" "peak RSS MB"
for rows in "$@"; do
  "$root/scripts/sample-data" --rows "$rows" --table "$table" | psql -X -q -v ON_ERROR_STOP=1 >/dev/null
  measure "voltlake export (JSON+CSV)" "$rows" \
    "$voltlake" export --table "$table" --prefix "bench/voltlake/$rows/"
  measure "voltlake export --format csv" "$rows" \
    "$voltlake" export --table "$table" --format csv --prefix "bench/voltlake-csv/$rows/"
  measure "psql \\copy | aws s3 cp (CSV)" "$rows" bash -o pipefail -c \
    "psql -X -q -c '\\copy (SELECT * FROM $table) to stdout csv header' | aws s3 cp - 's3://$bucket/bench/psql/$rows/components.csv' --endpoint-url '$endpoint' --sse AES256 --only-show-errors"
  measure "tutorial Python (JSON+CSV)" "$rows" \
    python3 "$here/tutorial_export.py" "$table" "$bucket" "bench/python/$rows/"
  aws s3 rm --recursive --quiet "s3://$bucket/bench/" --endpoint-url "$endpoint" >/dev/null
done
