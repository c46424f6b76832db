import { findApplication, sendMessage } from '../api/applications.js';
import { ProblemError } from '../api/problems.js';
import { type Actor, extendTermUpdate, terminateUpdate } from '../domain/messages.js';
import { checkRequestId, derivedRequestId, type OpsDeps } from './deps.js';

export interface ExtendResult {
  applicationId: string;
  duplicate: boolean;
  requestId: string;
  extensionDays: number;
  termEndsAt: string;
}

/**
 * Extends one mentee's term. Run twice with the same days and reason (or the same request id), it extends
 * once; a second, different extension needs another reason or request id.
 */
export async function extend(
  { sql, temporal }: OpsDeps,
  applicationId: string,
  request: { days: number; reason: string; requestId?: string | undefined },
  by: Actor,
): Promise<ExtendResult> {
  const { days, reason } = request;
  if (!Number.isInteger(days) || days < 1 || days > 180) {
    throw new ProblemError(422, 'validation', `days must be a whole number from 1 to 180 (got ${days})`);
  }
  if (!reason.trim()) throw new ProblemError(422, 'validation', 'An extension needs a reason');
  const requestId = checkRequestId(request.requestId ?? `extend-${derivedRequestId(days, reason)}`);
  const application = await findApplication(sql, applicationId);
  const { duplicate } = await sendMessage(temporal, application, extendTermUpdate, {
    by,
    days,
    reason,
    requestId,
  });
  const [row] = await sql<{ extensionDays: number; termEndsAt: string }[]>`
    SELECT (status->>'extensionDays')::int AS "extensionDays", status->>'termEndsAt' AS "termEndsAt"
    FROM applications WHERE id = ${application.id}`;
  return { applicationId: application.id, duplicate, requestId, ...row! };
}

/** Ends one mentee's participation; terminating a mentee that is already terminated is a harmless repeat. */
export async function terminate(
  { sql, temporal }: OpsDeps,
  applicationId: string,
  reason: string,
  by: Actor,
): Promise<{ applicationId: string; duplicate: boolean; stage: string }> {
  if (!reason.trim()) throw new ProblemError(422, 'validation', 'A termination needs a reason');
  const application = await findApplication(sql, applicationId);
  let duplicate: boolean;
  try {
    ({ duplicate } = await sendMessage(temporal, application, terminateUpdate, { by, reason }));
  } catch (error) {
    // the workflow has ended since: if it ended terminated, this request has nothing left to do
    if (!(error instanceof ProblemError && error.kind === 'application-closed')) throw error;
    const stage = await stageOf(sql, application.id);
    if (stage !== 'terminated') {
      throw new ProblemError(
        409,
        'application-closed',
        `Application ${application.id} has already ended (${stage})`,
      );
    }
    duplicate = true;
  }
  return { applicationId: application.id, duplicate, stage: await stageOf(sql, application.id) };
}

async function stageOf(sql: OpsDeps['sql'], applicationId: string): Promise<string> {
  const [row] = await sql<{ stage: string }[]>`SELECT stage FROM applications WHERE id = ${applicationId}`;
  return row!.stage;
}
