#!/usr/bin/env bash
# Presign throughput, ours vs boto3 generate_presigned_url, one thread each pinned to one core.
# Usage: bench/presign/run.sh [SWIFT_COUNT] [BOTO3_COUNT] [ROUNDS]
# Needs python3 with boto3 (pip install boto3). Builds bench/presign in release (its own .build).
# Rounds alternate ours and boto3; the best round of each is compared, by CPU time (fair when the
# machine is shared) and by wall time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
swift_count="${1:-1000000}"
boto3_count="${2:-20000}"
rounds="${3:-3}"

pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); else echo "note: taskset not found, not pinned to one core" >&2; fi
python3 -c "import boto3" || { echo "run.sh: boto3 is missing (pip install boto3)" >&2; exit 1; }

swift build -c release --package-path "$here" --product presign-bench >&2
bin="$(swift build -c release --package-path "$here" --show-bin-path)/presign-bench"

cpu_rate() { sed -n 's/.* s CPU = \([0-9]*\) links\/s.*/\1/p'; }
wall_rate() { sed -n 's/.*wall .* = \([0-9]*\) links\/s.*/\1/p'; }
best() { sort -n | tail -1; }

ours_cpu=(); ours_wall=(); theirs_cpu=(); theirs_wall=()
for round in $(seq 1 "$rounds"); do
  ours="$("${pin[@]}" "$bin" --count "$swift_count" | tail -1)"
  theirs="$("${pin[@]}" python3 "$here/boto3_presign.py" --count "$boto3_count" | tail -1)"
  echo "round $round: $ours"
  echo "round $round: $theirs"
  ours_cpu+=("$(echo "$ours" | cpu_rate)"); ours_wall+=("$(echo "$ours" | wall_rate)")
  theirs_cpu+=("$(echo "$theirs" | cpu_rate)"); theirs_wall+=("$(echo "$theirs" | wall_rate)")
done

oc="$(printf '%s\n' "${ours_cpu[@]}" | best)"; ow="$(printf '%s\n' "${ours_wall[@]}" | best)"
tc="$(printf '%s\n' "${theirs_cpu[@]}" | best)"; tw="$(printf '%s\n' "${theirs_wall[@]}" | best)"
printf '\n%-30s %18s %18s\n' "presign, one core (best of $rounds)" "links/CPU-second" "links/s (wall)"
printf '%-30s %18s %18s\n' "voltlake SigV4 (Swift)" "$oc" "$ow"
printf '%-30s %18s %18s\n' "boto3 generate_presigned_url" "$tc" "$tw"
awk -v a="$oc" -v b="$tc" -v c="$ow" -v d="$tw" 'BEGIN { printf "%-30s %17.0fx %17.0fx\n", "ratio", a / b, c / d }'
