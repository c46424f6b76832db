import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Sql } from '../db/index.js';
import type { DeclineOutcome } from '../domain/bulk.js';
import { type Actor, decideSelectionUpdate } from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { findApplication, sendMessage } from '../mentees/client.js';

/** The program's applications waiting for a selection decision, oldest first. */
export async function listPendingSelections(
  sql: Sql,
  { programId }: { programId: string },
): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    SELECT id FROM applications WHERE program_id = ${programId} AND stage = 'awaiting_selection'
    ORDER BY created_at, id`;
  return rows.map((r) => r.id);
}

/**
 * Declines each application through its workflow's own selection Update, so every rule of a single decline holds;
 * a refusal is an outcome, not a failure. A retried batch finds the declines already made (a repeat is a duplicate).
 */
export async function declineApplications(
  { sql, temporal }: { sql: Sql; temporal: Client },
  { applicationIds, by, reason }: { applicationIds: string[]; by: Actor; reason: string | null },
): Promise<DeclineOutcome[]> {
  const outcomes: DeclineOutcome[] = [];
  let next = 0;
  const declineNext = async () => {
    for (let i = next++; i < applicationIds.length; i = next++) {
      const id = applicationIds[i]!;
      try {
        const application = await findApplication(sql, id);
        const { duplicate } = await sendMessage(temporal, application, decideSelectionUpdate, {
          by,
          decision: 'decline',
          ...(reason ? { reason } : {}),
        });
        outcomes[i] = { id, outcome: duplicate ? 'already-declined' : 'declined' };
      } catch (error) {
        if (!(error instanceof ProblemError && error.status < 500)) throw error;
        outcomes[i] = { id, outcome: 'refused', reason: error.message };
      }
      Context.current().heartbeat(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, applicationIds.length) }, declineNext));
  return outcomes;
}
