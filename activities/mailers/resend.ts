import { ApplicationFailure, type Duration } from '@temporalio/common';
import { type ErrorResponse, Resend } from 'resend';
import type { Mailer, OutgoingEmail, SentEmail } from './mailer.js';

export interface ResendMailerOptions {
  apiKey: string;
  /** Another server speaking Resend's API (tests, proxies); defaults to RESEND_BASE_URL or api.resend.com. */
  baseUrl?: string;
}

export function createResendMailer({ apiKey, baseUrl }: ResendMailerOptions): Mailer {
  // The SDK appends paths verbatim, so a trailing slash would yield `//emails`.
  const resend = new Resend(apiKey, { baseUrl: baseUrl?.replace(/\/+$/, '') });
  return {
    async send(email: OutgoingEmail, idempotencyKey: string): Promise<SentEmail> {
      const { data, error, headers } = await resend.emails.send(email, { idempotencyKey });
      if (error) throw toApplicationFailure(error, headers);
      return { provider: 'resend', providerMessageId: data.id };
    },
  };
}

/** The SDK never throws: it returns the server's JSON error body, or statusCode null when the request never got an answer. */
function toApplicationFailure(
  error: ErrorResponse,
  headers: Record<string, string> | null,
): ApplicationFailure {
  const { name, statusCode } = error;
  const message = `Resend ${statusCode ?? 'unreachable'} ${name}: ${error.message}`;
  const details = [{ provider: 'resend', name, statusCode }];
  const retryable =
    statusCode == null ||
    statusCode >= 500 ||
    statusCode === 429 ||
    name === 'concurrent_idempotent_requests';
  if (!retryable)
    return ApplicationFailure.create({ message, type: 'EmailRejected', nonRetryable: true, details });
  return ApplicationFailure.create({
    message,
    type: 'EmailProviderUnavailable',
    nonRetryable: false,
    details,
    nextRetryDelay: retryDelay(name, headers),
  });
}

function retryDelay(name: string, headers: Record<string, string> | null): Duration | undefined {
  // A spent quota will not come back within the activity's normal backoff.
  if (name === 'daily_quota_exceeded' || name === 'monthly_quota_exceeded') return '1 hour';
  const seconds = Number(headers?.['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}
