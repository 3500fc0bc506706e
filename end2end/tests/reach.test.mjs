// The capture page for every user: axe-core on every step, a keyboard-only run (in German, with
// the locale's dates and sizes and the prompts announced), the language chosen from the
// browser and overridden by `locale`, the switcher, Arabic right to left at 390x844, hostile
// partner colours, reduced motion, and the help link for users who cannot use the camera.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launchWithCamera, partner, VIEWPORTS, MEDIA, shooter, completeFlow, followChallenge, verifUrl,
  axeCheck, tabTo, messages, idv, ARTIFACTS,
} from './helpers.mjs';

// test mode: the fake camera's person is a re-animated photo, never verified in live mode
const { test_api_key: KEY } = partner('E2E_PARTNER_A');
let browser;
before(async () => { browser = await launchWithCamera(); });
after(async () => { await browser?.close(); });

async function open(url, options = {}) {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, ...options });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
  return page;
}

// The page moves the focus in the next animation frame: wait for it (a few seconds at most).
const focused = (page, id) => page.waitForFunction((x) => document.activeElement?.id === x, id, { timeout: 5000 })
  .then(() => id, () => page.evaluate(() => document.activeElement?.id));

const htmlLang = (page) => page.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);

test('axe: no serious or critical WCAG 2.2 AA violation on any step of the flow', async () => {
  const page = await open(verifUrl(KEY, 'axe-user'));
  const shot = shooter(page, 'axe');
  const seen = [];
  const r = await completeFlow(page, {
    shot: async (step) => {
      await shot(step);
      await axeCheck(page, step);
      seen.push(step);
    },
  });
  assert.equal(r.status, 'verified');
  assert.equal(seen.length, 7, `every step checked: ${seen}`);
  await page.context().close();
});

test('keyboard only, in German: consent, ID upload, the live recording, result, every prompt announced', async () => {
  const de = messages('de');
  const page = await open(verifUrl(KEY, 'keyboard-user'), { locale: 'de-DE' });
  // what the live region says, and whether a pointer is ever used
  await page.evaluate(() => {
    window.pointerEvents = 0;
    for (const t of ['pointerdown', 'mousedown']) window.addEventListener(t, () => { window.pointerEvents += 1; }, true);
    window.said = [];
    new MutationObserver(() => window.said.push(document.getElementById('status').textContent))
      .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
  });
  const shot = shooter(page, 'keyboard-de');
  assert.deepEqual(await htmlLang(page), ['de', 'ltr']);
  assert.equal((await page.textContent('#step-title')).trim(), de['consent-title']);
  const { challenge } = await followChallenge(page);

  // the switcher comes first, then the consent box, then Start
  const order = await tabTo(page, 'consent');
  assert.equal(order[0], 'language', `focus order: ${order}`);
  await page.keyboard.press('Space');
  assert.equal(await page.isChecked('#consent'), true);
  await tabTo(page, 'start', 3);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none', 'the focused button shows its focus');
  await shot('1-consent');
  await page.keyboard.press('Enter');

  // past the document type (the test photo has no machine-readable zone; choosing a type is
  // document.test.mjs's keyboard run), to the file picker, opened from the keyboard
  await page.waitForSelector('#id-camera-start', { timeout: 20000 });
  assert.equal(await focused(page, 'step-title'), 'step-title');
  const idOrder = await tabTo(page, 'id-file');
  assert.deepEqual(idOrder, ['doc-type-passport', 'id-camera-start', 'id-file'], 'focus order on the ID step');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
  await chooser.setFiles(`${MEDIA}/id_obama.jpg`);
  await page.waitForSelector('#id-preview');
  assert.match(await page.textContent('.card .meta'), /id_obama\.jpg · (\d+ kB|\d+,\d MB)/, 'size in German units');
  assert.equal(await focused(page, 'id-accept'), 'id-accept');
  await shot('2-id-preview');
  await page.keyboard.press('Enter');

  // the selfie: the step's heading takes the focus; the Record button is next; the recording
  // is answered live
  await page.waitForSelector('#record:not([disabled])', { timeout: 20000 });
  assert.equal(await focused(page, 'step-title'), 'step-title');
  await page.waitForFunction(() => document.querySelector('#selfie-video')?.currentTime >= 1.0, null, { timeout: 20000 });
  await tabTo(page, 'record', 3);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#challenge-prompt[data-cue]', { timeout: 10000 });
  await shot('3-recording');
  await page.waitForSelector('#result', { timeout: 60000 });
  await shot('4-result');

  assert.equal(await page.getAttribute('#result', 'data-status'), 'verified');
  assert.equal(await focused(page, 'step-title'), 'step-title', 'the result heading has the focus');
  assert.equal((await page.textContent('#step-title')).trim(), de['verified-title']);
  const inAWeek = new Intl.DateTimeFormat('de', { dateStyle: 'long', numberingSystem: 'latn' })
    .format(new Date(Date.now() + 7 * 86400000));
  assert.ok((await page.textContent('#files-deleted')).includes(inAWeek), `the date in German: ${inAWeek}`);

  const said = await page.evaluate(() => window.said);
  const prompt = { turn_left: 'prompt-turn-left', turn_right: 'prompt-turn-right', look_up: 'prompt-look-up', look_down: 'prompt-look-down', blink: 'prompt-blink' };
  for (const s of challenge.steps) {
    assert.ok(said.includes(de[prompt[s.prompt]]), `"${de[prompt[s.prompt]]}" announced: ${said.join(' | ')}`);
  }
  for (const m of ['consent-ready', 'now-id', 'camera-ready-selfie', 'processing', 'done-verified']) {
    assert.ok(said.includes(de[m]), `${m} announced`);
  }
  assert.equal(await page.evaluate(() => window.pointerEvents), 0, 'no pointer was used');
  await page.context().close();
});

test('the language: Accept-Language, navigator.languages, the locale override and the switcher', async () => {
  const [fr, es, it, pl] = ['fr', 'es', 'it', 'pl'].map(messages);
  // the browser's language
  let page = await open(verifUrl(KEY, 'lang-user'), { locale: 'fr-FR' });
  assert.deepEqual(await htmlLang(page), ['fr', 'ltr']);
  assert.equal((await page.textContent('#step-title')).trim(), fr['consent-title']);
  // switching keeps what the user did
  await page.check('#consent');
  await page.selectOption('#language', { label: 'Español' });
  await page.waitForFunction((t) => document.querySelector('#step-title')?.textContent.trim() === t, es['consent-title']);
  assert.deepEqual(await htmlLang(page), ['es', 'ltr']);
  assert.equal(await page.isChecked('#consent'), true);
  assert.equal(await page.isEnabled('#start'), true);
  assert.equal((await page.textContent('#start')).trim(), es.start);
  await page.context().close();

  // `locale` on the address beats the browser, and the page keeps it
  page = await open(verifUrl(KEY, 'lang-user', { locale: 'it' }), { locale: 'de-DE' });
  await page.waitForTimeout(800);
  assert.deepEqual(await htmlLang(page), ['it', 'ltr']);
  assert.equal((await page.textContent('#step-title')).trim(), it['consent-title']);
  assert.equal(await page.inputValue('#language'), '5');
  await page.context().close();

  // a header that says English, a browser whose own list says Polish: the page follows the list
  page = await open(verifUrl(KEY, 'lang-user'), { locale: 'pl-PL', extraHTTPHeaders: { 'Accept-Language': 'en' } });
  await page.waitForFunction((t) => document.querySelector('#step-title')?.textContent.trim() === t, pl['consent-title']);
  assert.deepEqual(await htmlLang(page), ['pl', 'ltr']);
  assert.equal(await page.inputValue('#language'), '7');
  await page.context().close();
});

test('Arabic lays out right to left at 390x844', async () => {
  const ar = messages('ar');
  const page = await open(verifUrl(KEY, 'arabic-user'), { locale: 'ar' });
  const shot = shooter(page, 'arabic');
  assert.deepEqual(await htmlLang(page), ['ar', 'rtl']);
  assert.equal((await page.textContent('#step-title')).trim(), ar['consent-title']);
  await shot('1-consent');
  const layout = await page.evaluate(() => {
    const box = (s) => document.querySelector(s).getBoundingClientRect();
    return {
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      name: box('.brand-name').left,
      picker: box('#language').left,
      checkbox: box('#consent').left,
      label: box('.consent span').left,
      align: getComputedStyle(document.querySelector('.card p')).direction,
    };
  });
  assert.ok(layout.overflow <= 0, `no sideways scrolling (${layout.overflow}px)`);
  assert.ok(layout.name > layout.picker, 'the partner name on the right, the switcher on the left');
  assert.ok(layout.checkbox > layout.label, 'the checkbox before (right of) its label');
  assert.equal(layout.align, 'rtl');
  await axeCheck(page, 'Arabic consent');
  await page.check('#consent');
  await page.click('#start');
  await page.waitForSelector('#id-camera-start', { timeout: 20000 });
  await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
  await page.click('#id-accept');
  await page.waitForSelector('#record:not([disabled])', { timeout: 20000 });
  await shot('2-camera');
  assert.equal((await page.textContent('#record')).trim(), ar.record);
  await axeCheck(page, 'Arabic camera');
  await page.context().close();
});

test('hostile partner colours still give text 4.5:1', async () => {
  const pairs = [['#ffff00', '#ffff00'], ['#777777', '#767676'], ['#000000', '#111111'], ['#ff0000', '#00ff00']];
  for (const [primary, accent] of pairs) {
    const p = JSON.parse(idv('partner', 'create', '--name', `Colours ${primary}`, '--primary-color', primary, '--accent-color', accent));
    const page = await open(verifUrl(p.api_key, 'colour-user'));
    await page.check('#consent');
    await axeCheck(page, `consent with ${primary}/${accent}`, { rules: ['color-contrast'] });
    const ratio = await page.evaluate(() => {
      const rgb = (c) => c.match(/\d+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const pair = (el) => {
        const s = getComputedStyle(el);
        const [a, b] = [lum(rgb(s.color)), lum(rgb(s.backgroundColor))];
        return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      };
      return Math.min(pair(document.querySelector('#start')), pair(document.querySelector('.brand')));
    });
    assert.ok(ratio >= 4.5, `${primary}/${accent}: ${ratio.toFixed(2)}:1`);
    await page.screenshot({ path: `${ARTIFACTS}/colours-${primary.slice(1)}.png` });
    await page.context().close();
  }
});

test('reduced motion stops the prompt animations and slows the screen\'s colours', async () => {
  const animation = async (reducedMotion) => {
    const page = await open(verifUrl(KEY, 'motion-user'), { reducedMotion });
    const names = await page.evaluate(() => ['cue left', 'spinner', 'rec-dot'].map((c) => {
      const el = document.createElement('span');
      el.className = c;
      document.body.append(el);
      return getComputedStyle(el).animationName;
    }));
    await page.context().close();
    return names;
  };
  assert.deepEqual(await animation('no-preference'), ['nudge-left', 'spin', 'blink']);
  assert.deepEqual(await animation('reduce'), ['none', 'none', 'none']);

  // and asks the server for the gentler screen colours (1.0-1.4 s each, README)
  const page = await open(verifUrl(KEY, 'motion-user'), { reducedMotion: 'reduce' });
  const hello = new Promise((resolve) => page.on('websocket', (ws) => ws.on('framesent', (f) => {
    if (typeof f.payload === 'string' && JSON.parse(f.payload).t === 'hello') resolve(JSON.parse(f.payload));
  })));
  await page.check('#consent');
  await page.click('#start');
  await page.waitForSelector('#id-camera-start', { timeout: 20000 });
  await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
  await page.click('#id-accept');
  assert.equal((await hello).reduced_motion, true);
  await page.context().close();
});

test('a user who cannot use the camera is offered the partner\'s help page and a video upload', async () => {
  const help = 'https://help.colours.example/camera';
  const p = JSON.parse(idv('partner', 'create', '--name', 'Helpful Partner', '--help-url', help));
  const noCamera = await launchWithCamera({ grant: false });
  const context = await noCamera.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  await page.goto(verifUrl(p.api_key, 'help-user'));
  await page.waitForSelector('main[data-hydrated="true"]', { timeout: 20000 });
  assert.equal(await page.getAttribute('#help-link', 'href'), help);
  await page.check('#consent');
  await page.click('#start');
  await page.waitForSelector('#id-camera-start', { timeout: 20000 });
  await page.setInputFiles('#id-file', `${MEDIA}/id_obama.jpg`);
  await page.click('#id-accept');
  await page.waitForSelector('#camera-problem', { timeout: 20000 });
  assert.equal(await page.getAttribute('#camera-help', 'href'), help);
  assert.equal(await page.isVisible('label[for="selfie-file"]'), true, 'a recorded video can be uploaded');
  await axeCheck(page, 'camera refused');
  await noCamera.close();
});
