import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { UpdateDefinition } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type Actor,
  adoptProgramScheduleUpdate,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  extendTermUpdate,
  type MessageResult,
  statusQuery,
  withdrawUpdate,
} from '../domain/messages.js';
import { ProgramInput, type ProgramRules } from '../domain/program.js';
import { apply, findApplication, sendMessage } from '../mentees/client.js';
import { changeProgramSchedule, createProgram } from '../mentees/programs.js';
import { applyProgramSchedule, type ProgramScheduleResult } from '../ops/index.js';
import { startDevSystem } from './support/dev-system.js';
import { eventually } from './support/eventually.js';
import { DAYS, PREREQUISITES, programFixture } from './support/programs.js';

// On the real dev server (real time): a cohort in different stages takes a program-wide schedule change.
let system: Awaited<ReturnType<typeof startDevSystem>>;
beforeAll(async () => {
  system = await startDevSystem('ops-bulk-schedule');
});
afterAll(() => system?.stop());

const OPS: Actor = { userId: 'ops-1', role: 'ops' };
const WEEK = 7 * DAYS;
const iso = (ms: number) => new Date(ms).toISOString();

describe('a program-wide schedule change', () => {
  it('moves every running mentee, reports who refused, and changes nothing on a second run', {
    timeout: 180_000,
  }, async () => {
    const worker = await system.newWorker();
    await worker.runUntil(async () => {
      const input = ProgramInput.parse(programFixture(Date.now()));
      const { rules } = await createProgram(system.sql, input);
      await system.sql`INSERT INTO mentors (id, name, email) VALUES ('mentor-1', 'Mentor One', 'mentor@example.org')`;
      // the review window squeezed into seconds; evaluations stay weeks ahead, so no timer fires during the test
      const squeezed: ProgramRules = {
        ...rules,
        reviewReminderAt: null,
        reviewClosesAt: iso(Date.now() + 4000),
      };

      const join = async (menteeId: string, pinned: ProgramRules) => {
        const mentee = { id: menteeId, name: menteeId, email: `${menteeId}@example.org`, country: 'DE' };
        const { applicationId } = await apply(system.deps, { id: input.id, rules: pinned }, mentee, '');
        const application = await findApplication(system.sql, applicationId);
        const send = <A>(update: UpdateDefinition<MessageResult, [A]>, arg: A) =>
          sendMessage(system.client, application, update, arg);
        const status = () => system.client.workflow.getHandle(application.workflowId).query(statusQuery);
        if (pinned === squeezed) {
          for (const p of PREREQUISITES) await send(completePrerequisiteUpdate, { prerequisiteId: p.id });
        }
        return { id: applicationId, send, status };
      };
      const inReview = await join('in-review', rules);
      const awaiting = await join('awaiting-selection', squeezed);
      const extended = await join('active-extended', squeezed);
      const early = await join('adopted-early', squeezed);
      const withdrawn = await join('withdrawn', squeezed);
      await withdrawn.send(withdrawUpdate, { by: { userId: 'withdrawn', role: 'mentee' }, reason: 'A job' });
      await eventually(awaiting.status, (s) => s.stage === 'awaiting_selection', 'the review to close');
      for (const mentee of [extended, early]) {
        await eventually(mentee.status, (s) => s.stage === 'awaiting_selection', 'the review to close');
        await mentee.send(decideSelectionUpdate, {
          by: OPS,
          decision: 'select',
          mentor: { id: 'mentor-1' },
          projectTitle: 'Docs',
        });
        for (const stepId of ['contract', 'tax-form', 'payment-details']) {
          await mentee.send(completeOnboardingStepUpdate, { stepId, by: OPS });
        }
      }
      await extended.send(extendTermUpdate, { by: OPS, days: 3, reason: 'Exams' });

      // The final evaluation and the term end move by a week; one mentee has it already.
      const finalDue = Date.parse(rules.evaluations[3]!.dueAt) + WEEK;
      const termEnds = Date.parse(rules.termEndsAt) + WEEK;
      const change = {
        evaluations: rules.evaluations.map((e) => ({ dueAt: e.number === 4 ? iso(finalDue) : e.dueAt })),
        termEndsAt: iso(termEnds),
      };
      const program = await changeProgramSchedule(system.sql, input.id, change);
      await early.send(adoptProgramScheduleUpdate, { by: OPS, rules: program.rules });

      const first = await applyProgramSchedule(system.deps, input.id, change, OPS);
      expect(first).toMatchObject({
        changed: [awaiting.id, extended.id],
        unchanged: [early.id],
        refused: [
          {
            id: inReview.id,
            stage: 'in_review',
            reason: 'Cannot change the schedule while the application is in_review',
          },
        ],
        failed: [],
      });
      expect(first.evaluations[3]).toEqual({ number: 4, dueAt: iso(finalDue) });
      expect(first.termEndsAt).toBe(iso(termEnds));

      // Every running mentee's own workflow has the new dates (plus its extension); the refused one keeps the old.
      for (const [mentee, extension] of [
        [awaiting, 0],
        [extended, 3],
        [early, 0],
      ] as const) {
        const status = await mentee.status();
        expect(status.evaluations.map((e) => e.dueAt)).toEqual(
          rules.evaluations.map((e) =>
            iso(Date.parse(e.dueAt) + (e.number === 4 ? WEEK : 0) + extension * DAYS),
          ),
        );
        expect(status.termEndsAt).toBe(iso(termEnds + extension * DAYS));
      }
      expect((await extended.status()).decisions.filter((d) => d.action === 'schedule-adopted')).toHaveLength(
        1,
      );
      expect((await inReview.status()).evaluations[3]!.dueAt).toBe(rules.evaluations[3]!.dueAt);
      const [stored] = await system.sql`SELECT rules FROM programs WHERE id = ${input.id}`;
      expect(stored!.rules.evaluations[3].dueAt).toBe(iso(finalDue));

      // Run again through the CLI, as ops would: nothing changes twice; exit code 2 because one mentee refused.
      const again = await opsCli(['program-schedule', input.id, '--evaluation', `4=${iso(finalDue)}`]);
      expect(again.exitCode).toBe(2);
      expect(again.result).toMatchObject({
        changed: [],
        unchanged: [awaiting.id, extended.id, early.id],
        refused: [{ id: inReview.id, stage: 'in_review' }],
        failed: [],
      });
      expect((await extended.status()).decisions.filter((d) => d.action === 'schedule-adopted')).toHaveLength(
        1,
      );
      expect((await extended.status()).termEndsAt).toBe(iso(termEnds + 3 * DAYS));
    });
  });
});

/** `npm run ops -- <args> --json` against this test's servers. */
async function opsCli(args: string[]): Promise<{ exitCode: number; result: ProgramScheduleResult }> {
  const [row] = await system.sql<{ database: string }[]>`SELECT current_database() AS database`;
  const env = {
    ...process.env,
    DATABASE_URL: `${inject('postgresServerUrl')}/${row!.database}`,
    TEMPORAL_ADDRESS: system.server.address,
    TEMPORAL_TASK_QUEUE: 'ops-bulk-schedule',
    LOG_LEVEL: 'silent',
  };
  const run = promisify(execFile);
  try {
    const { stdout } = await run('npx', ['tsx', 'ops/cli.ts', '--json', '--as', 'ops-cli-test', ...args], {
      env,
    });
    return { exitCode: 0, result: JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number' || !failed.stdout) throw error;
    return { exitCode: failed.code, result: JSON.parse(failed.stdout) };
  }
}
