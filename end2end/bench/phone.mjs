// The capture page on a slow phone (scripts/bench.sh phone): Chromium with CDP throttling as
// Lighthouse's mobile profile ("Slow 4G": 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up;
// 4x CPU slowdown), at 390x844. Prints, over RUNS fresh page loads, the time from navigation
// to an interactive consent screen (the WASM has hydrated: `data-hydrated="true"`), then one
// whole flow with the fake camera performing the link's challenge: the recording's size and
// length, the upload's time, and Submit -> result.
import {
  launchWithCamera, VIEWPORTS, MEDIA, verifUrl, followChallenge, recordWhenSteady,
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

// one flow: the camera, the challenge's recording, the ID from a file, the upload
const { context, page } = await throttled(browser);
await page.goto(verifUrl(KEY, 'phone-flow'));
await page.waitForSelector('main[data-hydrated="true"]', { timeout: 60000 });
const { challenge } = await followChallenge(page);
await page.check('#consent');
await page.click('#start');
await recordWhenSteady(page);
await page.waitForSelector('#selfie-playback', { timeout: 60000 });
const video = await page.evaluate(async () => {
  const v = document.querySelector('#selfie-playback');
  const blob = await (await fetch(v.src)).blob();
  return { bytes: blob.size, type: blob.type };
});
await page.click('#selfie-accept');
await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
await page.waitForSelector('#id-preview');
await page.click('#id-accept');
await page.waitForSelector('#submit:not([disabled])');
const t0 = Date.now();
await page.click('#submit');
await page.waitForSelector('#processing', { timeout: 120000 });
const uploaded = Date.now() - t0;
await page.waitForSelector('#result', { timeout: 120000 });
const total = Date.now() - t0;
const status = await page.getAttribute('#result', 'data-status');
const checkId = (await page.textContent('#check-id')).trim();
const check = await (await fetch(`${process.env.E2E_BASE_URL}/v1/checks/${checkId}`, {
  headers: { Authorization: `Bearer ${process.env.BENCH_SECRET_KEY}` },
})).json();
const a = check.result.verificationAssessment;
const idBytes = (await import('node:fs')).statSync(`${MEDIA}/id_obama.jpg`).size;
const seconds = challenge.record_ms / 1000;
console.log(`recording: ${video.type}, ${(seconds).toFixed(1)} s, ${video.bytes} bytes (${(video.bytes * 8 / seconds / 1000).toFixed(0)} kbit/s); its upload alone at ${PROFILE.upload * 8 / 1e3} kbit/s: ${(video.bytes / PROFILE.upload).toFixed(1)} s`);
console.log(`submit (video + ${idBytes} byte ID photo): upload ${(uploaded / 1000).toFixed(1)} s, submit -> result ${(total / 1000).toFixed(1)} s`);
console.log(`result: ${status}, overall score ${a.overallScore}, similarity ${check.result.faceComparison.similarityScore}, risk factors [${a.riskFactors.join(', ')}]`);
await context.close();
await browser.close();
