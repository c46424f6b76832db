import type { JSONValue, Row } from 'postgres';
import { type ApplicationRow, sendMessage } from '../api/applications.js';
import { notFound, ProblemError, validationProblem } from '../api/problems.js';
import type { Sql } from '../db/index.js';
import { type Actor, adoptProgramScheduleUpdate } from '../domain/messages.js';
import { ProgramInput, type ProgramRules, rulesOf, type ScheduleChange } from '../domain/program.js';
import { FINAL_STAGES } from '../domain/stages.js';
import type { OpsDeps } from './deps.js';

/** A change to a program's schedule, or one worked out from its current definition (see `withDueDates`). */
export type ScheduleChangeOf = ScheduleChange | ((current: ProgramInput) => ScheduleChange);

/** Changes a program's schedule for new applicants (running mentees keep theirs until told); same change twice, same program. */
export async function changeProgramSchedule(
  sql: Sql,
  programId: string,
  change: ScheduleChangeOf,
): Promise<Row> {
  const [row] = await sql<
    { definition: ProgramInput }[]
  >`SELECT definition FROM programs WHERE id = ${programId}`;
  if (!row) throw notFound('program', programId);
  const changes = typeof change === 'function' ? change(row.definition) : change;
  const changed = ProgramInput.safeParse({ ...row.definition, ...changes });
  if (!changed.success) throw validationProblem(changed.error.issues);
  const rules = rulesOf(changed.data);
  const [updated] = await sql`
    UPDATE programs SET definition = ${sql.json(changed.data as unknown as JSONValue)},
                        rules = ${sql.json(rules as unknown as JSONValue)}, updated_at = now()
    WHERE id = ${programId} RETURNING *`;
  return updated!;
}

/** Due dates by evaluation number (1-based) merged into the program's full list, as ScheduleChange wants it. */
export function withDueDates(current: ProgramInput, dueAt: Record<number, string>): { dueAt: string }[] {
  const { evaluations } = current;
  for (const n of Object.keys(dueAt).map(Number)) {
    if (!evaluations[n - 1]) {
      throw new ProblemError(
        422,
        'validation',
        `Program ${current.id} has evaluations 1-${evaluations.length}, not ${n}`,
      );
    }
  }
  return evaluations.map((e, index) => ({ dueAt: dueAt[index + 1] ?? e.dueAt }));
}

export interface ProgramScheduleResult {
  programId: string;
  termEndsAt: string;
  evaluations: { number: number; dueAt: string }[];
  /** Running mentees whose schedule moved. */
  changed: string[];
  /** Running mentees that already had it (a second run lands here). */
  unchanged: string[];
  /** Running mentees whose workflow said no, with its reason (e.g. still in review). */
  refused: { id: string; stage: string; reason: string }[];
  /** Mentees that could not be reached (e.g. Temporal unavailable); running the command again retries them. */
  failed: { id: string; reason: string }[];
}

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
  const program = await changeProgramSchedule(sql, programId, change);
  const rules = program.rules as ProgramRules;
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
