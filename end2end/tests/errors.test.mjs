// What a user can act on: camera permission refused (help, then a recorded video uploaded
// instead, whose upload survives a network failure), the back camera for the ID, a file over
// the limit refused before anything is sent, the server's 4xx message shown plainly with a
// retake, and a live connection lost mid-recording recorded again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, statSync } from 'node:fs';
import {
  axeCheck,
  launchWithCamera, partner, verifUrl, VIEWPORTS, MEDIA, WORK, shooter, followChallenge,
  recordWhenSteady,
} from './helpers.mjs';

const browsers = [];
after(async () => { for (const b of browsers) await b.close(); });

async function open(grant, user, viewport = VIEWPORTS.phone) {
  const b = await launchWithCamera({ grant });
  browsers.push(b);
  const context = await b.newContext({ viewport });
  const page = await context.newPage();
  // test mode: the fake camera's person is a re-animated photo, never verified in live mode
  const { test_api_key: api_key } = partner('E2E_PARTNER_A');
  await page.goto(verifUrl(api_key, user));
  await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
  if (grant) await followChallenge(page);
  await page.check('#consent');
  await page.click('#start');
  await page.waitForSelector('#id-camera-start', { timeout: 20000 });
  return page;
}

test('camera permission refused: the page says how to allow it, and a recorded video can be uploaded instead', async () => {
  const page = await open(false, 'denied-user');
  const shot = shooter(page, 'denied');
  await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
  await page.click('#id-accept');
  await page.waitForSelector('#camera-problem', { timeout: 20000 });
  assert.match(await page.textContent('#camera-problem'), /Camera access is blocked/);
  assert.match(await page.textContent('#camera-problem'), /Allow/);
  assert.equal(await page.locator('#record').isDisabled(), true);
  await shot('1-blocked');
  await axeCheck(page, '1-blocked');
  await page.setInputFiles('#selfie-file', `${MEDIA}/seq_obama.webm`);
  await page.waitForSelector('#selfie-playback');
  assert.match(await page.textContent('.meta'), /seq_obama\.webm/);
  await shot('2-uploaded-video');
  await page.click('#selfie-accept');

  // the upload: the network fails once, and the same files are sent again
  await page.route('**/verif/submit', (route) => route.abort('connectionreset'));
  await page.click('#submit');
  await page.waitForSelector('#retry', { timeout: 20000 });
  assert.match(await page.textContent('#submit-problem'), /did not get through/);
  await shot('3-network-failed');
  await axeCheck(page, '3-network-failed');
  await page.unroute('**/verif/submit');
  await page.click('#retry');
  await page.waitForSelector('#result', { timeout: 60000 });
  await shot('4-result');
});

test('ID from the back camera, a file over the limit, a server refusal and a lost connection', async () => {
  const page = await open(true, 'troubled-user', VIEWPORTS.desktop);
  const shot = shooter(page, 'trouble');

  // the camera for the ID: a snapshot, previewed, then replaced
  await page.click('#id-camera-start');
  await page.waitForSelector('#id-capture:not([disabled])', { timeout: 20000 });
  await shot('1-id-camera');
  await page.click('#id-capture');
  await page.waitForSelector('#id-preview');
  assert.match(await page.textContent('.meta'), /id\.jpg/);
  await shot('2-id-snapshot');
  await page.click('#id-retake');

  // over the limit: refused in the page, nothing is sent
  const big = `${WORK}/too-big.jpg`;
  writeFileSync(big, Buffer.alloc(15 * 1024 * 1024 + 1, 0xff));
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws));
  await page.setInputFiles('#id-file', big);
  await page.waitForSelector('#problem');
  assert.match(await page.textContent('#problem'), /larger than the 15 MB limit/);
  assert.equal(await page.$('#id-preview'), null);
  assert.equal(sockets.length, 0);
  await shot('3-too-big');
  await axeCheck(page, '3-too-big');

  // a file the server refuses: its 4xx message, plainly, and a retake of just that file
  const notImage = `${WORK}/not-an-image.jpg`;
  writeFileSync(notImage, 'this is not a photo');
  await page.setInputFiles('#id-file', notImage);
  await page.click('#id-accept');
  await recordWhenSteady(page);
  await page.waitForSelector('#submit-problem', { timeout: 30000 });
  const refused = await page.textContent('#submit-problem strong');
  assert.match(refused, /id_photo/);
  await shot('4-server-refused');
  await axeCheck(page, '4-server-refused');
  await page.click('#retake-id');
  await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);

  // the connection (opened with the selfie step) drops at the first prompt: the page says so,
  // and records again on a new one
  let cut = true;
  await page.routeWebSocket('**/verif/live', (ws) => {
    const server = ws.connectToServer();
    if (!cut) return;
    server.onMessage((m) => {
      ws.send(m);
      if (cut && typeof m === 'string' && JSON.parse(m).t === 'prompt') {
        cut = false;
        ws.close();
        server.close();
      }
    });
  });
  await page.click('#id-accept');
  await recordWhenSteady(page);
  await page.waitForSelector('#retry', { timeout: 30000 });
  assert.match(await page.textContent('#submit-problem'), /connection dropped during the recording/);
  await shot('5-connection-lost');
  await axeCheck(page, '5-connection-lost');
  await page.click('#retry');
  await recordWhenSteady(page);
  await page.waitForSelector('#result', { timeout: 60000 });
  assert.equal(await page.getAttribute('#result', 'data-status'), 'verified');
  assert.ok(statSync(big).size > 15 * 1024 * 1024);
  await shot('6-result');
});
