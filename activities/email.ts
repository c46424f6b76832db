import { ApplicationFailure } from '@temporalio/common';
import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import type { EmailOutcome, Recipient, SendEmailInput } from '../domain/emails.js';
import { DEFAULT_TIME_ZONE } from '../domain/time-zones.js';
import type { PersonalTexts } from '../privacy/personal-texts.js';
import type { Mailer, SentEmail } from './mailers/mailer.js';

export interface EmailDeps {
  sql: Sql;
  mailer: Mailer;
  from: string;
  publicBaseUrl: string;
  texts?: PersonalTexts | undefined;
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

/** Renders and sends one email, at most once per idempotency key, and records it, sent or refused. */
export async function sendEmail(deps: EmailDeps, input: SendEmailInput): Promise<EmailOutcome> {
  const { sql, mailer } = deps;
  // one round trip: whether this key was already sent, and who gets it
  const [addresses] = await sql<(Addresses & { alreadySent: boolean })[]>`
    SELECT m.name AS "menteeName", m.email AS "menteeEmail", m.time_zone AS "menteeTimeZone",
           t.name AS "mentorName", t.email AS "mentorEmail", t.time_zone AS "mentorTimeZone",
           p.admin_email AS "adminEmail", coalesce(p.definition->>'adminTimeZone', ${DEFAULT_TIME_ZONE}) AS "adminTimeZone",
           p.name AS "programName", p.term,
           EXISTS (SELECT 1 FROM emails WHERE idempotency_key = ${input.idempotencyKey}) AS "alreadySent"
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
  if (addresses.alreadySent) return { sent: false };
  const recipient = resolve(addresses, input.to);
  // React Email loads on the first email, not with every worker start (about 1.4 s of it under load)
  const { renderEmail } = await import('../emails/render.js');
  // a reason in the message is sealed with the mentee's key: opened only for the rendering, kept sealed in the row
  const message = deps.texts ? await deps.texts.open(input.message) : input.message;
  const rendered = await renderEmail(message, {
    recipientName: recipient.name,
    menteeName: addresses.menteeName,
    programName: addresses.programName,
    term: addresses.term,
    publicBaseUrl: deps.publicBaseUrl,
    timeZone: recipient.timeZone,
  });
  let sent: SentEmail;
  try {
    sent = await mailer.send(
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
  } catch (error) {
    // a refusal for good is kept, not thrown: ops see it (NeedsAttention) and send it again once the address is fixed
    if (!(error instanceof ApplicationFailure && error.nonRetryable)) throw error;
    await record(sql, input, recipient.email, rendered, {
      provider: 'refused',
      refusedReason: error.message,
    });
    return { sent: false, refused: error.message };
  }
  await record(sql, input, recipient.email, rendered, sent);
  return { sent: true };
}

/** Stores the email once per key; the message itself is kept so ops can send it again (ops/emails.ts). */
async function record(
  sql: Sql,
  input: SendEmailInput,
  address: string,
  rendered: { subject: string; html: string; text: string },
  outcome: { provider: string; providerMessageId?: string; refusedReason?: string },
): Promise<void> {
  const keepBody = outcome.provider === 'outbox';
  await sql`
    INSERT INTO emails (idempotency_key, application_id, kind, recipient, subject, html, body_text, provider, provider_message_id,
                        recipient_role, message, resend_of, refused_reason)
    VALUES (${input.idempotencyKey}, ${input.applicationId}, ${input.message.kind}, ${address}, ${rendered.subject},
            ${keepBody ? rendered.html : null}, ${keepBody ? rendered.text : null}, ${outcome.provider},
            ${outcome.providerMessageId ?? null}, ${input.to}, ${sql.json(input.message as unknown as JSONValue)},
            ${input.resendOf ?? null}, ${outcome.refusedReason ?? null})
    ON CONFLICT (idempotency_key) DO NOTHING`;
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
