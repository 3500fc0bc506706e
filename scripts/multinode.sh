#!/usr/bin/env bash
# Several `idv serve` nodes on one PostgreSQL and one Azure Blob Storage (Azurite), behind
# Debian's nginx as the load balancer (round robin, no sticky sessions, TLS), all on loopback,
# with the release build (`scripts/build.sh` first; scripts/test.sh builds it before).
#   scripts/multinode.sh test [WORK_DIR]   the multi-node tests (end2end/multinode/*.test.mjs):
#                                          the browser flow, the partner API and the dashboard
#                                          through nginx, shared limits, kill -9 mid-submission,
#                                          retention and webhooks once across nodes, /metrics
#   scripts/multinode.sh bench [WORK_DIR]  N concurrent full submissions through nginx across
#                                          two nodes (scripts/bench.sh nodes)
#   scripts/multinode.sh up [WORK_DIR]     starts it all and waits (try it with curl; Ctrl-C)
# PostgreSQL: the test command's (IDV_TEST_POSTGRES_URL, an admin URL) or one started here.
# nginx's site is built from docs/deploy/nginx/idv-proxy.conf, the proxy settings the
# operator's guide (docs/operations.md) gives.
source "$(dirname "$0")/lib.sh"
cd "$ROOT_DIR"

mode=${1:-test}
dir=${2:-$(mktemp -d /tmp/idv-nodes.XXXXXX)}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
case "$mode" in
  test) NODES=${NODES:-3} ;;
  bench) NODES=${NODES:-2} ;;
  up) NODES=${NODES:-3} ;;
  *) die "usage: scripts/multinode.sh test|bench|up [WORK_DIR]" ;;
esac
[ -x "$IDV_BIN" ] || die "no release build at $IDV_BIN: run scripts/build.sh"
ensure_apt nginx openssl chromium fonts-liberation
ensure_node
# what a node needs (ffmpeg, tesseract, the models) and the test media
ensure_runtime
ensure_test_media
[ -x end2end/node_modules/.bin/azurite-blob ] || (cd end2end && npm ci --no-audit --no-fund --loglevel=error)

pids=()
# keeps the script's exit status (the tests' result), whatever the clean-up's last command says
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$dir"/node*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  [ -f "$dir/nginx/nginx.pid" ] && kill "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null || true
  [ -n "${AZURITE_PID:-}" ] && kill "$AZURITE_PID" 2>/dev/null || true
  stop_postgres
  if [ -n "${pgroot:-}" ]; then rm -rf "$pgroot"; fi
  exit "$rc"
}
trap cleanup EXIT

# --- PostgreSQL and Azurite --------------------------------------------------------------
if [ -n "${IDV_TEST_POSTGRES_URL:-}" ]; then
  admin=$IDV_TEST_POSTGRES_URL
else
  # its own folder: the postgres user must reach it (the work dir may be another user's 0700)
  pgroot=$(mktemp -d /tmp/idv-pg.XXXXXX)
  chmod 755 "$pgroot"
  start_postgres "$pgroot/pg" || die "PostgreSQL did not start"
  admin="postgres://postgres@127.0.0.1:$PGPORT/postgres"
fi
PSQL="$(pg_bin_dir)/psql"
db="idv_nodes_$(date +%s)_$RANDOM"
"$PSQL" -q "$admin" -c "CREATE DATABASE $db" >/dev/null
database_url="${admin%/*}/$db"
start_azurite "$dir/azurite.log" || die "Azurite did not start"

# --- the nodes' shared settings (what an operator puts in each node's environment file) ------
lb_port=$(free_port)
hook_port=$(free_port)
metrics_token=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export DATABASE_URL="$database_url"
export IDV_STORAGE=azure IDV_AZURE_ACCOUNT="$AZURITE_ACCOUNT" IDV_AZURE_ACCESS_KEY="$AZURITE_KEY"
export IDV_AZURE_ENDPOINT="$AZURITE_ENDPOINT" IDV_AZURE_CONTAINER=idv
# one key for every node: links and stored secrets made by one are read by the others
IDV_SECRET_KEY=$(head -c 32 /dev/urandom | base64 -w0)
export IDV_SECRET_KEY
export IDV_PUBLIC_URL="https://127.0.0.1:$lb_port/"
export IDV_TRUSTED_PROXIES=127.0.0.1/32
export IDV_METRICS_TOKEN="$metrics_token"
export IDV_WEBHOOK_ALLOWED_CIDRS=127.0.0.0/8 IDV_WEBHOOK_POLL_INTERVAL=200ms
export IDV_RETENTION_SWEEP_INTERVAL=${IDV_RETENTION_SWEEP_INTERVAL:-2s}
# every test browser is 127.0.0.1: its per-IP budgets are out of the way; the per-IP test
# comes from a forwarded documentation address with the default sign-in limit
export IDV_IP_PAGE_PER_MINUTE=100000 IDV_IP_SUBMIT_PER_MINUTE=100000 IDV_MAX_UPLOADS_PER_ADDRESS=100000 IDV_USER_ATTEMPTS_PER_HOUR=100000
export IDV_API_RATE_LIMIT=${IDV_API_RATE_LIMIT:-40}
# two cores for all the nodes: one submission scored at a time on each
export IDV_SCORING_CONCURRENCY=${IDV_SCORING_CONCURRENCY:-1} IDV_MEDIA_CONCURRENCY=1
export IDV_SCORING_QUEUE_TIMEOUT=${IDV_SCORING_QUEUE_TIMEOUT:-30s}
export RUST_LOG=${RUST_LOG:-info,tower_http=warn}

# migrations by one node, once, before any node serves (the upgrade procedure of the guide)
IDV_DATA_DIR="$dir/admin" "$IDV_BIN" migrate
IDV_DATA_DIR="$dir/admin" "$IDV_BIN" partner create --name "Acme Bank" \
  --webhook-url "http://127.0.0.1:$hook_port/hooks/acme" >"$dir/partner-a.json"
IDV_DATA_DIR="$dir/admin" "$IDV_BIN" partner create --name "Nimbus Travel" >"$dir/partner-b.json"

ports=()
start_node() { # index
  local i=$1
  mkdir -p "$dir/node$i"
  IDV_DATA_DIR="$dir/node$i" LEPTOS_SITE_ADDR="127.0.0.1:${ports[$i]}" \
    "$IDV_BIN" serve >>"$dir/node$i.log" 2>&1 &
  echo $! >"$dir/node$i.pid"
  pids+=($!)
}
for i in $(seq 1 "$NODES"); do
  ports[$i]=$(free_port)
  start_node "$i"
done
for i in $(seq 1 "$NODES"); do
  wait_http "http://127.0.0.1:${ports[$i]}/readyz" 60 || { cat "$dir/node$i.log"; die "node $i did not start"; }
done

# --- nginx: TLS on loopback, round robin over the nodes ----------------------------------
mkdir -p "$dir/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" -keyout "$dir/nginx/key.pem" -out "$dir/nginx/cert.pem" 2>/dev/null
{
  [ "$(id -u)" -eq 0 ] && echo "user root;"
  cat <<EOF
# one worker: one round robin (each worker keeps its own), so the tests know that N
# requests in a row reach N nodes
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log $dir/nginx/access.log;
  client_body_temp_path $dir/nginx/body;
  proxy_temp_path $dir/nginx/proxy;
  fastcgi_temp_path $dir/nginx/fastcgi;
  uwsgi_temp_path $dir/nginx/uwsgi;
  scgi_temp_path $dir/nginx/scgi;
  upstream idv {
EOF
  for i in $(seq 1 "$NODES"); do echo "    server 127.0.0.1:${ports[$i]} max_fails=1 fail_timeout=5s;"; done
  cat <<EOF
    keepalive 16;
    # shorter than the nodes' idle close (IDV_HEADER_READ_TIMEOUT, 20 s), as in idv-site.conf
    keepalive_timeout 15s;
  }
  server {
    listen 127.0.0.1:$lb_port ssl http2;
    ssl_certificate $dir/nginx/cert.pem;
    ssl_certificate_key $dir/nginx/key.pem;
    include $ROOT_DIR/docs/deploy/nginx/idv-proxy.conf;
    location / {
      proxy_pass http://idv;
      # the tests see which node answered
      add_header X-Upstream \$upstream_addr always;
    }
  }
}
EOF
} >"$dir/nginx/nginx.conf"
nginx -t -c "$dir/nginx/nginx.conf" -p "$dir/nginx" 2>"$dir/nginx/check.log" || { cat "$dir/nginx/check.log"; die "nginx -t"; }
nginx -c "$dir/nginx/nginx.conf" -p "$dir/nginx"
base="https://127.0.0.1:$lb_port"
export NODE_EXTRA_CA_CERTS="$dir/nginx/cert.pem"
curl -fsS --cacert "$dir/nginx/cert.pem" -o /dev/null "$base/readyz" || die "nginx does not answer"
log "$NODES nodes behind nginx at $base (metrics token in $dir/metrics-token)"
echo "$metrics_token" >"$dir/metrics-token"

node_list=""
for i in $(seq 1 "$NODES"); do node_list+="$i=127.0.0.1:${ports[$i]},"; done
export NODES_BASE="$base" NODES_LIST="${node_list%,}" NODES_DIR="$dir" NODES_HOOK_PORT="$hook_port" \
  NODES_METRICS_TOKEN="$metrics_token" NODES_PSQL="$PSQL" NODES_DATABASE_URL="$database_url" \
  NODES_PARTNER_A="$dir/partner-a.json" NODES_PARTNER_B="$dir/partner-b.json" \
  E2E_BASE_URL="$base" E2E_WORK="$dir" E2E_IDV_BIN="$IDV_BIN" E2E_EVAL_BIN="$EVAL_BIN" \
  E2E_MEDIA="${IDV_TEST_MEDIA:-$ROOT_DIR/target/test-media}" \
  E2E_ARTIFACTS="${E2E_ARTIFACTS:-$ROOT_DIR/end2end/artifacts}"

# a node the tests killed is started again by this loop (as systemd's Restart= would)
restarter() {
  while sleep 0.5; do
    for i in $(seq 1 "$NODES"); do
      if [ -f "$dir/node$i.restart" ] && ! kill -0 "$(cat "$dir/node$i.pid")" 2>/dev/null; then
        rm -f "$dir/node$i.restart"
        start_node "$i"
      fi
    done
  done
}
restarter &
pids+=($!)

case "$mode" in
  test)
    node --test --test-concurrency=1 --test-reporter=tap ${NODES_TESTS:-end2end/multinode/}
    ;;
  bench)
    node end2end/multinode/load.mjs
    ;;
  up)
    log "Ctrl-C stops everything"
    wait
    ;;
esac
