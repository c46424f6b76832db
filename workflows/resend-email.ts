import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { SendEmailInput } from '../domain/emails.js';

// The mailer heals; an ops request to send an email again is not dropped on an outage.
const { sendEmail } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/**
 * Sends a stored email again on an ops request. It runs beside the mentee's workflow, which may have ended
 * (a lost Letter of Completion); the workflow id and the email's key make it once per request.
 */
export async function resendEmailWorkflow(input: SendEmailInput): Promise<{ sent: boolean }> {
  return sendEmail.executeWithOptions({ summary: `Email ${input.to} again: ${input.message.kind}` }, [input]);
}
