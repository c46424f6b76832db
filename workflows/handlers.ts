import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { EmailMessage, Recipient } from '../domain/emails.js';
import {
  type Actor,
  adoptProgramScheduleUpdate,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideInstallmentUpdate,
  decideSelectionUpdate,
  type EvaluationSubmission,
  extendTermUpdate,
  type MessageResult,
  Rejections,
  recordPhoneCallUpdate,
  recordProgressUpdate,
  reopenEvaluationUpdate,
  retryPaymentUpdate,
  submitEvaluationUpdate,
  submitFeedbackSurveyUpdate,
  submitMenteeEvaluationUpdate,
  terminateUpdate,
  withdrawUpdate,
} from '../domain/messages.js';
import type { ProgramRules } from '../domain/program.js';
import { FINAL_STAGES, type Stage } from '../domain/stages.js';
import type { ExitRequest, MenteeState } from './state.js';

/** What a message sets going beyond the state; the workflow supplies it, a unit test a fake. */
export interface MessageEffects {
  /** Sends an email in the background; the workflow waits for it before it ends. */
  email(to: Recipient, message: EmailMessage, key: string): void;
  /** Releases the installments the provider rejected to be paid again, and returns their numbers. */
  retryRejectedPayments(): number[];
  /** Cancels the lifecycle; the workflow then ends the mentorship as `state.exit` says. */
  stopLifecycle(): void;
  /** Takes the applicant's seat in the term for a selection, or throws the rule that refused it. */
  claimSeat(mentorId: string, by: Actor): Promise<void> | undefined;
}

/** One Update: its validator, its change to the state, and when its answer may go back. */
export interface MessageHandler<A> {
  update: UpdateDefinition<MessageResult, [A]>;
  /** Throws a Rejection for a message that must not be applied; a repeat of an applied one passes. */
  validate(m: MenteeState, arg: A): void;
  /** Checks what needs I/O before the message may be applied (e.g. the term's rules); throws to refuse it. */
  admit?(m: MenteeState, arg: A, effects: MessageEffects): Promise<void> | undefined;
  /** Applies the message; false for a repeat, which changes nothing. */
  apply(m: MenteeState, arg: A, effects: MessageEffects): boolean;
  /** The answer waits until this holds, i.e. the workflow has acted on the change (default: at once). */
  settled?(m: MenteeState): boolean;
}

const on = <A>(
  update: UpdateDefinition<MessageResult, [A]>,
  handler: Omit<MessageHandler<A>, 'update'>,
): MessageHandler<A> => ({ update, ...handler });

const reject = (type: string, message: string): never => {
  throw ApplicationFailure.nonRetryable(message, type);
};
/** A re-opened evaluation gives the mentor at least this long to submit it again. */
const REOPEN_DAYS = 7;

/** A 422 naming the field, as the API's own validation does. */
const invalidField = (path: string, message: string): never => {
  throw ApplicationFailure.create({
    message: `${path}: ${message}`,
    type: Rejections.invalidRequest,
    nonRetryable: true,
    details: [{ errors: [{ path, message }] }],
  });
};

const cannot = (action: string) => (m: MenteeState) => `Cannot ${action} while the application is ${m.stage}`;

const requireStage = (m: MenteeState, action: string, ...stages: Stage[]) => {
  if (!stages.includes(m.stage)) reject(Rejections.wrongStage, cannot(action)(m));
};

const requireItem = (m: MenteeState, kind: string, items: readonly { id: string }[], id: string) => {
  if (!items.some((i) => i.id === id)) {
    reject(
      Rejections.unknownItem,
      `Program ${m.rules.programId} has no ${kind} "${id}"; it has: ${items.map((i) => i.id).join(', ') || 'none'}`,
    );
  }
};

/** A list of the rules a mentee works through one item at a time: prerequisites, onboarding steps, progress. */
export interface Checklist<A> {
  /** the item a message completes */
  id(arg: A): string;
  /** what a rejection calls an item, e.g. "onboarding step" */
  kind: string;
  items(rules: ProgramRules): readonly { id: string }[];
  done(m: MenteeState): Set<string>;
  /** the only stage in which an item can be completed */
  stage: Stage;
  /** the rejection of an item outside that stage */
  wrongStage(m: MenteeState): string;
  /** `duplicate`: a repeat of a completed item is answered as one in any stage; `refused`: like a new item */
  repeatsOutOfStage: 'duplicate' | 'refused';
  /** the audit-trail action, recorded as `<action>:<id>` by the sender; null: not in the audit trail */
  audit: { action: string; by(arg: A): Actor } | null;
  settled?(m: MenteeState): boolean;
}

/** The handler for completing an item of a checklist: known items only, in its stage, each once. */
export function checklist<A>(
  update: UpdateDefinition<MessageResult, [A]>,
  c: Checklist<A>,
): MessageHandler<A> {
  return {
    update,
    validate(m, arg) {
      const id = c.id(arg);
      requireItem(m, c.kind, c.items(m.rules), id);
      if (m.stage === c.stage) return;
      if (c.repeatsOutOfStage === 'duplicate' && c.done(m).has(id)) return;
      reject(Rejections.wrongStage, c.wrongStage(m));
    },
    apply(m, arg) {
      if (!addOnce(c.done(m), c.id(arg))) return false;
      if (c.audit) m.record(`${c.audit.action}:${c.id(arg)}`, c.audit.by(arg));
      return true;
    },
    settled: c.settled,
  };
}

/** Withdrawal and termination: the first one ends the mentorship; the lifecycle stops at once. */
const ending = (
  update: UpdateDefinition<MessageResult, [{ by: Actor; reason: string }]>,
  stage: ExitRequest['stage'],
) =>
  on(update, {
    validate(m) {
      if (m.exit?.stage === stage) return;
      if (FINAL_STAGES.has(m.stage))
        reject(Rejections.wrongStage, `The application has already ended (${m.stage})`);
    },
    apply(m, { by, reason }, effects) {
      if (m.exit) return false;
      m.exit = { stage, by, reason };
      effects.stopLifecycle();
      return true;
    },
    settled: (m) => FINAL_STAGES.has(m.stage),
  });

/** Every message a mentee's workflow takes, registered in this order. */
export const messageHandlers = {
  completePrerequisite: checklist(completePrerequisiteUpdate, {
    id: (arg) => arg.prerequisiteId,
    kind: 'prerequisite',
    items: (rules) => rules.prerequisites,
    done: (m) => m.prerequisitesDone,
    stage: 'in_review',
    wrongStage: (m) =>
      `The review window closed at ${m.rules.reviewClosesAt}; prerequisites can no longer be completed (stage: ${m.stage})`,
    // the review decided on what was done when the window closed
    repeatsOutOfStage: 'refused',
    audit: null,
  }),

  decideSelection: on(decideSelectionUpdate, {
    validate(m, d) {
      if (m.selection && sameSelection(m.selection, d)) return;
      requireStage(m, 'decide on selection', 'awaiting_selection');
      if (m.selection) {
        reject(
          Rejections.wrongStage,
          `The applicant was already ${m.selection.decision === 'select' ? 'selected' : 'declined'} at ${m.selection.decidedAt}; the result is announced at ${m.announcementAt()}`,
        );
      }
      if (d.decision === 'select' && (!d.mentor?.id || !d.projectTitle)) {
        reject(Rejections.invalidRequest, 'Selecting an applicant needs a mentor and a project title');
      }
    },
    // the term's rules need Postgres: a refused selection fails this Update with a 409 naming the rule
    admit: (_m, d, effects) =>
      d.decision === 'select' && d.mentor ? effects.claimSeat(d.mentor.id, d.by) : undefined,
    apply(m, d) {
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
    // answered once the workflow acted on it, or at once when the result waits for the announcement
    settled: (m) => m.stage !== 'awaiting_selection' || m.resultPending(),
  }),

  recordPhoneCall: on(recordPhoneCallUpdate, {
    validate(m) {
      if (!m.selection)
        reject(Rejections.wrongStage, 'There is no selection result to tell the applicant yet');
      if (m.resultPending())
        reject(
          Rejections.wrongStage,
          `The result is announced at ${m.announcementAt()}; tell the applicant then`,
        );
    },
    apply(m, { by, note }) {
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
  }),

  completeOnboardingStep: checklist(completeOnboardingStepUpdate, {
    id: (arg) => arg.stepId,
    kind: 'onboarding step',
    items: (rules) => rules.onboardingSteps,
    done: (m) => m.onboardingDone,
    stage: 'onboarding',
    wrongStage: cannot('complete onboarding steps'),
    repeatsOutOfStage: 'duplicate',
    audit: { action: 'onboarding', by: (arg) => arg.by },
    // the last step moves the mentee to active before the answer goes back
    settled: (m) => m.stage !== 'onboarding' || m.openOnboardingSteps().length > 0,
  }),

  recordProgress: checklist(recordProgressUpdate, {
    id: (arg) => arg.itemId,
    kind: 'participation item',
    items: (rules) => rules.participation,
    done: (m) => m.participationDone,
    stage: 'active',
    wrongStage: cannot('record progress'),
    repeatsOutOfStage: 'duplicate',
    audit: { action: 'progress', by: (arg) => arg.by },
  }),

  submitEvaluation: on(submitEvaluationUpdate, {
    validate(m, submission) {
      const { number, mentorId } = submission;
      if (!m.schedule.evaluations.some((e) => e.number === number)) {
        reject(
          Rejections.unknownItem,
          `Program ${m.rules.programId} has evaluations 1-${m.rules.evaluations.length}, not ${number}`,
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
      requireStage(m, 'submit evaluations', 'active');
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
      checkRecommendation(m, submission);
    },
    apply(m, { number, mentorId, ratings, comments, outcome, recommendation, extendDays }) {
      if (m.evaluations.has(number)) return false;
      m.evaluations.set(number, {
        mentorId,
        ratings,
        comments,
        outcome,
        // only where sent, so evaluations from before recommendations keep their recorded shape
        ...(recommendation && { recommendation }),
        ...(extendDays !== undefined && { extendDays }),
        submittedAt: new Date().toISOString(),
      });
      m.record(`evaluation:${number}:${outcome}`, { userId: mentorId, role: 'mentor' }, comments || null);
      return true;
    },
  }),

  submitFeedbackSurvey: on(submitFeedbackSurveyUpdate, {
    validate(m) {
      if (!m.feedback) requireStage(m, 'submit the feedback survey', 'active');
    },
    apply(m, { by, rating, comments }) {
      if (m.feedback) return false;
      m.feedback = { rating, comments, submittedAt: new Date().toISOString() };
      m.record('feedback-survey', by);
      return true;
    },
  }),

  extendTerm: on(extendTermUpdate, {
    validate(m, { days, requestId }) {
      if (requestId !== undefined && m.extensionRequests.has(requestId)) return;
      requireStage(m, 'extend the term', 'onboarding', 'active');
      if (m.extensionDays + days > m.rules.maxExtensionDays) {
        reject(
          Rejections.invalidRequest,
          `The program allows at most ${m.rules.maxExtensionDays} days of extension; ${m.extensionDays} already granted`,
        );
      }
    },
    apply(m, { days, by, reason, requestId }, effects) {
      if (requestId !== undefined) {
        if (m.extensionRequests.has(requestId)) return false;
        m.extensionRequests.add(requestId);
      }
      m.extend(days, Date.now());
      m.record('extended', by, `${days} days: ${reason}`);
      const key = `term-extended-${m.scheduleVersion}`;
      const message = { kind: 'term-extended' as const, days, termEndsAt: m.schedule.termEndsAt };
      effects.email('mentee', message, key);
      if (m.selection?.mentorId) effects.email('mentor', message, key);
      return true;
    },
  }),

  adoptProgramSchedule: on(adoptProgramScheduleUpdate, {
    validate(m, { rules: newer }) {
      requireStage(m, 'change the schedule', 'awaiting_selection', 'onboarding', 'active');
      if (newer.programId !== m.rules.programId || newer.evaluations.length !== m.rules.evaluations.length) {
        reject(
          Rejections.invalidRequest,
          'The new rules must be for the same program, with the same number of evaluations',
        );
      }
    },
    apply(m, { by, rules: newer }) {
      if (!m.adoptSchedule(newer)) return false;
      m.record('schedule-adopted', by, `term ends ${m.schedule.termEndsAt}`);
      return true;
    },
  }),

  retryPayment: on(retryPaymentUpdate, {
    validate() {},
    apply(m, { by }, effects) {
      // nothing rejected, or a retry already under way: a harmless repeat
      const waiting = effects.retryRejectedPayments();
      for (const n of waiting) m.record(`stipend:${n}:retry`, by);
      return waiting.length > 0;
    },
  }),

  withdraw: ending(withdrawUpdate, 'withdrawn'),
  terminate: ending(terminateUpdate, 'terminated'),

  submitMenteeEvaluation: on(submitMenteeEvaluationUpdate, {
    validate(m, { number, ratings, comments, shareWithMentor }) {
      if (!m.schedule.evaluations.some((e) => e.number === number)) {
        reject(
          Rejections.unknownItem,
          `Program ${m.rules.programId} has evaluations 1-${m.rules.evaluations.length}, not ${number}`,
        );
      }
      const earlier = m.menteeEvaluations.get(number);
      if (earlier) {
        const same =
          earlier.comments === comments &&
          earlier.sharedWithMentor === shareWithMentor &&
          JSON.stringify(earlier.ratings) === JSON.stringify(ratings);
        if (same) return;
        reject(
          Rejections.evaluationConflict,
          `Your evaluation ${number} was already submitted at ${earlier.submittedAt} with other answers`,
        );
      }
      requireStage(m, 'evaluate the mentor and the program', 'active');
      const { opensAt } = m.evaluation(number);
      if (Date.now() < Date.parse(opensAt)) {
        reject(Rejections.evaluationNotOpen, `Evaluation ${number} opens at ${opensAt}`);
      }
    },
    apply(m, { number, by, ratings, comments, shareWithMentor }) {
      if (m.menteeEvaluations.has(number)) return false;
      m.menteeEvaluations.set(number, {
        ratings,
        comments,
        sharedWithMentor: shareWithMentor,
        submittedAt: new Date().toISOString(),
      });
      m.record(`mentee-evaluation:${number}`, by, shareWithMentor ? 'shared with the mentor' : null);
      return true;
    },
  }),

  reopenEvaluation: on(reopenEvaluationUpdate, {
    validate(m, { number }) {
      if (!m.rules.evaluationPolicy) {
        reject(Rejections.invalidRequest, 'This mentee started before evaluations could be re-opened');
      }
      requireStage(m, 're-open an evaluation', 'active');
      if (m.reopened.has(number) && !m.evaluations.has(number)) return;
      if (!m.evaluations.has(number)) {
        reject(Rejections.wrongStage, `Evaluation ${number} has not been submitted`);
      }
      if (m.reopened.has(number))
        reject(Rejections.wrongStage, `Evaluation ${number} was re-opened once already`);
      const later = [...m.evaluations.keys()].filter((n) => n > number);
      if (later.length > 0) {
        reject(
          Rejections.wrongStage,
          `Evaluation ${Math.max(...later)} came after it; only the latest can be re-opened`,
        );
      }
      const installment = m.installments.find((i) => i.afterEvaluation === number);
      if (installment && !['scheduled', 'awaiting-approval', 'declined'].includes(installment.state)) {
        reject(
          Rejections.wrongStage,
          `Installment ${installment.number}, earned by evaluation ${number}, is ${installment.state}`,
        );
      }
    },
    apply(m, { number, by, reason }) {
      if (m.reopened.has(number) && !m.evaluations.has(number)) return false;
      m.reopenEvaluation(number, REOPEN_DAYS, Date.now());
      m.record(`evaluation:${number}:reopened`, by, reason);
      return true;
    },
    settled: (m) => m.reopenRequest === null,
  }),

  decideInstallment: on(decideInstallmentUpdate, {
    validate(m, { number, decision }) {
      if (m.rules.stipendApproval?.mode !== 'admin') {
        reject(Rejections.invalidRequest, `Program ${m.rules.programId} pays installments without approval`);
      }
      const installment = m.installments.find((i) => i.number === number);
      if (!installment) {
        reject(
          Rejections.unknownItem,
          `The stipend has installments 1-${m.installments.length}, not ${number}`,
        );
      }
      const { state } = installment!;
      if (decision === 'approve' && ['approved', 'paid', 'payment-failed'].includes(state)) return;
      if (decision === 'decline' && state === 'declined') return;
      if (state === 'awaiting-approval' || (state === 'declined' && decision === 'approve')) return;
      reject(
        Rejections.wrongStage,
        state === 'scheduled' || state === 'forfeited'
          ? `Installment ${number} is ${state === 'scheduled' ? 'not earned yet' : 'forfeited'}`
          : `Installment ${number} is ${state}; it can no longer be ${decision === 'approve' ? 'approved' : 'declined'}`,
      );
    },
    apply(m, { number, by, decision, reason }, effects) {
      const installment = m.installments.find((i) => i.number === number)!;
      const next = decision === 'approve' ? 'approved' : 'declined';
      if (installment.state !== 'awaiting-approval' && installment.state !== 'declined') return false;
      if (installment.state === next) return false;
      installment.state = next;
      m.record(`stipend:${number}:${next}`, by, reason ?? null);
      if (next === 'approved') {
        effects.email(
          'mentee',
          {
            kind: 'payment-approved',
            installment: number,
            of: m.installments.length,
            amountCents: installment.amountCents!,
            currency: installment.currency,
          },
          `payment-approved-${number}`,
        );
      }
      return true;
    },
  }),
};

/** A recommendation the program allows: a pass with the ratings it asks, an extension within its maximum. */
function checkRecommendation(m: MenteeState, s: EvaluationSubmission & { number: number }): void {
  if (!s.recommendation || !m.rules.evaluationPolicy) return;
  const minimum = m.rules.evaluationPolicy.passMinimumRating;
  if (s.recommendation === 'pass' && minimum !== null) {
    const low = Object.entries(s.ratings).filter(([, rating]) => rating < minimum);
    if (low.length > 0) {
      invalidField(
        'recommendation',
        `a pass needs every rating at least ${minimum}; ${low.map(([area, rating]) => `${area} is ${rating}`).join(', ')}`,
      );
    }
  }
  if (s.recommendation === 'extend') {
    const left = m.rules.maxExtensionDays - m.extensionDays;
    if (!s.extendDays || s.extendDays < 1) invalidField('extendDays', 'an extension needs a number of days');
    if (s.extendDays! > left) {
      invalidField(
        'extendDays',
        `the program allows ${m.rules.maxExtensionDays} days of extension in all; ${left} are left`,
      );
    }
  }
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

function sameEvaluation(a: EvaluationSubmission, b: EvaluationSubmission): boolean {
  return (
    a.outcome === b.outcome &&
    a.recommendation === b.recommendation &&
    a.extendDays === b.extendDays &&
    a.comments === b.comments &&
    JSON.stringify(a.ratings) === JSON.stringify(b.ratings)
  );
}
