import { z } from 'zod';

/** What "decline all pending" did to each applicant still waiting for a selection decision. */
export const DeclinePendingResult = z.object({
  programId: z.string(),
  requestId: z.string(),
  /** Declined by this request. */
  declined: z.array(z.string()),
  /** Already declined before (a repeat changes nothing). */
  alreadyDeclined: z.array(z.string()),
  /** The workflow said no, with its reason (e.g. selected, with the result waiting for the announcement). */
  refused: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type DeclinePendingResult = z.infer<typeof DeclinePendingResult>;

export type DeclineOutcome =
  | { id: string; outcome: 'declined' | 'already-declined' }
  | { id: string; outcome: 'refused'; reason: string };

/** One "decline all pending" request of a program: the same request id is the same run, whoever repeats it. */
export const declinePendingWorkflowId = (programId: string, requestId: string) =>
  `decline-pending/${programId}/${requestId}`;
