import { z } from 'zod';
import { readTerm } from '../db/read-model.js';
import { checkRequestId } from '../domain/ids.js';
import { type Actor, extendTermUpdate, terminateUpdate } from '../domain/messages.js';
import { invalid } from '../domain/problems.js';
import { findApplication, sendEnding, sendMessage } from '../mentees/client.js';
import { type ApplicationRef, applicationOf, derivedRequestId, type OpsDeps } from './deps.js';

export const ExtendResult = z.object({
  applicationId: z.string(),
  duplicate: z.boolean(),
  requestId: z.string(),
  extensionDays: z.int(),
  termEndsAt: z.string(),
});
export type ExtendResult = z.infer<typeof ExtendResult>;

export const TerminateResult = z.object({
  applicationId: z.string(),
  duplicate: z.boolean(),
  stage: z.string(),
});
export type TerminateResult = z.infer<typeof TerminateResult>;

/**
 * Extends one mentee's term. Run twice with the same days and reason (or the same request id), it extends
 * once; a second, different extension needs another reason or request id.
 */
export async function extend(
  { sql, temporal }: OpsDeps,
  ref: ApplicationRef,
  request: { days: number; reason: string; requestId?: string | undefined },
  by: Actor,
): Promise<ExtendResult> {
  const { days, reason } = request;
  if (!Number.isInteger(days) || days < 1 || days > 180) {
    throw invalid(`days must be a whole number from 1 to 180 (got ${days})`);
  }
  if (!reason.trim()) throw invalid('An extension needs a reason');
  const requestId = checkRequestId(request.requestId ?? `extend-${derivedRequestId(days, reason)}`);
  const application = await applicationOf(sql, ref);
  const { duplicate } = await sendMessage(temporal, application, extendTermUpdate, {
    by,
    days,
    reason,
    requestId,
  });
  return { applicationId: application.id, duplicate, requestId, ...(await readTerm(sql, application.id)) };
}

/** Ends one mentee's participation; terminating a mentee that is already terminated is a harmless repeat. */
export async function terminate(
  deps: OpsDeps,
  ref: ApplicationRef,
  reason: string,
  by: Actor,
): Promise<TerminateResult> {
  if (!reason.trim()) throw invalid('A termination needs a reason');
  const application = await applicationOf(deps.sql, ref);
  const { duplicate } = await sendEnding(deps, application, terminateUpdate, { by, reason }, 'terminated');
  return {
    applicationId: application.id,
    duplicate,
    stage: (await findApplication(deps.sql, application.id)).stage,
  };
}
