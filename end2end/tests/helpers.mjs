// Shared set-up for the browser tests: Debian's Chromium through playwright-core, a fake
// camera made here with ffmpeg, a real webhook receiver and a partner "parent" page, each on
// its own loopback port (scripts/e2e.sh picks them).
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const BASE = process.env.E2E_BASE_URL;
export const MEDIA = process.env.E2E_MEDIA;
export const WORK = process.env.E2E_WORK || tmpdir();
export const PARENT_PORT = Number(process.env.E2E_PARENT_PORT);
export const HOOK_PORT = Number(process.env.E2E_HOOK_PORT);
export const PARENT = `http://127.0.0.1:${PARENT_PORT}`;
export const ARTIFACTS = process.env.E2E_ARTIFACTS || new URL('../artifacts', import.meta.url).pathname;
export const CONSENT_VERSION = '2026-11-26';
mkdirSync(ARTIFACTS, { recursive: true });

export function partner(envName) {
  return JSON.parse(readFileSync(process.env[envName], 'utf8'));
}

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
};

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

// The fake camera's file. Chromium reads it each time a page starts the camera, so a test
// writes the performance of its own session's challenge there (`followChallenge`) before it
// starts the camera. Until then: three photos of one person in sequence.
export const CAMERA = `${WORK}/camera.y4m`;
export function fakeCameraFile() {
  const y4m = CAMERA;
  if (!existsSync(y4m)) {
    // each photo whole, 1.4 s each, on a light grey wall (black bars would read as a dark room)
    const fill = 'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:color=0xb4b4b4,setsar=1';
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y',
      '-loop', '1', '-t', '1.4', '-i', `${MEDIA}/obama2.jpg`,
      '-loop', '1', '-t', '1.4', '-i', `${MEDIA}/obama3.jpg`,
      '-loop', '1', '-t', '1.4', '-i', `${MEDIA}/obama.jpg`,
      '-filter_complex', `[0]${fill}[a];[1]${fill}[b];[2]${fill}[c];[a][b][c]concat=n=3:v=1,fps=15,format=yuv420p`,
      y4m]);
  }
  return y4m;
}

// Chromium with the fake camera; permission granted (`grant`) or left to be refused.
export function launchWithCamera({ grant = true } = {}) {
  return launch([
    ...(grant ? ['--use-fake-ui-for-media-stream'] : []),
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${fakeCameraFile()}`,
  ]);
}

// The camera follows the challenge of the capture page open in `p`: its capture token is read
// from the page, the challenge from the page's data (`GET /verif/?session=…` as JSON: a
// test-mode link's only, README "The live recording"; a live link's prompts are secret until
// the live channel sends each), and
// `idv-eval render` makes a synthetic live person perform it (README, "Liveness"; from
// obama3.jpg, another photo than the one the ID card was made from: a re-animation of the
// card's own portrait is `selfie_matches_id_photo`) after
// LEAD_MS of idle, the time from starting the camera to the recording (`recordWhenSteady`
// waits 1 s, then the page counts down 3 s and the server starts the recording). Returns the
// page data.
export const LEAD_MS = 4100;
// `challenge` (another session's) makes the camera perform that one instead.
export async function followChallenge(p, { photo = `${MEDIA}/obama3.jpg`, challenge } = {}) {
  const token = (await p.content()).match(/cap_[A-Za-z0-9_-]{43}/)?.[0];
  if (!token) throw new Error('no capture token in the page');
  const r = await fetch(`${BASE}/verif/?session=${token}`, { headers: { Accept: 'application/json' } });
  if (r.status !== 200) throw new Error(`page data: ${r.status} ${await r.text()}`);
  const data = await r.json();
  if (!challenge && !data.challenge) throw new Error('no challenge in the page data: only a test-mode link has one');
  execFileSync(process.env.E2E_EVAL_BIN, ['render', '--photo', photo,
    '--challenge', JSON.stringify(challenge || data.challenge), '--lead-ms', String(LEAD_MS), '--out', CAMERA],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, RUST_LOG: 'error' } });
  return data;
}

// Presses Record once the camera has run for 1 s (the preview's clock), so the recording
// starts LEAD_MS into the fake camera's file.
export async function recordWhenSteady(p) {
  await p.waitForSelector('#record:not([disabled])', { timeout: 20000 });
  await p.waitForFunction(() => document.querySelector('#selfie-video')?.currentTime >= 1.0,
    null, { timeout: 20000 });
  await p.click('#record');
}

export function verifUrl(apiKey, user = 'user-42', extra = {}) {
  const q = new URLSearchParams({ api_key: apiKey, user_identifier: user, ...extra });
  return `${BASE}/verif/?${q}`;
}

// A screenshot helper bound to a name prefix.
export function shooter(page, prefix) {
  return (step) => page.screenshot({ path: `${ARTIFACTS}/${prefix}-${step}.png`, fullPage: true });
}

// The page's answer to missed prompts: the camera performs the link's new challenge and the
// selfie is recorded again on the same live connection (the ID photos kept). Returns
// followChallenge's answer (the new challenge).
export async function recordAgain(p) {
  const next = await followChallenge(p);
  await p.click('#record-again');
  await recordWhenSteady(p);
  await p.waitForSelector('#challenge-prompt[data-cue]', { timeout: 10000 });
  return next;
}

// Clicks through the whole flow on `page` (already at the capture page): consent, an uploaded
// ID photo, the selfie recorded live (the server paces its prompts and the screen's colours
// over the live channel, and answers when it ends). Returns the result screen's check id and
// status, the challenge the camera finally performed, how many new challenges it took
// (`retries`, also printed as a `# completeFlow:` line, which the test command's summary
// counts) and the screen colours seen while recording (`lights`).
export async function completeFlow(page, { shot = async () => {}, idPhoto = `${MEDIA}/id_obama.jpg`, frame, duringRecording } = {}) {
  const p = frame || page;
  await p.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
  await shot('1-consent');
  let { challenge } = await followChallenge(p);
  await p.check('#consent');
  await p.click('#start');
  await p.waitForSelector('#id-camera-start', { timeout: 20000 });
  await shot('2-id');
  await p.setInputFiles('#id-file', idPhoto);
  await p.waitForSelector('#id-preview');
  await shot('3-id-preview');
  await p.click('#id-accept');
  await p.waitForSelector('#record:not([disabled])', { timeout: 20000 });
  await shot('4-camera');
  // the colours the server sends, as the page shows them
  await p.evaluate(() => {
    window.lightsSeen = [];
    new MutationObserver(() => {
      const c = document.querySelector('#selfie-camera')?.dataset.light;
      if (c && window.lightsSeen.at(-1) !== c) window.lightsSeen.push(c);
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-light'] });
  });
  await recordWhenSteady(p);
  await p.waitForSelector('.overlay.count', { timeout: 5000 });
  await shot('5-countdown');
  await p.waitForSelector('#challenge-prompt[data-cue]', { timeout: 10000 });
  await p.waitForSelector('#selfie-camera.lit', { timeout: 5000 });
  await shot('6-recording');
  if (duringRecording) await duringRecording(p);
  // the synthetic performance can drift out of step with the recording on a loaded machine:
  // the server then gives the link a new challenge (the page's retry state), which a person
  // would follow; so does this, at most twice, and says so in the test output
  let retries = 0;
  for (;;) {
    await p.waitForSelector('#result, #challenge-retry', { timeout: 60000 });
    if (!(await p.$('#challenge-retry')) || retries >= 2) break;
    retries++;
    console.log(`# completeFlow: the recording missed its prompts; following the new challenge (${retries})`);
    ({ challenge } = await recordAgain(p));
  }
  await p.waitForSelector('#result', { timeout: 60000 });
  await shot('7-result');
  return {
    checkId: (await p.textContent('#check-id')).trim(),
    status: await p.getAttribute('#result', 'data-status'),
    challenge,
    retries,
    lights: await p.evaluate(() => window.lightsSeen),
  };
}

// Records the selfie live (on the selfie step, the camera on) until the page shows a result,
// whatever the camera performs: a recording that only missed its prompts is recorded again (at
// most twice more). Returns the check id.
export async function recordLive(p, { timeout = 60000 } = {}) {
  await recordWhenSteady(p);
  for (let i = 0; ; i++) {
    await p.waitForSelector('#result, #challenge-retry', { timeout });
    if (!(await p.$('#challenge-retry')) || i >= 2) break;
    await p.click('#record-again');
    await recordWhenSteady(p);
  }
  await p.waitForSelector('#result', { timeout });
  return (await p.textContent('#check-id')).trim();
}

// The partner API, as a partner's server would call it.
export async function apiGet(path, apiKey) {
  const r = await fetch(`${BASE}${path}`, { headers: { Authorization: `Bearer ${apiKey}` } });
  return { status: r.status, body: await r.json() };
}

// A real webhook receiver on the loopback port scripts/e2e.sh reserved.
export function startReceiver() {
  const hooks = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ path: req.url, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(HOOK_PORT, '127.0.0.1', () => resolve({
    hooks,
    close: () => new Promise((r) => server.close(r)),
    async waitFor(pred, ms = 20000) {
      const until = Date.now() + ms;
      for (;;) {
        const h = hooks.find((x) => pred(JSON.parse(x.raw)));
        if (h) return h;
        if (Date.now() > until) throw new Error(`no matching webhook within ${ms} ms (${hooks.length} received)`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  })));
}

// Standard Webhooks verification, independent of the server's code.
export function signatureValid(hook, secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const content = `${hook.headers['webhook-id']}.${hook.headers['webhook-timestamp']}.${hook.raw}`;
  const expected = createHmac('sha256', key).update(content).digest();
  return hook.headers['webhook-signature'].split(' ').some((s) => {
    const sig = Buffer.from(s.replace(/^v1,/, ''), 'base64');
    return sig.length === expected.length && timingSafeEqual(sig, expected);
  });
}

// The partner's own site on another loopback origin: a page that embeds the capture page and
// records the messages it gets, and a landing page for redirects.
export function startParent() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, PARENT);
    if (url.pathname === '/embed') {
      const src = url.searchParams.get('src').replace(/"/g, '&quot;');
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html>
<html><head><title>Partner page</title></head><body style="margin:0;font-family:sans-serif">
<h1 style="font-size:16px;margin:8px">Partner site: verification in an iframe</h1>
<iframe id="idv" src="${src}" allow="camera; microphone" style="width:100%;height:760px;border:0"></iframe>
<script>window.messages=[];window.addEventListener('message',e=>window.messages.push({origin:e.origin,data:e.data}));</script>
</body></html>`);
    } else if (url.pathname === '/done') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><h1 id="back">Back at the partner</h1>');
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(PARENT_PORT, '127.0.0.1', () => resolve({
    close: () => new Promise((r) => server.close(r)),
  })));
}

// axe-core on the page as it is now: no serious or critical violation of the WCAG 2.0, 2.1 and
// 2.2 A/AA rules. `rules` narrows the run (e.g. ['color-contrast']).
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
export async function axeCheck(page, where, { rules } = {}) {
  let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
  if (rules) builder = builder.withRules(rules);
  const r = await builder.analyze();
  const bad = r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  if (bad.length) throw new Error(`axe on ${where}:\n${bad.join('\n')}`);
  return r;
}

// Presses Tab until the element with `id` has the focus; returns what got focus on the way.
export async function tabTo(page, id, max = 30) {
  const seen = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    const a = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    seen.push(a);
    if (a === id) return seen;
  }
  throw new Error(`Tab never reached #${id}: ${seen.join(' > ')}`);
}

// The single-line messages of a page language (app/locales/<tag>.ftl), for asserting what the
// page shows and announces.
export function messages(tag) {
  const src = readFileSync(new URL(`../../app/locales/${tag}.ftl`, import.meta.url), 'utf8');
  const m = {};
  for (const line of src.split('\n')) {
    const x = line.match(/^([a-z][a-z0-9-]*) = (.+)$/);
    if (x) m[x[1]] = x[2];
  }
  return m;
}

// The service's CLI on the test server's database (scripts/e2e.sh exports IDV_DATA_DIR).
export function idv(...args) {
  return execFileSync(process.env.E2E_IDV_BIN, args, { encoding: 'utf8', env: { ...process.env, RUST_LOG: 'error' } });
}
