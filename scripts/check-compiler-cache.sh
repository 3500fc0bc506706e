#!/usr/bin/env bash
# Checks that the compiler cache gives the results a cold build gives: runs the test command in
# two fresh clones of HEAD, one cold (IDV_NO_COMPILER_CACHE=1: every crate compiled by rustc) and
# one through the cache, and compares what every stage ran: each runner's totals (passed, failed,
# ignored per test binary, tests/pass/fail per browser and multi-node file) and the summary's
# total. Exits non-zero when either run fails or their totals differ. Two whole runs: about
# 50 + 20 minutes on the 2-core machine. Usage: scripts/check-compiler-cache.sh [WORK_DIR]
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

base=${1:-$(mktemp -d /tmp/idv-cache-check.XXXXXX)}
mkdir -p "$base"
# totals LOG: the summary without what differs between two good runs (wall times, the cache's line)
totals() {
  sed -n '/^==================== summary/,$p' "$1" | grep -vE '^====|compiler cache|# completeFlow' |
    sed -E 's/ in [0-9]+ min [0-9]+ s$//; s/; finished in [0-9.]+s$//'
}
rc=0
for mode in cold cached; do
  rm -rf "$base/$mode"
  git clone -q "$ROOT_DIR" "$base/$mode"
  log "the test command, $mode, in $base/$mode (output: $base/$mode.log)"
  no_cache=0
  [ "$mode" = cold ] && no_cache=1
  if ! (cd "$base/$mode" && IDV_NO_COMPILER_CACHE=$no_cache ./scripts/test.sh) >"$base/$mode.log" 2>&1; then
    log "the $mode run failed: see $base/$mode.log"
    rc=1
  fi
  totals "$base/$mode.log" >"$base/$mode.totals"
  rm -rf "$base/$mode"
done
if diff -u "$base/cold.totals" "$base/cached.totals"; then
  echo "same totals, cold and through the cache: $(grep '^total:' "$base/cached.totals")"
else
  echo "the totals differ (above)"
  rc=1
fi
exit $rc
