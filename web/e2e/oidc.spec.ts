import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { type LocalProvider, startProvider } from './support/oidc-provider';
import { type ServedConsole, serveConsole } from './support/serve-console';

/**
 * Production sign-in through a real OpenID Connect provider (oidc-provider) started here: the built console, served
 * with a config.json whose `oidc` names the provider, sends the browser to the provider's login page (authorization
 * code + PKCE); back on /auth/callback its access token (a JWT for the API's audience with `role` and `programs`)
 * is the bearer token of an API process that trusts only that provider's keys (AUTH_JWKS_URL, AUTH_ISSUER,
 * AUTH_AUDIENCE). The API runs beside `npm start`'s (global-setup), on its PostgreSQL and Temporal.
 */
const web = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(web, '..');
const audience = 'mentorship-api';
const run = Date.now().toString(36);
const mentee = `oidc-mentee-${run}`;
const mentor = `oidc-mentor-${run}`;

let build: string | undefined;
let dist: string;
let provider: LocalProvider;
let consoleServer: ServedConsole;
let api: ChildProcess;
let apiLog = '';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

async function ready(url: string, deadline: number) {
  while (Date.now() < deadline) {
    if (api.exitCode !== null) throw new Error(`the API stopped (${api.exitCode}):\n${apiLog}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((ok) => setTimeout(ok, 300));
  }
  throw new Error(`the API did not answer ${url}/readyz:\n${apiLog}`);
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // a build of our own (another run may be rebuilding web/dist), or CONSOLE_DIST: one built already
  if (process.env.CONSOLE_DIST) dist = process.env.CONSOLE_DIST;
  else {
    build = mkdtempSync(join(tmpdir(), 'console-oidc-'));
    dist = build;
    execFileSync('npx', ['vite', 'build', '--outDir', build, '--emptyOutDir', '--logLevel', 'error'], {
      cwd: web,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  if (!existsSync(join(root, 'dist/api/main.js'))) {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  consoleServer = await serveConsole({ dist, apiUrl });
  provider = await startProvider({
    consoleOrigin: consoleServer.url,
    audience,
    accounts: { [mentee]: { role: 'mentee' }, [mentor]: { role: 'mentor', programs: [`p-${run}`] } },
  });
  consoleServer.config.oidc = {
    authority: provider.issuer,
    clientId: provider.clientId,
    scope: 'openid profile api',
    resource: provider.resource,
  };

  api = spawn(process.execPath, ['dist/api/main.js'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      AUTH_JWKS_URL: provider.jwksUrl,
      AUTH_ISSUER: provider.issuer,
      AUTH_AUDIENCE: audience,
      DATABASE_URL:
        process.env.OIDC_DATABASE_URL ?? 'postgres://postgres:mentorship@127.0.0.1:5433/mentorship',
      TEMPORAL_ADDRESS: process.env.OIDC_TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      PAYLOAD_KEYS_FILE: process.env.PAYLOAD_KEYS_FILE ?? join(root, '.data/payload-keys.json'),
      LOG_LEVEL: 'warn',
    },
  });
  const keep = (chunk: Buffer) => {
    apiLog = (apiLog + chunk.toString()).slice(-20_000);
  };
  api.stdout?.on('data', keep);
  api.stderr?.on('data', keep);
  await ready(apiUrl, Date.now() + 90_000);
});

test.afterAll(async () => {
  if (api && api.exitCode === null) {
    const ended = new Promise((ok) => api.once('exit', ok));
    api.kill('SIGTERM');
    await Promise.race([ended, new Promise((ok) => setTimeout(ok, 10_000))]);
    if (api.exitCode === null) api.kill('SIGKILL');
  }
  await consoleServer?.stop();
  await provider?.stop();
  if (build) rmSync(build, { recursive: true, force: true });
});

test('a mentee signs in through the identity provider and sees their applications', async ({ page }) => {
  await page.goto(`${consoleServer.url}/applications`);
  // not signed in: the sign-in page, with the organization's sign-in beside the development one
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  const sso = page.getByRole('region', { name: "With your organization's account" });
  await sso.getByRole('button', { name: 'Sign in' }).click();

  // the provider's own pages
  await expect(page).toHaveURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(mentee);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: /sign-in/i }).click();
  await expect(page.getByRole('heading', { name: 'Authorize' })).toBeVisible();
  await page.getByRole('button', { name: 'Continue' }).click();

  // back on the console, signed in: a page the API answers only with the provider's token
  const listed = page.waitForResponse(
    (r) => new URL(r.url()).pathname.startsWith('/api/') && r.request().method() === 'GET',
  );
  await expect(page).toHaveURL(`${consoleServer.url}/applications`);
  await expect(page.getByRole('heading', { name: 'My applications' })).toBeVisible();
  await expect(page.getByText('You have not applied to a program yet.')).toBeVisible();
  const answer = await listed;
  expect(answer.status()).toBe(200);
  const authorization = await answer.request().headerValue('authorization');
  const claims = JSON.parse(Buffer.from(authorization!.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  expect(claims).toMatchObject({
    iss: provider.issuer,
    aud: audience,
    sub: mentee,
    role: 'mentee',
    programs: [],
  });

  // the session survives a reload (sessionStorage) and signs out like a development one
  await page.reload();
  await expect(page.getByText('You have not applied to a program yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('mentorship.session'))).toBeNull();
});

test('the development sign-in is off for an API that trusts a provider, and says so', async ({ page }) => {
  await page.goto(`${consoleServer.url}/sign-in`);
  await page.getByRole('textbox', { name: /User id/ }).fill('someone');
  await page
    .getByRole('region', { name: 'Development sign-in' })
    .getByRole('button', { name: 'Sign in' })
    .click();
  await expect(page.getByText('Development sign-in is off for this API.')).toBeVisible();
});

test('a mentor signs in through the provider and lands on their review page', async ({ page }) => {
  await page.goto(`${consoleServer.url}/sign-in`);
  await page
    .getByRole('region', { name: "With your organization's account" })
    .getByRole('button', { name: 'Sign in' })
    .click();
  await page.locator('input[name="login"]').fill(mentor);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: /sign-in/i }).click();
  // the provider asks for consent once per user and client
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page).toHaveURL(`${consoleServer.url}/review`);
  await expect(page.getByRole('heading', { level: 1 })).not.toHaveText('Signing in');
  await expect(page.getByRole('alert')).toHaveCount(0);
});
