import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { embeddedDatabaseUrl } from '../config/index.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded.js';
import { findFreePorts, terminateProcess } from '../scripts/temporal-binaries.js';
import { spawnWorkerProcess } from '../scripts/worker-process.js';
import { startTimeSkippingServer } from './support/temporal.js';

/*
 * `worker/main.ts` started while its PostgreSQL is not there yet: it waits, logging one structured line per
 * attempt with a growing delay, and starts polling once a server answers on that port.
 */

let env: TestWorkflowEnvironment;
let postgres: EmbeddedDatabase | undefined;
let worker: ChildProcess | undefined;
let dataDir: string;

beforeAll(async () => {
  env = await startTimeSkippingServer();
  dataDir = await mkdtemp(path.join(tmpdir(), 'mentorship-late-pg-'));
  await chmod(dataDir, 0o755); // the `postgres` system user must reach its data dir when we run as root
});

afterAll(async () => {
  if (worker) await terminateProcess(worker, 10_000);
  await postgres?.stop();
  await env?.teardown();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a worker started while PostgreSQL is down', () => {
  it('retries with backoff, a JSON line per attempt, and starts once PostgreSQL is up', async () => {
    const [port] = (await findFreePorts(1)) as [number];
    const started = Date.now();
    const spawned = spawnWorkerProcess('source', {
      DATABASE_URL: embeddedDatabaseUrl(port, 'mentorship'),
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: 'late-postgres',
    });
    worker = spawned.child;
    const { lines } = spawned;
    const waiting = () => lines.filter((l) => l.msg === 'PostgreSQL not reachable yet; retrying');

    // Past the ~5 s after which it used to exit, it is still waiting, and says so on each attempt.
    await vi.waitFor(() => expect(Date.now() - started).toBeGreaterThan(7_000), {
      timeout: 10_000,
      interval: 250,
    });
    expect(worker.exitCode).toBeNull();
    const attempts = waiting();
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    expect(attempts[0]).toMatchObject({
      level: 40,
      name: 'worker',
      attempt: 1,
      database: `127.0.0.1:${port}/mentorship`,
    });
    expect(String(attempts[0]!.error)).toMatch(/ECONNREFUSED/);
    const delays = attempts.map((l) => Number(l.retryInMs));
    expect(delays.slice(0, 3)).toEqual([500, 1000, 2000]);
    expect(JSON.stringify(attempts)).not.toContain('mentorship@'); // no password in the logs

    postgres = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'data'),
      port,
      database: 'mentorship',
      persistent: false,
    });
    await vi.waitFor(() => expect(lines.some((l) => l.msg === 'worker polling')).toBe(true), {
      timeout: 60_000,
      interval: 200,
    });
    expect(lines.find((l) => l.msg === 'PostgreSQL reachable')).toMatchObject({ name: 'worker' });
    expect(worker.exitCode).toBeNull();
    expect(lines.filter((l) => 'unparsed' in l)).toEqual([]);
  });
});
