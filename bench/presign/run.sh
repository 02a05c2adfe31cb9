#!/usr/bin/env bash
# Presign throughput, ours vs boto3, on one core. Usage: bench/presign/run.sh [SWIFT_COUNT] [BOTO3_COUNT]
# Needs python3 with boto3 (pip install boto3). Builds bench/presign in release (its own .build).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
swift_count="${1:-2000000}"
boto3_count="${2:-20000}"

pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); else echo "note: taskset not found, not pinned to one core" >&2; fi

swift build -c release --package-path "$here" --product presign-bench >&2
bin="$(swift build -c release --package-path "$here" --show-bin-path)/presign-bench"

ours="$("${pin[@]}" "$bin" --count "$swift_count")"
theirs="$("${pin[@]}" python3 "$here/boto3_presign.py" --count "$boto3_count")"
echo "$ours"
echo "$theirs"

rate() { sed -n 's/.* = \([0-9]*\) links\/s.*/\1/p' | tail -1; }
ours_rate="$(echo "$ours" | rate)"
theirs_rate="$(echo "$theirs" | rate)"
printf '\n%-28s %14s\n' "signer (one core)" "links/s"
printf '%-28s %14s\n' "voltlake SigV4 (Swift)" "$ours_rate"
printf '%-28s %14s\n' "boto3 generate_presigned_url" "$theirs_rate"
awk -v a="$ours_rate" -v b="$theirs_rate" 'BEGIN { if (b > 0) printf "ratio: %.0fx\n", a / b }'
