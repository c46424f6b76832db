import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  proxyActivities,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import { type InstallmentStatus, PAYEE_REJECTED } from '../domain/messages.js';
import type { MenteeEmails } from './mentee-emails.js';
import { type MenteeState, SYSTEM } from './state.js';

// A payment is retried until it lands; the business key makes every attempt the same payment, so a retry after
// a worker crash (noticed by the heartbeat timeout, in seconds) finds the earlier payout instead of paying twice.
const DAY_MS = 24 * 60 * 60 * 1000;
const { payStipendInstallment } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

/**
 * The stipend installments being paid. One the provider rejected waits for ops without holding up later
 * evaluations, and an earned installment is owed even after the mentee withdraws or is terminated.
 */
export class StipendPayments {
  private readonly payments: Promise<void>[] = [];
  // payouts sent to the provider and not yet answered
  private inFlight = 0;
  // Installments the provider rejected, until ops fix the payee and send retryPayment.
  private readonly awaitingRetry = new Set<number>();

  constructor(
    private readonly m: MenteeState,
    private readonly emails: MenteeEmails,
    private readonly changed: () => void,
  ) {}

  // the mentorship has ended: a declined installment stops waiting for a re-approval
  private closing = false;

  /** An evaluation earned installment `number`: paid at once, or once the program's admin approves it. */
  earn(number: number): void {
    const approval = this.m.rules.stipendApproval;
    if (approval?.mode !== 'admin') {
      this.pay(number);
      return;
    }
    this.payments.push(CancellationScope.nonCancellable(() => this.approveThenPay(number, approval)));
  }

  /** No more re-approvals: declined installments stay unpaid; those awaiting a decision still wait for one. */
  close(): void {
    this.closing = true;
  }

  /** Starts paying installment `number`; no cancellation stops it once earned. */
  pay(number: number): void {
    this.payments.push(CancellationScope.nonCancellable(() => this.payInstallment(number)));
  }

  /** Ops fixed the payee: the rejected installments are paid again; returns their numbers. */
  retryRejected(): number[] {
    const waiting = [...this.awaitingRetry];
    this.awaitingRetry.clear();
    return waiting;
  }

  /** Resolves once no payout is with the provider, so the unpaid rest can be forfeited. */
  noneInFlight(): Promise<void> {
    return condition(() => this.inFlight === 0);
  }

  /** Resolves once every installment started so far is paid, however long ops take to fix a payee. */
  allPaid(): Promise<unknown> {
    return Promise.all(this.payments);
  }

  /** Waits for the admin (reminded, then flagged for ops), pays once approved; declined is unpaid unless re-approved. */
  private async approveThenPay(
    number: number,
    approval: NonNullable<MenteeState['rules']['stipendApproval']>,
  ): Promise<void> {
    const { m } = this;
    const installment = m.installments.find((i) => i.number === number)!;
    installment.state = 'awaiting-approval';
    installment.earnedAt = new Date().toISOString();
    m.record(`stipend:${number}:awaiting-approval`, SYSTEM);
    this.changed();
    const decided = () => installment.state !== 'awaiting-approval';
    const message = {
      installment: number,
      of: m.installments.length,
      amountCents: installment.amountCents!,
      currency: installment.currency,
      applicationId: m.applicationId,
    };
    const summary = (what: string) => ({ summary: `${what} installment ${number}` });
    if (
      !(await condition(decided, approval.remindAfterDays * DAY_MS, summary('Remind the admin to approve')))
    ) {
      await this.emails.send(
        'admin',
        { kind: 'approval-reminder', ...message },
        `approval-reminder-${number}`,
      );
    }
    const alertIn = (approval.alertOpsAfterDays - approval.remindAfterDays) * DAY_MS;
    if (!(await condition(decided, Math.max(alertIn, 1000), summary('Flag for ops the approval of')))) {
      m.approvalOverdue.add(number);
      this.changed();
      await this.emails.send('admin', { kind: 'approval-overdue', ...message }, `approval-overdue-${number}`);
    }
    const state = () => installment.state as InstallmentStatus['state'];
    // re-opened evaluation: back to scheduled, and earned again (a new wait) once it is evaluated again
    await condition(
      () => state() === 'approved' || state() === 'scheduled' || (state() === 'declined' && this.closing),
    );
    m.approvalOverdue.delete(number);
    if (state() === 'approved') await this.payInstallment(number);
  }

  private async payInstallment(number: number): Promise<void> {
    const { m } = this;
    const installment = m.installments.find((i) => i.number === number)!;
    const approvedAt = new Date().toISOString();
    let paidAt: string;
    for (let attempt = 0; ; attempt++) {
      try {
        this.inFlight++;
        ({ paidAt } = await payStipendInstallment
          .executeWithOptions(
            {
              summary: `Pay installment ${number} of ${m.installments.length}${attempt ? ` (retry ${attempt})` : ''}`,
            },
            [
              {
                applicationId: m.applicationId,
                installment: number,
                of: m.installments.length,
                afterEvaluation: installment.afterEvaluation,
                amountCents: installment.amountCents!,
                currency: installment.currency,
                approvedAt,
                attempt,
              },
            ],
          )
          .finally(() => {
            this.inFlight--;
          }));
        break;
      } catch (error) {
        const reason = payeeRejection(error);
        if (reason === null) throw error;
        await this.paymentRejected(installment, reason, attempt);
      }
    }
    installment.state = 'paid';
    installment.paidAt = paidAt;
    m.record(`stipend:${number}:paid`, SYSTEM, `${installment.amountCents} ${installment.currency}`);
    this.changed();
    await this.emails.send(
      'mentee',
      {
        kind: 'installment-paid',
        installment: number,
        of: m.installments.length,
        amountCents: installment.amountCents!,
        currency: installment.currency,
      },
      `installment-paid-${number}`,
    );
  }

  /** The provider refused the payout for good: flag it for ops, tell the admin once, wait for a retry. */
  private async paymentRejected(
    installment: InstallmentStatus,
    reason: string,
    attempt: number,
  ): Promise<void> {
    const { m } = this;
    installment.state = 'payment-failed';
    this.awaitingRetry.add(installment.number);
    m.record(`stipend:${installment.number}:rejected`, SYSTEM, reason);
    this.changed();
    this.emails.sendInBackground(
      'admin',
      {
        kind: 'payment-failed',
        installment: installment.number,
        of: m.installments.length,
        reason,
        applicationId: m.applicationId,
      },
      `payment-failed-${installment.number}-${attempt + 1}`,
    );
    // no timer: the installment stays owed until ops act (the NeedsAttention search attribute lists it)
    await condition(() => !this.awaitingRetry.has(installment.number));
    installment.state = 'scheduled';
    this.changed();
  }
}

/** The provider's reason when it rejected a payout for good (nothing paid), else null. */
function payeeRejection(error: unknown): string | null {
  const cause = error instanceof ActivityFailure ? error.cause : null;
  return cause instanceof ApplicationFailure && cause.type === PAYEE_REJECTED ? cause.message : null;
}
