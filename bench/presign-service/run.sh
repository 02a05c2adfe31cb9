#!/usr/bin/env bash
# The link service under load, beside the spawn-per-request paths, in one run (not part of CI).
#
#   bench/presign-service/run.sh [DURATION] [CONNECTIONS] [SPAWN_COUNT]     (ROUNDS=3 WRK_THREADS=1 COMPONENTS=100)
#
# Builds voltlake in release, puts COMPONENTS pictures into a fresh vl-test-bench-* bucket of the local
# stack (scripts/stack up), starts `voltlake serve`, and measures:
#   - wrk against GET /api/upload/component-image-url/<id>, the ids cycling over all components
#   - the same route for one id only
#   - wrk against GET /health (a trivial route on the same server: the framework's ceiling)
# (all three through the same wrk Lua script, so the load tool costs the same everywhere; the three
# are interleaved for ROUNDS rounds and the median of each is reported, so drift in the machine's load
# hits them alike)
#   - spawning the tutorial's presigned_urls.py per request (the old path), SPAWN_COUNT times
#   - spawning `voltlake presign` per request, SPAWN_COUNT times
# and prints requests/s and p99 side by side. wrk shares the machine's cores with the server.
# VOLTLAKE_BIN: a release voltlake binary to use instead of building one.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${1:-5s}"
rounds="${ROUNDS:-3}"
connections="${2:-32}"
spawn_count="${3:-50}"
threads="${WRK_THREADS:-1}"
port="${BENCH_PORT:-18480}"
components="${COMPONENTS:-100}"
id="comp_0001"

command -v wrk >/dev/null || { echo "installing wrk" >&2; apt-get install -y wrk >/dev/null; }
python3 -c 'import boto3' 2>/dev/null || python3 -m pip install --quiet boto3

eval "$("$root/scripts/stack" env)"
endpoint="${AWS_ENDPOINT_URL:-http://127.0.0.1:19000}"

. "$root/bench/release-voltlake.sh"
bin="$(release_voltlake "$root")"

bucket="vl-test-bench-$(date +%s)"
curl -fsS -X POST "$endpoint/__voltlake/buckets/$bucket?region=${AWS_REGION:-eu-central-1}" >/dev/null
export S3_BUCKET_NAME="$bucket"
python3 - "$endpoint" "$bucket" "$components" <<'PY'
import os, sys, boto3
endpoint, bucket, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
s3 = boto3.client("s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "eu-central-1"))
for i in range(1, count + 1):
    cid = f"comp_{i:04d}"
    s3.put_object(Bucket=bucket, Key=f"images/components/{cid}/{cid}.jpg", Body=os.urandom(20_000),
                  ContentType="image/jpeg", ServerSideEncryption="AES256")
PY

"$bin" serve --host 127.0.0.1 --port "$port" --refresh-interval 300 2>"${TMPDIR:-/tmp}/voltlake-bench-serve.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/api/upload/component-image-url/$id" >/dev/null

one_wrk() {  # prefix count suffix -> "rps p99_ms non2xx"
  local out
  out="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/rotate.lua" "http://127.0.0.1:$port" -- "$1" "$2" "$3")"
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 } $1 == "99%" { p99 = ms($2) } /Non-2xx/ { bad = $NF }
    END { printf "%s %.2f %d\n", rps, p99, bad }' <<<"$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

run_wrk_rounds() {  # interleaves the three wrk measurements, then prints one line each (medians)
  local route="/api/upload/component-image-url/" r
  local -a labels=("service: link route ($components ids)" "service: link route (one id)" "service: /health (ceiling)")
  local -a args=("$route|$components|?expirationHours=24" "$route|1|?expirationHours=24" "/health|0|")
  local tmp; tmp="$(mktemp -d)"
  for i in 0 1 2; do  # warm-up
    IFS='|' read -r p c q <<<"${args[$i]}"
    wrk -t"$threads" -c"$connections" -d2s -s "$here/rotate.lua" "http://127.0.0.1:$port" -- "$p" "$c" "$q" >/dev/null
  done
  for r in $(seq 1 "$rounds"); do
    for i in 0 1 2; do
      IFS='|' read -r p c q <<<"${args[$i]}"
      one_wrk "$p" "$c" "$q" >>"$tmp/$i"
    done
  done
  for i in 0 1 2; do
    local rps p99 bad
    rps="$(awk '{print $1}' "$tmp/$i" | median)"
    p99="$(awk '{print $2}' "$tmp/$i" | median)"
    bad="$(awk '{s += $3} END {print s + 0}' "$tmp/$i")"
    printf '%s\t%s\t-\t%s\t%s\n' "${labels[$i]}" "$rps" "$p99" "$bad"
    echo "  ${labels[$i]}: rounds (req/s p99ms non2xx): $(tr '\n' ';' <"$tmp/$i")" >&2
  done
  rm -rf "$tmp"
}

results="$(mktemp)"
echo "== wrk -t$threads -c$connections -d$duration, $rounds interleaved rounds" >&2
run_wrk_rounds >>"$results"
echo "== spawning per request, $spawn_count each" >&2
python3 "$here/spawn_bench.py" "spawn: python presigned_urls.py" "$spawn_count" -- \
  python3 "$here/presigned_urls.py" --component-id "$id" --expiration 24 >>"$results"
python3 "$here/spawn_bench.py" "spawn: voltlake presign" "$spawn_count" -- \
  "$bin" presign --component-id "$id" --expiration 24 >>"$results"

echo
printf '%-34s %12s %10s %12s %8s\n' "path" "requests/s" "p50" "p99" "errors"
while IFS=$'\t' read -r label rps p50 p99 errors; do
  [[ "$p50" != "-" ]] && p50="${p50}ms"
  p99="${p99}ms"
  printf '%-34s %12s %10s %12s %8s\n' "$label" "$rps" "$p50" "$p99" "$errors"
done <"$results"
awk -F'\t' '
  NR == 1 { link = $2 } NR == 3 { health = $2 } NR == 4 { python = $2 } NR == 5 { voltlake = $2 }
  END {
    if (health > 0) printf "\nlink route / trivial route: %.0f %%\n", 100 * link / health
    if (python > 0) printf "link route / spawning python: %.0fx\n", link / python
    if (voltlake > 0) printf "link route / spawning voltlake presign: %.0fx\n", link / voltlake
  }' "$results"
rm -f "$results"
