#!/usr/bin/env node
// The JavaScript a signed-in mentee's first load of "My applications" fetches, and its size gzip-compressed (level 9).
// Needs the built console served (vite preview, WEB_URL) and the API it proxies to. Usage: node scripts/first-load.mjs
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const webUrl = process.env.WEB_URL ?? 'http://127.0.0.1:4173';
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const token = await (
  await fetch(`${apiUrl}/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'mentee', userId: 'first-load' }),
  })
).json();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' });
const page = await browser.newPage();
await page.goto(`${webUrl}/sign-in`);
await page.evaluate(
  (t) => sessionStorage.setItem('mentorship.session', JSON.stringify({ token: t, via: 'development' })),
  token.token,
);
const scripts = new Set();
page.on('request', (r) => {
  if (r.resourceType() === 'script') scripts.add(new URL(r.url()).pathname);
});
const started = Date.now();
await page.goto(`${webUrl}/applications`);
await page.getByRole('heading', { name: 'My applications' }).waitFor();
await page
  .getByText(/You have not applied|Your applications/)
  .first()
  .waitFor();
const ms = Date.now() - started;
await browser.close();
let raw = 0;
let gzip = 0;
for (const path of scripts) {
  const bytes = readFileSync(resolve(web, 'dist', path.slice(1)));
  raw += bytes.length;
  gzip += gzipSync(bytes, { level: 9 }).length;
}
console.log(
  `${scripts.size} scripts, ${(raw / 1024).toFixed(1)} KiB, ${(gzip / 1024).toFixed(1)} KiB gzip; dashboard data shown after ${ms} ms`,
);
