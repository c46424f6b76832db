import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { SendEmailInput } from '../domain/emails.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';

// The mailer heals; an ops request to send an email again is not dropped on an outage.
const { sendEmail } = proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);

/**
 * Sends a stored email again on an ops request. It runs beside the mentee's workflow, which may have ended
 * (a lost Letter of Completion); the workflow id and the email's key make it once per request.
 */
export async function resendEmailWorkflow(input: SendEmailInput): Promise<{ sent: boolean }> {
  return sendEmail.executeWithOptions({ summary: `Email ${input.to} again: ${input.message.kind}` }, [input]);
}
