import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { type EmailMessage, type EmailOutcome, RECIPIENTS, type Recipient } from '../domain/emails.js';
import { checkRequestId, resendEmailWorkflowId } from '../domain/ids.js';
import type { Actor } from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { type ApplicationRef, applicationOf, type OpsDeps } from './deps.js';

export const ResendEmailResult = z.object({
  applicationId: z.string(),
  /** True when this request had already sent it. */
  duplicate: z.boolean(),
  /**
   * sending: still retrying (e.g. the mailer is down) when the wait ended; it will be sent once. refused: the
   * provider refused it for good again (`refusedReason`): fix the address and send it with a new request id.
   */
  state: z.enum(['sent', 'sending', 'refused']),
  refusedReason: z.string().optional(),
  kind: z.string(),
  to: z.enum(RECIPIENTS),
  originalKey: z.string(),
  idempotencyKey: z.string(),
});
export type ResendEmailResult = z.infer<typeof ResendEmailResult>;

interface StoredEmail {
  key: string;
  kind: string;
  role: Recipient | null;
  message: EmailMessage | null;
}

/**
 * Sends an email of this mentee again, once per request id: `email` is its kind (e.g. letter-of-completion)
 * or its idempotency key; `to` picks the recipient when the kind went to several.
 */
export async function resendEmail(
  { sql, temporal, taskQueue }: OpsDeps,
  ref: ApplicationRef,
  request: { email: string; to?: Recipient | undefined; requestId: string },
  by: Actor,
  { waitMs = 30_000 }: { waitMs?: number } = {},
): Promise<ResendEmailResult> {
  const requestId = checkRequestId(request.requestId);
  const application = await applicationOf(sql, ref);
  const sent = await sql<StoredEmail[]>`
    SELECT idempotency_key AS key, kind, recipient_role AS role, message FROM emails
    WHERE application_id = ${application.id} AND resend_of IS NULL ORDER BY sent_at, idempotency_key`;
  const matching = sent.filter(
    (e) => (e.key === request.email || e.kind === request.email) && (!request.to || e.role === request.to),
  );
  if (matching.length === 0) {
    const kinds = [...new Set(sent.map((e) => e.kind))].join(', ') || 'none';
    throw new ProblemError(
      404,
      'not-found',
      `No email "${request.email}"${request.to ? ` to the ${request.to}` : ''} was sent for application ${application.id}; sent: ${kinds}`,
    );
  }
  if (matching.length > 1) {
    throw new ProblemError(
      409,
      'ambiguous-email',
      `Several emails match "${request.email}"; name one by recipient or key: ${matching.map((e) => `${e.role ?? '?'} ${e.key}`).join('; ')}`,
    );
  }
  const original = matching[0]!;
  if (!original.message || !original.role) {
    throw new ProblemError(
      409,
      'email-not-stored',
      `Email ${original.key} was sent before messages were kept for resending; it cannot be sent again`,
    );
  }
  const idempotencyKey = `${original.key}/resend/${requestId}`;
  const input = {
    applicationId: application.id,
    to: original.role,
    idempotencyKey,
    message: original.message,
    resendOf: original.key,
  };
  let started = true;
  try {
    await temporal.workflow.start('resendEmailWorkflow', {
      taskQueue,
      workflowId: resendEmailWorkflowId(idempotencyKey),
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Email ${original.kind} to the ${original.role} again (request ${requestId} by ${by.userId})`,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    started = false;
  }
  const handle = temporal.workflow.getHandle<() => Promise<EmailOutcome>>(
    resendEmailWorkflowId(idempotencyKey),
  );
  // a failed earlier request fails this one too; a result after the wait is still sent, once
  const settled = handle.result().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const outcome = await Promise.race([
    settled,
    new Promise<null>((resolve) => setTimeout(() => resolve(null), waitMs).unref()),
  ]);
  if (outcome && 'error' in outcome) throw outcome.error;
  const refused = outcome?.value.refused;
  return {
    applicationId: application.id,
    duplicate: !started || (outcome?.value.sent === false && refused === undefined),
    state: refused !== undefined ? 'refused' : outcome ? 'sent' : 'sending',
    ...(refused !== undefined ? { refusedReason: refused } : {}),
    kind: original.kind,
    to: original.role,
    originalKey: original.key,
    idempotencyKey,
  };
}

export interface RefusedEmail {
  applicationId: string;
  kind: string;
  to: Recipient | null;
  /** The first email's key: what `resend-email` takes. */
  originalKey: string;
  refusedReason: string;
  refusedAt: string;
}

/**
 * The emails the provider refused for good and nobody has received since: no resend of them was delivered after
 * the last refusal. It reads the emails table, so mentees whose workflow has ended are listed too (a closed
 * workflow keeps its NeedsAttention flag in the Temporal UI whatever happens after).
 */
export async function refusedEmails({ sql }: Pick<OpsDeps, 'sql'>): Promise<RefusedEmail[]> {
  return sql<RefusedEmail[]>`
    WITH chain AS (
      SELECT coalesce(resend_of, idempotency_key) AS root, refused_reason, sent_at FROM emails
    ), refusals AS (
      SELECT root, max(sent_at) AS last_refused_at, (array_agg(refused_reason ORDER BY sent_at DESC))[1] AS reason
      FROM chain WHERE refused_reason IS NOT NULL GROUP BY root
    )
    SELECT o.application_id AS "applicationId", o.kind, o.recipient_role AS "to", r.root AS "originalKey",
           r.reason AS "refusedReason",
           to_char(r.last_refused_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "refusedAt"
    FROM refusals r JOIN emails o ON o.idempotency_key = r.root
    WHERE NOT EXISTS (
      SELECT 1 FROM chain c WHERE c.root = r.root AND c.refused_reason IS NULL AND c.sent_at > r.last_refused_at)
    ORDER BY r.last_refused_at, r.root`;
}
