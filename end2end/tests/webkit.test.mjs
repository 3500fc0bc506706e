// The capture page in WebKit: Debian's WebKitGTK (MiniBrowser) over W3C WebDriver
// (WebKitWebDriver from webkit2gtk-driver, under Xvfb), with WebKit's mock camera. On this
// Debian (bookworm: WebKitGTK 2.50 on GStreamer 1.22) WebKit's MediaRecorder offers no type
// at all with the packages ensure_webkit installs, and with GStreamer's ugly, bad and libav
// plug-ins added only MP4, delivering an empty recording (WebKitGTK asks GStreamer for
// `appsrc automatic-eos` and `autovideoflip`, which 1.22 does not have). So the test goes as
// far as WebKit goes: the page hydrates, the mock camera runs in the preview, Record is tried;
// when the browser cannot record, or the recording comes back empty, the page says so and the
// user's way on is a recorded video from a file, which
// this test takes through the ID photo, the upload and the result (partner test key, magic
// identifier `test_verified`). If a WebKit here records, the test takes that path instead.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { partner, MEDIA, ARTIFACTS, verifUrl } from './helpers.mjs';
import { startDriver, Session } from './webdriver.mjs';

const MINIBROWSER = process.env.E2E_MINIBROWSER;

let driver;
let wk;
before(async () => {
  assert.ok(MINIBROWSER, 'E2E_MINIBROWSER is set by scripts/e2e.sh');
  driver = await startDriver('xvfb-run', (port) => ['-a', '-s', '-screen 0 1280x1024x24', 'WebKitWebDriver', `--port=${port}`],
    { log: `${ARTIFACTS}/webkitwebdriver.log` });
  wk = await Session.create(driver.url, {
    'webkitgtk:browserOptions': {
      binary: MINIBROWSER,
      args: ['--automation', '--enable-mock-capture-devices=true', '--enable-media-stream=true'],
    },
  });
  await wk.setWindowRect(390, 844).catch(() => {});
});
after(async () => {
  await wk?.quit();
  driver?.stop();
});

test('WebKit: the page, the mock camera, Record, and on to the result', async () => {
  const { test_api_key: key } = partner('E2E_PARTNER_A');
  const shot = (step) => wk.screenshot(`${ARTIFACTS}/webkit-${step}.png`);
  await wk.goto(verifUrl(key, 'test_verified'));
  await wk.waitForSelector('main[data-hydrated="true"]', 30000);
  await shot('1-consent');
  await wk.click('#consent');
  await wk.click('#start');
  await wk.idPhoto(`${MEDIA}/id_obama.jpg`);
  await wk.waitForSelector('#record:not([disabled])');
  await wk.waitFor('() => document.querySelector("#selfie-video")?.currentTime > 1', { what: 'the mock camera running' });
  await shot('2-camera');
  const types = await wk.exec(`() => ['video/webm;codecs=vp9', 'video/webm;codecs=vp8', 'video/webm', 'video/mp4;codecs=avc1', 'video/mp4']
    .filter((t) => MediaRecorder.isTypeSupported(t))`);
  console.log(`# WebKitGTK ${wk.capabilities.browserVersion} MediaRecorder types: ${types.join(', ') || 'none'}`);
  await wk.click('#record');
  // recorded live and answered; or the recording failed (a WebKit whose MediaRecorder offers
  // MP4 and records nothing: the server refuses it); or no type can be recorded at all (a
  // WebKit without GStreamer's encoders: the page says so at once and offers the file instead)
  const outcome = await wk.waitFor(`() => document.querySelector('#result') ? 'recorded'
    : document.querySelector('#submit-problem') ? 'failed'
    : document.querySelector('#camera-problem') ? 'cannot record' : null`,
  { timeout: 60000, what: 'the recording to end' });
  await shot('3-recorded');
  console.log(`# WebKit recording: ${outcome}`);
  if (outcome !== 'recorded') {
    // the page's way on without a recording: a video file (visible label, keyboard-focusable
    // input), uploaded
    await wk.type('#selfie-file', `${MEDIA}/seq_obama.webm`);
    await wk.waitForSelector('#selfie-playback');
    await wk.click('#selfie-accept');
    await wk.waitForSelector('#submit:not([disabled])');
    await wk.click('#submit');
  }
  const { status } = await wk.result();
  await shot('4-result');
  assert.equal(status, 'verified');
});
