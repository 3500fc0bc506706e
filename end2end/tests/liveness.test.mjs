// The liveness challenge in a real browser: the fake camera performs its own session's
// challenge (the harness reads the challenge and renders the camera's file for it) and the
// check is verified; the very same recording submitted through another session, with that
// session's challenge, is not verified and says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import {
  launchWithCamera, partner, verifUrl, VIEWPORTS, BASE, MEDIA, WORK, completeFlow, shooter, apiGet,
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
  const { api_key, secret_key } = partner('E2E_PARTNER_A');
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
    const { body } = await apiGet(`/v1/checks/${checkId}`, secret_key);
    assert.equal(status, 'verified', JSON.stringify(body.result.verificationAssessment));
    // each prompt was announced by the live region
    assert.ok(announced.some((t) => /Turn your head|Look up/.test(t)), announced.join(' | '));
    assert.ok(announced.some((t) => /Blink/.test(t)), announced.join(' | '));

    // the recording as the service stored it, and a re-encoded copy (another file), each
    // replayed through a new session whose prompts come in another order
    const recording = Buffer.from(await (await fetch(body.result.files.selfieVideo.url)).arrayBuffer());
    writeFileSync(`${WORK}/replayed.webm`, recording);
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', `${WORK}/replayed.webm`,
      '-c:v', 'libvpx', '-b:v', '1M', `${WORK}/reencoded.webm`]);
    const order = (c) => c.steps.map((s) => s.prompt).join(',');
    const mine = order(challenge);
    for (const [file, codes] of [
      [recording, ['replayed_video', 'challenge_not_followed']],
      [readFileSync(`${WORK}/reencoded.webm`), ['challenge_not_followed']],
    ]) {
      let other;
      for (let i = 0; i < 20 && !other; i++) {
        const s = await newSession(secret_key, `replayer-${i}`);
        if (order(s.data.challenge) !== mine) other = s;
      }
      const form = new FormData();
      form.append('capture_token', other.token);
      form.append('challenge_timeline', JSON.stringify({ shown_ms: other.data.challenge.steps.map((s) => s.at_ms) }));
      form.append('selfie_video', new Blob([file], { type: 'video/webm' }), 'selfie.webm');
      form.append('id_photo', new Blob([readFileSync(`${MEDIA}/id_obama.jpg`)], { type: 'image/jpeg' }), 'id.jpg');
      const replay = await (await fetch(`${BASE}/verif/submit`, { method: 'POST', body: form })).json();
      assert.equal(replay.success, true, JSON.stringify(replay));
      assert.notEqual(replay.result.status, 'verified');
      const risks = replay.result.verificationAssessment.riskFactors;
      for (const c of codes) assert.ok(risks.includes(c), `${c} missing from ${risks.join(',')}`);
    }
  } finally {
    await browser.close();
  }
});
