import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';

const { withdrawUndecidedApplications, eraseStep } = proxyActivities<activities.Activities>({
  ...RETRY_UNTIL_HEALED,
  // withdrawing waits for each application's workflow to end
  startToCloseTimeout: '10 minutes',
});

export interface ErasureInput {
  personId: string;
}

/** The steps in order; each is idempotent and audited (erasure_steps) with counts only. */
export const ERASURE_STEPS = ['files', 'rows', 'key', 'finished'] as const;

/**
 * One person's erasure, durable: a crash halfway finishes the job on another worker. Its id is a digest of the
 * person's id (domain/ids.ts), so asking twice is one erasure. Undecided applications are withdrawn first; a
 * running mentorship or money owed fails it (the API refuses those before starting it).
 */
export async function erasureWorkflow(input: ErasureInput): Promise<{ steps: string[] }> {
  await withdrawUndecidedApplications.executeWithOptions({ summary: 'Withdraw undecided applications' }, [
    input,
  ]);
  for (const step of ERASURE_STEPS) {
    await eraseStep.executeWithOptions({ summary: `Erase: ${step}` }, [{ ...input, step }]);
  }
  return { steps: ['withdraw', ...ERASURE_STEPS] };
}
