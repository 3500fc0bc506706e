// scripts/bench.sh nodes: N concurrent full submissions (the 6 s test video and an ID photo,
// scored by the real face model) through nginx across the nodes scripts/multinode.sh started,
// COUNT in all. Prints throughput, p50/p95 and the answers by status, then checks the database:
// every 200 is one stored check, nothing else is, no user has two. Exits non-zero when a check
// is lost or duplicated or a 5xx other than the documented 503 appears.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const BASE = process.env.NODES_BASE;
const COUNT = Number(process.env.COUNT || 40);
const CONCURRENCY = Number(process.env.CONCURRENCY || 4);
const MEDIA = process.env.E2E_MEDIA;
const A = JSON.parse(readFileSync(process.env.NODES_PARTNER_A, 'utf8'));
const video = readFileSync(`${MEDIA}/seq_obama.webm`);
const photo = readFileSync(`${MEDIA}/id_obama.jpg`);
const run = `load${Date.now()}`;

function sql(query) {
  return execFileSync(process.env.NODES_PSQL, ['-qAtX', process.env.NODES_DATABASE_URL, '-c', query]).toString().trim();
}

async function one(i) {
  const form = new FormData();
  form.set('api_key', A.api_key);
  form.set('user_identifier', `${run}-${i}`);
  form.set('selfie_video', new Blob([video]), 'selfie.webm');
  form.set('id_photo', new Blob([photo]), 'id.jpg');
  const t0 = performance.now();
  let status = 0;
  let upstream = '';
  try {
    const r = await fetch(`${BASE}/verif/submit`, { method: 'POST', body: form });
    status = r.status;
    upstream = r.headers.get('x-upstream') || '';
    await r.arrayBuffer();
  } catch {
    status = -1;
  }
  return { i, status, upstream, ms: performance.now() - t0 };
}

const results = [];
let next = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (next < COUNT) {
    const i = next++;
    results.push(await one(i));
  }
}));
const wall = (performance.now() - t0) / 1000;

const ok = results.filter((r) => r.status === 200).map((r) => r.ms).sort((a, b) => a - b);
const pct = (p) => (ok.length ? ok[Math.min(ok.length - 1, Math.floor((p / 100) * ok.length))] : NaN);
const byStatus = {};
for (const r of results) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
const byNode = {};
for (const r of results.filter((x) => x.status === 200)) byNode[r.upstream] = (byNode[r.upstream] || 0) + 1;

const stored = Number(sql(`SELECT COUNT(*) FROM checks WHERE user_identifier LIKE '${run}-%'`));
const twice = sql(`SELECT user_identifier FROM checks WHERE user_identifier LIKE '${run}-%' GROUP BY user_identifier HAVING COUNT(*) > 1`);
const storedOfFailed = results.filter((r) => r.status !== 200)
  .filter((r) => sql(`SELECT COUNT(*) FROM checks WHERE user_identifier = '${run}-${r.i}'`) !== '0').length;
const bad5xx = results.filter((r) => (r.status >= 500 && r.status !== 503) || r.status < 0).length;

// each node's memory: now and at its peak (the kernel's high-water mark)
const memory = [];
for (const n of process.env.NODES_LIST.split(',').map((x) => x.split('=')[0])) {
  try {
    const pid = readFileSync(`${process.env.NODES_DIR}/node${n}.pid`, 'utf8').trim();
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(status.match(new RegExp(`${k}:\\s+(\\d+)`))[1]);
    memory.push(`node ${n}: RSS ${(kb('VmRSS') / 1024).toFixed(0)} MB, peak ${(kb('VmHWM') / 1024).toFixed(0)} MB`);
  } catch { /* a node that is not there */ }
}

console.log(`${COUNT} submissions, ${CONCURRENCY} at a time, through nginx across ${Object.keys(byNode).length} nodes`);
console.log(`wall ${wall.toFixed(1)} s, throughput ${(ok.length / wall).toFixed(2)} checks/s (${(60 * ok.length / wall).toFixed(0)}/min)`);
console.log(`latency of a 200: p50 ${(pct(50) / 1000).toFixed(2)} s, p95 ${(pct(95) / 1000).toFixed(2)} s`);
console.log(`answers: ${JSON.stringify(byStatus)}; per node: ${JSON.stringify(byNode)}`);
console.log(`stored ${stored} checks for ${ok.length} answers 200; users stored twice: ${twice ? twice.split('\n').length : 0}; failed answers with a stored check: ${storedOfFailed}; 5xx other than 503: ${bad5xx}`);
console.log(`memory: ${memory.join('; ')}`);
console.log(`| ${new Date().toISOString().slice(0, 10)} | ${Object.keys(byNode).length} nodes, ${COUNT} submissions, ${CONCURRENCY} concurrent | ${(60 * ok.length / wall).toFixed(0)}/min | ${(pct(50) / 1000).toFixed(2)} s | ${(pct(95) / 1000).toFixed(2)} s | ${JSON.stringify(byStatus)} | ${stored === ok.length && !twice && storedOfFailed === 0 ? 'none' : 'SOME'} lost or doubled; 5xx other than 503: ${bad5xx} |`);
if (stored !== ok.length || twice || storedOfFailed || bad5xx) process.exit(1);
