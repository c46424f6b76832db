import type { Sql } from '../db/index.js';
import { conflict, notFound, validationProblem } from '../domain/problems.js';
import type { Program } from '../domain/program.js';

export type Task = Program['prerequisites'][number];
export type TaskState = 'pending' | 'submitted' | 'accepted' | 'changes-requested';

export interface TaskSubmission {
  text?: string | undefined;
  url?: string | undefined;
  fileId?: string | undefined;
}

/** A task as the applicant and the reviewers see it: what it asks, where it stands, the reviewer's comment. */
export interface TaskView {
  id: string;
  title: string;
  kind: Task['kind'];
  review: boolean;
  state: TaskState;
  round: number;
  submission: { text: string | null; url: string | null; fileId: string | null; submittedAt: string } | null;
  reviewComment: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
}

export function findTask(program: Program, taskId: string): Task {
  const task = program.prerequisites.find((t) => t.id === taskId);
  if (!task) throw notFound('task', taskId);
  return task;
}

/** A submission carries exactly what the task's kind asks for. */
export function assertSubmissionFits(task: Task, submission: TaskSubmission): void {
  const given = (['text', 'url', 'fileId'] as const).filter((field) => submission[field] !== undefined);
  const wanted = { confirmation: [], text: ['text'], link: ['url'], file: ['fileId'] }[task.kind];
  if (given.length !== wanted.length || !wanted.every((field) => given.includes(field as 'text'))) {
    throw validationProblem([
      {
        path: wanted.length ? [wanted[0]!] : given,
        message: wanted.length
          ? `task "${task.id}" takes a ${task.kind === 'link' ? 'url' : task.kind === 'file' ? 'fileId (a PDF)' : 'text'} and nothing else`
          : `task "${task.id}" is a confirmation: send an empty body`,
      },
    ]);
  }
}

const STATE: Record<string, TaskState> = {
  submitted: 'submitted',
  accepted: 'accepted',
  changes_requested: 'changes-requested',
};

interface SubmissionRow {
  taskId: string;
  state: string;
  round: number;
  text: string | null;
  url: string | null;
  fileId: string | null;
  submittedAt: Date;
  reviewedBy: string | null;
  reviewedAt: Date | null;
  reviewComment: string | null;
}

export async function taskViews(sql: Sql, program: Program, applicationId: string): Promise<TaskView[]> {
  const rows = await sql<SubmissionRow[]>`
    SELECT task_id AS "taskId", state, round, text, url, file_id AS "fileId", submitted_at AS "submittedAt",
           reviewed_by AS "reviewedBy", reviewed_at AS "reviewedAt", review_comment AS "reviewComment"
    FROM task_submissions WHERE application_id = ${applicationId}`;
  const byTask = new Map(rows.map((r) => [r.taskId, r]));
  return program.prerequisites.map((task) => {
    const row = byTask.get(task.id);
    return {
      id: task.id,
      title: task.title,
      kind: task.kind,
      review: task.review,
      state: row ? STATE[row.state]! : 'pending',
      round: row?.round ?? 0,
      submission: row
        ? { text: row.text, url: row.url, fileId: row.fileId, submittedAt: row.submittedAt.toISOString() }
        : null,
      reviewComment: row?.reviewComment ?? null,
      reviewedBy: row?.reviewedBy ?? null,
      reviewedAt: row?.reviewedAt?.toISOString() ?? null,
    };
  });
}

/**
 * Stores a submission: the first, or a new round after changes were requested (or while waiting for review).
 * An accepted task stays accepted. Without review the submission is accepted at once.
 */
export async function recordSubmission(
  tx: Sql,
  applicationId: string,
  task: Task,
  submission: TaskSubmission,
): Promise<void> {
  const state = task.review ? 'submitted' : 'accepted';
  const [stored] = await tx`
    INSERT INTO task_submissions (application_id, task_id, state, text, url, file_id)
    VALUES (${applicationId}, ${task.id}, ${state}, ${submission.text ?? null}, ${submission.url ?? null},
            ${submission.fileId ?? null})
    ON CONFLICT (application_id, task_id) DO UPDATE SET
      state = EXCLUDED.state, round = task_submissions.round + 1, text = EXCLUDED.text, url = EXCLUDED.url,
      file_id = EXCLUDED.file_id, submitted_at = now(), reviewed_by = NULL, reviewed_at = NULL, review_comment = NULL
    WHERE task_submissions.state <> 'accepted'
    RETURNING 1`;
  if (!stored) throw conflict('task-accepted', `Task ${task.id} is already accepted; it cannot change`);
}

/**
 * Takes the reviewer's decision on a submitted task, under a row lock: of two reviewers deciding at once, the
 * first decides and the second finds it decided (409). `beforeCommit` runs inside (the workflow hears of an
 * acceptance there, so a refusal by the workflow leaves the task as it was).
 */
export async function decideTask(
  sql: Sql,
  applicationId: string,
  task: Task,
  decision: { accept: boolean; comment: string; reviewer: string },
  beforeCommit: () => Promise<void>,
): Promise<{ round: number }> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ state: string; round: number }[]>`
      SELECT state, round FROM task_submissions
      WHERE application_id = ${applicationId} AND task_id = ${task.id} FOR UPDATE`;
    if (!task.review)
      throw conflict('task-without-review', `Task ${task.id} is complete when submitted; it has no review`);
    if (row?.state !== 'submitted') {
      throw conflict(
        'task-not-submitted',
        `Task ${task.id} is ${row ? STATE[row.state] : 'not submitted'}: only a submitted task is reviewed`,
      );
    }
    await tx`
      UPDATE task_submissions SET state = ${decision.accept ? 'accepted' : 'changes_requested'},
        reviewed_by = ${decision.reviewer}, reviewed_at = now(), review_comment = ${decision.comment || null}
      WHERE application_id = ${applicationId} AND task_id = ${task.id}`;
    await beforeCommit();
    return { round: row.round };
  }) as Promise<{ round: number }>;
}
