#!/usr/bin/env bash
# cargo as the project's scripts run it: at the fixed target path (/tmp/idv-target, see
# use_stable_target_dir in lib.sh), with the compiler cache and LEPTOS_OUTPUT_NAME=idv, so a
# command of your own reuses the test command's build, e.g.
#   scripts/cargo.sh test --release -p app -p idv --features app/ssr --test api
source "$(dirname "$0")/lib.sh"
use_stable_target_dir "$0" "$@"
use_compiler_cache
trap compiler_cache_stop EXIT
cargo "$@"
