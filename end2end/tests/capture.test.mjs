// The capture page in a real browser with a fake camera, for two partners at a phone and a
// desktop size: theming, hydration, the whole flow (consent, recorded selfie video with the
// head-turn prompts, ID upload, upload progress, result), the stored check with its consent,
// the signed webhook, and the API key kept out of the page, the address bar and every request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launchWithCamera, launch, partner, verifUrl, VIEWPORTS, ARTIFACTS, BASE, CONSENT_VERSION,
  completeFlow, shooter, apiGet, startReceiver, signatureValid,
} from './helpers.mjs';

let browser;
let receiver;
before(async () => {
  browser = await launchWithCamera();
  receiver = await startReceiver();
});
after(async () => {
  await browser?.close();
  await receiver?.close();
});

const partners = [
  { env: 'E2E_PARTNER_A', name: 'Acme Bank', primary: 'rgb(11, 110, 79)', slug: 'acme', hook: '/hooks/acme' },
  { env: 'E2E_PARTNER_B', name: 'Nimbus Travel', primary: 'rgb(124, 45, 146)', slug: 'nimbus', hook: '/hooks/nimbus' },
];

for (const p of partners) {
  for (const [vpName, viewport] of Object.entries(VIEWPORTS)) {
    test(`${p.name}: the themed flow end to end at ${viewport.width}x${viewport.height}`, async () => {
      // test mode: the fake camera's person is a re-animated photo, never verified in live
      // mode (README, "Liveness"); test mode lets a partner's test flow complete
      const { test_api_key: api_key, test_secret_key: secret_key, test_webhook_secret: webhook_secret } = partner(p.env);
      const user = `${p.slug}-${vpName}-user`;
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // the page runs under a strict script policy (nonce): no violation may be reported
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
      });
      const resp = await page.goto(verifUrl(api_key, user));
      assert.equal(resp.status(), 200);
      assert.equal(resp.headers()['referrer-policy'], 'no-referrer');

      // the server-rendered HTML carries the theme and never the key
      const html = await resp.text();
      assert.ok(html.includes(p.name));
      assert.ok(!html.includes(api_key), 'API key in served HTML');

      await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
      const requests = [];
      page.on('request', (r) => requests.push(r));
      // the live channel and every text message the page sends on it
      const sockets = [];
      page.on('websocket', (ws) => {
        const said = [];
        sockets.push({ url: ws.url(), said });
        ws.on('framesent', (f) => { if (typeof f.payload === 'string') said.push(f.payload); });
      });
      assert.ok(!page.url().includes('api_key'), `address bar still holds the key: ${page.url()}`);
      assert.ok(page.url().includes(`user_identifier=${user}`), 'other parameters are kept');
      const bg = await page.$eval('.brand', (el) => getComputedStyle(el).backgroundColor);
      assert.equal(bg, p.primary);
      assert.equal(await page.textContent('.brand-name'), p.name);
      assert.ok(await page.$eval('.brand .logo', (img) => img.complete && img.naturalWidth > 0), 'logo loads');
      // Start needs consent; keyboard reaches the checkbox
      assert.equal(await page.locator('#start').isDisabled(), true);
      assert.equal(await page.getAttribute('[role=status]', 'aria-live'), 'polite');

      // on the phone size the connection is throttled (the live recording streams through it)
      if (vpName === 'phone') {
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 400 * 1024,
        });
      }
      const shot = shooter(page, `${p.slug}-${vpName}`);
      let sawScoring = false;
      const { checkId, status, lights } = await completeFlow(page, {
        shot,
        duringRecording: async () => {
          // the recording ends by the server's stop: the page shows it is checking
          await page.waitForSelector('#processing, #result, #challenge-retry', { timeout: 30000 });
          sawScoring = !!(await page.$('#processing, #result'));
          if (await page.$('#processing')) await shot('6b-checking');
        },
      });
      assert.ok(sawScoring, 'the page shows the check once the recording ends');
      // the screen's colours came live from the server while recording, several of them
      assert.ok(lights.length >= 5, `screen colours seen: ${lights.join(' ')}`);
      assert.ok(new Set(lights).size >= 3, `screen colours seen: ${lights.join(' ')}`);
      assert.equal(status, 'verified', 'a live person performing this session\'s challenge, and his ID');
      assert.match(await page.textContent('#result h1'), /verified/);

      // the stored check, through the partner API, with the consent the page recorded
      // the capture key reads nothing: the partner's server reads with its secret key
      assert.equal((await apiGet(`/v1/checks/${checkId}`, api_key)).status, 401);
      const { status: code, body } = await apiGet(`/v1/checks/${checkId}`, secret_key);
      assert.equal(code, 200);
      assert.equal(body.user_identifier, user);
      assert.equal(body.result.status, 'verified');
      assert.equal(body.livemode, false);
      assert.equal(body.consent.version, CONSENT_VERSION);
      assert.ok(Date.parse(body.consent.given_at) <= Date.parse(body.created_at));

      // the signed webhook reached the partner's receiver
      const hook = await receiver.waitFor((b) => b.check_id === checkId);
      assert.equal(hook.path, p.hook);
      assert.ok(signatureValid(hook, webhook_secret), 'webhook signature verifies');
      const payload = JSON.parse(hook.raw);
      assert.equal(payload.type, 'verification.completed');
      assert.equal(payload.verification_result.status, 'verified');
      assert.equal(payload.user_identifier, user);

      // the key: not in the JS, not in any request after load, not on the live channel
      const js = await (await page.request.get(`${BASE}/pkg/idv.js`)).text();
      assert.ok(!js.includes(api_key));
      const live = sockets.filter((s) => new URL(s.url).pathname === '/verif/live');
      assert.ok(live.length >= 1, `the live channel was used: ${sockets.map((s) => s.url).join(' ')}`);
      const said = live.flatMap((s) => s.said);
      assert.ok(said.some((m) => JSON.parse(m).t === 'hello') && said.some((m) => JSON.parse(m).t === 'end'), said.join(' '));
      assert.ok(!said.some((m) => m.includes(api_key)), 'a live message carries the key');
      for (const r of requests) {
        const body = r.postDataBuffer();
        assert.ok(!r.url().includes(api_key) && !(body && body.includes(api_key)), `request carries the key: ${r.url()}`);
        assert.ok(!Object.values(r.headers()).some((v) => v.includes(api_key)), `request header carries the key: ${r.url()}`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

test('a wrong key shows the guide message on a plain error page', async () => {
  const b = await launch();
  const page = await b.newPage({ viewport: VIEWPORTS.phone });
  const resp = await page.goto(`${BASE}/verif/?api_key=idv_live_wrong&user_identifier=u1`);
  assert.equal(resp.status(), 401);
  assert.equal((await page.textContent('[role=alert]')).trim(), 'Invalid API key');
  await page.screenshot({ path: `${ARTIFACTS}/error-invalid-key.png` });
  const resp2 = await page.goto(`${BASE}/verif/?user_identifier=u1`);
  assert.equal(resp2.status(), 400);
  assert.equal((await page.textContent('[role=alert]')).trim(), 'API key is required');
  await b.close();
});

test('the key never reaches the server log', async () => {
  const log = readFileSync(process.env.E2E_SERVER_LOG, 'utf8');
  for (const p of partners) assert.ok(!log.includes(partner(p.env).api_key), 'API key in the server log');
  assert.ok(log.includes('request_id'), 'requests are logged with their id');
});

test('the page downloads at most 350 KB of WASM + JS (gzip)', async () => {
  const { gzipSync } = await import('node:zlib');
  let total = 0;
  for (const f of ['idv.wasm', 'idv.js']) {
    const r = await fetch(`${BASE}/pkg/${f}`);
    assert.equal(r.status, 200);
    total += gzipSync(Buffer.from(await r.arrayBuffer()), { level: 9 }).length;
  }
  assert.ok(total <= 350_000, `WASM + JS is ${total} bytes gzip`);
});

test('the page\'s files travel compressed: brotli or gzip as the browser accepts, else as they are', async () => {
  const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
  const plain = Buffer.from(await (await fetch(`${BASE}/pkg/idv.wasm`, { headers: { 'Accept-Encoding': 'identity' } })).arrayBuffer());
  assert.equal(plain.subarray(0, 4).toString('hex'), '0061736d', 'the WASM itself without Accept-Encoding');
  const { request } = await import('node:http');
  const raw = (encoding) => new Promise((resolve, reject) => {
    request(`${BASE}/pkg/idv.wasm`, { headers: { 'Accept-Encoding': encoding } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
    }).on('error', reject).end();
  });
  const br = await raw('gzip, deflate, br');
  assert.equal(br.encoding, 'br');
  assert.ok(br.body.length < plain.length * 0.4, `brotli: ${br.body.length} of ${plain.length} bytes`);
  assert.deepEqual(brotliDecompressSync(br.body), plain);
  const gz = await raw('gzip');
  assert.equal(gz.encoding, 'gzip');
  assert.deepEqual(gunzipSync(gz.body), plain);
});
