import { getExternalWorkflowHandle, patched, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailOutcome, SendEmailInput } from '../domain/emails.js';
import { menteeWorkflowId } from '../domain/ids.js';
import { emailResentSignal } from '../domain/messages.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';
import { FLAG_REFUSED_EMAILS } from './mentee-emails.js';

// The mailer heals; an ops request to send an email again is not dropped on an outage.
const { sendEmail } = proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);

/**
 * Sends a stored email again on an ops request. It runs beside the mentee's workflow, which may have ended
 * (a lost Letter of Completion); the workflow id and the email's key make it once per request.
 */
export async function resendEmailWorkflow(input: SendEmailInput): Promise<EmailOutcome> {
  const outcome = await sendEmail.executeWithOptions(
    { summary: `Email ${input.to} again: ${input.message.kind}` },
    [input],
  );
  // a refused email that went out this time no longer needs ops (release 1.2); a mentee who has finished has no flag to clear
  if (outcome.sent && input.resendOf && patched(FLAG_REFUSED_EMAILS)) {
    await getExternalWorkflowHandle(menteeWorkflowId(input.applicationId))
      .signal(emailResentSignal, { originalKey: input.resendOf })
      .catch(() => {});
  }
  return outcome;
}
