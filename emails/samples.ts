import type { EmailMessage } from '../domain/emails.js';
import type { EmailContext } from './render.js';

// sample data for `npm run emails:preview` and the rendering test
export const SAMPLE_CONTEXT: EmailContext = {
  recipientName: 'Ada Lovelace',
  menteeName: 'Ada Lovelace',
  programName: 'LFX Mentorship',
  term: '2026 Term 2',
  publicBaseUrl: 'https://mentorship.example.org',
  // deadlines in the recipient's zone, UTC beside
  timeZone: 'Asia/Kolkata',
};
const at = '2026-06-02T18:00:00Z';
/** One email of every kind, with sample data. */
export const SAMPLE_EMAILS: EmailMessage[] = [
  { kind: 'application-received', reviewClosesAt: at, openPrerequisites: ['Attend the project intro call'] },
  { kind: 'review-reminder', reviewClosesAt: at, openPrerequisites: ['Open a first pull request'] },
  { kind: 'not-accepted', missingPrerequisites: ['Open a first pull request', 'Write a cover letter'] },
  {
    kind: 'task-changes-requested',
    task: 'Open a first pull request',
    applicationId: '00000000-0000-4000-8000-000000000000',
  },
  {
    kind: 'selected',
    projectTitle: 'Faster builds',
    onboardingDeadline: at,
    onboardingSteps: ['Sign the contract'],
  },
  { kind: 'declined', reason: 'We had many strong applicants.' },
  { kind: 'not-selected' },
  { kind: 'offer-lapsed', missingSteps: ['Submit the tax form'] },
  { kind: 'onboarding-complete', termStartsAt: at, firstEvaluationDueAt: at },
  { kind: 'evaluation-reminder', evaluation: 2, dueAt: at },
  { kind: 'evaluation-overdue', evaluation: 2, dueAt: at, graceEndsAt: at },
  { kind: 'installment-paid', installment: 1, of: 2, amountCents: 300000, currency: 'USD' },
  { kind: 'mentorship-ended', outcome: 'terminated', reason: 'Evaluation 2 failed' },
  { kind: 'term-extended', days: 14, termEndsAt: at },
  {
    kind: 'payment-failed',
    installment: 1,
    of: 2,
    reason: 'The bank account number is invalid',
    applicationId: '00000000-0000-4000-8000-000000000000',
  },
  { kind: 'letter-of-completion', verificationCode: 'ABCD-EFGH-JKMN' },
  { kind: 'payment-approved', installment: 1, of: 2, amountCents: 300000, currency: 'USD' },
  {
    kind: 'approval-reminder',
    installment: 1,
    of: 2,
    amountCents: 300000,
    currency: 'USD',
    applicationId: '00000000-0000-4000-8000-000000000000',
  },
  {
    kind: 'approval-overdue',
    installment: 1,
    of: 2,
    amountCents: 300000,
    currency: 'USD',
    applicationId: '00000000-0000-4000-8000-000000000000',
  },
  { kind: 'mentee-evaluation-reminder', evaluation: 2, dueAt: at },
  { kind: 'mentee-evaluation-missing', evaluation: 2, dueAt: at },
  {
    kind: 'selection-conflict',
    side: 'selector',
    other: { programId: 'kernel-docs-2027-t1', applicationId: '00000000-0000-4000-8000-000000000001' },
  },
];
