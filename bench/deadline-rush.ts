/**
 * `npx tsx bench/deadline-rush.ts [--people 10000] [--connections 32] [--only bare,api1,api2]`
 *
 * GSoC's deadline rush (23,559 proposals, most in the last days) against the production engine: Temporal's own
 * server on PostgreSQL (scripts/temporal-server.ts), two worker processes (compiled, as deployed), in one run:
 * - bare: the floor for one workflow per application, the bench's bare workflow (bench/bare-workflow.ts: the
 *   lifecycle's first steps with no-op activities) started by a client at the same concurrency on the same server;
 * - api1, api2: distinct people applying through the API (one process, then two taking turns), `--connections` in
 *   flight, each a new person with its own Idempotency-Key.
 * Prints applies per second, p50/p99 latency and the ratio to the bare starts, and checks the list against what
 * was sent: every person's application kept once, none lost or doubled.
 */
process.env.NODE_ENV ??= 'production';

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SupervisedWorker } from '../chaos/processes.js';
import { connect } from '../db/index.js';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { privateClientOptions } from '../privacy/clients.js';
import { keyringOf, newKeyringDocument } from '../privacy/keyring.js';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import { startLocalServers } from '../scripts/local-servers.js';
import { findFreePorts, terminateProcess } from '../scripts/temporal-binaries.js';
import { buildIfStale } from '../scripts/worker-process.js';
import { bearer } from '../test/support/auth.js';
import { programFixture } from '../test/support/programs.js';
import { bundleWorkflowsApart } from '../worker/worker.js';
import type { bareMenteeWorkflow } from './bare-workflow.js';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '32' },
    only: { type: 'string', default: 'bare,api1,api2' },
    // writes a CPU profile of each API and worker process into this folder (`node --cpu-prof`)
    profile: { type: 'string' },
  },
});
const PEOPLE = Number(values.people);
const CONNECTIONS = Number(values.connections);
const only = new Set(values.only!.split(','));
const nodeArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];

interface Figures {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  failed: number;
  kept: number;
}

buildIfStale();
const servers = await startLocalServers({ prefix: 'bench-rush', engine: 'server' });
const keys = newKeyringDocument('bench');
const keyring = keyringOf(keys);
const connection = await Connection.connect({ address: servers.temporal.address });
const sql = connect(servers.database.url, { max: 2 });
const client = new Client({ connection, ...privateClientOptions(keyring) });
const env = {
  DATABASE_URL: servers.database.url,
  TEMPORAL_ADDRESS: servers.temporal.address,
  TEMPORAL_TASK_QUEUE: 'rush',
  PAYLOAD_KEYS: JSON.stringify(keys),
};
const rows: Figures[] = [];

try {
  if (only.has('bare')) rows.push(await bare());
  if (only.has('api1') || only.has('api2')) {
    const workers = [
      new SupervisedWorker(env, () => {}, nodeArgs),
      new SupervisedWorker(env, () => {}, nodeArgs),
    ];
    for (const worker of workers) worker.start();
    await Promise.all(workers.map((worker) => worker.untilPolling()));
    const apis = await startApis(2);
    try {
      if (only.has('api1')) rows.push(await throughApi('api1', [apis[0]!.url]));
      if (only.has('api2'))
        rows.push(
          await throughApi(
            'api2',
            apis.map((api) => api.url),
          ),
        );
    } finally {
      for (const api of apis) await terminateProcess(api.child, 5_000);
      for (const worker of workers) await worker.stop();
    }
  }
  const floor = rows.find((r) => r.name === 'bare');
  console.log(
    `\n${PEOPLE} people, ${CONNECTIONS} in flight, Temporal ${servers.temporal.address} on PostgreSQL\n`,
  );
  console.log(
    '| run | per second | p50 ms | p99 ms | failed | kept | / bare |\n|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.perSecond.toFixed(1)} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.failed} | ${r.kept} | ${floor ? (r.perSecond / floor.perSecond).toFixed(2) : '-'} |`,
    );
  }
} finally {
  await connection.close();
  await sql.end();
  await servers.stop();
}

/** Bare workflows started by a client, `CONNECTIONS` at a time, with an in-process worker doing nothing. */
async function bare(): Promise<Figures> {
  process.stderr.write(`bare: starting ${PEOPLE} bare workflows...\n`);
  const workflowBundle = await bundleWorkflowsApart({
    workflowsPath: fileURLToPath(new URL('./bare-workflow.ts', import.meta.url)),
  });
  const nativeConnection = await NativeConnection.connect({ address: servers.temporal.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: 'rush-bare',
    workflowBundle,
    activities: { async noop() {} },
    dataConverter: encryptedDataConverter(keyring),
  });
  const rules = rulesOf(ProgramInput.parse(programFixture(Date.now())));
  const run = worker.run();
  try {
    const figures = await rush('bare', async (i) => {
      await client.workflow.start<typeof bareMenteeWorkflow>('bareMenteeWorkflow', {
        taskQueue: 'rush-bare',
        workflowId: `bare/${i}`,
        args: [rules],
      });
      return true;
    });
    const described = await client.workflow.count(`WorkflowType = 'bareMenteeWorkflow'`);
    return { ...figures, kept: described.count };
  } finally {
    worker.shutdown();
    await run;
    await nativeConnection.close();
  }
}

async function throughApi(name: string, urls: string[]): Promise<Figures> {
  process.stderr.write(`${name}: ${PEOPLE} people applying through ${urls.length} API process(es)...\n`);
  const ops = await bearer({ userId: 'ops-rush', role: 'ops' });
  const program = programFixture(Date.now(), { id: `rush-${name}-${Date.now() % 100_000}` });
  const created = await fetch(`${urls[0]}/programs`, {
    method: 'POST',
    headers: { ...ops, 'content-type': 'application/json' },
    body: JSON.stringify(program),
  });
  if (created.status !== 201) throw new Error(`program: ${created.status} ${await created.text()}`);
  const figures = await rush(name, async (i) => {
    const person = `${name}-${i}`;
    const response = await fetch(`${urls[i % urls.length]}/programs/${program.id}/applications`, {
      method: 'POST',
      headers: {
        ...(await bearer({ userId: person, role: 'mentee' })),
        'content-type': 'application/json',
        'idempotency-key': `apply-${person}`,
      },
      body: JSON.stringify({ mentee: { name: `Applicant ${i}`, email: `${person}@example.org` } }),
    });
    await response.arrayBuffer();
    return response.status === 201;
  });
  // the list against what was sent: each person once, nobody missing
  const rows = await sql<{ people: string; distinct: string }[]>`
    SELECT count(*) AS people, count(DISTINCT mentee_id) AS distinct FROM applications WHERE program_id = ${program.id}`;
  const kept = Number(rows[0]!.people);
  if (kept !== PEOPLE || Number(rows[0]!.distinct) !== PEOPLE) {
    throw new Error(`${name}: ${kept} applications (${rows[0]!.distinct} people) for ${PEOPLE} sent`);
  }
  return { ...figures, kept };
}

/** `PEOPLE` calls, `CONNECTIONS` in flight; the rate over the whole run and each call's latency. */
async function rush(name: string, call: (i: number) => Promise<boolean>): Promise<Omit<Figures, 'kept'>> {
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < PEOPLE) {
        const i = next++;
        const at = performance.now();
        const ok = await call(i).catch(() => false);
        latencies.push(performance.now() - at);
        if (!ok) failed++;
        if (i % 1000 === 999) process.stderr.write(`  ${name}: ${i + 1}\n`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
  return { name, perSecond: PEOPLE / seconds, p50: at(0.5), p99: at(0.99), failed };
}

async function startApis(count: number): Promise<{ url: string; child: ChildProcess }[]> {
  const ports = await findFreePorts(count);
  const apis = ports.map((port) => ({
    url: `http://127.0.0.1:${port}`,
    child: spawn(process.execPath, [...nodeArgs, '--enable-source-maps', 'dist/api/main.js'], {
      env: { ...process.env, ...env, API_PORT: String(port), LOG_FORMAT: 'json', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  }));
  for (const api of apis) {
    for (let tries = 0; ; tries++) {
      const ok = await fetch(`${api.url}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) break;
      if (tries > 400) throw new Error(`API ${api.url} not ready`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return apis;
}
