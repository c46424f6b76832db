import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type Actor, retryPaymentUpdate } from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { sendMessage } from '../mentees/client.js';
import { type ApplicationRef, applicationOf, type OpsDeps } from './deps.js';

interface LedgerRow {
  installment: number;
  status: 'requested' | 'paid' | 'rejected';
  attempt: number;
  reason: string | null;
  reference: string | null;
}

export const RetryPaymentResult = z.object({
  applicationId: z.string(),
  /** True when there was nothing to retry, or a retry was already under way. */
  duplicate: z.boolean(),
  /** paid / rejected again: the retried payout's outcome; pending: not settled within the wait. */
  outcome: z.enum(['paid', 'rejected', 'pending', 'nothing-to-retry']),
  installment: z.int().nullable(),
  reason: z.string().nullable(),
  reference: z.string().nullable(),
});
export type RetryPaymentResult = z.infer<typeof RetryPaymentResult>;

/**
 * Retries the stipend payment the provider rejected, after ops fixed the payee's details, and waits a little
 * for its outcome. The ledger keeps one row per installment; the workflow pays it with a fresh provider key.
 */
export async function retryPayment(
  { sql, temporal }: OpsDeps,
  ref: ApplicationRef,
  by: Actor,
  { waitMs = 30_000 }: { waitMs?: number } = {},
): Promise<RetryPaymentResult> {
  const application = await applicationOf(sql, ref);
  const ledger = () => sql<LedgerRow[]>`
    SELECT installment, status, attempt, rejection_reason AS reason, provider_reference AS reference
    FROM stipend_payments WHERE application_id = ${application.id} ORDER BY installment`;
  const rejected = (await ledger()).find((row) => row.status === 'rejected');
  const result = (outcome: RetryPaymentResult['outcome'], duplicate: boolean, row?: LedgerRow) => ({
    applicationId: application.id,
    duplicate,
    outcome,
    installment: row?.installment ?? null,
    reason: row?.status === 'rejected' ? row.reason : null,
    reference: row?.status === 'paid' ? row.reference : null,
  });

  let duplicate: boolean;
  try {
    ({ duplicate } = await sendMessage(temporal, application, retryPaymentUpdate, { by }));
  } catch (error) {
    if (!(error instanceof ProblemError && error.kind === 'application-closed')) throw error;
    if (!rejected) return result('nothing-to-retry', true);
    throw new ProblemError(
      409,
      'payment-unrecoverable',
      `Application ${application.id} has ended with installment ${rejected.installment} unpaid (rejected: ${rejected.reason}); finance must pay it by hand`,
    );
  }
  if (duplicate && !rejected) return result('nothing-to-retry', true);
  if (!rejected) return result('pending', duplicate);

  // the retried attempt is settled once the ledger shows it paid, or rejected at a later attempt
  const deadline = Date.now() + waitMs;
  for (;;) {
    const row = (await ledger()).find((r) => r.installment === rejected.installment)!;
    if (row.status === 'paid') return result('paid', duplicate, row);
    if (row.status === 'rejected' && row.attempt > rejected.attempt)
      return result('rejected', duplicate, row);
    if (Date.now() >= deadline) return result('pending', duplicate, row);
    await sleep(250);
  }
}
