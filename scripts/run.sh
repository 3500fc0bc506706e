#!/usr/bin/env bash
# Installs what is missing, builds the release app, starts it with the embedded defaults
# (SQLite and local files under ./data), creates a demo partner on first run, and prints a
# ready-to-open /verif/ URL. Ctrl-C stops the service.
source "$(dirname "$0")/lib.sh"
use_stable_target_dir "$0" "$@"
cd "$ROOT_DIR"

ensure_apt curl ca-certificates
ensure_runtime
use_compiler_cache
build_release
log "$(compiler_cache_stats)"
compiler_cache_stop

export IDV_DATA_DIR=${IDV_DATA_DIR:-./data}
export LEPTOS_SITE_ADDR=${LEPTOS_SITE_ADDR:-127.0.0.1:3000}
idv="$IDV_BIN"
mkdir -p "$IDV_DATA_DIR"

"$idv" migrate
demo="$IDV_DATA_DIR/demo-partner.json"
if [ ! -s "$demo" ]; then
  log "creating the demo partner (first run); its key is kept in $demo"
  (umask 077 && "$idv" partner create --name "Demo Partner" --primary-color "#1f4ed8" \
    --accent-color "#0ea5e9" --allowed-origin "http://$LEPTOS_SITE_ADDR" >"$demo.tmp" && mv "$demo.tmp" "$demo")
fi
api_key=$(sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p' "$demo")
[ -n "$api_key" ] || die "no api_key in $demo"

"$idv" serve &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM
base=${IDV_PUBLIC_URL:-http://$LEPTOS_SITE_ADDR}
base=${base%/}
if wait_http "$base/readyz" 60; then
  printf '\n  The service is running. Open the demo partner'"'"'s verification page:\n\n    %s/verif/?api_key=%s&user_identifier=demo-user\n\n  The partner API and the dashboard (%s/dashboard) take the secret key, "secret_key" in %s.\n  (Ctrl-C stops it.)\n\n' "$base" "$api_key" "$base" "$demo"
else
  kill $pid 2>/dev/null || true
  die "the service did not become ready; see the log above"
fi
wait $pid
