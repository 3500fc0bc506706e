#!/usr/bin/env bash
# The developer's loop: `cargo leptos watch` (hot reload on 127.0.0.1:3000). Installs what it
# needs first, cargo-leptos included (built once from crates.io into the tools cache: the
# release build, the run command and the test command do not need it). Arguments go to
# `cargo leptos watch`, e.g. `scripts/dev.sh --hot-reload`.
source "$(dirname "$0")/lib.sh"
use_stable_target_dir "$0" "$@"
cd "$ROOT_DIR"
ensure_apt curl ca-certificates
ensure_runtime
# the compiler cache serves cargo-leptos's own dependencies and the dev build's (its server
# exits after 10 idle minutes; a later rebuild starts it again)
use_compiler_cache
ensure_build_tools
ensure_cargo_leptos
exec cargo leptos watch "$@"
