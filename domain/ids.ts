import { invalid } from './problems.js';

/** Workflow ids hold only opaque ids: ids and search attributes are not encrypted. */
export const menteeWorkflowId = (applicationId: string): string => `mentee-application/${applicationId}`;
/** The workflow that sends one notice email (a task sent back), named by the email's key. */
export const noticeEmailWorkflowId = (emailKey: string): string => `notice-email/${emailKey}`;
/** One ops request to send an email again; the key holds the mentee's workflow id, a role and a request id. */
export const resendEmailWorkflowId = (resendKey: string): string => `resend-email/${resendKey}`;

/** One person's erasure, named by a digest of their id (privacy/personal-data.ts), never the id itself. */
export const erasureWorkflowId = (subjectDigest: string): string => `erasure/${subjectDigest}`;
/** The timer that removes a program's unselected applicants' content once its retention has passed. */
export const contentRetentionWorkflowId = (programId: string): string => `content-retention/${programId}`;

/** A caller's request id: an opaque token or ticket number (it ends up in Temporal ids, so no personal data). */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function checkRequestId(requestId: string): string {
  if (!REQUEST_ID.test(requestId)) {
    throw invalid(`A request id is 1-64 letters, digits, ".", "_", ":" or "-" (got "${requestId}")`);
  }
  return requestId;
}
