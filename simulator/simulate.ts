import { setTimeout as sleep } from 'node:timers/promises';
import { menteeWorkflowId } from '../domain/ids.js';
import { ProgramInput } from '../domain/program.js';
import { FINAL_STAGES, type Stage } from '../domain/stages.js';
import {
  pool,
  runTimeline,
  type TimelineProgress,
  type TimelineStep,
  type TimelineTimings,
} from './engine.js';
import type { LoadedPrograms, Scenario } from './files.js';
import { cohortPeople } from './people.js';
import { type CohortPlan, DAY, planCohort, shiftTerm } from './plan.js';
import type { SimulationSystem } from './system.js';

export interface SimulationOptions {
  mentees: number;
  seed: number;
  concurrency?: number;
  /** Real time a message may take before its workflow counts as stuck (default 30 s). */
  stepTimeoutMs?: number;
  /** Hours between the instants people act at (default 1); coarser means fewer clock steps. */
  gridHours?: number;
  /**
   * Before each instant's messages, go on past their mentees' timers due within a minute (simulator/timers.ts says
   * why). Off by default: reading those histories costs about a quarter more time, for a rare stuck mentee.
   */
  timerGuard?: boolean;
}

export type Phase = 'starting' | 'planning' | 'programs' | 'running' | 'settling' | 'report' | 'done';

export interface Progress {
  phase: Phase;
  simulatedNow: number;
  stepsDone: number;
  steps: number;
  /** Applications that reached a final stage (from the read model). */
  applicationsDone: number;
  applications: number;
}

export interface SimulationRun {
  plan: CohortPlan;
  answers: ReturnType<typeof cohortPeople>['answers'];
  /**
   * Mentees whose workflow stopped answering (its workflow task kept failing: a bug); the simulator terminates
   * them, as ops would, so that the clock can move on, and the report lists them.
   */
  broken: { key: string; applicationId: string; action: string; failure: string }[];
  /** The workflows still open at the end, and why (a payment waiting for ops, ...). */
  open: { key: string; applicationId: string; stage: string }[];
  timings: { runSeconds: number; settleSeconds: number } & TimelineTimings;
  shiftMs: number;
}

/** Whole weeks to move a program file's dates so that applications close a day after the server's now. */
export function shiftFor(files: LoadedPrograms, now: number): number {
  const closes = Math.min(...files.programs.map((p) => Date.parse(p.program.applicationsCloseAt)));
  const earliestApplication = closes - 30 * DAY;
  if (earliestApplication > now) return 0;
  return Math.ceil((now - earliestApplication) / (7 * DAY)) * 7 * DAY;
}

/** Plans the cohort, creates the term and programs through the API, runs the timeline and lets it settle. */
export async function simulate(
  system: SimulationSystem,
  files: LoadedPrograms,
  scenario: Scenario,
  options: SimulationOptions,
  onProgress: (p: Progress) => void = () => {},
): Promise<SimulationRun> {
  const now = await system.clock.sync();
  const shiftMs = shiftFor(files, now);
  const plan = planCohort(files, scenario, {
    mentees: options.mentees,
    seed: options.seed,
    shiftMs,
    gridHours: options.gridHours ?? 1,
  });
  const stored = new Map(plan.programs.map((p) => [p.rules.programId, ProgramInput.parse(p.input)]));
  const people = cohortPeople(system, files.term?.id ?? null, stored);
  let stepsDone = 0;
  let applicationsDone = 0;
  const steps = plan.applications.reduce((n, a) => n + a.steps.length, 0);
  const progress = (phase: Phase) =>
    onProgress({
      phase,
      simulatedNow: system.clock.now,
      stepsDone,
      steps,
      applicationsDone,
      applications: plan.applications.length,
    });
  progress('programs');

  const ops = await people.token('ops-simulator', 'ops');
  if (files.term) {
    const created = await system.app.request('/terms', {
      method: 'POST',
      headers: { authorization: ops, 'content-type': 'application/json' },
      body: JSON.stringify(shiftTerm(files.term, shiftMs)),
    });
    if (created.status === 404) {
      throw new Error('This branch has no POST /terms yet: run a program file without a term');
    }
    if (created.status !== 201) throw new Error(`POST /terms: ${created.status} ${await created.text()}`);
  }
  for (const { input } of plan.programs) {
    const created = await system.app.request('/programs', {
      method: 'POST',
      headers: { authorization: await people.admin(input.id), 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    if (created.status !== 201)
      throw new Error(`POST /programs ${input.id}: ${created.status} ${await created.text()}`);
  }

  // Competing steps (selections in a term, in a program with slots, or by the admin's ranking where the program
  // has projects) run one at a time in plan order.
  const competes =
    files.term !== null ||
    plan.programs.some((p) => (p.input as { slots?: number }).slots || (p.input.projects ?? []).length > 0);
  const timeline: TimelineStep[] = plan.applications.flatMap((a) =>
    a.steps.map((step) => ({
      at: step.at,
      chain: a.personId,
      serial: competes && step.action.kind === 'select',
      workflowId: () => (a.applicationId ? menteeWorkflowId(a.applicationId) : undefined),
      what: `${a.key} ${JSON.stringify(step.action)} at ${new Date(step.at).toISOString()} (application ${a.applicationId ?? 'not yet made'})`,
      run: async () => {
        if (step.action.kind !== 'apply' && !a.applicationId) return; // the application was refused
        if (broken.some((b) => b.key === a.key)) return;
        const answered = people.act(a, step.action, step.at);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), options.stepTimeoutMs ?? 30_000);
        });
        const outcome = await Promise.race([answered, timeout]).finally(() => clearTimeout(timer));
        if (outcome === 'timeout') {
          answered.catch(() => {}); // it fails once the workflow is terminated below
          broken.push(await stuck(system, a, step.action.kind));
        }
        stepsDone++;
      },
    })),
  );

  const broken: SimulationRun['broken'] = [];
  const started = performance.now();
  let lastCount = 0;
  const countDone = async () => {
    const [row] = await system.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM applications WHERE stage = ANY(${[...FINAL_STAGES]})`;
    applicationsDone = row?.n ?? 0;
  };
  const ticker = setInterval(() => {
    if (performance.now() - lastCount > 1000) {
      lastCount = performance.now();
      countDone().catch(() => {});
    }
    progress('running');
  }, 250);
  let result: TimelineTimings;
  try {
    result = await runTimeline(system.clock, timeline, {
      concurrency: options.concurrency ?? 16,
      ...(options.timerGuard && { timerGuard: system.env.client }),
      onProgress: (_p: TimelineProgress) => {},
      onSlowStep: (step, ms) =>
        process.stderr.write(`\nStill waiting after ${ms / 1000} s for: ${step.what ?? step.chain}\n`),
    });
    await system.clock.skipTo(plan.endsAt);
  } finally {
    clearInterval(ticker);
  }
  const runSeconds = (performance.now() - started) / 1000;

  const settleStarted = performance.now();
  const settle = setInterval(() => progress('settling'), 250);
  let open: SimulationRun['open'];
  try {
    open = await settleAll(system, plan);
  } finally {
    clearInterval(settle);
  }
  await countDone();
  progress('settling');
  return {
    plan,
    answers: people.answers,
    broken,
    open: open.filter((o) => !broken.some((b) => b.key === o.key)),
    shiftMs,
    timings: {
      runSeconds,
      settleSeconds: (performance.now() - settleStarted) / 1000,
      ...result,
    },
  };
}

/**
 * Waits until every workflow has closed or is quiet (no workflow task or activity pending: it waits for a person,
 * e.g. ops to retry a rejected payment), so the read model, the ledger and the emails are final. Never awaits
 * `result()` concurrently: on the time-skipping server that unlocks time skipping once per call.
 */
export async function settleWorkflows(
  client: SimulationSystem['env']['client'],
  workflowIds: string[],
): Promise<{ workflowId: string; open: boolean }[]> {
  const settled: { workflowId: string; open: boolean }[] = [];
  await pool(workflowIds, 16, async (workflowId) => {
    const handle = client.workflow.getHandle(workflowId);
    for (let attempt = 0; ; attempt++) {
      const described = await handle.describe();
      const raw = described.raw;
      const busy = (raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask != null;
      if (described.status.name !== 'RUNNING' || !busy || attempt > 600) {
        settled.push({ workflowId, open: described.status.name === 'RUNNING' });
        return;
      }
      await sleep(100);
    }
  });
  return settled;
}

async function settleAll(system: SimulationSystem, plan: CohortPlan): Promise<SimulationRun['open']> {
  const applied = plan.applications.filter((a) => a.applicationId);
  const byWorkflow = new Map(applied.map((a) => [menteeWorkflowId(a.applicationId!), a]));
  const settled = await settleWorkflows(system.env.client, [...byWorkflow.keys()]);
  const open: SimulationRun['open'] = [];
  for (const { workflowId } of settled.filter((s) => s.open)) {
    const a = byWorkflow.get(workflowId)!;
    const [row] = await system.sql<
      { stage: Stage }[]
    >`SELECT stage FROM applications WHERE id = ${a.applicationId!}`;
    open.push({ key: a.key, applicationId: a.applicationId!, stage: row?.stage ?? 'in_review' });
  }
  return open.sort((x, y) => x.key.localeCompare(y.key));
}

/** A message got no answer: the workflow's last task failure says why; terminate it so that time can move on. */
async function stuck(
  system: SimulationSystem,
  a: { key: string; applicationId?: string },
  action: string,
): Promise<SimulationRun['broken'][number]> {
  const handle = system.env.client.workflow.getHandle(menteeWorkflowId(a.applicationId!));
  const history = await handle.fetchHistory();
  const failed = [...(history.events ?? [])].reverse().find((e) => e.workflowTaskFailedEventAttributes);
  const failure =
    failed?.workflowTaskFailedEventAttributes?.failure?.message ?? 'no answer (no task failure recorded)';
  await handle.terminate(`simulator: no answer to ${action}: ${failure}`).catch(() => {});
  process.stderr.write(`\n${a.key}: no answer to ${action} (${failure}); workflow terminated\n`);
  return { key: a.key, applicationId: a.applicationId!, action, failure };
}
