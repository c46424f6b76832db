import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../api/app.js';
import type { Sql } from '../../db/index.js';
import { menteeWorkflowId } from '../../domain/ids.js';
import { privateClientOptions } from '../../privacy/clients.js';
import { encryptedDataConverter } from '../../privacy/payload-codec.js';
import { bundleWorkflows, createMenteeWorker } from '../../worker/worker.js';
import { bearer, naturalCaller, TEST_AUTH } from './auth.js';
import { type GuardedClock, guardedClock } from './clock.js';
import { freshDatabase } from './database.js';
import { activitiesAtTheEdge } from './edge.js';
import type { fakePaymentProvider } from './fake-payments.js';
import { type FakeResend, startFakeResend } from './fake-resend.js';
import { TEST_KEYRING } from './keyring.js';
import { type OpenApiDocument, responseChecker } from './openapi.js';
import { startTimeSkippingServer } from './temporal.js';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field by the assertions
export type ApiResponse = { status: number; body: any };

export interface TestSystem {
  env: TestWorkflowEnvironment;
  sql: Sql;
  resend: FakeResend;
  payments: ReturnType<typeof fakePaymentProvider>;
  app: ReturnType<typeof createApp>;
  taskQueue: string;
  workflowBundle: WorkflowBundleWithSourceMap;
  newWorker(): Promise<Worker>;
  /** Moves the test server's clock; never lands just before a mentee's timer (see clock.ts). */
  skipTo: GuardedClock['skipTo'];
  skipBy: GuardedClock['skipBy'];
  /** Calls the API in-process as the frontend would over HTTP; as `naturalCaller` unless `authorization` is given. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  stop(): Promise<void>;
}

/** The Temporal UI's origin as the test API knows it: the codec endpoint's one CORS grant. */
export const TEST_UI_ORIGIN = 'http://127.0.0.1:8233';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Real servers for one test file: time-skipping Temporal, a fresh Postgres database, a fake Resend reached by the SDK. */
export async function startTestSystem(options: { financeLedger?: boolean } = {}): Promise<TestSystem> {
  bundle ??= bundleWorkflows();
  const [db, resend, env] = await Promise.all([
    freshDatabase(),
    startFakeResend(),
    startTimeSkippingServer(),
  ]);
  const taskQueue = `mentorship-test-${randomBytes(4).toString('hex')}`;
  const log = pino({ level: 'silent' });
  const { activities, payments } = activitiesAtTheEdge(db.sql, resend, env.client, options);
  const workflowBundle = await bundle;
  let checkResponse: ReturnType<typeof responseChecker> | undefined;
  // one token per person, as a frontend keeps its session's token (minting is a cost on every call otherwise)
  const tokens = new Map<string, Promise<{ authorization: string }>>();
  const tokenOf = (who: Parameters<typeof bearer>[0]) => {
    const key = JSON.stringify([who.userId, who.role, who.programs ?? []]);
    let token = tokens.get(key);
    if (!token) {
      token = bearer(who);
      tokens.set(key, token);
    }
    return token;
  };
  // a plain client: the API waiting for a workflow's result must not move the test server's clock as env.client would
  const apiClient = new Client({
    connection: env.connection,
    namespace: 'default',
    ...privateClientOptions(TEST_KEYRING, db.sql),
  });
  const app = createApp({
    sql: db.sql,
    temporal: apiClient,
    taskQueue,
    log,
    auth: TEST_AUTH,
    keyring: TEST_KEYRING,
    codec: { uiOrigin: TEST_UI_ORIGIN, namespace: 'default' },
  });
  const clock = guardedClock(env, async () =>
    (await db.sql<{ id: string }[]>`SELECT id FROM applications`).map(({ id }) => menteeWorkflowId(id)),
  );
  return {
    env,
    skipTo: clock.skipTo,
    skipBy: clock.skipBy,
    sql: db.sql,
    resend,
    payments,
    app,
    taskQueue,
    workflowBundle,
    newWorker: () =>
      createMenteeWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue,
        activities,
        workflowBundle,
        dataConverter: encryptedDataConverter(TEST_KEYRING),
      }),
    async call(method, path, body, headers = {}) {
      const { authorization, ...rest } = headers;
      const credentials =
        authorization === undefined
          ? await tokenOf(await naturalCaller(db.sql, method, path, body))
          : authorization
            ? { authorization }
            : {};
      const {
        status,
        body: parsed,
        contentType,
      } = await requestApp(app, method, path, body, {
        ...credentials,
        ...rest,
      });
      checkResponse ??= responseChecker(
        (await (await app.request('/openapi.json')).json()) as OpenApiDocument,
      );
      checkResponse(method, path, status, contentType, parsed);
      return { status, body: parsed };
    },
    async stop() {
      await env.teardown();
      await resend.close();
      await db.close();
    },
  };
}

/** One request to the app in-process, as the frontend sends it: a JSON body in, JSON (or text) out. */
export async function requestApp(
  app: ReturnType<typeof createApp>,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<ApiResponse & { contentType: string | null }> {
  const response = await app.request(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type');
  const parsed = text && contentType?.includes('json') ? JSON.parse(text) : text || undefined;
  return { status: response.status, body: parsed, contentType };
}

/** A worker polling for the whole test file; `stop` waits until it has drained. */
export async function backgroundWorker(system: Pick<TestSystem, 'newWorker'>) {
  const worker = await system.newWorker();
  const running = worker.run();
  return {
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

/** This file's test system with a background worker: started before its tests, stopped after them. */
export function testSystemForFile(options: { financeLedger?: boolean } = {}): TestSystem {
  const system = {} as TestSystem;
  let worker: Awaited<ReturnType<typeof backgroundWorker>> | undefined;
  beforeAll(async () => {
    Object.assign(system, await startTestSystem(options));
    worker = await backgroundWorker(system);
  });
  afterAll(async () => {
    await worker?.stop();
    await system.stop?.();
  });
  return system;
}
