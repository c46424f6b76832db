import type { Client } from '@temporalio/client';
import { skipPastTimersDueSoon, timersDueAt } from './timers.js';

/**
 * The one driver of simulated cohorts (the simulator, the cohort tests, the benches): a timeline of
 * (simulated instant, chain, step). The clock of the time-skipping server moves from instant to instant, never
 * while a step runs; at each instant the due steps go out with bounded concurrency, the steps of one chain (a
 * person) one after the other in plan order, and `serial` steps (those that compete across people, e.g. for a
 * program's slots) one at a time after the others, in plan order, so the outcome never depends on timing.
 */
export interface TimelineStep {
  at: number;
  /** Steps of one chain at one instant run one after the other, in the order given. */
  chain: string;
  /** Runs alone, after the concurrent steps of its instant, in plan order. */
  serial?: boolean;
  /** What the step does, for the watchdog's report of a step that does not finish. */
  what?: string;
  /** The workflow the step sends a message to (none yet for an application), for the timer guard. */
  workflowId?(): string | undefined;
  run(): Promise<unknown>;
}

/** The time-skipping test server's clock, as TestWorkflowEnvironment offers it. */
export interface ServerClock {
  currentTimeMs(): Promise<number>;
  sleep(ms: number): Promise<void>;
}

/** The simulated now, known without asking the server; it changes only when the timeline moves the clock. */
export class SimulatedClock {
  now = 0;
  constructor(private readonly server: ServerClock) {}

  async sync(): Promise<number> {
    this.now = await this.server.currentTimeMs();
    return this.now;
  }

  /** Moves the server's clock to `at` (never backwards); every timer due by then has fired and been handled. */
  async skipTo(at: number): Promise<void> {
    const now = await this.sync();
    if (at > now) await this.server.sleep(at - now);
    this.now = Math.max(at, now);
  }
}

export interface TimelineProgress {
  instant: number;
  instantsDone: number;
  instants: number;
  stepsDone: number;
  steps: number;
}

export interface TimelineOptions {
  concurrency?: number;
  onProgress?(progress: TimelineProgress): void;
  /**
   * Before an instant's steps, go on past any timer of the workflows they message that is due within a minute
   * (simulator/timers.ts: the time-skipping server would strand the task that races it).
   */
  timerGuard?: Client;
  /** Called once for each step still running after `slowStepMs` of real time (default 60 s). */
  onSlowStep?(step: TimelineStep, ms: number): void;
  slowStepMs?: number;
}

export interface TimelineTimings {
  instants: number;
  steps: number;
  /** Real time spent moving the clock (the server firing timers and the worker handling them) and running steps. */
  clockSeconds: number;
  stepSeconds: number;
}

/** Runs every step at its instant; resolves when the last instant's steps are done (the clock stays there). */
export async function runTimeline(
  clock: SimulatedClock,
  steps: TimelineStep[],
  { concurrency = 16, onProgress, onSlowStep, slowStepMs = 60_000, timerGuard }: TimelineOptions = {},
): Promise<TimelineTimings> {
  const byInstant = new Map<number, TimelineStep[]>();
  for (const step of steps) {
    const list = byInstant.get(step.at);
    if (list) list.push(step);
    else byInstant.set(step.at, [step]);
  }
  const instants = [...byInstant.keys()].sort((a, b) => a - b);
  let stepsDone = 0;
  const watched = async (step: TimelineStep) => {
    const timer = onSlowStep ? setTimeout(() => onSlowStep(step, slowStepMs), slowStepMs) : undefined;
    try {
      await step.run();
    } finally {
      clearTimeout(timer);
    }
  };
  const report = (instant: number, instantsDone: number) =>
    onProgress?.({ instant, instantsDone, instants: instants.length, stepsDone, steps: steps.length });

  let clockMs = 0;
  let stepMs = 0;
  for (const [index, instant] of instants.entries()) {
    const skipping = performance.now();
    await clock.skipTo(instant);
    const due = byInstant.get(instant)!;
    if (timerGuard) {
      const messaged = [...new Set(due.map((step) => step.workflowId?.()).filter((id) => id !== undefined))];
      await skipPastTimersDueSoon(
        () => clock.now,
        (at) => clock.skipTo(at),
        () => timersDueAt(timerGuard, messaged),
      );
    }
    const stepping = performance.now();
    clockMs += stepping - skipping;
    const chains = new Map<string, TimelineStep[]>();
    for (const step of due.filter((s) => !s.serial)) {
      const chain = chains.get(step.chain);
      if (chain) chain.push(step);
      else chains.set(step.chain, [step]);
    }
    await pool([...chains.values()], concurrency, async (chain) => {
      for (const step of chain) {
        await watched(step);
        stepsDone++;
      }
    });
    for (const step of due.filter((s) => s.serial)) {
      await watched(step);
      stepsDone++;
    }
    stepMs += performance.now() - stepping;
    report(instant, index + 1);
  }
  return {
    instants: instants.length,
    steps: steps.length,
    clockSeconds: clockMs / 1000,
    stepSeconds: stepMs / 1000,
  };
}

/** Runs `work` over `items` with at most `limit` in flight; the first failure stops new work and is thrown. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw (failure as { error: unknown }).error;
}
