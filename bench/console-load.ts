/**
 * The web console's first load and its Lighthouse scores (issue 20's goal: performance and accessibility ≥ 90,
 * under 200 KB of compressed JavaScript on the first load).
 *
 *   npx tsx bench/console-load.ts                # from the repository root, with an API on API_URL (npm start)
 *   RUNS=9 LIGHTHOUSE=0 npx tsx bench/console-load.ts
 *
 * API_URL (default http://127.0.0.1:3000) must accept the development sign-in (npm start does). The console is
 * built from web/ into a temporary folder (or CONSOLE_DIST, a build already made) and served by
 * web/e2e/support/serve-console.ts as a deployment would: hashed assets cached, text compressed with brotli (gzip
 * for a browser without it), /api passed to the API on the same origin. Chromium: CHROME_PATH or /usr/bin/chromium.
 *
 * 1. First load of the mentee dashboard ("My applications", signed in with a development token in sessionStorage
 *    as web/src/auth/session.ts keeps it), cold cache, in Chromium via playwright-core, RUNS times (default 7):
 *    JavaScript sent (bytes on the wire, compressed as served) and uncompressed, requests, and the time from the
 *    navigation's start to the dashboard's data on screen (the API's answer rendered), median and range.
 * 2. Lighthouse 12 (the last major that runs on Node 20) performance and accessibility, mobile (its default:
 *    simulated slow 4G, 4× CPU slowdown) and desktop presets, for the mentee's "My applications" and the mentor's
 *    "Applicants"; audits that score below 0.9 are listed under the table (why a score is short).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serveConsole } from '../web/e2e/support/serve-console.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
// the console's own packages (playwright-core, lighthouse, puppeteer-core, chrome-launcher) live in web/
const fromWeb = createRequire(join(web, 'package.json'));
const load = async <T>(name: string): Promise<T> => {
  const module = await import(pathToFileURL(fromWeb.resolve(name)).href);
  // a CommonJS package's exports arrive as `default`
  return (name === 'playwright-core' ? (module.default ?? module) : module) as T;
};

/** The browser globals the page functions below use (this file type-checks without the DOM library). */
declare const sessionStorage: { setItem(key: string, value: string): void };
declare const document: {
  querySelector(
    selector: string,
  ): { textContent: string | null; querySelector(selector: string): unknown } | null;
};

/** What this script uses of Lighthouse, chrome-launcher and puppeteer-core (installed in web/, typed there). */
interface LighthouseResult {
  lhr: {
    finalDisplayedUrl?: string;
    environment: { benchmarkIndex: number };
    categories: Record<string, { score: number | null; auditRefs: { id: string; weight: number }[] }>;
    audits: Record<string, { id: string; title: string; score: number | null; displayValue?: string }>;
  };
}
type Lighthouse = (
  url: string,
  flags: Record<string, unknown>,
  config: unknown,
  page: unknown,
) => Promise<LighthouseResult | undefined>;
interface ChromeLauncher {
  launch(options: { chromePath: string; chromeFlags: string[] }): Promise<{ port: number; kill(): void }>;
}
interface PuppeteerPage {
  evaluateOnNewDocument<A extends unknown[]>(fn: (...args: A) => void, ...args: A): Promise<unknown>;
}
interface Puppeteer {
  connect(options: {
    browserURL: string;
  }): Promise<{ newPage(): Promise<PuppeteerPage>; disconnect(): Promise<void> }>;
}

const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const chromePath = process.env.CHROME_PATH ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runs = Number(process.env.RUNS ?? 7);
const withLighthouse = process.env.LIGHTHOUSE !== '0';
const lighthouseRuns = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const KEY = 'mentorship.session';
const tag = Date.now().toString(36);

async function devToken(role: string, userId: string, programs: string[] = []): Promise<string> {
  const response = await fetch(`${apiUrl}/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, userId, programs }),
  });
  if (!response.ok) throw new Error(`POST ${apiUrl}/dev/sign-in: ${response.status} (is npm start running?)`);
  return ((await response.json()) as { token: string }).token;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

let build: string | undefined;
let dist = process.env.CONSOLE_DIST;
if (!dist) {
  build = mkdtempSync(join(tmpdir(), 'console-bench-'));
  dist = build;
  execFileSync('npx', ['vite', 'build', '--outDir', build, '--emptyOutDir', '--logLevel', 'error'], {
    cwd: web,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
const served = await serveConsole({ dist, apiUrl });
const menteeToken = await devToken('mentee', `bench-mentee-${tag}`);
const mentorToken = await devToken('mentor', `bench-mentor-${tag}`, [`bench-${tag}`]);

try {
  // 1. the first load, in Chromium through playwright-core
  const { chromium } = await load<typeof import('playwright-core')>('playwright-core');
  const browser = await chromium.launch({ executablePath: chromePath });
  const loads: {
    ms: number;
    requests: number;
    scripts: number;
    jsWire: number;
    jsRaw: number;
    encoding: string;
  }[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    await context.addInitScript(
      ([key, token]) => sessionStorage.setItem(key!, JSON.stringify({ token, via: 'development' })),
      [KEY, menteeToken],
    );
    const page = await context.newPage();
    const responses: Promise<{
      url: string;
      script: boolean;
      wire: number;
      raw: number;
      encoding: string;
    }>[] = [];
    page.on('requestfinished', (request) =>
      responses.push(
        (async () => {
          const response = await request.response();
          const sizes = await request.sizes();
          const body = request.resourceType() === 'script' ? await response?.body() : undefined;
          return {
            url: request.url(),
            script: request.resourceType() === 'script',
            wire: sizes.responseBodySize,
            raw: body?.length ?? 0,
            encoding: (await response?.headerValue('content-encoding')) ?? 'identity',
          };
        })(),
      ),
    );
    await page.goto(`${served.url}/applications`, { waitUntil: 'commit' });
    // the dashboard's data on screen: the API's answer rendered (the list, or its empty state)
    const ms = await page.waitForFunction(
      () => {
        const main = document.querySelector('main');
        const shown =
          main?.textContent?.includes('You have not applied to a program yet.') ||
          main?.querySelector('table tbody tr, ol li a, ul li a');
        return shown ? performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    const elapsed = (await ms.jsonValue()) as number;
    await page.waitForLoadState('networkidle');
    const all = await Promise.all(responses);
    const scripts = all.filter((r) => r.script);
    if (i === 0 && process.env.VERBOSE) {
      for (const r of all)
        console.log(`${r.script ? 'js ' : '   '} ${kb(r.wire).padStart(9)} ${r.url.replace(served.url, '')}`);
    }
    loads.push({
      ms: elapsed,
      requests: all.length,
      scripts: scripts.length,
      jsWire: scripts.reduce((sum, r) => sum + r.wire, 0),
      jsRaw: scripts.reduce((sum, r) => sum + r.raw, 0),
      encoding: [...new Set(scripts.map((r) => r.encoding))].join('+'),
    });
    await context.close();
  }
  await browser.close();

  const first = loads[0]!;
  const times = loads.map((l) => l.ms);
  console.log(
    `\nFirst load of the mentee dashboard (${served.url}/applications, cold cache, ${runs} runs, loopback)\n`,
  );
  console.log('| figure | value |');
  console.log('|---|---|');
  console.log(
    `| JavaScript sent (${first.encoding}, on the wire) | ${kb(first.jsWire)} in ${first.scripts} files |`,
  );
  console.log(`| JavaScript uncompressed | ${kb(first.jsRaw)} |`);
  console.log(`| requests (all, to network idle) | ${median(loads.map((l) => l.requests))} |`);
  console.log(
    `| navigation → data on screen | median ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}) |`,
  );
  console.log(`| goal: JavaScript < 200 KB compressed | ${first.jsWire < 200_000 ? 'met' : 'NOT met'} |`);

  // 2. Lighthouse, through the page of a browser that holds the session (sessionStorage is the tab's)
  if (withLighthouse) {
    const { default: lighthouse } = await load<{ default: Lighthouse }>('lighthouse');
    const desktop = (
      await import(pathToFileURL(join(web, 'node_modules/lighthouse/core/config/desktop-config.js')).href)
    ).default;
    const chromeLauncher = await load<ChromeLauncher>('chrome-launcher');
    const puppeteer = (await load<{ default: Puppeteer }>('puppeteer-core')).default;
    const pages = [
      { who: 'mentee', path: '/applications', title: 'My applications', token: menteeToken },
      { who: 'mentor', path: '/review', title: 'Applicants', token: mentorToken },
    ];
    const rows: string[] = [];
    const short: string[] = [];
    for (const target of pages) {
      for (const [preset, config] of [
        ['mobile', undefined],
        ['desktop', desktop],
      ] as const) {
        type Run = {
          performance: number;
          accessibility: number;
          metrics: string[];
          short: string[];
          benchmark: number;
        };
        const results: Run[] = [];
        for (let n = 0; n < lighthouseRuns; n++) {
          const chrome = await chromeLauncher.launch({
            chromePath,
            chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
          });
          try {
            const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
            const page = await browser.newPage();
            await page.evaluateOnNewDocument(
              (key: string, token: string) =>
                sessionStorage.setItem(key, JSON.stringify({ token, via: 'development' })),
              KEY,
              target.token,
            );
            const result = await lighthouse(
              `${served.url}${target.path}`,
              { port: chrome.port, logLevel: 'error', onlyCategories: ['performance', 'accessibility'] },
              config,
              page,
            );
            const lhr = result!.lhr;
            if (lhr.finalDisplayedUrl && !new URL(lhr.finalDisplayedUrl).pathname.startsWith(target.path)) {
              throw new Error(`Lighthouse ended on ${lhr.finalDisplayedUrl}: not signed in`);
            }
            const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
            const metric = (id: string) => lhr.audits[id]?.displayValue ?? '?';
            const below: string[] = [];
            for (const [category, { auditRefs }] of Object.entries(lhr.categories)) {
              for (const ref of auditRefs) {
                const audit = lhr.audits[ref.id];
                if (!audit || ref.weight === 0 || audit.score === null || audit.score >= 0.9) continue;
                below.push(
                  `- ${target.who} ${preset} ${category}: ${audit.title} (${audit.id}, score ${audit.score}${audit.displayValue ? `, ${audit.displayValue}` : ''})`,
                );
              }
            }
            results.push({
              performance: score('performance'),
              accessibility: score('accessibility'),
              metrics: [
                'first-contentful-paint',
                'largest-contentful-paint',
                'total-blocking-time',
                'cumulative-layout-shift',
              ].map(metric),
              short: below,
              benchmark: lhr.environment.benchmarkIndex,
            });
            await browser.disconnect();
          } finally {
            chrome.kill();
          }
        }
        // the run with the median performance score stands for the page (Lighthouse's own advice: several runs)
        const sorted = [...results].sort((a, b) => a.performance - b.performance);
        const mid = sorted[Math.floor(sorted.length / 2)]!;
        rows.push(
          `| ${target.who}: ${target.title} (${target.path}) | ${preset} | ${mid.performance} (${sorted.map((r) => r.performance).join(', ')}) | ${median(results.map((r) => r.accessibility))} | ${mid.metrics.join(' | ')} | ${median(results.map((r) => r.benchmark)).toFixed(0)} |`,
        );
        short.push(...mid.short);
      }
    }
    console.log(`\nLighthouse 12, ${lighthouseRuns} runs each (performance and accessibility; goal ≥ 90)\n`);
    console.log(
      '| page | preset | performance, median (runs) | accessibility | FCP | LCP | TBT | CLS | host benchmarkIndex |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(
      short.length
        ? `\nAudits below 0.9:\n${[...new Set(short)].join('\n')}`
        : '\nNo weighted audit below 0.9.',
    );
  }
} finally {
  await served.stop();
  if (build) rmSync(build, { recursive: true, force: true });
}
