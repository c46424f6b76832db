import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import type { Context } from 'hono';
import {
  type ApplicationExportRow,
  evaluationsDue,
  exportApplications,
  listApplications,
  listCertificates,
  listInstallments,
  type Scope,
  stageCounts,
} from '../../db/read-model.js';
import { forbidden } from '../../domain/problems.js';
import { STAGES, type Stage } from '../../domain/stages.js';
import { PAYMENT_STATE_FILTERS, PAYMENT_STATES } from '../../domain/status.js';
import { findProgram } from '../../mentees/programs.js';
import { type Principal, principal, requireProgram, requireRole, runsProgram } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { decodeCursor, LISTS, pageOf, pageQuery, toPage } from '../pagination.js';
import { newRouter } from '../router.js';
import { Param, problemResponse, secured } from '../schemas.js';

const ApplicationSummary = z
  .object({
    id: z.uuid(),
    programId: z.string(),
    menteeId: z.string(),
    mentorId: z.string().nullable(),
    projectTitle: z.string().nullable(),
    stage: z.enum(STAGES),
    next: z.object({ what: z.string().nullable(), deadline: z.string().nullable() }).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    projectIds: z
      .array(z.string())
      .optional()
      .describe('The projects the application is for (programs with projects)'),
    submitted: z.boolean().optional().describe('The application form was submitted (programs with a form)'),
    complete: z.boolean().optional().describe('Every required task is complete'),
    review: z
      .object({
        ratingAverage: z.number().nullable(),
        ratingCount: z.int(),
        flags: z.int(),
        rank: z.int().nullable(),
      })
      .optional()
      .describe("Mentors' ratings and flags, the admins' rank: for the program's mentors and admins only"),
    otherApplications: z
      .array(z.object({ programId: z.string(), stage: z.enum(STAGES) }))
      .optional()
      .describe("The person's other applications in the term, and where they stand (not for applicants)"),
  })
  .openapi({ example: EXAMPLES.ApplicationSummary })
  .openapi('ApplicationSummary');
const ApplicationPage = pageOf(ApplicationSummary, 'ApplicationPage', EXAMPLES.ApplicationSummary);

const StageFilter = z
  .string()
  .optional()
  .transform((list, ctx) => {
    if (list === undefined) return undefined;
    const stages = list.split(',');
    const unknown = stages.filter((s) => !(STAGES as readonly string[]).includes(s));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `Unknown stage ${unknown.join(', ')}; stages are ${STAGES.join(', ')}`,
      });
      return z.NEVER;
    }
    return stages as Stage[];
  })
  .openapi({
    description: 'Comma-separated stages, e.g. `onboarding,active`',
    example: 'active',
    pattern: `^(${STAGES.join('|')})(,(${STAGES.join('|')}))*$`,
  });
const ApplicationSort = z
  .enum(['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'rating', '-rating', 'rank'])
  .default('createdAt')
  .openapi({
    description:
      "Sort field; a leading `-` sorts newest (or best rated) first; `rating` is the average of the mentors' ratings (unrated count lowest), `rank` the admins' order (unranked last)",
    example: '-createdAt',
  });
const Flag = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => (v === undefined ? undefined : v === 'true'));
const ApplicationListQuery = z.object({
  stage: StageFilter,
  sort: ApplicationSort,
  complete: Flag.openapi({
    description: 'Only applications whose required tasks are all complete (true), or not',
    example: 'true',
  }),
  project: z
    .string()
    .max(64)
    .optional()
    .openapi({ description: 'Only applications for this project', example: 'scheduler-plugins' }),
  ratedByMe: Flag.openapi({
    description: 'Only applications the caller has rated (true), or not (false)',
    example: 'false',
  }),
  flagged: Flag.openapi({
    description: 'Only flagged applications (true), or unflagged ones',
    example: 'false',
  }),
  ...pageQuery(LISTS.applications),
});

const EvaluationDue = z
  .object({
    applicationId: z.uuid(),
    programId: z.string(),
    menteeId: z.string(),
    mentorId: z.string().nullable(),
    number: z.int(),
    dueAt: z.string(),
  })
  .openapi({ example: EXAMPLES.EvaluationDue })
  .openapi('EvaluationDue');
const InstallmentItem = z
  .object({
    applicationId: z.uuid(),
    programId: z.string(),
    menteeId: z.string(),
    number: z.int(),
    afterEvaluation: z.int(),
    expectedAt: z.string().nullable().openapi({ description: 'When the evaluation that releases it is due' }),
    amountCents: z.int().nullable(),
    currency: z.string(),
    state: z.enum(PAYMENT_STATES).openapi({
      description:
        'scheduled, requested (sent to the provider), paid, rejected or payment-failed (ops retry), forfeited',
    }),
  })
  .openapi({ example: EXAMPLES.InstallmentListItem })
  .openapi('InstallmentListItem');
const CertificateItem = z
  .object({
    verificationCode: z.string(),
    applicationId: z.uuid(),
    menteeId: z.string(),
    projectTitle: z.string(),
    issuedAt: z.string(),
    pdfUrl: z.string(),
  })
  .openapi({ example: EXAMPLES.IssuedCertificate })
  .openapi('IssuedCertificate');

/** The export's columns, in order: the row's fields, named as the header line names them. */
const EXPORT_COLUMNS = [
  'applicationId',
  'menteeId',
  'menteeName',
  'menteeEmail',
  'country',
  'stage',
  'prerequisitesDone',
  'prerequisitesOpen',
  'otherApplications',
  'selection',
  'mentorId',
  'projectTitle',
  'appliedAt',
  'projectIds',
  'submittedAt',
  'tasksAccepted',
  'contributions',
  'ratingAverage',
  'ratingCount',
  'flags',
  'rank',
] as const satisfies readonly (keyof ApplicationExportRow)[];

const csvValue = (value: unknown) => (value instanceof Date ? value.toISOString() : (value ?? ''));

const programParams = z.object({ programId: Param.programId });
const listResponses = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
  400: problemResponse('A cursor this API did not return for this list, or one edited by hand'),
  401: problemResponse('No or invalid bearer token'),
  403: problemResponse('Not allowed for this user'),
  422: problemResponse('Invalid filter'),
});

const routes = {
  programApplications: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/programs/{programId}/applications',
    summary: "A program's applications, by stage (admins of the program, its mentors, ops)",
    ...secured,
    request: { params: programParams, query: ApplicationListQuery },
    responses: listResponses(ApplicationPage, 'One page of applications'),
  }),
  export: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/programs/{programId}/applications/export',
    summary:
      "A program's applications as CSV, streamed: stage, prerequisites, other applications in the term, selection, mentor (admins of the program, its mentors, ops)",
    ...secured,
    request: { params: programParams },
    responses: {
      200: {
        description: 'One line per application, oldest first, with a header line',
        content: {
          'text/csv': {
            schema: z.string().openapi({ example: `${EXPORT_COLUMNS.join(',')}\n` }),
          },
        },
      },
      401: problemResponse('No or invalid bearer token'),
      403: problemResponse('Not allowed for this user'),
      404: problemResponse('Unknown program'),
    },
  }),
  stageCounts: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/programs/{programId}/stage-counts',
    summary: 'How many applications are in each stage (admins of the program, its mentors, ops)',
    ...secured,
    request: { params: programParams },
    responses: listResponses(
      z
        .object({ programId: z.string(), total: z.int(), counts: z.record(z.enum(STAGES), z.int()) })
        .openapi({ example: EXAMPLES.StageCounts })
        .openapi('StageCounts'),
      'Counts per stage, zero included',
    ),
  }),
  mentees: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/mentors/{mentorId}/mentees',
    summary: "A mentor's mentees (the mentor, admins of their programs, ops)",
    ...secured,
    request: { params: z.object({ mentorId: Param.mentorId }), query: ApplicationListQuery },
    responses: listResponses(ApplicationPage, 'One page of mentees'),
  }),
  mine: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/me/applications',
    summary: "The calling mentee's own applications",
    ...secured,
    request: { query: z.object({ sort: ApplicationSort, ...pageQuery(LISTS.applications) }) },
    responses: listResponses(ApplicationPage, 'One page of applications'),
  }),
  evaluationsDue: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/evaluations/due',
    summary:
      'Evaluations not yet submitted and due in a window, by default this week (Monday 00:00 UTC on); mentors see their own',
    ...secured,
    request: {
      query: z.object({
        programId: Param.programId.optional(),
        from: z.iso.datetime({ offset: true }).optional().openapi({
          description: 'Due at or after (default: this Monday 00:00 UTC)',
          example: '2027-02-01T00:00:00Z',
        }),
        to: z.iso.datetime({ offset: true }).optional().openapi({
          description: 'Due before (default: a week after `from`)',
          example: '2027-02-08T00:00:00Z',
        }),
        ...pageQuery(LISTS.evaluationsDue),
      }),
    },
    responses: listResponses(
      pageOf(EvaluationDue, 'EvaluationDuePage', EXAMPLES.EvaluationDue),
      'One page, earliest due first',
    ),
  }),
  installments: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/stipend-installments',
    summary: 'Stipend installments across mentees: pending (not yet paid), paid or forfeited (admins, ops)',
    ...secured,
    request: {
      query: z.object({
        state: z
          .enum(Object.keys(PAYMENT_STATE_FILTERS) as [keyof typeof PAYMENT_STATE_FILTERS])
          .default('pending')
          .openapi({ description: 'pending: planned, sent or waiting for ops', example: 'pending' }),
        programId: Param.programId.optional(),
        ...pageQuery(LISTS.installments),
      }),
    },
    responses: listResponses(
      pageOf(InstallmentItem, 'InstallmentPage', EXAMPLES.InstallmentListItem),
      'One page, earliest expected first',
    ),
  }),
  certificates: createRoute({
    method: 'get',
    tags: ['Dashboards'],
    path: '/programs/{programId}/certificates',
    summary: 'Letters of Completion issued in a program, newest first (admins of the program, ops)',
    ...secured,
    request: { params: programParams, query: z.object({ ...pageQuery(LISTS.certificates) }) },
    responses: listResponses(
      pageOf(CertificateItem, 'CertificatePage', EXAMPLES.IssuedCertificate),
      'One page of certificates',
    ),
  }),
};

export function dashboardRoutes({ sql, now = Date.now }: ApiDeps) {
  const app = newRouter();

  const applicationPage = async (
    scope: Scope,
    caller: Principal,
    query: {
      stage?: Stage[] | undefined;
      sort: z.infer<typeof ApplicationSort>;
      limit: number;
      cursor?: string | undefined;
      complete?: boolean | undefined;
      project?: string | undefined;
      ratedByMe?: boolean | undefined;
      flagged?: boolean | undefined;
    },
  ) => {
    const judging = caller.role !== 'mentee';
    const filters = {
      complete: query.complete,
      project: query.project,
      ratedBy:
        query.ratedByMe === undefined ? undefined : { reviewer: caller.userId, rated: query.ratedByMe },
      // an applicant filters by nothing reviewers keep
      flagged: judging ? query.flagged : undefined,
    };
    const sort = judging || !/rating|rank/.test(query.sort) ? query.sort : 'createdAt';
    return toPage(
      LISTS.applications,
      await listApplications(sql, scope, {
        ...query,
        sort,
        filters,
        after: decodeCursor(LISTS.applications, query.cursor),
      }),
      query.limit,
      // the sort value is read back from the row itself: exact, whatever the timestamp precision
      (r) => ({ value: '', id: r.id }),
      ({
        resultPending,
        ratingAverage,
        ratingCount,
        flags,
        rank,
        projectIds,
        submitted,
        complete,
        otherApplications,
        ...r
      }) => ({
        ...r,
        // an applicant hears of a selection on the term's announcement day, not before
        ...(resultPending && caller.role === 'mentee' ? { mentorId: null, projectTitle: null } : {}),
        next: r.next ? { what: r.next.what ?? null, deadline: r.next.deadline ?? null } : null,
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
        ...(projectIds && { projectIds }),
        ...(submitted !== null && projectIds && { submitted }),
        complete,
        ...(judging && {
          review: {
            ratingAverage: ratingAverage === null ? null : Number(ratingAverage),
            ratingCount,
            flags,
            rank,
          },
          otherApplications,
        }),
      }),
    );
  };

  app.openapi(routes.programApplications, async (c) => {
    const { programId } = c.req.valid('param');
    const p = viewProgram(c, programId);
    return c.json(await applicationPage({ programId }, p, c.req.valid('query')), 200);
  });

  app.openapi(routes.export, async (c) => {
    const { programId } = c.req.valid('param');
    viewProgram(c, programId);
    await findProgram(sql, programId);
    const lines = async function* () {
      yield Buffer.from(stringify([EXPORT_COLUMNS]));
      for await (const rows of exportApplications(sql, programId)) {
        yield Buffer.from(stringify(rows.map((r) => EXPORT_COLUMNS.map((column) => csvValue(r[column])))));
      }
    };
    return c.body(Readable.toWeb(Readable.from(lines())) as ReadableStream, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${programId}-applications.csv"`,
    });
  });

  app.openapi(routes.stageCounts, async (c) => {
    const { programId } = c.req.valid('param');
    viewProgram(c, programId);
    const rows = await stageCounts(sql, programId);
    const counts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
    for (const row of rows) counts[row.stage] = row.count;
    return c.json({ programId, total: rows.reduce((n, r) => n + r.count, 0), counts }, 200);
  });

  app.openapi(routes.mentees, async (c) => {
    const { mentorId } = c.req.valid('param');
    const p = principal(c);
    if (p.role === 'mentor' && p.userId !== mentorId) throw forbidden('Mentors see only their own mentees');
    if (p.role === 'mentee') throw forbidden("Mentees cannot list a mentor's mentees");
    return c.json(
      await applicationPage({ ...scopeOf(p, undefined), mentorId }, p, c.req.valid('query')),
      200,
    );
  });

  app.openapi(routes.mine, async (c) => {
    const p = requireRole(c, 'mentee');
    return c.json(await applicationPage({ menteeId: p.userId }, p, c.req.valid('query')), 200);
  });

  app.openapi(routes.evaluationsDue, async (c) => {
    const query = c.req.valid('query');
    const p = requireRole(c, 'mentor', 'admin', 'ops');
    const from = query.from ? new Date(query.from) : startOfWeek(new Date(now()));
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + 7 * 24 * 3600_000);
    const rows = await evaluationsDue(sql, scopeOf(p, query.programId), {
      from,
      to,
      limit: query.limit,
      after: decodeCursor(LISTS.evaluationsDue, query.cursor),
    });
    return c.json(
      toPage(
        LISTS.evaluationsDue,
        rows,
        query.limit,
        (r) => ({ value: r.dueAt.toISOString(), id: r.key }),
        ({ key: _key, dueAt, ...r }) => ({ ...r, dueAt: dueAt.toISOString() }),
      ),
      200,
    );
  });

  app.openapi(routes.installments, async (c) => {
    const query = c.req.valid('query');
    const p = requireRole(c, 'admin', 'ops');
    const rows = await listInstallments(sql, scopeOf(p, query.programId), {
      states: PAYMENT_STATE_FILTERS[query.state],
      page: { limit: query.limit, after: decodeCursor(LISTS.installments, query.cursor) },
    });
    return c.json(
      toPage(
        LISTS.installments,
        rows,
        query.limit,
        (r) => ({ value: r.expectedAt ?? '', id: r.key }),
        (r) => ({
          applicationId: r.applicationId,
          programId: r.programId,
          menteeId: r.menteeId,
          number: r.number,
          afterEvaluation: r.afterEvaluation,
          expectedAt: r.expectedAt,
          amountCents: r.amountCents,
          currency: r.currency,
          state: r.state,
        }),
      ),
      200,
    );
  });

  app.openapi(routes.certificates, async (c) => {
    const { programId } = c.req.valid('param');
    const query = c.req.valid('query');
    requireProgram(c, programId);
    const rows = await listCertificates(sql, programId, {
      limit: query.limit,
      after: decodeCursor(LISTS.certificates, query.cursor),
    });
    return c.json(
      toPage(
        LISTS.certificates,
        rows,
        query.limit,
        (r) => ({ value: '', id: r.code }),
        (r) => ({
          verificationCode: r.code,
          applicationId: r.applicationId,
          menteeId: r.menteeId,
          projectTitle: r.projectTitle,
          issuedAt: r.issuedAt.toISOString(),
          pdfUrl: `/certificates/${r.code}/pdf`,
        }),
      ),
      200,
    );
  });

  return app;
}

/** What a caller may see across programs: a mentor their mentees, an admin their programs, ops everything. */
function scopeOf(p: Principal, programId: string | undefined): Scope {
  if (p.role === 'admin' && programId !== undefined && !p.programs.includes(programId)) {
    throw forbidden(`The caller is not an admin of program ${programId}`);
  }
  if (p.role === 'mentor') return { programId, mentorId: p.userId };
  if (p.role === 'admin') return { programId, programIds: p.programs };
  return { programId };
}

/** Program lists are for its admins, its mentors (choosing whom to select) and ops. */
function viewProgram(c: Context, programId: string): Principal {
  const p = principal(c);
  const allowed = runsProgram(p, programId) || (p.role === 'mentor' && p.programs.includes(programId));
  if (!allowed) throw forbidden(`Only admins and mentors of ${programId}, and ops, see its applications`);
  return p;
}

function startOfWeek(at: Date): Date {
  const monday = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return monday;
}
