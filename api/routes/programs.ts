import { createRoute, z } from '@hono/zod-openapi';
import type { JSONValue } from 'postgres';
import { ProgramInput, rulesOf } from '../../domain/program.js';
import type { ApiDeps } from '../deps.js';
import { conflict, notFound, Problem } from '../problems.js';
import { newRouter } from '../router.js';

const ProgramView = z.object({
  id: z.string(),
  name: z.string(),
  term: z.string(),
  definition: z.record(z.string(), z.unknown()),
  rules: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

const createProgram = createRoute({
  method: 'post',
  path: '/programs',
  summary: 'Create a program term with its schedule and rules',
  request: { body: { required: true, content: { 'application/json': { schema: ProgramInput } } } },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: ProgramView } } },
    409: problemResponse('A program with this id exists'),
    422: problemResponse('Invalid program'),
  },
});

const getProgram = createRoute({
  method: 'get',
  path: '/programs/{programId}',
  summary: 'Read a program term',
  request: { params: z.object({ programId: z.string() }) },
  responses: {
    200: { description: 'The program', content: { 'application/json': { schema: ProgramView } } },
    404: problemResponse('Unknown program'),
  },
});

export function programRoutes({ sql }: ApiDeps) {
  const app = newRouter();

  app.openapi(createProgram, async (c) => {
    const input = c.req.valid('json');
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

  app.openapi(getProgram, async (c) => {
    const { programId } = c.req.valid('param');
    const [row] = await sql`SELECT * FROM programs WHERE id = ${programId}`;
    if (!row) throw notFound('program', programId);
    return c.json(
      {
        id: row.id,
        name: row.name,
        term: row.term,
        definition: row.definition,
        rules: row.rules,
        createdAt: row.created_at.toISOString(),
      },
      200,
    );
  });

  return app;
}
