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
}): Promise<ConsoleServer> {
  const app = new Hono();
  app.get('/config.json', (c) =>
    c.json({ apiBaseUrl: '/api', oidc: null }, 200, { 'cache-control': 'no-store' }),
  );
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

// `tsx scripts/console.ts`: install and build the console now (the console's tests run against the build)
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  ensureConsole((line) => process.stderr.write(`${line}\n`));
}
