/** Every email the workflow sends; the kind names the template and, with the workflow id, the idempotency key. */
export type EmailMessage =
  | { kind: 'application-received'; reviewClosesAt: string; openPrerequisites: string[] }
  | { kind: 'review-reminder'; reviewClosesAt: string; openPrerequisites: string[] }
  | { kind: 'not-accepted'; missingPrerequisites: string[] };

export type EmailKind = EmailMessage['kind'];

export interface SendEmailInput {
  applicationId: string;
  /** Business identity of this email: `<workflowId>/<kind>`; a retry or replay never sends twice. */
  idempotencyKey: string;
  message: EmailMessage;
}
