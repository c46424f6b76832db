/** Who an email goes to; the activity looks the address up, so no address ever enters workflow history. */
export const RECIPIENTS = ['mentee', 'mentor', 'admin'] as const;
export type Recipient = (typeof RECIPIENTS)[number];

/** Every email the workflow sends; the kind names the template. */
export type EmailMessage =
  | { kind: 'application-received'; reviewClosesAt: string; openPrerequisites: string[] }
  | { kind: 'review-reminder'; reviewClosesAt: string; openPrerequisites: string[] }
  | { kind: 'not-accepted'; missingPrerequisites: string[] }
  | { kind: 'selected'; projectTitle: string; onboardingDeadline: string; onboardingSteps: string[] }
  | { kind: 'declined'; reason: string | null }
  | { kind: 'not-selected' }
  | { kind: 'offer-lapsed'; missingSteps: string[] }
  | { kind: 'onboarding-complete'; termStartsAt: string; firstEvaluationDueAt: string }
  | { kind: 'evaluation-reminder'; evaluation: number; dueAt: string }
  | { kind: 'evaluation-overdue'; evaluation: number; dueAt: string; graceEndsAt: string | null }
  | { kind: 'installment-paid'; installment: number; of: number; amountCents: number; currency: string }
  | { kind: 'mentorship-ended'; outcome: 'terminated' | 'withdrawn'; reason: string }
  | { kind: 'term-extended'; days: number; termEndsAt: string }
  | { kind: 'payment-failed'; installment: number; of: number; reason: string; applicationId: string }
  | { kind: 'letter-of-completion'; verificationCode: string }
  | { kind: 'payment-approved'; installment: number; of: number; amountCents: number; currency: string }
  | {
      kind: 'approval-reminder' | 'approval-overdue';
      installment: number;
      of: number;
      amountCents: number;
      currency: string;
      applicationId: string;
    }
  | { kind: 'mentee-evaluation-reminder' | 'mentee-evaluation-missing'; evaluation: number; dueAt: string }
  /** The reviewer's comment stays in PostgreSQL (never in a workflow payload): the email points to it. */
  | { kind: 'task-changes-requested'; task: string; applicationId: string }
  /** To both programs' admins, never the applicant: the applicant is selected by a second program of the term. */
  | {
      kind: 'selection-conflict';
      /** holder: this program accepted the applicant first; selector: this program's selection was refused. */
      side: 'holder' | 'selector';
      other: { programId: string; applicationId: string };
    };

/** What became of one email: `refused` is the provider's reason when it will never take it (the email is kept). */
export interface EmailOutcome {
  sent: boolean;
  refused?: string;
}

export interface SendEmailInput {
  applicationId: string;
  to: Recipient;
  /** Business identity of this email, from the workflow id; a retry or replay never sends it twice. */
  idempotencyKey: string;
  message: EmailMessage;
  /** Set when ops send an earlier email again: that email's idempotency key. */
  resendOf?: string;
}
