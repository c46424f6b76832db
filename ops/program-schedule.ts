import { z } from 'zod';
import { type Actor, adoptProgramScheduleUpdate } from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { FINAL_STAGES } from '../domain/stages.js';
import { type ApplicationRow, sendMessage } from '../mentees/client.js';
import { changeProgramSchedule, type ScheduleChangeOf } from '../mentees/programs.js';
import type { OpsDeps } from './deps.js';

export const ProgramScheduleResult = z.object({
  programId: z.string(),
  termEndsAt: z.string(),
  evaluations: z.array(z.object({ number: z.int(), dueAt: z.string() })),
  /** Running mentees whose schedule moved. */
  changed: z.array(z.string()),
  /** Running mentees that already had it (a second run lands here). */
  unchanged: z.array(z.string()),
  /** Running mentees whose workflow said no, with its reason (e.g. still in review). */
  refused: z.array(z.object({ id: z.string(), stage: z.string(), reason: z.string() })),
  /** Mentees that could not be reached (e.g. Temporal unavailable); running the command again retries them. */
  failed: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type ProgramScheduleResult = z.infer<typeof ProgramScheduleResult>;

/**
 * A program-wide schedule change: the program's rules for new applicants, then every running mentee of the
 * program adopts them (keeping their own extension). Each mentee's answer is reported; a re-run changes nothing twice.
 */
export async function applyProgramSchedule(
  { sql, temporal }: OpsDeps,
  programId: string,
  change: ScheduleChangeOf,
  by: Actor,
  { concurrency = 8 }: { concurrency?: number } = {},
): Promise<ProgramScheduleResult> {
  const { rules } = await changeProgramSchedule(sql, programId, change);
  // the read model names every mentee of the program on any server (no visibility query needed)
  const running = await sql<ApplicationRow[]>`
    SELECT id, workflow_id AS "workflowId", program_id AS "programId", stage FROM applications
    WHERE program_id = ${programId} AND stage <> ALL(${[...FINAL_STAGES]}) ORDER BY created_at, id`;

  const result: ProgramScheduleResult = {
    programId,
    termEndsAt: rules.termEndsAt,
    evaluations: rules.evaluations.map(({ number, dueAt }) => ({ number, dueAt })),
    changed: [],
    unchanged: [],
    refused: [],
    failed: [],
  };
  // each mentee's answer lands in its own slot, so the report keeps the read model's order
  const answers: ({ duplicate: boolean } | { refused: string } | { failed: string })[] = [];
  let next = 0;
  const adoptNext = async (): Promise<void> => {
    for (let i = next++; i < running.length; i = next++) {
      try {
        answers[i] = await sendMessage(temporal, running[i]!, adoptProgramScheduleUpdate, { by, rules });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        answers[i] =
          error instanceof ProblemError && error.status < 500 ? { refused: reason } : { failed: reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, running.length) }, adoptNext));
  running.forEach(({ id, stage }, i) => {
    const answer = answers[i]!;
    if ('duplicate' in answer) (answer.duplicate ? result.unchanged : result.changed).push(id);
    else if ('refused' in answer) result.refused.push({ id, stage, reason: answer.refused });
    else result.failed.push({ id, reason: answer.failed });
  });
  return result;
}
