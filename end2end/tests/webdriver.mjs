// A W3C WebDriver (classic) client over fetch: what the capture-page tests need to drive
// Firefox through geckodriver (and WebKitGTK through WebKitWebDriver) on loopback. Playwright
// drives only its own patched Firefox and WebKit builds; Debian's browsers speak WebDriver.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Starts a WebDriver server (`bin args…`, told its port by `portArgs(port)`) and waits until it
// answers /status.
export async function startDriver(bin, portArgs, { log } = {}) {
  const port = await freePort();
  // its own process group: a driver under xvfb-run leaves nothing behind when stopped
  const child = spawn(bin, portArgs(port), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const out = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => out.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 20000;
  for (;;) {
    try {
      const r = await fetch(`${url}/status`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > until || child.exitCode !== null) {
      try { process.kill(-child.pid); } catch { /* gone */ }
      throw new Error(`${bin} did not start: ${out.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    output: () => out.join(''),
    stop: () => {
      if (log) writeFileSync(log, out.join(''));
      try { process.kill(-child.pid); } catch { /* gone */ }
    },
  };
}

export class Session {
  constructor(driver, id) {
    this.base = `${driver}/session/${id}`;
  }

  static async create(driver, alwaysMatch) {
    const r = await fetch(`${driver}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ capabilities: { alwaysMatch } }),
    });
    const v = await r.json();
    if (!r.ok) throw new Error(`new session: ${JSON.stringify(v)}`);
    const s = new Session(driver, v.value.sessionId);
    s.capabilities = v.value.capabilities;
    return s;
  }

  async cmd(method, path, body) {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const v = await r.json();
    if (!r.ok) throw new Error(`${method} ${path}: ${v.value?.error} ${v.value?.message}`);
    return v.value;
  }

  goto(url) { return this.cmd('POST', '/url', { url }); }

  async find(css) {
    const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
    return v[ELEMENT];
  }

  async click(css) { return this.cmd('POST', `/element/${await this.find(css)}/click`, {}); }

  // Types `text` into the element; for a file input, `text` is the file's path.
  async type(css, text) { return this.cmd('POST', `/element/${await this.find(css)}/value`, { text }); }

  // Runs `fn` (a function's source) in the page with `args`; returns its value.
  exec(fn, ...args) { return this.cmd('POST', '/execute/sync', { script: `return (${fn})(...arguments)`, args }); }

  // Polls `fn` in the page until it returns something truthy.
  async waitFor(fn, { timeout = 20000, what = fn, args = [] } = {}) {
    const until = Date.now() + timeout;
    for (;;) {
      const v = await this.exec(fn, ...args).catch(() => undefined);
      if (v) return v;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  waitForSelector(css, timeout) {
    return this.waitFor('(s) => !!document.querySelector(s)', { timeout, what: css, args: [css] });
  }

  async screenshot(path) {
    writeFileSync(path, Buffer.from(await this.cmd('GET', '/screenshot'), 'base64'));
  }

  // The ID step: the photo from a file, accepted; on to the selfie step.
  async idPhoto(photo) {
    await this.waitForSelector('#id-file');
    await this.type('#id-file', photo);
    await this.waitForSelector('#id-preview');
    await this.click('#id-accept');
    await this.waitForSelector('main[data-step="selfie"]');
  }

  // The result screen: its status and check id.
  async result(timeout = 60000) {
    await this.waitForSelector('#result', timeout);
    return this.exec(`() => ({ status: document.querySelector('#result').dataset.status,
      checkId: document.querySelector('#check-id').textContent.trim() })`);
  }

  setWindowRect(width, height) { return this.cmd('POST', '/window/rect', { width, height }); }

  quit() { return fetch(this.base, { method: 'DELETE' }).catch(() => {}); }
}
