import { createRoute, z } from '@hono/zod-openapi';
import { ProgramInput, ScheduleChange } from '../../domain/program.js';
import { changeProgramSchedule, createProgram, findProgram } from '../../mentees/programs.js';
import { principal, requireProgram } from '../auth.js';
import type { ApiDeps } from '../deps.js';
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

export function programRoutes({ sql }: ApiDeps) {
  const app = newRouter();

  app.openapi(createProgramRoute, async (c) => {
    const input = c.req.valid('json');
    requireProgram(c, input.id);
    return c.json(await createProgram(sql, input), 201);
  });

  app.openapi(changeSchedule, async (c) => {
    const { programId } = c.req.valid('param');
    requireProgram(c, programId);
    // shared with the program-wide change of `npm run ops -- program-schedule`, which also applies it to running mentees
    return c.json(await changeProgramSchedule(sql, programId, c.req.valid('json')), 200);
  });

  app.openapi(getProgram, async (c) => {
    principal(c);
    return c.json(await findProgram(sql, c.req.valid('param').programId), 200);
  });

  return app;
}
