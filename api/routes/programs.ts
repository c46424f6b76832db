import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { DeclinePendingResult } from '../../domain/bulk.js';
import { checkRequestId, REQUEST_ID } from '../../domain/ids.js';
import { type Program, ProgramInput, ScheduleChange } from '../../domain/program.js';
import { declinePending, declinePendingRun } from '../../mentees/bulk.js';
import {
  changeProgramSchedule,
  createProgram,
  findProgram,
  listPrograms,
  startContentRetention,
} from '../../mentees/programs.js';
import { actorFrom, principal, requireProgram, runsProgram } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { requestKeyOf } from '../idempotency.js';
import { decodeCursor, LISTS, pageOf, pageQuery, toPage } from '../pagination.js';
import { newRouter } from '../router.js';
import { jsonBody, Param, problemResponse, secured, writeErrors } from '../schemas.js';

const ProgramView = z.object({
  id: z.string(),
  name: z.string(),
  term: z.string(),
  definition: z.record(z.string(), z.unknown()),
  rules: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const PROGRAM_EXAMPLE = {
  id: 'lfx-2027-term-1',
  name: 'LFX Mentorship',
  term: '2027 Term 1',
  adminEmail: 'mentorship-admins@example.org',
  adminTimeZone: 'Europe/Berlin',
  applicationsCloseAt: '2027-01-31T00:00:00Z',
  reviewWindowDays: 14,
  selectionDeadline: '2027-02-17T00:00:00Z',
  onboardingDeadline: '2027-02-24T00:00:00Z',
  termStartsAt: '2027-03-01T00:00:00Z',
  termEndsAt: '2027-05-24T00:00:00Z',
  prerequisites: [{ id: 'intro-call', title: 'Attend the project intro call' }],
  evaluations: [
    { dueAt: '2027-03-22T00:00:00Z' },
    { dueAt: '2027-04-12T00:00:00Z' },
    { dueAt: '2027-05-03T00:00:00Z' },
    { dueAt: '2027-05-24T00:00:00Z' },
  ],
  stipend: { total: 6000, currency: 'USD', countryAdjustments: { IN: 60 } },
};

const createProgramRoute = createRoute({
  method: 'post',
  tags: ['Programs'],
  path: '/programs',
  summary: 'Create a program term with its schedule and rules (ops, or an admin named for this program id)',
  ...secured,
  request: {
    body: jsonBody(ProgramInput, PROGRAM_EXAMPLE),
  },
  responses: {
    ...writeErrors,
    201: { description: 'Created', content: { 'application/json': { schema: ProgramView } } },
    403: problemResponse('Not ops or an admin of this program'),
    409: problemResponse('A program with this id exists'),
    422: problemResponse('Invalid program'),
  },
});

const getProgram = createRoute({
  method: 'get',
  tags: ['Programs'],
  path: '/programs/{programId}',
  summary: 'Read a program term (any signed-in user)',
  ...secured,
  request: { params: z.object({ programId: Param.programId }) },
  responses: {
    200: { description: 'The program', content: { 'application/json': { schema: ProgramView } } },
    401: problemResponse('No or invalid bearer token'),
    404: problemResponse('Unknown program'),
  },
});

const PROGRAM_LIST_EXAMPLE = {
  id: 'lfx-2027-term-1',
  name: 'LFX Mentorship',
  term: '2027 Term 1',
  termId: 'lfx-2027-t1',
  organization: 'Linux Foundation',
  status: 'open' as const,
  applicationsOpenAt: '2027-01-03T00:00:00.000Z',
  applicationsCloseAt: '2027-01-31T00:00:00.000Z',
  description: '## Kubernetes scheduler\nWork on the scheduler framework.',
  skills: ['go'],
  projects: [],
  projectsPerApplication: 1,
  questions: 2,
  proposal: 'none' as const,
  prerequisites: [],
};
const ProgramStatuses = ['upcoming', 'open', 'closed'] as const;
const ProgramListItem = z
  .object({
    id: z.string(),
    name: z.string(),
    term: z.string(),
    termId: z.string().nullable(),
    organization: z.string().nullable(),
    status: z.enum(ProgramStatuses).describe('Applications upcoming, open now, or closed'),
    applicationsOpenAt: z.string(),
    applicationsCloseAt: z.string(),
    description: z.string().describe('Markdown, as the program wrote it'),
    skills: z.array(z.string()),
    projects: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        description: z.string().describe('Markdown'),
        skills: z.array(z.string()),
        mentors: z.array(z.object({ id: z.string(), name: z.string() })),
        slots: z.int().nullable(),
      }),
    ),
    projectsPerApplication: z.int(),
    questions: z.int().describe('How many questions the application form asks'),
    proposal: z.enum(['none', 'optional', 'required']),
    prerequisites: z.array(
      z.object({ id: z.string(), title: z.string(), kind: z.string(), review: z.boolean() }),
    ),
  })
  .openapi({ example: PROGRAM_LIST_EXAMPLE })
  .openapi('ProgramListItem');
const ProgramPage = pageOf(ProgramListItem, 'ProgramPage', PROGRAM_LIST_EXAMPLE);
const StatusList = z
  .string()
  .max(40)
  .optional()
  .transform((list, ctx) => {
    if (list === undefined) return undefined;
    const statuses = list.split(',');
    if (statuses.some((s) => !(ProgramStatuses as readonly string[]).includes(s))) {
      ctx.addIssue({ code: 'custom', message: `statuses are ${ProgramStatuses.join(', ')}` });
      return z.NEVER;
    }
    return statuses as (typeof ProgramStatuses)[number][];
  })
  .openapi({
    description: 'Comma-separated: upcoming, open, closed (default: all)',
    example: 'open',
    pattern: `^(${ProgramStatuses.join('|')})(,(${ProgramStatuses.join('|')}))*$`,
  });
const listProgramsRoute = createRoute({
  method: 'get',
  tags: ['Programs'],
  path: '/programs',
  summary:
    'Programs to apply to: open now, upcoming and closed, by term, organization, skill and free text (any signed-in user)',
  ...secured,
  request: {
    query: z.object({
      status: StatusList,
      term: z.string().max(64).optional().openapi({ description: 'A term id', example: 'lfx-2027-t1' }),
      organization: z.string().max(200).optional().openapi({ example: 'Linux Foundation' }),
      skill: z
        .string()
        .max(40)
        .optional()
        .openapi({ description: 'The program or one of its projects asks for it', example: 'go' }),
      q: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: 'Words in the name, description or a project', example: 'scheduler' }),
      ...pageQuery(LISTS.programs),
    }),
  },
  responses: {
    200: {
      description: 'One page of programs, applications closing soonest first',
      content: { 'application/json': { schema: ProgramPage } },
    },
    400: problemResponse('A cursor of another list, or edited by hand'),
    401: problemResponse('No or invalid bearer token'),
  },
});

/** What anyone signed in reads of a program: its mentors by name, never their email addresses. */
function publicDefinition(definition: Program) {
  return {
    ...definition,
    projects: definition.projects.map((p) => ({
      ...p,
      mentors: p.mentors.map(({ id, name }) => ({ id, name })),
    })),
  };
}

const changeSchedule = createRoute({
  method: 'patch',
  tags: ['Programs'],
  path: '/programs/{programId}/schedule',
  summary:
    'Move evaluation dates or the term end for new applicants; running mentees change only when told to (admins, ops)',
  ...secured,
  request: {
    params: z.object({ programId: Param.programId }),
    body: jsonBody(ScheduleChange, { termEndsAt: '2027-05-28T00:00:00Z', completionGraceDays: 21 }),
  },
  responses: {
    ...writeErrors,
    200: { description: 'The changed program', content: { 'application/json': { schema: ProgramView } } },
    403: problemResponse('Not ops or an admin of this program'),
    404: problemResponse('Unknown program'),
    422: problemResponse('The changed program would be invalid'),
  },
});

const DeclinePendingReport = DeclinePendingResult.meta({
  id: 'DeclinePendingResult',
  example: {
    programId: 'lfx-2027-term-1',
    requestId: 'close-selection-2027-t1',
    declined: ['5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11'],
    alreadyDeclined: [],
    refused: [
      {
        id: '9d2e6c1a-7b3f-4e8d-a0c5-1f6b2e9d4c7a',
        reason:
          'The applicant was already selected at 2027-02-16T10:00:00.000Z; the result is announced at 2027-02-20T16:00:00.000Z',
      },
    ],
  },
});
const StillRunning = z
  .object({ state: z.literal('running'), workflowId: z.string(), requestId: z.string() })
  .meta({
    id: 'BulkRunning',
    example: {
      state: 'running',
      workflowId: 'decline-pending/lfx-2027-term-1/close-selection-2027-t1',
      requestId: 'close-selection-2027-t1',
    },
  });
const RequestId = z.string().regex(REQUEST_ID).openapi({
  description: 'Names the run: the same id again is the same run',
  example: 'close-selection-2027-t1',
});
const declinePendingRoutes = {
  start: createRoute({
    method: 'post',
    tags: ['Programs'],
    path: '/programs/{programId}/decline-pending',
    summary:
      'Decline every applicant still waiting for a decision, durably; reports who was declined and who refused (admins, ops)',
    ...secured,
    request: {
      params: z.object({ programId: Param.programId }),
      body: jsonBody(
        z.strictObject({
          reason: z.string().min(1).max(2000).optional(),
          requestId: RequestId.optional().describe('Default: the Idempotency-Key header, else a new id'),
        }),
        { reason: 'All slots are filled for this term', requestId: 'close-selection-2027-t1' },
      ),
    },
    responses: {
      ...writeErrors,
      200: {
        description: 'Done: the report',
        content: { 'application/json': { schema: DeclinePendingReport } },
      },
      202: {
        description: 'Still running; GET the Location for the report',
        content: { 'application/json': { schema: StillRunning } },
      },
      403: problemResponse('Not ops or an admin of this program'),
      404: problemResponse('Unknown program'),
    },
  }),
  report: createRoute({
    method: 'get',
    tags: ['Programs'],
    path: '/programs/{programId}/decline-pending/{requestId}',
    summary: 'The report of a "decline all pending" run (admins, ops)',
    ...secured,
    request: { params: z.object({ programId: Param.programId, requestId: RequestId }) },
    responses: {
      200: {
        description: 'Done: the report',
        content: { 'application/json': { schema: DeclinePendingReport } },
      },
      202: { description: 'Still running', content: { 'application/json': { schema: StillRunning } } },
      401: problemResponse('No or invalid bearer token'),
      403: problemResponse('Not ops or an admin of this program'),
      404: problemResponse('No such run'),
    },
  }),
};

export function programRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = newRouter();

  app.openapi(declinePendingRoutes.start, async (c) => {
    const { programId } = c.req.valid('param');
    const by = actorFrom(requireProgram(c, programId));
    await findProgram(sql, programId);
    const body = c.req.valid('json');
    const requestId = checkRequestId(body.requestId ?? c.req.header('idempotency-key') ?? randomUUID());
    const run = await declinePending(deps, { programId, requestId, reason: body.reason ?? null, by });
    const location = `/programs/${programId}/decline-pending/${requestId}`;
    return run.state === 'done'
      ? c.json(run.result, 200, { location })
      : c.json({ state: 'running' as const, workflowId: run.workflowId, requestId }, 202, { location });
  });

  app.openapi(declinePendingRoutes.report, async (c) => {
    const { programId, requestId } = c.req.valid('param');
    requireProgram(c, programId);
    const run = await declinePendingRun(deps, programId, requestId);
    return run.state === 'done'
      ? c.json(run.result, 200)
      : c.json({ state: 'running' as const, workflowId: run.workflowId, requestId }, 202);
  });

  app.openapi(createProgramRoute, async (c) => {
    const input = c.req.valid('json');
    requireProgram(c, input.id);
    const program = await createProgram(sql, input, requestKeyOf(c));
    await startContentRetention(deps.temporal, deps.taskQueue, program.id);
    return c.json(program, 201);
  });

  app.openapi(changeSchedule, async (c) => {
    const { programId } = c.req.valid('param');
    requireProgram(c, programId);
    // shared with the program-wide change of `npm run ops -- program-schedule`, which also applies it to running mentees
    return c.json(await changeProgramSchedule(sql, programId, c.req.valid('json')), 200);
  });

  app.openapi(getProgram, async (c) => {
    const caller = principal(c);
    const program = await findProgram(sql, c.req.valid('param').programId);
    if (runsProgram(caller, program.id)) return c.json(program, 200);
    return c.json({ ...program, definition: publicDefinition(program.definition) }, 200);
  });

  app.openapi(listProgramsRoute, async (c) => {
    principal(c);
    const query = c.req.valid('query');
    const after = decodeCursor(LISTS.programs, query.cursor);
    const rows = await listPrograms(
      sql,
      {
        status: query.status,
        termId: query.term,
        organization: query.organization,
        skill: query.skill,
        text: query.q,
      },
      { limit: query.limit, afterId: after?.id ?? null },
      new Date((deps.now ?? Date.now)()),
    );
    return c.json(
      toPage(
        LISTS.programs,
        rows,
        query.limit,
        (row) => ({ value: '', id: row.id }),
        (row) => {
          const d = publicDefinition(row.definition);
          return {
            id: row.id,
            name: row.name,
            term: row.term,
            termId: d.termId ?? null,
            organization: row.organization,
            status: row.status,
            applicationsOpenAt: row.applicationsOpenAt,
            applicationsCloseAt: row.rules.applicationsCloseAt,
            description: d.description,
            skills: d.skills,
            projects: d.projects.map((p) => ({
              id: p.id,
              title: p.title,
              description: p.description,
              skills: p.skills,
              mentors: p.mentors,
              slots: p.slots ?? null,
            })),
            projectsPerApplication: d.projectsPerApplication,
            questions: d.questions.length,
            proposal: d.proposal,
            prerequisites: d.prerequisites.map(({ id, title, kind, review }) => ({
              id,
              title,
              kind,
              review,
            })),
          };
        },
      ),
      200,
    );
  });

  return app;
}
