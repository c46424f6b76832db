import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import { conflict, notFound, validationProblem } from '../domain/problems.js';
import { FINAL_STAGES } from '../domain/stages.js';
import { type PinnedTermRules, type Term, type TermChange, TermInput } from '../domain/term.js';

/** A term as stored, with the programs that belong to it. */
export interface StoredTerm extends Term {
  programs: string[];
  createdAt: string;
  updatedAt: string;
}

interface TermRow {
  definition: Term;
  created_at: Date;
  updated_at: Date;
  programs: string[] | null;
}

const stored = (row: TermRow): StoredTerm => ({
  ...row.definition,
  programs: row.programs ?? [],
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const OPEN_STAGES = (sql: Sql) => sql`stage <> ALL(${[...FINAL_STAGES]})`;

/** Stores a new term; its id is taken once, and a retry of the request that took it finds it. */
export async function createTerm(sql: Sql, term: Term, requestKey?: string): Promise<StoredTerm> {
  const [row] = await sql<TermRow[]>`
    INSERT INTO terms (id, organization, name, definition, request_key)
    VALUES (${term.id}, ${term.organization}, ${term.name}, ${sql.json(term as unknown as JSONValue)}, ${requestKey ?? null})
    ON CONFLICT (id) DO UPDATE SET id = terms.id
      WHERE terms.request_key IS NOT NULL AND terms.request_key = EXCLUDED.request_key
    RETURNING definition, created_at, updated_at,
      (SELECT coalesce(array_agg(p.id ORDER BY p.id), ARRAY[]::text[]) FROM programs p WHERE p.term_id = terms.id) AS programs`;
  if (!row) throw conflict('term-exists', `A term with id "${term.id}" already exists`);
  return stored(row);
}

export async function findTerm(sql: Sql, termId: string): Promise<StoredTerm> {
  const [row] = await sql<TermRow[]>`
    SELECT t.definition, t.created_at, t.updated_at,
           (SELECT array_agg(p.id ORDER BY p.id) FROM programs p WHERE p.term_id = t.id) AS programs
    FROM terms t WHERE t.id = ${termId}`;
  if (!row) throw notFound('term', termId);
  return stored(row);
}

/**
 * Changes a term's rules. A limit may not fall below what its programs already hold (open applications,
 * acceptances, slots, a mentor's mentees), and the announcement must come before every program starts.
 */
export async function changeTerm(sql: Sql, termId: string, change: TermChange): Promise<StoredTerm> {
  return sql
    .begin(async (tx) => {
      const [locked] = await tx<
        { definition: Term }[]
      >`SELECT definition FROM terms WHERE id = ${termId} FOR UPDATE`;
      if (!locked) throw notFound('term', termId);
      const parsed = TermInput.safeParse({ ...locked.definition, ...change });
      if (!parsed.success) throw validationProblem(parsed.error.issues);
      const next = parsed.data;
      await checkTermAgainstPrograms(tx as unknown as Sql, next);
      await tx`UPDATE terms SET name = ${next.name}, definition = ${tx.json(next as unknown as JSONValue)}, updated_at = now()
             WHERE id = ${termId}`;
      return next;
    })
    .then(() => findTerm(sql, termId));
}

/** What the term's programs already hold must fit the (changed) rules. */
async function checkTermAgainstPrograms(sql: Sql, term: Term): Promise<void> {
  const issues: { path: string[]; message: string }[] = [];
  const [open] = await sql<{ menteeId: string; count: number }[]>`
    SELECT a.mentee_id AS "menteeId", count(*)::int AS count
    FROM applications a JOIN programs p ON p.id = a.program_id
    WHERE p.term_id = ${term.id} AND ${OPEN_STAGES(sql)}
    GROUP BY a.mentee_id ORDER BY count DESC LIMIT 1`;
  if (open && open.count > term.maxOpenApplications) {
    issues.push({
      path: ['maxOpenApplications'],
      message: `${open.menteeId} already has ${open.count} open applications in the term; the limit cannot be below that`,
    });
  }
  const held = (column: 'mentee_id' | 'mentor_id' | 'program_id') => sql<{ who: string; count: number }[]>`
    SELECT ${sql(column)} AS who, count(*)::int AS count FROM acceptances
    WHERE term_id = ${term.id} AND released_at IS NULL
    GROUP BY ${sql(column)} ORDER BY count DESC LIMIT 1`;
  const [byMentee] = await held('mentee_id');
  if (byMentee && byMentee.count > term.maxAcceptances) {
    issues.push({
      path: ['maxAcceptances'],
      message: `${byMentee.who} is already accepted into ${byMentee.count} programs of the term`,
    });
  }
  const [byMentor] = await held('mentor_id');
  if (byMentor && term.menteesPerMentor !== null && byMentor.count > term.menteesPerMentor) {
    issues.push({
      path: ['menteesPerMentor'],
      message: `mentor ${byMentor.who} already has ${byMentor.count} mentees in the term`,
    });
  }
  const programs = await sql<{ id: string; termStartsAt: string; slots: number | null; held: number }[]>`
    SELECT p.id, p.rules->>'termStartsAt' AS "termStartsAt", (p.definition->>'slots')::int AS slots,
           (SELECT count(*)::int FROM acceptances x WHERE x.program_id = p.id AND x.released_at IS NULL) AS held
    FROM programs p WHERE p.term_id = ${term.id} ORDER BY p.id`;
  for (const p of programs) {
    if (term.announcementAt && Date.parse(term.announcementAt) >= Date.parse(p.termStartsAt)) {
      issues.push({
        path: ['announcementAt'],
        message: `the announcement must come before program ${p.id} starts (${p.termStartsAt})`,
      });
    }
    const slots = p.slots ?? term.slotsPerProgram;
    if (slots !== null && p.held > slots) {
      issues.push({
        path: ['slotsPerProgram'],
        message: `program ${p.id} has already selected ${p.held} mentees`,
      });
    }
  }
  if (issues.length > 0) throw validationProblem(issues);
}

/** The term rules a new mentee of the program pins, read when they apply; a program without a term has its own. */
export async function termRulesOf(
  sql: Sql,
  program: { id: string; term: string; termId: string | null; slots: number | null },
): Promise<PinnedTermRules> {
  if (program.termId === null) {
    return {
      termId: null,
      organization: '',
      name: program.term,
      maxOpenApplications: 1,
      maxAcceptances: 1,
      oncePerPerson: false,
      announcementAt: null,
      onboardingDaysAfterAnnouncement: 5,
      slots: program.slots,
      menteesPerMentor: null,
    };
  }
  const term = await findTerm(sql, program.termId);
  return {
    termId: term.id,
    organization: term.organization,
    name: term.name,
    maxOpenApplications: term.maxOpenApplications,
    maxAcceptances: term.maxAcceptances,
    oncePerPerson: term.oncePerPerson,
    announcementAt: term.announcementAt,
    onboardingDaysAfterAnnouncement: term.onboardingDaysAfterAnnouncement,
    slots: program.slots ?? term.slotsPerProgram,
    menteesPerMentor: term.menteesPerMentor,
  };
}

/** A program joins a term when it is created: the term must exist and announce before the program starts. */
export async function checkProgramFitsTerm(
  sql: Sql,
  program: { termId?: string | undefined; termStartsAt: string },
): Promise<void> {
  if (program.termId === undefined) return;
  const [row] = await sql<{ definition: Term }[]>`SELECT definition FROM terms WHERE id = ${program.termId}`;
  if (!row) {
    throw validationProblem([
      { path: ['termId'], message: `no term with id "${program.termId}"; create it first` },
    ]);
  }
  const { announcementAt } = row.definition;
  if (announcementAt && Date.parse(announcementAt) >= Date.parse(program.termStartsAt)) {
    throw validationProblem([
      {
        path: ['termStartsAt'],
        message: `the term announces results at ${announcementAt}, which must come before the program starts`,
      },
    ]);
  }
}
