import type { Sql } from '../db/index.js';
import { conflict, notFound } from '../domain/problems.js';

// Finance's side of the payment ledger: payout requests (one per installment attempt, written by the finance
// ledger provider when a stipend is paid) go into batches that finance exports and sends, then reports back.

export const PAYOUT_STATES = ['requested', 'sent', 'paid', 'returned'] as const;
export type PayoutState = (typeof PAYOUT_STATES)[number];

/** One payout as finance exports it: who, how much, and the key no bank transfer may repeat. */
export interface PayoutLine {
  businessKey: string;
  payeeReference: string;
  amount: string;
  currency: string;
  memo: string;
  state: PayoutState;
}

export interface PayoutBatch {
  id: number;
  createdBy: string;
  createdAt: string;
  sentBy: string | null;
  sentAt: string | null;
  payouts: number;
  /** Total per currency, in major units, e.g. { USD: "6000.00" }. */
  totals: Record<string, string>;
}

interface BatchRow {
  id: string;
  createdBy: string;
  createdAt: Date;
  sentBy: string | null;
  sentAt: Date | null;
  payouts: number;
  totals: Record<string, string> | null;
}

const batchView = (row: BatchRow): PayoutBatch => ({
  id: Number(row.id),
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  sentBy: row.sentBy,
  sentAt: row.sentAt?.toISOString() ?? null,
  payouts: row.payouts,
  totals: row.totals ?? {},
});

const batchQuery = (sql: Sql) => sql`
  SELECT b.id, b.created_by AS "createdBy", b.created_at AS "createdAt", b.sent_by AS "sentBy", b.sent_at AS "sentAt",
         (SELECT count(*)::int FROM payout_requests p WHERE p.batch_id = b.id) AS payouts,
         (SELECT jsonb_object_agg(currency, to_char(total / 100.0, 'FM999999990.00'))
            FROM (SELECT currency, sum(amount_cents) AS total FROM payout_requests p
                  WHERE p.batch_id = b.id GROUP BY currency) t) AS totals
  FROM payout_batches b`;

/**
 * Puts every requested payout that is in no batch yet into a new batch. Concurrent calls each take what the
 * others did not: a payout is in exactly one batch (the update takes the rows it finds unbatched, under row locks).
 * A retry of the request that made a batch (after a crash) is answered with that batch.
 */
export async function createBatch(sql: Sql, createdBy: string, requestKey?: string): Promise<PayoutBatch> {
  if (requestKey !== undefined) {
    const [made] = await sql<
      { id: string }[]
    >`SELECT id FROM payout_batches WHERE request_key = ${requestKey}`;
    if (made) return findBatch(sql, Number(made.id));
  }
  const id = await sql.begin(async (tx) => {
    const [batch] = await tx<{ id: string }[]>`
      INSERT INTO payout_batches (created_by, request_key) VALUES (${createdBy}, ${requestKey ?? null}) RETURNING id`;
    const taken = await tx`
      UPDATE payout_requests SET batch_id = ${batch!.id}
      WHERE batch_id IS NULL AND state = 'requested' RETURNING id`;
    if (taken.length === 0) throw conflict('nothing-to-batch', 'No payout is waiting for a batch');
    return batch!.id;
  });
  return findBatch(sql, Number(id));
}

export async function findBatch(sql: Sql, id: number): Promise<PayoutBatch> {
  const [row] = await sql<BatchRow[]>`${batchQuery(sql)} WHERE b.id = ${id}`;
  if (!row) throw notFound('payout batch', String(id));
  return batchView(row);
}

export async function listBatches(sql: Sql): Promise<PayoutBatch[]> {
  return (await sql<BatchRow[]>`${batchQuery(sql)} ORDER BY b.id DESC LIMIT 200`).map(batchView);
}

/** The batch's payouts, for the export; reading them changes nothing, so a batch can be downloaded again. */
export async function batchLines(sql: Sql, id: number): Promise<PayoutLine[]> {
  await findBatch(sql, id);
  return sql<PayoutLine[]>`
    SELECT idempotency_key AS "businessKey", payee_mentee_id AS "payeeReference",
           to_char(amount_cents / 100.0, 'FM999999990.00') AS amount, currency, memo, state
    FROM payout_requests WHERE batch_id = ${id} ORDER BY id`;
}

/** Finance sent the batch to the bank: its payouts are `sent`. Marking it again changes nothing. */
export async function markBatchSent(sql: Sql, id: number, sentBy: string): Promise<PayoutBatch> {
  await findBatch(sql, id);
  await sql.begin(async (tx) => {
    const [marked] = await tx`
      UPDATE payout_batches SET sent_at = now(), sent_by = ${sentBy} WHERE id = ${id} AND sent_at IS NULL RETURNING id`;
    if (marked) {
      await tx`UPDATE payout_requests SET state = 'sent', sent_at = now() WHERE batch_id = ${id} AND state = 'requested'`;
    }
  });
  return findBatch(sql, id);
}

/** The bank's answer for one payout: paid, or returned (with why); a repeat of the same answer is harmless. */
export async function reportPayout(
  sql: Sql,
  businessKey: string,
  report: { state: 'paid' | 'returned'; at?: string | undefined; reason?: string | undefined },
): Promise<PayoutLine & { paidAt: string | null; returnedAt: string | null }> {
  const [row] = await sql<{ state: PayoutState }[]>`
    SELECT state FROM payout_requests WHERE idempotency_key = ${businessKey}`;
  if (!row) throw notFound('payout', businessKey);
  if (row.state !== report.state) {
    if (row.state !== 'sent') {
      throw conflict(
        'payout-not-sent',
        `Payout ${businessKey} is ${row.state}; only a sent payout can be reported ${report.state}`,
      );
    }
    const at = report.at ? new Date(report.at) : new Date();
    await sql`
      UPDATE payout_requests
      SET state = ${report.state},
          paid_at = ${report.state === 'paid' ? at : null},
          returned_at = ${report.state === 'returned' ? at : null},
          return_reason = ${report.reason ?? null}
      WHERE idempotency_key = ${businessKey} AND state = 'sent'`;
  }
  const [line] = await sql<(PayoutLine & { paidAt: Date | null; returnedAt: Date | null })[]>`
    SELECT idempotency_key AS "businessKey", payee_mentee_id AS "payeeReference",
           to_char(amount_cents / 100.0, 'FM999999990.00') AS amount, currency, memo, state,
           paid_at AS "paidAt", returned_at AS "returnedAt"
    FROM payout_requests WHERE idempotency_key = ${businessKey}`;
  return {
    ...line!,
    paidAt: line!.paidAt?.toISOString() ?? null,
    returnedAt: line!.returnedAt?.toISOString() ?? null,
  };
}
