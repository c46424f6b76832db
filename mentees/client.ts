import { randomUUID } from 'node:crypto';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { type ContentChange, createContent } from '../applications/content.js';
import type { Sql } from '../db/index.js';
import { menteeWorkflowId } from '../domain/ids.js';
import {
  type MenteeStatus,
  type MessageResult,
  Rejections,
  statusQuery,
  TermRejections,
} from '../domain/messages.js';
import { programGuide, workflowSummary } from '../domain/ops-summary.js';
import { conflict, notFound, ProblemError, type ProblemStatus } from '../domain/problems.js';
import type { ProgramRules } from '../domain/program.js';
import { initialSearchAttributes } from '../domain/search-attributes.js';
import { FINAL_STAGES, type Stage } from '../domain/stages.js';
import type { PinnedTermRules } from '../domain/term.js';
import { DEFAULT_TIME_ZONE } from '../domain/time-zones.js';
import type { menteeWorkflow } from '../workflows/index.js';

/** What the mentee client needs: the database for the application rows, Temporal for the workflows. */
export interface MenteeClientDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
}

export interface MenteeDetails {
  id: string;
  name: string;
  email: string;
  country?: string | undefined;
  /** IANA time zone; left out, a new mentee reads UTC and a known one keeps theirs. */
  timeZone?: string | undefined;
}

/** An application as the read model keeps it: enough to find its workflow and decide who may act on it. */
export interface ApplicationRow {
  id: string;
  workflowId: string;
  programId: string;
  menteeId: string;
  mentorId: string | null;
  stage: string;
}

/**
 * Stores the application and starts the mentee's workflow. The row is written first, so a crash
 * between the two is repaired by the next attempt, which starts the missing workflow. The row keeps the
 * request's key: a retry of the request that created it (after a crash) is answered with it, not refused.
 */
export async function apply(
  { sql, temporal, taskQueue }: MenteeClientDeps,
  program: { id: string; rules: ProgramRules },
  mentee: MenteeDetails,
  motivation: string,
  requestKey?: string,
  /** What the applicant wrote, for a program with an application form: stored with the application, as a draft. */
  content?: ContentChange,
): Promise<{ applicationId: string; created: boolean }> {
  const applicationId = randomUUID();
  const workflowId = menteeWorkflowId(applicationId);
  const term = program.rules.termRules;
  const inserted = await sql.begin(async (tx) => {
    await tx`
      INSERT INTO mentees (id, name, email, country, time_zone)
      VALUES (${mentee.id}, ${mentee.name}, ${mentee.email}, ${mentee.country ?? null}, ${mentee.timeZone ?? DEFAULT_TIME_ZONE})
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, country = EXCLUDED.country,
        time_zone = coalesce(${mentee.timeZone ?? null}, mentees.time_zone), updated_at = now()`;
    // one person's applications to a term are counted one at a time, whichever API process takes them
    if (term?.termId)
      await admitToTerm(tx as unknown as Sql, { ...term, termId: term.termId }, program.id, mentee.id);
    const created = await tx`
      INSERT INTO applications (id, program_id, mentee_id, workflow_id, motivation, stage, review_closes_at, request_key)
      VALUES (${applicationId}, ${program.id}, ${mentee.id}, ${workflowId}, ${motivation}, 'in_review',
              ${program.rules.reviewClosesAt}, ${requestKey ?? null})
      ON CONFLICT (program_id, mentee_id) DO NOTHING
      RETURNING id`;
    if (created.length === 1 && content)
      await createContent(tx as unknown as Sql, applicationId, content, false);
    return created;
  });
  if (inserted.length === 1) {
    await startMenteeWorkflow(temporal, taskQueue, applicationId, program.rules);
    return { applicationId, created: true };
  }

  const [existing] = await sql<{ id: string; requestKey: string | null }[]>`
    SELECT id, request_key AS "requestKey" FROM applications WHERE program_id = ${program.id} AND mentee_id = ${mentee.id}`;
  if (!existing) throw new Error('application vanished while applying');
  const started = await startMenteeWorkflow(temporal, taskQueue, existing.id, program.rules);
  if (started || (requestKey !== undefined && existing.requestKey === requestKey)) {
    return { applicationId: existing.id, created: false };
  }
  throw conflict('already-applied', `Mentee ${mentee.id} has already applied to program ${program.id}`, {
    applicationId: existing.id,
  });
}

/**
 * The term's rules for one more application, under a lock on (term, person): at most `maxOpenApplications`
 * open ones (withdrawn and ended ones do not count), and with `oncePerPerson` nobody active in or graduated from
 * another term of the organization. A re-application to the same program is left to the caller.
 */
async function admitToTerm(
  tx: Sql,
  term: PinnedTermRules & { termId: string },
  programId: string,
  menteeId: string,
): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtextextended(${`apply/${term.termId}/${menteeId}`}, 0))`;
  const others = await tx<{ id: string; programId: string; stage: string }[]>`
    SELECT a.id, a.program_id AS "programId", a.stage FROM applications a JOIN programs p ON p.id = a.program_id
    WHERE p.term_id = ${term.termId} AND a.mentee_id = ${menteeId} AND a.program_id <> ${programId}
    ORDER BY a.created_at, a.id`;
  const open = others.filter((a) => !FINAL_STAGES.has(a.stage as Stage));
  if (open.length >= term.maxOpenApplications) {
    throw conflict(
      'application-limit',
      `${menteeId} already has ${open.length} open applications in ${term.name}; the term allows ${term.maxOpenApplications} (withdraw one to apply here)`,
      { rule: 'maxOpenApplications', limit: term.maxOpenApplications, applications: others },
    );
  }
  if (!term.oncePerPerson) return;
  const [earlier] = await tx<{ id: string; programId: string; stage: string }[]>`
    SELECT a.id, a.program_id AS "programId", a.stage
    FROM applications a JOIN programs p ON p.id = a.program_id JOIN terms t ON t.id = p.term_id
    WHERE a.mentee_id = ${menteeId} AND t.organization = ${term.organization} AND t.id <> ${term.termId}
      AND a.stage IN ('active', 'completed')
    ORDER BY a.created_at LIMIT 1`;
  if (earlier) {
    throw conflict(
      'once-per-person',
      `${menteeId} has taken part in ${term.organization} before (program ${earlier.programId}: ${earlier.stage}); a person takes part only once`,
      { rule: 'oncePerPerson', applications: [earlier, ...others] },
    );
  }
}

/** What the workflow's status query answers (before the read model has the first status). */
export function queryStatus(
  temporal: Client,
  application: Pick<ApplicationRow, 'id' | 'workflowId'>,
): Promise<MenteeStatus> {
  return temporal.workflow.getHandle(application.workflowId).query(statusQuery);
}

/** Starts the workflow; false when it already exists (one workflow per application, ever). */
async function startMenteeWorkflow(
  temporal: Client,
  taskQueue: string,
  applicationId: string,
  rules: ProgramRules,
): Promise<boolean> {
  try {
    await temporal.workflow.start<typeof menteeWorkflow>('menteeWorkflow', {
      taskQueue,
      workflowId: menteeWorkflowId(applicationId),
      args: [{ applicationId, rules }],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: initialSearchAttributes(rules),
      staticSummary: workflowSummary(rules),
      staticDetails: programGuide(rules),
    });
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function findApplication(sql: Sql, applicationId: string): Promise<ApplicationRow> {
  const [row] = UUID.test(applicationId)
    ? await sql<ApplicationRow[]>`
        SELECT id, workflow_id AS "workflowId", program_id AS "programId", mentee_id AS "menteeId",
               mentor_id AS "mentorId", stage
        FROM applications WHERE id = ${applicationId}`
    : [];
  if (!row) throw notFound('application', applicationId);
  return row;
}

const REJECTION_STATUS: Record<string, ProblemStatus> = {
  [Rejections.unknownItem]: 404,
  [Rejections.wrongStage]: 409,
  [Rejections.notYourMentee]: 403,
  [Rejections.evaluationNotOpen]: 409,
  [Rejections.evaluationConflict]: 409,
  [Rejections.invalidRequest]: 422,
  [TermRejections.selectionConflict]: 409,
  [TermRejections.capacity]: 409,
};

/**
 * Sends one message to the mentee's workflow and waits until it is recorded; a rejection is a ProblemError.
 * With an `updateId` (the request key of a retried HTTP request), Temporal answers a repeat with the first result.
 */
export async function sendMessage<A>(
  temporal: Client,
  application: ApplicationRow,
  update: UpdateDefinition<MessageResult, [A]>,
  arg: A,
  updateId?: string,
): Promise<MessageResult> {
  try {
    return await temporal.workflow
      .getHandle(application.workflowId)
      .executeUpdate(update, { args: [arg], ...(updateId && { updateId }) });
  } catch (error) {
    throw asProblem(error, application);
  }
}

/**
 * A withdrawal or termination: asked again after the workflow closed with that very end, it is a harmless repeat
 * (the mentee workflow has finished and can no longer answer); after another end, a 409.
 */
export async function sendEnding<A>(
  { sql, temporal }: Pick<MenteeClientDeps, 'sql' | 'temporal'>,
  application: ApplicationRow,
  update: UpdateDefinition<MessageResult, [A]>,
  arg: A,
  endsAs: 'withdrawn' | 'terminated',
  updateId?: string,
): Promise<MessageResult> {
  try {
    return await sendMessage(temporal, application, update, arg, updateId);
  } catch (error) {
    if (!(error instanceof ProblemError && error.kind === 'application-closed')) throw error;
    const { stage } = await findApplication(sql, application.id);
    if (stage !== endsAs) {
      throw conflict('application-closed', `Application ${application.id} has already ended (${stage})`);
    }
    return { duplicate: true };
  }
}

function asProblem(error: unknown, application: ApplicationRow): unknown {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    const status = REJECTION_STATUS[error.cause.type ?? ''];
    // a rule's numbers travel as the failure's details, e.g. { rule: 'slots', limit: 4 }
    const [extra] = (error.cause.details ?? []) as (Record<string, unknown> | undefined)[];
    if (status) {
      return new ProblemError(
        status,
        kebab(error.cause.type ?? 'rejected'),
        error.cause.message,
        extra ?? {},
      );
    }
  }
  if (error instanceof WorkflowNotFoundError || isCompletedWorkflowError(error)) {
    return conflict(
      'application-closed',
      `Application ${application.id} is closed (stage: ${application.stage})`,
    );
  }
  return error;
}

function isCompletedWorkflowError(error: unknown): boolean {
  return error instanceof Error && /workflow execution already completed/i.test(error.message);
}

const kebab = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
