#!/usr/bin/env python3
"""The release site `build_site` made (target/site) has the layout `cargo leptos build --release`
makes from the project's `[[workspace.metadata.leptos]]`: the assets folder copied to the site
root as it is, and in `<site-root>/<site-pkg-dir>` exactly `<output-name>.js`, `.wasm` and `.css`
(cargo-leptos 0.3's names for the web-target JS, the wasm-bindgen output and the compiled
style file), plus our own gzip and brotli copies of those three. Fails naming every file that
is missing or extra, and a WASM, JS or CSS that is not what its name says.

Usage: scripts/check-site-layout.py [ROOT]
"""

import pathlib
import sys
import tomllib

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
meta = tomllib.loads((root / "Cargo.toml").read_text())["workspace"]["metadata"]["leptos"][0]
site = root / meta["site-root"]
pkg = site / meta["site-pkg-dir"]
name = meta["output-name"]
assets = root / meta["assets-dir"]

expected = {p.relative_to(assets) for p in assets.rglob("*") if p.is_file()}
own = [f"{name}.{ext}" for ext in ("js", "wasm", "css")]
expected |= {pathlib.Path(meta["site-pkg-dir"]) / f for f in own}
expected |= {pathlib.Path(meta["site-pkg-dir"]) / f"{f}.{c}" for f in own for c in ("gz", "br")}
found = {p.relative_to(site) for p in site.rglob("*") if p.is_file()}

problems = [f"missing: {p}" for p in sorted(expected - found)]
problems += [f"not made by cargo-leptos: {p}" for p in sorted(found - expected)]
for p in sorted(expected & found):
    src = assets / p
    if src.is_file() and src.read_bytes() != (site / p).read_bytes():
        problems.append(f"{p} differs from {meta['assets-dir']}/{p}")
if (pkg / f"{name}.wasm").is_file() and (pkg / f"{name}.wasm").read_bytes()[:4] != b"\0asm":
    problems.append(f"{name}.wasm is not WebAssembly")
if (pkg / f"{name}.js").is_file() and "WebAssembly" not in (pkg / f"{name}.js").read_text():
    problems.append(f"{name}.js is not wasm-bindgen's loader")
if problems:
    print("site layout:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"site layout: {len(found)} files, as cargo-leptos lays out {meta['site-root']}")
