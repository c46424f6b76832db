import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SimulatedClock } from '../../simulator/engine.js';
import { skipPastTimersDueSoon, TIMER_GUARD_MS, timersDueAt } from '../../simulator/timers.js';

export { TIMER_GUARD_MS };

/**
 * The time-skipping server's clock, moved so that the test's next message never races a timer (why:
 * simulator/timers.ts): a skip goes on past every timer of the test's open mentees due within `TIMER_GUARD_MS`.
 */
export interface GuardedClock {
  /** Moves the clock to `at` or a little past it (never past a timer due later than `TIMER_GUARD_MS` after `at`). */
  skipTo(at: number): Promise<void>;
  skipBy(ms: number): Promise<void>;
}

type ServerClock = Pick<TestWorkflowEnvironment, 'currentTimeMs' | 'sleep' | 'client'>;

/** A clock over `env` guarding the timers of the workflows `workflowIds()` names (closed ones are passed over). */
export function guardedClock(env: ServerClock, workflowIds: () => Promise<string[]>): GuardedClock {
  const clock = new SimulatedClock(env);
  const skipTo = async (at: number) => {
    await clock.skipTo(at);
    await skipPastTimersDueSoon(
      () => env.currentTimeMs(),
      (next) => clock.skipTo(next),
      async () => timersDueAt(env.client, await workflowIds()),
    );
  };
  return {
    skipTo,
    skipBy: async (ms) => skipTo((await env.currentTimeMs()) + ms),
  };
}
