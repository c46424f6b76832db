/**
 * `npx tsx bench/api-throughput.ts [seconds]`: requests per second and latency of the API's status endpoint and
 * of one message endpoint (completing a prerequisite: an Update through the workflow, then the read model),
 * next to the raw Temporal client against the same dev server in the same process: the same Update, a bare
 * signal, and a query. The ratios are the API's overhead; the machine's noise hits every row alike.
 */
import { Client, Connection } from '@temporalio/client';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { mintToken } from '../api/auth.js';
import { startApi } from '../api/run.js';
import { loadConfig } from '../config/index.js';
import { menteeWorkflowId } from '../domain/ids.js';
import { completePrerequisiteUpdate, statusQuery } from '../domain/messages.js';
import { configuredKeyring, privateClientOptions } from '../privacy/clients.js';
import { newKeyringDocument } from '../privacy/keyring.js';
import { startLocalServers } from '../scripts/local-servers.js';
import { programFixture } from '../test/support/programs.js';
import { startWorker } from '../worker/run.js';

const SECONDS = Number(process.argv[2] ?? 10);
const CONNECTIONS = 10;
const MENTEES = 20;

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const servers = await startLocalServers({ prefix: 'bench-api' });
const { database, temporal: devServer } = servers;
const silent = pino({ level: 'silent' });
const config = loadConfig({
  API_PORT: '0',
  TEMPORAL_TASK_QUEUE: 'bench',
  LOG_LEVEL: 'silent',
  PAYLOAD_KEYS: JSON.stringify(newKeyringDocument('bench')),
});
const endpoints = { databaseUrl: database.url, temporalAddress: devServer.address };
const worker = await startWorker(config, endpoints, silent);
const api = await startApi(config, endpoints, silent);
const connection = await Connection.connect({ address: devServer.address });
const client = new Client({ connection, ...privateClientOptions(configuredKeyring(config)) });
const token = (userId: string, role: 'ops' | 'mentee') =>
  mintToken(
    { userId, role },
    { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, secret: config.AUTH_JWT_SECRET },
  );

try {
  const ops = `Bearer ${await token('ops-bench', 'ops')}`;
  const program = programFixture(Date.now(), { prerequisites: [{ id: 'intro-call', title: 'Intro call' }] });
  await post('/programs', program, ops);
  const applications: string[] = [];
  for (let i = 0; i < MENTEES; i++) {
    const mentee = `Bearer ${await token(`bench-${i}`, 'mentee')}`;
    const created = await post(
      `/programs/${program.id}/applications`,
      { mentee: { name: `Bench ${i}`, email: `b${i}@example.org` } },
      mentee,
    );
    applications.push(created.id);
  }

  const rows: [string, Figures][] = [];
  const measure = async (name: string, run: () => Promise<Figures>) => {
    process.stderr.write(`measuring ${name} for ${SECONDS} s...\n`);
    rows.push([name, await run()]);
  };

  await measure('API GET /applications/{id} (status, read model)', () =>
    load(
      applications.map((id) => ({ method: 'GET', path: `/applications/${id}` })),
      ops,
    ),
  );
  await measure('API POST .../prerequisites/{id}/complete (Update)', () =>
    load(
      applications.map((id) => ({
        method: 'POST',
        path: `/applications/${id}/prerequisites/intro-call/complete`,
      })),
      ops,
    ),
  );
  const handles = applications.map((id) => client.workflow.getHandle(menteeWorkflowId(id)));
  await measure('raw client executeUpdate (same Update)', () =>
    loop((i) =>
      handles[i % MENTEES]!.executeUpdate(completePrerequisiteUpdate, {
        args: [{ prerequisiteId: 'intro-call' }],
      }),
    ),
  );
  await measure('raw client signal', () => loop((i) => handles[i % MENTEES]!.signal('benchPing')));
  await measure('raw client query (status)', () => loop((i) => handles[i % MENTEES]!.query(statusQuery)));

  const by = Object.fromEntries(rows);
  const ratio = (a: string, b: string) => (by[a]!.rps / by[b]!.rps).toFixed(2);
  console.log(
    `\n${CONNECTIONS} concurrent callers, ${SECONDS} s each, ${MENTEES} mentees, one process (2-core machine)\n`,
  );
  console.log('| what | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|');
  for (const [name, f] of rows)
    console.log(
      `| ${name} | ${f.rps.toFixed(0)} | ${f.p50.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.errors} |`,
    );
  const message = 'API POST .../prerequisites/{id}/complete (Update)';
  const status = 'API GET /applications/{id} (status, read model)';
  console.log(`\nmessage endpoint / raw signal rate: ${ratio(message, 'raw client signal')}`);
  console.log(
    `message endpoint / raw Update rate: ${ratio(message, 'raw client executeUpdate (same Update)')}`,
  );
  console.log(`status endpoint / raw signal rate: ${ratio(status, 'raw client signal')}`);
  console.log(`status endpoint / raw query rate: ${ratio(status, 'raw client query (status)')}`);
} finally {
  await api.stop();
  await worker.stop();
  await connection.close();
  await servers.stop();
}

async function post(pathname: string, body: unknown, authorization: string) {
  const response = await fetch(`${api.url}${pathname}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${pathname}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<{ id: string }>;
}

/** autocannon against the running API, cycling through the requests. */
async function load(
  requests: { method: 'GET' | 'POST'; path: string }[],
  authorization: string,
): Promise<Figures> {
  const result = await autocannon({
    url: api.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { authorization },
    requests,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** CONNECTIONS concurrent loops of `call` for SECONDS, timing each call. */
async function loop(call: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        try {
          await call(next++);
          latencies.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / SECONDS, p50: at(0.5), p99: at(0.99), errors };
}
