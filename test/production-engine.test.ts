import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveTermThroughApis, expectedEnd } from '../chaos/api-term.js';
import { compressRules } from '../chaos/experiment.js';
import { SupervisedWorker } from '../chaos/processes.js';
import { menteeWorkflowId } from '../domain/ids.js';
import type { ProgramRules } from '../domain/program.js';
import { FINAL_STAGES } from '../domain/stages.js';
import { privateClientOptions } from '../privacy/clients.js';
import { findFreePorts, terminateProcess } from '../scripts/temporal-binaries.js';
import type { TemporalServer } from '../scripts/temporal-server.js';
import { buildIfStale } from '../scripts/worker-process.js';
import { freshDatabase } from './support/database.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { TEST_KEYRING } from './support/keyring.js';
import { startTestTemporalServer } from './support/temporal-server.js';

/*
 * The production engine: Temporal's own server (built from its Go module) on PostgreSQL, two worker processes and
 * two API processes, as a deployment runs them. A term of three programs is driven through both APIs at random
 * (chaos/api-term.ts) while one worker is killed with -9 as people apply (its supervisor starts it again), one API
 * is killed while the selections race (its clients retry on the other with the same Idempotency-Key), and the
 * Temporal server restarts during the evaluations. Then every promise the chaos experiment checks is checked.
 */
const PEOPLE = 30;
const PROGRAMS = 3;
const SLOTS = 7;

let server: TemporalServer;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let resend: FakeResend;
const workers: SupervisedWorker[] = [];
const apis: { url: string; child: ChildProcess; alive: boolean }[] = [];

beforeAll(async () => {
  buildIfStale();
  [db, resend, server] = await Promise.all([freshDatabase(), startFakeResend(), startTestTemporalServer()]);
  const env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'engine',
    RESEND_API_KEY: resend.apiKey,
    RESEND_BASE_URL: resend.baseUrl,
    WORKER_STICKY_TIMEOUT_SECONDS: '3',
  };
  for (let i = 0; i < 2; i++) workers.push(new SupervisedWorker(env, () => {}));
  for (const worker of workers) worker.start();
  const ports = await findFreePorts(2);
  for (const port of ports) {
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/api/main.js'], {
      env: { ...process.env, ...env, API_PORT: String(port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    apis.push({ url: `http://127.0.0.1:${port}`, child, alive: true });
  }
  await Promise.all([
    ...workers.map((worker) => worker.untilPolling()),
    ...apis.map((api) => untilHealthy(api.url)),
  ]);
}, 300_000);

afterAll(async () => {
  for (const api of apis) await terminateProcess(api.child, 5_000);
  for (const worker of workers) await worker.stop();
  await server?.stop();
  await resend?.close();
  await db?.close();
});

describe('the production engine: Temporal on PostgreSQL, two workers and two APIs', () => {
  it('keeps every promise of a term driven through both APIs through a worker killed, an API killed mid-request and a server restart', {
    timeout: 900_000,
  }, async () => {
    const live = () => apis.filter((api) => api.alive);
    const faults: string[] = [];
    let restart: Promise<void> | undefined;
    let evaluatingFrom = Number.POSITIVE_INFINITY;
    const term = await driveTermThroughApis({
      pick: () => live()[Math.floor(Math.random() * live().length)]!.url,
      prefix: `engine-${Date.now() % 100_000}`,
      people: PEOPLE,
      programs: PROGRAMS,
      slots: SLOTS,
      seed: 22,
      compress: async (programId, reviewClosesInMs) => {
        const [row] = await db.sql<
          { rules: ProgramRules }[]
        >`SELECT rules FROM programs WHERE id = ${programId}`;
        const rules = compressRules(row!.rules, reviewClosesInMs);
        await db.sql`UPDATE programs SET rules = ${db.sql.json(rules as never)} WHERE id = ${programId}`;
      },
      onProgress: (phase, answered) => {
        if (phase === 'applying' && answered >= 40 && faults.length === 0) {
          workers[0]!.kill();
          faults.push('worker 1 killed with -9 while people apply');
        }
        // the selections race in flight at once: the kill lands in the middle of some
        if (phase === 'selecting' && faults.length === 1) {
          apis[1]!.alive = false;
          apis[1]!.child.kill('SIGKILL');
          faults.push('API 2 killed with -9 mid-selection');
        }
        if (phase === 'evaluating' && answered >= evaluatingFrom + 60 && faults.length === 2) {
          faults.push('Temporal server restarted mid-evaluations');
          restart = server.restart();
        }
        if (phase !== 'evaluating') evaluatingFrom = answered;
      },
    });
    await restart;
    const count = (of: (a: (typeof term.applications)[number]) => string) => {
      const counts = new Map<string, number>();
      for (const a of term.applications) counts.set(of(a), (counts.get(of(a)) ?? 0) + 1);
      return [...counts].map(([k, n]) => `${k}: ${n}`).join(', ');
    };
    console.info(
      `term: ${term.applications.length} applications, selections ${count((a) => String(a.selection))}, ` +
        `refused ${JSON.stringify(term.refusals)}, paths of the selected ${count((a) => (a.selection === 200 ? a.path : 'not selected'))}, ` +
        `${term.requests.answered} requests answered, ${term.requests.retried} attempts retried; ${faults.join('; ')}`,
    );
    expect(faults).toHaveLength(3);
    expect(term.requests.retried).toBeGreaterThan(0);
    // the races were run: some selections refused for a conflict, some for capacity
    expect(Object.keys(term.refusals).sort()).toEqual(['capacity-reached', 'selection-conflict']);

    // every application reaches its end: the stage, the ledger, the payouts, the letters
    const ids = term.applications.map((a) => a.applicationId);
    await expect
      .poll(
        async () =>
          (
            await db.sql`SELECT id FROM applications WHERE id IN ${db.sql(ids)} AND stage NOT IN ${db.sql([...FINAL_STAGES])}`
          ).length,
        { timeout: 300_000, interval: 1_000 },
      )
      .toBe(0);
    for (const a of term.applications) {
      const expected = expectedEnd(a);
      const who = `${a.person} in ${a.programId} (${a.path}, selection ${a.selection})`;
      const [row] = await db.sql<
        { stage: string }[]
      >`SELECT stage FROM applications WHERE id = ${a.applicationId}`;
      expect(row?.stage, who).toBe(expected.stage);
      // one ledger row per earned installment, each paid
      await expect
        .poll(async () =>
          (
            await db.sql<{ installment: number; status: string }[]>`
              SELECT installment, status FROM stipend_payments WHERE application_id = ${a.applicationId} ORDER BY installment`
          ).map((l) => `${l.installment}:${l.status}`),
        )
        .toEqual(expected.paidInstallments.map((n) => `${n}:paid`));
      const [payouts] = await db.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM payout_requests WHERE idempotency_key LIKE ${`${a.applicationId}/%`}`;
      expect(payouts!.n, who).toBe(expected.paidInstallments.length);
      const [letters] = await db.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM certificates WHERE application_id = ${a.applicationId}`;
      expect(letters!.n, who).toBe(expected.letter ? 1 : 0);
    }
    // one acceptance per person, and no program over its slots
    const accepted = term.applications.filter((a) => a.selection === 200);
    expect(accepted.length).toBeGreaterThan(0);
    expect(new Set(accepted.map((a) => a.person)).size).toBe(accepted.length);
    const seats = await db.sql<{ menteeId: string; n: number }[]>`
      SELECT mentee_id AS "menteeId", count(*)::int AS n FROM acceptances WHERE term_id = ${term.termId}
      GROUP BY mentee_id`;
    expect(seats.filter((s) => s.n > 1)).toEqual([]);
    const perProgram = await db.sql<{ programId: string; n: number }[]>`
      SELECT program_id AS "programId", count(*)::int AS n FROM applications
      WHERE program_id IN ${db.sql(term.programs)} AND stage <> 'declined' GROUP BY program_id`;
    for (const { n } of perProgram) expect(n).toBeLessThanOrEqual(SLOTS);
    // no email twice: each reached Resend once, and every one is recorded
    const emails = resend.emails();
    const byKey = new Map<string, number>();
    for (const e of emails) byKey.set(e.idempotencyKey ?? '', (byKey.get(e.idempotencyKey ?? '') ?? 0) + 1);
    expect([...byKey].filter(([, n]) => n > 1)).toEqual([]);
    const [recorded] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM emails`;
    expect(recorded!.n).toBe(emails.length);

    // on the server: every workflow closed, no workflow task ever failed, visibility (PostgreSQL) answering
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, ...privateClientOptions(TEST_KEYRING) });
      let failedTasks = 0;
      for (const a of term.applications) {
        const handle = client.workflow.getHandle(menteeWorkflowId(a.applicationId));
        await expect.poll(async () => (await handle.describe()).status.name).toBe('COMPLETED');
        const history = await handle.fetchHistory();
        failedTasks += history.events?.filter((e) => e.workflowTaskFailedEventAttributes).length ?? 0;
      }
      expect(failedTasks).toBe(0);
      const closed = await client.workflow.count(
        `WorkflowType = 'menteeWorkflow' AND ExecutionStatus = 'Completed'`,
      );
      expect(closed.count).toBe(term.applications.length);
    } finally {
      await connection.close();
    }
    expect(workers[0]!.starts.length).toBeGreaterThanOrEqual(2);
  });
});

async function untilHealthy(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`The API at ${url} did not become ready`);
}
