import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Email and Postgres outages heal; keep retrying with backoff rather than lose a step. Activities heartbeat
 * every second (activities/index.ts): a worker that dies mid-activity is noticed within the heartbeat timeout
 * and the activity retried on another after 1 s, not after the whole start-to-close timeout.
 */
export const RETRY_UNTIL_HEALED: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 minutes' },
};
