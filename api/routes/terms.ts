import { createRoute, z } from '@hono/zod-openapi';
import { forbidden } from '../../domain/problems.js';
import { TermChange, TermInput } from '../../domain/term.js';
import { changeTerm, createTerm, findTerm } from '../../mentees/terms.js';
import { type Principal, principal, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { requestKeyOf } from '../idempotency.js';
import { newRouter } from '../router.js';
import { jsonBody, Param, problemResponse, secured, writeErrors } from '../schemas.js';

const TermView = TermInput.extend({
  programs: z.array(z.string()).describe('The programs of the term'),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'Term', example: EXAMPLES.Term });

const {
  programs: _programs,
  createdAt: _created,
  updatedAt: _updated,
  ...TERM_INPUT_EXAMPLE
} = EXAMPLES.Term;
const termParams = z.object({ termId: Param.termId });

const routes = {
  create: createRoute({
    method: 'post',
    tags: ['Programs'],
    path: '/terms',
    summary:
      "Create a term of an organization with the rules that span its programs (ops, or an admin with the term's id in their token)",
    ...secured,
    request: { body: jsonBody(TermInput, TERM_INPUT_EXAMPLE) },
    responses: {
      ...writeErrors,
      201: { description: 'Created', content: { 'application/json': { schema: TermView } } },
      403: problemResponse('Not ops or an admin of this term'),
      409: problemResponse('A term with this id exists'),
      422: problemResponse('Invalid term'),
    },
  }),
  read: createRoute({
    method: 'get',
    tags: ['Programs'],
    path: '/terms/{termId}',
    summary: "A term's rules and programs (any signed-in user)",
    ...secured,
    request: { params: termParams },
    responses: {
      200: { description: 'The term', content: { 'application/json': { schema: TermView } } },
      401: problemResponse('No or invalid bearer token'),
      404: problemResponse('Unknown term'),
    },
  }),
  change: createRoute({
    method: 'patch',
    tags: ['Programs'],
    path: '/terms/{termId}',
    summary:
      'Change the rules of a term; a limit cannot fall below what its programs already hold (ops, admins of the term)',
    ...secured,
    request: {
      params: termParams,
      body: jsonBody(TermChange, { maxOpenApplications: 4, announcementAt: '2027-02-20T16:00:00Z' }),
    },
    responses: {
      ...writeErrors,
      200: { description: 'The changed term', content: { 'application/json': { schema: TermView } } },
      403: problemResponse('Not ops or an admin of this term'),
      404: problemResponse('Unknown term'),
      422: problemResponse('Invalid change, or below what the programs already hold'),
    },
  }),
};

/** Ops, or an admin whose token names the term (as it names the programs they run). */
function requireTermAdmin(p: Principal, termId: string): void {
  if (p.role === 'ops' || (p.role === 'admin' && p.programs.includes(termId))) return;
  throw forbidden(`Only ops and admins of term ${termId} may change it`);
}

export function termRoutes({ sql }: ApiDeps) {
  const app = newRouter();

  app.openapi(routes.create, async (c) => {
    const input = c.req.valid('json');
    requireTermAdmin(requireRole(c, 'admin', 'ops'), input.id);
    return c.json(await createTerm(sql, input, requestKeyOf(c)), 201, { location: `/terms/${input.id}` });
  });

  app.openapi(routes.read, async (c) => {
    principal(c);
    return c.json(await findTerm(sql, c.req.valid('param').termId), 200);
  });

  app.openapi(routes.change, async (c) => {
    const { termId } = c.req.valid('param');
    requireTermAdmin(requireRole(c, 'admin', 'ops'), termId);
    return c.json(await changeTerm(sql, termId, c.req.valid('json')), 200);
  });

  return app;
}
