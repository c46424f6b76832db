import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ProgramRules } from './program.js';
import type { Stage } from './stages.js';
import type { Actor, EvaluationRatings, MenteeStatus, Recommendation } from './status.js';

export type {
  Actor,
  Decision,
  EvaluationRatings,
  EvaluationStatus,
  InstallmentStatus,
  MenteeStatus,
  Recommendation,
  Role,
} from './status.js';

/** Everything that crosses the process boundary between API, worker and workflow. */
export interface MenteeWorkflowInput {
  applicationId: string;
  rules: ProgramRules;
}

/** A mentor's evaluation as the workflow receives it. */
export interface EvaluationSubmission {
  mentorId: string;
  ratings: EvaluationRatings;
  comments: string;
  outcome: 'pass' | 'fail';
  /** Absent in evaluations sent before recommendations existed: the outcome decides alone. */
  recommendation?: Recommendation;
  /** With `extend`: how many days the evaluation and every later deadline move. */
  extendDays?: number;
}

/** The mentee's evaluation of their mentor and the program, at one of the evaluations. */
export interface MenteeEvaluationSubmission {
  number: number;
  by: Actor;
  ratings: { mentor: number; program: number };
  comments: string;
  shareWithMentor: boolean;
}

/** The program's admin approves (or declines, with a reason) an earned stipend installment. */
export interface InstallmentDecision {
  number: number;
  by: Actor;
  decision: 'approve' | 'decline';
  reason?: string;
}

/** What a message's Update returns; the caller reads the fresh status from the read model, which is flushed first. */
export interface MessageResult {
  /** True when the same message had already been applied; nothing changed. */
  duplicate: boolean;
}

export interface SelectionDecision {
  by: Actor;
  decision: 'select' | 'decline';
  mentor?: { id: string };
  projectTitle?: string;
  reason?: string;
}

/** The answer to "what happens next, who must act and by when", for ops and the `nextStep` query. */
export interface NextStep {
  stage: Stage;
  /** The step the program waits for, e.g. "Mentor submits evaluation 2"; null once the mentorship has ended. */
  what: string | null;
  /** The business deadline of that step (ISO 8601), as in the NextDeadline search attribute. */
  deadline: string | null;
  waitingFor: 'mentee' | 'mentor' | 'admin' | 'ops' | 'nobody';
  /** The durable timer the workflow sleeps on now, e.g. "Remind the mentor of evaluation 2", and when it fires. */
  timer: { summary: string; firesAt: string } | null;
  /** Values of the NeedsAttention search attribute, e.g. "evaluation-overdue", "payment-failed". */
  needsAttention: string[];
}

/** From the program that holds an applicant's acceptance, or that tried to select them too. */
export interface SelectionConflict {
  /** holder: this application holds the acceptance; selector: this program's selection was refused. */
  side: 'holder' | 'selector';
  other: { programId: string; applicationId: string };
}
/** The holder's program is told that another program of the term tried to select its applicant. */
export const selectionConflictSignal = defineSignal<[SelectionConflict]>('selectionConflict');
/** The applicant completed onboarding in another program of the term: this application ends as withdrawn. */
export const acceptedElsewhereSignal =
  defineSignal<[{ programId: string; programName: string }]>('acceptedElsewhere');

/** Ops sent a refused email again (ops/emails.ts) and the provider took it: `originalKey` no longer needs attention. */
export const emailResentSignal = defineSignal<[{ originalKey: string }]>('emailResent');

export const statusQuery = defineQuery<MenteeStatus>('status');
export const nextStepQuery = defineQuery<NextStep>('nextStep');
export const completePrerequisiteUpdate = defineUpdate<MessageResult, [{ prerequisiteId: string }]>(
  'completePrerequisite',
);
export const decideSelectionUpdate = defineUpdate<MessageResult, [SelectionDecision]>('decideSelection');
export const recordPhoneCallUpdate = defineUpdate<MessageResult, [{ by: Actor; note: string }]>(
  'recordPhoneCall',
);
export const completeOnboardingStepUpdate = defineUpdate<MessageResult, [{ stepId: string; by: Actor }]>(
  'completeOnboardingStep',
);
export const recordProgressUpdate = defineUpdate<MessageResult, [{ itemId: string; by: Actor }]>(
  'recordProgress',
);
export const submitEvaluationUpdate = defineUpdate<
  MessageResult,
  [{ number: number } & EvaluationSubmission]
>('submitEvaluation');
export const submitFeedbackSurveyUpdate = defineUpdate<
  MessageResult,
  [{ by: Actor; rating: number; comments: string }]
>('submitFeedbackSurvey');
export const withdrawUpdate = defineUpdate<MessageResult, [{ by: Actor; reason: string }]>('withdraw');
export const terminateUpdate = defineUpdate<MessageResult, [{ by: Actor; reason: string }]>('terminate');
export const extendTermUpdate = defineUpdate<
  MessageResult,
  // requestId: the same request sent twice (a re-run ops command) extends once
  [{ by: Actor; days: number; reason: string; requestId?: string }]
>('extendTerm');

export const submitMenteeEvaluationUpdate = defineUpdate<MessageResult, [MenteeEvaluationSubmission]>(
  'submitMenteeEvaluation',
);
/** An admin re-opens a submitted evaluation, once, with a reason: the mentor submits it again. */
export const reopenEvaluationUpdate = defineUpdate<
  MessageResult,
  [{ number: number; by: Actor; reason: string }]
>('reopenEvaluation');
export const decideInstallmentUpdate = defineUpdate<MessageResult, [InstallmentDecision]>(
  'decideInstallment',
);

/** Ops (or the program admin) retry a stipend payment the provider rejected, after fixing the payee's details. */
export const retryPaymentUpdate = defineUpdate<MessageResult, [{ by: Actor }]>('retryPayment');

/** An admin applies the program's current schedule to a running mentee (programs never change mentees by themselves). */
export const adoptProgramScheduleUpdate = defineUpdate<MessageResult, [{ by: Actor; rules: ProgramRules }]>(
  'adoptProgramSchedule',
);

/** The failure type a payment provider throws (non-retryable) when retrying cannot help, e.g. invalid bank details. */
export const PAYEE_REJECTED = 'PayeeRejected';

/** Failure types a validator raises; the API maps each to an HTTP status. */
export const Rejections = {
  unknownItem: 'UnknownItem',
  wrongStage: 'WrongStage',
  notYourMentee: 'NotYourMentee',
  evaluationNotOpen: 'EvaluationNotOpen',
  evaluationConflict: 'EvaluationConflict',
  invalidRequest: 'InvalidRequest',
} as const;

/**
 * Failure types of the rules that span applications (domain/term.ts); the API answers each with a 409. Kept
 * here, beside Rejections, so the workflow bundle needs no zod.
 */
export const TermRejections = {
  applicationLimit: 'ApplicationLimit',
  oncePerPerson: 'OncePerPerson',
  selectionConflict: 'SelectionConflict',
  capacity: 'CapacityReached',
} as const;
