import { createRoute, z } from '@hono/zod-openapi';
import type { JSONValue, Row } from 'postgres';
import { ProgramInput, rulesOf } from '../../domain/program.js';
import type { ApiDeps } from '../deps.js';
import { conflict, notFound, validationProblem } from '../problems.js';
import { newRouter } from '../router.js';
import { principal, requireProgram } from '../auth.js';
import { problemResponse, secured } from '../schemas.js';

const ProgramView = z.object({
  id: z.string(),
  name: z.string(),
  term: z.string(),
  definition: z.record(z.string(), z.unknown()),
  rules: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const createProgram = createRoute({
  method: 'post',
  path: '/programs',
  summary: 'Create a program term with its schedule and rules (ops, or an admin named for this program id)',
  ...secured,
  request: { body: { required: true, content: { 'application/json': { schema: ProgramInput } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: ProgramView } } },
    401: problemResponse('No or invalid bearer token'),
    403: problemResponse('Not ops or an admin of this program'),
    409: problemResponse('A program with this id exists'),
    422: problemResponse('Invalid program'),
  },
});

const getProgram = createRoute({
  method: 'get',
  path: '/programs/{programId}',
  summary: 'Read a program term (any signed-in user)',
  ...secured,
  request: { params: z.object({ programId: z.string() }) },
  responses: {
    200: { description: 'The program', content: { 'application/json': { schema: ProgramView } } },
    401: problemResponse('No or invalid bearer token'),
    404: problemResponse('Unknown program'),
  },
});

const ScheduleChange = z.strictObject({
  evaluations: z
    .array(z.strictObject({ dueAt: z.iso.datetime({ offset: true }) }))
    .min(3)
    .max(4)
    .optional(),
  termEndsAt: z.iso.datetime({ offset: true }).optional(),
  completionGraceDays: z.int().min(0).max(60).optional(),
});

const changeSchedule = createRoute({
  method: 'patch',
  path: '/programs/{programId}/schedule',
  summary:
    'Move evaluation dates or the term end for new applicants; running mentees change only when told to (admins, ops)',
  ...secured,
  request: {
    params: z.object({ programId: z.string() }),
    body: { required: true, content: { 'application/json': { schema: ScheduleChange } } },
  },
  responses: {
    200: { description: 'The changed program', content: { 'application/json': { schema: ProgramView } } },
    401: problemResponse('No or invalid bearer token'),
    403: problemResponse('Not ops or an admin of this program'),
    404: problemResponse('Unknown program'),
    422: problemResponse('The changed program would be invalid'),
  },
});

export function programRoutes({ sql }: ApiDeps) {
  const app = newRouter();

  app.openapi(createProgram, async (c) => {
    const input = c.req.valid('json');
    requireProgram(c, input.id);
    const rules = rulesOf(input);
    const [row] = await sql`
      INSERT INTO programs (id, name, term, admin_email, definition, rules)
      VALUES (${input.id}, ${input.name}, ${input.term}, ${input.adminEmail}, ${sql.json(input as unknown as JSONValue)}, ${sql.json(rules as unknown as JSONValue)})
      ON CONFLICT (id) DO NOTHING
      RETURNING created_at`;
    if (!row) throw conflict('program-exists', `A program with id "${input.id}" already exists`);
    return c.json(
      {
        id: input.id,
        name: input.name,
        term: input.term,
        definition: input,
        rules,
        createdAt: row.created_at.toISOString(),
      },
      201,
    );
  });

  app.openapi(changeSchedule, async (c) => {
    const { programId } = c.req.valid('param');
    requireProgram(c, programId);
    const [row] = await sql`SELECT definition FROM programs WHERE id = ${programId}`;
    if (!row) throw notFound('program', programId);
    const changed = ProgramInput.safeParse({ ...row.definition, ...c.req.valid('json') });
    if (!changed.success) throw validationProblem(changed.error.issues);
    const rules = rulesOf(changed.data);
    const [updated] = await sql`
      UPDATE programs SET definition = ${sql.json(changed.data as unknown as JSONValue)},
                          rules = ${sql.json(rules as unknown as JSONValue)}, updated_at = now()
      WHERE id = ${programId} RETURNING *`;
    return c.json(view(updated!), 200);
  });

  app.openapi(getProgram, async (c) => {
    const { programId } = c.req.valid('param');
    principal(c);
    const [row] = await sql`SELECT * FROM programs WHERE id = ${programId}`;
    if (!row) throw notFound('program', programId);
    return c.json(view(row), 200);
  });

  return app;
}

const view = (row: Row) => ({
  id: row.id as string,
  name: row.name as string,
  term: row.term as string,
  definition: row.definition,
  rules: row.rules,
  createdAt: (row.created_at as Date).toISOString(),
});
