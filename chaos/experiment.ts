/**
 * The crash-recovery experiment: a compressed cohort on the Temporal dev server with the worker as its own process,
 * killed with `kill -9` again and again (some kills right after an evaluation that earns an installment), the dev
 * server restarted once and PostgreSQL stopped for a while. Afterwards every promise of the system is checked:
 * each mentee's final stage, one ledger row and one payout per earned installment, no email twice, one Letter of
 * Completion per completion, no workflow left running, no workflow task failure; and the recovery times are measured.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { connect } from '../db/index.js';
import { menteeWorkflowId } from '../domain/ids.js';
import {
  type Actor,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  recordProgressUpdate,
  submitEvaluationUpdate,
  submitFeedbackSurveyUpdate,
  withdrawUpdate,
} from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { type Program, ProgramInput, type ProgramRules, rulesOf } from '../domain/program.js';
import type { Stage } from '../domain/stages.js';
import { apply, findApplication, sendEnding, sendMessage } from '../mentees/client.js';
import { createProgram } from '../mentees/programs.js';
import { privateClientOptions } from '../privacy/clients.js';
import { keyringOf, newKeyringDocument } from '../privacy/keyring.js';
import { startLocalServers } from '../scripts/local-servers.js';
import { buildIfStale } from '../scripts/worker-process.js';
import { type Random, streamFor } from '../simulator/random.js';
import { startFakeResend } from '../test/support/fake-resend.js';
import { programFixture } from '../test/support/programs.js';
import { SupervisedWorker } from './processes.js';

export interface ChaosOptions {
  mentees: number;
  /** `kill -9`s of the worker in all, of which `killsAfterEarning` right after an installment was earned. */
  kills: number;
  killsAfterEarning: number;
  postgresOutageMs: number;
  /** Restart Temporal (the dev server, or the server) once. */
  restartTemporal: boolean;
  /** `server`: Temporal's own server on the experiment's PostgreSQL, beside a second worker that is never killed. */
  engine?: 'dev' | 'server';
  seed: number;
  log: (line: string) => void;
}

export const FULL_EXPERIMENT: Omit<ChaosOptions, 'log'> = {
  mentees: 30,
  kills: 10,
  killsAfterEarning: 4,
  postgresOutageMs: 25_000,
  restartTemporal: true,
  seed: 7,
};

/** What each mentee of the cohort does, and so how they must end. */
const PATHS = {
  completes: 0.7,
  declined: 0.1,
  'fails-evaluation-3': 0.1,
  'withdraws-after-evaluation-2': 0.1,
} as const;
type MenteePath = keyof typeof PATHS;
const EXPECTED: Record<MenteePath, { stage: Stage; paidInstallments: number[]; certificate: boolean }> = {
  completes: { stage: 'completed', paidInstallments: [1, 2], certificate: true },
  declined: { stage: 'declined', paidInstallments: [], certificate: false },
  'fails-evaluation-3': { stage: 'terminated', paidInstallments: [1], certificate: false },
  'withdraws-after-evaluation-2': { stage: 'withdrawn', paidInstallments: [1], certificate: false },
};

export interface Disruption {
  kind: 'kill -9 worker' | 'kill -9 worker after earning' | 'PostgreSQL stopped' | 'Temporal restart';
  at: number;
  /** How long the cause lasted (the outage, the restart); 0 for a kill. */
  downMs: number;
  /** From the start of the disruption until a worker polled again. */
  workerBackMs?: number;
  /** Until the first message sent after the disruption ended was answered. */
  firstAnswerMs?: number;
  /** For a kill after earning: until that installment was paid. */
  installmentPaidMs?: number;
  earned?: { applicationId: string; installment: number };
}

export interface ChaosReport {
  options: Omit<ChaosOptions, 'log'>;
  seconds: number;
  paths: Record<MenteePath, number>;
  stages: Record<string, number>;
  disruptions: Disruption[];
  workerStarts: number;
  messages: { sent: number; retried: number; slowestMs: number };
  history: { workflowTaskFailed: number; workflowTaskTimedOut: number; activityTimedOut: number };
  emails: number;
  payouts: number;
  certificates: number;
  /** Broken promises; empty when the system kept every one. */
  violations: string[];
}

const admin: Actor = { userId: 'chaos-admin', role: 'admin' };
const MENTOR = { id: 'chaos-mentor', name: 'Chaos Mentor', email: 'mentor@example.org' };
const ONBOARDING = ['contract', 'tax-form', 'payment-details'];
const PROGRESS = ['project-plan', 'starter-docs', 'milestone-1', 'milestone-2'];
/** A message that cannot get through (an outage, a dead worker) is asked again for this long. */
const MESSAGE_PATIENCE_MS = 180_000;

export async function runChaosExperiment(options: ChaosOptions): Promise<ChaosReport> {
  const { log, ...settings } = options;
  const engine = options.engine ?? 'dev';
  const started = Date.now();
  buildIfStale();
  const stops: (() => Promise<unknown>)[] = [];
  try {
    // durable: PostgreSQL keeps its data over the outage, the dev server its workflows over the restart
    const [servers, resend] = await Promise.all([
      startLocalServers({ prefix: 'mentorship-chaos', durable: true, engine }),
      startFakeResend(),
    ]);
    stops.unshift(
      () => servers.stop(),
      () => resend.close(),
    );
    const postgres = servers.database;
    const sql = connect(postgres.url, { max: 10 });
    const connection = await Connection.connect({ address: servers.temporal.address });
    // the experiment's own keyring, handed to the worker it supervises
    const keys = newKeyringDocument('chaos');
    const client = new Client({ connection, ...privateClientOptions(keyringOf(keys), sql) });
    stops.unshift(
      () => sql.end({ timeout: 1 }),
      () => connection.close(),
    );
    const taskQueue = 'chaos';
    const deps = { sql, temporal: client, taskQueue };

    const workerEnv = {
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: servers.temporal.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      RESEND_API_KEY: resend.apiKey,
      RESEND_BASE_URL: resend.baseUrl,
      WORKER_METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info', // "worker polling" is an info line
      NODE_ENV: 'production',
      PAYLOAD_KEYS: JSON.stringify(keys),
    };
    const worker = new SupervisedWorker(workerEnv, log);
    stops.unshift(() => worker.stop());
    worker.start();
    // on the server engine, as deployed: a second worker process shares the task queue and is never killed
    const steady = engine === 'server' ? new SupervisedWorker(workerEnv, log) : undefined;
    if (steady) {
      stops.unshift(() => steady.stop());
      steady.start();
    }
    await Promise.all([worker.untilPolling(), steady?.untilPolling()]);

    const input = ProgramInput.parse(programFixture(Date.now()));
    await createProgram(sql, input);
    await sql`INSERT INTO mentors (id, name, email) VALUES (${MENTOR.id}, ${MENTOR.name}, ${MENTOR.email})`;

    const random = streamFor(options.seed, 0);
    const cohort = Array.from({ length: options.mentees }, (_, index) => ({
      index,
      path: random.pick(PATHS) as MenteePath,
      applicationId: '',
    }));
    // the mentees whose second evaluation is followed at once by a kill -9
    const killAfterEarning = new Set(
      cohort
        .filter((m) => m.path === 'completes')
        .slice(0, options.killsAfterEarning * 2)
        .map((m) => m.index),
    );
    const disruptions: Disruption[] = [];
    const answers: { sentAt: number; answeredAt: number }[] = [];
    let retried = 0;

    /** Asks again through outages, dead workers and restarts; a rejection by the workflow is an answer. */
    async function patiently<T>(what: string, call: () => Promise<T>): Promise<T> {
      const sentAt = Date.now();
      for (let attempt = 0; ; attempt++) {
        try {
          const result = await call();
          answers.push({ sentAt, answeredAt: Date.now() });
          return result;
        } catch (error) {
          // a refusal by the workflow is an answer (asking again will not help); anything else is an outage
          if (error instanceof ProblemError || Date.now() - sentAt > MESSAGE_PATIENCE_MS) {
            throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`, {
              cause: error,
            });
          }
          retried++;
          await sleep(Math.min(250 * 2 ** attempt, 2_000));
        }
      }
    }
    const killsDone = (kind?: Disruption['kind']) =>
      disruptions.filter((d) => (kind ? d.kind === kind : d.kind.startsWith('kill'))).length;
    let earningChancesLeft = killAfterEarning.size;
    /** Kills after earning have a budget of their own; random ones make up for those that found no worker up. */
    const budgetOf = (kind: Disruption['kind']) => {
      if (kind === 'kill -9 worker after earning') return options.killsAfterEarning;
      const afterEarning =
        earningChancesLeft > 0 ? options.killsAfterEarning : killsDone('kill -9 worker after earning');
      return options.kills - afterEarning;
    };
    const kill = (kind: Disruption['kind'], earned?: Disruption['earned']): void => {
      if (!worker.polling || killsDone(kind) >= budgetOf(kind)) return;
      disruptions.push({ kind, at: Date.now(), downMs: 0, ...(earned ? { earned } : {}) });
      log(`${kind}${earned ? ` (installment ${earned.installment} of ${earned.applicationId})` : ''}`);
      worker.kill();
    };

    async function mentee(m: (typeof cohort)[number], stream: Random): Promise<void> {
      await sleep(stream.next() * 30_000); // applications arrive over the first 30 s
      const rules = compressedRules(input);
      const { applicationId } = await patiently('apply', () =>
        apply(deps, { id: input.id, rules }, menteeDetails(m.index), 'chaos'),
      );
      m.applicationId = applicationId;
      const application = await patiently('find', () => findApplication(sql, applicationId));
      const pause = () => sleep(200 + stream.next() * 1_500);
      const send = async <A>(update: Parameters<typeof sendMessage<A>>[2], arg: A) => {
        await pause();
        return patiently(`${update.name} of ${applicationId}`, () =>
          sendMessage(client, application, update, arg),
        );
      };
      /** Asks again while the lifecycle has not reached the stage the message needs yet. */
      const sendOnceReady = async <A>(update: Parameters<typeof sendMessage<A>>[2], arg: A) => {
        for (const deadline = Date.now() + MESSAGE_PATIENCE_MS; ; ) {
          try {
            return await send(update, arg);
          } catch (error) {
            if (!isNotYet((error as Error).cause) || Date.now() > deadline) throw error;
          }
        }
      };
      for (const id of input.prerequisites.map((p) => p.id)) {
        await send(completePrerequisiteUpdate, { prerequisiteId: id });
      }
      await sleep(Math.max(0, Date.parse(rules.reviewClosesAt) - Date.now()));
      const decision = m.path === 'declined' ? 'decline' : 'select';
      await sendOnceReady(decideSelectionUpdate, {
        by: admin,
        decision,
        mentor: { id: MENTOR.id },
        projectTitle: 'Chaos engineering',
        reason: decision === 'decline' ? 'Another applicant fits the project better' : undefined,
      });
      if (decision === 'decline') return;
      for (const stepId of ONBOARDING)
        await sendOnceReady(completeOnboardingStepUpdate, { stepId, by: admin });
      for (const itemId of PROGRESS) await sendOnceReady(recordProgressUpdate, { itemId, by: admin });
      await sendOnceReady(submitFeedbackSurveyUpdate, { by: admin, rating: 5, comments: '' });
      for (const number of [1, 2, 3, 4]) {
        const outcome = m.path === 'fails-evaluation-3' && number === 3 ? 'fail' : 'pass';
        await sendOnceReady(submitEvaluationUpdate, evaluation(number, outcome));
        if (number === 2 && killAfterEarning.has(m.index)) {
          kill('kill -9 worker after earning', { applicationId, installment: 1 });
          earningChancesLeft--;
        }
        if (number === 2 && m.path === 'withdraws-after-evaluation-2') {
          await pause();
          await patiently(`withdraw ${applicationId}`, () =>
            sendEnding(
              deps,
              application,
              withdrawUpdate,
              { by: admin, reason: 'A full-time job' },
              'withdrawn',
            ),
          );
          return;
        }
        if (outcome === 'fail') return;
      }
    }

    let cohortDone = false;
    const chaos = (async () => {
      const chaosRandom = streamFor(options.seed, 1);
      const restartAt = Date.now() + 20_000;
      const outageAt = restartAt + 15_000;
      let outageDone = options.postgresOutageMs <= 0;
      let restartDone = !options.restartTemporal;
      while (!cohortDone) {
        await sleep(2_000 + chaosRandom.next() * 4_000);
        if (cohortDone) break;
        if (!outageDone && Date.now() >= outageAt) {
          outageDone = true;
          const at = Date.now();
          log(`PostgreSQL stopped for ${options.postgresOutageMs / 1000} s`);
          await postgres.stop();
          await sleep(options.postgresOutageMs);
          await postgres.start();
          disruptions.push({ kind: 'PostgreSQL stopped', at, downMs: Date.now() - at });
          continue;
        }
        if (!restartDone && Date.now() >= restartAt) {
          restartDone = true;
          const at = Date.now();
          log(`Temporal restart (${engine === 'server' ? 'the server' : 'the dev server'})`);
          await servers.restartTemporal();
          disruptions.push({ kind: 'Temporal restart', at, downMs: Date.now() - at });
          continue;
        }
        // the kills after earning come from the mentees; the rest at random moments
        kill('kill -9 worker');
      }
    })();

    const mentees = cohort.map((m) => mentee(m, streamFor(options.seed, 2, m.index)));
    const settled = await Promise.allSettled(mentees);
    const violations: string[] = settled.flatMap((s, i) =>
      s.status === 'rejected' ? [`mentee ${i} (${cohort[i]!.path}): ${String(s.reason)}`] : [],
    );
    // every workflow ends by itself; results are awaited through the remaining disruptions
    const outcomes = await Promise.all(
      cohort.map((m) =>
        m.applicationId
          ? patiently(`result of ${m.applicationId}`, () =>
              client.workflow.getHandle(menteeWorkflowId(m.applicationId)).result(),
            ).catch((error: unknown) => {
              violations.push(`mentee ${m.index}: no result (${String(error)})`);
              return undefined;
            })
          : undefined,
      ),
    );
    cohortDone = true;
    await chaos;
    await worker.untilPolling();

    for (const d of disruptions) measureRecovery(d, worker, answers);
    await measurePayouts(sql, disruptions);

    const report = await check({
      sql,
      client,
      cohort,
      outcomes,
      resend,
      violations,
    });
    return {
      options: settings,
      seconds: (Date.now() - started) / 1000,
      paths: countBy(cohort.map((m) => m.path)) as Record<MenteePath, number>,
      disruptions,
      workerStarts: worker.starts.length,
      messages: {
        sent: answers.length,
        retried,
        slowestMs: Math.max(0, ...answers.map((a) => a.answeredAt - a.sentAt)),
      },
      ...report,
    };
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

/**
 * Review closes 45 s after applying (long enough to outlive a PostgreSQL outage and a few kills with the
 * prerequisites done); every evaluation is open at once and due far later.
 */
function compressedRules(input: Program): ProgramRules {
  return compressRules(rulesOf(input), 45_000);
}

/** A term a real clock gets through in minutes: review closes after `reviewClosesInMs`, every evaluation opens now. */
export function compressRules(rules: ProgramRules, reviewClosesInMs: number): ProgramRules {
  const now = Date.now();
  const at = (ms: number) => new Date(now + ms).toISOString();
  return {
    ...rules,
    reviewReminderAt: null,
    reviewClosesAt: at(reviewClosesInMs),
    evaluations: rules.evaluations.map((e) => ({
      ...e,
      opensAt: at(0),
      remindAt: null,
      dueAt: at(1_800_000),
    })),
  };
}

function menteeDetails(index: number) {
  return {
    id: `chaos-mentee-${index}`,
    name: `Chaos Mentee ${index}`,
    email: `mentee-${index}@example.org`,
    country: 'DE',
  };
}

function evaluation(number: number, outcome: 'pass' | 'fail') {
  const rating = outcome === 'pass' ? 4 : 1;
  return {
    number,
    mentorId: MENTOR.id,
    ratings: { tasksAndMilestones: rating, engagement: rating, progressAgainstPlan: rating },
    comments: '',
    outcome,
  };
}

/** Refused because the lifecycle has not reached the stage yet (the review window, onboarding, the plan). */
function isNotYet(error: unknown): boolean {
  return error instanceof ProblemError && error.status === 409;
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function measureRecovery(
  d: Disruption,
  worker: SupervisedWorker,
  answers: { sentAt: number; answeredAt: number }[],
): void {
  const ended = d.at + d.downMs;
  const back = worker.starts.find(
    (s) => s.pollingAt !== undefined && s.pollingAt > d.at && s.spawnedAt >= d.at,
  );
  if (d.kind.startsWith('kill') && back?.pollingAt) d.workerBackMs = back.pollingAt - d.at;
  const first = answers
    .filter((a) => a.sentAt >= ended)
    .reduce((min, a) => Math.min(min, a.answeredAt), Number.POSITIVE_INFINITY);
  if (Number.isFinite(first)) d.firstAnswerMs = first - d.at;
}

async function measurePayouts(sql: ReturnType<typeof connect>, disruptions: Disruption[]): Promise<void> {
  for (const d of disruptions) {
    if (!d.earned) continue;
    const [row] = await sql<{ paidAt: Date | null }[]>`
      SELECT paid_at AS "paidAt" FROM stipend_payments
      WHERE application_id = ${d.earned.applicationId} AND installment = ${d.earned.installment}`;
    if (row?.paidAt) d.installmentPaidMs = Math.max(0, row.paidAt.getTime() - d.at);
  }
}

async function check(input: {
  sql: ReturnType<typeof connect>;
  client: Client;
  cohort: { index: number; path: MenteePath; applicationId: string }[];
  outcomes: ({ stage: Stage } | undefined)[];
  resend: Awaited<ReturnType<typeof startFakeResend>>;
  violations: string[];
}) {
  const { sql, client, cohort, outcomes, resend, violations } = input;
  const stages: Record<string, number> = {};
  const history = { workflowTaskFailed: 0, workflowTaskTimedOut: 0, activityTimedOut: 0 };
  for (const [i, m] of cohort.entries()) {
    if (!m.applicationId) continue;
    const expected = EXPECTED[m.path];
    const who = `mentee ${m.index} (${m.path}, ${m.applicationId})`;
    const [row] = await sql<
      { stage: string }[]
    >`SELECT stage FROM applications WHERE id = ${m.applicationId}`;
    stages[row?.stage ?? 'missing'] = (stages[row?.stage ?? 'missing'] ?? 0) + 1;
    if (outcomes[i] && outcomes[i].stage !== expected.stage)
      violations.push(`${who}: ended ${outcomes[i].stage}, expected ${expected.stage}`);
    if (row?.stage !== expected.stage)
      violations.push(`${who}: the read model says ${row?.stage}, expected ${expected.stage}`);

    const ledger = await sql<{ installment: number; status: string }[]>`
      SELECT installment, status FROM stipend_payments WHERE application_id = ${m.applicationId} ORDER BY installment`;
    const paid = ledger.filter((l) => l.status === 'paid').map((l) => l.installment);
    if (
      ledger.length !== expected.paidInstallments.length ||
      paid.join() !== expected.paidInstallments.join()
    )
      violations.push(
        `${who}: ledger ${JSON.stringify(ledger)}, expected installments ${expected.paidInstallments} paid`,
      );
    const [payouts] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM payout_requests WHERE idempotency_key LIKE ${`${m.applicationId}/%`}`;
    if (payouts!.n !== expected.paidInstallments.length)
      violations.push(`${who}: ${payouts!.n} payouts, expected ${expected.paidInstallments.length}`);
    const [letters] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM certificates WHERE application_id = ${m.applicationId}`;
    if (letters!.n !== (expected.certificate ? 1 : 0))
      violations.push(`${who}: ${letters!.n} Letters of Completion`);

    const handle = client.workflow.getHandle(menteeWorkflowId(m.applicationId));
    const description = await handle.describe();
    if (description.status.name !== 'COMPLETED')
      violations.push(`${who}: workflow ${description.status.name}, expected COMPLETED`);
    for (const event of (await handle.fetchHistory()).events ?? []) {
      const type = String(event.eventType);
      if (/WORKFLOW_TASK_FAILED|^16$/.test(type)) history.workflowTaskFailed++;
      if (/WORKFLOW_TASK_TIMED_OUT|^8$/.test(type)) history.workflowTaskTimedOut++;
      if (/ACTIVITY_TASK_TIMED_OUT|^13$/.test(type)) history.activityTimedOut++;
    }
  }
  if (history.workflowTaskFailed > 0)
    violations.push(`${history.workflowTaskFailed} workflow task failures in the histories`);

  // at the edge: each email reached Resend once (one idempotency key per email, none repeated with another key)
  const emails = resend.emails();
  const byMessage = countBy(
    emails.map((e) => `${e.to.join()} ${e.subject} ${e.tags?.map((t) => t.value).join('/')}`),
  );
  for (const [message, n] of Object.entries(byMessage)) {
    if (n > 1) violations.push(`email sent ${n} times: ${message}`);
  }
  const [recorded] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM emails`;
  if (recorded!.n !== emails.length)
    violations.push(`${emails.length} emails reached Resend, ${recorded!.n} are recorded`);
  const [payouts] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM payout_requests`;
  const [certificates] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM certificates`;
  return {
    stages,
    history,
    emails: emails.length,
    payouts: payouts!.n,
    certificates: certificates!.n,
    violations,
  };
}
