import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FileStore } from '../applications/files.js';
import type { Sql } from '../db/index.js';
import { menteeWorkflowId } from '../domain/ids.js';
import { withdrawUpdate } from '../domain/messages.js';
import {
  deleteApplicationContent,
  eraseFiles,
  erasePersonRows,
  erasureBlockers,
  subjectDigest,
  UNDECIDED_STAGES,
} from '../privacy/personal-data.js';
import type { PersonalTexts } from '../privacy/personal-texts.js';

export interface PrivacyDeps {
  sql: Sql;
  files: FileStore;
  texts: PersonalTexts;
  temporal: Client;
}

const ERASURE = { userId: 'erasure', role: 'system' } as const;

/**
 * Withdraws the person's applications still in review and waits until their workflows have ended. A running
 * mentorship or money owed (which may have appeared since the API checked) fails the erasure with what to do.
 */
export async function withdrawUndecidedApplications(deps: PrivacyDeps, personId: string): Promise<number> {
  const blockers = await erasureBlockers(deps.sql, personId);
  if (blockers.length > 0) {
    throw ApplicationFailure.nonRetryable(blockers.map((b) => b.what).join('; '), 'ErasureBlocked');
  }
  const undecided = await deps.sql<{ id: string }[]>`
    SELECT id FROM applications WHERE mentee_id = ${personId} AND stage = ANY(${[...UNDECIDED_STAGES]})`;
  for (const { id } of undecided) {
    const handle = deps.temporal.workflow.getHandle(menteeWorkflowId(id));
    await handle
      .executeUpdate(withdrawUpdate, {
        args: [{ by: ERASURE, reason: 'The applicant asked for their data to be erased' }],
        updateId: `erasure-withdraw/${id}`,
      })
      .catch(() => undefined); // already ended: nothing to withdraw
    await handle.result().catch(() => undefined);
  }
  await audit(deps.sql, personId, 'withdraw', { applications: undecided.length });
  return undecided.length;
}

/** One step of the erasure (workflows/erasure.ts), recorded with its counts once done. */
export async function eraseStep(
  deps: PrivacyDeps,
  input: { personId: string; step: 'files' | 'rows' | 'key' | 'finished' },
): Promise<Record<string, number>> {
  const { sql } = deps;
  const { personId } = input;
  let counts: Record<string, number>;
  switch (input.step) {
    case 'files':
      counts = await eraseFiles(sql, deps.files, personId);
      break;
    case 'rows':
      counts = await erasePersonRows(sql, personId);
      break;
    case 'key':
      counts = { keys: (await deps.texts.destroy(personId)) ? 1 : 0 };
      break;
    case 'finished':
      counts = {};
      await sql`UPDATE erasures SET finished_at = coalesce(finished_at, now()) WHERE subject_digest = ${subjectDigest(personId)}`;
      break;
  }
  await audit(sql, personId, input.step, counts);
  return counts;
}

async function audit(sql: Sql, personId: string, step: string, counts: Record<string, number>) {
  await sql`
    INSERT INTO erasure_steps (subject_digest, step, counts) VALUES (${subjectDigest(personId)}, ${step}, ${sql.json(counts)})
    ON CONFLICT (subject_digest, step) DO NOTHING`;
}

/** Stages of applicants who were not selected: their content is kept only for the program's retention period. */
const NOT_SELECTED = ['not_accepted', 'declined', 'not_selected'];
const DAY_MS = 24 * 60 * 60 * 1000;

export type PurgeResult =
  | { state: 'waiting'; dueAt: string }
  | { state: 'purged'; applications: number }
  | { state: 'gone' };

/**
 * Deletes the application content (answers, task hand-ins, contributions, ratings, notes, flags, uploaded
 * proposals) of the program's applicants who were not selected, once `contentRetentionDays` have passed after
 * the term's end on the workflow's clock; before that, says when.
 */
export async function purgeUnselectedContent(
  deps: Pick<PrivacyDeps, 'sql' | 'files'>,
  programId: string,
  now: number,
): Promise<PurgeResult> {
  const { sql } = deps;
  const [program] = await sql<{ termEndsAt: string; retentionDays: number | null; purgedAt: Date | null }[]>`
    SELECT rules->>'termEndsAt' AS "termEndsAt", (definition->>'contentRetentionDays')::int AS "retentionDays",
           content_purged_at AS "purgedAt"
    FROM programs WHERE id = ${programId}`;
  if (!program) return { state: 'gone' };
  const dueAt = Date.parse(program.termEndsAt) + (program.retentionDays ?? 180) * DAY_MS;
  if (now < dueAt) return { state: 'waiting', dueAt: new Date(dueAt).toISOString() };
  const applications = await sql<{ id: string }[]>`
    SELECT id FROM applications
    WHERE program_id = ${programId}
      AND (stage = ANY(${NOT_SELECTED})
           OR (stage = 'withdrawn' AND coalesce(status->'selection', 'null'::jsonb) = 'null'::jsonb))`;
  const ids = applications.map((a) => a.id);
  const files = await sql<{ id: string; storage: string; storageKey: string | null }[]>`
    SELECT f.id, f.storage, f.storage_key AS "storageKey" FROM files f
    WHERE f.id IN (SELECT proposal_file_id FROM application_content WHERE application_id = ANY(${ids}::uuid[])
                   UNION SELECT file_id FROM task_submissions WHERE application_id = ANY(${ids}::uuid[]))
      -- a file another application or the profile still uses stays
      AND NOT EXISTS (SELECT 1 FROM application_content c WHERE c.proposal_file_id = f.id AND NOT c.application_id = ANY(${ids}::uuid[]))
      AND NOT EXISTS (SELECT 1 FROM task_submissions t WHERE t.file_id = f.id AND NOT t.application_id = ANY(${ids}::uuid[]))
      AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.resume_file_id = f.id)`;
  for (const file of files)
    if (file.storage === 's3' && file.storageKey) await deps.files.delete(file.storageKey);
  await sql.begin(async (tx) => {
    await deleteApplicationContent(tx as unknown as Sql, ids);
    await tx`UPDATE applications SET motivation = '' WHERE id = ANY(${ids}::uuid[])`;
    await tx`DELETE FROM files WHERE id = ANY(${files.map((f) => f.id)}::uuid[])`;
    await tx`UPDATE programs SET content_purged_at = now() WHERE id = ${programId}`;
  });
  return { state: 'purged', applications: ids.length };
}
