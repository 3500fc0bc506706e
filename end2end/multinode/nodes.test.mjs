// Several `idv serve` nodes behind nginx (round robin, no sticky sessions, TLS) on one
// PostgreSQL and one Azure Blob Storage (Azurite), started by scripts/multinode.sh: the browser
// flow, the partner API and the dashboard with each step served by whichever node nginx picks;
// a node killed with SIGKILL mid-submission, and one killed mid-recording on the live channel; the limits shared by the nodes; webhooks and
// retention done once across them; the metrics of each node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import {
  launchWithCamera, verifUrl, completeFlow, followChallenge, recordWhenSteady, MEDIA, VIEWPORTS,
} from '../tests/helpers.mjs';

const BASE = process.env.NODES_BASE;
const DIR = process.env.NODES_DIR;
const TOKEN = process.env.NODES_METRICS_TOKEN;
// node number -> host:port
const NODES = Object.fromEntries(process.env.NODES_LIST.split(',').map((s) => s.split('=')));
const A = JSON.parse(readFileSync(process.env.NODES_PARTNER_A, 'utf8'));
const B = JSON.parse(readFileSync(process.env.NODES_PARTNER_B, 'utf8'));

// the database, read as an operator would (psql)
function sql(query) {
  return execFileSync(process.env.NODES_PSQL, ['-qAtX', process.env.NODES_DATABASE_URL, '-c', query])
    .toString().trim();
}

async function call(method, path, { key, json, headers = {}, form } = {}) {
  const h = { ...headers };
  if (key) h.Authorization = `Bearer ${key}`;
  let body;
  if (json) { h['Content-Type'] = 'application/json'; body = JSON.stringify(json); }
  if (form) body = form;
  const r = await fetch(`${BASE}${path}`, { method, headers: h, body, redirect: 'manual' });
  const text = await r.text();
  let parsed = null;
  try { parsed = JSON.parse(text); } catch { /* HTML or empty */ }
  return { status: r.status, upstream: r.headers.get('x-upstream'), body: parsed, text };
}

function submission(user, key = A.api_key) {
  const form = new FormData();
  form.set('api_key', key);
  form.set('user_identifier', user);
  form.set('selfie_video', new Blob([readFileSync(`${MEDIA}/seq_obama.webm`)]), 'selfie.webm');
  form.set('id_photo', new Blob([readFileSync(`${MEDIA}/id_obama.jpg`)]), 'id.jpg');
  return form;
}

// A node's own metrics (the scraper's view: the node's address and the token).
async function metrics(n) {
  const r = await fetch(`http://${NODES[n]}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(r.status, 200);
  return r.text();
}
function series(text, name, labels = {}) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = line.match(/^([a-z_]+)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] || '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}
async function total(name, labels) {
  let sum = 0;
  for (const n of Object.keys(NODES)) sum += series(await metrics(n), name, labels);
  return sum;
}

async function until(what, fn, ms = 20000) {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// the partner's webhook receiver
const hooks = [];
let receiver;
let browser;
before(async () => {
  receiver = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ id: req.headers['webhook-id'], body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => receiver.listen(Number(process.env.NODES_HOOK_PORT), '127.0.0.1', r));
  browser = await launchWithCamera();
});
after(async () => {
  await browser?.close();
  await new Promise((r) => receiver.close(r));
});

const allNodes = Object.values(NODES);
const madeChecks = [];

test('the partner API through nginx: every node answers, a capture link made on one opens on the others', async () => {
  const seen = new Set();
  for (let i = 0; i < 4 * allNodes.length; i++) {
    const r = await call('GET', '/v1/checks', { key: A.secret_key });
    assert.equal(r.status, 200, r.text);
    seen.add(r.upstream);
  }
  assert.deepEqual([...seen].sort(), [...allNodes].sort(), 'round robin over every node');
  const link = await call('POST', '/v1/sessions', { key: A.secret_key, json: { user_identifier: 'nodes-link' } });
  assert.equal(link.status, 201, link.text);
  const url = new URL(link.body.url);
  assert.equal(url.origin, BASE, 'links are made from IDV_PUBLIC_URL, not the node');
  // nginx's workers each keep their own round robin: a few more requests than nodes
  const opened = new Set();
  for (let i = 0; i < 4 * allNodes.length && opened.size < allNodes.length; i++) {
    const r = await fetch(link.body.url, { redirect: 'manual' });
    assert.ok([200, 303].includes(r.status), `${r.status}`);
    opened.add(r.headers.get('x-upstream'));
  }
  assert.equal(opened.size, allNodes.length, 'the link opens on every node');
});

test('the browser flow through nginx: page, token, the live recording and result on different nodes', async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const upstreams = [];
  page.on('response', (r) => {
    const u = r.headers()['x-upstream'];
    if (u) upstreams.push(`${r.request().method()} ${new URL(r.url()).pathname} ${u}`);
  });
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  // test mode: the fake camera's person is a re-animated photo, which live mode never verifies;
  // and only a test-mode link's challenge is known in advance (README, "The live recording")
  const resp = await page.goto(verifUrl(A.test_api_key, 'nodes-browser'));
  assert.equal(resp.status(), 200);
  const { checkId, status } = await completeFlow(page);
  assert.equal(status, 'verified');
  madeChecks.push({ id: checkId, key: A.test_secret_key });
  const nodesUsed = new Set(upstreams.map((u) => u.split(' ')[2]));
  assert.ok(nodesUsed.size >= 2, `one flow, several nodes: ${upstreams.join('\n')}`);
  const pageLoad = upstreams.find((u) => u.startsWith('GET /verif/'));
  assert.ok(pageLoad, upstreams.join('\n'));
  assert.ok(sockets.some((u) => new URL(u).pathname === '/verif/live'), `the live channel through nginx: ${sockets}`);
  writeFileSync(`${DIR}/browser-flow-nodes.txt`, upstreams.join('\n'));

  // the result as the partner reads it, from yet another node, and its files from storage
  const r = await call('GET', `/v1/checks/${checkId}`, { key: A.test_secret_key });
  assert.equal(r.status, 200);
  assert.equal(r.body.status ?? r.body.result?.status ?? r.body.verification_result?.status, 'verified', r.text);
  const files = JSON.stringify(r.body).match(/https?:\/\/[^"]+/g).filter((u) => u.includes('sig=') || u.includes('sv='));
  assert.ok(files.length >= 2, r.text);
  for (const f of files) assert.equal((await fetch(f)).status, 200, f);
  await context.close();
});

test('the node holding a live recording dies: the page records again on another node and the flow completes', async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(verifUrl(A.test_api_key, 'nodes-live-kill'));
  await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
  await followChallenge(page);
  await page.check('#consent');
  await page.click('#start');
  await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
  await page.click('#id-accept');
  await recordWhenSteady(page);
  await page.waitForSelector('#challenge-prompt[data-cue]', { timeout: 15000 });
  // the node recording it (its own metrics say so), killed mid-recording
  let victim;
  await until('a node recording', async () => {
    for (const n of Object.keys(NODES)) {
      if (series(await metrics(n), 'idv_live_recordings_in_progress') >= 1) victim = n;
    }
    return victim;
  }, 10000);
  process.kill(Number(readFileSync(`${DIR}/node${victim}.pid`, 'utf8').trim()), 'SIGKILL');
  try {
    // the page says the connection was lost and offers to record again; the dead node's hold
    // on the link lapses within seconds (the live lease, 10 s): meanwhile the link is busy
    await page.waitForSelector('#retry', { timeout: 20000 });
    const said = [await page.textContent('#submit-problem strong')];
    for (let i = 0; ; i++) {
      assert.ok(i < 10, `recorded again within the lease: ${said.join(' | ')}`);
      await page.click('#retry');
      const ready = await page.waitForSelector('#record:not([disabled]), #retry', { timeout: 20000 });
      if ((await ready.getAttribute('id')) === 'record') {
        await recordWhenSteady(page);
        const next = await page.waitForSelector('#challenge-prompt[data-cue], #retry', { timeout: 20000 });
        if ((await next.getAttribute('id')) === 'challenge-prompt') break;
      }
      said.push(await page.textContent('#submit-problem strong'));
      await new Promise((r) => setTimeout(r, 2000));
    }
    await page.waitForSelector('#result', { timeout: 60000 });
    assert.equal(await page.getAttribute('#result', 'data-status'), 'verified', said.join(' | '));
    writeFileSync(`${DIR}/live-kill.txt`, `killed node ${victim}; the page said: ${said.join(' | ')}`);
  } finally {
    await context.close();
    // the node comes back (as systemd would restart it)
    writeFileSync(`${DIR}/node${victim}.restart`, '');
    await until(`node ${victim} back`, async () => (await fetch(`http://${NODES[victim]}/readyz`).catch(() => ({ status: 0 }))).status === 200, 60000);
  }
});

test('the live channel through nginx: the WebSocket upgrade passes, the link is held while it is open', async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const resp = await page.goto(verifUrl(A.api_key, 'nodes-live'));
  assert.equal(resp.status(), 200);
  const token = (await page.content()).match(/cap_[A-Za-z0-9_-]{43}/)?.[0];
  assert.ok(token, 'a capture token in the page');
  // the page's own origin opens the socket (the channel refuses other origins), twice: the
  // second is told the link is in use while the first holds it
  const answers = await page.evaluate(async (token) => {
    const open = () => new Promise((resolve, reject) => {
      const ws = new WebSocket(`${location.origin.replace('http', 'ws')}/verif/live`);
      ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', token }));
      ws.onmessage = (e) => resolve({ ws, msg: JSON.parse(e.data) });
      ws.onerror = () => reject(new Error('the socket failed'));
    });
    const first = await open();
    const second = await open();
    first.ws.close();
    second.ws.close();
    return [first.msg, second.msg];
  }, token);
  assert.equal(answers[0].t, 'welcome', JSON.stringify(answers));
  assert.equal(answers[1].t, 'error', JSON.stringify(answers));
  assert.equal(answers[1].status, 409, JSON.stringify(answers));
  await context.close();
});

test('the dashboard: signed in on one node, the review decided on another (session and CSRF shared)', async () => {
  const made = await call('POST', '/verif/submit', { form: submission('test_review', A.test_api_key) });
  assert.equal(made.status, 200, made.text);
  assert.equal(made.body.result.status, 'review');
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const posts = [];
  page.on('response', (r) => {
    if (r.request().method() === 'POST') posts.push([new URL(r.url()).pathname, r.headers()['x-upstream']]);
  });
  const gets = new Set();
  page.on('response', (r) => { if (r.request().method() === 'GET' && r.headers()['x-upstream']) gets.add(r.headers()['x-upstream']); });
  await page.goto(`${BASE}/dashboard/`);
  await page.fill('#api_key', A.test_secret_key);
  await page.click('#sign-in');
  await page.waitForURL(`${BASE}/dashboard/checks`);
  await page.click('text=Review queue');
  await page.click(`tr[data-check="${made.body.check_id}"] a`);
  await page.waitForSelector('#approve');
  await page.fill('#note', 'checked across nodes');
  await page.click('#approve');
  await page.waitForSelector('#notice');
  assert.match(await page.textContent('#decision'), /verified/);
  const signIn = posts.find(([p]) => p === '/dashboard/sign-in');
  const approve = posts.find(([p]) => p.endsWith('/review'));
  assert.ok(signIn && approve, JSON.stringify(posts));
  assert.ok(gets.size + 1 >= 2 && new Set([signIn[1], approve[1], ...gets]).size >= 2,
    `the session was used on more than one node: ${JSON.stringify(posts)} ${[...gets]}`);
  assert.equal(sql(`SELECT status FROM checks WHERE id = '${made.body.check_id}'`), 'verified');
  await context.close();
});

test('a node killed with SIGKILL mid-submission: nothing accepted is lost, nothing is half written, the client retries', async () => {
  const users = ['kill-1', 'kill-2', 'kill-3', 'kill-4'];
  const pending = users.map((u) => call('POST', '/verif/submit', { form: submission(u) }).then((r) => ({ u, ...r })));
  // kill node 2 while it scores (its own metrics say so)
  const victim = '2';
  await until('node 2 scoring', async () =>
    series(await metrics(victim), 'idv_scoring_in_progress') + series(await metrics(victim), 'idv_scoring_queue_depth') >= 1, 30000);
  const pid = readFileSync(`${DIR}/node${victim}.pid`, 'utf8').trim();
  process.kill(Number(pid), 'SIGKILL');
  const results = await Promise.all(pending);
  writeFileSync(`${DIR}/kill.txt`, results.map((r) => `${r.u} ${r.status} ${r.upstream}`).join('\n'));
  const failed = results.filter((r) => r.status !== 200);
  const accepted = results.filter((r) => r.status === 200);
  assert.ok(failed.length >= 1, `the killed node's submission failed: ${results.map((r) => `${r.u} ${r.status} ${r.upstream}`)}`);
  for (const f of failed) assert.ok([502, 503, 504].includes(f.status), `a retryable error: ${f.status} ${f.text}`);
  // every accepted check is stored, with its files
  for (const a of accepted) {
    const r = await call('GET', `/v1/checks/${a.body.check_id}`, { key: A.secret_key });
    assert.equal(r.status, 200, r.text);
  }
  // nothing of the failed ones: no check, no note of files in flight
  for (const f of failed) assert.equal(sql(`SELECT COUNT(*) FROM checks WHERE user_identifier = '${f.u}'`), '0');
  // the client retries; another node takes it
  for (const f of failed) {
    const r = await call('POST', '/verif/submit', { form: submission(f.u) });
    assert.equal(r.status, 200, r.text);
    assert.notEqual(r.upstream, NODES[victim]);
  }
  for (const u of users) assert.equal(sql(`SELECT COUNT(*) FROM checks WHERE user_identifier = '${u}'`), '1', u);
  // files the dead node had stored before its commit (when the kill came after its store
  // stage): their note is swept by a live node once old enough; made old here
  const left = Number(sql('SELECT COUNT(*) FROM pending_files'));
  writeFileSync(`${DIR}/kill.txt`, `${readFileSync(`${DIR}/kill.txt`, 'utf8')}\nnotes left by the dead node: ${left}`);
  sql('UPDATE pending_files SET expires_at = 0');
  await until('no files in flight', () => sql('SELECT COUNT(*) FROM pending_files') === '0');
  // the node comes back (as systemd would restart it) and serves again
  writeFileSync(`${DIR}/node${victim}.restart`, '');
  await until('node 2 back', async () => (await fetch(`http://${NODES[victim]}/readyz`).catch(() => ({ status: 0 }))).status === 200, 60000);
  // and nginx sends it requests again once its fail_timeout has passed
  await until('nginx using node 2 again', async () => (await call('GET', '/healthz')).upstream === NODES[victim], 30000);
});

test('limits hold across nodes: the API key budget and the per-IP sign-in budget are not multiplied', async () => {
  const out = execFileSync(process.env.E2E_IDV_BIN, ['partner', 'create', '--name', 'Limits'],
    { env: { ...process.env, IDV_DATA_DIR: `${DIR}/admin`, RUST_LOG: 'error' } }).toString();
  const p = JSON.parse(out);
  const limit = Number(process.env.IDV_API_RATE_LIMIT || 40);
  if (new Date().getUTCSeconds() >= 45) await new Promise((r) => setTimeout(r, (61 - new Date().getUTCSeconds()) * 1000));
  const statuses = [];
  const upstreams = new Set();
  for (let i = 0; i < limit + 5; i++) {
    const r = await call('GET', '/v1/checks?limit=1', { key: p.secret_key });
    statuses.push(r.status);
    upstreams.add(r.upstream);
  }
  assert.equal(upstreams.size, allNodes.length, 'spread over every node');
  assert.equal(statuses.filter((s) => s === 200).length, limit, statuses.join(','));
  assert.equal(statuses.filter((s) => s === 429).length, 5, statuses.join(','));
  // per-IP: a client nginx names in X-Forwarded-For; 10 sign-ins a minute (the default)
  const signIns = [];
  for (let i = 0; i < 13; i++) {
    const r = await call('POST', '/dashboard/sign-in', {
      headers: { 'X-Forwarded-For': '198.51.100.7', 'Content-Type': 'application/x-www-form-urlencoded' },
      form: 'api_key=idv_sk_live_wrong',
    });
    signIns.push(r.status);
  }
  assert.equal(signIns.filter((s) => s === 429).length, 3, signIns.join(','));
  assert.ok(await total('idv_rate_limited_total', { limit: 'api_key' }) >= 5);
  assert.ok(await total('idv_rate_limited_total', { limit: 'ip_sign_in' }) >= 3);
});

test('webhooks are delivered once across the nodes; duplicates only where a lease was lost, and counted', async () => {
  // the live checks of the SIGKILL test (the browser flows are test mode's)
  const checks = sql(`SELECT id FROM checks WHERE partner_id = '${A.partner_id}' AND livemode = 1`).split('\n').filter(Boolean);
  assert.ok(checks.length >= 4, checks.join(','));
  await until('every live check delivered', () => checks.every((id) => hooks.some((h) => h.body.check_id === id)), 30000);
  const ids = hooks.map((h) => h.id);
  const duplicates = ids.length - new Set(ids).size;
  const leaseLost = await total('idv_webhook_lease_lost_total');
  // a node killed mid-attempt may leave a delivery the next owner sends again: at most one per
  // attempt that outlived (or lost with its process) its lease
  assert.ok(duplicates <= leaseLost + 1, `duplicates ${duplicates}, leases lost ${leaseLost}`);
  const delivered = await total('idv_webhook_attempts_total', { outcome: 'delivered' });
  assert.ok(delivered >= checks.length - 1, `delivered ${delivered} for ${checks.length}`);
});

test('retention runs on every node and deletes each check\'s files once', async () => {
  const ids = sql(`SELECT id FROM checks WHERE partner_id = '${B.partner_id}' OR partner_id = '${A.partner_id}'`).split('\n').filter(Boolean);
  const before = await total('idv_retention_deletions_total', { result: 'deleted' });
  const links = [];
  for (const { id, key } of madeChecks) {
    const r = await call('GET', `/v1/checks/${id}`, { key });
    links.push(...JSON.stringify(r.body).match(/https?:\/\/[^"]+/g).filter((u) => u.includes('sig=') || u.includes('sv=')));
  }
  sql(`UPDATE checks SET files_expire_at = 0 WHERE files_deleted_at IS NULL`);
  await until('every file deleted', () => sql('SELECT COUNT(*) FROM checks WHERE files_deleted_at IS NULL') === '0', 30000);
  const twice = sql(`SELECT check_id FROM audit_log WHERE action = 'retention.files_deleted' GROUP BY check_id HAVING COUNT(*) > 1`);
  assert.equal(twice, '', 'no check deleted twice');
  const after = await total('idv_retention_deletions_total', { result: 'deleted' });
  assert.equal(after - before, ids.length, `deletions counted once each: ${after - before} for ${ids.length}`);
  for (const l of links) assert.equal((await fetch(l)).status, 404, `${l} is gone`);
});

test('metrics: each node with its token, none through nginx, no personal data in them', async () => {
  assert.equal((await call('GET', '/metrics')).status, 404, 'nginx does not pass /metrics on');
  const n = Object.keys(NODES)[0];
  assert.equal((await fetch(`http://${NODES[n]}/metrics`)).status, 401);
  const text = await metrics(n);
  for (const name of ['idv_checks_total', 'idv_submit_stage_seconds_bucket', 'idv_http_requests_total']) {
    assert.ok(text.includes(name), name);
  }
  for (const secret of ['nodes-browser', 'kill-1', A.api_key, A.secret_key, '198.51.100.7']) {
    assert.ok(!text.includes(secret), `${secret} in /metrics`);
  }
  // counters live in each process: the node killed above started again from zero
  // (Prometheus' rate() and increase() take resets in their stride)
  assert.ok(await total('idv_checks_total', { livemode: 'true' }) >= 2);
});
