import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { pino } from 'pino';
import postgres from 'postgres';
import { createActivities } from '../activities/index.js';
import type { Mailer } from '../activities/mailers/mailer.js';
import { createOutboxMailer } from '../activities/mailers/outbox.js';
import type { PaymentProvider } from '../activities/payments/provider.js';
import { createApp } from '../api/app.js';
import { DEVELOPMENT_JWT_SECRET } from '../config/index.js';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { connect, migrate, type Sql } from '../db/index.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { privateClientOptions } from '../privacy/clients.js';
import { type Keyring, keyringOf, newKeyringDocument } from '../privacy/keyring.js';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import { PersonalTexts } from '../privacy/personal-texts.js';
import {
  ensureTemporalTestServer,
  findFreePorts,
  testServerExecutable,
} from '../scripts/temporal-binaries.js';
import { fakePaymentProvider } from '../test/support/fake-payments.js';
import { bundleWorkflowsApart } from '../worker/worker.js';
import { SimulatedClock } from './engine.js';

export const SIM_AUTH = {
  issuer: 'mentorship-dev',
  audience: 'mentorship-api',
  secret: DEVELOPMENT_JWT_SECRET,
} as const;
export const SIM_BASE_URL = 'https://mentorship.example.org';

/** The proto enum value of a CLI type name ('KeywordList' -> KEYWORD_LIST). */
const indexedValueType = (cliType: string): number => {
  const sdkName = cliType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return encodeSearchAttributeIndexedValueType(
    sdkName as Parameters<typeof encodeSearchAttributeIndexedValueType>[0],
  )!;
};

/** When, on the simulated clock, something reached the edge of the world (an email, a payout). */
export interface EdgeEvent {
  at: number;
  key: string;
}

/** Worker sizes for a cohort: every mentee stays cached (replaying 200-event histories costs more than RAM). */
export interface WorkerSizes {
  maxCachedWorkflows: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentActivityTaskExecutions: number;
  maxConcurrentLocalActivityExecutions: number;
}
export const DEFAULT_WORKER_SIZES: WorkerSizes = {
  maxCachedWorkflows: 12_000,
  maxConcurrentWorkflowTaskExecutions: 64,
  maxConcurrentActivityTaskExecutions: 64,
  maxConcurrentLocalActivityExecutions: 64,
};

export interface SimulationSystem {
  env: TestWorkflowEnvironment;
  clock: SimulatedClock;
  sql: Sql;
  databaseUrl: string;
  app: ReturnType<typeof createApp>;
  taskQueue: string;
  payments: ReturnType<typeof fakePaymentProvider>;
  /** Emails by idempotency key and payouts by provider key, with the simulated instant they reached the edge. */
  edge: { emails: Map<string, number>; payouts: Map<string, number> };
  worker: Worker;
  workflowBundle: WorkflowBundleWithSourceMap;
  /** Runs the worker until `work` is done. */
  run<T>(work: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export interface SimulationSystemOptions {
  /** An existing PostgreSQL server (`postgres://user:pw@host:port`): a fresh database is made in it. */
  postgresServerUrl?: string;
  /** The time-skipping server launcher; default: the provisioned one (npm run provision). */
  testServerPath?: string;
  workerSizes?: Partial<WorkerSizes>;
  /** Custom activities instead of the real ones (the bench's bare baseline). */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Wraps the real activities (e.g. to time them). */
  log?: (line: string) => void;
  /** Payloads encrypted and texts sealed, as in production (default); false: the bench's comparison without. */
  encryption?: boolean;
}

/** The real system on real servers, with only the edges simulated: the outbox mailer and a fake payment provider. */
export async function startSimulationSystem(
  options: SimulationSystemOptions = {},
): Promise<SimulationSystem> {
  const log = options.log ?? (() => {});
  // a keyring of this rehearsal's own, as npm start generates one
  const keyring = options.encryption === false ? undefined : keyringOf(newKeyringDocument('simulation'));
  quietRuntime();
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const [database, env, workflowBundle] = await Promise.all([
      options.postgresServerUrl ? freshDatabase(options.postgresServerUrl) : embeddedDatabase(stops),
      startTimeSkipping(options.testServerPath ?? (await ensureTemporalTestServer(log)), keyring),
      // bundled in a child process, alongside the servers' start: this process keeps its memory for the mentees
      options.workflowBundle ?? bundleWorkflowsApart({ rehearsal: true }),
    ]);
    stops.unshift(() => env.teardown());
    await migrate(database.url);
    const sql = connect(database.url, { max: 20 });
    stops.unshift(() => sql.end());
    // the API's and the activities' client: messages sealed with each mentee's key where they are made
    const client = keyring
      ? new Client({
          connection: env.connection,
          namespace: 'default',
          ...privateClientOptions(keyring, sql),
        })
      : env.client;
    const clock = new SimulatedClock(env);
    await clock.sync();

    const edge = { emails: new Map<string, number>(), payouts: new Map<string, number>() };
    // the simulated instant of the activity attempt that reached the edge, from the server's own clock; a local
    // activity (an email, from release 1.1) is scheduled on the worker's wall clock, so the server is asked: its
    // time stands still while the workflow task that runs the local activity is open
    const simulatedNow = async () => {
      const { info } = Context.current();
      return info.isLocal ? env.currentTimeMs() : info.currentAttemptScheduledTimestampMs;
    };
    const outbox = createOutboxMailer(() => {});
    const mailer: Mailer = {
      async send(email, idempotencyKey) {
        edge.emails.set(idempotencyKey, await simulatedNow());
        return outbox.send(email, idempotencyKey);
      },
    };
    const payments = fakePaymentProvider();
    const provider: PaymentProvider = {
      name: payments.provider.name,
      async pay(request, signal) {
        if (!edge.payouts.has(request.idempotencyKey))
          edge.payouts.set(request.idempotencyKey, await simulatedNow());
        return payments.provider.pay(request, signal);
      },
    };
    const activities = createActivities({
      sql,
      mailer,
      payments: provider,
      emailFrom: 'Mentorship <mentorship@example.org>',
      publicBaseUrl: SIM_BASE_URL,
      // activities that message other mentees' workflows (a term's bulk decisions) need a client
      temporal: client,
      ...(keyring && { texts: new PersonalTexts(sql, keyring) }),
    });
    const taskQueue = `simulation-${randomBytes(4).toString('hex')}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle,
      activities,
      ...(keyring && { dataConverter: encryptedDataConverter(keyring) }),
      ...DEFAULT_WORKER_SIZES,
      ...options.workerSizes,
    });
    const app = createApp({
      sql,
      temporal: client,
      ...(keyring && { keyring }),
      taskQueue,
      log: pino({ level: 'silent' }),
      auth: SIM_AUTH,
      now: () => clock.now,
    });
    return {
      env,
      clock,
      sql,
      databaseUrl: database.url,
      app,
      taskQueue,
      payments,
      edge,
      worker,
      workflowBundle,
      run: (work) => worker.runUntil(work),
      async stop() {
        for (const stop of stops) await stop().catch(() => {});
      },
    };
  } catch (error) {
    for (const stop of stops) await stop().catch(() => {});
    throw error;
  }
}

/** The SDK's worker state lines would drown the progress bar; keep its warnings and errors. */
export function quietRuntime(): void {
  try {
    Runtime.install({
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } },
      // rejected payouts are activity failures the scenario asks for: only errors would interrupt the progress bar
      logger: new DefaultLogger('ERROR', (entry) =>
        process.stderr.write(`${entry.level} ${entry.message}\n`),
      ),
    });
  } catch {
    // already installed in this process (a test file, a bench running several systems)
  }
}

export async function startTimeSkipping(
  testServerPath: string | undefined,
  /** The keyring env.client encrypts payloads with; without one, payloads go in plain JSON. */
  keyring?: Keyring,
): Promise<TestWorkflowEnvironment> {
  const executable = testServerExecutable(testServerPath);
  const options = {
    server: { executable },
    ...(keyring && { client: { dataConverter: encryptedDataConverter(keyring) } }),
  };
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping(options);
  } catch {
    // a cold JVM on two busy cores can miss the SDK's 5 s start window once
    env = await TestWorkflowEnvironment.createTimeSkipping(options);
  }
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(CUSTOM_SEARCH_ATTRIBUTES).map(([name, type]) => [name, indexedValueType(type)]),
    ),
  });
  return env;
}

async function freshDatabase(serverUrl: string): Promise<{ url: string }> {
  const name = `sim_${randomBytes(6).toString('hex')}`;
  const admin = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  return { url: `${serverUrl}/${name}` };
}

/** A throwaway embedded PostgreSQL (fsync off) in a temporary directory. */
async function embeddedDatabase(stops: (() => Promise<unknown>)[]): Promise<{ url: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mentorship-sim-pg-'));
  await chmod(dataDir, 0o755); // the `postgres` system user must reach its data dir when we run as root
  stops.push(() => rm(dataDir, { recursive: true, force: true }));
  const [port] = await findFreePorts(1);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'data'),
    port: port!,
    database: 'simulation',
    persistent: false,
  });
  stops.unshift(() => server.stop());
  return { url: server.url };
}
