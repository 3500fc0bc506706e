// The liveness challenge in a real browser: the fake camera performs its own test-mode
// session's challenge (the harness reads it from the page data, which only a test-mode link
// has, and renders the camera's file for it), paced live by the server, and the check is
// verified; a live link's page data has no challenge, and the very same recording uploaded
// through one is not verified and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  axeCheck,
  launchWithCamera, partner, verifUrl, VIEWPORTS, BASE, MEDIA, WORK, completeFlow, shooter, apiGet,
  followChallenge, recordWhenSteady, recordAgain,
} from './helpers.mjs';

// A capture link made by the partner's server, and its page data (with the challenge).
async function newSession(secretKey, user) {
  const created = await fetch(`${BASE}/v1/sessions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_identifier: user }),
  }).then((r) => r.json());
  const token = new URL(created.url).searchParams.get('session');
  const r = await fetch(`${BASE}/verif/?session=${token}`, { headers: { Accept: 'application/json' } });
  assert.equal(r.status, 200);
  return { token, data: await r.json() };
}

test('a recording follows its own challenge only', async () => {
  // the flow in test mode (the fake camera's person is a re-animated photo, which live mode
  // never verifies); the replays below in live mode
  const { test_api_key: api_key, test_secret_key: testSecret, secret_key } = partner('E2E_PARTNER_A');
  const browser = await launchWithCamera();
  try {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    const announced = [];
    await page.exposeFunction('noteStatus', (t) => announced.push(t));
    await page.goto(verifUrl(api_key, 'live-person'));
    await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
    await page.evaluate(() => {
      const live = document.querySelector('[role=status]');
      new MutationObserver(() => window.noteStatus(live.textContent)).observe(live, { childList: true, subtree: true, characterData: true });
    });
    const { checkId, status, challenge } = await completeFlow(page, { shot: shooter(page, 'liveness') });
    const { body } = await apiGet(`/v1/checks/${checkId}`, testSecret);
    assert.equal(status, 'verified', JSON.stringify(body.result.verificationAssessment));
    // each prompt was announced by the live region
    assert.ok(announced.some((t) => /Turn your head|Look up/.test(t)), announced.join(' | '));
    assert.ok(announced.some((t) => /Blink/.test(t)), announced.join(' | '));

    // the recording as the service stored it, and a re-encoded copy (another file), each
    // uploaded through a new live link with the prompts the recording performed (all an
    // attacker can know: a live link's own prompts are in no page data): the prompts are not
    // taken from an upload, and the re-animated photo is seen
    const recording = Buffer.from(await (await fetch(body.result.files.selfieVideo.url)).arrayBuffer());
    writeFileSync(`${WORK}/replayed.webm`, recording);
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', `${WORK}/replayed.webm`,
      '-c:v', 'libvpx', '-b:v', '1M', `${WORK}/reencoded.webm`]);
    let n = 0;
    for (const file of [recording, readFileSync(`${WORK}/reencoded.webm`)]) {
      const other = await newSession(secret_key, `replayer-${n++}`);
      assert.ok(!other.data.challenge, `a live link's page data has no challenge: ${JSON.stringify(other.data.challenge)}`);
      const form = new FormData();
      form.append('capture_token', other.token);
      form.append('challenge_timeline', JSON.stringify({ shown_ms: challenge.steps.map((s) => s.at_ms) }));
      form.append('selfie_video', new Blob([file], { type: 'video/webm' }), 'selfie.webm');
      form.append('id_photo', new Blob([readFileSync(`${MEDIA}/id_obama.jpg`)], { type: 'image/jpeg' }), 'id.jpg');
      const r = await fetch(`${BASE}/verif/submit`, { method: 'POST', body: form });
      const replay = await r.json();
      assert.equal(r.status, 200, JSON.stringify(replay));
      assert.notEqual(replay.result.status, 'verified');
      const risks = replay.result.verificationAssessment.riskFactors;
      for (const c of ['no_liveness_challenge', 'synthetic_face_suspected']) {
        assert.ok(risks.includes(c), `${c} missing from ${risks.join(',')}`);
      }
    }
  } finally {
    await browser.close();
  }
});

test('a recording that missed its prompts gets new ones, and following them verifies', async () => {
  // test mode: the fake camera's person is a re-animated photo, never verified in live mode
  const { test_api_key: api_key, test_secret_key: secret_key } = partner('E2E_PARTNER_A');
  const browser = await launchWithCamera();
  try {
    const page = await (await browser.newContext({ viewport: VIEWPORTS.phone })).newPage();
    const shot = shooter(page, 'liveness-retry');
    await page.goto(verifUrl(api_key, 'misread-prompts'));
    await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
    // the camera performs another session's prompts, in another order
    const token = (await page.content()).match(/cap_[A-Za-z0-9_-]{43}/)[0];
    const own = await (await fetch(`${BASE}/verif/?session=${token}`, { headers: { Accept: 'application/json' } })).json();
    const order = (c) => c.steps.map((s) => s.prompt).join(',');
    let other;
    for (let i = 0; i < 20 && !other; i++) {
      const s = await newSession(secret_key, `someone-else-${i}`);
      if (order(s.data.challenge) !== order(own.challenge)) other = s;
    }
    await followChallenge(page, { challenge: other.data.challenge });
    await page.check('#consent');
    await page.click('#start');
    await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
    await page.click('#id-accept');
    await recordWhenSteady(page);
    // no verdict: the page says why and offers a new recording with the link's new prompts
    await page.waitForSelector('#challenge-retry', { timeout: 60000 });
    await shot('1-retry');
    await axeCheck(page, '1-retry');
    assert.match(await page.textContent('#submit-problem'), /did not follow the prompts/);
    assert.match(await page.textContent('#challenge-retry'), /2 tries left/);
    // a new recording of the link's new prompts, on the same connection, the ID photo kept
    const next = await recordAgain(page);
    assert.notDeepEqual(next.challenge, own.challenge, 'the link has a new challenge');
    await page.waitForSelector('#result', { timeout: 60000 });
    await shot('2-result');
    const status = await page.getAttribute('#result', 'data-status');
    const checkId = (await page.textContent('#check-id')).trim();
    const { body } = await apiGet(`/v1/checks/${checkId}`, secret_key);
    assert.equal(status, 'verified', JSON.stringify(body.result.verificationAssessment));
  } finally {
    await browser.close();
  }
});
