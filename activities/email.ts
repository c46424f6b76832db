import { ApplicationFailure } from '@temporalio/common';
import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import type { Recipient, SendEmailInput } from '../domain/emails.js';
import { DEFAULT_TIME_ZONE } from '../domain/time-zones.js';
import type { Mailer } from './mailers/mailer.js';

export interface EmailDeps {
  sql: Sql;
  mailer: Mailer;
  from: string;
  publicBaseUrl: string;
}

interface Addresses {
  menteeName: string;
  menteeEmail: string;
  menteeTimeZone: string;
  mentorName: string | null;
  mentorEmail: string | null;
  mentorTimeZone: string | null;
  adminEmail: string;
  adminTimeZone: string;
  programName: string;
  term: string;
}

/** Renders and sends one email, at most once per idempotency key, and records it. */
export async function sendEmail(deps: EmailDeps, input: SendEmailInput): Promise<{ sent: boolean }> {
  const { sql, mailer } = deps;
  const [already] = await sql`SELECT 1 FROM emails WHERE idempotency_key = ${input.idempotencyKey}`;
  if (already) return { sent: false };

  const [addresses] = await sql<Addresses[]>`
    SELECT m.name AS "menteeName", m.email AS "menteeEmail", m.time_zone AS "menteeTimeZone",
           t.name AS "mentorName", t.email AS "mentorEmail", t.time_zone AS "mentorTimeZone",
           p.admin_email AS "adminEmail", coalesce(p.definition->>'adminTimeZone', ${DEFAULT_TIME_ZONE}) AS "adminTimeZone",
           p.name AS "programName", p.term
    FROM applications a
      JOIN mentees m ON m.id = a.mentee_id
      JOIN programs p ON p.id = a.program_id
      LEFT JOIN mentors t ON t.id = a.mentor_id
    WHERE a.id = ${input.applicationId}`;
  if (!addresses) {
    throw ApplicationFailure.nonRetryable(
      `Application ${input.applicationId} not found`,
      'ApplicationNotFound',
    );
  }
  const recipient = resolve(addresses, input.to);
  // React Email loads on the first email, not with every worker start (about 1.4 s of it under load)
  const { renderEmail } = await import('../emails/render.js');
  const rendered = await renderEmail(input.message, {
    recipientName: recipient.name,
    menteeName: addresses.menteeName,
    programName: addresses.programName,
    term: addresses.term,
    publicBaseUrl: deps.publicBaseUrl,
    timeZone: recipient.timeZone,
  });
  const sent = await mailer.send(
    {
      from: deps.from,
      to: recipient.email,
      ...rendered,
      tags: [
        { name: 'kind', value: input.message.kind },
        { name: 'recipient', value: input.to },
      ],
    },
    input.idempotencyKey,
  );
  const keepBody = sent.provider === 'outbox';
  // the message itself is kept so ops can send it again (ops/emails.ts)
  await sql`
    INSERT INTO emails (idempotency_key, application_id, kind, recipient, subject, html, body_text, provider, provider_message_id,
                        recipient_role, message, resend_of)
    VALUES (${input.idempotencyKey}, ${input.applicationId}, ${input.message.kind}, ${recipient.email}, ${rendered.subject},
            ${keepBody ? rendered.html : null}, ${keepBody ? rendered.text : null}, ${sent.provider}, ${sent.providerMessageId},
            ${input.to}, ${sql.json(input.message as unknown as JSONValue)}, ${input.resendOf ?? null})
    ON CONFLICT (idempotency_key) DO NOTHING`;
  return { sent: true };
}

function resolve(addresses: Addresses, to: Recipient): { name: string; email: string; timeZone: string } {
  switch (to) {
    case 'mentee':
      return { name: addresses.menteeName, email: addresses.menteeEmail, timeZone: addresses.menteeTimeZone };
    case 'mentor':
      if (!addresses.mentorEmail) throw ApplicationFailure.nonRetryable('No mentor assigned yet', 'NoMentor');
      return {
        name: addresses.mentorName ?? 'mentor',
        email: addresses.mentorEmail,
        timeZone: addresses.mentorTimeZone ?? DEFAULT_TIME_ZONE,
      };
    case 'admin':
      return {
        name: `${addresses.programName} admin`,
        email: addresses.adminEmail,
        timeZone: addresses.adminTimeZone,
      };
  }
}
