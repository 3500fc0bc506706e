// Embedding: the page inside a partner's iframe (another loopback origin) posts its result to
// that parent, addressed to the partner's allowed origin; the CSP names who may frame it; a
// redirect_url on an allowed origin brings the user back with check_id and status, and one on
// any other origin is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithCamera, partner, verifUrl, VIEWPORTS, BASE, PARENT, completeFlow, shooter, startParent,
} from './helpers.mjs';

let browser;
let parent;
before(async () => {
  browser = await launchWithCamera();
  parent = await startParent();
});
after(async () => {
  await browser?.close();
  await parent?.close();
});

test('inside a partner iframe the result is posted to the parent page', async () => {
  // test mode: the fake camera's person is a re-animated photo, never verified in live mode
  const { test_api_key: api_key } = partner('E2E_PARTNER_B');
  const src = verifUrl(api_key, 'embedded-user');
  const head = await fetch(src);
  const csp = head.headers.get('content-security-policy');
  // framed only by the partner's origins; nothing by default, scripts only ours and this
  // answer's nonce'd inline ones, requests and the live channel to this host, forms posted here
  assert.ok(csp.endsWith(`; frame-ancestors 'self' ${PARENT}`), csp);
  assert.match(csp, /^default-src 'none'; script-src 'self' 'nonce-[A-Za-z0-9+/=_-]+' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; /);
  const host = new URL(src).host;
  assert.ok(csp.includes(`; connect-src 'self' ws://${host} wss://${host}; form-action 'self'; object-src 'none'; base-uri 'none'; `), csp);

  const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
  await page.goto(`${PARENT}/embed?src=${encodeURIComponent(src)}`);
  await page.waitForSelector('iframe#idv');
  const frame = await (await page.$('iframe#idv')).contentFrame();
  const { checkId, status } = await completeFlow(page, { frame, shot: shooter(page, 'iframe') });
  assert.equal(status, 'verified');
  await page.waitForFunction(() => window.messages.length > 0);
  const messages = await page.evaluate(() => window.messages);
  assert.deepEqual(messages, [{
    origin: BASE,
    data: { type: 'idv:completed', check_id: checkId, status: 'verified' },
  }]);
  await page.close();
});

test('redirect_url on an allowed origin brings the user back with the result', async () => {
  const { test_api_key: api_key } = partner('E2E_PARTNER_A');
  const page = await browser.newPage({ viewport: VIEWPORTS.phone });
  await page.goto(verifUrl(api_key, 'redirected-user', { redirect_url: `${PARENT}/done?ref=order-7` }));
  const { checkId, status } = await completeFlow(page);
  assert.ok(await page.$('#continue'), 'a Continue link is offered');
  await page.waitForURL(`${PARENT}/done?**`, { timeout: 15000 });
  const back = new URL(page.url());
  assert.equal(back.searchParams.get('ref'), 'order-7');
  assert.equal(back.searchParams.get('check_id'), checkId);
  assert.equal(back.searchParams.get('status'), status);
  await page.close();
});

test('redirect_url on another origin is refused', async () => {
  const { api_key } = partner('E2E_PARTNER_A');
  const r = await fetch(verifUrl(api_key, 'u', { redirect_url: 'https://evil.example/steal' }));
  assert.equal(r.status, 400);
  assert.match(await r.text(), /redirect_url must be on one of the partner's allowed origins/);
});
