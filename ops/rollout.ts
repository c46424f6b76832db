import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';

export interface PromoteBuildResult {
  deploymentName: string;
  buildId: string;
  /** The build that was current before, if any. */
  previousBuildId: string | null;
}

/**
 * Makes `buildId` the current version of the worker deployment: new mentees start on it, and running ones move to
 * it at their next step (AUTO_UPGRADE). The server accepts a version only once its workers poll every task queue
 * the current one polled, so this asks again until they do or `waitMs` runs out. Promoting the current build is a
 * no-op.
 */
export async function promoteBuild(
  temporal: Client,
  deploymentName: string,
  buildId: string,
  { waitMs = 60_000, identity = 'ops' }: { waitMs?: number; identity?: string } = {},
): Promise<PromoteBuildResult> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const response = await temporal.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: temporal.options.namespace,
        deploymentName,
        buildId,
        identity,
      });
      return {
        deploymentName,
        buildId,
        previousBuildId: response.previousDeploymentVersion?.buildId || null,
      };
    } catch (error) {
      // the build's workers have not polled yet (not found, or missing task queues): they are starting
      if (Date.now() > deadline) {
        throw new Error(
          `Build ${buildId} of deployment ${deploymentName} could not be made current within ${waitMs / 1000} s (are its workers running with WORKER_BUILD_ID=${buildId}?): ${(error as Error).message}`,
        );
      }
      await sleep(500);
    }
  }
}
