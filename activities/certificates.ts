import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/index.js';

export interface LetterRequest {
  applicationId: string;
  issuedAt: string;
  termStartsAt: string;
  termEndsAt: string;
}

/**
 * Renders and stores the mentee's Letter of Completion once; a retry returns the stored letter's code.
 * The PDF stays in Postgres: only the verification code travels through workflow history.
 */
export async function issueLetterOfCompletion(
  { sql, publicBaseUrl }: { sql: Sql; publicBaseUrl: string },
  request: LetterRequest,
): Promise<{ verificationCode: string }> {
  const [existing] = await sql<{ code: string }[]>`
    SELECT verification_code AS code FROM certificates WHERE application_id = ${request.applicationId}`;
  if (existing) return { verificationCode: existing.code };

  const [row] = await sql<
    { menteeName: string; mentorName: string; programName: string; term: string; projectTitle: string }[]
  >`
    SELECT m.name AS "menteeName", t.name AS "mentorName", p.name AS "programName", p.term, a.project_title AS "projectTitle"
    FROM applications a
      JOIN mentees m ON m.id = a.mentee_id
      JOIN programs p ON p.id = a.program_id
      JOIN mentors t ON t.id = a.mentor_id
    WHERE a.id = ${request.applicationId}`;
  if (!row) {
    throw ApplicationFailure.nonRetryable(
      `Application ${request.applicationId} has no mentor or is unknown`,
      'ApplicationNotFound',
    );
  }
  // react-pdf and the fonts load on the first letter, not with every worker start
  const { newVerificationCode, renderLetterOfCompletion, UnsupportedCharactersError } = await import(
    '../certificates/render.js'
  );
  const verificationCode = newVerificationCode();
  const letter = {
    verificationCode,
    ...row,
    termStartsAt: request.termStartsAt,
    termEndsAt: request.termEndsAt,
    issuedAt: request.issuedAt,
    verifyBaseUrl: publicBaseUrl,
  };
  const pdf = await renderLetterOfCompletion(letter).catch((error: unknown) => {
    // A name in a script the letter's fonts lack will not print on a retry either; ops must correct it.
    if (error instanceof UnsupportedCharactersError || error instanceof RangeError) {
      throw ApplicationFailure.nonRetryable(error.message, 'LetterCannotBeRendered');
    }
    throw error;
  });
  const [stored] = await sql<{ code: string }[]>`
    INSERT INTO certificates (verification_code, application_id, mentee_name, program_name, term, project_title, mentor_name,
                              term_starts_at, term_ends_at, issued_at, pdf)
    VALUES (${verificationCode}, ${request.applicationId}, ${row.menteeName}, ${row.programName}, ${row.term}, ${row.projectTitle},
            ${row.mentorName}, ${request.termStartsAt}, ${request.termEndsAt}, ${request.issuedAt}, ${pdf})
    ON CONFLICT (application_id) DO UPDATE SET application_id = EXCLUDED.application_id
    RETURNING verification_code AS code`;
  return { verificationCode: stored!.code };
}
