import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createApp } from '../api/app.js';
import { GONE_AFTER_SECONDS } from '../api/instances.js';
import { privateClientOptions } from '../privacy/clients.js';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import { type DevServer, startDevServer } from '../scripts/dev-server.js';
import { findFreePorts, terminateProcess } from '../scripts/temporal-binaries.js';
import { bundleWorkflows, createMenteeWorker } from '../worker/worker.js';
import { bearer, TEST_AUTH } from './support/auth.js';
import { freshDatabase } from './support/database.js';
import { activitiesAtTheEdge } from './support/edge.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { TEST_KEYRING } from './support/keyring.js';
import { programFixture } from './support/programs.js';

/*
 * Safe defaults: the API refuses the development secret on a reachable address, answers with secure headers,
 * rate-limits the public certificate endpoints per client address, and an Idempotency-Key whose first request
 * died with its API process is taken over by a retry at once, while a slow live API process keeps its claim.
 */

let db: Awaited<ReturnType<typeof freshDatabase>>;
// The dev server, not the time-skipping one: a worker stops and another takes over its workflows here.
let server: DevServer;
let connection: Connection;
let client: Client;
let resend: FakeResend;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  const [port, uiPort] = (await findFreePorts(2)) as [number, number];
  [db, server, resend] = await Promise.all([
    freshDatabase(),
    startDevServer({ cliPath: inject('temporalCliPath'), port, uiPort, namespace: 'default', log: () => {} }),
    startFakeResend(),
  ]);
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection, ...privateClientOptions(TEST_KEYRING, db.sql) });
});

afterAll(async () => {
  for (const child of children) await terminateProcess(child, 5_000);
  await connection?.close();
  await resend?.close();
  await db?.close();
  await server?.stop();
});

/** `api/main.ts` in its own process, as deployed; resolves with the process and its output so far. */
function spawnApi(extraEnv: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output = { text: '' };
  child.stdout!.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output.text += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exited };
}

describe('the development secret', () => {
  it('stops api/main.ts at once on 0.0.0.0, before it connects to anything, naming the settings to fix', async () => {
    const started = performance.now();
    // Nothing listens on these: had it connected first, it would have failed differently, or later.
    const api = spawnApi({
      API_HOST: '0.0.0.0',
      API_PORT: '1',
      DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:1/nothing',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
      AUTH_JWT_SECRET: '',
      AUTH_JWKS_URL: '',
    });
    const code = await api.exited;
    const seconds = (performance.now() - started) / 1000;
    expect(code).toBe(1);
    expect(api.output.text).toContain('AUTH_JWKS_URL');
    expect(api.output.text).toContain('AUTH_JWT_SECRET');
    expect(api.output.text).toContain('API_HOST=0.0.0.0');
    expect(api.output.text).not.toMatch(/ECONNREFUSED|API listening/);
    // tsx's start-up is most of it; connecting attempts alone would take longer
    expect(seconds).toBeLessThan(10);
  });
});

describe('over HTTP', () => {
  let server: ServerType;
  let port: number;

  beforeAll(async () => {
    const app = createApp({
      sql: db.sql,
      temporal: client,
      taskQueue: 'safe-defaults-http',
      log: pino({ level: 'silent' }),
      auth: TEST_AUTH,
      certificateRateLimit: { limit: 3, windowMs: 60_000 },
    });
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  /** A GET over a real socket from a chosen loopback address (Linux routes all of 127.0.0.0/8 to lo). */
  const get = (path: string, localAddress = '127.0.0.1') =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
      (resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path, localAddress }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      },
    );

  it('sends secure headers on answers, errors and the docs page', async () => {
    for (const path of ['/healthz', '/no-such-route', '/programs/x', '/docs']) {
      const { headers } = await get(path);
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['x-frame-options'], path).toBe('SAMEORIGIN');
      expect(headers['referrer-policy'], path).toBe('no-referrer');
      expect(headers['strict-transport-security'], path).toMatch(/max-age=\d+/);
      expect(headers['cross-origin-opener-policy'], path).toBe('same-origin');
    }
    const docs = await get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers['content-security-policy']).toBeUndefined();
    expect((await get('/docs/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('answers 429 with Retry-After past the certificate limit, per client address', async () => {
    const code = 'AAAA-BBBB-CCCC';
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(`/certificates/${code}`)).status);
    expect(statuses).toEqual([404, 404, 404]);

    // the PDF download shares the budget
    const limited = await get(`/certificates/${code}/pdf`);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(JSON.parse(limited.body)).toMatchObject({
      status: 429,
      type: 'urn:mentorship:problem:rate-limited',
    });
    expect((await get(`/certificates/${code}`)).status).toBe(429);

    // another client has its own budget; other endpoints are not limited
    expect((await get(`/certificates/${code}`, '127.0.0.2')).status).toBe(404);
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe('an Idempotency-Key whose API process died mid-request', () => {
  const LEASE_SECONDS = 30;
  const taskQueue = 'safe-defaults-idempotency';
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;

  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await workerRun;
    await nativeConnection?.close();
  });

  async function startApi() {
    const [apiPort] = (await findFreePorts(1)) as [number];
    const api = spawnApi({
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS),
    });
    const url = `http://127.0.0.1:${apiPort}`;
    await vi.waitFor(
      async () => {
        if (api.child.exitCode !== null) throw new Error(`API exited: ${api.output.text}`);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
      },
      { timeout: 60_000, interval: 200 },
    );
    return { ...api, url };
  }

  const post = async (url: string, path: string, body: unknown, headers: Record<string, string>) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('is kept by a slow live API past the heartbeat window, and taken over at once when that API is killed', async () => {
    const ops = await bearer({ userId: 'ops-test', role: 'ops' });
    nativeConnection = await NativeConnection.connect({ address: server.address });
    const startWorker = async () => {
      worker = await createMenteeWorker({
        connection: nativeConnection!,
        namespace: 'default',
        taskQueue,
        workflowBundle: await bundleWorkflows(),
        activities: activitiesAtTheEdge(db.sql, resend).activities,
        dataConverter: encryptedDataConverter(TEST_KEYRING),
      });
      workerRun = worker.run();
    };
    await startWorker();
    const [first, other] = await Promise.all([startApi(), startApi()]);
    const program = programFixture(Date.now());
    expect((await post(first.url, '/programs', program, ops)).status).toBe(201);
    const applied = await post(
      first.url,
      `/programs/${program.id}/applications`,
      { mentee: { name: 'Ada Lovelace', email: 'ada@example.org', country: 'IN' } },
      await bearer({ userId: 'mentee-lease', role: 'mentee' }),
    );
    expect(applied.status).toBe(201);
    const { id } = (await applied.json()) as { id: string };

    // With no worker polling, the Update behind this request waits: the API is slow, but alive.
    worker!.shutdown();
    await workerRun;
    const key = { 'idempotency-key': 'complete-intro-call-1' };
    const path = `/applications/${id}/prerequisites/intro-call/complete`;
    const dying = post(first.url, path, {}, { ...ops, ...key }).then(
      (response) => response.status,
      (error: Error) => error.message,
    );
    await vi.waitFor(
      async () => {
        const rows = await db.sql`SELECT state FROM idempotency_keys WHERE key = ${key['idempotency-key']}`;
        expect(rows.map((row) => row.state)).toEqual(['in_progress']);
      },
      { timeout: 20_000, interval: 100 },
    );
    // a retry on another API process while the first still works on it: 409, also past the heartbeat window
    const claimedAt = Date.now();
    while (Date.now() - claimedAt < (GONE_AFTER_SECONDS + 2) * 1000) {
      const meanwhile = await post(other.url, path, {}, { ...ops, ...key });
      expect(meanwhile.status).toBe(409);
      expect(meanwhile.headers.get('retry-after')).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    expect(await dying).toBe('fetch failed');
    await startWorker();

    // An API started again on this host knows the dead one is gone: the retry runs at once, well inside the lease.
    const killedAt = Date.now();
    const second = await startApi();
    const retried = await post(second.url, path, {}, { ...ops, ...key });
    expect(retried.status).toBe(200);
    expect(Date.now() - killedAt).toBeLessThan(LEASE_SECONDS * 1000);
    const answer = (await retried.json()) as {
      duplicate: boolean;
      application: { prerequisites: { done: string[] } };
    };
    expect(answer.application.prerequisites.done).toEqual(['intro-call']);
    // the Update the dead API sent was the same (its id is the request key): answered as the first, not a duplicate
    expect(answer.duplicate).toBe(false);
    const replayed = await post(other.url, path, {}, { ...ops, ...key });
    expect(replayed.status).toBe(200);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await replayed.json()).toEqual(answer);
    const applications =
      await db.sql`SELECT count(*)::int AS n FROM applications WHERE program_id = ${program.id}`;
    expect(applications[0]!.n).toBe(1);
  });
});
