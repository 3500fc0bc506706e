// The capture page on a slow phone (scripts/bench.sh phone): Chromium with CDP throttling as
// Lighthouse's mobile profile ("Slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up;
// 4x CPU slowdown), at 390x844. Prints, over RUNS fresh page loads, the time from navigation
// to an interactive consent screen (the WASM has hydrated: `data-hydrated="true"`), then one
// whole flow with the fake camera performing the link's challenge (a test-mode link: its
// challenge is known to the harness), recorded live: the recording's size and length, Record
// -> result, and recording's end -> result. With THROTTLE=0 LOADS=0 FLOWS=N (scripts/bench.sh
// speed): N flows at this machine's own speed, the p50 and p95 of those times.
import {
  launchWithCamera, VIEWPORTS, MEDIA, verifUrl, followChallenge,
} from '../tests/helpers.mjs';

const KEY = process.env.BENCH_API_KEY;
// THROTTLE=0: this machine's own network and CPU (scripts/bench.sh speed); LOADS page loads
// measured, then FLOWS whole flows
const THROTTLE = process.env.THROTTLE !== '0';
const LOADS = Number(process.env.LOADS ?? process.env.RUNS ?? 5);
const FLOWS = Number(process.env.FLOWS || 1);
const PROFILE = { latency: 150, download: 1.6e6 / 8, upload: 750e3 / 8, cpu: 4 };

async function throttled(browser) {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: PROFILE.latency,
    downloadThroughput: PROFILE.download,
    uploadThroughput: PROFILE.upload,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PROFILE.cpu });
  return { context, page };
}

async function plain(browser) {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  return { context, page: await context.newPage() };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launchWithCamera();
const loads = [];
for (let i = 0; i < LOADS; i += 1) {
  const { context, page } = await throttled(browser);
  await page.goto(verifUrl(KEY, `phone-${i}`), { waitUntil: 'commit' });
  const t = await page.waitForFunction(
    () => document.querySelector('main[data-hydrated="true"]') && performance.now(),
    null, { polling: 'raf', timeout: 60000 },
  );
  loads.push(await t.jsonValue());
  await context.close();
}
if (THROTTLE) console.log(`profile: ${PROFILE.latency} ms RTT, ${PROFILE.download * 8 / 1e6} Mbit/s down, ${PROFILE.upload * 8 / 1e3} kbit/s up, CPU x${PROFILE.cpu}`);
if (LOADS) console.log(`interactive consent screen (navigation -> hydrated), ${LOADS} cold loads: median ${median(loads).toFixed(0)} ms, all ${loads.map((x) => x.toFixed(0)).join(' ')}`);

// One flow: the ID from a file, the camera, the live recording, the result. Returns the
// times from Record (ms) and the check as `GET /v1/checks/{id}` reads it.
async function flow(i) {
  const { context, page } = THROTTLE ? await throttled(browser) : await plain(browser);
  await page.goto(verifUrl(KEY, `flow-${i}`));
  await page.waitForSelector('main[data-hydrated="true"]', { timeout: 60000 });
  const { challenge } = await followChallenge(page);
  await page.check('#consent');
  await page.click('#start');
  await page.waitForSelector('#id-camera-start', { timeout: 60000 });
  await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
  await page.waitForSelector('#id-preview');
  await page.click('#id-accept');
  await page.waitForSelector('#record:not([disabled])', { timeout: 60000 });
  await page.waitForFunction(() => document.querySelector('#selfie-video')?.currentTime >= 1.0, null, { timeout: 60000 });
  const t0 = Date.now();
  await page.click('#record');
  await page.waitForSelector('#challenge-prompt', { timeout: 60000 });
  const started = Date.now() - t0;
  await page.waitForSelector('#processing, #result, #challenge-retry', { timeout: 120000 });
  const ended = Date.now() - t0;
  await page.waitForSelector('#result, #challenge-retry', { timeout: 120000 });
  const total = Date.now() - t0;
  if (await page.$('#challenge-retry')) {
    await context.close();
    return { retry: true, total };
  }
  const status = await page.getAttribute('#result', 'data-status');
  const checkId = (await page.textContent('#check-id')).trim();
  const check = await (await fetch(`${process.env.E2E_BASE_URL}/v1/checks/${checkId}`, {
    headers: { Authorization: `Bearer ${process.env.BENCH_SECRET_KEY}` },
  })).json();
  const bytes = (await (await fetch(check.result.files.selfieVideo.url)).arrayBuffer()).byteLength;
  await context.close();
  return { started, ended, total, status, check, bytes, seconds: challenge.record_ms / 1000 };
}

const results = [];
for (let i = 0; i < FLOWS; i += 1) {
  const r = await flow(i);
  if (r.retry) {
    console.log(`live recording ${i + 1}: missed its prompts (retry offered) after ${(r.total / 1000).toFixed(1)} s`);
    process.exit(1);
  }
  results.push(r);
}
const r = results[results.length - 1];
const a = r.check.result.verificationAssessment;
const s = (ms) => (ms / 1000).toFixed(1);
console.log(`live recording: ${r.seconds.toFixed(1)} s, ${r.bytes} bytes stored (${(r.bytes * 8 / r.seconds / 1000).toFixed(0)} kbit/s)${THROTTLE ? ` at ${PROFILE.upload * 8 / 1e3} kbit/s up` : ''}`);
if (FLOWS === 1) {
  console.log(`Record -> recording started (countdown 3 s) ${s(r.started)} s; Record -> recording sent ${s(r.ended)} s; Record -> result ${s(r.total)} s; recording sent -> result ${s(r.total - r.ended)} s`);
} else {
  const p = (xs, q) => [...xs].sort((x, y) => x - y)[Math.round((xs.length - 1) * q)];
  const tail = results.map((x) => x.total - x.ended);
  const whole = results.map((x) => x.total);
  console.log(`${FLOWS} live recordings: Record -> result p50 ${s(p(whole, 0.5))} s; recording sent (the page's \`end\`) -> result p50 ${p(tail, 0.5)} ms, p95 ${p(tail, 0.95)} ms; all ${tail.join(' ')} ms`);
}
console.log(`result: ${r.status}, overall score ${a.overallScore}, similarity ${r.check.result.faceComparison.similarityScore}, risk factors [${a.riskFactors.join(', ')}]`);
await browser.close();
