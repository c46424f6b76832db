import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pastTimersDueSoon, TIMER_GUARD_MS, timersDueAt } from '../../simulator/timers.js';

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

const MAX_GUARD_SKIPS = 20;

type ServerClock = Pick<TestWorkflowEnvironment, 'currentTimeMs' | 'sleep' | 'client'>;

/** A clock over `env` guarding the timers of the workflows `workflowIds()` names (closed ones are passed over). */
export function guardedClock(env: ServerClock, workflowIds: () => Promise<string[]>): GuardedClock {
  const skipTo = async (at: number) => {
    let target = at;
    for (let extra = 0; ; extra++) {
      const now = await env.currentTimeMs();
      if (target > now) await env.sleep(target - now);
      const landed = await env.currentTimeMs();
      const next = pastTimersDueSoon(landed, await timersDueAt(env.client, await workflowIds()));
      if (next === null) return;
      if (extra >= MAX_GUARD_SKIPS) {
        throw new Error(`A timer stays due within ${TIMER_GUARD_MS} ms after ${MAX_GUARD_SKIPS} skips`);
      }
      target = next;
    }
  };
  return {
    skipTo,
    skipBy: async (ms) => skipTo((await env.currentTimeMs()) + ms),
  };
}
