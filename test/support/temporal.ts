import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { startTimeSkipping } from '../../simulator/system.js';
import { TEST_KEYRING } from './keyring.js';

/** The Java time-skipping test server the global setup provisioned, as the simulator starts it (search attributes registered). */
export const startTimeSkippingServer = (): Promise<TestWorkflowEnvironment> =>
  startTimeSkipping(inject('temporalTestServerPath'), TEST_KEYRING);
