#!/usr/bin/env bash
# Fuzzing: runs every cargo-fuzz target (fuzz/fuzz_targets/) for a fixed time each and prints
# executions per second. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET (60)] [TARGET...].
# Installs what is missing: the nightly toolchain (rustup) and cargo-fuzz 0.13.2 (into the tools
# cache). Corpora grow in fuzz/corpus/<target> (not committed), seeded from fuzz/regressions/.
# A crash is copied to fuzz/regressions/<target>/ (commit it: the test suite replays every file
# there through the same code, app::server::fuzzing) and the script exits non-zero.
# Not part of the test command: CI runs the regression replay only.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

secs=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(multipart_intake content_sniffing image_header webhook_url settings aamva mrz)

CARGO_FUZZ_VERSION=0.13.2
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal >&2
_cached_install cargo-fuzz "$CARGO_FUZZ_VERSION" cargo-fuzz install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
ensure_apt ffmpeg libheif-examples

cd fuzz
# Safe Rust: what we look for are panics, hangs and unbounded memory, which libFuzzer reports
# without a sanitizer (ASan would double the build and halve the speed).
log "building the fuzz targets (nightly, release with debug assertions)"
cargo +nightly fuzz build -s none -O >&2
results=()
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  cp -n regressions/"$t"/* "corpus/$t/" 2>/dev/null || true
  log "fuzzing $t for $secs s"
  out=$(mktemp)
  set +e
  cargo +nightly fuzz run -s none -O "$t" "corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" 2>&1 | tee "$out" | { grep -aE '^(#[0-9]+ +(DONE|pulse)|==|SUMMARY|Done|thread .* panicked)' >&2 || true; }
  rc=${PIPESTATUS[0]}
  set -e
  # (libFuzzer's output may hold the input's bytes: -a; a crash prints no final stats)
  runs=$({ grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$out" || true; } | grep -oE '[0-9]+$' | tail -n1 || true)
  total=$({ grep -aoE '^Done [0-9]+ runs in [0-9]+ second' "$out" || true; } | grep -oE 'in [0-9]+' | grep -oE '[0-9]+' | tail -n1 || true)
  rate=$(( ${runs:-0} / ( ${total:-$secs} > 0 ? ${total:-$secs} : 1 ) ))
  if [ "$rc" -ne 0 ]; then
    failed=1
    for a in artifacts/"$t"/*; do
      [ -f "$a" ] || continue
      cp "$a" "regressions/$t/"
      log "$t: kept $(basename "$a") in fuzz/regressions/$t/ (commit it with the fix)"
    done
    results+=("$(printf '%-18s FAILED (exit %d) after %s runs' "$t" "$rc" "${runs:-?}")")
  else
    results+=("$(printf '%-18s %10s runs in %4s s: %7s exec/s, corpus %s files' "$t" "${runs:-?}" "${total:-$secs}" "$rate" "$(ls "corpus/$t" | wc -l)")")
  fi
  rm -f "$out"
done
echo
echo "fuzzing, $secs s per target (cargo fuzz $CARGO_FUZZ_VERSION, $(rustc +nightly --version | cut -d' ' -f2)):"
printf '  %s\n' "${results[@]}"
exit "$failed"
