/**
 * "The next build" of the workflows for test/worker-rollout.test.ts: the mentee workflow with one change that
 * alters its history (a memo recording the build), guarded by `patched` as every such change must be. A mentee
 * that started on the previous build replays without it; one that starts here records the marker and the memo,
 * which the previous build's workers could not replay: the deployment's routing keeps it away from them.
 */
import { patched, upsertMemo } from '@temporalio/workflow';
import { menteeWorkflow as previousBuild } from '../../../workflows/mentee.js';

export {
  contentRetentionWorkflow,
  declinePendingWorkflow,
  erasureWorkflow,
  noticeEmailWorkflow,
  resendEmailWorkflow,
} from '../../../workflows/index.js';

export const ROLLOUT_PATCH = 'rollout-test-build-memo';

export async function menteeWorkflow(
  ...args: Parameters<typeof previousBuild>
): ReturnType<typeof previousBuild> {
  if (patched(ROLLOUT_PATCH)) upsertMemo({ startedOnBuild: 'v2' });
  return previousBuild(...args);
}
