import { createRoute, z } from '@hono/zod-openapi';
import { STAGES } from '../../domain/stages.js';
import { apply, completePrerequisite, findApplication } from '../applications.js';
import type { ApiDeps } from '../deps.js';
import { conflict, notFound, Problem } from '../problems.js';
import { newRouter } from '../router.js';

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

const ApplyBody = z.strictObject({
  mentee: z.strictObject({
    id: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, 'an opaque user id: letters, digits, _ and -'),
    name: z.string().min(1).max(200),
    email: z.email(),
    country: z.string().length(2).toUpperCase().optional(),
  }),
  motivation: z.string().max(5000).default(''),
});

const ApplicationStatus = z.object({
  id: z.string(),
  programId: z.string(),
  menteeId: z.string(),
  stage: z.enum(STAGES),
  reviewClosesAt: z.string(),
  prerequisites: z.object({ done: z.array(z.string()), open: z.array(z.string()) }),
  outcomeReason: z.string().nullable(),
  updatedAt: z.string(),
});

const applyRoute = createRoute({
  method: 'post',
  path: '/programs/{programId}/applications',
  summary: "Apply to a program; starts the mentee's workflow",
  request: {
    params: z.object({ programId: z.string() }),
    body: { required: true, content: { 'application/json': { schema: ApplyBody } } },
  },
  responses: {
    201: {
      description: 'Application stored',
      content: { 'application/json': { schema: ApplicationStatus } },
    },
    404: problemResponse('Unknown program'),
    409: problemResponse('Already applied, or applications are closed'),
    422: problemResponse('Invalid application'),
  },
});

const statusRoute = createRoute({
  method: 'get',
  path: '/applications/{applicationId}',
  summary: "An application's status: stage, prerequisites done and open, review deadline",
  request: { params: z.object({ applicationId: z.string() }) },
  responses: {
    200: { description: 'Status', content: { 'application/json': { schema: ApplicationStatus } } },
    404: problemResponse('Unknown application'),
  },
});

const completePrerequisiteRoute = createRoute({
  method: 'post',
  path: '/applications/{applicationId}/prerequisites/{prerequisiteId}/complete',
  summary: 'Record that the applicant completed a prerequisite (repeating it is harmless)',
  request: { params: z.object({ applicationId: z.string(), prerequisiteId: z.string() }) },
  responses: {
    200: {
      description: 'Recorded',
      content: {
        'application/json': {
          schema: z.object({
            prerequisiteId: z.string(),
            alreadyCompleted: z.boolean(),
            application: ApplicationStatus,
          }),
        },
      },
    },
    404: problemResponse('Unknown application or prerequisite'),
    409: problemResponse('The review window has closed'),
  },
});

export function applicationRoutes(deps: ApiDeps) {
  const { sql, temporal } = deps;
  const now = deps.now ?? Date.now;
  const app = newRouter();

  app.openapi(applyRoute, async (c) => {
    const { programId } = c.req.valid('param');
    const { mentee, motivation } = c.req.valid('json');
    const [program] = await sql`SELECT id, rules FROM programs WHERE id = ${programId}`;
    if (!program) throw notFound('program', programId);
    if (now() >= Date.parse(program.rules.applicationsCloseAt)) {
      throw conflict(
        'applications-closed',
        `Applications to ${programId} closed at ${program.rules.applicationsCloseAt}`,
      );
    }
    const { applicationId } = await apply(deps, { id: program.id, rules: program.rules }, mentee, motivation);
    return c.json(await readStatus(deps, applicationId), 201, { location: `/applications/${applicationId}` });
  });

  app.openapi(statusRoute, async (c) => {
    const { applicationId } = c.req.valid('param');
    return c.json(await readStatus(deps, applicationId), 200);
  });

  app.openapi(completePrerequisiteRoute, async (c) => {
    const { applicationId, prerequisiteId } = c.req.valid('param');
    const application = await findApplication(sql, applicationId);
    const result = await completePrerequisite(temporal, application, prerequisiteId);
    return c.json(
      {
        prerequisiteId: result.prerequisiteId,
        alreadyCompleted: result.alreadyCompleted,
        application: await readStatus(deps, applicationId),
      },
      200,
    );
  });

  return app;
}

/** The mentee's dashboard view, from the read model the workflow keeps. */
async function readStatus(
  { sql }: ApiDeps,
  applicationId: string,
): Promise<z.infer<typeof ApplicationStatus>> {
  await findApplication(sql, applicationId);
  const [row] = await sql`
    SELECT a.id, a.program_id, a.mentee_id, a.stage, a.status, a.review_closes_at, a.updated_at, p.rules
    FROM applications a JOIN programs p ON p.id = a.program_id WHERE a.id = ${applicationId}`;
  if (!row) throw notFound('application', applicationId);
  const allPrerequisites: string[] = row.rules.prerequisites.map((p: { id: string }) => p.id);
  return {
    id: row.id,
    programId: row.program_id,
    menteeId: row.mentee_id,
    stage: row.stage,
    reviewClosesAt: row.review_closes_at.toISOString(),
    // before the workflow's first write, every prerequisite is open
    prerequisites: row.status?.prerequisites ?? { done: [], open: allPrerequisites },
    outcomeReason: row.status?.outcomeReason ?? null,
    updatedAt: row.updated_at.toISOString(),
  };
}
