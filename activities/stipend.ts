import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/index.js';
import { PAYEE_REJECTED } from '../domain/messages.js';
import { type ProgramRules, stipendPlan } from '../domain/program.js';
import type { PaymentProvider } from './payments/provider.js';

export interface InstallmentToPay {
  applicationId: string;
  installment: number;
  of: number;
  afterEvaluation: number;
  amountCents: number;
  currency: string;
  /** When the evaluation released it, on the workflow's clock. */
  approvedAt: string;
  /** 0 for the first payment; one more after each definite rejection that ops retried. */
  attempt?: number;
}

const stipendBusinessKey = (applicationId: string, installment: number) =>
  `${applicationId}/stipend/${installment}`;

/** The mentee's installment amounts, adjusted for the country they live in. */
export async function planStipend(sql: Sql, applicationId: string, stipend: ProgramRules['stipend']) {
  const [mentee] = await sql<{ country: string | null }[]>`
    SELECT m.country FROM applications a JOIN mentees m ON m.id = a.mentee_id WHERE a.id = ${applicationId}`;
  if (!mentee)
    throw ApplicationFailure.nonRetryable(`Application ${applicationId} not found`, 'ApplicationNotFound');
  return stipendPlan(stipend, mentee.country);
}

/**
 * The provider idempotency key of one payment attempt. Attempt 0 is the business key itself. A provider
 * answers a repeated key with its first answer, so after a *definite* rejection (PayeeRejected: nothing was
 * paid) the retry needs a fresh key, or it would get the old rejection back; any other failure (timeout,
 * connection reset) may hide an accepted payout, so it keeps its key, and the ledger only lets attempt n+1
 * start once it has recorded attempt n's rejection.
 */
const payoutIdempotencyKey = (businessKey: string, attempt: number) =>
  attempt === 0 ? businessKey : `${businessKey}/attempt-${attempt}`;

/**
 * Pays one installment exactly once: the ledger row and the provider call share one business key,
 * so a retry after a crash at any point finds the earlier attempt instead of paying again.
 */
export async function payInstallment(
  { sql, provider }: { sql: Sql; provider: PaymentProvider },
  installment: InstallmentToPay,
  signal: AbortSignal,
): Promise<{ reference: string; paidAt: string }> {
  const key = stipendBusinessKey(installment.applicationId, installment.installment);
  const attempt = installment.attempt ?? 0;
  const [application] = await sql<{ menteeId: string }[]>`
    SELECT mentee_id AS "menteeId" FROM applications WHERE id = ${installment.applicationId}`;
  if (!application) {
    throw ApplicationFailure.nonRetryable(
      `Application ${installment.applicationId} not found`,
      'ApplicationNotFound',
    );
  }
  await sql`
    INSERT INTO stipend_payments (business_key, application_id, installment, of_installments, after_evaluation,
                                  amount_cents, currency, status, approved_at)
    VALUES (${key}, ${installment.applicationId}, ${installment.installment}, ${installment.of}, ${installment.afterEvaluation},
            ${installment.amountCents}, ${installment.currency}, 'requested', ${installment.approvedAt})
    ON CONFLICT (business_key) DO NOTHING`;
  const [recorded] = await sql<
    {
      status: string;
      attempt: number;
      reference: string | null;
      paidAt: Date | null;
      amountCents: string;
      rejectionReason: string | null;
    }[]
  >`
    SELECT status, attempt, provider_reference AS reference, paid_at AS "paidAt", amount_cents AS "amountCents",
           rejection_reason AS "rejectionReason"
    FROM stipend_payments WHERE business_key = ${key}`;
  if (Number(recorded!.amountCents) !== installment.amountCents) {
    throw ApplicationFailure.nonRetryable(
      `Ledger holds ${recorded!.amountCents} cents for ${key}, the workflow asks ${installment.amountCents}`,
      'LedgerMismatch',
    );
  }
  if (recorded!.status === 'paid')
    return { reference: recorded!.reference!, paidAt: recorded!.paidAt!.toISOString() };
  if (attempt !== recorded!.attempt) {
    // a new key only right after the previous one's recorded rejection: never beside a payout that may have landed
    const moved = await sql`
      UPDATE stipend_payments SET attempt = ${attempt}, status = 'requested'
      WHERE business_key = ${key} AND status = 'rejected' AND attempt = ${attempt - 1}
      RETURNING attempt`;
    if (moved.length === 0) {
      throw ApplicationFailure.nonRetryable(
        `Ledger is at attempt ${recorded!.attempt} (${recorded!.status}) for ${key}; the workflow asks attempt ${attempt}`,
        'LedgerMismatch',
      );
    }
  } else if (recorded!.status === 'rejected') {
    // this attempt's rejection is recorded already (a retried activity): the provider would answer it again
    throw payeeRejected(key, recorded!.rejectionReason ?? 'rejected by the payment provider');
  }

  let reference: string;
  try {
    ({ reference } = await provider.pay(
      {
        idempotencyKey: payoutIdempotencyKey(key, attempt),
        payeeMenteeId: application.menteeId,
        amountCents: installment.amountCents,
        currency: installment.currency,
        memo: `Mentorship stipend installment ${installment.installment} of ${installment.of}`,
      },
      signal,
    ));
  } catch (error) {
    if (error instanceof ApplicationFailure && error.type === PAYEE_REJECTED) {
      await sql`
        UPDATE stipend_payments SET status = 'rejected', rejection_reason = ${error.message}, rejected_at = now()
        WHERE business_key = ${key} AND status = 'requested' AND attempt = ${attempt}`;
      throw payeeRejected(key, error.message);
    }
    throw error;
  }
  const [paid] = await sql<{ paidAt: Date }[]>`
    UPDATE stipend_payments
    SET status = 'paid', provider = ${provider.name}, provider_reference = ${reference}, paid_at = coalesce(paid_at, now())
    WHERE business_key = ${key}
    RETURNING paid_at AS "paidAt"`;
  return { reference, paidAt: paid!.paidAt.toISOString() };
}

const payeeRejected = (key: string, reason: string) =>
  ApplicationFailure.create({ message: reason, type: PAYEE_REJECTED, nonRetryable: true, details: [key] });
