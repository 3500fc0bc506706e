#!/usr/bin/env python3
"""Fails when two modules of app/src/server import each other, directly or in a longer circle.

A module is a top-level item of app/src/server (a file, or a folder with its mod.rs); an import
is any `super::x` or `crate::server::x` path outside comments and `#[cfg(test)] mod tests`.
Run from the repository root (scripts/test.sh does, as a static check).
"""
import re,os,sys,itertools
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'app', 'src', 'server')
mods={}
for dp,_,fs in os.walk(root):
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(dp,f); rel=os.path.relpath(p,root)
        top=rel.split('/')[0].replace('.rs','')
        if top=='mod': continue
        s=open(p).read()
        s=re.sub(r'#\[cfg\(test\)\]\s*mod tests \{.*','',s,flags=re.S)
        s=re.sub(r'//[^\n]*','',s)
        refs=set()
        depth_super = rel.count('/')  # files in subdir: super:: refers to the parent module
        for m in re.finditer(r'crate::server::(\w+)',s): refs.add(m.group(1))
        if '/' in rel:
            sub=rel.split('/')
            # in top/x.rs, super:: = top; super::super:: = server
            for m in re.finditer(r'super::super::(\w+)',s): refs.add(m.group(1))
            if sub[-1]=='mod.rs':
                for m in re.finditer(r'(?<!super::)super::(\w+)',s): refs.add(m.group(1))
        else:
            for m in re.finditer(r'(?<!super::)super::(\w+)',s): refs.add(m.group(1))
            # use super::{a, b::c, ...}
        for m in re.finditer(r'use (?:super|crate::server)::\{([^;]*)\};',s,re.S):
            if '/' in rel and not rel.endswith('mod.rs') and m.group(0).startswith('use super'): continue
            for n in re.findall(r'(?:^|[,{\s])(\w+)(?=::|,|\s*\}|$)',m.group(1)):
                refs.add(n)
        refs.discard(top)
        mods.setdefault(top,set()).update(r for r in refs)
names=set(mods)
g={k:{r for r in v if r in names} for k,v in mods.items()}
# find cycles via SCC
idx={};low={};st=[];on=set();out=[];c=[0]
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in g[v]:
        if w not in idx: sc(w); low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v: break
        if len(comp)>1: out.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in g:
    if v not in idx: sc(v)
if out:
    for comp in out:
        print('modules that import each other in a circle: ' + ', '.join(comp))
        for a in comp:
            print('  ' + a + ' imports ' + ', '.join(sorted(g[a] & set(comp))))
    sys.exit(1)
print(f'module graph: {len(g)} modules of app/src/server, no circular imports')
