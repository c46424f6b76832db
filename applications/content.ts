import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import { conflict, ProblemError, validationProblem } from '../domain/problems.js';
import { answerLimit, type Program } from '../domain/program.js';

/** What an applicant writes: the projects the application is for, the answers, a proposal file. */
export interface ContentChange {
  projectIds?: string[] | undefined;
  answers?: Record<string, string> | undefined;
  proposalFileId?: string | null | undefined;
}

export interface ApplicationContent {
  projectIds: string[];
  answers: Record<string, string>;
  proposal: { fileId: string; name: string } | null;
  version: number;
  state: 'draft' | 'submitted';
  submittedAt: string | null;
  updatedAt: string;
}

type Issue = { path: (string | number)[]; message: string };

/** Each answer against its question (kind, limit, choices); with `complete`, every required one present too. */
export function checkContent(program: Program, content: ContentChange, complete: boolean): Issue[] {
  const issues: Issue[] = [];
  const questions = new Map(program.questions.map((q) => [q.id, q]));
  for (const [id, answer] of Object.entries(content.answers ?? {})) {
    const question = questions.get(id);
    if (!question) {
      issues.push({ path: ['answers', id], message: `the program asks no question "${id}"` });
      continue;
    }
    const limit = answerLimit(question);
    if (answer.length > limit) {
      issues.push({ path: ['answers', id], message: `at most ${limit} characters (got ${answer.length})` });
    } else if (question.kind === 'url' && answer !== '' && !URL.canParse(answer)) {
      issues.push({ path: ['answers', id], message: 'must be a URL, e.g. https://github.com/you' });
    } else if (question.kind === 'choice' && answer !== '' && !question.choices?.includes(answer)) {
      issues.push({ path: ['answers', id], message: `must be one of: ${question.choices?.join(', ')}` });
    }
  }
  const projects = new Set(program.projects.map((p) => p.id));
  for (const [index, id] of (content.projectIds ?? []).entries()) {
    if (!projects.has(id))
      issues.push({ path: ['projectIds', index], message: `the program has no project "${id}"` });
  }
  if ((content.projectIds?.length ?? 0) > program.projectsPerApplication) {
    issues.push({
      path: ['projectIds'],
      message: `an application names at most ${program.projectsPerApplication} project(s)`,
    });
  }
  if (new Set(content.projectIds ?? []).size !== (content.projectIds?.length ?? 0)) {
    issues.push({ path: ['projectIds'], message: 'a project is named once' });
  }
  if (!complete) return issues;
  for (const question of program.questions) {
    if (question.required && !content.answers?.[question.id]?.trim()) {
      issues.push({ path: ['answers', question.id], message: `required: ${question.prompt.slice(0, 120)}` });
    }
  }
  if (program.projects.length > 0 && (content.projectIds?.length ?? 0) === 0) {
    issues.push({ path: ['projectIds'], message: 'name the project(s) the application is for' });
  }
  if (program.proposal === 'required' && !content.proposalFileId) {
    issues.push({ path: ['proposalFileId'], message: 'the program asks for a proposal (a PDF)' });
  }
  return issues;
}

export function assertContent(program: Program, content: ContentChange, complete: boolean): void {
  const issues = checkContent(program, content, complete);
  if (issues.length > 0) throw validationProblem(issues);
}

/** A proposal is the applicant's own upload. */
export async function assertOwnFile(
  sql: Sql,
  fileId: string | null | undefined,
  owner: string,
  field: string,
) {
  if (!fileId) return;
  const [file] = await sql`SELECT 1 FROM files WHERE id = ${fileId} AND owner_id = ${owner}`;
  if (!file) throw validationProblem([{ path: [field], message: `no file "${fileId}" uploaded by you` }]);
}

/** Applications are edited until they close; after it every edit is refused, naming the deadline. */
export function assertOpen(program: Program, now: number): void {
  if (now >= Date.parse(program.applicationsCloseAt)) {
    throw conflict(
      'applications-closed',
      `Applications to ${program.id} closed at ${new Date(program.applicationsCloseAt).toISOString()}; the application can no longer change`,
      { deadline: new Date(program.applicationsCloseAt).toISOString() },
    );
  }
}

export async function createContent(
  tx: Sql,
  applicationId: string,
  content: ContentChange,
  submitted: boolean,
): Promise<void> {
  await tx`
    INSERT INTO application_content (application_id, project_ids, answers, proposal_file_id, submitted_at)
    VALUES (${applicationId}, ${content.projectIds ?? []}, ${tx.json((content.answers ?? {}) as JSONValue)},
            ${content.proposalFileId ?? null}, ${submitted ? tx`now()` : null})
    ON CONFLICT (application_id) DO NOTHING`;
}

interface ContentRow {
  projectIds: string[];
  answers: Record<string, string>;
  proposalFileId: string | null;
  proposalName: string | null;
  version: number;
  submittedAt: Date | null;
  updatedAt: Date;
}

export async function readContent(sql: Sql, applicationId: string): Promise<ApplicationContent | undefined> {
  const [row] = await sql<ContentRow[]>`
    SELECT c.project_ids AS "projectIds", c.answers, c.proposal_file_id AS "proposalFileId", f.name AS "proposalName",
           c.version, c.submitted_at AS "submittedAt", c.updated_at AS "updatedAt"
    FROM application_content c LEFT JOIN files f ON f.id = c.proposal_file_id
    WHERE c.application_id = ${applicationId}`;
  if (!row) return undefined;
  return {
    projectIds: row.projectIds,
    answers: row.answers,
    proposal: row.proposalFileId ? { fileId: row.proposalFileId, name: row.proposalName ?? '' } : null,
    version: row.version,
    state: row.submittedAt ? 'submitted' : 'draft',
    submittedAt: row.submittedAt?.toISOString() ?? null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * One edit of the content, made only on the version the client read: two edits of the same version, one wins and
 * the other is a 412 (HTTP's answer to a stale If-Match), with the version to read again.
 */
export async function editContent(
  sql: Sql,
  applicationId: string,
  expectedVersion: number,
  change: ContentChange,
): Promise<void> {
  const [edited] = await sql`
    UPDATE application_content SET
      project_ids = coalesce(${change.projectIds ?? null}::text[], project_ids),
      answers = answers || ${sql.json((change.answers ?? {}) as JSONValue)},
      proposal_file_id = ${change.proposalFileId === undefined ? sql`proposal_file_id` : change.proposalFileId},
      version = version + 1, updated_at = now()
    WHERE application_id = ${applicationId} AND version = ${expectedVersion}
    RETURNING version`;
  if (edited) return;
  const [current] = await sql<{ version: number }[]>`
    SELECT version FROM application_content WHERE application_id = ${applicationId}`;
  if (!current) throw new ProblemError(404, 'not-found', `Application ${applicationId} has no form to edit`);
  throw new ProblemError(
    412,
    'stale-version',
    `The application changed since version ${expectedVersion} was read; it is at version ${current.version}: read it again`,
    { version: current.version },
  );
}

/** Marks the content submitted (once); false when it already was. */
export async function markSubmitted(sql: Sql, applicationId: string): Promise<boolean> {
  const marked = await sql`
    UPDATE application_content SET submitted_at = now()
    WHERE application_id = ${applicationId} AND submitted_at IS NULL RETURNING 1`;
  return marked.length === 1;
}
