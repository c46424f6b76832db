import { condition } from '@temporalio/workflow';
import type { NextStep } from '../domain/messages.js';
import type { MenteeState } from './state.js';

/** Durable waits until instants of the mentee's schedule, which an extension or a schedule change moves. */
export class DeadlineTimer {
  /** The durable timer being waited on, for the UI's current details and the nextStep query. */
  current: NextStep['timer'] = null;

  constructor(private readonly m: MenteeState) {}

  /** Waits until `deadline()`, re-armed whenever the schedule moves; true if `done` came first. */
  async waitUntil(
    deadline: () => string,
    summary: string,
    done: () => boolean = () => false,
  ): Promise<boolean> {
    const { m } = this;
    for (;;) {
      if (done()) return true;
      const ms = Date.parse(deadline()) - Date.now();
      if (ms <= 0) return false;
      const version = m.scheduleVersion;
      this.current = { summary, firesAt: deadline() };
      await condition(() => done() || m.scheduleVersion !== version, ms, { summary }).finally(() => {
        this.current = null;
      });
      if (done()) return true;
      if (m.scheduleVersion === version) return false;
    }
  }
}
