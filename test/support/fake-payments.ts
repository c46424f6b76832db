import type { PaymentProvider, PayoutRequest } from '../../activities/payments/provider.js';

/** A payment provider at the edge of the world: it keeps every payout it accepted, keyed like a real one. */
export function fakePaymentProvider() {
  const payouts = new Map<string, PayoutRequest & { reference: string; calls: number }>();
  let loseAnswer: ((request: PayoutRequest) => boolean) | null = null;
  let accepted: () => void = () => {};
  const provider: PaymentProvider = {
    name: 'fake-payments',
    async pay(request) {
      const existing = payouts.get(request.idempotencyKey);
      if (existing) {
        existing.calls++;
        return { reference: existing.reference };
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
    /** The next payout matching `when` is accepted but its caller gets an error; resolves once accepted. */
    loseAnswerAfterAccepting(when: (request: PayoutRequest) => boolean): Promise<void> {
      loseAnswer = when;
      return new Promise((resolve) => {
        accepted = resolve;
      });
    },
  };
}
