import type { UpdateDefinition } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailMessage, Recipient } from '../domain/emails.js';
import {
  type Actor,
  adoptProgramScheduleUpdate,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  extendTermUpdate,
  type InstallmentStatus,
  type MenteeStatus,
  type MenteeWorkflowInput,
  type MessageResult,
  type NextStep,
  nextStepQuery,
  PAYEE_REJECTED,
  Rejections,
  recordPhoneCallUpdate,
  recordProgressUpdate,
  retryPaymentUpdate,
  statusQuery,
  submitEvaluationUpdate,
  submitFeedbackSurveyUpdate,
  terminateUpdate,
  withdrawUpdate,
} from '../domain/messages.js';
import { FINAL_STAGES, type Stage } from '../domain/stages.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';
import { showToOps } from './ops-view.js';
import { MenteeState, SYSTEM } from './state.js';
import { type StatusPublisher, statusPublisher } from './status-publisher.js';

const { sendEmail, planStipend, issueLetterOfCompletion } =
  proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);
// A local activity: a quick upsert whose large status argument stays out of history.
const { recordStatus } = proxyLocalActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
// A payment is retried until it lands; the business key makes every attempt the same payment.
const { payStipendInstallment } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '1 hour' },
});

export interface MenteeOutcome {
  stage: Stage;
  reason: string | null;
}

const reject = (type: string, message: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};

/** One mentee's path through one program term, read top to bottom like the program guide. */
export async function menteeWorkflow({ applicationId, rules }: MenteeWorkflowInput): Promise<MenteeOutcome> {
  const m = new MenteeState(applicationId, rules);
  const publisher: StatusPublisher = statusPublisher(
    () => m.status(publisher.version),
    (snapshot: MenteeStatus) =>
      recordStatus.executeWithOptions({ summary: `Record status (${snapshot.stage})` }, [snapshot]),
  );
  const lifecycle = new CancellationScope();
  // Emails started by message handlers; the workflow does not end before they are sent.
  const sideEffects: Promise<unknown>[] = [];
  // set by the withdraw/terminate handlers; `as` keeps TypeScript from narrowing it to null
  let exit = null as { stage: 'withdrawn' | 'terminated'; by: Actor; reason: string } | null;
  // Installments being paid: one the provider rejected waits for ops without holding up later evaluations,
  // and an earned installment is owed even after the mentee withdraws or is terminated.
  const payments: Promise<void>[] = [];
  // payouts sent to the provider and not yet answered
  let inFlight = 0;
  // Installments the provider rejected, until ops fix the payee and send retryPayment.
  const awaitingRetry = new Set<number>();
  // requestIds of extensions granted, so a re-sent request extends once
  const extensionRequests = new Set<string>();
  // The durable timer being waited on, for the UI's current details and the nextStep query.
  let timer: NextStep['timer'] = null;
  // The one place that updates what ops see in the Temporal UI, once per burst of changes.
  void (async () => {
    let shown: [number, NextStep['timer']] = [0, null];
    for (;;) {
      await condition(() => shown[0] !== publisher.version || shown[1] !== timer);
      shown = [publisher.version, timer];
      showToOps(m, timer);
    }
  })();

  const moveTo = (next: Stage, reason: string | null = null) => {
    m.stage = next;
    m.outcomeReason = reason;
    if (next !== 'in_review') m.record(`stage:${next}`, SYSTEM, reason);
    publisher.changed();
  };
  const email = (to: Recipient, message: EmailMessage, key: string = message.kind) =>
    sendEmail.executeWithOptions({ summary: `Email ${to}: ${key}` }, [
      { applicationId, to, idempotencyKey: `${workflowInfo().workflowId}/${key}/${to}`, message },
    ]);
  const changed = () => {
    publisher.changed();
  };

  /** Durable wait until an instant of the (movable) schedule; true if `done` came first. */
  async function waitUntil(deadline: () => string, summary: string, done: () => boolean = () => false) {
    for (;;) {
      if (done()) return true;
      const ms = Date.parse(deadline()) - Date.now();
      if (ms <= 0) return false;
      const version = m.scheduleVersion;
      timer = { summary, firesAt: deadline() };
      await condition(() => done() || m.scheduleVersion !== version, ms, { summary }).finally(() => {
        timer = null;
      });
      if (done()) return true;
      if (m.scheduleVersion === version) return false;
    }
  }

  /** Registers an Update whose handler applies a change and answers once the read model has it. */
  function onMessage<A>(
    update: UpdateDefinition<MessageResult, [A]>,
    validate: (arg: A) => void,
    apply: (arg: A) => boolean,
    settled: () => boolean = () => true,
  ) {
    setHandler(
      update,
      async (arg: A): Promise<MessageResult> => {
        const applied = apply(arg);
        if (applied) changed();
        await condition(settled);
        await publisher.flushed();
        return { duplicate: !applied };
      },
      { validator: validate },
    );
  }
  const requireStage = (action: string, ...stages: Stage[]) => {
    if (!stages.includes(m.stage)) {
      reject(Rejections.wrongStage, `Cannot ${action} while the application is ${m.stage}`);
    }
  };
  const requireItem = (kind: string, items: { id: string }[], id: string) => {
    if (!items.some((i) => i.id === id)) {
      reject(
        Rejections.unknownItem,
        `Program ${rules.programId} has no ${kind} "${id}"; it has: ${items.map((i) => i.id).join(', ') || 'none'}`,
      );
    }
  };

  setHandler(statusQuery, (): MenteeStatus => m.status(publisher.version));
  setHandler(nextStepQuery, (): NextStep => m.nextStep(timer));

  onMessage(
    completePrerequisiteUpdate,
    ({ prerequisiteId }) => {
      requireItem('prerequisite', rules.prerequisites, prerequisiteId);
      if (m.stage !== 'in_review') {
        reject(
          Rejections.wrongStage,
          `The review window closed at ${rules.reviewClosesAt}; prerequisites can no longer be completed (stage: ${m.stage})`,
        );
      }
    },
    ({ prerequisiteId }) => addOnce(m.prerequisitesDone, prerequisiteId),
  );

  onMessage(
    decideSelectionUpdate,
    (d) => {
      if (m.selection && sameSelection(m.selection, d)) return;
      requireStage('decide on selection', 'awaiting_selection');
      if (d.decision === 'select' && (!d.mentor?.id || !d.projectTitle)) {
        reject(Rejections.invalidRequest, 'Selecting an applicant needs a mentor and a project title');
      }
    },
    (d) => {
      if (m.selection) return false;
      m.selection = {
        decision: d.decision,
        mentorId: d.mentor?.id ?? null,
        projectTitle: d.projectTitle ?? null,
        reason: d.reason ?? null,
        decidedAt: new Date().toISOString(),
      };
      m.record(d.decision === 'select' ? 'selected' : 'declined', d.by, d.reason ?? d.projectTitle ?? null);
      return true;
    },
    () => m.stage !== 'awaiting_selection',
  );

  onMessage(
    recordPhoneCallUpdate,
    () => {
      if (!m.selection)
        reject(Rejections.wrongStage, 'There is no selection result to tell the applicant yet');
    },
    ({ by, note }) => {
      // a retried request records the same call once
      if (
        m.decisions.some(
          (d) => d.action === 'told-by-phone' && d.by.userId === by.userId && d.detail === note,
        )
      ) {
        return false;
      }
      m.phoneCallRecordedAt ??= new Date().toISOString();
      m.record('told-by-phone', by, note);
      return true;
    },
  );

  onMessage(
    completeOnboardingStepUpdate,
    ({ stepId }) => {
      requireItem('onboarding step', rules.onboardingSteps, stepId);
      if (!m.onboardingDone.has(stepId)) requireStage('complete onboarding steps', 'onboarding');
    },
    ({ stepId, by }) => {
      if (!addOnce(m.onboardingDone, stepId)) return false;
      m.record(`onboarding:${stepId}`, by);
      return true;
    },
    () => m.stage !== 'onboarding' || m.openOnboardingSteps().length > 0,
  );

  onMessage(
    recordProgressUpdate,
    ({ itemId }) => {
      requireItem('participation item', rules.participation, itemId);
      if (!m.participationDone.has(itemId)) requireStage('record progress', 'active');
    },
    ({ itemId, by }) => {
      if (!addOnce(m.participationDone, itemId)) return false;
      m.record(`progress:${itemId}`, by);
      return true;
    },
  );

  onMessage(
    submitEvaluationUpdate,
    (submission) => {
      const { number, mentorId } = submission;
      if (!m.schedule.evaluations.some((e) => e.number === number)) {
        reject(
          Rejections.unknownItem,
          `Program ${rules.programId} has evaluations 1-${rules.evaluations.length}, not ${number}`,
        );
      }
      if (m.selection?.mentorId !== mentorId) {
        reject(Rejections.notYourMentee, `Only this mentee's own mentor may submit evaluations`);
      }
      const earlier = m.evaluations.get(number);
      if (earlier) {
        if (sameEvaluation(earlier, submission)) return;
        reject(
          Rejections.evaluationConflict,
          `Evaluation ${number} was already submitted at ${earlier.submittedAt} with other answers`,
        );
      }
      requireStage('submit evaluations', 'active');
      const current = m.currentEvaluation();
      if (current !== number) {
        reject(
          Rejections.evaluationNotOpen,
          `Evaluation ${number} is not due; the evaluation due now is ${current ?? 'none'}`,
        );
      }
      const { opensAt } = m.evaluation(number);
      if (Date.now() < Date.parse(opensAt)) {
        reject(Rejections.evaluationNotOpen, `Evaluation ${number} opens at ${opensAt}`);
      }
    },
    ({ number, mentorId, ratings, comments, outcome }) => {
      if (m.evaluations.has(number)) return false;
      m.evaluations.set(number, {
        mentorId,
        ratings,
        comments,
        outcome,
        submittedAt: new Date().toISOString(),
      });
      m.record(`evaluation:${number}:${outcome}`, { userId: mentorId, role: 'mentor' }, comments || null);
      return true;
    },
  );

  onMessage(
    submitFeedbackSurveyUpdate,
    () => {
      if (!m.feedback) requireStage('submit the feedback survey', 'active');
    },
    ({ by, rating, comments }) => {
      if (m.feedback) return false;
      m.feedback = { rating, comments, submittedAt: new Date().toISOString() };
      m.record('feedback-survey', by);
      return true;
    },
  );

  onMessage(
    extendTermUpdate,
    ({ days, requestId }) => {
      if (requestId !== undefined && extensionRequests.has(requestId)) return;
      requireStage('extend the term', 'onboarding', 'active');
      if (m.extensionDays + days > rules.maxExtensionDays) {
        reject(
          Rejections.invalidRequest,
          `The program allows at most ${rules.maxExtensionDays} days of extension; ${m.extensionDays} already granted`,
        );
      }
    },
    ({ days, by, reason, requestId }) => {
      if (requestId !== undefined) {
        if (extensionRequests.has(requestId)) return false;
        extensionRequests.add(requestId);
      }
      m.extend(days, Date.now());
      m.record('extended', by, `${days} days: ${reason}`);
      const key = `term-extended-${m.scheduleVersion}`;
      const message = { kind: 'term-extended' as const, days, termEndsAt: m.schedule.termEndsAt };
      sideEffects.push(email('mentee', message, key));
      if (m.selection?.mentorId) sideEffects.push(email('mentor', message, key));
      return true;
    },
  );

  onMessage(
    adoptProgramScheduleUpdate,
    ({ rules: newer }) => {
      requireStage('change the schedule', 'awaiting_selection', 'onboarding', 'active');
      if (newer.programId !== rules.programId || newer.evaluations.length !== rules.evaluations.length) {
        reject(
          Rejections.invalidRequest,
          'The new rules must be for the same program, with the same number of evaluations',
        );
      }
    },
    ({ by, rules: newer }) => {
      if (!m.adoptSchedule(newer)) return false;
      m.record('schedule-adopted', by, `term ends ${m.schedule.termEndsAt}`);
      return true;
    },
  );

  onMessage(
    retryPaymentUpdate,
    () => {},
    ({ by }) => {
      // nothing rejected, or a retry already under way: a harmless repeat
      const waiting = [...awaitingRetry];
      for (const n of waiting) {
        awaitingRetry.delete(n);
        m.record(`stipend:${n}:retry`, by);
      }
      return waiting.length > 0;
    },
  );

  for (const [update, stage] of [
    [withdrawUpdate, 'withdrawn'],
    [terminateUpdate, 'terminated'],
  ] as const) {
    onMessage(
      update,
      () => {
        if (exit?.stage === stage) return;
        if (FINAL_STAGES.has(m.stage))
          reject(Rejections.wrongStage, `The application has already ended (${m.stage})`);
      },
      ({ by, reason }) => {
        if (exit) return false;
        exit = { stage, by, reason };
        lifecycle.cancel();
        return true;
      },
      () => FINAL_STAGES.has(m.stage),
    );
  }

  try {
    await lifecycle.run(runLifecycle);
  } catch (error) {
    if (!(exit && isCancellation(error))) throw error;
  }
  if (exit) await end(exit.stage, exit.reason, exit.by);
  // the workflow stays open until every earned installment is paid, however long ops take to fix a payee
  await Promise.all(payments);
  await Promise.all(sideEffects);
  await publisher.flushed();
  await condition(allHandlersFinished);
  log.info('Mentee workflow finished', { stage: m.stage, reason: m.outcomeReason });
  return { stage: m.stage, reason: m.outcomeReason };

  async function runLifecycle(): Promise<void> {
    moveTo('in_review');
    await email('mentee', {
      kind: 'application-received',
      reviewClosesAt: rules.reviewClosesAt,
      openPrerequisites: m.openPrerequisites().map((p) => p.title),
    });

    // 1. Review: at least two weeks; applicants with open prerequisites get a reminder.
    if (rules.reviewReminderAt && !(await waitUntil(() => rules.reviewReminderAt!, 'Review reminder due'))) {
      if (m.openPrerequisites().length > 0) {
        await email('mentee', {
          kind: 'review-reminder',
          reviewClosesAt: rules.reviewClosesAt,
          openPrerequisites: m.openPrerequisites().map((p) => p.title),
        });
      }
    }
    await waitUntil(() => rules.reviewClosesAt, 'Review window closes');
    const missing = m.openPrerequisites();
    if (missing.length > 0) {
      moveTo('not_accepted', `Prerequisites not completed: ${missing.map((p) => p.id).join(', ')}`);
      await email('mentee', { kind: 'not-accepted', missingPrerequisites: missing.map((p) => p.title) });
      return;
    }

    // 2. Selection: a mentor or admin decides; silence until the deadline means not selected.
    moveTo('awaiting_selection');
    if (
      !(await waitUntil(
        () => m.schedule.selectionDeadline,
        'Selection deadline',
        () => m.selection !== null,
      ))
    ) {
      moveTo('not_selected', 'No selection decision by the selection deadline');
      await email('mentee', { kind: 'not-selected' });
      return;
    }
    if (m.selection!.decision === 'decline') {
      moveTo('declined', m.selection!.reason ?? 'Declined by the mentors');
      await email('mentee', { kind: 'declined', reason: m.selection!.reason });
      return;
    }

    // 3. Onboarding: contract and HR steps before the deadline, or the offer lapses.
    moveTo('onboarding');
    await email('mentee', {
      kind: 'selected',
      projectTitle: m.selection!.projectTitle!,
      onboardingDeadline: m.schedule.onboardingDeadline,
      onboardingSteps: m.openOnboardingSteps().map((s) => s.title),
    });
    const onboarded = await waitUntil(
      () => m.schedule.onboardingDeadline,
      'Onboarding deadline',
      () => m.openOnboardingSteps().length === 0,
    );
    if (!onboarded) {
      const open = m.openOnboardingSteps();
      moveTo('offer_lapsed', `Onboarding not completed by the deadline: ${open.map((s) => s.id).join(', ')}`);
      const message = { kind: 'offer-lapsed' as const, missingSteps: open.map((s) => s.title) };
      await Promise.all([email('mentee', message), email('admin', message)]);
      return;
    }
    const plan = await planStipend.executeWithOptions({ summary: 'Plan the stipend installments' }, [
      { applicationId, stipend: rules.stipend },
    ]);
    for (const installment of m.installments) {
      installment.amountCents = plan.find((p) => p.number === installment.number)!.amountCents;
    }
    moveTo('active');
    await email('mentee', {
      kind: 'onboarding-complete',
      termStartsAt: m.schedule.termStartsAt,
      firstEvaluationDueAt: m.evaluation(1).dueAt,
    });

    // 4-5. Evaluations; a stipend installment follows the ones the program pays after.
    for (const { number } of rules.evaluations) {
      const result = await evaluation(number);
      const installment = m.installments.find((i) => i.afterEvaluation === number);
      if (installment && (result === 'pass' || rules.stipend.payOnFailedEvaluation)) {
        const { number: n } = installment;
        payments.push(CancellationScope.nonCancellable(() => payInstallment(n)));
      }
      if (result !== 'pass') {
        const reason =
          result === 'missed'
            ? `Evaluation ${number} was not submitted in time`
            : `Evaluation ${number} failed`;
        await end('terminated', reason, SYSTEM);
        return;
      }
    }

    // 6. Completion: every task, milestone and exam, and the feedback survey.
    const completed = await waitUntil(
      () => m.schedule.completionDeadline,
      'Completion deadline',
      () => m.completionRequirementsMet(),
    );
    if (!completed) {
      const open = [...m.openParticipation().map((p) => p.id), ...(m.feedback ? [] : ['feedback-survey'])];
      await end('terminated', `Completion requirements not met: ${open.join(', ')}`, SYSTEM);
      return;
    }
    const { verificationCode } = await issueLetterOfCompletion.executeWithOptions(
      { summary: 'Render the Letter of Completion' },
      [
        {
          applicationId,
          issuedAt: new Date().toISOString(),
          termStartsAt: m.schedule.termStartsAt,
          termEndsAt: m.schedule.termEndsAt,
        },
      ],
    );
    m.certificateCode = verificationCode;
    moveTo('completed');
    await email('mentee', { kind: 'letter-of-completion', verificationCode });
  }

  /** Waits for evaluation `number`: reminder before, admin alert after the due date, then the program's policy. */
  async function evaluation(number: number): Promise<'pass' | 'fail' | 'missed'> {
    const submitted = () => m.evaluations.has(number);
    const remindAt = () => m.evaluation(number).remindAt ?? m.evaluation(number).dueAt;
    if (!(await waitUntil(remindAt, `Remind the mentor of evaluation ${number}`, submitted))) {
      await email(
        'mentor',
        { kind: 'evaluation-reminder', evaluation: number, dueAt: m.evaluation(number).dueAt },
        `evaluation-reminder-${number}`,
      );
    }
    if (!(await waitUntil(() => m.evaluation(number).dueAt, `Evaluation ${number} due`, submitted))) {
      m.overdue.add(number);
      changed();
      const graceEndsAt = m.graceEndsAt(number);
      await email(
        'admin',
        { kind: 'evaluation-overdue', evaluation: number, dueAt: m.evaluation(number).dueAt, graceEndsAt },
        `evaluation-overdue-${number}`,
      );
      const inGrace = graceEndsAt
        ? await waitUntil(() => m.graceEndsAt(number)!, `Evaluation ${number} grace period ends`, submitted)
        : await condition(submitted).then(() => true);
      if (!inGrace) {
        m.missed.add(number);
        m.record(`evaluation:${number}:missed`, SYSTEM);
        changed();
        return 'missed';
      }
    }
    return m.evaluations.get(number)!.outcome;
  }

  async function payInstallment(number: number): Promise<void> {
    const installment = m.installments.find((i) => i.number === number)!;
    const approvedAt = new Date().toISOString();
    let paidAt: string;
    for (let attempt = 0; ; attempt++) {
      try {
        inFlight++;
        ({ paidAt } = await payStipendInstallment
          .executeWithOptions(
            {
              summary: `Pay installment ${number} of ${m.installments.length}${attempt ? ` (retry ${attempt})` : ''}`,
            },
            [
              {
                applicationId,
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
            inFlight--;
          }));
        break;
      } catch (error) {
        const reason = payeeRejection(error);
        if (reason === null) throw error;
        await paymentRejected(installment, reason, attempt);
      }
    }
    installment.state = 'paid';
    installment.paidAt = paidAt;
    m.record(`stipend:${number}:paid`, SYSTEM, `${installment.amountCents} ${installment.currency}`);
    changed();
    await email(
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
  async function paymentRejected(
    installment: InstallmentStatus,
    reason: string,
    attempt: number,
  ): Promise<void> {
    installment.state = 'payment-failed';
    awaitingRetry.add(installment.number);
    m.record(`stipend:${installment.number}:rejected`, SYSTEM, reason);
    changed();
    sideEffects.push(
      email(
        'admin',
        {
          kind: 'payment-failed',
          installment: installment.number,
          of: m.installments.length,
          reason,
          applicationId,
        },
        `payment-failed-${installment.number}-${attempt + 1}`,
      ),
    );
    // no timer: the installment stays owed until ops act (the NeedsAttention search attribute lists it)
    await condition(() => !awaitingRetry.has(installment.number));
    installment.state = 'scheduled';
    changed();
  }

  /** Terminated or withdrawn: everyone involved hears it, once. */
  async function end(stage: 'terminated' | 'withdrawn', reason: string, by: Actor): Promise<void> {
    // a payout the provider is handling lands (or is refused) before the unpaid rest is forfeited
    await condition(() => inFlight === 0);
    if (by !== SYSTEM) m.record(stage, by, reason);
    for (const unpaid of m.installments.filter((i) => i.state === 'scheduled')) unpaid.state = 'forfeited';
    moveTo(stage, reason);
    const message = { kind: 'mentorship-ended' as const, outcome: stage, reason };
    const recipients: Recipient[] =
      m.selection?.decision === 'select' ? ['mentee', 'mentor', 'admin'] : ['mentee', 'admin'];
    await Promise.all(recipients.map((to) => email(to, message)));
  }
}

/** The provider's reason when it rejected a payout for good (nothing paid), else null. */
function payeeRejection(error: unknown): string | null {
  const cause = error instanceof ActivityFailure ? error.cause : null;
  return cause instanceof ApplicationFailure && cause.type === PAYEE_REJECTED ? cause.message : null;
}

function addOnce(set: Set<string>, id: string): boolean {
  if (set.has(id)) return false;
  set.add(id);
  return true;
}

function sameSelection(
  earlier: { decision: string; mentorId: string | null; projectTitle: string | null },
  d: { decision: string; mentor?: { id: string }; projectTitle?: string },
): boolean {
  return (
    earlier.decision === d.decision &&
    earlier.mentorId === (d.mentor?.id ?? null) &&
    earlier.projectTitle === (d.projectTitle ?? null)
  );
}

function sameEvaluation(
  a: { ratings: object; comments: string; outcome: string },
  b: { ratings: object; comments: string; outcome: string },
): boolean {
  return (
    a.outcome === b.outcome &&
    a.comments === b.comments &&
    JSON.stringify(a.ratings) === JSON.stringify(b.ratings)
  );
}
