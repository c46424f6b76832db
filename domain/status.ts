import { z } from 'zod';
import { STAGES } from './stages.js';

// The read-model documents, declared once: the workflow writes them, the API validates and documents them,
// the dashboards read them. Plain zod (no Node code); workflow code imports only their types.

/** Who signs in: the roles a bearer token carries. */
export const USER_ROLES = ['mentee', 'mentor', 'admin', 'ops'] as const;
export type UserRole = (typeof USER_ROLES)[number];
/** Who acts in an audit trail: a signed-in user, or the workflow itself. */
export const ROLES = [...USER_ROLES, 'system'] as const;
export type Role = (typeof ROLES)[number];

export const Actor = z.object({ userId: z.string(), role: z.enum(ROLES) });
/** Who did something, for the audit trail: a user id and the role they acted in. */
export type Actor = z.infer<typeof Actor>;

export const Decision = z.object({
  action: z.string(),
  by: Actor,
  at: z.string(),
  detail: z.string().nullable(),
});
export type Decision = z.infer<typeof Decision>;

const Rating = z.int().min(1).max(5);
/** The seed's three focus areas, 1-5 each. */
export const EvaluationRatings = z.object({
  tasksAndMilestones: Rating,
  engagement: Rating,
  progressAgainstPlan: Rating,
});
export type EvaluationRatings = z.infer<typeof EvaluationRatings>;

export const EVALUATION_STATES = ['upcoming', 'open', 'overdue', 'passed', 'failed', 'missed'] as const;
/** What a mentor recommends with an evaluation (Outreachy's choices); `fail` is an evaluation without one. */
export const RECOMMENDATIONS = ['pass', 'extend', 'terminate-with-pay', 'terminate-without-pay'] as const;
export type Recommendation = (typeof RECOMMENDATIONS)[number];

/** The mentee's evaluation of their mentor and the program, 1-5 each. */
export const MenteeEvaluationRatings = z.object({ mentor: Rating, program: Rating });
export const MenteeEvaluationStatus = z.object({
  ratings: MenteeEvaluationRatings,
  comments: z.string(),
  /** The mentee lets their mentor read it; admins always can. */
  sharedWithMentor: z.boolean(),
  submittedAt: z.string(),
});
export type MenteeEvaluationStatus = z.infer<typeof MenteeEvaluationStatus>;

export const EvaluationStatus = z.object({
  number: z.int(),
  opensAt: z.string(),
  dueAt: z.string(),
  state: z.enum(EVALUATION_STATES),
  submittedAt: z.string().nullable(),
  ratings: EvaluationRatings.nullable(),
  outcome: z.enum(['pass', 'fail']).nullable(),
  recommendation: z.enum(RECOMMENDATIONS).nullable(),
  menteeEvaluation: MenteeEvaluationStatus.nullable(),
});
export type EvaluationStatus = z.infer<typeof EvaluationStatus>;

/**
 * An installment as the workflow plans it. `payment-failed`: the provider rejected the payout for good; ops fix
 * the payee's details and retry.
 */
export const PLANNED_INSTALLMENT_STATES = [
  'scheduled',
  // with the program's admin approving stipends: earned, waiting for the admin; approved; declined (not paid)
  'awaiting-approval',
  'approved',
  'declined',
  'paid',
  'payment-failed',
  'forfeited',
] as const;
/** An installment as the payment ledger records it: sent to the provider, paid, or rejected by it. */
export const LEDGER_STATES = ['requested', 'paid', 'rejected'] as const;
/** What a reader sees: the ledger's state once a payout was attempted, else the plan's. */
export const PAYMENT_STATES = [
  'scheduled',
  'awaiting-approval',
  'approved',
  'declined',
  'requested',
  'paid',
  'rejected',
  'payment-failed',
  'forfeited',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];
/** The installment lists' filters, as sets of payment states. */
export const PAYMENT_STATE_FILTERS = {
  // planned for a running mentee, sent to the provider, or refused by it and waiting for a retry
  pending: ['scheduled', 'awaiting-approval', 'approved', 'requested', 'rejected', 'payment-failed'],
  'awaiting-approval': ['awaiting-approval'],
  declined: ['declined'],
  paid: ['paid'],
  forfeited: ['forfeited'],
} as const satisfies Record<string, readonly PaymentState[]>;

export const InstallmentStatus = z.object({
  number: z.int(),
  afterEvaluation: z.int(),
  amountCents: z.int().nullable(),
  currency: z.string(),
  state: z.enum(PLANNED_INSTALLMENT_STATES),
  /** When the evaluation that releases it passed; null until then. */
  earnedAt: z.string().nullable().optional(),
  paidAt: z.string().nullable(),
});
export type InstallmentStatus = z.infer<typeof InstallmentStatus>;

const Checklist = z.object({ done: z.array(z.string()), open: z.array(z.string()) });

/** The status document of one application: what the workflow knows, as the read model stores it. */
export const MenteeStatus = z.object({
  applicationId: z.string(),
  programId: z.string(),
  stage: z.enum(STAGES),
  /** Bumped on every change, so read-model writes never go backwards. */
  version: z.int(),
  reviewClosesAt: z.string(),
  prerequisites: Checklist,
  selection: z
    .object({
      mentorId: z.string(),
      projectTitle: z.string(),
      decidedAt: z.string(),
      phoneCallRecordedAt: z.string().nullable(),
    })
    .nullable(),
  onboarding: Checklist.extend({ deadline: z.string() }),
  participation: Checklist,
  evaluations: z.array(EvaluationStatus),
  stipend: z.array(InstallmentStatus),
  feedbackSubmitted: z.boolean(),
  extensionDays: z.int(),
  termEndsAt: z.string(),
  /** The mentee's own selection deadline and term start (an extension moves them); absent in older documents. */
  selectionDeadline: z.string().optional(),
  termStartsAt: z.string().optional(),
  certificateCode: z.string().nullable(),
  next: z.object({ what: z.string(), deadline: z.string().nullable() }).nullable(),
  outcomeReason: z.string().nullable(),
  decisions: z.array(Decision),
  /** Where the term announces results on a day: when, and whether this applicant has been told. */
  announcement: z.object({ at: z.string(), announced: z.boolean() }).nullable(),
  /** Other programs of the term that selected the same applicant (admins only; the applicant is not told). */
  conflicts: z.array(
    z.object({
      side: z.enum(['holder', 'selector']),
      programId: z.string(),
      applicationId: z.string(),
      at: z.string(),
    }),
  ),
  updatedAt: z.string(),
});
export type MenteeStatus = z.infer<typeof MenteeStatus>;
