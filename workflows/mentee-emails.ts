import { CancellationScope, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailMessage, Recipient } from '../domain/emails.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';

const { sendEmail } = proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);

/** Emails about one mentee; those sent in the background are waited for before the workflow ends. */
export class MenteeEmails {
  private readonly background: Promise<unknown>[] = [];

  constructor(private readonly applicationId: string) {}

  /** Sends one email; its idempotency key makes it once per workflow, kind (or `key`) and recipient. */
  send(to: Recipient, message: EmailMessage, key: string = message.kind): Promise<{ sent: boolean }> {
    // an email on its way is sent whatever happens meanwhile (a withdrawal cancels the lifecycle, not the email)
    return CancellationScope.nonCancellable(() =>
      sendEmail.executeWithOptions({ summary: `Email ${to}: ${key}` }, [
        {
          applicationId: this.applicationId,
          to,
          idempotencyKey: `${workflowInfo().workflowId}/${key}/${to}`,
          message,
        },
      ]),
    );
  }

  /** Sends an email without waiting for it (a message handler's notice, an alert beside a payment). */
  sendInBackground(to: Recipient, message: EmailMessage, key: string): void {
    this.background.push(this.send(to, message, key));
  }

  /** A background task that may send emails; the workflow waits for it before it ends. */
  track(task: Promise<unknown>): void {
    this.background.push(task);
  }

  /** Resolves once every email sent in the background so far has gone. */
  backgroundSent(): Promise<unknown[]> {
    return Promise.all(this.background);
  }
}
