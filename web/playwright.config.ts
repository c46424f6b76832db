import { defineConfig } from '@playwright/test';

/**
 * The console in Debian's Chromium (never a downloaded browser). API_URL: a running API (default: the one
 * `npm start` serves, started by global-setup when nothing answers). WEB_URL: a running console; without it the
 * built console is served by `vite preview`, which proxies /api to API_URL.
 */
const webUrl = process.env.WEB_URL ?? 'http://127.0.0.1:4173';

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: webUrl,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    trace: 'retain-on-failure',
    // a viewer away from UTC: dates show in their zone with UTC beside
    timezoneId: 'Asia/Kolkata',
  },
  ...(process.env.WEB_URL
    ? {}
    : {
        webServer: {
          command: 'npx vite build && npx vite preview',
          url: webUrl,
          reuseExistingServer: true,
          timeout: 120_000,
          env: { API_URL: process.env.API_URL ?? 'http://127.0.0.1:3000' },
        },
      }),
});
