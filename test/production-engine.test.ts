import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyRush, type PersonOutcome, RUSH_PREREQUISITE } from '../chaos/apply-rush.js';
import { SupervisedWorker } from '../chaos/processes.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { privateClientOptions } from '../privacy/clients.js';
import { findFreePorts, terminateProcess } from '../scripts/temporal-binaries.js';
import {
  ensureTemporalServer,
  startTemporalServer,
  type TemporalServer,
} from '../scripts/temporal-server.js';
import { buildIfStale } from '../scripts/worker-process.js';
import { bearer } from './support/auth.js';
import { freshDatabase } from './support/database.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { TEST_KEYRING } from './support/keyring.js';
import { programFixture } from './support/programs.js';

/*
 * The production engine: Temporal's own server (built from its Go module) on PostgreSQL, two worker processes and
 * two API processes, as a deployment runs them. A deadline rush to three programs goes through both APIs at random
 * while one worker is killed with -9 (its supervisor starts it again), one API is killed mid-rush (its clients
 * retry on the other with the same Idempotency-Key), and the Temporal server restarts once.
 */
const PEOPLE = 36;
const PROGRAMS = 3;

let server: TemporalServer;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let resend: FakeResend;
let dir: string;
const workers: SupervisedWorker[] = [];
const apis: { url: string; child: ChildProcess; alive: boolean }[] = [];

beforeAll(async () => {
  buildIfStale();
  const binaries = await ensureTemporalServer();
  if (!binaries) throw new Error('No Temporal server: npm run provision builds it (Go is needed)');
  [db, resend] = await Promise.all([freshDatabase(), startFakeResend()]);
  dir = await mkdtemp(path.join(os.tmpdir(), 'engine-'));
  await chmod(dir, 0o755);
  const pg = new URL(inject('postgresServerUrl'));
  server = await startTemporalServer({
    binaries,
    postgres: {
      host: pg.hostname,
      port: Number(pg.port),
      user: decodeURIComponent(pg.username),
      password: decodeURIComponent(pg.password),
    },
    database: `temporal_${path.basename(dir).replace(/\W/g, '_').toLowerCase()}`,
    dir,
    namespace: 'default',
    retentionDays: 1,
    searchAttributes: CUSTOM_SEARCH_ATTRIBUTES,
    log: () => {},
  });
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'engine',
    RESEND_API_KEY: resend.apiKey,
    RESEND_BASE_URL: resend.baseUrl,
    WORKER_STICKY_TIMEOUT_SECONDS: '3',
  };
  for (let i = 0; i < 2; i++) workers.push(new SupervisedWorker(env, () => {}));
  for (const worker of workers) worker.start();
  const ports = await findFreePorts(2);
  for (const port of ports) {
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/api/main.js'], {
      env: { ...process.env, ...env, API_PORT: String(port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    apis.push({ url: `http://127.0.0.1:${port}`, child, alive: true });
  }
  await Promise.all([
    ...workers.map((worker) => worker.untilPolling()),
    ...apis.map((api) => untilHealthy(api.url)),
  ]);
}, 300_000);

afterAll(async () => {
  for (const api of apis) await terminateProcess(api.child, 5_000);
  for (const worker of workers) await worker.stop();
  await server?.stop();
  await resend?.close();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the production engine: Temporal on PostgreSQL, two workers and two APIs', () => {
  it('keeps every application once through a worker killed, an API killed mid-request and a server restart', {
    timeout: 600_000,
  }, async () => {
    const ops = await bearer({ userId: 'ops-engine', role: 'ops' });
    const programs: string[] = [];
    for (let i = 0; i < PROGRAMS; i++) {
      const program = programFixture(Date.now(), { id: `engine-${i}-${Date.now() % 100_000}` });
      const created = await fetch(`${apis[i % 2]!.url}/programs`, {
        method: 'POST',
        headers: { ...ops, 'content-type': 'application/json' },
        body: JSON.stringify(program),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      programs.push(program.id);
    }
    // each person applies to one or two programs, through either API, each attempt to an API still alive
    const peopleOf = (p: number) =>
      Array.from({ length: PEOPLE }, (_, i) => `engine-${i}`).filter(
        (_, i) => i % PROGRAMS === p || i % 4 === p,
      );
    const live = () => apis.filter((api) => api.alive);
    const pick = (attempt: number) => live()[(attempt + Math.floor(Math.random() * 2)) % live().length]!.url;

    let answered = 0;
    const faults: string[] = [];
    const chaos = (async () => {
      const when = async (count: number) => {
        while (answered < count) await sleep(50);
      };
      await when(10);
      workers[0]!.kill();
      faults.push('worker 1 killed with -9');
      await when(25);
      apis[1]!.alive = false;
      apis[1]!.child.kill('SIGKILL');
      faults.push('API 2 killed with -9 mid-rush');
      await when(40);
      await server.restart();
      faults.push('Temporal server restarted');
    })();
    const rushes = await Promise.all(
      programs.map((programId, p) =>
        applyRush({
          baseUrl: pick,
          programId,
          people: peopleOf(p),
          concurrency: 4,
          onAnswered: () => answered++,
        }),
      ),
    );
    await chaos;
    expect(faults).toHaveLength(3);

    // every client got its first answer: the application made once, its prerequisite done once
    const outcomes: PersonOutcome[] = rushes.flat();
    for (const outcome of outcomes) {
      expect(outcome.apply.status, JSON.stringify(outcome.apply.body)).toBe(201);
      expect(outcome.prerequisite.status, JSON.stringify(outcome.prerequisite.body)).toBe(200);
      expect(outcome.prerequisite.body.duplicate).toBe(false);
    }
    const retried = outcomes.reduce((n, o) => n + o.retried.noConnection + o.retried.serverError, 0);
    expect(retried).toBeGreaterThan(0);
    for (const [p, programId] of programs.entries()) {
      const rows = await db.sql<{ menteeId: string }[]>`
        SELECT mentee_id AS "menteeId" FROM applications WHERE program_id = ${programId} ORDER BY mentee_id`;
      expect(rows.map((r) => r.menteeId)).toEqual([...peopleOf(p)].sort());
    }

    // on the server: every mentee's workflow runs, its prerequisite recorded, no workflow task ever failed
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, ...privateClientOptions(TEST_KEYRING) });
      const workflows = await db.sql<{ workflowId: string; status: { prerequisites: { done: string[] } } }[]>`
        SELECT workflow_id AS "workflowId", status FROM applications`;
      expect(workflows).toHaveLength(outcomes.length);
      let failedTasks = 0;
      for (const { workflowId, status } of workflows) {
        const handle = client.workflow.getHandle(workflowId);
        expect((await handle.describe()).status.name).toBe('RUNNING');
        expect(status.prerequisites.done).toContain(RUSH_PREREQUISITE);
        const history = await handle.fetchHistory();
        failedTasks += history.events?.filter((e) => e.workflowTaskFailedEventAttributes).length ?? 0;
      }
      expect(failedTasks).toBe(0);
      // the server's visibility store (PostgreSQL) answers the ops queries
      const visible = await client.workflow.count(
        `WorkflowType = 'menteeWorkflow' AND MenteeStage = 'in_review'`,
      );
      expect(visible.count).toBe(outcomes.length);
    } finally {
      await connection.close();
    }
    expect(workers[0]!.starts.length).toBeGreaterThanOrEqual(2);
  });
});

async function untilHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`The API at ${url} did not become ready`);
}
