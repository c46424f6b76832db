import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/index.js';
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
}

export const stipendBusinessKey = (applicationId: string, installment: number) =>
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
 * Pays one installment exactly once: the ledger row and the provider call share one business key,
 * so a retry after a crash at any point finds the earlier attempt instead of paying again.
 */
export async function payInstallment(
  { sql, provider }: { sql: Sql; provider: PaymentProvider },
  installment: InstallmentToPay,
  signal: AbortSignal,
): Promise<{ reference: string; paidAt: string }> {
  const key = stipendBusinessKey(installment.applicationId, installment.installment);
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
    { status: string; reference: string | null; paidAt: Date | null; amountCents: string }[]
  >`
    SELECT status, provider_reference AS reference, paid_at AS "paidAt", amount_cents AS "amountCents"
    FROM stipend_payments WHERE business_key = ${key}`;
  if (Number(recorded!.amountCents) !== installment.amountCents) {
    throw ApplicationFailure.nonRetryable(
      `Ledger holds ${recorded!.amountCents} cents for ${key}, the workflow asks ${installment.amountCents}`,
      'LedgerMismatch',
    );
  }
  if (recorded!.status === 'paid')
    return { reference: recorded!.reference!, paidAt: recorded!.paidAt!.toISOString() };

  const { reference } = await provider.pay(
    {
      idempotencyKey: key,
      payeeMenteeId: application.menteeId,
      amountCents: installment.amountCents,
      currency: installment.currency,
      memo: `Mentorship stipend installment ${installment.installment} of ${installment.of}`,
    },
    signal,
  );
  const [paid] = await sql<{ paidAt: Date }[]>`
    UPDATE stipend_payments
    SET status = 'paid', provider = ${provider.name}, provider_reference = ${reference}, paid_at = coalesce(paid_at, now())
    WHERE business_key = ${key}
    RETURNING paid_at AS "paidAt"`;
  return { reference, paidAt: paid!.paidAt.toISOString() };
}
