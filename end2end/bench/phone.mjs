// The capture page on a slow phone (scripts/bench.sh phone): Chromium with CDP throttling as
// Lighthouse's mobile profile ("Slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up;
// 4x CPU slowdown), at 390x844. Prints, over RUNS fresh page loads, the time from navigation
// to an interactive consent screen (the WASM has hydrated: `data-hydrated="true"`), then one
// whole flow with the fake camera performing the link's challenge (a test-mode link: its
// challenge is known to the harness), recorded live: the recording's size and length, Record
// -> result, and recording's end -> result.
import {
  launchWithCamera, VIEWPORTS, MEDIA, verifUrl, followChallenge,
} from '../tests/helpers.mjs';

const KEY = process.env.BENCH_API_KEY;
const RUNS = Number(process.env.RUNS || 5);
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const browser = await launchWithCamera();
const loads = [];
for (let i = 0; i < RUNS; i += 1) {
  const { context, page } = await throttled(browser);
  await page.goto(verifUrl(KEY, `phone-${i}`), { waitUntil: 'commit' });
  const t = await page.waitForFunction(
    () => document.querySelector('main[data-hydrated="true"]') && performance.now(),
    null, { polling: 'raf', timeout: 60000 },
  );
  loads.push(await t.jsonValue());
  await context.close();
}
console.log(`profile: ${PROFILE.latency} ms RTT, ${PROFILE.download * 8 / 1e6} Mbit/s down, ${PROFILE.upload * 8 / 1e3} kbit/s up, CPU x${PROFILE.cpu}`);
console.log(`interactive consent screen (navigation -> hydrated), ${RUNS} cold loads: median ${median(loads).toFixed(0)} ms, all ${loads.map((x) => x.toFixed(0)).join(' ')}`);

// one flow: the ID from a file, the camera, the live recording, the result
const { context, page } = await throttled(browser);
await page.goto(verifUrl(KEY, 'phone-flow'));
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
  console.log(`live recording: missed its prompts on this profile (retry offered) after ${(total / 1000).toFixed(1)} s`);
  process.exit(1);
}
const status = await page.getAttribute('#result', 'data-status');
const checkId = (await page.textContent('#check-id')).trim();
const check = await (await fetch(`${process.env.E2E_BASE_URL}/v1/checks/${checkId}`, {
  headers: { Authorization: `Bearer ${process.env.BENCH_SECRET_KEY}` },
})).json();
const a = check.result.verificationAssessment;
const bytes = (await (await fetch(check.result.files.selfieVideo.url)).arrayBuffer()).byteLength;
const seconds = challenge.record_ms / 1000;
console.log(`live recording: ${(seconds).toFixed(1)} s, ${bytes} bytes stored (${(bytes * 8 / seconds / 1000).toFixed(0)} kbit/s) at ${PROFILE.upload * 8 / 1e3} kbit/s up`);
console.log(`Record -> recording started (countdown 3 s) ${(started / 1000).toFixed(1)} s; Record -> recording sent ${(ended / 1000).toFixed(1)} s; Record -> result ${(total / 1000).toFixed(1)} s; recording sent -> result ${((total - ended) / 1000).toFixed(1)} s`);
console.log(`result: ${status}, overall score ${a.overallScore}, similarity ${check.result.faceComparison.similarityScore}, risk factors [${a.riskFactors.join(', ')}]`);
await context.close();
await browser.close();
