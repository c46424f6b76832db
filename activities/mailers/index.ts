import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Mailer } from './mailer.js';
import { createOutboxMailer } from './outbox.js';
import { createResendMailer } from './resend.js';

/** Resend when a key is configured; otherwise the outbox, so the system runs without an account. */
export function createMailer(
  config: Pick<Config, 'RESEND_API_KEY' | 'RESEND_BASE_URL'>,
  log: Logger,
): Mailer {
  if (config.RESEND_API_KEY) {
    return createResendMailer({ apiKey: config.RESEND_API_KEY, baseUrl: config.RESEND_BASE_URL });
  }
  return createOutboxMailer((line, fields) => log.info(fields, line));
}
