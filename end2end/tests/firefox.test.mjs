// The capture flow in Firefox: Debian's firefox-esr, headless, driven over W3C WebDriver by
// geckodriver (built from crates.io by scripts/lib.sh `ensure_firefox`), with Firefox's fake
// camera (`media.navigator.streams.fake`). That camera shows a moving test pattern, no face,
// so the partner's test key and the magic identifier `test_verified` decide the outcome; what
// is tested is Firefox's part: the page hydrates, the file input works, the camera starts,
// MediaRecorder picks a type Firefox records, the live channel (WebSocket) carries the photo and
// the recording as it is made, the server's prompts and screen colours show, and the server
// stores a WebM it can read.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { partner, MEDIA, ARTIFACTS, verifUrl, apiGet } from './helpers.mjs';
import { startDriver, Session } from './webdriver.mjs';

const GECKODRIVER = process.env.E2E_GECKODRIVER;
const FIREFOX = process.env.E2E_FIREFOX || '/usr/bin/firefox-esr';

let driver;
let ff;
before(async () => {
  assert.ok(GECKODRIVER, 'E2E_GECKODRIVER is set by scripts/e2e.sh');
  driver = await startDriver(GECKODRIVER, (port) => ['--host', '127.0.0.1', '--port', String(port)],
    { log: `${ARTIFACTS}/geckodriver.log` });
  ff = await Session.create(driver.url, {
    browserName: 'firefox',
    'moz:firefoxOptions': {
      binary: FIREFOX,
      args: ['-headless'],
      prefs: {
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
        'media.autoplay.default': 0,
        'intl.accept_languages': 'en-US',
        // no update checks, telemetry or remote settings: loopback only
        'app.update.enabled': false,
        'datareporting.policy.dataSubmissionEnabled': false,
        'toolkit.telemetry.enabled': false,
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
        'services.settings.server': 'http://127.0.0.1:9/',
      },
    },
  });
  await ff.setWindowRect(390, 844);
});
after(async () => {
  await ff?.quit();
  driver?.stop();
});

test('Firefox: the ID photo, the live recording and the result; the stored video is the WebM Firefox recorded', async () => {
  const { test_api_key: key, test_secret_key: secret } = partner('E2E_PARTNER_A');
  const shot = (step) => ff.screenshot(`${ARTIFACTS}/firefox-${step}.png`);
  assert.match(ff.capabilities.browserVersion, /^\d+/);
  await ff.goto(verifUrl(key, 'test_verified'));
  await ff.waitForSelector('main[data-hydrated="true"]');
  await shot('1-consent');
  await ff.click('#consent');
  await ff.click('#start');
  await ff.idPhoto(`${MEDIA}/id_obama.jpg`);
  await ff.waitForSelector('#record:not([disabled])');
  await ff.waitFor('() => document.querySelector("#selfie-video")?.currentTime > 0.5', { what: 'a live camera' });
  await shot('2-camera');
  const supported = await ff.exec(`() => ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4']
    .filter((t) => MediaRecorder.isTypeSupported(t))`);
  assert.ok(supported.includes('video/webm'), `Firefox records WebM: ${supported}`);
  console.log(`# Firefox ${ff.capabilities.browserVersion} records: ${supported.join(', ')}`);
  await ff.click('#record');
  await ff.waitForSelector('#challenge-prompt', 10000);
  await ff.waitForSelector('#selfie-camera.lit', 5000);
  await shot('3-recording');
  const { status: result, checkId } = await ff.result();
  await shot('4-result');
  assert.equal(result, 'verified');

  // the stored check and its video, through the partner API
  const { status, body } = await apiGet(`/v1/checks/${checkId}`, secret);
  assert.equal(status, 200);
  assert.equal(body.livemode, false);
  const video = body.result.files.selfieVideo;
  assert.match(video.fileName, /_selfie_\d+\.webm$/);
  const bytes = Buffer.from(await (await fetch(video.url)).arrayBuffer());
  assert.ok(bytes.length > 10000, `a real recording (${bytes.length} bytes)`);
  assert.equal(bytes.subarray(0, 4).toString('hex'), '1a45dfa3', 'an EBML (WebM) file');
});
