import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleServer, ensureConsole, serveConsole } from '../scripts/console.js';
import { bearer } from './support/auth.js';
import { programFixture } from './support/programs.js';
import { testSystemForFile } from './support/system.js';

/*
 * The console as `npm start` and the compose deployment serve it: the built web/ with a /config.json, every route
 * of the console's router answered with its page, and /api/* passed to the API with the method, headers and body
 * the browser sent (a token, an Idempotency-Key, a JSON body), so the browser talks to one origin.
 */
const system = testSystemForFile();
let api: ServerType;
let web: ConsoleServer;

beforeAll(async () => {
  api = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: system.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  web = await serveConsole({
    dist: ensureConsole(() => {}),
    host: '127.0.0.1',
    port: 0,
    apiUrl: `http://127.0.0.1:${(api.address() as { port: number }).port}`,
    config: { oidc: { authority: 'https://id.example.org', clientId: 'console' } },
  });
}, 300_000);
afterAll(async () => {
  await web?.stop();
  await new Promise((resolve) => api?.close(resolve));
});

describe('the console server', () => {
  it('serves the console, its config, and every route of it as the page', async () => {
    const home = await fetch(`${web.url}/`);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('<div id="root">');
    // a link someone shared, opened fresh: the console's router takes it from there
    const deep = await fetch(`${web.url}/programs?q=compilers&status=open`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${web.url}${script}`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(await (await fetch(`${web.url}/config.json`)).json()).toEqual({
      apiBaseUrl: '/api',
      oidc: { authority: 'https://id.example.org', clientId: 'console' },
    });
  });

  it('passes /api/* to the API with the method, headers and body, and its answer back', async () => {
    const program = programFixture(Date.now());
    const headers = {
      ...(await bearer({ userId: 'ops-console', role: 'ops' })),
      'content-type': 'application/json',
      'idempotency-key': `console-${program.id}`,
    };
    const created = await fetch(`${web.url}/api/programs`, {
      method: 'POST',
      headers,
      body: JSON.stringify(program),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    expect(((await created.json()) as { id: string }).id).toBe(program.id);
    // the same key again: the API's stored answer, through the proxy
    const again = await fetch(`${web.url}/api/programs`, {
      method: 'POST',
      headers,
      body: JSON.stringify(program),
    });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const rows = await system.sql`SELECT id FROM programs WHERE id = ${program.id}`;
    expect(rows).toHaveLength(1);
    const refused = await fetch(`${web.url}/api/programs/${program.id}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
