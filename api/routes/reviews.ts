import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  addNote,
  assertScores,
  ranked,
  rate,
  reviewView,
  setFlag,
  setRanking,
} from '../../applications/reviews.js';
import { decideSelectionUpdate } from '../../domain/messages.js';
import { conflict, ProblemError } from '../../domain/problems.js';
import { findApplication, sendMessage } from '../../mentees/client.js';
import { findProgram } from '../../mentees/programs.js';
import { recordMentor, withProjectSeat } from '../../mentees/selection.js';
import { actorFrom, authorize, requireProgram } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { newRouter } from '../router.js';
import { jsonBody, Param, problemResponse, secured, writeErrors } from '../schemas.js';

const ApplicationParams = z.object({ applicationId: Param.applicationId });
const ProgramParams = z.object({ programId: Param.programId });

const ReviewView = z
  .object({
    criteria: z.array(z.object({ id: z.string(), title: z.string() })),
    mine: z
      .object({ scores: z.record(z.string(), z.int()), average: z.number(), updatedAt: z.string() })
      .nullable(),
    others: z.object({ average: z.number().nullable(), count: z.int() }),
    notes: z.array(z.object({ id: z.int(), note: z.string(), createdAt: z.string() })),
    flag: z.object({ reason: z.string(), createdAt: z.string() }).nullable(),
    flags: z.int(),
    rank: z.int().nullable(),
  })
  .openapi({ example: EXAMPLES.ReviewView })
  .openapi('ReviewView');
const RatingBody = z.strictObject({
  scores: z.record(z.string().max(64), z.int().min(1).max(5)).describe("Each of the program's criteria, 1-5"),
});
const NoteBody = z.strictObject({ note: z.string().min(1).max(10_000) });
const FlagBody = z.strictObject({
  reason: z.string().min(1).max(2_000).nullable().describe('null takes the flag back'),
});
const RankingBody = z.strictObject({
  applicationIds: z.array(z.uuid()).max(5_000).describe("The program's applications, best first"),
});
const Ranking = z
  .object({ applicationIds: z.array(z.uuid()) })
  .openapi({ example: EXAMPLES.Ranking })
  .openapi('Ranking');
const SelectTopBody = z.strictObject({ count: z.int().min(1).max(1_000).describe('How many to select') });
const SelectTopReport = z
  .object({
    requested: z.int(),
    selected: z.array(
      z.object({
        applicationId: z.uuid(),
        rank: z.int(),
        projectId: z.string(),
        mentorId: z.string(),
        duplicate: z.boolean(),
      }),
    ),
    refused: z.array(
      z.object({ applicationId: z.uuid(), rank: z.int(), type: z.string(), detail: z.string() }),
    ),
  })
  .openapi({ example: EXAMPLES.SelectTopReport })
  .openapi('SelectTopReport');

const reviewerErrors = {
  401: problemResponse('No or invalid bearer token'),
  403: problemResponse("Not the program's mentors or admins"),
  404: problemResponse('Unknown application'),
};

const routes = {
  view: createRoute({
    method: 'get',
    tags: ['Reviews'],
    path: '/applications/{applicationId}/review',
    summary:
      "The caller's rating, notes and flag; the others' average and count (never shown to the applicant)",
    ...secured,
    request: { params: ApplicationParams },
    responses: {
      200: { description: 'Reviews', content: { 'application/json': { schema: ReviewView } } },
      ...reviewerErrors,
    },
  }),
  rate: createRoute({
    method: 'put',
    tags: ['Reviews'],
    path: '/applications/{applicationId}/rating',
    summary:
      "Rate the application on each of the program's criteria (1-5); a new rating replaces the caller's",
    ...secured,
    request: { params: ApplicationParams, body: jsonBody(RatingBody, { scores: { overall: 4 } }) },
    responses: {
      ...writeErrors,
      200: { description: 'Rated', content: { 'application/json': { schema: ReviewView } } },
      ...reviewerErrors,
      422: problemResponse('A criterion missing, unknown or out of 1-5'),
    },
  }),
  note: createRoute({
    method: 'post',
    tags: ['Reviews'],
    path: '/applications/{applicationId}/notes',
    summary: 'Keep a private note on the application (only its author reads it)',
    ...secured,
    request: {
      params: ApplicationParams,
      body: jsonBody(NoteBody, { note: 'Strong PR history; ask about time zones' }),
    },
    responses: {
      ...writeErrors,
      201: { description: 'Kept', content: { 'application/json': { schema: ReviewView } } },
      ...reviewerErrors,
    },
  }),
  flag: createRoute({
    method: 'put',
    tags: ['Reviews'],
    path: '/applications/{applicationId}/flag',
    summary: 'Flag the application with a reason (or take the flag back with null)',
    ...secured,
    request: { params: ApplicationParams, body: jsonBody(FlagBody, { reason: 'Plagiarised essay' }) },
    responses: {
      ...writeErrors,
      200: { description: 'Flagged', content: { 'application/json': { schema: ReviewView } } },
      ...reviewerErrors,
    },
  }),
  readRanking: createRoute({
    method: 'get',
    tags: ['Reviews'],
    path: '/programs/{programId}/ranking',
    summary: "The admins' order of the program's applications",
    ...secured,
    request: { params: ProgramParams },
    responses: {
      200: { description: 'The ranking', content: { 'application/json': { schema: Ranking } } },
      401: problemResponse('No or invalid bearer token'),
      403: problemResponse("Not the program's admins"),
      404: problemResponse('Unknown program'),
    },
  }),
  rank: createRoute({
    method: 'put',
    tags: ['Reviews'],
    path: '/programs/{programId}/ranking',
    summary: "Order the program's applications, best first (those left out have no rank)",
    ...secured,
    request: {
      params: ProgramParams,
      body: jsonBody(RankingBody, { applicationIds: ['5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11'] }),
    },
    responses: {
      ...writeErrors,
      200: { description: 'Ranked', content: { 'application/json': { schema: Ranking } } },
      403: problemResponse("Not the program's admins"),
      404: problemResponse('Unknown program'),
      422: problemResponse('An application not of this program'),
    },
  }),
  selectTop: createRoute({
    method: 'post',
    tags: ['Reviews'],
    path: '/programs/{programId}/select-top',
    summary:
      'Select the top N ranked applications in rank order, each through the selection message with a mentor committed to its project; reports who was selected and who was refused and why',
    ...secured,
    request: { params: ProgramParams, body: jsonBody(SelectTopBody, { count: 4 }) },
    responses: {
      ...writeErrors,
      200: { description: 'The report', content: { 'application/json': { schema: SelectTopReport } } },
      403: problemResponse("Not the program's admins"),
      404: problemResponse('Unknown program'),
      409: problemResponse('The program has no projects (a selection needs a committed mentor)'),
    },
  }),
};

export function reviewRoutes(deps: ApiDeps) {
  const { sql, temporal } = deps;
  const app = newRouter();

  async function reviewable(c: Context, applicationId: string) {
    const application = await findApplication(sql, applicationId);
    const caller = authorize(c, application, 'programMentor', 'staff');
    const program = (await findProgram(sql, application.programId)).definition;
    return { application, caller, program };
  }

  app.openapi(routes.view, async (c) => {
    const { application, caller, program } = await reviewable(c, c.req.valid('param').applicationId);
    return c.json(await reviewView(sql, program, application.id, caller.userId), 200);
  });

  app.openapi(routes.rate, async (c) => {
    const { application, caller, program } = await reviewable(c, c.req.valid('param').applicationId);
    const { scores } = c.req.valid('json');
    assertScores(program, scores);
    await rate(sql, application.id, caller.userId, scores);
    return c.json(await reviewView(sql, program, application.id, caller.userId), 200);
  });

  app.openapi(routes.note, async (c) => {
    const { application, caller, program } = await reviewable(c, c.req.valid('param').applicationId);
    await addNote(sql, application.id, caller.userId, c.req.valid('json').note);
    return c.json(await reviewView(sql, program, application.id, caller.userId), 201);
  });

  app.openapi(routes.flag, async (c) => {
    const { application, caller, program } = await reviewable(c, c.req.valid('param').applicationId);
    await setFlag(sql, application.id, caller.userId, c.req.valid('json').reason);
    return c.json(await reviewView(sql, program, application.id, caller.userId), 200);
  });

  app.openapi(routes.readRanking, async (c) => {
    const { programId } = c.req.valid('param');
    requireProgram(c, programId);
    await findProgram(sql, programId);
    return c.json({ applicationIds: (await ranked(sql, programId)).map((r) => r.id) }, 200);
  });

  app.openapi(routes.rank, async (c) => {
    const { programId } = c.req.valid('param');
    requireProgram(c, programId);
    await findProgram(sql, programId);
    await setRanking(sql, programId, c.req.valid('json').applicationIds);
    return c.json({ applicationIds: (await ranked(sql, programId)).map((r) => r.id) }, 200);
  });

  app.openapi(routes.selectTop, async (c) => {
    const { programId } = c.req.valid('param');
    const by = actorFrom(requireProgram(c, programId));
    const { definition: program } = await findProgram(sql, programId);
    if (program.projects.length === 0) {
      throw conflict(
        'no-projects',
        `Program ${programId} has no projects: a selection needs a mentor committed to one`,
      );
    }
    const { count } = c.req.valid('json');
    const report: z.infer<typeof SelectTopReport> = { requested: count, selected: [], refused: [] };
    for (const { id, rank } of await ranked(sql, programId)) {
      if (report.selected.length >= count) break;
      const application = await findApplication(sql, id);
      const [content] = await sql<{ projectIds: string[] }[]>`
        SELECT project_ids AS "projectIds" FROM application_content WHERE application_id = ${id}`;
      const projectId = content?.projectIds[0];
      const project = program.projects.find((p) => p.id === projectId);
      if (!project || project.mentors.length === 0) {
        report.refused.push({
          applicationId: id,
          rank,
          type: 'mentor-not-committed',
          detail: project
            ? `No mentor is committed to project ${project.id}`
            : 'The application names no project',
        });
        continue;
      }
      // the project's committed mentors in turn: one at capacity leaves the applicant to the next
      let refusal: ProblemError | undefined;
      for (const mentor of project.mentors) {
        try {
          // the project is the application's own and the mentor committed to it: the selection's own checks hold
          await recordMentor(sql, mentor);
          const { duplicate } = await withProjectSeat(sql, programId, project, id, () =>
            sendMessage(temporal, application, decideSelectionUpdate, {
              by,
              decision: 'select',
              mentor: { id: mentor.id },
              projectTitle: project.title,
            }),
          );
          report.selected.push({
            applicationId: id,
            rank,
            projectId: project.id,
            mentorId: mentor.id,
            duplicate,
          });
          refusal = undefined;
          break;
        } catch (error) {
          if (!(error instanceof ProblemError)) throw error;
          refusal = error;
          if (!/capacity|mentor/i.test(error.kind)) break;
        }
      }
      if (refusal)
        report.refused.push({ applicationId: id, rank, type: refusal.kind, detail: refusal.message });
    }
    return c.json(report, 200);
  });

  return app;
}
