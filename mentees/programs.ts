import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import { conflict, invalid, notFound, validationProblem } from '../domain/problems.js';
import {
  type Program,
  ProgramInput,
  type ProgramRules,
  rulesOf,
  type ScheduleChange,
} from '../domain/program.js';
import { checkProgramFitsTerm, termRulesOf } from './terms.js';

/** A program term as stored: what the admin sent (`definition`) and the rules pinned into new mentees. */
export interface StoredProgram {
  id: string;
  name: string;
  term: string;
  definition: Program;
  rules: ProgramRules;
  createdAt: string;
}

interface ProgramRow {
  id: string;
  name: string;
  term: string;
  definition: Program;
  rules: ProgramRules;
  created_at: Date;
}

const stored = (row: ProgramRow): StoredProgram => ({
  id: row.id,
  name: row.name,
  term: row.term,
  definition: row.definition,
  rules: row.rules,
  createdAt: row.created_at.toISOString(),
});

/** Stores a new program term; its id is taken once, and a retry of the request that took it finds it. */
export async function createProgram(sql: Sql, program: Program, requestKey?: string): Promise<StoredProgram> {
  await checkProgramFitsTerm(sql, program);
  const rules = rulesOf(program);
  const [row] = await sql<ProgramRow[]>`
    INSERT INTO programs (id, name, term, admin_email, definition, rules, term_id, request_key)
    VALUES (${program.id}, ${program.name}, ${program.term}, ${program.adminEmail},
            ${sql.json(program as unknown as JSONValue)}, ${sql.json(rules as unknown as JSONValue)},
            ${program.termId ?? null}, ${requestKey ?? null})
    ON CONFLICT (id) DO UPDATE SET id = programs.id
      WHERE programs.request_key IS NOT NULL AND programs.request_key = EXCLUDED.request_key
    RETURNING *`;
  if (!row) throw conflict('program-exists', `A program with id "${program.id}" already exists`);
  return stored(row);
}

export async function findProgram(sql: Sql, programId: string): Promise<StoredProgram> {
  const [row] = await sql<ProgramRow[]>`SELECT * FROM programs WHERE id = ${programId}`;
  if (!row) throw notFound('program', programId);
  return stored(row);
}

/** The programs with these ids (unknown ones are left out), or every program; earliest applications close first. */
export async function findPrograms(sql: Sql, ids: readonly string[] | 'all'): Promise<StoredProgram[]> {
  if (ids !== 'all' && ids.length === 0) return [];
  const rows = await sql<ProgramRow[]>`
    SELECT * FROM programs ${ids === 'all' ? sql`` : sql`WHERE id IN ${sql([...ids])}`}
    ORDER BY rules->>'applicationsCloseAt', id`;
  return rows.map(stored);
}

/** The rules a new applicant pins: the program's, with its term's as they stand now. */
export async function rulesForNewMentee(sql: Sql, program: StoredProgram): Promise<ProgramRules> {
  const termRules = await termRulesOf(sql, {
    id: program.id,
    term: program.term,
    termId: program.definition.termId ?? null,
    slots: program.definition.slots ?? null,
  });
  return { ...program.rules, termRules };
}

/** A change to a program's schedule, or one worked out from its current definition (see `withDueDates`). */
export type ScheduleChangeOf = ScheduleChange | ((current: ProgramInput) => ScheduleChange);

/** Changes a program's schedule for new applicants (running mentees keep theirs until told); same change twice, same program. */
export async function changeProgramSchedule(
  sql: Sql,
  programId: string,
  change: ScheduleChangeOf,
): Promise<StoredProgram> {
  const { definition } = await findProgram(sql, programId);
  const changes = typeof change === 'function' ? change(definition) : change;
  const changed = ProgramInput.safeParse({ ...definition, ...changes });
  if (!changed.success) throw validationProblem(changed.error.issues);
  const rules = rulesOf(changed.data);
  const [updated] = await sql<ProgramRow[]>`
    UPDATE programs SET definition = ${sql.json(changed.data as unknown as JSONValue)},
                        rules = ${sql.json(rules as unknown as JSONValue)}, updated_at = now()
    WHERE id = ${programId} RETURNING *`;
  return stored(updated!);
}

/** Due dates by evaluation number (1-based) merged into the program's full list, as ScheduleChange wants it. */
export function withDueDates(current: ProgramInput, dueAt: Record<number, string>): { dueAt: string }[] {
  const { evaluations } = current;
  for (const n of Object.keys(dueAt).map(Number)) {
    if (!evaluations[n - 1]) {
      throw invalid(`Program ${current.id} has evaluations 1-${evaluations.length}, not ${n}`);
    }
  }
  return evaluations.map((e, index) => ({ dueAt: dueAt[index + 1] ?? e.dueAt }));
}
