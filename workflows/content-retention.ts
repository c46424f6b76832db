import { proxyActivities, sleep } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';

const { purgeUnselectedContent } = proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);

/**
 * One per program: sleeps (a durable timer) until the program's retention for applicants who were not selected
 * has passed after its term's end, then deletes their application content. The activity reads the due date
 * again each time, so a program whose schedule moved is purged at its new date.
 */
export async function contentRetentionWorkflow(input: { programId: string }): Promise<{ purged: number }> {
  for (;;) {
    const result = await purgeUnselectedContent.executeWithOptions(
      { summary: 'Purge the content of applicants not selected, once due' },
      // the workflow's clock: time-skipping rehearsals and tests move it
      [{ ...input, now: Date.now() }],
    );
    if (result.state === 'purged') return { purged: result.applications };
    if (result.state === 'gone') return { purged: 0 };
    await sleep(Math.max(1_000, Date.parse(result.dueAt) - Date.now()));
  }
}
