import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * The console in Debian's Chromium (never a downloaded browser). API_URL: a running API (default: the one
 * `npm start` serves, started by global-setup when nothing answers). WEB_URL: a running console; without it the
 * built console is served by `vite preview`, which proxies /api to API_URL.
 *
 * The `term` project (e2e/term.spec.ts, a whole term by its roles) runs on a rehearsal of its own instead
 * (scripts/rehearsal.ts: the real servers on Temporal's time-skipping server, the console on the same origin):
 * REHEARSAL_URL when one runs already, else started on REHEARSAL_PORT (default 4390) and stopped afterwards.
 */
const webUrl = process.env.WEB_URL ?? 'http://127.0.0.1:4173';
const rehearsalPort = Number(process.env.REHEARSAL_PORT ?? 4390);
const rehearsalUrl = process.env.REHEARSAL_URL ?? `http://127.0.0.1:${rehearsalPort}`;

/**
 * Which servers this run needs, from its command line: `npx playwright test term` (or `--project=term`) only the
 * rehearsal, `npx playwright test walk` only npm start's API and the console; a run without filters both.
 */
function serversNeeded(args: string[]): { walk: boolean; term: boolean } {
  // the options that take a value as the next argument
  const valued = new Set(
    '--project --grep -g --grep-invert --workers -j --reporter --retries --timeout --repeat-each --max-failures --output --config -c --shard --trace'.split(
      ' ',
    ),
  );
  const projects: string[] = [];
  const filters: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--project=')) projects.push(arg.slice('--project='.length));
    else if (arg === '--project') projects.push(args[++i] ?? '');
    else if (valued.has(arg)) i++;
    else if (!arg.startsWith('-')) filters.push(arg);
  }
  const matchesTerm = (filter: string) => {
    try {
      return new RegExp(filter).test('e2e/term.spec.ts');
    } catch {
      return 'e2e/term.spec.ts'.includes(filter);
    }
  };
  // a filter that names the term spec selects it; any other filter (or none) selects the console's other specs
  const term =
    (projects.length === 0 || projects.includes('term')) &&
    (filters.length === 0 || filters.some(matchesTerm));
  const walk =
    (projects.length === 0 || projects.includes('walk')) &&
    (filters.length === 0 || filters.some((f) => !matchesTerm(f)));
  return { walk, term };
}
const needs = serversNeeded(process.argv.slice(process.argv.indexOf('test') + 1));

export default defineConfig({
  testDir: 'e2e',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  workers: 1,
  reporter: [['list']],
  ...(needs.walk ? { globalSetup: './e2e/global-setup.ts' } : {}),
  use: {
    baseURL: webUrl,
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    trace: 'retain-on-failure',
    // a viewer away from UTC: dates show in their zone with UTC beside
    timezoneId: 'Asia/Kolkata',
  },
  projects: [
    { name: 'walk', testIgnore: /term\.spec\.ts$/ },
    {
      name: 'term',
      testMatch: /term\.spec\.ts$/,
      timeout: 900_000,
      // its own folder: a run of the other specs (on this shared machine) empties test-results/ as it starts
      outputDir: path.join(os.tmpdir(), 'mentorship-e2e-term'),
      use: { baseURL: rehearsalUrl, actionTimeout: 30_000, navigationTimeout: 30_000 },
    },
  ],
  webServer: [
    ...(needs.walk && !process.env.WEB_URL
      ? [
          {
            command: 'npx vite build && npx vite preview',
            url: webUrl,
            reuseExistingServer: true,
            timeout: 120_000,
            env: { API_URL: process.env.API_URL ?? 'http://127.0.0.1:3000' },
          },
        ]
      : []),
    ...(needs.term && !process.env.REHEARSAL_URL
      ? [
          {
            // from the repository root, where tsx is installed; SIGTERM lets it stop its servers
            command: `npx tsx scripts/rehearsal.ts --port ${rehearsalPort}`,
            cwd: '..',
            url: `${rehearsalUrl}/rehearsal/clock`,
            reuseExistingServer: false,
            timeout: 600_000,
            stdout: 'pipe' as const,
            gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 60_000 },
          },
        ]
      : []),
  ],
});
