/**
 * `npx tsx bench/hold-10k.ts [--mentees 10000] [--cache 1000] [--slots 100] [--concurrency 32]`
 *
 * Starts many mentees on the real Temporal dev server (real time, SQLite in memory) through the API in-process and
 * holds them running with their review window open: the start rate through the API, how long until every
 * mentee's first status is in the read model, the process RSS (worker, API and driver share it) with a bounded
 * workflow cache, and the latency of the status endpoint and of one message (an Update that must replay an
 * evicted workflow) while they all run.
 */
process.env.NODE_ENV ??= 'production';

import { parseArgs } from 'node:util';
import { privateClientOptions } from '../privacy/clients.js';
import { keyringOf, newKeyringDocument } from '../privacy/keyring.js';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import { PersonalTexts } from '../privacy/personal-texts.js';

const { Client, Connection } = await import('@temporalio/client');
const { NativeConnection, Worker } = await import('@temporalio/worker');
const { pino } = await import('pino');
const { createActivities } = await import('../activities/index.js');
const { createOutboxMailer } = await import('../activities/mailers/outbox.js');
const { createFinanceLedgerProvider } = await import('../activities/payments/provider.js');
const { createApp } = await import('../api/app.js');
const { mintToken } = await import('../api/auth.js');
const { connect } = await import('../db/index.js');
const { startLocalServers } = await import('../scripts/local-servers.js');
const { pool } = await import('../simulator/engine.js');
const { quietRuntime, SIM_AUTH, SIM_BASE_URL } = await import('../simulator/system.js');
quietRuntime();
const { programFixture } = await import('../test/support/programs.js');
const { bundleWorkflows } = await import('../worker/worker.js');

const { values } = parseArgs({
  options: {
    mentees: { type: 'string', default: '10000' },
    cache: { type: 'string', default: '1000' },
    slots: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '32' },
  },
});
const MENTEES = Number(values.mentees);
const CACHE = Number(values.cache);
const SLOTS = Number(values.slots);
const CONCURRENCY = Number(values.concurrency);
const DAY = 24 * 60 * 60 * 1000;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

const servers = await startLocalServers({ prefix: 'bench-hold' });
const { database, temporal: devServer } = servers;
const sql = connect(database.url, { max: 20 });
const connection = await Connection.connect({ address: devServer.address });
const keyring = keyringOf(newKeyringDocument('bench'));
const client = new Client({ connection, ...privateClientOptions(keyring, sql) });
const nativeConnection = await NativeConnection.connect({ address: devServer.address });
const taskQueue = 'hold-10k';
const worker = await Worker.create({
  connection: nativeConnection,
  taskQueue,
  workflowBundle: await bundleWorkflows(),
  activities: createActivities({
    sql,
    mailer: createOutboxMailer(() => {}),
    payments: createFinanceLedgerProvider(sql),
    emailFrom: 'Mentorship <mentorship@example.org>',
    publicBaseUrl: SIM_BASE_URL,
    temporal: client,
    texts: new PersonalTexts(sql, keyring),
  }),
  dataConverter: encryptedDataConverter(keyring),
  maxCachedWorkflows: CACHE,
  maxConcurrentWorkflowTaskExecutions: SLOTS,
  maxConcurrentActivityTaskExecutions: SLOTS,
  maxConcurrentLocalActivityExecutions: SLOTS,
});
const app = createApp({ sql, temporal: client, taskQueue, log: pino({ level: 'silent' }), auth: SIM_AUTH });
const bearer = async (userId: string, role: 'ops' | 'mentee' | 'admin', programs: string[] = []) =>
  `Bearer ${await mintToken({ userId, role, programs }, SIM_AUTH)}`;
const request = async (method: string, url: string, auth: string, body?: unknown) => {
  const response = await app.request(url, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as { id?: string; stage?: string } };
};

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 250);
const running = worker.run();
try {
  // Applications close in 60 days: every mentee waits in review on a durable timer for the whole bench.
  const program = programFixture(Date.now() + 59 * DAY);
  const ops = await bearer('ops-bench', 'ops');
  if ((await request('POST', '/programs', ops, program)).status !== 201)
    throw new Error('program not created');
  const ids: string[] = [];
  const started = performance.now();
  const startLatencies: number[] = [];
  const progress = setInterval(() => {
    process.stderr.write(
      `\rstarted ${ids.length}/${MENTEES} (${(ids.length / ((performance.now() - started) / 1000)).toFixed(0)}/s), RSS ${mb(process.memoryUsage().rss)} MiB   `,
    );
  }, 1000);
  await pool(
    Array.from({ length: MENTEES }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const t = performance.now();
      const token = await bearer(`hold-${i}`, 'mentee');
      const created = await request('POST', `/programs/${program.id}/applications`, token, {
        mentee: { name: `Mentee ${i}`, email: `hold-${i}@example.org`, country: i % 3 === 0 ? 'IN' : 'DE' },
      });
      if (created.status !== 201)
        throw new Error(`apply ${i}: ${created.status} ${JSON.stringify(created.body)}`);
      startLatencies.push(performance.now() - t);
      ids.push(created.body.id!);
    },
  );
  const startSeconds = (performance.now() - started) / 1000;
  clearInterval(progress);
  process.stderr.write('\n');
  // every workflow has run its first task: the "application received" email and the first status write
  for (;;) {
    const [row] = await sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM applications WHERE status IS NOT NULL`;
    const [emails] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM emails`;
    if (row!.n >= MENTEES && emails!.n >= MENTEES) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const settledSeconds = (performance.now() - started) / 1000;
  const rssAfterStart = mb(process.memoryUsage().rss);

  // While they all run: the dashboard's status reads, and one message each to mentees mostly evicted from the cache.
  const sample = Array.from({ length: 400 }, (_, k) => ids[(k * 7919) % ids.length]!);
  const statusLatencies: number[] = [];
  await pool(sample, 8, async (id) => {
    const t = performance.now();
    const r = await request('GET', `/applications/${id}`, ops);
    if (r.status !== 200) throw new Error(`status ${r.status}`);
    statusLatencies.push(performance.now() - t);
  });
  const messageLatencies: number[] = [];
  await pool(sample.slice(0, 200), 8, async (id) => {
    const t = performance.now();
    const r = await request('POST', `/applications/${id}/prerequisites/intro-call/complete`, ops);
    if (r.status !== 200) throw new Error(`message ${r.status} ${JSON.stringify(r.body)}`);
    messageLatencies.push(performance.now() - t);
  });
  const describeOne = await client.workflow.getHandle(`mentee-application/${ids[0]}`).describe();
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const [st, ms, sl] = [sorted(statusLatencies), sorted(messageLatencies), sorted(startLatencies)];
  console.log(
    `hold-${MENTEES}: worker maxCachedWorkflows=${CACHE}, task slots=${SLOTS}, API concurrency ${CONCURRENCY}`,
  );
  console.log(
    `  started ${MENTEES} mentees through POST /programs/{id}/applications in ${startSeconds.toFixed(1)} s = ${(MENTEES / startSeconds).toFixed(0)}/s (apply latency p50 ${percentile(sl, 0.5).toFixed(0)} ms, p99 ${percentile(sl, 0.99).toFixed(0)} ms)`,
  );
  console.log(`  every first task done (email + read model) after ${settledSeconds.toFixed(1)} s`);
  console.log(
    `  RSS after start ${rssAfterStart} MiB, peak ${mb(peakRss)} MiB (worker + API + driver in one process)`,
  );
  console.log(
    `  GET /applications/{id} while ${MENTEES} run: p50 ${percentile(st, 0.5).toFixed(1)} ms, p99 ${percentile(st, 0.99).toFixed(1)} ms (n=${st.length})`,
  );
  console.log(
    `  a message (Update) to a running mentee, mostly evicted: p50 ${percentile(ms, 0.5).toFixed(0)} ms, p99 ${percentile(ms, 0.99).toFixed(0)} ms (n=${ms.length})`,
  );
  console.log(
    `  one mentee's workflow: ${describeOne.status.name}, history ${describeOne.historyLength} events`,
  );
} finally {
  clearInterval(sampler);
  worker.shutdown();
  await running.catch(() => {});
  await nativeConnection.close().catch(() => {});
  await connection.close();
  await sql.end();
  await servers.stop();
}
process.exit(0);
