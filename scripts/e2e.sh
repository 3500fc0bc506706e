#!/usr/bin/env bash
# The browser end-to-end tests alone: headless Debian Chromium (playwright-core), Firefox
# (firefox-esr over WebDriver, geckodriver) and WebKitGTK (WebKitWebDriver under Xvfb) against
# the release build (`scripts/build.sh` first; scripts/test.sh builds it before).
# Starts `idv serve` on a free loopback port with a fresh SQLite database and two themed
# partners; the tests start their own webhook receiver and partner parent page on the ports
# given here. Usage: scripts/e2e.sh [WORK_DIR]. Screenshots go to end2end/artifacts/.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

dir=${1:-$(mktemp -d /tmp/idv-e2e.XXXXXX)}
mkdir -p "$dir"
[ -x "$IDV_BIN" ] || die "no release build at $IDV_BIN: run scripts/build.sh"
[ -x "$EVAL_BIN" ] || die "no release build at $EVAL_BIN (the tests' synthetic people): run cargo build ${SERVER_CARGO_ARGS[*]} --bin idv-eval"
ensure_firefox
ensure_webkit
port=$(free_port)
parent_port=$(free_port)
hook_port=$(free_port)
fixtures_port=$(free_port)
base="http://127.0.0.1:$port"
# the partners' logos come from the partner's own site, as in production: a static server of
# end2end/fixtures/ (test files are never in public/, which the service serves)
fixtures="http://127.0.0.1:$fixtures_port"
parent="http://127.0.0.1:$parent_port"
export IDV_DATA_DIR="$dir/data" LEPTOS_SITE_ADDR="127.0.0.1:$port"
# the tests' webhook receiver listens on loopback
export IDV_WEBHOOK_ALLOWED_CIDRS=127.0.0.0/8
# every browser test comes from one loopback address: per-IP limits above the suite's use
export IDV_IP_PAGE_PER_MINUTE=600 IDV_IP_SUBMIT_PER_MINUTE=120 IDV_IP_SIGN_IN_PER_MINUTE=60 IDV_MAX_UPLOADS_PER_ADDRESS=100 IDV_USER_ATTEMPTS_PER_HOUR=1000
unset DATABASE_URL
"$IDV_BIN" partner create --name "Acme Bank" --primary-color "#0b6e4f" --accent-color "#f2a541" \
  --logo-url "$fixtures/acme-logo.svg" --allowed-origin "$parent" \
  --webhook-url "http://127.0.0.1:$hook_port/hooks/acme" >"$dir/partner-a.json"
"$IDV_BIN" partner create --name "Nimbus Travel" --primary-color "#7c2d92" --accent-color "#ffd166" \
  --logo-url "$fixtures/nimbus-logo.svg" --allowed-origin "$parent" \
  --webhook-url "http://127.0.0.1:$hook_port/hooks/nimbus" >"$dir/partner-b.json"
python3 -m http.server --bind 127.0.0.1 --directory end2end/fixtures "$fixtures_port" \
  >"$dir/fixtures.log" 2>&1 &
fix=$!
"$IDV_BIN" serve >"$dir/server.log" 2>&1 &
srv=$!
trap 'kill $srv $fix 2>/dev/null || true' EXIT
wait_http "$base/readyz" 30 || { cat "$dir/server.log"; exit 1; }
wait_http "$fixtures/acme-logo.svg" 30 || { cat "$dir/fixtures.log"; exit 1; }
E2E_BASE_URL="$base" E2E_PARENT_PORT="$parent_port" E2E_HOOK_PORT="$hook_port" \
  E2E_PARTNER_A="$dir/partner-a.json" E2E_PARTNER_B="$dir/partner-b.json" \
  E2E_SERVER_LOG="$dir/server.log" E2E_WORK="$dir" E2E_IDV_BIN="$IDV_BIN" E2E_EVAL_BIN="$EVAL_BIN" \
  E2E_MEDIA="${IDV_TEST_MEDIA:-$ROOT_DIR/target/test-media}" \
  E2E_ARTIFACTS="${E2E_ARTIFACTS:-$ROOT_DIR/end2end/artifacts}" \
  node --test --test-concurrency=1 --test-reporter=tap ${E2E_TESTS:-end2end/tests/}
