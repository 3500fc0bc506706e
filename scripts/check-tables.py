#!/usr/bin/env python3
"""Fails when a table's SQL is written outside the module that owns it.

The owners are the table "Tables and their owners" in docs/architecture.md (table -> module
file under app/src/server). Every table the migrations create must have one. A statement
belongs to the table it writes (INSERT INTO, UPDATE, DELETE FROM), or, if it only reads, to
the first table it reads; other tables may be joined or read in a subquery. A leased claim
(`LeasedRows { table: "…" }`, run by `db::claim_due`) belongs to its table. Code under
`#[cfg(test)] mod tests` is exempt. Run from the repository root (scripts/test.sh does).
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, '..')
SERVER = os.path.join(ROOT, 'app', 'src', 'server')


def owners():
    doc = open(os.path.join(ROOT, 'docs', 'architecture.md')).read()
    section = doc.split('## Tables and their owners', 1)[1].split('\n## ', 1)[0]
    out = {}
    for m in re.finditer(r'^\|\s*`(\w+)`\s*\|\s*`([\w/.]+)`', section, re.M):
        out[m.group(1)] = m.group(2)
    return out


def tables():
    found = set()
    mig = os.path.join(ROOT, 'app', 'migrations')
    for dp, _, fs in os.walk(mig):
        for f in fs:
            if f.endswith('.sql'):
                sql = open(os.path.join(dp, f)).read()
                found |= {t.lower() for t in re.findall(
                    r'CREATE TABLE(?:\s+IF NOT EXISTS)?\s+(\w+)', sql, re.I)}
    return found


def statements(src):
    """(primary table, line) of every SQL string literal and leased claim in `src`."""
    src = re.sub(r'#\[cfg\((?:all\()?test[^\]]*\]\s*mod tests \{.*', '', src, flags=re.S)
    for m in re.finditer(r'"((?:\\.|[^"\\])*)"', src, re.S):
        text = m.group(1)
        line = src.count('\n', 0, m.start()) + 1
        w = re.search(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)', text)
        r = re.search(r'\bSELECT\b.*?\bFROM\s+(\w+)', text, re.S)
        if w:
            yield w.group(1).lower(), line
        elif r:
            yield r.group(1).lower(), line
    for m in re.finditer(r'LeasedRows\s*\{[^}]*?\btable:\s*"(\w+)"', src, re.S):
        yield m.group(1).lower(), src.count('\n', 0, m.start()) + 1


def main():
    own = owners()
    known = tables()
    problems = [f'table {t} has no owner in docs/architecture.md' for t in sorted(known - set(own))]
    problems += [f'docs/architecture.md names an owner for {t}, which no migration creates'
                 for t in sorted(set(own) - known)]
    for dp, _, fs in os.walk(SERVER):
        for f in sorted(fs):
            if not f.endswith('.rs'):
                continue
            path = os.path.join(dp, f)
            rel = os.path.relpath(path, SERVER)
            for table, line in statements(open(path).read()):
                if table in own and own[table] != rel:
                    problems.append(
                        f'app/src/server/{rel}:{line}: SQL on {table}, which {own[table]} owns')
    if problems:
        print('\n'.join(problems))
        sys.exit(1)
    print(f'table owners: {len(own)} tables, each written and read from its own module only')


main()
