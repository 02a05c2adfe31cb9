#!/usr/bin/env bash
# voltlake images vs `aws s3 sync` vs the tutorial's sequential boto3 loop, in one run, on the same
# pictures (N of 10-50 KB): a first upload, then an unchanged re-sync, each with wall time and the client's
# CPU time (user+sys from /usr/bin/time) side by side.
#
# Usage: bench/images/run.sh [COUNTS...]          (default: 2000 10000)
# Environment: BENCH_ENDPOINT  S3 endpoint (default: moto directly, $VOLTLAKE_MOTO_URL or
#                              http://127.0.0.1:15000, so the SigV4-verifying proxy's own cost is not measured)
#              VOLTLAKE_BIN    a voltlake binary (default: .build/release/voltlake, built if missing)
#              CONCURRENCY     voltlake --concurrency (default 8)
#              BENCH_TOOLS     which to run (default "voltlake aws tutorial")
# Needs: aws-cli, python3 with boto3, /usr/bin/time. Not run in CI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/images"
endpoint="${BENCH_ENDPOINT:-${VOLTLAKE_MOTO_URL:-http://127.0.0.1:15000}}"
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(2000 10000)
concurrency="${CONCURRENCY:-8}"
tools=" ${BENCH_TOOLS:-voltlake aws tutorial} "
bin="${VOLTLAKE_BIN:-$root/.build/release/voltlake}"
if [ ! -x "$bin" ]; then
  echo "building voltlake (release; about 16 minutes from clean)" >&2
  swift build -c release --package-path "$root" --product voltlake >&2
fi

work="$(mktemp -d /tmp/voltlake-bench-images.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=benchkey AWS_SECRET_ACCESS_KEY=benchsecret AWS_REGION=eu-central-1 AWS_DEFAULT_REGION=eu-central-1
export NO_COLOR=1
run_id="$(date +%s)"

results="$work/results.txt"
: > "$results"

# measure LABEL FILES COMMAND...: wall and CPU seconds of one command, appended to the results.
measure() {
  local label="$1" files="$2"; shift 2
  if ! /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" > "$work/out.log" 2>&1; then
    echo "!! $label failed; last lines:" >&2
    tail -5 "$work/out.log" >&2
  fi
  read -r wall user sys < <(tail -1 "$work/time")
  awk -v l="$label" -v n="$files" -v w="$wall" -v u="$user" -v s="$sys" 'BEGIN {
    cpu = u + s; printf "%-7s %-38s %8.2f %8.2f %10.3f %10.0f\n", n, l, w, cpu, cpu * 1000 / n, n / (w > 0 ? w : 1) }' | tee -a "$results"
}

bucket() {
  local name="bench-img-$1-$run_id"
  aws --endpoint-url "$endpoint" s3api create-bucket --bucket "$name" \
      --create-bucket-configuration LocationConstraint=eu-central-1 > /dev/null
  echo "$name"
}

echo "endpoint: $endpoint (moto directly unless BENCH_ENDPOINT says otherwise); voltlake --concurrency $concurrency"
printf '%-7s %-38s %8s %8s %10s %10s\n' files tool "wall s" "cpu s" "cpu ms/f" "files/s" | tee -a "$results"
for n in "${counts[@]}"; do
  pictures="$work/pictures-$n"
  python3 "$here/make_pictures.py" "$pictures" "$n" 10 50

  if [[ "$tools" == *" voltlake "* ]]; then
  b="$(bucket "vl-$n")"
  vl=(env AWS_ENDPOINT_URL="$endpoint" S3_BUCKET_NAME="$b" "$bin" images --source "$pictures" --no-database
      --concurrency "$concurrency" --report "$work/report-$n.json")
  measure "voltlake images" "$n" "${vl[@]}"
  measure "voltlake images (unchanged)" "$n" "${vl[@]}"
  fi

  if [[ "$tools" == *" aws "* ]]; then
  b2="$(bucket "aws-$n")"
  awssync=(aws --endpoint-url "$endpoint" s3 sync "$pictures" "s3://$b2/images/components/" --sse AES256 --only-show-errors)
  measure "aws s3 sync" "$n" "${awssync[@]}"
  measure "aws s3 sync (unchanged)" "$n" "${awssync[@]}"
  fi

  if [[ "$tools" == *" tutorial "* ]]; then
  b3="$(bucket "py-$n")"
  tutorial=(python3 "$here/tutorial_images.py" "$pictures" "$b3" --endpoint-url "$endpoint")
  measure "tutorial boto3 loop" "$n" "${tutorial[@]}"
  measure "tutorial boto3 loop (again: no sync)" "$n" "${tutorial[@]}"
  fi
  rm -rf "$pictures"
done
echo
echo "Client CPU per file is what counts past the server's ceiling (moto: ~280 PUT/s on one core)."
