import { render } from '@react-email/render';
import { createElement } from 'react';
import type { EmailMessage } from '../domain/emails.js';
import { formatInstant } from '../domain/time-zones.js';
import { type EmailContext, Notice, type NoticeContent, noticeText } from './templates/notice.js';

export type { EmailContext } from './templates/notice.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

// every deadline in an email is shown in the recipient's zone, with UTC beside (the calendars show the same)
export { formatInstant };
export const formatMoney = (cents: number, currency: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(cents / 100);

/** Subject and content for every email kind; the compiler checks that no kind is missing. */
function compose(message: EmailMessage, ctx: EmailContext): NoticeContent & { subject: string } {
  const program = ctx.programName;
  switch (message.kind) {
    case 'application-received':
      return {
        subject: `We received your application to ${program}`,
        preview: 'We received your application',
        heading: 'Application received',
        paragraphs: [
          `Thank you for applying to ${program}. Mentors review applications until ${formatInstant(message.reviewClosesAt, ctx.timeZone)}.`,
          ...(message.openPrerequisites.length > 0
            ? [
                'Applications without completed prerequisites are not accepted. Please complete, before the review closes:',
              ]
            : []),
        ],
        list: message.openPrerequisites,
      };
    case 'review-reminder':
      return {
        subject: `Reminder: complete your prerequisites for ${program}`,
        preview: 'Prerequisites still open',
        heading: 'Your prerequisites are still open',
        paragraphs: [
          `The review of applications to ${program} closes on ${formatInstant(message.reviewClosesAt, ctx.timeZone)}.`,
          'Your application will not be accepted unless you complete:',
        ],
        list: message.openPrerequisites,
      };
    case 'not-accepted':
      return {
        subject: `Your application to ${program} was not accepted`,
        preview: 'Your application was not accepted',
        heading: 'Application not accepted',
        paragraphs: [
          `The review window of ${program} has closed, and your application could not be accepted because these prerequisites were not completed:`,
        ],
        list: message.missingPrerequisites,
        closing: ['You are welcome to apply again in a later term.'],
      };
    case 'selected':
      return {
        subject: `You have been selected for ${program}`,
        preview: 'Congratulations, you have been selected',
        heading: 'You have been selected',
        paragraphs: [
          `Congratulations! You have been selected for the project "${message.projectTitle}".`,
          `To join the program, complete these onboarding steps by ${formatInstant(message.onboardingDeadline, ctx.timeZone)}:`,
        ],
        list: message.onboardingSteps,
        closing: ['If the steps are not complete by then, the offer lapses.'],
      };
    case 'declined':
      return {
        subject: `Your application to ${program}`,
        preview: 'The result of your application',
        heading: 'You were not selected this time',
        paragraphs: [
          `Thank you for applying to ${program}. The mentors have chosen other applicants for this term.`,
          ...(message.reason ? [`The mentors' note: ${message.reason}`] : []),
          'We hope you apply again in a later term.',
        ],
      };
    case 'not-selected':
      return {
        subject: `Your application to ${program}`,
        preview: 'The result of your application',
        heading: 'You were not selected this time',
        paragraphs: [
          `The selection for ${program} has closed and your application was not selected.`,
          'We hope you apply again in a later term.',
        ],
      };
    case 'offer-lapsed':
      return {
        subject: `Offer lapsed: ${ctx.menteeName} in ${program}`,
        preview: 'The onboarding deadline has passed',
        heading: 'The offer has lapsed',
        paragraphs: [
          `The onboarding deadline of ${program} has passed for ${ctx.menteeName} with these steps still open:`,
        ],
        list: message.missingSteps,
        closing: ['The offer has lapsed; contact the program team if you believe this is a mistake.'],
      };
    case 'onboarding-complete':
      return {
        subject: `Welcome to ${program}`,
        preview: 'Onboarding complete',
        heading: 'Welcome aboard',
        paragraphs: [
          `Your onboarding is complete. The term starts on ${formatInstant(message.termStartsAt, ctx.timeZone)}.`,
          `Your first evaluation is due on ${formatInstant(message.firstEvaluationDueAt, ctx.timeZone)}. Work with your mentor on the project plan and your first starter tasks.`,
        ],
      };
    case 'evaluation-reminder':
      return {
        subject: `Evaluation ${message.evaluation} for ${ctx.menteeName} is due soon`,
        preview: `Evaluation ${message.evaluation} is due`,
        heading: `Evaluation ${message.evaluation} is due`,
        paragraphs: [
          `Please submit evaluation ${message.evaluation} for your mentee ${ctx.menteeName} by ${formatInstant(message.dueAt, ctx.timeZone)}.`,
          'It covers the completion of tasks and milestones, engagement with you and the community, and progress against the project plan.',
        ],
      };
    case 'evaluation-overdue':
      return {
        subject: `Overdue: evaluation ${message.evaluation} for ${ctx.menteeName}`,
        preview: `Evaluation ${message.evaluation} is overdue`,
        heading: `Evaluation ${message.evaluation} is overdue`,
        paragraphs: [
          `The mentor has not submitted evaluation ${message.evaluation} for ${ctx.menteeName}, due ${formatInstant(message.dueAt, ctx.timeZone)}.`,
          message.graceEndsAt
            ? `Under the program's policy, the evaluation counts as failed if it is not submitted by ${formatInstant(message.graceEndsAt, ctx.timeZone)}.`
            : "The mentee's workflow keeps waiting for it.",
        ],
      };
    case 'installment-paid':
      return {
        subject: `Stipend installment ${message.installment} of ${message.of} approved`,
        preview: 'Your stipend installment is on its way',
        heading: 'Stipend installment approved',
        paragraphs: [
          `Installment ${message.installment} of ${message.of} of your stipend, ${formatMoney(message.amountCents, message.currency)}, has been approved and sent for payment.`,
        ],
      };
    case 'mentorship-ended':
      return {
        subject: `${ctx.menteeName}'s mentorship in ${program} has ended`,
        preview: 'The mentorship has ended',
        heading: message.outcome === 'withdrawn' ? 'Withdrawn from the program' : 'The mentorship has ended',
        paragraphs: [
          `${ctx.menteeName}'s mentorship in ${program} has ended (${message.outcome}).`,
          `Reason: ${message.reason}`,
        ],
      };
    case 'term-extended':
      return {
        subject: `${ctx.menteeName}'s term in ${program} is extended by ${message.days} days`,
        preview: 'The term has been extended',
        heading: 'Term extended',
        paragraphs: [
          `The term has been extended by ${message.days} days and now ends on ${formatInstant(message.termEndsAt, ctx.timeZone)}. Every later deadline and evaluation date moved with it.`,
        ],
      };
    case 'payment-failed':
      return {
        subject: `Action needed: stipend payment for ${ctx.menteeName} was rejected`,
        preview: 'A stipend payment was rejected',
        heading: 'Stipend payment rejected',
        paragraphs: [
          `The payment provider rejected installment ${message.installment} of ${message.of} of ${ctx.menteeName}'s stipend: ${message.reason}`,
          "Nothing was paid. Please correct the mentee's payment details, then retry the payment:",
        ],
        list: [`npm run ops -- retry-payment ${message.applicationId}`],
        closing: [
          "The mentee's workflow waits for the retry (messages are still accepted); the installment is paid once, on the retry.",
        ],
      };
    case 'task-changes-requested':
      return {
        subject: `Changes requested: ${message.task} (${program})`,
        preview: 'A reviewer asked for changes',
        heading: 'A reviewer asked for changes',
        paragraphs: [
          `A reviewer of ${program} read your submission of "${message.task}" and asked for changes.`,
          'Read their comment on your application and hand the task in again before the review closes.',
        ],
        list: [`${ctx.publicBaseUrl}/applications/${message.applicationId}/tasks`],
      };
    case 'selection-conflict':
      return {
        subject: `Selection conflict: ${ctx.menteeName} is selected by two programs of ${ctx.term}`,
        preview: 'An applicant is selected by two programs',
        heading: 'Selection conflict',
        paragraphs: [
          message.side === 'holder'
            ? `${ctx.menteeName}, accepted into ${program}, was also selected by program ${message.other.programId}. The term allows one acceptance at a time, so that selection was refused.`
            : `${ctx.menteeName} could not be selected for ${program}: program ${message.other.programId} has already accepted them, and the term allows one acceptance at a time.`,
          'The applicant has not been told. If the programs agree that the applicant should move, the first program releases them (the applicant withdraws or lets the offer lapse); the other program can then select them.',
        ],
        list: [`The other application: ${message.other.applicationId} in ${message.other.programId}`],
      };
    case 'payment-approved':
      return {
        subject: `Stipend installment ${message.installment} of ${message.of} approved`,
        preview: 'Your stipend installment is approved',
        heading: 'Stipend installment approved',
        paragraphs: [
          `The program's admin approved installment ${message.installment} of ${message.of} of your stipend, ${formatMoney(message.amountCents, message.currency)}. It goes out with the next payment run; you will get another email once it is paid.`,
        ],
      };
    case 'approval-reminder':
    case 'approval-overdue':
      return {
        subject: `${message.kind === 'approval-overdue' ? 'Overdue' : 'Reminder'}: approve ${ctx.menteeName}'s stipend installment ${message.installment}`,
        preview: 'A stipend installment waits for your approval',
        heading: 'A stipend installment waits for your approval',
        paragraphs: [
          `${ctx.menteeName} earned installment ${message.installment} of ${message.of} of the stipend in ${program} (${formatMoney(message.amountCents, message.currency)}). It is paid once you approve it; decline it, with a reason, if the amount is wrong or the tasks are unfinished.`,
          ...(message.kind === 'approval-overdue'
            ? ['It has waited longer than the program allows; ops have been alerted.']
            : []),
        ],
        list: [`Application ${message.applicationId}`],
      };
    case 'mentee-evaluation-reminder':
      return {
        subject: `Your evaluation ${message.evaluation} of the program is due`,
        preview: 'Tell us how the mentorship is going',
        heading: `Evaluation ${message.evaluation}: your view`,
        paragraphs: [
          `Please evaluate your mentor and ${program} by ${formatInstant(message.dueAt, ctx.timeZone)}. The program's admins read it; your mentor only if you choose to share it.`,
        ],
      };
    case 'mentee-evaluation-missing':
      return {
        subject: `Missing: ${ctx.menteeName}'s evaluation ${message.evaluation} of the program`,
        preview: "A mentee's evaluation is missing",
        heading: "A mentee's evaluation is missing",
        paragraphs: [
          `${ctx.menteeName} has not submitted their evaluation ${message.evaluation} of the mentor and ${program}, due ${formatInstant(message.dueAt, ctx.timeZone)}.`,
        ],
      };
    case 'letter-of-completion': {
      const href = `${ctx.publicBaseUrl}/certificates/${message.verificationCode}`;
      return {
        subject: `Your Letter of Completion for ${program}`,
        preview: 'Congratulations on completing the program',
        heading: 'Congratulations!',
        paragraphs: [
          `You have completed ${program}. Your Letter of Completion is ready.`,
          `Anyone can verify it with the code ${message.verificationCode} at ${href}.`,
        ],
        action: { label: 'Download your Letter of Completion', href: `${href}/pdf` },
      };
    }
  }
}

export async function renderEmail(message: EmailMessage, context: EmailContext): Promise<RenderedEmail> {
  const { subject, ...content } = compose(message, context);
  const html = await render(createElement(Notice, { context, content }));
  return { subject, html, text: noticeText({ context, content }) };
}
