import type { Client } from '@temporalio/client';
// a CommonJS package: Node's ESM loader sees only its default export
import proto, { type temporal } from '@temporalio/proto';

/**
 * The time-skipping server strands a workflow whose task cancels a timer that fired while the task was with the
 * worker: it refuses the completion ("invalid history builder state for action", temporalio/sdk-java#3088; "Already
 * accepted update" is the same refusal for an Update) and never hands the task out again. Between skips the clock
 * runs at real pace, and a timer set N days after an earlier step can fall just after the instant a later skip
 * lands on (an approval reminder 3 days after an evaluation): on a loaded machine it fires while the next Update is
 * being handled. So a skip goes on past every timer due within `TIMER_GUARD_MS` of where it lands, for the
 * workflows about to get a message (the tests' clock and the simulator's engine both do).
 */
export const TIMER_GUARD_MS = 60_000;
/** How long a look at the timers waits for workflow tasks in flight to finish before it reads them anyway. */
const SETTLE_MS = 5_000;

/** When the unfired timers of the open workflows among `workflowIds` are due (closed ones are passed over). */
export async function timersDueAt(client: Client, workflowIds: string[]): Promise<number[]> {
  const settleBy = Date.now() + SETTLE_MS;
  for (;;) {
    const histories = await Promise.all(
      workflowIds.map(async (id) => (await client.workflow.getHandle(id).fetchHistory()).events ?? []),
    );
    const open = histories.filter((events) => !CLOSED.has(events.at(-1)?.eventType ?? 0));
    // a task in flight may still start a timer: read them once it has finished (or waited long enough)
    if (!open.some(taskInFlight) || Date.now() > settleBy) return open.flatMap(unfiredTimers);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const MAX_GUARD_SKIPS = 20;

/**
 * After a skip has landed, goes on (`skipTo`) past every timer `timersDue()` lists that is due within the guard of
 * where the clock stands (`now()`), until none is.
 */
export async function skipPastTimersDueSoon(
  now: () => number | Promise<number>,
  skipTo: (at: number) => Promise<void>,
  timersDue: () => Promise<number[]>,
): Promise<void> {
  for (let extra = 0; ; extra++) {
    const landed = await now();
    const soon = (await timersDue()).filter((at) => at <= landed + TIMER_GUARD_MS);
    if (soon.length === 0) return;
    if (extra >= MAX_GUARD_SKIPS) {
      throw new Error(`A timer stays due within ${TIMER_GUARD_MS} ms after ${MAX_GUARD_SKIPS} skips`);
    }
    await skipTo(Math.max(...soon) + 1_000);
  }
}

const { EventType } = proto.temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const CLOSED: ReadonlySet<number> = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
]);

/** Whether the latest workflow task was scheduled and has not ended. */
function taskInFlight(events: readonly HistoryEvent[]): boolean {
  for (let i = events.length - 1; i >= 0; i--) {
    switch (events[i]!.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
        return true;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        return false;
    }
  }
  return false;
}

/** When each timer started and neither fired nor cancelled is due, in ms since the epoch. */
function unfiredTimers(events: readonly HistoryEvent[]): number[] {
  const pending = new Map<string, number>();
  for (const event of events) {
    const started = event.timerStartedEventAttributes;
    if (started?.timerId) {
      pending.set(started.timerId, millis(event.eventTime) + millis(started.startToFireTimeout));
    }
    const ended = event.timerFiredEventAttributes ?? event.timerCanceledEventAttributes;
    if (ended?.timerId) pending.delete(ended.timerId);
  }
  return [...pending.values()];
}

/** A protobuf timestamp or duration in milliseconds. */
function millis(
  value: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined,
) {
  return Number(value?.seconds?.toString() ?? 0) * 1000 + Math.floor((value?.nanos ?? 0) / 1e6);
}
