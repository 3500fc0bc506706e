// Shared set-up for the browser tests: Debian's Chromium through playwright-core.
import { readFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const BASE = process.env.E2E_BASE_URL;
export const ARTIFACTS = process.env.E2E_ARTIFACTS || new URL('../artifacts', import.meta.url).pathname;
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
      ...extraArgs,
    ],
  });
}

export function verifUrl(apiKey, user = 'user-42') {
  return `${BASE}/verif/?api_key=${encodeURIComponent(apiKey)}&user_identifier=${encodeURIComponent(user)}`;
}
