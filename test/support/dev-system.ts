import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { inject } from 'vitest';
import { createApp } from '../../api/app.js';
import { privateClientOptions } from '../../privacy/clients.js';
import { encryptedDataConverter } from '../../privacy/payload-codec.js';
import { type DevServer, startDevServer } from '../../scripts/dev-server.js';
import { findFreePorts } from '../../scripts/temporal-binaries.js';
import { bundleWorkflows, createMenteeWorker } from '../../worker/worker.js';
import { bearer, TEST_AUTH } from './auth.js';
import { freshDatabase } from './database.js';
import { activitiesAtTheEdge } from './edge.js';
import { type FakeResend, startFakeResend } from './fake-resend.js';
import { TEST_KEYRING } from './keyring.js';
import { type ApiResponse, requestApp } from './system.js';

/** The real Temporal dev server (real time, visibility queries) with a fresh database and the edge fakes. */
export async function startDevSystem(
  taskQueue = 'dev-test',
  /** The UI decodes payloads through the API at this port (served by the test: `serve(system.app)`). */
  { codecApiPort }: { codecApiPort?: number } = {},
) {
  const [port, uiPort] = await findFreePorts(2);
  const [server, resend, db]: [DevServer, FakeResend, Awaited<ReturnType<typeof freshDatabase>>] =
    await Promise.all([
      startDevServer({
        cliPath: inject('temporalCliPath'),
        port: port!,
        uiPort: uiPort!,
        namespace: 'default',
        log: () => {},
        ...(codecApiPort && { uiCodecEndpoint: `http://127.0.0.1:${codecApiPort}/codec/default` }),
      }),
      startFakeResend(),
      freshDatabase(),
    ]);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, ...privateClientOptions(TEST_KEYRING, db.sql) });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const { activities, payments } = activitiesAtTheEdge(db.sql, resend, client);
  const workflowBundle = await bundleWorkflows();
  const app = createApp({
    sql: db.sql,
    temporal: client,
    taskQueue,
    log: pino({ level: 'silent' }),
    auth: TEST_AUTH,
    keyring: TEST_KEYRING,
    codec: { uiOrigin: `http://${server.uiUrl.replace(/^https?:\/\//, '')}`, namespace: 'default' },
  });
  const workers = new Set<Worker>();
  return {
    server,
    client,
    connection,
    sql: db.sql,
    databaseUrl: db.url,
    resend,
    payments,
    app,
    deps: { sql: db.sql, temporal: client, taskQueue },
    /** Calls the API in-process as `who` (default: ops), as the frontend would over HTTP. */
    async call(
      method: string,
      path: string,
      body?: unknown,
      who: Parameters<typeof bearer>[0] = { userId: 'ops-test', role: 'ops' },
    ): Promise<ApiResponse> {
      const { status, body: parsed } = await requestApp(app, method, path, body, await bearer(who));
      return { status, body: parsed };
    },
    async newWorker(): Promise<Worker> {
      const worker = await createMenteeWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        workflowBundle,
        activities,
        dataConverter: encryptedDataConverter(TEST_KEYRING),
      });
      workers.add(worker);
      return worker;
    },
    async stop() {
      for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await nativeConnection.close().catch(() => {});
      await connection.close();
      await db.close();
      await resend.close();
      await server.stop();
    },
  };
}
