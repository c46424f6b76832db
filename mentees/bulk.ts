import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { listInstallments } from '../db/read-model.js';
import { type DeclinePendingResult, declinePendingWorkflowId } from '../domain/bulk.js';
import { type Actor, decideInstallmentUpdate } from '../domain/messages.js';
import { notFound, ProblemError } from '../domain/problems.js';
import type { declinePendingWorkflow } from '../workflows/index.js';
import { findApplication, type MenteeClientDeps, sendMessage } from './client.js';

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

/** What a bulk approval did: each installment awaiting a decision, approved (or declined), or why not. */
export interface InstallmentDecisionsResult {
  programId: string;
  decision: 'approve' | 'decline';
  decided: { applicationId: string; installment: number }[];
  alreadyDecided: { applicationId: string; installment: number }[];
  refused: { applicationId: string; installment: number; reason: string }[];
}

/**
 * Approves (or declines) every installment of a program awaiting the admin's decision, e.g. all those earned by
 * evaluation 2. Each goes through its mentee's workflow, so each is decided once; running it again is harmless.
 */
export async function decideInstallments(
  { sql, temporal }: Pick<MenteeClientDeps, 'sql' | 'temporal'>,
  request: {
    programId: string;
    decision: 'approve' | 'decline';
    afterEvaluation?: number | undefined;
    reason?: string | undefined;
    by: Actor;
  },
): Promise<InstallmentDecisionsResult> {
  const waiting = (
    await listInstallments(sql, { programId: request.programId }, { states: ['awaiting-approval'] })
  ).filter((i) => request.afterEvaluation === undefined || i.afterEvaluation === request.afterEvaluation);
  const result: InstallmentDecisionsResult = {
    programId: request.programId,
    decision: request.decision,
    decided: [],
    alreadyDecided: [],
    refused: [],
  };
  let next = 0;
  const decideNext = async () => {
    for (let i = next++; i < waiting.length; i = next++) {
      const { applicationId, number: installment } = waiting[i]!;
      try {
        const application = await findApplication(sql, applicationId);
        const { duplicate } = await sendMessage(temporal, application, decideInstallmentUpdate, {
          number: installment,
          by: request.by,
          decision: request.decision,
          ...(request.reason && { reason: request.reason }),
        });
        (duplicate ? result.alreadyDecided : result.decided).push({ applicationId, installment });
      } catch (error) {
        if (!(error instanceof ProblemError && error.status < 500)) throw error;
        result.refused.push({ applicationId, installment, reason: error.message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, waiting.length) }, decideNext));
  return result;
}
