// The themed capture page in a real browser: server render, hydration, theming per partner,
// and the API key kept out of the page, the address bar and later requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, partner, verifUrl, VIEWPORTS, ARTIFACTS, BASE } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const partners = [
  { env: 'E2E_PARTNER_A', name: 'Acme Bank', primary: 'rgb(11, 110, 79)', slug: 'acme' },
  { env: 'E2E_PARTNER_B', name: 'Nimbus Travel', primary: 'rgb(124, 45, 146)', slug: 'nimbus' },
];

for (const p of partners) {
  for (const [vpName, viewport] of Object.entries(VIEWPORTS)) {
    test(`${p.name} page is themed and hydrates at ${viewport.width}x${viewport.height}`, async () => {
      const { api_key } = partner(p.env);
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const resp = await page.goto(verifUrl(api_key));
      assert.equal(resp.status(), 200);
      assert.equal(resp.headers()['referrer-policy'], 'no-referrer');

      // the server-rendered HTML carries the theme and never the key
      const html = await resp.text();
      assert.ok(html.includes(p.name));
      assert.ok(!html.includes(api_key), 'API key in served HTML');

      await page.waitForSelector('main[data-hydrated="true"]', { timeout: 15000 });
      await page.screenshot({ path: `${ARTIFACTS}/${p.slug}-${vpName}-1-consent.png`, fullPage: true });

      const requestsAfterLoad = [];
      page.on('request', (r) => requestsAfterLoad.push(r.url() + ' ' + (r.postData() || '')));

      assert.ok(!page.url().includes('api_key'), `address bar still holds the key: ${page.url()}`);
      assert.ok(page.url().includes('user_identifier=user-42'), 'other parameters are kept');

      const bg = await page.$eval('.brand', (el) => getComputedStyle(el).backgroundColor);
      assert.equal(bg, p.primary);
      assert.equal(await page.textContent('.brand-name'), p.name);

      // interactive only once the WASM runs: consent enables Start
      const start = page.locator('#start');
      assert.equal(await start.isDisabled(), true);
      await page.keyboard.press('Tab');
      await page.check('#consent');
      assert.equal(await start.isDisabled(), false);
      await start.click();
      await page.waitForSelector('text=Starting the camera');
      assert.equal(await page.getAttribute('[role=status]', 'aria-live'), 'polite');
      await page.screenshot({ path: `${ARTIFACTS}/${p.slug}-${vpName}-2-started.png`, fullPage: true });

      const js = await (await page.request.get(`${BASE}/pkg/idv.js`)).text();
      assert.ok(!js.includes(api_key));
      for (const r of requestsAfterLoad) assert.ok(!r.includes(api_key), `request after load carries the key: ${r}`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}

test('a wrong key shows the guide message on a plain error page', async () => {
  const page = await browser.newPage({ viewport: VIEWPORTS.phone });
  const resp = await page.goto(`${BASE}/verif/?api_key=idv_live_wrong&user_identifier=u1`);
  assert.equal(resp.status(), 401);
  assert.equal((await page.textContent('[role=alert]')).trim(), 'Invalid API key');
  await page.screenshot({ path: `${ARTIFACTS}/error-invalid-key.png` });
  const resp2 = await page.goto(`${BASE}/verif/?user_identifier=u1`);
  assert.equal(resp2.status(), 400);
  assert.equal((await page.textContent('[role=alert]')).trim(), 'API key is required');
  await page.close();
});

test('the key never reaches the server log', async () => {
  const log = readFileSync(process.env.E2E_SERVER_LOG, 'utf8');
  for (const p of partners) assert.ok(!log.includes(partner(p.env).api_key), 'API key in the server log');
  assert.ok(log.includes('request_id'), 'requests are logged with their id');
});
