# Sourced by the bench scripts: prints the release voltlake to measure — $VOLTLAKE_BIN when set, else the
# package's release build (built first; about 16 minutes from clean on 2 cores). Build output goes to stderr.
release_voltlake() {
  local root="$1"
  if [ -n "${VOLTLAKE_BIN:-}" ]; then
    echo "$VOLTLAKE_BIN"
    return
  fi
  echo "building voltlake (release)…" >&2
  swift build -c release --package-path "$root" --product voltlake >&2
  echo "$(swift build -c release --package-path "$root" --show-bin-path)/voltlake"
}
