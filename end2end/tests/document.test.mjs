// The identity document in a real browser: the user picks the document type on the ID step
// (nothing is chosen at first, so a flow that never picks one is as before), photographs a
// passport's photo page, or an ID card's front and then its back (the machine-readable zone),
// and the partner's dashboard shows what the server read off it and each check on it.
// Runs after dashboard.test.mjs; asserts the document only (live mode: the fake camera's photos
// are no live person, and the specimen's face is not the selfie's, so the check is not
// verified).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithCamera, partner, verifUrl, VIEWPORTS, BASE, MEDIA, shooter, recordLive, apiGet,
  axeCheck,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launchWithCamera(); });
after(async () => { await browser?.close(); });

// Consent, up to the ID step with its document picker.
async function toIdStep(page, user) {
  const { api_key } = partner('E2E_PARTNER_A');
  await page.goto(verifUrl(api_key, user));
  await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
  await page.check('#consent');
  await page.click('#start');
  await page.waitForSelector('#document-type');
}

// The selfie, recorded live with the photos taken: the check id.
async function submit(page) {
  await page.waitForSelector('main[data-step="selfie"] #record:not([disabled])', { timeout: 20000 });
  return recordLive(page);
}

// The dashboard's page of `checkId`, signed in with the partner's live secret key.
async function checkPage(context, checkId) {
  const { secret_key } = partner('E2E_PARTNER_A');
  const page = await context.newPage();
  await page.goto(`${BASE}/dashboard/`);
  await page.fill('#api_key', secret_key);
  await page.click('#sign-in');
  await page.waitForURL(`${BASE}/dashboard/checks`);
  await page.goto(`${BASE}/dashboard/checks/${checkId}`);
  await page.waitForSelector('#document');
  return page;
}

// Waits until the text of `selector` matches `re` (the page updates after the event).
async function waitText(page, selector, re) {
  await page.waitForFunction(([sel, src, flags]) => new RegExp(src, flags).test(document.querySelector(sel)?.textContent ?? ''),
    [selector, re.source, re.flags], { timeout: 5000 }).catch(async () => {
    assert.fail(`${selector}: ${JSON.stringify(await page.textContent(selector).catch(() => null))} does not match ${re}`);
  });
}

const field = async (page, name) => (await page.textContent(`#document [data-field="${name}"]`)).trim();
const result = (page, name) => page.getAttribute(`#document [data-field="${name}"]`, 'data-result');

test('a passport: its photo page only, and the dashboard shows its zone (an expired specimen)', async () => {
  const { secret_key } = partner('E2E_PARTNER_A');
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const shot = shooter(page, 'document-passport');
  await toIdStep(page, 'passport-user');

  // no type is chosen at first
  for (const t of ['passport', 'id_card', 'driving_licence']) {
    assert.equal(await page.isChecked(`#doc-type-${t}`), false, t);
  }
  assert.match(await page.textContent('#document-type legend'), /Which document/);
  await shot('1-picker');
  await page.check('#doc-type-passport');
  await waitText(page, '#id-side-help',
    /page with your photo and the two lines of letters and < signs at the bottom/);
  await shot('2-passport');
  await axeCheck(page, 'the document picker with a type chosen');
  await page.setInputFiles('#id-file', `${MEDIA}/specimen_gbr.jpg`);
  await page.waitForSelector('#id-preview');
  await page.click('#id-accept');
  // a passport has no back: straight to the selfie
  const checkId = await submit(page);
  await shot('3-result');

  // what the upload carried, as the partner API tells it
  const { status, body } = await apiGet(`/v1/checks/${checkId}`, secret_key);
  assert.equal(status, 200);
  assert.equal(body.result.document?.requestedType, 'passport', JSON.stringify(body.result.document));
  assert.equal(body.result.files.idPhotoBack, undefined, 'no back for a passport');

  const dash = await checkPage(context, checkId);
  await shooter(dash, 'document-passport')('4-dashboard');
  assert.equal(await dash.getAttribute('#document', 'data-read'), 'true');
  assert.equal(await field(dash, 'requestedType'), 'Passport');
  assert.equal(await field(dash, 'type'), 'Passport');
  assert.equal(await field(dash, 'documentNumber'), '107185703');
  assert.equal(await field(dash, 'surname'), 'UNITED KINGDOM FIVE');
  assert.equal(await field(dash, 'givenNames'), 'JODIE PIPPA');
  assert.equal(await field(dash, 'dateOfBirth'), '1985-01-17');
  assert.equal(await field(dash, 'expiryDate'), '2016-01-31');
  assert.equal(await result(dash, 'checkDigits'), 'passed');
  assert.equal(await result(dash, 'notExpired'), 'failed');
  assert.match(await field(dash, 'notExpired'), /failed/);
  assert.equal(await result(dash, 'typeMatch'), 'passed');
  assert.equal(await dash.$('#id-photo-back'), null, 'no back photo listed');
  await context.close();
});

test('an ID card: the front, then the back with its zone; the back is among the check\'s files', async () => {
  const { secret_key } = partner('E2E_PARTNER_A');
  const context = await browser.newContext({ viewport: VIEWPORTS.desktop });
  const page = await context.newPage();
  const shot = shooter(page, 'document-idcard');
  await toIdStep(page, 'idcard-user');

  // the picker is a radio group the keyboard works: Space picks, arrows move the choice
  await page.focus('#doc-type-passport');
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#doc-type-passport'), true);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isChecked('#doc-type-id_card'), true);
  await waitText(page, '#id-side-help', /front of your ID card, the side with your photo/);
  await page.setInputFiles('#id-file', `${MEDIA}/idcard_obama.jpg`);
  await page.waitForSelector('#id-preview');
  await page.click('#id-accept');

  // the back: its own step, the same controls under their own ids, still "ID photo" in progress
  await page.waitForSelector('main[data-step="idback"] #id-back-camera-start');
  await waitText(page, '.steps li[aria-current="step"]', /ID photo/);
  await waitText(page, '#id-back-side-help',
    /two or three lines of letters and < signs at the bottom \(the machine-readable zone\)/);
  await shot('1-back');
  await axeCheck(page, 'the back of an ID card');
  await page.setInputFiles('#id-back-file', `${MEDIA}/idcard_obama_back.jpg`);
  await page.waitForSelector('#id-back-preview');
  assert.match(await page.textContent('.meta'), /idcard_obama_back\.jpg/);
  await shot('2-back-preview');
  await axeCheck(page, 'the back photo for review');
  await page.click('#id-back-accept');
  // both sides go on the live channel with the selfie
  const checkId = await submit(page);
  await shot('3-result');

  const { status, body } = await apiGet(`/v1/checks/${checkId}`, secret_key);
  assert.equal(status, 200);
  assert.equal(body.result.document?.requestedType, 'id_card', JSON.stringify(body.result.document));
  assert.ok(body.result.files.idPhotoBack, 'the back was stored');

  const dash = await checkPage(context, checkId);
  await shooter(dash, 'document-idcard')('4-dashboard');
  assert.equal(await dash.$eval('#id-photo-back', (img) => img.complete && img.naturalWidth > 0), true,
    'the back photo loads');
  assert.equal(await field(dash, 'requestedType'), 'ID card');
  assert.equal(await field(dash, 'type'), 'ID card');
  assert.equal(await field(dash, 'documentNumber'), 'D23145890');
  assert.equal(await field(dash, 'surname'), 'OBAMA');
  assert.equal(await result(dash, 'notExpired'), 'passed');
  assert.equal(await result(dash, 'typeMatch'), 'passed');
  await context.close();
});
