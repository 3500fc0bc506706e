// The partner dashboard in a real browser: sign in with the API key, find the check the
// capture-page test created, see its webhook attempts, redeliver and see the new attempt,
// approve a check in review (a test-mode check made with a magic user identifier) and get the
// signed reviewed webhook; the settings preview and the audit log. Runs after capture.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  launch, partner, VIEWPORTS, BASE, MEDIA, shooter, startReceiver, signatureValid, axeCheck,
} from './helpers.mjs';

let browser;
let receiver;
before(async () => {
  browser = await launch();
  receiver = await startReceiver();
});
after(async () => {
  await browser?.close();
  await receiver?.close();
});

async function signIn(key, viewport = VIEWPORTS.desktop) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${BASE}/dashboard/`);
  assert.match(page.url(), /\/dashboard\/sign-in$/);
  await page.fill('#api_key', key);
  await page.click('#sign-in');
  await page.waitForURL(`${BASE}/dashboard/checks`);
  const cookies = await context.cookies();
  const c = cookies.find((x) => x.name === 'idv_dashboard');
  assert.ok(c.httpOnly && c.sameSite === 'Strict', 'HttpOnly, SameSite=Strict session cookie');
  return page;
}

test('find the captured check, see its webhook attempts, redeliver and see a new attempt', async () => {
  // the capture-page test's checks are test mode's (the fake camera's person is a re-animated
  // photo, never verified in live mode)
  const { test_secret_key: secret_key, test_webhook_secret: webhook_secret } = partner('E2E_PARTNER_A');
  const page = await signIn(secret_key);
  const shot = shooter(page, 'dashboard');
  await shot('1-checks');
  await page.fill('#filter-user', 'acme-desktop-user');
  await page.click('text=Filter');
  const rows = page.locator('#checks tbody tr');
  assert.equal(await rows.count(), 1, 'the check made by the capture-page test');
  await rows.first().locator('a').click();
  await page.waitForSelector('#check-id');
  const checkId = (await page.textContent('#check-id')).trim();
  assert.match(await page.textContent('#decision'), /verified/);
  assert.equal(await page.$eval('#id-photo', (img) => img.complete && img.naturalWidth > 0), true, 'the ID photo loads');
  const attempts = page.locator('#deliveries .attempt');
  const before = await attempts.count();
  assert.ok(before >= 1, 'the first delivery attempt is listed');
  assert.match(await attempts.first().textContent(), /204/);
  await shot('2-check');

  await page.click('#redeliver');
  await page.waitForSelector('#notice');
  const hook = await receiver.waitFor((b) => b.check_id === checkId);
  assert.ok(signatureValid(hook, webhook_secret));
  for (let i = 0; i < 50 && (await attempts.count()) <= before; i++) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  assert.equal(await attempts.count(), before + 1, 'the redelivery is a new attempt');
  await shot('3-redelivered');

  await page.click('text=Audit log');
  await page.waitForSelector('#audit');
  const log = await page.textContent('#audit');
  for (const action of ['check.images_viewed', 'webhook.redelivered', 'dashboard.signed_in']) {
    assert.ok(log.includes(action), action);
  }
  await shot('4-audit');
  await page.context().close();

  // the branding is live mode's: its settings page, signed in with the live secret key
  const live = await signIn(partner('E2E_PARTNER_A').secret_key);
  await live.click('text=Settings');
  await live.waitForSelector('#preview');
  await live.fill('#display_name', 'Acme Preview');
  await live.frameLocator('#preview').locator('text=Acme Preview').first().waitFor();
  await shooter(live, 'dashboard')('5-settings');
  await live.context().close();
});

test('approve a check in review: the decision is final and its webhook is signed', async () => {
  const a = partner('E2E_PARTNER_A');
  const form = new FormData();
  form.set('api_key', a.test_api_key);
  form.set('user_identifier', 'test_review');
  form.set('selfie_video', new Blob([readFileSync(`${MEDIA}/seq_obama.webm`)]), 'selfie.webm');
  form.set('id_photo', new Blob([readFileSync(`${MEDIA}/id_obama.jpg`)]), 'id.jpg');
  const submitted = await (await fetch(`${BASE}/verif/submit`, { method: 'POST', body: form })).json();
  assert.equal(submitted.result.status, 'review');

  const page = await signIn(a.test_secret_key, VIEWPORTS.phone);
  const shot = shooter(page, 'dashboard-review');
  assert.equal((await page.textContent('#mode')).trim(), 'Test mode');
  await page.click('text=Review queue');
  await page.click(`tr[data-check="${submitted.check_id}"] a`);
  await page.waitForSelector('#approve');
  await page.fill('#note', 'document checked by hand');
  await shot('1-review');
  await page.click('#approve');
  await page.waitForSelector('#notice');
  assert.match(await page.textContent('#decision'), /verified/);
  assert.equal((await page.textContent('#review-note')).trim(), 'document checked by hand');
  assert.equal(await page.$('#approve'), null, 'no second decision');
  await shot('2-decided');

  const hook = await receiver.waitFor((b) => b.check_id === submitted.check_id && b.type === 'verification.reviewed');
  assert.ok(signatureValid(hook, a.test_webhook_secret), 'test-mode webhooks carry the test secret');
  const body = JSON.parse(hook.raw);
  assert.equal(body.livemode, false);
  assert.equal(body.verification_result.status, 'verified');
  await page.context().close();
});

test('axe: no serious or critical WCAG 2.2 AA violation on any dashboard page', async () => {
  const { test_secret_key: secret_key } = partner('E2E_PARTNER_A');
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  const signInPage = await context.newPage();
  await signInPage.goto(`${BASE}/dashboard/sign-in`);
  await axeCheck(signInPage, 'sign-in');
  await context.close();
  const page = await signIn(secret_key);
  await axeCheck(page, 'checks');
  const checkUrl = await page.getAttribute('#checks tbody tr a', 'href');
  const pages = [checkUrl, '/dashboard/review', '/dashboard/webhooks', '/dashboard/settings', '/dashboard/audit', '/dashboard/attempts'];
  for (const path of pages) {
    await page.goto(new URL(path, BASE).href);
    await axeCheck(page, path);
  }
  // and at phone size, where the tables scroll inside their cards
  await page.setViewportSize(VIEWPORTS.phone);
  await page.goto(`${BASE}/dashboard/checks`);
  await axeCheck(page, 'checks on a phone');
  await page.context().close();
});
