#!/usr/bin/env bash
# The link service under full load (not part of CI; CI runs the short form, ServeLoadTests).
#
#   bench/serve-load/run.sh [DURATION=30s] [CONNECTIONS=1000]      (WRK_THREADS=2 COMPONENTS=50 BENCH_PORT=18481)
#   VOLTLAKE_BIN: a release voltlake binary to use instead of building one.
#
# Builds voltlake in release, puts COMPONENTS pictures into a fresh vl-test-load-* bucket of the local
# stack (scripts/stack up), starts `voltlake serve` (open-file limit raised to the hard limit), warms it up
# for 5 s with the same connections, then runs wrk for DURATION against
# GET /api/upload/component-image-url/<id>?expirationHours=1, the ids cycling over all components, and
# prints requests/s, p50/p99, wrk's errors and non-2xx answers, and the server's RSS before and after.
# Finally it stops serve with SIGTERM and prints its exit status and how long it took.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${1:-30s}"
connections="${2:-1000}"
threads="${WRK_THREADS:-2}"
port="${BENCH_PORT:-18481}"
components="${COMPONENTS:-50}"
token="bench-load-token"

command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
hard="$(ulimit -Hn)"
[[ "$hard" == unlimited || "$hard" -gt 65536 ]] && hard=65536
ulimit -n "$hard"
if (( $(ulimit -n) < 2 * connections + 200 )); then
  echo "the open-file limit ($(ulimit -n)) is too low for $connections connections" >&2; exit 1
fi

eval "$("$root/scripts/stack" env)"
endpoint="${AWS_ENDPOINT_URL:-http://127.0.0.1:19000}"

. "$root/bench/release-voltlake.sh"
bin="$(release_voltlake "$root")"

work="$(mktemp -d)"
bucket="vl-test-load-$(date +%s)"
curl -fsS -X POST "$endpoint/__voltlake/buckets/$bucket?region=${AWS_REGION:-eu-central-1}" >/dev/null
export S3_BUCKET_NAME="$bucket"
# The pictures go up with voltlake's own client: one images run over a local folder, by file name.
mkdir -p "$work/pictures"
for i in $(seq 1 "$components"); do
  head -c 2000 /dev/urandom >"$work/pictures/$(printf 'load_%03d' "$i").jpg"
done
(cd "$work" && HOME="$work" "$bin" images --no-database --source "$work/pictures" >"$work/images.log" 2>&1) \
  || { echo "uploading the pictures failed:" >&2; cat "$work/images.log" >&2; exit 1; }

{
  echo "local ids = {"
  for i in $(seq 1 "$components"); do printf '"load_%03d",\n' "$i"; done
  echo "}"
  cat <<LUA
local requests = {}
local n = 0
function init(args)
  for i, id in ipairs(ids) do
    requests[i] = wrk.format("GET", "/api/upload/component-image-url/" .. id .. "?expirationHours=1",
      { ["Authorization"] = "Bearer $token" })
  end
end
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end
LUA
} >"$work/links.lua"

VOLTLAKE_API_TOKEN="$token" HOME="$work" "$bin" serve --host 127.0.0.1 --port "$port" --refresh-interval 300 \
  2>"$work/serve.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/upload/component-image-url/load_001?expirationHours=1" >/dev/null

rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }
url="http://127.0.0.1:$port/"

echo "== warm-up: wrk -t$threads -c$connections -d5s" >&2
wrk -t"$threads" -c"$connections" -d5s --timeout 5s -s "$work/links.lua" "$url" >/dev/null
rss_before="$(rss)"

echo "== wrk -t$threads -c$connections -d$duration --latency" >&2
out="$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 5s --latency -s "$work/links.lua" "$url")"
rss_after="$(rss)"
echo "$out" >&2

awk -v before="$rss_before" -v after="$rss_after" '
  /requests in/ { requests = $1 }
  /Requests\/sec/ { rps = $2 }
  $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
  /Socket errors/ { errors = $0; sub(/^ *Socket errors: */, "", errors) }
  /Non-2xx/ { bad = $NF }
  END {
    printf "\nrequests      %s\n", requests
    printf "requests/s    %s\n", rps
    printf "p50 / p99     %s / %s\n", p50, p99
    printf "socket errors %s\n", errors == "" ? "none" : errors
    printf "non-2xx       %d\n", bad
    printf "RSS           %s MB after warm-up, %s MB after the run\n", before, after
  }' <<<"$out"

start="$(date +%s%N)"
kill -TERM "$server"
status=0
wait "$server" || status=$?
trap 'rm -rf "$work"' EXIT
printf 'SIGTERM       exit status %d after %d ms\n' "$status" "$(( ($(date +%s%N) - start) / 1000000 ))"
