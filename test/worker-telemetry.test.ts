import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { apply, findApplication } from '../mentees/client.js';
import { findFreePorts, terminateProcess } from '../scripts/temporal-binaries.js';
import { type LogLine, spawnWorkerProcess } from '../scripts/worker-process.js';
import { bearer } from './support/auth.js';
import { startDevSystem } from './support/dev-system.js';
import { programFixture } from './support/programs.js';

/*
 * The worker as deployed (`worker/main.ts` in its own process) against the dev server: it serves the
 * Temporal SDK's metrics for Prometheus, and its JSON log lines from the SDK and from activities carry the
 * workflow id.
 */

const TASK_QUEUE = 'telemetry-test';
let system: Awaited<ReturnType<typeof startDevSystem>>;
let worker: ChildProcess;
let metricsPort: number;
let lines: LogLine[] = [];

beforeAll(async () => {
  system = await startDevSystem(TASK_QUEUE);
  [metricsPort] = (await findFreePorts(1)) as [number];
  ({ child: worker, lines } = spawnWorkerProcess('source', {
    DATABASE_URL: system.databaseUrl,
    TEMPORAL_ADDRESS: system.server.address,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    WORKER_METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'debug',
  }));
  await vi.waitFor(() => expect(lines.some((l) => l.msg === 'worker polling')).toBe(true), {
    timeout: 60_000,
    interval: 200,
  });
});

afterAll(async () => {
  if (worker) await terminateProcess(worker, 10_000);
  await system?.stop();
});

describe('the worker process', () => {
  it('logs JSON lines with the workflow id and serves temporal_ metrics after a mentee ran', async () => {
    const now = Date.now();
    const input = ProgramInput.parse(programFixture(now));
    const created = await system.app.request('/programs', {
      method: 'POST',
      body: JSON.stringify(programFixture(now, { id: input.id })),
      headers: {
        'content-type': 'application/json',
        ...(await bearer({ userId: 'ops-telemetry', role: 'ops' })),
      },
    });
    expect(created.status).toBe(201);
    // a review window of seconds, no prerequisites done: the mentee is not accepted and the workflow ends
    const rules = {
      ...rulesOf(input),
      reviewClosesAt: new Date(now + 3_000).toISOString(),
      reviewReminderAt: null,
    };
    const mentee = { id: `telemetry-${now}`, name: 'Tele Metry', email: 'telemetry@example.org' };
    const { applicationId } = await apply(system.deps, { id: input.id, rules }, mentee, '');
    const { workflowId } = await findApplication(system.sql, applicationId);
    expect(await system.client.workflow.getHandle(workflowId).result()).toMatchObject({
      stage: 'not_accepted',
    });

    // the outbox mailer logs from inside the email activity: our mixin adds the workflow id
    await vi.waitFor(() => {
      const outbox = lines.filter((l) => l.msg === 'email kept in outbox (no RESEND_API_KEY)');
      expect(outbox.map((l) => [l.workflowId, l.activityType])).toEqual([
        [workflowId, 'sendEmail'],
        [workflowId, 'sendEmail'],
      ]);
    });
    // the SDK's own workflow logger, routed into pino, with the workflow id
    await vi.waitFor(() => {
      const finished = lines.find((l) => l.msg === 'Mentee workflow finished');
      expect(finished).toMatchObject({
        component: 'temporal',
        workflowId,
        stage: 'not_accepted',
        name: 'worker',
      });
    });
    expect(lines.filter((l) => 'unparsed' in l)).toEqual([]);

    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const counted = (name: string) =>
      metrics
        .split('\n')
        .filter((line) => line.startsWith(name) && line.includes(`task_queue="${TASK_QUEUE}"`))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    expect(counted('temporal_workflow_completed')).toBe(1);
    // the two emails and the status writes run as local activities (release 1.1)
    expect(counted('temporal_local_activity_execution_latency_count')).toBeGreaterThanOrEqual(3);
    expect(lines.find((l) => l.msg === 'worker metrics for Prometheus')).toMatchObject({
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    });
  });
});
