import {
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailMessage, Recipient } from '../domain/emails.js';
import {
  type Actor,
  acceptedElsewhereSignal,
  emailResentSignal,
  type MenteeStatus,
  type MenteeWorkflowInput,
  type MessageResult,
  type NextStep,
  nextStepQuery,
  selectionConflictSignal,
  statusQuery,
} from '../domain/messages.js';
import { FINAL_STAGES, type Stage } from '../domain/stages.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';
import { DeadlineTimer } from './deadline-timer.js';
import { type MessageEffects, type MessageHandler, messageHandlers } from './handlers.js';
import { MenteeEmails } from './mentee-emails.js';
import { keepOpsViewCurrent } from './ops-view.js';
import { MenteeState, SYSTEM, shift } from './state.js';
import { type StatusPublisher, statusPublisher } from './status-publisher.js';
import { StipendPayments } from './stipend-payments.js';
import { TermSeat } from './term-seat.js';

const { planStipend, issueLetterOfCompletion } = proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);
// A local activity: a quick upsert whose large status argument stays out of history.
const { recordStatus } = proxyLocalActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Release 1.1 (docs/changing-the-workflow.md): a local activity's completion never
 * decides the order of later commands. Asked once, first thing: mentees started on 1.0 finish on the 1.0 path.
 */
export const REPLAY_SAFE_LOCAL_ACTIVITIES = 'replay-safe-local-activities';

export interface MenteeOutcome {
  stage: Stage;
  reason: string | null;
}

/** One mentee's path through one program term: the wiring; `MenteeLifecycle.run` reads like the program guide. */
export async function menteeWorkflow({ applicationId, rules }: MenteeWorkflowInput): Promise<MenteeOutcome> {
  const release11 = patched(REPLAY_SAFE_LOCAL_ACTIVITIES);
  const m = new MenteeState(applicationId, rules);
  const publisher: StatusPublisher = statusPublisher(
    () => m.status(publisher.version),
    (snapshot: MenteeStatus) =>
      recordStatus.executeWithOptions({ summary: `Record status (${snapshot.stage})` }, [snapshot]),
    release11,
  );
  const scope = new CancellationScope();
  const emails = new MenteeEmails(applicationId, release11, (key) => {
    m.refusedEmails.add(key);
    publisher.changed();
  });
  const payments = new StipendPayments(m, emails, () => publisher.changed());
  const timer = new DeadlineTimer(m);
  const seat = new TermSeat(m, emails, () => publisher.changed());
  const lifecycle = new MenteeLifecycle(m, timer, publisher, emails, payments, seat);
  keepOpsViewCurrent(
    m,
    () => publisher.version,
    () => timer.current,
  );

  setHandler(statusQuery, (): MenteeStatus => m.status(publisher.version));
  setHandler(nextStepQuery, (): NextStep => m.nextStep(timer.current));
  const effects: MessageEffects = {
    email: (to, message, key) => emails.sendInBackground(to, message, key),
    retryRejectedPayments: () => payments.retryRejected(),
    stopLifecycle: () => scope.cancel(),
    claimSeat: (mentorId, by) => seat.claim(mentorId, by),
  };
  for (const handler of Object.values(messageHandlers)) onMessage(handler, m, effects, publisher);
  // from the other programs of the term
  setHandler(selectionConflictSignal, (conflict) =>
    seat.conflict(conflict, SYSTEM, `Program ${conflict.other.programId} selected the applicant too`),
  );
  setHandler(emailResentSignal, ({ originalKey }) => {
    if (m.refusedEmails.delete(originalKey)) publisher.changed();
  });
  setHandler(acceptedElsewhereSignal, ({ programName }) => {
    if (m.exit || FINAL_STAGES.has(m.stage)) return;
    m.exit = { stage: 'withdrawn', by: SYSTEM, reason: `accepted into ${programName}` };
    scope.cancel();
  });

  try {
    await scope.run(() => lifecycle.run());
  } catch (error) {
    if (!(m.exit && isCancellation(error))) throw error;
  }
  if (m.exit) await lifecycle.end(m.exit.stage, m.exit.reason, m.exit.by);
  payments.close();
  // the workflow stays open until every earned installment is paid, however long ops take to fix a payee
  await payments.allPaid();
  await emails.backgroundSent();
  await publisher.flushed();
  await condition(allHandlersFinished);
  log.info('Mentee workflow finished', { stage: m.stage, reason: m.outcomeReason });
  return { stage: m.stage, reason: m.outcomeReason };
}

/** Registers an Update whose handler applies a change and answers once the read model has it. */
function onMessage(
  handler: MessageHandler<unknown>,
  m: MenteeState,
  effects: MessageEffects,
  publisher: StatusPublisher,
): void {
  const settled = handler.settled ? () => handler.settled!(m) : () => true;
  setHandler(
    handler.update,
    async (arg): Promise<MessageResult> => {
      // awaited only when there is something to check, so workflows without it run their commands as recorded
      const admitted = handler.admit?.(m, arg, effects);
      if (admitted) await admitted;
      const applied = handler.apply(m, arg, effects);
      if (applied) publisher.changed();
      await condition(settled);
      await publisher.flushed();
      return { duplicate: !applied };
    },
    { validator: (arg) => handler.validate(m, arg) },
  );
}

/** The program guide for one mentee: review, selection, onboarding, evaluations, completion. */
class MenteeLifecycle {
  constructor(
    private readonly m: MenteeState,
    private readonly timer: DeadlineTimer,
    private readonly publisher: StatusPublisher,
    private readonly emails: MenteeEmails,
    private readonly payments: StipendPayments,
    private readonly seat: TermSeat,
  ) {}

  async run(): Promise<void> {
    const { m } = this;
    const { rules } = m;
    this.moveTo('in_review');
    await this.email('mentee', {
      kind: 'application-received',
      reviewClosesAt: rules.reviewClosesAt,
      openPrerequisites: m.openPrerequisites().map((p) => p.title),
    });

    // 1. Review: at least two weeks; applicants with open prerequisites get a reminder.
    if (
      rules.reviewReminderAt &&
      !(await this.timer.waitUntil(() => rules.reviewReminderAt!, 'Review reminder due'))
    ) {
      if (m.openPrerequisites().length > 0) {
        await this.email('mentee', {
          kind: 'review-reminder',
          reviewClosesAt: rules.reviewClosesAt,
          openPrerequisites: m.openPrerequisites().map((p) => p.title),
        });
      }
    }
    await this.timer.waitUntil(() => rules.reviewClosesAt, 'Review window closes');
    const missing = m.openPrerequisites();
    if (missing.length > 0) {
      this.moveTo('not_accepted', `Prerequisites not completed: ${missing.map((p) => p.id).join(', ')}`);
      await this.email('mentee', { kind: 'not-accepted', missingPrerequisites: missing.map((p) => p.title) });
      return;
    }

    // 2. Selection: a mentor or admin decides; silence until the deadline means not selected.
    this.moveTo('awaiting_selection');
    const decided = () => m.selection !== null;
    const decidedInTime = await this.timer.waitUntil(
      () => m.schedule.selectionDeadline,
      'Selection deadline',
      decided,
    );
    // where the term announces results on a day, the applicant hears nothing before it
    const announcementAt = m.announcementAt();
    if (announcementAt) await this.timer.waitUntil(() => announcementAt, 'Selection results announced');
    m.resultToldAt = new Date().toISOString();
    if (!decidedInTime) {
      this.moveTo('not_selected', 'No selection decision by the selection deadline');
      await this.email('mentee', { kind: 'not-selected' });
      return;
    }
    if (m.selection!.decision === 'decline') {
      this.moveTo('declined', m.selection!.reason ?? 'Declined by the mentors');
      await this.email('mentee', { kind: 'declined', reason: m.selection!.reason });
      return;
    }

    // 3. Onboarding: contract and HR steps before the deadline, or the offer lapses.
    m.onboardingFromAnnouncement();
    this.moveTo('onboarding');
    await this.email('mentee', {
      kind: 'selected',
      projectTitle: m.selection!.projectTitle!,
      onboardingDeadline: m.schedule.onboardingDeadline,
      onboardingSteps: m.openOnboardingSteps().map((s) => s.title),
    });
    const onboarded = await this.timer.waitUntil(
      () => m.schedule.onboardingDeadline,
      'Onboarding deadline',
      () => m.openOnboardingSteps().length === 0,
    );
    if (!onboarded) {
      const open = m.openOnboardingSteps();
      this.moveTo(
        'offer_lapsed',
        `Onboarding not completed by the deadline: ${open.map((s) => s.id).join(', ')}`,
      );
      if (this.seat.held) await this.seat.release('offer lapsed');
      const message = { kind: 'offer-lapsed' as const, missingSteps: open.map((s) => s.title) };
      await Promise.all([this.email('mentee', message), this.email('admin', message)]);
      return;
    }
    const plan = await planStipend.executeWithOptions({ summary: 'Plan the stipend installments' }, [
      { applicationId: m.applicationId, stipend: rules.stipend },
    ]);
    for (const installment of m.installments) {
      installment.amountCents = plan.find((p) => p.number === installment.number)!.amountCents;
    }
    this.moveTo('active');
    await this.email('mentee', {
      kind: 'onboarding-complete',
      termStartsAt: m.schedule.termStartsAt,
      firstEvaluationDueAt: m.evaluation(1).dueAt,
    });
    if (this.seat.governed) await this.seat.withdrawOthers();

    // 4-5. Evaluations; a stipend installment follows the ones the program pays after.
    const reopened = () => m.reopenRequest !== null;
    for (let number = 1; ; ) {
      if (reopened()) {
        // an admin took back an evaluation's result: the lifecycle goes back to it
        number = m.reopenRequest!;
        m.reopenRequest = null;
        this.publisher.changed();
      }
      if (number > rules.evaluations.length) {
        // 6. Completion: every task, milestone and exam, and the feedback survey.
        const completed = await this.timer.waitUntil(
          () => m.schedule.completionDeadline,
          'Completion deadline',
          () => m.completionRequirementsMet() || reopened(),
        );
        if (reopened()) continue;
        if (completed) break;
        const open = [...m.openParticipation().map((p) => p.id), ...(m.feedback ? [] : ['feedback-survey'])];
        await this.end('terminated', `Completion requirements not met: ${open.join(', ')}`, SYSTEM);
        return;
      }
      const result = await this.evaluation(number);
      if (result === 'reopened') continue;
      if (result === 'extend') {
        // the mentor asked for more time: the same evaluation again, later; every later deadline moved with it
        const days = m.evaluations.get(number)!.extendDays!;
        m.record(`evaluation:${number}:extended`, SYSTEM, `${days} days`);
        m.extendEvaluation(number, days);
        this.publisher.changed();
        const message = { kind: 'term-extended' as const, days, termEndsAt: m.schedule.termEndsAt };
        const key = `term-extended-${m.scheduleVersion}`;
        await Promise.all([this.email('mentee', message, key), this.email('mentor', message, key)]);
        continue;
      }
      const installment = m.installments.find((i) => i.afterEvaluation === number);
      const earned =
        result === 'pass' ||
        result === 'terminate-with-pay' ||
        (result !== 'terminate-without-pay' && rules.stipend.payOnFailedEvaluation);
      if (installment && earned) this.payments.earn(installment.number);
      if (result !== 'pass') {
        const reason =
          result === 'missed'
            ? `Evaluation ${number} was not submitted in time`
            : result === 'fail'
              ? `Evaluation ${number} failed`
              : `Evaluation ${number}: the mentor recommended ending the mentorship (${result === 'terminate-with-pay' ? 'with' : 'without'} the installment)`;
        await this.end('terminated', reason, SYSTEM);
        return;
      }
      if (!(await this.menteeEvaluation(number))) {
        await this.end('terminated', `The mentee's evaluation ${number} was not submitted in time`, SYSTEM);
        return;
      }
      if (!reopened()) number++;
    }
    const { verificationCode } = await issueLetterOfCompletion.executeWithOptions(
      { summary: 'Render the Letter of Completion' },
      [
        {
          applicationId: m.applicationId,
          issuedAt: new Date().toISOString(),
          termStartsAt: m.schedule.termStartsAt,
          termEndsAt: m.schedule.termEndsAt,
        },
      ],
    );
    m.certificateCode = verificationCode;
    this.moveTo('completed');
    await this.email('mentee', { kind: 'letter-of-completion', verificationCode });
  }

  /** Waits for evaluation `number`: reminder before, admin alert after the due date, then the program's policy. */
  private async evaluation(
    number: number,
  ): Promise<ReturnType<MenteeState['evaluationResult']> | 'missed' | 'reopened'> {
    const { m } = this;
    // an admin re-opening an earlier evaluation interrupts the wait for this one
    const submitted = () => m.evaluations.has(number) || m.reopenRequest !== null;
    const remindAt = () => m.evaluation(number).remindAt ?? m.evaluation(number).dueAt;
    if (!(await this.timer.waitUntil(remindAt, `Remind the mentor of evaluation ${number}`, submitted))) {
      await this.email(
        'mentor',
        { kind: 'evaluation-reminder', evaluation: number, dueAt: m.evaluation(number).dueAt },
        `evaluation-reminder-${number}`,
      );
    }
    // the mentee evaluates the mentor and the program too, where the program asks for it
    const menteePolicy = m.rules.evaluationPolicy?.menteeEvaluation ?? 'ignore';
    const menteeKey = `mentee-evaluation-reminder-${number}`;
    if (menteePolicy !== 'ignore' && !m.menteeEvaluations.has(number) && m.reopenRequest === null) {
      await this.email(
        'mentee',
        { kind: 'mentee-evaluation-reminder', evaluation: number, dueAt: m.evaluation(number).dueAt },
        menteeKey,
      );
    }
    if (
      !(await this.timer.waitUntil(() => m.evaluation(number).dueAt, `Evaluation ${number} due`, submitted))
    ) {
      m.overdue.add(number);
      this.publisher.changed();
      const graceEndsAt = m.graceEndsAt(number);
      await this.email(
        'admin',
        { kind: 'evaluation-overdue', evaluation: number, dueAt: m.evaluation(number).dueAt, graceEndsAt },
        `evaluation-overdue-${number}`,
      );
      const inGrace = graceEndsAt
        ? await this.timer.waitUntil(
            () => m.graceEndsAt(number)!,
            `Evaluation ${number} grace period ends`,
            submitted,
          )
        : await condition(submitted).then(() => true);
      if (!inGrace) {
        m.missed.add(number);
        m.record(`evaluation:${number}:missed`, SYSTEM);
        this.publisher.changed();
        return 'missed';
      }
    }
    return m.reopenRequest !== null ? 'reopened' : m.evaluationResult(number);
  }

  /**
   * The mentee's evaluation of evaluation `number`, as the program's policy reads it: `flag` alerts the admin
   * once it is late, `fail` gives the grace period and then fails the mentee; false only for a `fail`.
   */
  private async menteeEvaluation(number: number): Promise<boolean> {
    const { m } = this;
    const policy = m.rules.evaluationPolicy?.menteeEvaluation ?? 'ignore';
    const submitted = () => m.menteeEvaluations.has(number) || m.reopenRequest !== null;
    if (policy === 'ignore' || submitted()) return true;
    const dueAt = () => m.evaluation(number).dueAt;
    if (policy === 'flag') {
      // the mentor's evaluation may come early: the alert waits for the due date (before the next one opens)
      if (!(await this.timer.waitUntil(dueAt, `Mentee evaluation ${number} due`, submitted))) {
        await this.email(
          'admin',
          { kind: 'mentee-evaluation-missing', evaluation: number, dueAt: dueAt() },
          `mentee-evaluation-missing-${number}`,
        );
      }
      return true;
    }
    const graceEndsAt = () => shift(dueAt(), m.rules.missedEvaluation.graceDays);
    return this.timer.waitUntil(graceEndsAt, `Mentee evaluation ${number} grace period ends`, submitted);
  }

  /** Terminated or withdrawn: everyone involved hears it, once. */
  async end(stage: 'terminated' | 'withdrawn', reason: string, by: Actor): Promise<void> {
    const { m } = this;
    // a payout the provider is handling lands (or is refused) before the unpaid rest is forfeited
    await this.payments.noneInFlight();
    if (this.seat.held) await this.seat.release(stage);
    if (by !== SYSTEM) m.record(stage, by, reason);
    for (const unpaid of m.installments.filter((i) => i.state === 'scheduled')) unpaid.state = 'forfeited';
    this.moveTo(stage, reason);
    const message = { kind: 'mentorship-ended' as const, outcome: stage, reason };
    const recipients: Recipient[] =
      m.selection?.decision === 'select' ? ['mentee', 'mentor', 'admin'] : ['mentee', 'admin'];
    await Promise.all(recipients.map((to) => this.email(to, message)));
  }

  private moveTo(next: Stage, reason: string | null = null): void {
    const { m } = this;
    m.stage = next;
    m.outcomeReason = reason;
    if (next !== 'in_review') m.record(`stage:${next}`, SYSTEM, reason);
    this.publisher.changed();
  }

  private email(to: Recipient, message: EmailMessage, key?: string): Promise<unknown> {
    return this.emails.send(to, message, key);
  }
}
