#!/usr/bin/env bash
# Benchmarks against the release build (the same build the browser tests use). Prints figures;
# BENCHMARKS.md keeps the results with the date and machine.
#   ./scripts/bench.sh upload   8 concurrent 50 MB submissions: server peak RSS added, MB/s
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

WORK=$(mktemp -d /tmp/idv-bench.XXXXXX)
srv=""
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; rm -rf "$WORK"' EXIT

start_server() {
  local port
  port=$(free_port)
  export IDV_DATA_DIR="$WORK/data" LEPTOS_SITE_ADDR="127.0.0.1:$port" RUST_LOG=warn
  BASE="http://127.0.0.1:$port"
  API_KEY=$("$IDV_BIN" partner create --name Bench | sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
  "$IDV_BIN" serve >"$WORK/server.log" 2>&1 &
  srv=$!
  wait_http "$BASE/readyz" 60 || { cat "$WORK/server.log"; die "server did not start"; }
}

hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$srv/status"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$srv/status"; }

bench_upload() {
  local n=8 size=$((50 * 1024 * 1024))
  # a valid WebM padded to 50 MB (Matroska readers skip the trailing bytes)
  cp "$MEDIA/seq_obama.webm" "$WORK/big.webm"
  truncate -s "$size" "$WORK/big.webm"
  start_server
  # warm up: one full submission, so the model and pools are loaded before the baseline
  curl -s -o /dev/null -F api_key="$API_KEY" -F user_identifier=warm -F selfie_video=@"$MEDIA/seq_obama.webm" \
    -F id_photo=@"$MEDIA/id_obama.jpg" "$BASE/verif/submit"
  local base_hwm base_rss
  base_hwm=$(hwm_kb); base_rss=$(rss_kb)

  log "upload only: $n concurrent 50 MB bodies, key after the files (wrong key: streamed in full, then 401)"
  local t0 t1
  t0=$(date +%s.%N)
  for i in $(seq $n); do
    curl -s -o /dev/null -w "%{http_code}\n" -F user_identifier="u$i" -F selfie_video=@"$WORK/big.webm" \
      -F id_photo=@"$MEDIA/id_obama.jpg" -F api_key=idv_live_000000000000000000000000000000000000000000000000 \
      "$BASE/verif/submit" >"$WORK/up.$i" &
  done
  wait $(jobs -p | grep -v "^$srv$") 2>/dev/null || true
  t1=$(date +%s.%N)
  local up_hwm
  up_hwm=$(hwm_kb)
  echo "upload statuses: $(cat "$WORK"/up.* | sort | uniq -c | tr '\n' ' ')"

  log "full submissions: $n concurrent 50 MB videos, scored and stored"
  local t2 t3
  t2=$(date +%s.%N)
  for i in $(seq $n); do
    curl -s -o /dev/null -w "%{http_code}\n" -F api_key="$API_KEY" -F user_identifier="u$i" -F selfie_video=@"$WORK/big.webm" \
      -F id_photo=@"$MEDIA/id_obama.jpg" "$BASE/verif/submit" >"$WORK/full.$i" &
  done
  wait $(jobs -p | grep -v "^$srv$") 2>/dev/null || true
  t3=$(date +%s.%N)
  local full_hwm
  full_hwm=$(hwm_kb)
  echo "submission statuses: $(cat "$WORK"/full.* | sort | uniq -c | tr '\n' ' ')"

  python3 - "$n" "$size" "$t0" "$t1" "$t2" "$t3" "$base_rss" "$base_hwm" "$up_hwm" "$full_hwm" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
t0, t1, t2, t3 = map(float, sys.argv[3:7])
base_rss, base_hwm, up_hwm, full_hwm = map(int, sys.argv[7:11])
mb = n * size / 1e6
print(f"upload throughput (loopback, {n} x 50 MB, streamed to spool): {mb / (t1 - t0):.0f} MB/s ({t1 - t0:.2f} s)")
print(f"full submissions ({n} x 50 MB, scored + stored): {t3 - t2:.2f} s wall")
print(f"server RSS before: {base_rss / 1024:.0f} MB (peak so far {base_hwm / 1024:.0f} MB)")
print(f"peak RSS added by the uploads: {(up_hwm - base_hwm) / 1024:.0f} MB; by the full submissions: {(full_hwm - base_hwm) / 1024:.0f} MB (goal < 150 MB)")
PY
}

ensure_runtime
ensure_test_media
MEDIA=${IDV_TEST_MEDIA:-$ROOT_DIR/target/test-media}
build_release
case "${1:-}" in
  upload) bench_upload ;;
  *) die "usage: scripts/bench.sh upload" ;;
esac
