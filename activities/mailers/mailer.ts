export interface OutgoingEmail {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  tags?: { name: string; value: string }[];
}

export interface SentEmail {
  provider: 'resend' | 'outbox';
  providerMessageId: string;
}

/** Sends one email; the same idempotency key must never deliver twice. Failures are Temporal ApplicationFailures. */
export interface Mailer {
  send(email: OutgoingEmail, idempotencyKey: string): Promise<SentEmail>;
}
