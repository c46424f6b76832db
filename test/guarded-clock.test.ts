import { describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { nextStepQuery } from '../domain/messages.js';
import { runTimeline, SimulatedClock } from '../simulator/engine.js';
import { TIMER_GUARD_MS } from './support/clock.js';
import { driver } from './support/drive.js';
import { DAYS, SCHEDULE } from './support/programs.js';
import { testSystemForFile } from './support/system.js';

// The tests' clock never lands just before a mentee's timer, where the test's next message would race it on the
// time-skipping server (support/clock.ts): it goes on past the timer, and lands exactly where no timer is near.

const system = testSystemForFile();
const drive = driver(system);

describe('the guarded test clock', () => {
  it('skips past a timer due just after the instant asked for, and lands exactly elsewhere', async () => {
    const { program, closes } = await drive.newProgram();
    const id = await drive.apply(program.id, 'clock-1');
    const nextStep = () => system.env.client.workflow.getHandle(menteeWorkflowId(id)).query(nextStepQuery);
    const reminderAt = closes + SCHEDULE.reviewClosesAt - program.reviewReminderDaysBefore! * DAYS;
    expect((await nextStep()).timer).toEqual({
      summary: 'Review reminder due',
      firesAt: new Date(reminderAt).toISOString(),
    });

    // far from any timer: exactly where asked
    await system.skipTo(reminderAt - DAYS);
    const landed = await system.env.currentTimeMs();
    expect(landed - (reminderAt - DAYS)).toBeLessThan(TIMER_GUARD_MS);
    expect((await nextStep()).timer?.summary).toBe('Review reminder due');

    // half the guard before the reminder: the reminder has fired when the skip returns
    await system.skipTo(reminderAt - TIMER_GUARD_MS / 2);
    expect(await system.env.currentTimeMs()).toBeGreaterThan(reminderAt);
    await expect.poll(async () => (await nextStep()).timer?.summary).toBe('Review window closes');
    await expect
      .poll(
        () => system.resend.emails().filter((e) => e.tags?.some((t) => t.value === 'review-reminder')).length,
      )
      .toBe(1);
  });

  it('guards the engine too: an instant goes on past the timers of the mentees it messages (--guard-timers)', async () => {
    const { program, closes } = await drive.newProgram();
    const id = await drive.apply(program.id, 'clock-2');
    const workflow = system.env.client.workflow.getHandle(menteeWorkflowId(id));
    const reminderAt = closes + SCHEDULE.reviewClosesAt - program.reviewReminderDaysBefore! * DAYS;
    const ranAt: number[] = [];
    const step = (at: number) => ({
      at,
      chain: 'clock-2',
      workflowId: () => workflow.workflowId,
      run: async () => ranAt.push(await system.env.currentTimeMs()),
    });
    await runTimeline(
      new SimulatedClock(system.env),
      [step(reminderAt - DAYS), step(reminderAt - TIMER_GUARD_MS / 2)],
      { timerGuard: system.env.client },
    );
    expect(ranAt[0]! - (reminderAt - DAYS)).toBeLessThan(TIMER_GUARD_MS);
    expect(ranAt[1]).toBeGreaterThan(reminderAt);
    await expect
      .poll(async () => (await workflow.query(nextStepQuery)).timer?.summary)
      .toBe('Review window closes');
  });
});
