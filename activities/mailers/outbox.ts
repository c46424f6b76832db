import type { Mailer } from './mailer.js';

/** Used when no RESEND_API_KEY is set: the email is kept in Postgres (emails table) and logged, not delivered. */
export function createOutboxMailer(log: (line: string, fields: Record<string, unknown>) => void): Mailer {
  return {
    async send(email, idempotencyKey) {
      log('email kept in outbox (no RESEND_API_KEY)', { subject: email.subject, idempotencyKey });
      return { provider: 'outbox', providerMessageId: idempotencyKey };
    },
  };
}
