/** Workflow ids hold only opaque ids: ids and search attributes are not encrypted. */
export const menteeWorkflowId = (applicationId: string): string => `mentee-application/${applicationId}`;
/** One ops request to send an email again; the key holds the mentee's workflow id, a role and a request id. */
export const resendEmailWorkflowId = (resendKey: string): string => `resend-email/${resendKey}`;
