import { proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailOutcome, SendEmailInput } from '../domain/emails.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';

const { sendEmail } = proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);

/**
 * An email about an application that no step of the mentee's workflow sends (a reviewer sent a task back). It runs
 * beside that workflow, which never hears of it; the workflow id and the email's key make it once per event.
 */
export async function noticeEmailWorkflow(input: SendEmailInput): Promise<EmailOutcome> {
  return sendEmail.executeWithOptions({ summary: `Email ${input.to}: ${input.message.kind}` }, [input]);
}
