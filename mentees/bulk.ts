import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { type DeclinePendingResult, declinePendingWorkflowId } from '../domain/bulk.js';
import type { Actor } from '../domain/messages.js';
import { notFound } from '../domain/problems.js';
import type { declinePendingWorkflow } from '../workflows/index.js';
import type { MenteeClientDeps } from './client.js';

export type BulkRun<R> = { state: 'done'; result: R } | { state: 'running'; workflowId: string };

/**
 * Starts "decline all pending" for a program as a workflow (it survives the API and the worker restarting) and
 * waits a while for its report. The same request id is the same run: repeating it returns that run's report.
 */
export async function declinePending(
  { temporal, taskQueue }: Pick<MenteeClientDeps, 'temporal' | 'taskQueue'>,
  request: { programId: string; requestId: string; reason: string | null; by: Actor },
  { waitMs = 30_000 }: { waitMs?: number } = {},
): Promise<BulkRun<DeclinePendingResult>> {
  const workflowId = declinePendingWorkflowId(request.programId, request.requestId);
  try {
    await temporal.workflow.start<typeof declinePendingWorkflow>('declinePendingWorkflow', {
      taskQueue,
      workflowId,
      args: [request],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Decline every pending applicant of ${request.programId} (request ${request.requestId} by ${request.by.userId})`,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  const result = temporal.workflow.getHandle<typeof declinePendingWorkflow>(workflowId).result();
  const done = await Promise.race([result.then((r) => ({ r })), sleep(waitMs, null, { ref: false })]);
  return done ? { state: 'done', result: done.r } : { state: 'running', workflowId };
}

/** The report of an earlier run, or that it is still running. */
export async function declinePendingRun(
  { temporal }: Pick<MenteeClientDeps, 'temporal'>,
  programId: string,
  requestId: string,
): Promise<BulkRun<DeclinePendingResult>> {
  const workflowId = declinePendingWorkflowId(programId, requestId);
  const handle = temporal.workflow.getHandle<typeof declinePendingWorkflow>(workflowId);
  try {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') return { state: 'running', workflowId };
    return { state: 'done', result: await handle.result() };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound('decline-pending request', requestId);
    throw error;
  }
}
