import type { Sql } from '../../db/index.js';

export interface PayoutRequest {
  /** `<applicationId>/stipend/<n>`: the provider must never pay the same key twice. */
  idempotencyKey: string;
  payeeMenteeId: string;
  amountCents: number;
  currency: string;
  memo: string;
}

/**
 * Where stipends go; failures are thrown (retryable unless an ApplicationFailure says otherwise). A payout the
 * provider refuses for good, with nothing paid (invalid bank details, a closed account), is a non-retryable
 * ApplicationFailure of type PAYEE_REJECTED (domain/messages.ts) whose message says why: ops fix and retry.
 */
export interface PaymentProvider {
  name: string;
  pay(request: PayoutRequest, signal: AbortSignal): Promise<{ reference: string }>;
}

/** The default provider: records the payout in Postgres for finance to disburse. */
export function createFinanceLedgerProvider(sql: Sql): PaymentProvider {
  return {
    name: 'finance-ledger',
    async pay(request) {
      await sql`
        INSERT INTO payout_requests (idempotency_key, payee_mentee_id, amount_cents, currency, memo)
        VALUES (${request.idempotencyKey}, ${request.payeeMenteeId}, ${request.amountCents}, ${request.currency}, ${request.memo})
        ON CONFLICT (idempotency_key) DO NOTHING`;
      const [row] = await sql<{ id: string }[]>`
        SELECT id FROM payout_requests WHERE idempotency_key = ${request.idempotencyKey}`;
      return { reference: `payout-${row!.id}` };
    },
  };
}
