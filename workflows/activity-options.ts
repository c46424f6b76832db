import type { ActivityOptions } from '@temporalio/workflow';

/** Email and Postgres outages heal; keep retrying with backoff rather than lose a step. */
export const RETRY_UNTIL_HEALED: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
};
