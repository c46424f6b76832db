import type { Sql } from '../db/index.js';
import { menteeWorkflowId } from '../domain/ids.js';
import { FINAL_STAGES } from '../domain/stages.js';
import type { Term } from '../domain/term.js';

/** The answer to "may this program take this applicant?"; a refusal names the rule, the numbers and who holds. */
export type AcceptanceClaim =
  | { granted: true }
  | {
      granted: false;
      rule: 'maxAcceptances' | 'slots' | 'menteesPerMentor';
      detail: string;
      limit: number;
      /** With maxAcceptances: the application that holds the acceptance (to tell its program). */
      holder: { applicationId: string; workflowId: string; programId: string } | null;
    };

interface Applicant {
  programId: string;
  programName: string;
  menteeId: string;
  termId: string | null;
  term: Term | null;
  programSlots: number | null;
}

/**
 * Takes a seat for a selected applicant: one acceptance per person at a time in the term, the program's slots
 * and the mentor's limit across the term. Every claim of a term (or of a program without one) runs under a lock
 * on its row, so concurrent selections from any number of workers are decided one after the other. A repeated
 * claim for the same application is granted again (the activity may be retried).
 */
export async function claimAcceptance(
  sql: Sql,
  { applicationId, mentorId }: { applicationId: string; mentorId: string },
): Promise<AcceptanceClaim> {
  return sql.begin(async (txn) => {
    const tx = txn as unknown as Sql;
    const applicant = await applicantOf(tx, applicationId);
    if (applicant.termId) await tx`SELECT 1 FROM terms WHERE id = ${applicant.termId} FOR UPDATE`;
    else await tx`SELECT 1 FROM programs WHERE id = ${applicant.programId} FOR UPDATE`;

    const [mine] = await tx<{ held: boolean }[]>`
      SELECT released_at IS NULL AS held FROM acceptances WHERE application_id = ${applicationId}`;
    if (mine?.held) return { granted: true } as const;

    const { term } = applicant;
    if (term) {
      const holders = await tx<{ applicationId: string; programId: string }[]>`
        SELECT application_id AS "applicationId", program_id AS "programId" FROM acceptances
        WHERE term_id = ${term.id} AND mentee_id = ${applicant.menteeId} AND released_at IS NULL
        ORDER BY claimed_at`;
      if (holders.length >= term.maxAcceptances) {
        const holder = holders[0]!;
        return {
          granted: false,
          rule: 'maxAcceptances',
          limit: term.maxAcceptances,
          detail: `${applicant.menteeId} is already accepted into program ${holder.programId} of ${term.name}; the term allows ${term.maxAcceptances} acceptance${term.maxAcceptances === 1 ? '' : 's'} at a time`,
          holder: { ...holder, workflowId: menteeWorkflowId(holder.applicationId) },
        } as const;
      }
    }
    const slots = applicant.programSlots ?? term?.slotsPerProgram ?? null;
    if (slots !== null) {
      const taken = await count(tx`
        SELECT count(*)::int AS n FROM acceptances WHERE program_id = ${applicant.programId} AND released_at IS NULL`);
      if (taken >= slots) {
        return {
          granted: false,
          rule: 'slots',
          limit: slots,
          detail: `Program ${applicant.programId} has ${taken} of ${slots} slots taken; a slot frees up when an accepted mentee leaves before the term starts`,
          holder: null,
        } as const;
      }
    }
    if (term?.menteesPerMentor) {
      const mentees = await count(tx`
        SELECT count(*)::int AS n FROM acceptances
        WHERE term_id = ${term.id} AND mentor_id = ${mentorId} AND released_at IS NULL`);
      if (mentees >= term.menteesPerMentor) {
        return {
          granted: false,
          rule: 'menteesPerMentor',
          limit: term.menteesPerMentor,
          detail: `Mentor ${mentorId} already mentors ${mentees} of ${term.menteesPerMentor} mentees in ${term.name}`,
          holder: null,
        } as const;
      }
    }
    await tx`
      INSERT INTO acceptances (application_id, term_id, program_id, mentee_id, mentor_id)
      VALUES (${applicationId}, ${applicant.termId}, ${applicant.programId}, ${applicant.menteeId}, ${mentorId})
      ON CONFLICT (application_id) DO UPDATE
        SET mentor_id = EXCLUDED.mentor_id, claimed_at = now(), released_at = NULL, release_reason = NULL`;
    return { granted: true } as const;
  });
}

/** Gives the seat back when the acceptance ends before the term starts; a repeat changes nothing. */
export async function releaseAcceptance(
  sql: Sql,
  { applicationId, reason }: { applicationId: string; reason: string },
): Promise<{ released: boolean }> {
  const rows = await sql`
    UPDATE acceptances SET released_at = now(), release_reason = ${reason}
    WHERE application_id = ${applicationId} AND released_at IS NULL RETURNING 1`;
  return { released: rows.length > 0 };
}

/** The applicant's other open applications in the term, which end when they complete onboarding here. */
export async function otherOpenApplications(
  sql: Sql,
  { applicationId }: { applicationId: string },
): Promise<{
  programName: string;
  others: { applicationId: string; workflowId: string; programId: string }[];
}> {
  const applicant = await applicantOf(sql, applicationId);
  if (!applicant.termId) return { programName: applicant.programName, others: [] };
  const rows = await sql<{ applicationId: string; workflowId: string; programId: string; stage: string }[]>`
    SELECT a.id AS "applicationId", a.workflow_id AS "workflowId", a.program_id AS "programId", a.stage
    FROM applications a JOIN programs p ON p.id = a.program_id
    WHERE p.term_id = ${applicant.termId} AND a.mentee_id = ${applicant.menteeId} AND a.id <> ${applicationId}
    ORDER BY a.created_at, a.id`;
  return {
    programName: applicant.programName,
    others: rows.filter((r) => !FINAL_STAGES.has(r.stage as never)).map(({ stage: _stage, ...r }) => r),
  };
}

const count = async (query: PromiseLike<readonly { n?: number }[]>) => (await query)[0]?.n ?? 0;

async function applicantOf(sql: Sql, applicationId: string): Promise<Applicant> {
  const [row] = await sql<Applicant[]>`
    SELECT a.program_id AS "programId", p.name AS "programName", a.mentee_id AS "menteeId", p.term_id AS "termId",
           t.definition AS term, (p.definition->>'slots')::int AS "programSlots"
    FROM applications a JOIN programs p ON p.id = a.program_id LEFT JOIN terms t ON t.id = p.term_id
    WHERE a.id = ${applicationId}`;
  if (!row) throw new Error(`Application ${applicationId} not found`);
  return row;
}
