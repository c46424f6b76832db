import { mintToken, type Principal } from '../../api/auth.js';
import { DEVELOPMENT_JWT_SECRET } from '../../config/index.js';
import type { Sql } from '../../db/index.js';

export const TEST_AUTH = {
  issuer: 'mentorship-dev',
  audience: 'mentorship-api',
  secret: DEVELOPMENT_JWT_SECRET,
} as const;

/** Headers that authenticate a request as `who`, as the frontend sends them. */
export async function bearer(
  who: Omit<Principal, 'programs'> & { programs?: string[] },
): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await mintToken(who, TEST_AUTH)}` };
}

/**
 * The user who would naturally send this request from the frontend: the applicant applies, withdraws and
 * answers the survey, the mentee's mentor evaluates, ops does the rest. Tests about permissions pass their own
 * `authorization` header instead (an empty one sends none).
 */
export async function naturalCaller(
  sql: Sql,
  method: string,
  path: string,
  body: unknown,
): Promise<Parameters<typeof bearer>[0]> {
  const ops = { userId: 'ops-test', role: 'ops' } as const;
  const fields = (body ?? {}) as { mentee?: { id?: string }; mentorId?: string };
  if (method === 'POST' && /^\/programs\/[^/]+\/applications$/.test(path)) {
    return { userId: fields.mentee?.id ?? 'mentee-test', role: 'mentee' };
  }
  const [, applicationId, action] = path.match(/^\/applications\/([0-9a-f-]{36})\/([a-z-]+)/) ?? [];
  if (!applicationId || method !== 'POST') return ops;
  const [row] = await sql<{ menteeId: string; mentorId: string | null }[]>`
    SELECT mentee_id AS "menteeId", mentor_id AS "mentorId" FROM applications WHERE id = ${applicationId}`;
  if (!row) return ops;
  if (action === 'feedback-survey' || action === 'withdraw') return { userId: row.menteeId, role: 'mentee' };
  if (action === 'evaluations')
    return { userId: fields.mentorId ?? row.mentorId ?? 'no-mentor', role: 'mentor' };
  return ops;
}
