import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createActivities } from '../activities/index.js';
import { createResendMailer } from '../activities/mailers/resend.js';
import { createApp } from '../api/app.js';
import { apply, findApplication, sendMessage } from '../api/applications.js';
import { completePrerequisiteUpdate } from '../domain/messages.js';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { type DevServer, startDevServer } from '../scripts/dev-server.js';
import { findFreePorts } from '../scripts/temporal-binaries.js';
import { bundleWorkflows, createMenteeWorker } from '../worker/worker.js';
import { freshDatabase } from './support/database.js';
import { fakePaymentProvider } from './support/fake-payments.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { PREREQUISITES, programFixture } from './support/programs.js';

const TASK_QUEUE = 'visibility-test';
let server: DevServer;
let resend: FakeResend;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let client: Client;
let connection: Connection;
let nativeConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  const [port, uiPort] = await findFreePorts(2);
  [server, resend, db] = await Promise.all([
    startDevServer({
      cliPath: inject('temporalCliPath'),
      port: port!,
      uiPort: uiPort!,
      namespace: 'default',
      log: () => {},
    }),
    startFakeResend(),
    freshDatabase(),
  ]);
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address: server.address });
  worker = await createMenteeWorker({
    connection: nativeConnection,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({
      sql: db.sql,
      mailer: createResendMailer({ apiKey: resend.apiKey, baseUrl: resend.baseUrl }),
      payments: fakePaymentProvider().provider,
      emailFrom: 'Mentorship <m@example.org>',
      publicBaseUrl: 'http://127.0.0.1',
    }),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await nativeConnection?.close();
  await connection?.close();
  await db?.close();
  await resend?.close();
  await server?.stop();
});

describe('on the real dev server', () => {
  it('registers the custom search attributes', async () => {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['MenteeStage', 'ProgramId']));
  });

  it('finds mentees by stage and program with a visibility query', async () => {
    const now = Date.now();
    const input = ProgramInput.parse(programFixture(now));
    const app = createApp({
      sql: db.sql,
      temporal: client,
      taskQueue: TASK_QUEUE,
      log: pino({ level: 'silent' }),
    });
    const created = await app.request('/programs', {
      method: 'POST',
      body: JSON.stringify(programFixture(now, { id: input.id })),
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    // The real server cannot skip time: pin a review window of seconds into these workflows.
    const rules = {
      ...rulesOf(input),
      reviewClosesAt: new Date(now + 6_000).toISOString(),
      reviewReminderAt: null,
    };
    const deps = { sql: db.sql, temporal: client, taskQueue: TASK_QUEUE };
    const ready: string[] = [];
    const missing: string[] = [];
    for (let i = 0; i < 6; i++) {
      const mentee = { id: `vis-${i}`, name: `Mentee ${i}`, email: `vis-${i}@example.org` };
      const { applicationId } = await apply(deps, { id: input.id, rules }, mentee, '');
      const application = await findApplication(db.sql, applicationId);
      const done = i % 2 === 0 ? PREREQUISITES : PREREQUISITES.slice(1);
      for (const p of done)
        await sendMessage(client, application, completePrerequisiteUpdate, { prerequisiteId: p.id });
      (i % 2 === 0 ? ready : missing).push(application.workflowId);
    }

    const idsWhere = async (query: string) => {
      const ids: string[] = [];
      for await (const workflow of client.workflow.list({ query })) ids.push(workflow.workflowId);
      return ids.sort();
    };
    const program = `ProgramId = '${input.id}'`;
    expect(await idsWhere(`${program} AND MenteeStage = 'in_review'`)).toHaveLength(6);
    await vi.waitFor(
      async () => {
        expect(await idsWhere(`${program} AND MenteeStage = 'awaiting_selection'`)).toEqual(ready.sort());
        expect(await idsWhere(`${program} AND MenteeStage = 'not_accepted'`)).toEqual(missing.sort());
      },
      { timeout: 30_000, interval: 500 },
    );
    expect(await idsWhere(`${program} AND MenteeStage = 'in_review'`)).toEqual([]);
  });
});
