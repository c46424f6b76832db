import { ApplicationFailure } from '@temporalio/common';
import type { Sql } from '../db/index.js';
import type { SendEmailInput } from '../domain/emails.js';
import { renderEmail } from '../emails/render.js';
import type { Mailer } from './mailers/mailer.js';

export interface EmailDeps {
  sql: Sql;
  mailer: Mailer;
  from: string;
}

/** Renders and sends one email, at most once per idempotency key, and records it. */
export async function sendEmail(
  { sql, mailer, from }: EmailDeps,
  input: SendEmailInput,
): Promise<{ sent: boolean }> {
  const [already] = await sql`SELECT 1 FROM emails WHERE idempotency_key = ${input.idempotencyKey}`;
  if (already) return { sent: false };

  const [recipient] = await sql<{ name: string; email: string; programName: string; term: string }[]>`
    SELECT m.name, m.email, p.name AS "programName", p.term
    FROM applications a JOIN mentees m ON m.id = a.mentee_id JOIN programs p ON p.id = a.program_id
    WHERE a.id = ${input.applicationId}`;
  if (!recipient) {
    throw ApplicationFailure.nonRetryable(
      `Application ${input.applicationId} not found`,
      'ApplicationNotFound',
    );
  }
  const rendered = await renderEmail(input.message, {
    menteeName: recipient.name,
    programName: recipient.programName,
    term: recipient.term,
  });
  const sent = await mailer.send(
    {
      from,
      to: recipient.email,
      ...rendered,
      tags: [{ name: 'kind', value: input.message.kind }],
    },
    input.idempotencyKey,
  );
  const keepBody = sent.provider === 'outbox';
  await sql`
    INSERT INTO emails (idempotency_key, application_id, kind, recipient, subject, html, body_text, provider, provider_message_id)
    VALUES (${input.idempotencyKey}, ${input.applicationId}, ${input.message.kind}, ${recipient.email}, ${rendered.subject},
            ${keepBody ? rendered.html : null}, ${keepBody ? rendered.text : null}, ${sent.provider}, ${sent.providerMessageId})
    ON CONFLICT (idempotency_key) DO NOTHING`;
  return { sent: true };
}
