import type { JSONValue, Row } from 'postgres';
import { type ApplicationRow, sendMessage } from '../api/applications.js';
import { notFound, ProblemError, validationProblem } from '../api/problems.js';
import type { Sql } from '../db/index.js';
import { type Actor, adoptProgramScheduleUpdate } from '../domain/messages.js';
import { ProgramInput, type ProgramRules, rulesOf, type ScheduleChange } from '../domain/program.js';
import { FINAL_STAGES } from '../domain/stages.js';
import type { OpsDeps } from './deps.js';

/** Changes a program's schedule for new applicants (running mentees keep theirs until told); same change twice, same program. */
export async function changeProgramSchedule(
  sql: Sql,
  programId: string,
  change: ScheduleChange,
): Promise<Row> {
  const [row] = await sql`SELECT definition FROM programs WHERE id = ${programId}`;
  if (!row) throw notFound('program', programId);
  const changed = ProgramInput.safeParse({ ...row.definition, ...change });
  if (!changed.success) throw validationProblem(changed.error.issues);
  const rules = rulesOf(changed.data);
  const [updated] = await sql`
    UPDATE programs SET definition = ${sql.json(changed.data as unknown as JSONValue)},
                        rules = ${sql.json(rules as unknown as JSONValue)}, updated_at = now()
    WHERE id = ${programId} RETURNING *`;
  return updated!;
}

/** Due dates by evaluation number (1-based) merged into the program's full list, as ScheduleChange wants it. */
export async function evaluationDates(
  sql: Sql,
  programId: string,
  dueAt: Record<number, string>,
): Promise<{ dueAt: string }[]> {
  const [row] = await sql<{ definition: { evaluations: { dueAt: string }[] } }[]>`
    SELECT definition FROM programs WHERE id = ${programId}`;
  if (!row) throw notFound('program', programId);
  const evaluations = row.definition.evaluations;
  for (const n of Object.keys(dueAt).map(Number)) {
    if (!evaluations[n - 1]) {
      throw new ProblemError(
        422,
        'validation',
        `Program ${programId} has evaluations 1-${evaluations.length}, not ${n}`,
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
  change: ScheduleChange,
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
  const queue = [...running];
  const adoptNext = async (): Promise<void> => {
    for (let mentee = queue.shift(); mentee; mentee = queue.shift()) {
      try {
        const { duplicate } = await sendMessage(temporal, mentee, adoptProgramScheduleUpdate, { by, rules });
        (duplicate ? result.unchanged : result.changed).push(mentee.id);
      } catch (error) {
        if (error instanceof ProblemError && error.status < 500) {
          result.refused.push({ id: mentee.id, stage: mentee.stage, reason: error.message });
        } else {
          result.failed.push({
            id: mentee.id,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, running.length) }, adoptNext));
  // reported in the read model's order, whatever order the answers came in
  const order = new Map(running.map((r, i) => [r.id, i]));
  const byOrder = (a: string, b: string) => order.get(a)! - order.get(b)!;
  result.changed.sort(byOrder);
  result.unchanged.sort(byOrder);
  result.refused.sort((a, b) => byOrder(a.id, b.id));
  result.failed.sort((a, b) => byOrder(a.id, b.id));
  return result;
}
