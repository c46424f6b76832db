/**
 * The web console (`web/`, its own package) as `npm start` serves it: installed and built on first use (and again
 * when a source is newer than the build), then its files served on `CONSOLE_PORT` with `/config.json` telling it
 * where the API is, and `/api/*` passed to the API, so the browser talks to one origin (no CORS grant for the
 * draft's If-Match). A deployment serves `web/dist` with a config.json of its own the same way.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerType, serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { proxy } from 'hono/proxy';

/** web/ beside scripts/, from the sources (tsx) or the compiled dist/scripts/. */
function webDir(): string {
  for (
    let dir = path.dirname(fileURLToPath(import.meta.url));
    dir !== path.dirname(dir);
    dir = path.dirname(dir)
  ) {
    if (existsSync(path.join(dir, 'web', 'package.json'))) return path.join(dir, 'web');
  }
  throw new Error('web/ (the console) is not beside this checkout');
}

/** The newest modification time under `dir` (skipping node_modules and the build). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Installs the console's packages when missing and builds it when stale; answers the folder of the built files. */
export function ensureConsole(log: (line: string) => void): string {
  const web = webDir();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (!existsSync(path.join(web, 'node_modules'))) {
    log('installing the web console (web/, once)...');
    execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: web, stdio: 'inherit' });
  }
  const dist = path.join(web, 'dist');
  const built = existsSync(path.join(dist, 'index.html'))
    ? statSync(path.join(dist, 'index.html')).mtimeMs
    : 0;
  const sources = Math.max(
    newest(path.join(web, 'src')),
    newest(path.join(web, 'public')),
    statSync(path.join(web, 'index.html')).mtimeMs,
  );
  if (built < sources) {
    log('building the web console...');
    execFileSync(npm, ['run', 'build', '--silent'], { cwd: web, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dist;
}

export interface ConsoleServer {
  url: string;
  stop(): Promise<void>;
}

/** Serves the built console on `host:port`, its `/api/*` passed to `apiUrl`. */
export async function serveConsole(options: {
  dist: string;
  host: string;
  port: number;
  apiUrl: string;
  /** What the deployment adds to /config.json (its identity provider's `oidc`). */
  config?: Record<string, unknown>;
}): Promise<ConsoleServer> {
  const app = new Hono();
  const config = { apiBaseUrl: '/api', oidc: null, ...options.config };
  app.get('/config.json', (c) => c.json(config, 200, { 'cache-control': 'no-store' }));
  app.all('/api/*', (c) => {
    const url = new URL(c.req.url);
    return proxy(`${options.apiUrl}${url.pathname.slice(4)}${url.search}`, { raw: c.req.raw });
  });
  const root = path.relative(process.cwd(), options.dist) || '.';
  app.use('/assets/*', serveStatic({ root }));
  app.use('*', serveStatic({ root }));
  // every other path is a route of the console's router: its page
  app.get('*', serveStatic({ root, path: 'index.html' }));
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${options.host}:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * `tsx scripts/console.ts`: install and build the console now (the console's tests run against the build).
 * `node dist/scripts/console.js --serve <dist>`: serve a built console, as the compose deployment does, on
 * CONSOLE_HOST:CONSOLE_PORT with /api passed to CONSOLE_API_URL; CONSOLE_CONFIG (JSON) adds to its /config.json,
 * e.g. `{"oidc": {"authority": "https://id.example.org", "clientId": "console"}}`.
 */
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const serveAt = process.argv.indexOf('--serve');
  if (serveAt === -1) {
    ensureConsole((line) => process.stderr.write(`${line}\n`));
  } else {
    const server = await serveConsole({
      dist: path.resolve(process.argv[serveAt + 1] ?? 'web/dist'),
      host: process.env.CONSOLE_HOST ?? '127.0.0.1',
      port: Number(process.env.CONSOLE_PORT ?? 3001),
      apiUrl: process.env.CONSOLE_API_URL ?? 'http://127.0.0.1:3000',
      config: JSON.parse(process.env.CONSOLE_CONFIG ?? '{}') as Record<string, unknown>,
    });
    process.stdout.write(`console listening on ${server.url}\n`);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.stop());
  }
}
