import { createHash } from 'node:crypto';
import type { SimulationRun } from './simulate.js';
import type { SimulationSystem } from './system.js';

/** One application's outcome in a form that does not depend on ids or timings: what the same seed must repeat. */
export interface CanonicalOutcome {
  key: string;
  stage: string;
  reason: string | null;
  ledger: string[];
  emails: string[];
  certificate: boolean;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * The outcomes, ledger rows and email kinds per application, keyed by the plan's stable keys (application ids
 * are random), sorted, and hashed: two runs with the same seed and files give the same digest.
 */
export async function canonicalDigest(
  system: Pick<SimulationSystem, 'sql'>,
  run: Pick<SimulationRun, 'plan'>,
): Promise<{ hash: string; outcomes: CanonicalOutcome[] }> {
  const { sql } = system;
  const keys = new Map(
    run.plan.applications.filter((a) => a.applicationId).map((a) => [a.applicationId!, a.key]),
  );
  const apps = await sql<{ id: string; workflowId: string; stage: string; reason: string | null }[]>`
    SELECT id, workflow_id AS "workflowId", stage, status->>'outcomeReason' AS reason FROM applications`;
  const ledger = await sql<{ applicationId: string; row: string }[]>`
    SELECT application_id AS "applicationId",
           concat_ws('|', installment, of_installments, after_evaluation, amount_cents, currency, status, attempt, rejection_reason) AS row
    FROM stipend_payments`;
  const emails = await sql<{ applicationId: string; key: string; kind: string; role: string | null }[]>`
    SELECT application_id AS "applicationId", idempotency_key AS key, kind, recipient_role AS role FROM emails`;
  const certificates = new Set(
    (await sql<{ applicationId: string }[]>`SELECT application_id AS "applicationId" FROM certificates`).map(
      (c) => c.applicationId,
    ),
  );
  const workflowIds = new Map(apps.map((a) => [a.id, a.workflowId]));
  const outcomes = apps
    .map((a) => ({
      key: keys.get(a.id) ?? `unplanned/${a.id}`,
      stage: a.stage,
      reason: a.reason,
      ledger: ledger
        .filter((l) => l.applicationId === a.id)
        .map((l) => l.row)
        .sort(),
      emails: emails
        .filter((e) => e.applicationId === a.id)
        // the key after the workflow id: `<kind or key>/<recipient>`; another application's id in it (a selection
        // conflict's) becomes that application's plan key, as ids are random
        .map((e) =>
          e.key.slice((workflowIds.get(a.id)?.length ?? 0) + 1).replace(UUID, (id) => keys.get(id) ?? id),
        )
        .sort(),
      certificate: certificates.has(a.id),
    }))
    .sort((x, y) => x.key.localeCompare(y.key));
  const hash = createHash('sha256').update(JSON.stringify(outcomes)).digest('hex');
  return { hash, outcomes };
}
