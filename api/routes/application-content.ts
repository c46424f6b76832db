import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Context } from 'hono';
import {
  assertContent,
  assertOpen,
  assertOwnFile,
  editContent,
  markSubmitted,
  readContent,
} from '../../applications/content.js';
import {
  applicationsOfFile,
  fileBytes,
  findFile,
  postgresFileStore as postgresStore,
  storeFile,
} from '../../applications/files.js';
import { readProfile, writeProfile } from '../../applications/profiles.js';
import {
  assertSubmissionFits,
  decideTask,
  findTask,
  recordSubmission,
  taskViews,
} from '../../applications/tasks.js';
import type { SendEmailInput } from '../../domain/emails.js';
import { menteeWorkflowId, noticeEmailWorkflowId } from '../../domain/ids.js';
import { completePrerequisiteUpdate } from '../../domain/messages.js';
import { conflict, forbidden, ProblemError } from '../../domain/problems.js';
import { APPLICATION_TASK, Email } from '../../domain/program.js';
import { TimeZone } from '../../domain/time-zones.js';
import { type ApplicationRow, findApplication, sendMessage } from '../../mentees/client.js';
import { findProgram } from '../../mentees/programs.js';
import type { noticeEmailWorkflow } from '../../workflows/index.js';
import { authorize, principal, runsProgram } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { requestKeyOf } from '../idempotency.js';
import { newRouter } from '../router.js';
import { jsonBody, Param, problemResponse, secured, writeErrors } from '../schemas.js';

export const DEFAULT_FILE_MAX_BYTES = 5 * 1024 * 1024;

const ApplicationParams = z.object({ applicationId: Param.applicationId });
const Url = z.url().max(2000);

const ProfileBody = z
  .strictObject({
    name: z.string().min(1).max(200),
    email: Email,
    country: z.string().length(2).toUpperCase().nullable().default(null),
    timeZone: TimeZone.default('UTC'),
    pronouns: z.string().min(1).max(40).nullable().default(null),
    skills: z.array(z.string().min(1).max(40)).max(30).default([]),
    links: z.strictObject({ forge: Url.optional(), portfolio: Url.optional() }).default({}),
    resumeFileId: z.uuid().nullable().default(null).describe('A PDF uploaded with POST /files'),
  })
  .openapi({ example: EXAMPLES.Profile })
  .openapi('Profile');
// as stored: an address the form took may be one a stricter reader would not call an email
const ProfileView = z
  .object({ ...ProfileBody.shape, email: z.string(), updatedAt: z.string() })
  .openapi({ example: { ...EXAMPLES.Profile, updatedAt: '2027-01-10T09:31:00.000Z' } })
  .openapi('ProfileView');

const StoredFileView = z
  .object({ id: z.uuid(), name: z.string(), sizeBytes: z.int(), sha256: z.string(), createdAt: z.string() })
  .openapi({ example: EXAMPLES.StoredFile })
  .openapi('StoredFile');

const ContentChangeBody = z.strictObject({
  projectIds: z.array(z.string().max(64)).max(10).optional().describe("The program's projects this is for"),
  answers: z
    .record(z.string().max(64), z.string().max(20_000))
    .optional()
    .describe('Answers by question id (merged into the stored ones); each checked against its question'),
  proposalFileId: z.uuid().nullable().optional().describe('A PDF uploaded with POST /files'),
});
export const ContentView = z
  .object({
    projectIds: z.array(z.string()),
    answers: z.record(z.string(), z.string()),
    proposal: z.object({ fileId: z.uuid(), name: z.string() }).nullable(),
    version: z.int(),
    state: z.enum(['draft', 'submitted']),
    submittedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .openapi({ example: EXAMPLES.ApplicationContent })
  .openapi('ApplicationContent');

const TaskView = z
  .object({
    id: z.string(),
    title: z.string(),
    kind: z.enum(['confirmation', 'text', 'link', 'file']),
    review: z.boolean(),
    state: z.enum(['pending', 'submitted', 'accepted', 'changes-requested']),
    round: z.int(),
    submission: z
      .object({
        text: z.string().nullable(),
        url: z.string().nullable(),
        fileId: z.uuid().nullable(),
        submittedAt: z.string(),
      })
      .nullable(),
    reviewComment: z.string().nullable(),
    reviewedBy: z.string().nullable(),
    reviewedAt: z.string().nullable(),
  })
  .openapi({ example: EXAMPLES.Task })
  .openapi('Task');
const TaskList = z
  .object({ tasks: z.array(TaskView) })
  .openapi({ example: { tasks: [EXAMPLES.Task] } })
  .openapi('TaskList');
const SubmissionBody = z.strictObject({
  text: z.string().min(1).max(20_000).optional(),
  url: Url.optional(),
  fileId: z.uuid().optional(),
});
const ReviewBody = z.strictObject({
  decision: z.enum(['accept', 'request-changes']),
  comment: z.string().max(5_000).default('').describe('What the applicant should change; they see it'),
});
const ContributionBody = z.strictObject({
  url: Url,
  description: z.string().min(1).max(5_000),
  date: z.iso.date(),
  projectId: z.string().max(64).optional(),
});
const Contribution = z
  .object({ ...ContributionBody.shape, id: z.int(), createdAt: z.string() })
  .openapi({ example: EXAMPLES.Contribution })
  .openapi('Contribution');
const ContributionList = z
  .object({ contributions: z.array(Contribution) })
  .openapi({ example: { contributions: [EXAMPLES.Contribution] } })
  .openapi('ContributionList');

const TaskParams = ApplicationParams.extend({
  taskId: z
    .string()
    .max(64)
    .openapi({ description: "One of the program's prerequisite tasks", example: 'cover-letter' }),
});
const FileParams = z.object({
  fileId: z.string().openapi({ example: '0f6c1c5e-8c38-4a3e-9a83-0fd1f1a7c7b1' }),
});

const viewErrors = {
  401: problemResponse('No or invalid bearer token'),
  403: problemResponse("Not the applicant, the program's mentors or admins, or ops"),
  404: problemResponse('Unknown application'),
};

/** A GET under an application that its applicant, the program's mentors and admins, and ops read. */
function applicationView<S extends z.ZodType>(path: string, summary: string, schema: S) {
  return createRoute({
    method: 'get',
    tags: ['Applicants'],
    path: `/applications/{applicationId}${path}`,
    summary,
    ...secured,
    request: { params: ApplicationParams },
    responses: { 200: { description: summary, content: { 'application/json': { schema } } }, ...viewErrors },
  });
}

const routes = {
  readProfile: createRoute({
    method: 'get',
    tags: ['Applicants'],
    path: '/me/profile',
    summary: "The caller's profile, reused by every application they make",
    ...secured,
    responses: {
      200: { description: 'The profile', content: { 'application/json': { schema: ProfileView } } },
      401: problemResponse('No or invalid bearer token'),
      404: problemResponse('No profile yet'),
    },
  }),
  writeProfile: createRoute({
    method: 'put',
    tags: ['Applicants'],
    path: '/me/profile',
    summary: "Write the caller's profile (name, email, country, time zone, pronouns, skills, links, résumé)",
    ...secured,
    request: {
      // an example without a résumé: a file id must be the caller's own upload
      body: jsonBody(ProfileBody, {
        name: 'Grace Hopper',
        email: 'grace@example.org',
        country: 'IN',
        timeZone: 'Asia/Kolkata',
        skills: ['go', 'kubernetes'],
        links: { forge: 'https://github.com/grace' },
      }),
    },
    responses: {
      ...writeErrors,
      200: { description: 'Stored', content: { 'application/json': { schema: ProfileView } } },
      422: problemResponse('Invalid profile, or a résumé that is not your upload'),
    },
  }),
  upload: createRoute({
    method: 'post',
    tags: ['Applicants'],
    path: '/files',
    summary: 'Upload a PDF (a résumé, a proposal, a task): multipart/form-data with one part named file',
    ...secured,
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: z.object({
              file: z
                .custom<File>((value) => value instanceof File, 'a file part is required')
                .openapi({ type: 'string', format: 'binary', description: 'A PDF' }),
            }),
          },
        },
      },
    },
    responses: {
      ...writeErrors,
      201: { description: 'Stored', content: { 'application/json': { schema: StoredFileView } } },
      400: problemResponse('Not multipart/form-data, or no part named file'),
      413: problemResponse('The file is over the limit (5 MB by default)'),
      415: problemResponse('Not of a kind FILE_TYPES allows (PDF by default), told by its bytes'),
    },
  }),
  download: createRoute({
    method: 'get',
    tags: ['Applicants'],
    path: '/files/{fileId}',
    summary:
      "A file, as an attachment: its owner, the program's mentors and admins of an application it is part of, ops",
    ...secured,
    request: { params: FileParams },
    responses: {
      200: {
        description: 'The PDF, always as an attachment',
        content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
      },
      401: problemResponse('No or invalid bearer token'),
      403: problemResponse('Not allowed to read this file'),
      404: problemResponse('Unknown file'),
    },
  }),
  content: createRoute({
    method: 'get',
    tags: ['Applicants'],
    path: '/applications/{applicationId}/content',
    summary: 'What the application holds: projects, answers, proposal; its version is the ETag',
    ...secured,
    request: { params: ApplicationParams },
    responses: {
      200: {
        description: 'The content',
        headers: { etag: { schema: { type: 'string' }, description: 'The version, for If-Match' } },
        content: { 'application/json': { schema: ContentView } },
      },
      ...viewErrors,
    },
  }),
  edit: createRoute({
    method: 'patch',
    tags: ['Applicants'],
    path: '/applications/{applicationId}/content',
    summary: 'Edit the application until applications close; If-Match carries the version read (ETag)',
    ...secured,
    request: {
      params: ApplicationParams,
      headers: z.object({
        'if-match': z
          .string()
          .max(40)
          .optional()
          .openapi({ description: 'The ETag read, e.g. "3"', example: '"1"' }),
      }),
      body: jsonBody(ContentChangeBody, {
        answers: { why: 'I have contributed to the scheduler for a year' },
      }),
    },
    responses: {
      ...writeErrors,
      200: {
        description: 'Edited',
        headers: { etag: { schema: { type: 'string' } } },
        content: { 'application/json': { schema: ContentView } },
      },
      403: problemResponse('Only the applicant edits the application'),
      404: problemResponse('Unknown application'),
      409: problemResponse('Applications have closed (the deadline is named)'),
      412: problemResponse('If-Match is not the current version: read it again'),
      422: problemResponse('An answer over its limit or not fitting its question, an unknown project'),
      428: problemResponse('If-Match is required'),
    },
  }),
  submit: createRoute({
    method: 'post',
    tags: ['Applicants'],
    path: '/applications/{applicationId}/submit',
    summary: 'Submit the application: every required answer, the project(s) and the proposal must be there',
    ...secured,
    request: { params: ApplicationParams },
    responses: {
      ...writeErrors,
      200: { description: 'Submitted', content: { 'application/json': { schema: ContentView } } },
      403: problemResponse('Only the applicant submits'),
      404: problemResponse('Unknown application'),
      409: problemResponse('Applications have closed, or the application is past review'),
      422: problemResponse('Something required is missing (each named)'),
    },
  }),
  tasks: applicationView(
    '/tasks',
    "The prerequisite tasks with their submissions, review states and the reviewers' comments",
    TaskList,
  ),
  submitTask: createRoute({
    method: 'post',
    tags: ['Applicants'],
    path: '/applications/{applicationId}/tasks/{taskId}/submission',
    summary:
      'Submit a task (text, link, file or a confirmation, as it asks); again after changes were requested',
    ...secured,
    request: {
      params: TaskParams,
      body: jsonBody(SubmissionBody, { url: 'https://github.com/org/repo/pull/42' }),
    },
    responses: {
      ...writeErrors,
      200: { description: 'Submitted', content: { 'application/json': { schema: TaskView } } },
      403: problemResponse('Only the applicant submits'),
      404: problemResponse('Unknown application or task'),
      409: problemResponse('Already accepted, or the review window has closed'),
      422: problemResponse('Not what the task asks for'),
    },
  }),
  reviewTask: createRoute({
    method: 'post',
    tags: ['Reviews'],
    path: '/applications/{applicationId}/tasks/{taskId}/review',
    summary: 'Accept a submitted task, or send it back with a comment (the applicant sees it)',
    ...secured,
    request: {
      params: TaskParams,
      body: jsonBody(ReviewBody, { decision: 'request-changes', comment: 'Add tests' }),
    },
    responses: {
      ...writeErrors,
      200: { description: 'Decided', content: { 'application/json': { schema: TaskView } } },
      403: problemResponse("Not the program's mentors or admins"),
      404: problemResponse('Unknown application or task'),
      409: problemResponse('The task is not waiting for review'),
    },
  }),
  contributions: applicationView(
    '/contributions',
    'The contributions the applicant recorded',
    ContributionList,
  ),
  addContribution: createRoute({
    method: 'post',
    tags: ['Applicants'],
    path: '/applications/{applicationId}/contributions',
    summary: 'Record a contribution (link, description, date, project) while applications are open',
    ...secured,
    request: {
      params: ApplicationParams,
      body: jsonBody(ContributionBody, {
        url: 'https://github.com/org/repo/pull/7',
        description: 'Fixed the flaky scheduler test',
        date: '2027-01-12',
      }),
    },
    responses: {
      ...writeErrors,
      201: { description: 'Recorded', content: { 'application/json': { schema: Contribution } } },
      403: problemResponse('Only the applicant records contributions'),
      404: problemResponse('Unknown application'),
      409: problemResponse('Applications have closed'),
      422: problemResponse('Invalid contribution, or an unknown project'),
    },
  }),
};

const etag = (version: number) => `"${version}"`;

/** The applicant hears by email that a task came back (once per round); the comment waits on their page. */
async function tellChangesRequested(
  deps: ApiDeps,
  application: ApplicationRow,
  task: { id: string; title: string },
  round: number,
) {
  const key = `${menteeWorkflowId(application.id)}/task-changes-requested/${task.id}/${round}/mentee`;
  const input: SendEmailInput = {
    applicationId: application.id,
    to: 'mentee',
    idempotencyKey: key,
    message: { kind: 'task-changes-requested', task: task.title, applicationId: application.id },
  };
  await deps.temporal.workflow
    .start<typeof noticeEmailWorkflow>('noticeEmailWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: noticeEmailWorkflowId(key),
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `Email the mentee: task ${task.id} sent back (round ${round})`,
    })
    .catch((error: unknown) => {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    });
}

export function applicationContentRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const files = deps.files ?? { store: undefined, maxBytes: DEFAULT_FILE_MAX_BYTES };
  const now = deps.now ?? Date.now;
  const app = newRouter();

  async function applicationOf(
    c: Context,
    applicationId: string,
    ...parties: Parameters<typeof authorize>[2][]
  ) {
    const application = await findApplication(sql, applicationId);
    const caller = authorize(c, application, ...parties);
    const stored = await findProgram(sql, application.programId);
    return { application, caller, program: stored.definition, rules: stored.rules };
  }

  app.openapi(routes.readProfile, async (c) => {
    const profile = await readProfile(sql, principal(c).userId);
    if (!profile) throw new ProblemError(404, 'not-found', 'No profile yet: PUT /me/profile');
    return c.json(profile, 200);
  });

  app.openapi(routes.writeProfile, async (c) => {
    const { userId } = principal(c);
    const body = c.req.valid('json');
    await assertOwnFile(sql, body.resumeFileId, userId, 'resumeFileId');
    await writeProfile(sql, userId, body);
    return c.json((await readProfile(sql, userId))!, 200);
  });

  app.openapi(routes.upload, async (c) => {
    const { userId } = principal(c);
    const form = await c.req.parseBody().catch(() => {
      throw new ProblemError(
        400,
        'bad-request',
        'The body must be multipart/form-data with a part named file',
      );
    });
    const file = form.file;
    if (!(file instanceof File)) {
      throw new ProblemError(
        400,
        'bad-request',
        'The body must be multipart/form-data with a part named file',
      );
    }
    const stored = await storeFile(sql, files.store ?? postgresStore, files, {
      owner: userId,
      name: (file.name || 'file.pdf').slice(0, 200),
      bytes: Buffer.from(await file.arrayBuffer()),
    });
    return c.json(stored, 201, { location: `/files/${stored.id}` });
  });

  app.openapi(routes.download, async (c) => {
    const { fileId } = c.req.valid('param');
    const file = /^[0-9a-f-]{36}$/i.test(fileId) ? await findFile(sql, fileId) : undefined;
    if (!file) throw new ProblemError(404, 'not-found', `No file with id "${fileId}"`);
    const caller = principal(c);
    if (caller.userId !== file.ownerId && caller.role !== 'ops') {
      const programs = (await applicationsOfFile(sql, fileId)).map((a) => a.programId);
      const reads = programs.some(
        (programId) =>
          runsProgram(caller, programId) || (caller.role === 'mentor' && caller.programs.includes(programId)),
      );
      if (!reads)
        throw forbidden('Only its owner, the mentors and admins of its applications, and ops read a file');
    }
    const bytes = await fileBytes(sql, files.store ?? postgresStore, fileId);
    return c.body(new Uint8Array(bytes), 200, {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
  });

  app.openapi(routes.content, async (c) => {
    const { application } = await applicationOf(
      c,
      c.req.valid('param').applicationId,
      'mentee',
      'programMentor',
      'staff',
    );
    const content = await contentOf(application);
    return c.json(content, 200, { etag: etag(content.version) });
  });

  app.openapi(routes.edit, async (c) => {
    const { application, program } = await applicationOf(c, c.req.valid('param').applicationId, 'mentee');
    const ifMatch = c.req.valid('header')['if-match'];
    if (ifMatch === undefined) {
      throw new ProblemError(428, 'if-match-required', 'Send If-Match with the ETag of the version you read');
    }
    const version = Number(ifMatch.replace(/^W\//, '').replaceAll('"', ''));
    const change = c.req.valid('json');
    assertOpen(program, now());
    assertContent(program, change, false);
    await assertOwnFile(sql, change.proposalFileId, application.menteeId, 'proposalFileId');
    if (!Number.isInteger(version))
      throw new ProblemError(412, 'stale-version', `If-Match ${ifMatch} is no version of this application`);
    await editContent(sql, application.id, version, change);
    const content = await contentOf(application);
    return c.json(content, 200, { etag: etag(content.version) });
  });

  app.openapi(routes.submit, async (c) => {
    const { application, program } = await applicationOf(c, c.req.valid('param').applicationId, 'mentee');
    const before = await contentOf(application);
    if (before.state === 'draft') {
      assertOpen(program, now());
      assertContent(program, { ...before, proposalFileId: before.proposal?.fileId ?? null }, true);
    }
    // the workflow hears it (again on a retry: the message is idempotent) before the content says submitted
    await sendMessage(
      deps.temporal,
      application,
      completePrerequisiteUpdate,
      { prerequisiteId: APPLICATION_TASK.id },
      requestKeyOf(c),
    );
    await markSubmitted(sql, application.id);
    return c.json(await contentOf(application), 200);
  });

  app.openapi(routes.tasks, async (c) => {
    const { application, program } = await applicationOf(
      c,
      c.req.valid('param').applicationId,
      'mentee',
      'programMentor',
      'staff',
    );
    return c.json({ tasks: await taskViews(sql, program, application.id) }, 200);
  });

  app.openapi(routes.submitTask, async (c) => {
    const { applicationId, taskId } = c.req.valid('param');
    const { application, program, rules } = await applicationOf(c, applicationId, 'mentee');
    const task = findTask(program, taskId);
    const submission = c.req.valid('json');
    assertSubmissionFits(task, submission);
    await assertOwnFile(sql, submission.fileId, application.menteeId, 'fileId');
    assertInReview(application, rules.reviewClosesAt);
    await sql.begin(async (tx) => {
      await recordSubmission(tx as unknown as typeof sql, application.id, task, submission);
      // without review a submission completes the task; the workflow refuses it out of its review window
      if (!task.review) {
        await sendMessage(
          deps.temporal,
          application,
          completePrerequisiteUpdate,
          { prerequisiteId: task.id },
          requestKeyOf(c),
        );
      }
    });
    return c.json(await taskView(application, program, task.id), 200);
  });

  app.openapi(routes.reviewTask, async (c) => {
    const { applicationId, taskId } = c.req.valid('param');
    const { application, caller, program } = await applicationOf(c, applicationId, 'programMentor', 'staff');
    const task = findTask(program, taskId);
    const { decision, comment } = c.req.valid('json');
    const accept = decision === 'accept';
    const { round } = await decideTask(
      sql,
      application.id,
      task,
      { accept, comment, reviewer: caller.userId },
      async () => {
        if (accept) {
          await sendMessage(
            deps.temporal,
            application,
            completePrerequisiteUpdate,
            { prerequisiteId: task.id },
            requestKeyOf(c),
          );
        }
      },
    );
    if (!accept) await tellChangesRequested(deps, application, task, round);
    return c.json(await taskView(application, program, task.id), 200);
  });

  app.openapi(routes.contributions, async (c) => {
    const { application } = await applicationOf(
      c,
      c.req.valid('param').applicationId,
      'mentee',
      'programMentor',
      'staff',
    );
    return c.json({ contributions: await contributionsOf(application.id) }, 200);
  });

  app.openapi(routes.addContribution, async (c) => {
    const { application, program } = await applicationOf(c, c.req.valid('param').applicationId, 'mentee');
    const body = c.req.valid('json');
    assertOpen(program, now());
    if (body.projectId !== undefined && !program.projects.some((p) => p.id === body.projectId)) {
      throw new ProblemError(422, 'validation', `projectId: the program has no project "${body.projectId}"`, {
        errors: [{ path: 'projectId', message: `the program has no project "${body.projectId}"` }],
      });
    }
    const [row] = await sql<{ id: string }[]>`
      INSERT INTO contributions (application_id, url, description, contributed_on, project_id)
      VALUES (${application.id}, ${body.url}, ${body.description}, ${body.date}, ${body.projectId ?? null})
      RETURNING id`;
    const [stored] = (await contributionsOf(application.id)).filter((x) => x.id === Number(row!.id));
    return c.json(stored!, 201);
  });

  async function contentOf(application: ApplicationRow) {
    const content = await readContent(sql, application.id);
    if (!content)
      throw new ProblemError(404, 'not-found', `Application ${application.id} has no application form`);
    return content;
  }

  async function taskView(
    application: ApplicationRow,
    program: Parameters<typeof taskViews>[1],
    taskId: string,
  ) {
    return (await taskViews(sql, program, application.id)).find((t) => t.id === taskId)!;
  }

  async function contributionsOf(applicationId: string) {
    const rows = await sql<
      {
        id: string;
        url: string;
        description: string;
        date: string;
        projectId: string | null;
        createdAt: Date;
      }[]
    >`
      SELECT id, url, description, to_char(contributed_on, 'YYYY-MM-DD') AS date, project_id AS "projectId",
             created_at AS "createdAt"
      FROM contributions WHERE application_id = ${applicationId} ORDER BY id`;
    return rows.map((r) => ({
      id: Number(r.id),
      url: r.url,
      description: r.description,
      date: r.date,
      ...(r.projectId !== null && { projectId: r.projectId }),
      createdAt: r.createdAt.toISOString(),
    }));
  }

  /** Tasks are handed in during review, as prerequisites are completed (the workflow holds the same rule). */
  function assertInReview(application: ApplicationRow, reviewClosesAt: string) {
    if (application.stage !== 'in_review' || now() >= Date.parse(reviewClosesAt)) {
      throw conflict(
        'review-closed',
        `Tasks are handed in during review; application ${application.id} is ${application.stage}`,
      );
    }
  }

  return app;
}
