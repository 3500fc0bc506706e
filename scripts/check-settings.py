#!/usr/bin/env python3
"""Fails when a setting's name (`IDV_…`) is spelled outside app/src/server/config/settings.rs.

Code names a setting through its declaration (`settings::DATA_DIR.name`), so a rename is one
edit. Tests, comments and `IDV_FUZZ` (the fuzz targets' own switch, not a setting) are exempt.
Run from the repository root (scripts/test.sh does).
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
found = []
for top in ('app/src', 'server/src'):
    for dp, _, fs in os.walk(os.path.join(ROOT, top)):
        for f in sorted(fs):
            path = os.path.join(dp, f)
            rel = os.path.relpath(path, ROOT)
            if not f.endswith('.rs') or rel == 'app/src/server/config/settings.rs':
                continue
            src = open(path).read()
            src = re.sub(r'#\[cfg\((?:all\()?test[^\]]*\]\s*mod tests \{.*', '', src, flags=re.S)
            src = re.sub(r'//[^\n]*', '', src)
            for m in re.finditer(r'"(IDV_[A-Z0-9_]+)"', src):
                if m.group(1) != 'IDV_FUZZ':
                    found.append(f'{rel}:{src.count(chr(10), 0, m.start()) + 1}: {m.group(1)} '
                                 'spelled out; use its declaration in config/settings.rs')
if found:
    print('\n'.join(found))
    sys.exit(1)
print('settings: each IDV_ name spelled once, in config/settings.rs')
