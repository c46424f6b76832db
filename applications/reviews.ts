import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import { validationProblem } from '../domain/problems.js';
import type { Program } from '../domain/program.js';

/** What a mentor sees of an application's reviews: their own rating, the others' average and count, their notes. */
export interface ReviewView {
  criteria: { id: string; title: string }[];
  mine: { scores: Record<string, number>; average: number; updatedAt: string } | null;
  others: { average: number | null; count: number };
  notes: { id: number; note: string; createdAt: string }[];
  flag: { reason: string; createdAt: string } | null;
  flags: number;
  rank: number | null;
}

/** Every criterion of the program, each 1-5. */
export function assertScores(program: Program, scores: Record<string, number>): void {
  const issues: { path: string[]; message: string }[] = [];
  for (const criterion of program.ratingCriteria) {
    if (scores[criterion.id] === undefined)
      issues.push({ path: ['scores', criterion.id], message: 'rate it 1-5' });
  }
  const known = new Set(program.ratingCriteria.map((c) => c.id));
  for (const id of Object.keys(scores)) {
    if (!known.has(id))
      issues.push({ path: ['scores', id], message: `the program rates no criterion "${id}"` });
  }
  if (issues.length > 0) throw validationProblem(issues);
}

/** A mentor's rating (a new one replaces theirs), and the application's average and count kept beside it. */
export async function rate(
  sql: Sql,
  applicationId: string,
  mentorId: string,
  scores: Record<string, number>,
) {
  const values = Object.values(scores);
  const average = values.reduce((sum, v) => sum + v, 0) / values.length;
  await sql.begin(async (tx) => {
    await tx`
      INSERT INTO ratings (application_id, mentor_id, scores, average)
      VALUES (${applicationId}, ${mentorId}, ${tx.json(scores as JSONValue)}, ${average})
      ON CONFLICT (application_id, mentor_id) DO UPDATE
        SET scores = EXCLUDED.scores, average = EXCLUDED.average, updated_at = now()`;
    await tx`
      UPDATE applications a SET (rating_average, rating_count) =
        (SELECT avg(r.average), count(*) FROM ratings r WHERE r.application_id = a.id)
      WHERE a.id = ${applicationId}`;
  });
}

export async function addNote(sql: Sql, applicationId: string, authorId: string, note: string) {
  await sql`INSERT INTO review_notes (application_id, author_id, note) VALUES (${applicationId}, ${authorId}, ${note})`;
}

/** A flag with its reason (null takes the caller's flag back). */
export async function setFlag(sql: Sql, applicationId: string, mentorId: string, reason: string | null) {
  await sql.begin(async (tx) => {
    if (reason === null) {
      await tx`DELETE FROM flags WHERE application_id = ${applicationId} AND mentor_id = ${mentorId}`;
    } else {
      await tx`
        INSERT INTO flags (application_id, mentor_id, reason) VALUES (${applicationId}, ${mentorId}, ${reason})
        ON CONFLICT (application_id, mentor_id) DO UPDATE SET reason = EXCLUDED.reason, created_at = now()`;
    }
    await tx`
      UPDATE applications SET flag_count = (SELECT count(*) FROM flags WHERE application_id = ${applicationId})
      WHERE id = ${applicationId}`;
  });
}

export async function reviewView(sql: Sql, program: Program, applicationId: string, viewer: string) {
  const [mine] = await sql<{ scores: Record<string, number>; average: string; updatedAt: Date }[]>`
    SELECT scores, average, updated_at AS "updatedAt" FROM ratings
    WHERE application_id = ${applicationId} AND mentor_id = ${viewer}`;
  const [others] = await sql<{ average: string | null; count: number }[]>`
    SELECT avg(average) AS average, count(*)::int AS count FROM ratings
    WHERE application_id = ${applicationId} AND mentor_id <> ${viewer}`;
  const notes = await sql<{ id: string; note: string; createdAt: Date }[]>`
    SELECT id, note, created_at AS "createdAt" FROM review_notes
    WHERE application_id = ${applicationId} AND author_id = ${viewer} ORDER BY id`;
  const [flag] = await sql<{ reason: string; createdAt: Date }[]>`
    SELECT reason, created_at AS "createdAt" FROM flags WHERE application_id = ${applicationId} AND mentor_id = ${viewer}`;
  const [application] = await sql<{ flags: number; rank: number | null }[]>`
    SELECT flag_count AS flags, rank FROM applications WHERE id = ${applicationId}`;
  return {
    criteria: program.ratingCriteria,
    mine: mine
      ? { scores: mine.scores, average: Number(mine.average), updatedAt: mine.updatedAt.toISOString() }
      : null,
    others: { average: others?.average ? Number(others.average) : null, count: others?.count ?? 0 },
    notes: notes.map((n) => ({ id: Number(n.id), note: n.note, createdAt: n.createdAt.toISOString() })),
    flag: flag ? { reason: flag.reason, createdAt: flag.createdAt.toISOString() } : null,
    flags: application?.flags ?? 0,
    rank: application?.rank ?? null,
  } satisfies ReviewView;
}

/** The admins' order of a program's applications; applications left out have no rank. */
export async function setRanking(sql: Sql, programId: string, applicationIds: string[]) {
  const known = await sql<{ id: string }[]>`
    SELECT id FROM applications WHERE program_id = ${programId} AND id IN ${sql(applicationIds.length ? applicationIds : ['00000000-0000-0000-0000-000000000000'])}`;
  const ids = new Set(known.map((k) => k.id));
  const unknown = applicationIds.map((id, index) => ({ id, index })).filter((a) => !ids.has(a.id));
  if (unknown.length > 0) {
    throw validationProblem(
      unknown.map((u) => ({
        path: ['applicationIds', u.index],
        message: `no application ${u.id} in ${programId}`,
      })),
    );
  }
  await sql.begin(async (tx) => {
    await tx`UPDATE applications SET rank = NULL WHERE program_id = ${programId} AND rank IS NOT NULL`;
    for (const [index, id] of applicationIds.entries()) {
      await tx`UPDATE applications SET rank = ${index + 1} WHERE id = ${id}`;
    }
  });
}

export async function ranked(sql: Sql, programId: string) {
  return sql<{ id: string; rank: number }[]>`
    SELECT id, rank FROM applications WHERE program_id = ${programId} AND rank IS NOT NULL ORDER BY rank`;
}
