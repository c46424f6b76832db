/**
 * Crash-only `npm start`: killed with -9 in the middle of a rush of applications, started again, every client is
 * answered 2xx for its own request as the first answer would have been, nothing lost or doubled; whatever the dead
 * start left behind (a PostgreSQL, a dev server, a stale lock or postmaster.pid) is taken over without a human; and
 * every start failure names its cause and the way out.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRush, RUSH_PREREQUISITE } from '../chaos/apply-rush.js';
import { EMBEDDED_DATABASE, embeddedDatabaseUrl } from '../config/index.js';
import { connect } from '../db/index.js';
import { privateClientOptions } from '../privacy/clients.js';
import { embeddedSystemEnv, type StartProcess, spawnStart } from '../scripts/start-process.js';
import { buildIfStale } from '../scripts/worker-process.js';
import { findProcesses, isAlive } from '../system/processes.js';
import { bearer } from './support/auth.js';
import { TEST_KEYRING } from './support/keyring.js';
import { programFixture } from './support/programs.js';

const APPLICANTS = 120;
const CONCURRENCY = 16;
const CRASH_AFTER = 30;

const json = { 'content-type': 'application/json' };
let root: string;
const running = new Set<StartProcess>();

beforeAll(async () => {
  buildIfStale();
  root = await mkdtemp(path.join(os.tmpdir(), 'crash-only-'));
  await chmod(root, 0o755); // PostgreSQL runs as its own user when we are root
});

afterAll(async () => {
  for (const system of running) {
    system.child.kill('SIGINT');
    await system.exited;
  }
  await rm(root, { recursive: true, force: true });
});

function start(env: Record<string, string>): StartProcess {
  const system = spawnStart(env);
  running.add(system);
  void system.exited.then(() => running.delete(system));
  return system;
}

/** What a start that refuses to run prints, once it has exited with 1. */
async function refusal(env: Record<string, string>): Promise<string> {
  const system = start(env);
  expect(await system.exited).toBe(1);
  const fatal = system.output
    .map((line) => JSON.parse(line.startsWith('{') ? line : '{}') as { level?: number; msg?: string })
    .find((line) => line.level === 60);
  return fatal?.msg?.replace(/^failed to start: /, '') ?? system.output.join('\n');
}

/** The servers a start runs on `dataDir`, and the watchdog shells that stop them when it dies. */
function serversOf(dataDir: string) {
  const servers = findProcesses(
    (command) =>
      !command.includes('read -r') &&
      (command.includes(`${dataDir}/postgres`) || command.includes(`${dataDir}/temporal.sqlite`)),
  );
  const pids = servers.map((server) => ` ${server.pid} `);
  const watchdogs = findProcesses(
    (command) => command.includes('read -r') && pids.some((pid) => `${command} `.includes(pid)),
  );
  return { servers, watchdogs };
}

describe('npm start killed with -9', () => {
  let env: Record<string, string>;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = path.join(root, 'rush');
    env = await embeddedSystemEnv(dataDir);
  });

  it('answers every client of a rush through the crash as the first answer, each application once', async () => {
    let system = start(env);
    await system.ready;
    const url = `http://127.0.0.1:${env.API_PORT}`;
    const program = programFixture(Date.now());
    const created = await fetch(`${url}/programs`, {
      method: 'POST',
      headers: { ...json, ...(await bearer({ userId: 'ops-1', role: 'ops' })) },
      body: JSON.stringify(program),
    });
    expect(created.status).toBe(201);

    let back = 0;
    let restarting: Promise<void> | undefined;
    const people = Array.from({ length: APPLICANTS }, (_, i) => `rush-${i}`);
    const outcomes = await applyRush({
      baseUrl: url,
      programId: program.id,
      people,
      concurrency: CONCURRENCY,
      onAnswered: (answered) => {
        if (answered !== CRASH_AFTER) return;
        const dead = system;
        dead.child.kill('SIGKILL');
        restarting = (async () => {
          await dead.exited;
          system = start(env);
          await system.ready;
          back = Date.now();
        })();
      },
    });
    await restarting;

    // another start on the same data directory is refused, naming the running one
    expect(await refusal(env)).toContain(`Another npm start (pid ${system.child.pid}`);

    // every client got a 2xx for its own request, the message answered as new (the first answer), not "duplicate"
    expect(outcomes.map((o) => [o.apply.status, o.prerequisite.status])).toEqual(
      people.map(() => [201, 200]),
    );
    expect(outcomes.filter((o) => o.prerequisite.body.duplicate !== false)).toEqual([]);
    // the crash hit requests in flight: their clients saw the connection go and retried
    const retriedThroughCrash = outcomes.filter((o) => o.retried.noConnection > 0);
    expect(retriedThroughCrash.length).toBeGreaterThan(0);
    // and were answered within seconds of the system being back, not after a lease
    const lastAnswer = Math.max(...outcomes.map((o) => o.prerequisite.at));
    expect(lastAnswer - back).toBeLessThan(20_000);

    const ids = outcomes.map((o) => String(o.apply.body.id));
    expect(new Set(ids).size).toBe(APPLICANTS);
    const sql = connect(embeddedDatabaseUrl(Number(env.EMBEDDED_POSTGRES_PORT), EMBEDDED_DATABASE));
    const connection = await Connection.connect({ address: `127.0.0.1:${env.TEMPORAL_DEV_SERVER_PORT}` });
    try {
      const rows = await sql<{ menteeId: string; id: string; workflowId: string }[]>`
        SELECT mentee_id AS "menteeId", id, workflow_id AS "workflowId" FROM applications
        WHERE program_id = ${program.id} ORDER BY mentee_id`;
      expect(rows.map((r) => r.menteeId)).toEqual([...people].sort());
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
      const temporal = new Client({ connection, ...privateClientOptions(TEST_KEYRING) });
      for (const row of rows) {
        const described = await temporal.workflow.getHandle(row.workflowId).describe();
        expect(described.status.name).toBe('RUNNING');
      }

      // a retry now replays the first answer; the same person under another key is refused as before
      for (const outcome of outcomes.slice(0, 40)) {
        const headers = { ...json, ...(await bearer({ userId: outcome.person, role: 'mentee' })) };
        const body = JSON.stringify({
          mentee: {
            name: `Applicant ${outcome.person}`,
            email: `${outcome.person}@example.org`,
            country: 'DE',
          },
        });
        const again = await fetch(`${url}/programs/${program.id}/applications`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': `apply-${program.id}-${outcome.person}` },
          body,
        });
        expect(again.status).toBe(201);
        expect(((await again.json()) as { id: string }).id).toBe(outcome.apply.body.id);
        const prerequisite = await fetch(
          `${url}/applications/${String(outcome.apply.body.id)}/prerequisites/${RUSH_PREREQUISITE}/complete`,
          {
            method: 'POST',
            headers: { ...headers, 'idempotency-key': `prerequisite-${program.id}-${outcome.person}` },
            body: '{}',
          },
        );
        expect(prerequisite.status).toBe(200);
        expect(((await prerequisite.json()) as { duplicate: boolean }).duplicate).toBe(false);
      }
      const [person] = outcomes;
      const otherKey = await fetch(`${url}/programs/${program.id}/applications`, {
        method: 'POST',
        headers: {
          ...json,
          ...(await bearer({ userId: person!.person, role: 'mentee' })),
          'idempotency-key': 'new',
        },
        body: JSON.stringify({ mentee: { name: 'Again', email: 'again@example.org', country: 'DE' } }),
      });
      expect(otherKey.status).toBe(409);
      expect(((await otherKey.json()) as { type: string }).type).toBe(
        'urn:mentorship:problem:already-applied',
      );
    } finally {
      await connection.close();
      await sql.end();
    }

    system.child.kill('SIGINT');
    expect(await system.exited).toBe(0);
    expect(serversOf(dataDir).servers).toEqual([]);
  });

  it('stops its PostgreSQL and dev server when it dies, and takes over what a harder crash left running', async () => {
    // killed alone: the watchdogs stop the servers
    let system = start(env);
    await system.ready;
    expect(serversOf(dataDir).servers).toHaveLength(2);
    system.child.kill('SIGKILL');
    await system.exited;
    await expect.poll(() => serversOf(dataDir).servers, { timeout: 20_000 }).toEqual([]);

    // killed with its watchdogs: PostgreSQL and the dev server run on as orphans, and the next start stops them
    system = start(env);
    await system.ready;
    const left = serversOf(dataDir);
    // the watchdogs first: killed after us, they would stop the servers on the way
    for (const process of [...left.watchdogs.map((w) => w.pid), system.child.pid!]) {
      globalThis.process.kill(process, 'SIGKILL');
    }
    await system.exited;
    // PostgreSQL runs on as an orphan; the dev server too, until it next writes to its dead parent's pipe
    const devServer = left.servers.find((server) => server.command.includes('start-dev'))!;
    const orphanedPostgres = left.servers.find((server) => server !== devServer)!;
    expect(isAlive(orphanedPostgres.pid)).toBe(true);
    system = start(env);
    await system.ready;
    const said = system.output.join('\n');
    expect(said).toMatch(/stopping PostgreSQL \(pid \d+\) left running/);
    // the orphaned dev server is stopped by the new start, unless it died first writing to its dead parent's pipe
    if (!/stopping the Temporal dev server \(pid \d+\) left running/.test(said)) {
      expect(said).not.toContain(`pid ${devServer.pid}`);
    }
    expect(isAlive(devServer.pid)).toBe(false);
    expect(left.servers.every((server) => !isAlive(server.pid))).toBe(true);

    // everything killed at once (as a power cut): a stale lock and postmaster.pid, a SQLite file mid-write
    const all = serversOf(dataDir);
    for (const process of [
      system.child.pid!,
      ...all.servers.map((s) => s.pid),
      ...all.watchdogs.map((w) => w.pid),
    ]) {
      globalThis.process.kill(process, 'SIGKILL');
    }
    await system.exited;
    expect(await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).toBeTruthy();
    expect(await readFile(path.join(dataDir, 'start.lock'), 'utf8')).toContain(String(system.child.pid));
    system = start(env);
    await system.ready;
    const health = await fetch(`http://127.0.0.1:${env.API_PORT}/readyz`);
    expect(health.status).toBe(200);
    system.child.kill('SIGINT');
    expect(await system.exited).toBe(0);
  });

  it('refuses a data directory made by a newer PostgreSQL, naming both versions', async () => {
    const newer = path.join(root, 'newer');
    await mkdir(newer);
    execFileSync('cp', ['-a', path.join(dataDir, 'postgres'), newer]); // with its owner
    await writeFile(path.join(newer, 'postgres', 'PG_VERSION'), '99\n');
    const message = await refusal(await embeddedSystemEnv(newer));
    expect(message).toContain(`The data directory ${newer}/postgres was made by PostgreSQL 99, newer than`);
    expect(message).toMatch(/embedded PostgreSQL 18[\d.]*\d, which cannot read it/);
  });
});

describe('a start that cannot run says why and what to do', () => {
  it('names the port and the process that holds it', async () => {
    const env = await embeddedSystemEnv(path.join(root, 'port'));
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(Number(env.API_PORT), '127.0.0.1', resolve));
    try {
      const message = await refusal(env);
      expect(message).toContain(
        `Port ${env.API_PORT} on 127.0.0.1, where the API should listen, is in use by pid ${process.pid} (`,
      );
      expect(message).toContain('API_PORT=<port>');
    } finally {
      holder.close();
    }
  });

  it('names a full disk and how much is free', async () => {
    const small = path.join(root, 'small-disk');
    await mkdir(small, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', small]);
    try {
      const message = await refusal(await embeddedSystemEnv(path.join(small, 'data')));
      expect(message).toMatch(/^The disk holding .*small-disk\/data is full \(\d+ MiB free\)/);
      expect(message).toContain('set DATA_DIR');
    } finally {
      execFileSync('umount', [small]);
    }
  });
});
