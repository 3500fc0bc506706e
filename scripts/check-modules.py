#!/usr/bin/env python3
"""Fails when modules of the `app` crate import each other in a circle, at any level: the
top-level modules of app/src, the modules of app/src/server, and the files of every folder
below (verify/, dashboard/, ...).

A module is a file or a folder with its mod.rs. An import is any `crate::`, `super::` or
`self::` path (in a `use` or in the code) outside comments and `#[cfg(test)] mod tests`; it
is an edge between the two sibling modules under the deepest parent both share.
Run from the repository root (scripts/test.sh does, as a static check).
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'app', 'src')


def module_path(rel):
    parts = rel[:-3].split('/')
    if parts[-1] in ('mod', 'lib'):
        parts = parts[:-1]
    return tuple(parts)


def strip(src):
    src = re.sub(r'#\[cfg\((?:all\()?test[^\]]*\]\s*mod tests \{.*', '', src, flags=re.S)
    src = re.sub(r'/\*.*?\*/', '', src, flags=re.S)
    src = re.sub(r'//[^\n]*', '', src)
    # string literals hold no paths
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', src)


def use_paths(tree):
    """Every path a `use` tree names, as lists of segments (`a::{b, c::d}` -> a::b, a::c::d)."""
    tree = re.sub(r'\s+as\s+\w+', '', tree)
    tree = re.sub(r'\s+', '', tree)
    out = []

    def walk(prefix, t):
        depth, start, items = 0, 0, []
        for i, ch in enumerate(t):
            if ch == '{':
                depth += 1
            elif ch == '}':
                depth -= 1
            elif ch == ',' and depth == 0:
                items.append(t[start:i])
                start = i + 1
        items.append(t[start:])
        for item in items:
            if not item:
                continue
            if '{' in item:
                head, rest = item.split('{', 1)
                walk(prefix + [s for s in head.split('::') if s], rest[:-1])
            else:
                out.append(prefix + [s for s in item.split('::') if s])

    walk([], tree)
    return out


def resolve(here, segs):
    """The absolute module path `segs` names from module `here`, or None."""
    if not segs:
        return None
    if segs[0] == 'crate':
        return tuple(segs[1:])
    if segs[0] in ('super', 'self'):
        base = list(here)
        i = 0
        while i < len(segs) and segs[i] in ('super', 'self'):
            if segs[i] == 'super':
                if not base:
                    return None
                base.pop()
            i += 1
        return tuple(base + segs[i:])
    return None


def main():
    modules = set()
    files = {}
    for dp, _, fs in os.walk(ROOT):
        for f in fs:
            if f.endswith('.rs'):
                rel = os.path.relpath(os.path.join(dp, f), ROOT)
                m = module_path(rel)
                modules.add(m)
                files[m] = open(os.path.join(dp, f)).read()
    edges = {}
    for here, src in files.items():
        src = strip(src)
        refs = []
        for m in re.finditer(r'\buse\s+((?:crate|super|self)::[^;]*);', src):
            refs += use_paths(m.group(1))
        src_nouse = re.sub(r'\buse\s+[^;]*;', '', src)
        for m in re.finditer(r'\b((?:crate|super|self)(?:::\w+)+)', src_nouse):
            refs.append(m.group(1).split('::'))
        for segs in refs:
            target = resolve(here, segs)
            if target is None:
                continue
            # the deepest common parent, then the two children under it
            n = 0
            while n < len(here) and n < len(target) and here[n] == target[n]:
                n += 1
            if n >= len(here) or n >= len(target):
                continue  # a module's own inside, or its ancestor
            a, b = here[: n + 1], target[: n + 1]
            if b in modules and a != b:
                edges.setdefault(here[:n], {}).setdefault(a[-1], set()).add(b[-1])
    failed = False
    for parent, g in sorted(edges.items()):
        for comp in cycles(g):
            failed = True
            where = 'app/src/' + '/'.join(parent) if parent else 'app/src'
            print(f'modules of {where} that import each other in a circle: ' + ', '.join(comp))
            for a in comp:
                print('  ' + a + ' imports ' + ', '.join(sorted(g.get(a, set()) & set(comp))))
    if failed:
        sys.exit(1)
    print(f'module graph: {len(modules)} modules of app/src, no circular imports at any level')


def cycles(g):
    idx, low, st, on, out, c = {}, {}, [], set(), [], [0]
    nodes = set(g) | {w for v in g.values() for w in v}

    def sc(v):
        idx[v] = low[v] = c[0]
        c[0] += 1
        st.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in idx:
                sc(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], idx[w])
        if low[v] == idx[v]:
            comp = []
            while True:
                w = st.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in idx:
            sc(v)
    return out


main()
