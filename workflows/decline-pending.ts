import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { DeclineOutcome, DeclinePendingResult } from '../domain/bulk.js';
import type { Actor } from '../domain/messages.js';

const { listPendingSelections } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
// a batch of Updates; the heartbeat shows it is alive, a retry finds the declines already made
const { declineApplications } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

const BATCH = 50;

/** "Decline all pending" for a program: every applicant still waiting for a decision is declined, durably. */
export async function declinePendingWorkflow(input: {
  programId: string;
  requestId: string;
  by: Actor;
  reason: string | null;
}): Promise<DeclinePendingResult> {
  const pending = await listPendingSelections.executeWithOptions(
    { summary: `List the applicants of ${input.programId} waiting for a decision` },
    [{ programId: input.programId }],
  );
  const outcomes: DeclineOutcome[] = [];
  for (let i = 0; i < pending.length; i += BATCH) {
    const batch = pending.slice(i, i + BATCH);
    outcomes.push(
      ...(await declineApplications.executeWithOptions(
        { summary: `Decline applicants ${i + 1}-${i + batch.length} of ${pending.length}` },
        [{ applicationIds: batch, by: input.by, reason: input.reason }],
      )),
    );
  }
  const ids = (outcome: DeclineOutcome['outcome']) =>
    outcomes.filter((o) => o.outcome === outcome).map((o) => o.id);
  return {
    programId: input.programId,
    requestId: input.requestId,
    declined: ids('declined'),
    alreadyDeclined: ids('already-declined'),
    refused: outcomes.flatMap((o) => (o.outcome === 'refused' ? [{ id: o.id, reason: o.reason }] : [])),
  };
}
