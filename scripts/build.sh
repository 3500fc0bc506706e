#!/usr/bin/env bash
# The release build without cargo-leptos: the page's site in target/site (the `frontend` crate
# for wasm32, wasm-bindgen, wasm-opt, minified JS and CSS, the assets), then the server binary
# target/release/idv. Installs the build tools that are missing first. run.sh and bench.sh call
# the same steps; scripts/test.sh builds the same binary through its test build.
source "$(dirname "$0")/lib.sh"
use_stable_target_dir "$0" "$@"
cd "$ROOT_DIR"
use_compiler_cache
trap compiler_cache_stop EXIT
build_release
log "$(compiler_cache_stats)"
log "built $IDV_BIN and $SITE_DIR"
