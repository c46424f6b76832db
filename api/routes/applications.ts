import { createRoute, z } from '@hono/zod-openapi';
import type { UpdateDefinition } from '@temporalio/common';
import type { Context } from 'hono';
import { assertContent, assertOwnFile, markSubmitted, readContent } from '../../applications/content.js';
import { readProfile } from '../../applications/profiles.js';
import { readStatus } from '../../db/read-model.js';
import {
  type Actor,
  adoptProgramScheduleUpdate,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  extendTermUpdate,
  type MenteeStatus,
  type MessageResult,
  recordPhoneCallUpdate,
  recordProgressUpdate,
  reopenEvaluationUpdate,
  type SelectionDecision,
  submitEvaluationUpdate,
  submitFeedbackSurveyUpdate,
  submitMenteeEvaluationUpdate,
  terminateUpdate,
  withdrawUpdate,
} from '../../domain/messages.js';
import { conflict, forbidden, notFound, validationProblem } from '../../domain/problems.js';
import { APPLICATION_TASK, Email, hasApplicationForm, type ProgramRules } from '../../domain/program.js';
import { DEFAULT_TIME_ZONE, TimeZone } from '../../domain/time-zones.js';
import {
  type ApplicationRow,
  apply,
  findApplication,
  queryStatus,
  sendEnding,
  sendMessage,
} from '../../mentees/client.js';
import { findProgram, rulesForNewMentee } from '../../mentees/programs.js';
import { projectOfSelection, recordMentor, withProjectSeat } from '../../mentees/selection.js';
import { MenteeState } from '../../workflows/state.js';
import { actorFrom, authorize, type Party, type Principal, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { requestKeyOf } from '../idempotency.js';
import { newRouter } from '../router.js';
import {
  ApplicationStatus,
  EvaluationBody,
  jsonBody,
  MenteeEvaluationBody,
  MessageResponse,
  Param,
  problemResponse,
  secured,
  writeErrors,
} from '../schemas.js';

const OpaqueId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'an opaque user id: letters, digits, _ and -');
const ApplyBody = z.strictObject({
  mentee: z
    .strictObject({
      id: OpaqueId.optional().describe("The caller's user id; taken from the token when left out"),
      name: z.string().min(1).max(200),
      email: Email,
      country: z
        .string()
        .length(2)
        .toUpperCase()
        .optional()
        .describe('ISO 3166 country of residence, for the stipend'),
      timeZone: TimeZone.optional().describe(
        'IANA time zone, e.g. Asia/Kolkata: emails and the calendar show deadlines in it, with UTC beside (default UTC; left out on a later application, the earlier one stays)',
      ),
    })
    .optional()
    .describe("The applicant's details; left out, their profile's (PUT /me/profile)"),
  motivation: z.string().max(5000).default(''),
  projectIds: z.array(z.string().max(64)).max(10).optional().describe("The program's projects this is for"),
  answers: z
    .record(z.string().max(64), z.string().max(20_000))
    .optional()
    .describe("Answers to the program's questions, by question id"),
  proposalFileId: z.uuid().optional().describe('A proposal PDF uploaded with POST /files'),
  submit: z
    .boolean()
    .default(false)
    .describe(
      'Submit at once (every required answer must be there); else a draft, editable until applications close',
    ),
});
const SelectionBody = z.discriminatedUnion('decision', [
  z.strictObject({
    decision: z.literal('select'),
    mentor: z.strictObject({
      id: OpaqueId,
      name: z.string().min(1).max(200),
      email: Email,
      timeZone: TimeZone.optional().describe(
        "The mentor's IANA time zone, e.g. America/Los_Angeles, for their emails and calendar (default UTC; left out, a known mentor keeps theirs)",
      ),
    }),
    projectTitle: z.string().min(1).max(200),
    projectId: z
      .string()
      .max(64)
      .optional()
      .describe(
        'Where the program has projects: the one the application is for, with the mentor committed to it',
      ),
  }),
  z.strictObject({ decision: z.literal('decline'), reason: z.string().max(2000).optional() }),
]);
const Reason = z.strictObject({ reason: z.string().min(1).max(2000) });

const ApplicationParams = z.object({ applicationId: Param.applicationId });
const messageResponses = {
  ...writeErrors,
  200: { description: 'Recorded', content: { 'application/json': { schema: MessageResponse } } },
  403: problemResponse('Not allowed for this user'),
  404: problemResponse('Unknown application or item'),
  409: problemResponse('Not possible at this stage'),
  422: problemResponse('Invalid request'),
};
/** A message to a mentee's workflow: POST under the application, answered with the fresh status. */
const messageRouteBase = (path: string, summary: string) => ({
  method: 'post' as const,
  tags: ['Applications'],
  path: `/applications/{applicationId}${path}`,
  summary,
  ...secured,
  responses: messageResponses,
});
function messageRoute<P extends z.ZodObject>(path: string, summary: string, params: P) {
  return createRoute({ ...messageRouteBase(path, summary), request: { params } });
}
function messageRouteWithBody<B extends z.ZodType>(
  path: string,
  summary: string,
  body: B,
  example: z.input<B>,
) {
  return createRoute({
    ...messageRouteBase(path, summary),
    request: { params: ApplicationParams, body: jsonBody(body, example) },
  });
}

/**
 * What a client does next with a new application: the document's links from the apply answer to each operation
 * on it (frontends and contract fuzzers follow them), the open checklist items as their ids.
 */
const nextWithApplication = Object.fromEntries(
  (
    [
      ['status', 'get', ''],
      ['stipend', 'get', '/stipend'],
      ['completePrerequisite', 'post', '/prerequisites/{prerequisiteId}/complete', 'prerequisites'],
      ['selection', 'post', '/selection'],
      ['phoneCall', 'post', '/phone-calls'],
      ['completeOnboardingStep', 'post', '/onboarding/{stepId}/complete', 'onboarding'],
      ['recordProgress', 'post', '/progress/{itemId}/complete', 'participation'],
      ['evaluation', 'post', '/evaluations/{number}'],
      ['menteeEvaluation', 'post', '/evaluations/{number}/mentee-evaluation'],
      ['feedbackSurvey', 'post', '/feedback-survey'],
      ['withdraw', 'post', '/withdraw'],
      ['terminate', 'post', '/terminate'],
      ['adoptProgramSchedule', 'post', '/adopt-program-schedule'],
      ['extend', 'post', '/extensions'],
    ] as const
  ).map(([name, method, path, checklist]) => {
    const template = `/applications/{applicationId}${path}`;
    const item = template.match(/\{(prerequisiteId|stepId|itemId)\}/)?.[1];
    return [
      name,
      {
        // a JSON pointer in a URI fragment: ~ and / escaped, braces percent-encoded
        operationRef: `#/paths/${encodeURIComponent(template.replaceAll('~', '~0').replaceAll('/', '~1'))}/${method}`,
        parameters: {
          applicationId: '$response.body#/id',
          ...(item && checklist ? { [item]: `$response.body#/${checklist}/open/0` } : {}),
        },
        description: `${method.toUpperCase()} ${template} of the new application`,
      },
    ];
  }),
);

const routes = {
  apply: createRoute({
    method: 'post',
    tags: ['Applications'],
    path: '/programs/{programId}/applications',
    ...secured,
    summary: "Apply to a program; starts the mentee's workflow",
    request: {
      params: z.object({ programId: Param.programId }),
      body: jsonBody(ApplyBody, {
        mentee: { name: 'Grace Hopper', email: 'grace@example.org', country: 'IN', timeZone: 'Asia/Kolkata' },
        motivation: 'I want to learn how compilers are tested',
      }),
    },
    responses: {
      ...writeErrors,
      201: {
        description: 'Application stored',
        content: { 'application/json': { schema: ApplicationStatus } },
        links: nextWithApplication,
      },
      403: problemResponse('Only mentees apply, for themselves'),
      404: problemResponse('Unknown program'),
      409: problemResponse('Already applied, or applications are closed'),
      422: problemResponse('Invalid application'),
    },
  }),
  status: createRoute({
    method: 'get',
    tags: ['Applications'],
    path: '/applications/{applicationId}',
    ...secured,
    summary: "An application's status: stage, progress, deadlines, stipend and the next step",
    request: { params: ApplicationParams },
    responses: {
      200: { description: 'Status', content: { 'application/json': { schema: ApplicationStatus } } },
      401: problemResponse('No or invalid bearer token'),
      403: problemResponse("Not the applicant, their mentor, the program's admins or ops"),
      404: problemResponse('Unknown application'),
    },
  }),
  prerequisite: messageRoute(
    '/prerequisites/{prerequisiteId}/complete',
    'Record that the applicant completed a prerequisite (repeating it is harmless)',
    ApplicationParams.extend({ prerequisiteId: Param.prerequisiteId }),
  ),
  selection: messageRouteWithBody(
    '/selection',
    'Select (with mentor and project) or decline the applicant',
    SelectionBody,
    {
      decision: 'select',
      mentor: {
        id: 'mentor-ada',
        name: 'Ada Lovelace',
        email: 'ada@example.org',
        timeZone: 'America/Los_Angeles',
      },
      projectTitle: 'Faster builds for the CNCF landscape',
    },
  ),
  phoneCall: messageRouteWithBody(
    '/phone-calls',
    'Record that the applicant was told the selection result by phone',
    z.strictObject({ note: z.string().max(2000).default('') }),
    { note: 'Called on Tuesday; the applicant accepted' },
  ),
  onboarding: messageRoute(
    '/onboarding/{stepId}/complete',
    'Record a completed onboarding step (contract, tax form, ...)',
    ApplicationParams.extend({ stepId: Param.stepId }),
  ),
  progress: messageRoute(
    '/progress/{itemId}/complete',
    'Record a completed project plan, starter task, milestone or exam',
    ApplicationParams.extend({ itemId: Param.itemId }),
  ),
  evaluation: createRoute({
    method: 'post',
    tags: ['Applications'],
    path: '/applications/{applicationId}/evaluations/{number}',
    ...secured,
    summary: "The mentor's evaluation; only the mentee's own mentor, only the one due, once",
    request: {
      params: ApplicationParams.extend({ number: Param.evaluation }),
      body: jsonBody(EvaluationBody, {
        ratings: { tasksAndMilestones: 4, engagement: 5, progressAgainstPlan: 4 },
        comments: 'Milestone 1 merged; good communication',
        recommendation: 'pass',
      }),
    },
    responses: messageResponses,
  }),
  reopenEvaluation: createRoute({
    method: 'post',
    tags: ['Applications'],
    path: '/applications/{applicationId}/evaluations/{number}/reopen',
    ...secured,
    summary:
      "An admin takes back the latest evaluation's result, once, with a reason; the mentor submits it again (its unpaid installment waits for it)",
    request: {
      params: ApplicationParams.extend({ number: Param.evaluation }),
      body: jsonBody(Reason, { reason: 'The mentor rated the wrong mentee; see ticket 5512' }),
    },
    responses: messageResponses,
  }),
  menteeEvaluation: createRoute({
    method: 'post',
    tags: ['Applications'],
    path: '/applications/{applicationId}/evaluations/{number}/mentee-evaluation',
    ...secured,
    summary:
      "The mentee's evaluation of their mentor and the program at this evaluation; admins read it, the mentor only if shared",
    request: {
      params: ApplicationParams.extend({ number: Param.evaluation }),
      body: jsonBody(MenteeEvaluationBody, {
        ratings: { mentor: 5, program: 4 },
        comments: 'Weekly calls help a lot',
        shareWithMentor: true,
      }),
    },
    responses: messageResponses,
  }),
  feedback: messageRouteWithBody(
    '/feedback-survey',
    "The mentee's end-of-program feedback survey",
    z.strictObject({ rating: z.int().min(1).max(5), comments: z.string().max(10_000).default('') }),
    { rating: 5, comments: 'My mentor was great' },
  ),
  withdraw: messageRouteWithBody('/withdraw', 'The mentee withdraws from the program', Reason, {
    reason: 'I accepted a full-time job',
  }),
  terminate: messageRouteWithBody('/terminate', "An admin ends the mentee's participation", Reason, {
    reason: 'Code of conduct violation, see ticket 1234',
  }),
  adoptSchedule: messageRoute(
    '/adopt-program-schedule',
    "Apply the program's current evaluation dates and term end to this mentee (keeps their extension)",
    ApplicationParams,
  ),
  extend: messageRouteWithBody(
    '/extensions',
    "Extend the mentee's term; every later deadline and evaluation moves with it",
    z.strictObject({ days: z.int().min(1).max(180), reason: z.string().min(1).max(2000) }),
    { days: 14, reason: 'Illness, approved by the program admin' },
  ),
};

export function applicationRoutes(deps: ApiDeps) {
  const { sql, temporal } = deps;
  const now = deps.now ?? Date.now;
  const app = newRouter();

  /** Finds the application, checks the caller is one of `parties`, sends the message, answers with the fresh status. */
  function message<A>(
    update: UpdateDefinition<MessageResult, [A]>,
    parties: Party[],
    endsAs?: 'withdrawn' | 'terminated',
  ) {
    return async (
      c: Context,
      applicationId: string,
      arg: (by: Actor, application: ApplicationRow) => A | Promise<A>,
    ) => {
      const application = await findApplication(sql, applicationId);
      const caller = authorize(c, application, ...parties);
      const body = await arg(actorFrom(caller), application);
      const result = endsAs
        ? await sendEnding(deps, application, update, body, endsAs, requestKeyOf(c))
        : await sendMessage(temporal, application, update, body, requestKeyOf(c));
      return c.json(
        { duplicate: result.duplicate, application: await readApplication(deps, application, caller) },
        200,
      );
    };
  }
  const messages = {
    prerequisite: message(completePrerequisiteUpdate, ['mentee', 'staff']),
    selection: message(decideSelectionUpdate, ['programMentor', 'staff']),
    phoneCall: message(recordPhoneCallUpdate, ['staff']),
    onboarding: message(completeOnboardingStepUpdate, ['staff']),
    progress: message(recordProgressUpdate, ['mentee', 'mentor', 'staff']),
    evaluation: message(submitEvaluationUpdate, ['mentor']),
    menteeEvaluation: message(submitMenteeEvaluationUpdate, ['mentee']),
    reopenEvaluation: message(reopenEvaluationUpdate, ['staff']),
    feedback: message(submitFeedbackSurveyUpdate, ['mentee']),
    withdraw: message(withdrawUpdate, ['mentee'], 'withdrawn'),
    terminate: message(terminateUpdate, ['staff'], 'terminated'),
    adoptSchedule: message(adoptProgramScheduleUpdate, ['staff']),
    extend: message(extendTermUpdate, ['staff']),
  };

  app.openapi(routes.apply, async (c) => {
    const caller = requireRole(c, 'mentee');
    const { programId } = c.req.valid('param');
    const { mentee, motivation, submit, ...form } = c.req.valid('json');
    if (mentee?.id !== undefined && mentee.id !== caller.userId) {
      throw forbidden(`A mentee applies for themselves: mentee.id must be ${caller.userId} or left out`);
    }
    const program = await findProgram(sql, programId);
    if (now() >= Date.parse(program.rules.applicationsCloseAt)) {
      throw conflict(
        'applications-closed',
        `Applications to ${programId} closed at ${program.rules.applicationsCloseAt}`,
      );
    }
    const opensAt = program.definition.applicationsOpenAt;
    if (opensAt && now() < Date.parse(opensAt)) {
      throw conflict(
        'applications-not-open',
        `Applications to ${programId} open at ${new Date(opensAt).toISOString()}`,
      );
    }
    const details = mentee ?? (await profileDetails(caller.userId));
    const hasForm = hasApplicationForm(program.definition);
    if (hasForm) {
      assertContent(program.definition, form, submit);
      await assertOwnFile(sql, form.proposalFileId, caller.userId, 'proposalFileId');
    } else if (form.projectIds || form.answers || form.proposalFileId) {
      throw validationProblem([
        { path: ['answers'], message: `program ${programId} has no application form` },
      ]);
    }
    await keepAsProfile(caller.userId, details);
    const rules = await rulesForNewMentee(sql, program);
    const { applicationId, created } = await apply(
      deps,
      { id: program.id, rules },
      { ...details, id: caller.userId },
      motivation,
      requestKeyOf(c),
      hasForm ? form : undefined,
    );
    const headers = { location: `/applications/${applicationId}` };
    if (created && !(hasForm && submit)) {
      // just written, so known without reading back: a deadline rush's apply is its writes and the start
      return c.json(await answerNewApplication(applicationId, caller, rules, hasForm), 201, headers);
    }
    const application = await findApplication(sql, applicationId);
    if (hasForm && submit) {
      await sendMessage(temporal, application, completePrerequisiteUpdate, {
        prerequisiteId: APPLICATION_TASK.id,
      });
      await markSubmitted(sql, applicationId);
    }
    return c.json(await readApplication(deps, application, caller, rules), 201, headers);
  });

  /** A new application as `readApplication` would read it: the status it starts from, its draft, no tasks yet. */
  async function answerNewApplication(
    applicationId: string,
    caller: Principal,
    rules: ProgramRules,
    hasForm: boolean,
  ): Promise<ApplicationStatus> {
    const {
      version: _version,
      applicationId: _id,
      ...view
    } = new MenteeState(applicationId, rules).status(0);
    const content = hasForm ? await readContent(sql, applicationId) : undefined;
    return {
      id: applicationId,
      menteeId: caller.userId,
      ...viewFor(caller, view),
      ...(content && {
        form: { state: content.state, version: content.version, projectIds: content.projectIds },
      }),
    };
  }

  /** The applicant's details from their profile, for an application that leaves them out. */
  async function profileDetails(userId: string) {
    const profile = await readProfile(sql, userId);
    if (!profile) {
      throw validationProblem([
        { path: ['mentee'], message: 'give your details, or write your profile first (PUT /me/profile)' },
      ]);
    }
    return {
      name: profile.name,
      email: profile.email,
      country: profile.country ?? undefined,
      timeZone: profile.timeZone,
    };
  }

  /** A first application's details become the person's profile, reused by the next one. */
  async function keepAsProfile(
    userId: string,
    details: { name: string; email: string; country?: string | undefined; timeZone?: string | undefined },
  ) {
    await sql`
      INSERT INTO profiles (user_id, name, email, country, time_zone)
      VALUES (${userId}, ${details.name}, ${details.email}, ${details.country ?? null}, ${details.timeZone ?? DEFAULT_TIME_ZONE})
      ON CONFLICT (user_id) DO NOTHING`;
  }

  app.openapi(routes.status, async (c) => {
    const application = await findApplication(sql, c.req.valid('param').applicationId);
    const caller = authorize(c, application, 'mentee', 'mentor', 'staff');
    return c.json(await readApplication(deps, application, caller), 200);
  });

  app.openapi(routes.prerequisite, async (c) => {
    const { applicationId, prerequisiteId } = c.req.valid('param');
    return messages.prerequisite(c, applicationId, async (by, application) => {
      // an applicant confirms only a task that asks for nothing and has no review; admins may complete any
      if (by.role === 'mentee') {
        const { definition } = await findProgram(sql, application.programId);
        const task = definition.prerequisites.find((t) => t.id === prerequisiteId);
        if (
          prerequisiteId === APPLICATION_TASK.id ||
          (task && (task.kind !== 'confirmation' || task.review))
        ) {
          throw conflict(
            'task-needs-submission',
            prerequisiteId === APPLICATION_TASK.id
              ? `Submit the application with POST /applications/${application.id}/submit`
              : `Task ${prerequisiteId} is handed in with POST /applications/${application.id}/tasks/${prerequisiteId}/submission${task?.review ? ' and completes when a reviewer accepts it' : ''}`,
          );
        }
      }
      return { prerequisiteId };
    });
  });

  app.openapi(routes.selection, async (c) => {
    const body = c.req.valid('json');
    const { applicationId } = c.req.valid('param');
    if (body.decision === 'decline') {
      return messages.selection(c, applicationId, (by) => ({ by, decision: 'decline', reason: body.reason }));
    }
    const application = await findApplication(sql, applicationId);
    const { definition } = await findProgram(sql, application.programId);
    const project = await projectOfSelection(sql, definition, application.id, body.projectId, body.mentor.id);
    return withProjectSeat(sql, definition.id, project, application.id, () =>
      messages.selection(c, applicationId, async (by): Promise<SelectionDecision> => {
        // a mentor of the program selects for their own project; the program's admins may name any mentor
        if (by.role === 'mentor' && body.mentor.id !== by.userId) {
          throw forbidden(`A mentor selects applicants for themselves: mentor.id must be ${by.userId}`);
        }
        await recordMentor(sql, body.mentor);
        const projectTitle = project?.title ?? body.projectTitle;
        return { by, decision: 'select', mentor: { id: body.mentor.id }, projectTitle };
      }),
    );
  });

  app.openapi(routes.phoneCall, async (c) =>
    messages.phoneCall(c, c.req.valid('param').applicationId, (by) => ({
      by,
      note: c.req.valid('json').note,
    })),
  );

  app.openapi(routes.onboarding, async (c) => {
    const { applicationId, stepId } = c.req.valid('param');
    return messages.onboarding(c, applicationId, (by) => ({ stepId, by }));
  });

  app.openapi(routes.progress, async (c) => {
    const { applicationId, itemId } = c.req.valid('param');
    return messages.progress(c, applicationId, (by) => ({ itemId, by }));
  });

  app.openapi(routes.evaluation, async (c) => {
    const { applicationId, number } = c.req.valid('param');
    const { mentorId, outcome, recommendation, extendDays, ratings, comments } = c.req.valid('json');
    return messages.evaluation(c, applicationId, (by) => {
      if (mentorId !== undefined && mentorId !== by.userId) {
        throw forbidden(`mentorId must be the caller (${by.userId}) or left out`);
      }
      return {
        number,
        mentorId: by.userId,
        ratings,
        comments,
        outcome: outcome ?? (recommendation === 'pass' ? 'pass' : 'fail'),
        ...(recommendation && { recommendation }),
        ...(extendDays !== undefined && { extendDays }),
      };
    });
  });

  app.openapi(routes.reopenEvaluation, async (c) => {
    const { applicationId, number } = c.req.valid('param');
    return messages.reopenEvaluation(c, applicationId, (by) => ({
      number,
      by,
      reason: c.req.valid('json').reason,
    }));
  });

  app.openapi(routes.menteeEvaluation, async (c) => {
    const { applicationId, number } = c.req.valid('param');
    return messages.menteeEvaluation(c, applicationId, (by) => ({ number, by, ...c.req.valid('json') }));
  });

  app.openapi(routes.feedback, async (c) =>
    messages.feedback(c, c.req.valid('param').applicationId, (by) => ({ by, ...c.req.valid('json') })),
  );

  app.openapi(routes.withdraw, async (c) =>
    messages.withdraw(c, c.req.valid('param').applicationId, (by) => ({
      by,
      reason: c.req.valid('json').reason,
    })),
  );

  app.openapi(routes.terminate, async (c) =>
    messages.terminate(c, c.req.valid('param').applicationId, (by) => ({
      by,
      reason: c.req.valid('json').reason,
    })),
  );

  app.openapi(routes.adoptSchedule, async (c) =>
    messages.adoptSchedule(c, c.req.valid('param').applicationId, async (by, application) => {
      return { by, rules: (await findProgram(sql, application.programId)).rules };
    }),
  );

  app.openapi(routes.extend, async (c) =>
    messages.extend(c, c.req.valid('param').applicationId, (by) => ({ by, ...c.req.valid('json') })),
  );

  return app;
}

/**
 * The mentee's dashboard, from the read model; before the workflow's first write, from the workflow itself, or,
 * for a new application whose first step waits for a worker, the status it starts from (`rules`).
 */
async function readApplication(
  { sql, temporal }: ApiDeps,
  application: ApplicationRow,
  caller: Principal,
  rules?: ProgramRules,
): Promise<ApplicationStatus> {
  const row = await readStatus(sql, application.id);
  if (!row) throw notFound('application', application.id);
  // a new application (`rules`) is answered with the status it starts from, which its first step records: no round
  // trip through a worker in a deadline rush (bench/deadline-rush.ts)
  const status =
    row.status ??
    (rules ? new MenteeState(application.id, rules).status(0) : await queryStatus(temporal, application));
  const { version: _version, applicationId: _id, ...view } = status;
  const [content, submissions] = await Promise.all([
    readContent(sql, application.id),
    sql<{ id: string; state: string }[]>`
      SELECT task_id AS id, replace(state, '_', '-') AS state FROM task_submissions
      WHERE application_id = ${application.id} ORDER BY task_id`,
  ]);
  return {
    id: application.id,
    menteeId: row.menteeId,
    ...viewFor(caller, view),
    ...(content && {
      form: { state: content.state, version: content.version, projectIds: content.projectIds },
    }),
    ...(submissions.length > 0 && { tasks: submissions as { id: string; state: 'submitted' }[] }),
  };
}

// what an applicant may not see yet: a selection result before the announcement, and other programs' interest
const UNANNOUNCED = new Set(['selected', 'declined', 'selection-conflict']);

/** Selection conflicts are for the programs' admins; an applicant hears their result on announcement day. */
function viewFor<
  S extends Pick<MenteeStatus, 'selection' | 'decisions' | 'announcement' | 'conflicts' | 'evaluations'>,
>(caller: Principal, status: S): S {
  if (caller.role === 'admin' || caller.role === 'ops') return status;
  const hidden = caller.role === 'mentee' && status.announcement?.announced === false;
  return {
    ...status,
    conflicts: [],
    // the mentee's view of the mentor reaches the mentor only if the mentee shared it
    ...(caller.role === 'mentor' && {
      evaluations: status.evaluations.map((e) => ({
        ...e,
        menteeEvaluation: e.menteeEvaluation?.sharedWithMentor ? e.menteeEvaluation : null,
      })),
    }),
    ...(hidden && {
      selection: null,
      decisions: status.decisions.filter((d) => !UNANNOUNCED.has(d.action)),
    }),
  };
}
