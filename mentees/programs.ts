import type { Client } from '@temporalio/client';
import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import { contentRetentionWorkflowId } from '../domain/ids.js';
import { conflict, invalid, notFound, validationProblem } from '../domain/problems.js';
import {
  DEFAULT_RATING_CRITERIA,
  type Program,
  ProgramInput,
  type ProgramRules,
  rulesOf,
  type ScheduleChange,
} from '../domain/program.js';
import type { contentRetentionWorkflow } from '../workflows/content-retention.js';
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

/** Programs stored before applications had content read as having none. */
const BEFORE_APPLICATION_FORMS = {
  description: '',
  skills: [],
  projects: [],
  projectsPerApplication: 1,
  questions: [],
  proposal: 'none',
  ratingCriteria: DEFAULT_RATING_CRITERIA,
} as const satisfies Partial<Program>;

const stored = (row: ProgramRow): StoredProgram => ({
  id: row.id,
  name: row.name,
  term: row.term,
  definition: {
    ...BEFORE_APPLICATION_FORMS,
    ...row.definition,
    prerequisites: row.definition.prerequisites.map((t: Partial<Program['prerequisites'][number]>) => ({
      id: t.id!,
      title: t.title!,
      kind: t.kind ?? 'confirmation',
      review: t.review ?? false,
    })),
  },
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

export type ProgramStatus = 'upcoming' | 'open' | 'closed';

/** What the home page filters programs by; every given condition holds. */
export interface ProgramFilters {
  status?: ProgramStatus[] | undefined;
  termId?: string | undefined;
  organization?: string | undefined;
  skill?: string | undefined;
  text?: string | undefined;
}

/** Programs by when their applications close (soonest first), keyset-paged on that and the id. */
export async function listPrograms(
  sql: Sql,
  filters: ProgramFilters,
  page: { limit: number; afterId: string | null },
  now: Date,
) {
  const closes = sql`(p.rules->>'applicationsCloseAt')::timestamptz`;
  const opens = sql`coalesce((p.definition->>'applicationsOpenAt')::timestamptz, p.created_at)`;
  const status = sql`CASE WHEN ${now} < ${opens} THEN 'upcoming' WHEN ${now} < ${closes} THEN 'open' ELSE 'closed' END`;
  const like = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  const rows = await sql<
    (ProgramRow & { status: ProgramStatus; organization: string | null; opensAt: Date })[]
  >`
    SELECT p.*, ${status} AS status, t.organization, ${opens} AS "opensAt"
    FROM programs p LEFT JOIN terms t ON t.id = p.term_id
    WHERE true
      ${filters.status ? sql`AND ${status} IN ${sql(filters.status)}` : sql``}
      ${filters.termId ? sql`AND p.term_id = ${filters.termId}` : sql``}
      ${filters.organization ? sql`AND lower(t.organization) = lower(${filters.organization})` : sql``}
      ${
        filters.skill
          ? sql`AND (EXISTS (SELECT 1 FROM jsonb_array_elements_text(p.definition->'skills') s WHERE lower(s) = lower(${filters.skill}))
                 OR EXISTS (SELECT 1 FROM jsonb_array_elements(p.definition->'projects') pr,
                                          jsonb_array_elements_text(pr->'skills') s WHERE lower(s) = lower(${filters.skill})))`
          : sql``
      }
      ${
        filters.text
          ? sql`AND (p.name ILIKE ${like(filters.text)} OR p.term ILIKE ${like(filters.text)}
                 OR p.definition->>'description' ILIKE ${like(filters.text)}
                 OR EXISTS (SELECT 1 FROM jsonb_array_elements(p.definition->'projects') pr
                            WHERE pr->>'title' ILIKE ${like(filters.text)} OR pr->>'description' ILIKE ${like(filters.text)}))`
          : sql``
      }
      ${page.afterId ? sql`AND (${closes}, p.id) > (SELECT (rules->>'applicationsCloseAt')::timestamptz, id FROM programs WHERE id = ${page.afterId})` : sql``}
    ORDER BY ${closes}, p.id
    LIMIT ${page.limit + 1}`;
  return rows.map((row) => ({
    ...stored(row),
    status: row.status,
    organization: row.organization,
    applicationsOpenAt: row.opensAt.toISOString(),
  }));
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

/**
 * Starts the program's retention timer (workflows/content-retention.ts), once: a retried creation finds it running.
 */
export async function startContentRetention(
  temporal: Client,
  taskQueue: string,
  programId: string,
): Promise<void> {
  await temporal.workflow.start<typeof contentRetentionWorkflow>('contentRetentionWorkflow', {
    taskQueue,
    workflowId: contentRetentionWorkflowId(programId),
    args: [{ programId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    staticSummary: `Remove the content of applicants not selected in ${programId} once its retention has passed`,
  });
}
