import {
  CancellationScope,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailMessage, EmailOutcome, Recipient } from '../domain/emails.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';

const { sendEmail } = proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);
// a render and one call to the provider; a worker that dies mid-send is retried with the workflow task
const { sendEmail: sendEmailLocally } = proxyLocalActivities<activities.Activities>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_HEALED.retry,
});

/**
 * Release 1.2: an email the provider refuses for good is flagged for ops (NeedsAttention "email-refused") until they
 * send it again. Asked only when a refusal comes back, so histories without one replay unchanged.
 */
export const FLAG_REFUSED_EMAILS = 'flag-refused-emails';

/**
 * Emails about one mentee; those sent in the background are waited for before the workflow ends.
 *
 * `asLocalActivities` (release 1.1): every email is a local activity sent in the background, one marker in
 * history instead of three events and a workflow task of its own. Nothing waits for it but the workflow's end,
 * so its completion never decides the order of later commands (see status-publisher.ts), and an address the
 * provider refuses no longer fails the mentee's workflow for good: the email is logged as not sent (a warning
 * with its key). It is not stored, so ops cannot resend it yet.
 */
export class MenteeEmails {
  private readonly background: Promise<unknown>[] = [];

  constructor(
    private readonly applicationId: string,
    private readonly asLocalActivities: boolean,
    /** A refused email, by idempotency key, for ops to see. */
    private readonly onRefused: (idempotencyKey: string) => void,
  ) {}

  /** Sends one email; its idempotency key makes it once per workflow, kind (or `key`) and recipient. */
  send(to: Recipient, message: EmailMessage, key: string = message.kind): Promise<unknown> {
    if (!this.asLocalActivities) return this.sendWith(sendEmail, to, message, key);
    const sending = this.sendWith(sendEmailLocally, to, message, key).catch((error: unknown) => {
      log.warn('Email not sent', { to, key, error: error instanceof Error ? error.message : String(error) });
    });
    this.background.push(sending);
    return Promise.resolve();
  }

  private sendWith(
    activity: typeof sendEmail,
    to: Recipient,
    message: EmailMessage,
    key: string,
  ): Promise<EmailOutcome> {
    const idempotencyKey = `${workflowInfo().workflowId}/${key}/${to}`;
    // an email on its way is sent whatever happens meanwhile (a withdrawal cancels the lifecycle, not the email)
    return CancellationScope.nonCancellable(() =>
      activity.executeWithOptions({ summary: `Email ${to}: ${key}` }, [
        { applicationId: this.applicationId, to, idempotencyKey, message },
      ]),
    ).then((outcome) => {
      if (outcome.refused !== undefined) {
        log.warn('Email refused by the provider', { to, key, reason: outcome.refused });
        if (patched(FLAG_REFUSED_EMAILS)) this.onRefused(idempotencyKey);
      }
      return outcome;
    });
  }

  /** Sends an email without waiting for it (a message handler's notice, an alert beside a payment). */
  sendInBackground(to: Recipient, message: EmailMessage, key: string): void {
    const sending = this.send(to, message, key);
    // a local activity is already among the background sends
    if (!this.asLocalActivities) this.background.push(sending);
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
