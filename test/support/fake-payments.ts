import { ApplicationFailure } from '@temporalio/common';
import type { PaymentProvider, PayoutRequest } from '../../activities/payments/provider.js';
import { PAYEE_REJECTED } from '../../domain/messages.js';

/** A payment provider at the edge of the world: it keeps every payout it accepted, keyed like a real one. */
export function fakePaymentProvider() {
  const payouts = new Map<string, PayoutRequest & { reference: string; calls: number }>();
  let loseAnswer: ((request: PayoutRequest) => boolean) | null = null;
  let accepted: () => void = () => {};
  // payees whose bank details are wrong, and every key refused: like a real provider, a key answers the same forever
  const badPayees = new Map<string, string>();
  const rejected = new Map<string, PayoutRequest & { reason: string; calls: number }>();
  const provider: PaymentProvider = {
    name: 'fake-payments',
    async pay(request) {
      const existing = payouts.get(request.idempotencyKey);
      if (existing) {
        existing.calls++;
        return { reference: existing.reference };
      }
      const refused = rejected.get(request.idempotencyKey);
      const reason = refused?.reason ?? badPayees.get(request.payeeMenteeId);
      if (reason !== undefined) {
        if (refused) refused.calls++;
        else rejected.set(request.idempotencyKey, { ...request, reason, calls: 1 });
        throw ApplicationFailure.nonRetryable(reason, PAYEE_REJECTED);
      }
      const reference = `fake-${payouts.size + 1}`;
      payouts.set(request.idempotencyKey, { ...request, reference, calls: 1 });
      if (loseAnswer?.(request)) {
        loseAnswer = null;
        accepted();
        // The payout went through but the answer never reaches the worker, as when it crashes mid-call.
        throw new Error('connection reset by peer');
      }
      return { reference };
    },
  };
  return {
    provider,
    payouts: () => [...payouts.values()],
    rejections: () => [...rejected.values()],
    /** Refuses every new payout to this payee until `fixPayee`. */
    rejectPayee(menteeId: string, reason: string) {
      badPayees.set(menteeId, reason);
    },
    fixPayee(menteeId: string) {
      badPayees.delete(menteeId);
    },
    /** The next payout matching `when` is accepted but its caller gets an error; resolves once accepted. */
    loseAnswerAfterAccepting(when: (request: PayoutRequest) => boolean): Promise<void> {
      loseAnswer = when;
      return new Promise((resolve) => {
        accepted = resolve;
      });
    },
  };
}
