/** Workflow ids hold only opaque ids: ids and search attributes are not encrypted. */
export const menteeWorkflowId = (applicationId: string): string => `mentee-application/${applicationId}`;
