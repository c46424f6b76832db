import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { PendingQuery, Row } from 'postgres';
import { forbidden } from '../../domain/problems.js';
import { STAGES, type Stage } from '../../domain/stages.js';
import { type Principal, principal, requireProgram, requireRole, runsProgram } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { decodeCursor, PageQuery, type Position, pageOf, toPage } from '../pagination.js';
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
  .openapi({ description: 'Comma-separated stages, e.g. `onboarding,active`', example: 'active' });
const ApplicationSort = z
  .enum(['createdAt', '-createdAt', 'updatedAt', '-updatedAt'])
  .default('createdAt')
  .openapi({ description: 'Sort field; a leading `-` sorts newest first', example: '-createdAt' });
const ApplicationListQuery = z.object({ stage: StageFilter, sort: ApplicationSort, ...PageQuery });

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
    state: z
      .string()
      .openapi({ description: 'scheduled, requested (sent to the provider), paid, forfeited, ...' }),
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

const programParams = z.object({ programId: Param.programId });
const listResponses = <T extends z.ZodType>(schema: T, description: string) => ({
  200: { description, content: { 'application/json': { schema } } },
  400: problemResponse('A cursor this API did not return'),
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
    request: { query: z.object({ sort: ApplicationSort, ...PageQuery }) },
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
        ...PageQuery,
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
          .enum(['pending', 'paid', 'forfeited'])
          .default('pending')
          .openapi({ description: 'pending: planned, sent or waiting for ops', example: 'pending' }),
        programId: Param.programId.optional(),
        ...PageQuery,
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
    request: { params: programParams, query: z.object({ ...PageQuery }) },
    responses: listResponses(
      pageOf(CertificateItem, 'CertificatePage', EXAMPLES.IssuedCertificate),
      'One page of certificates',
    ),
  }),
};

interface ApplicationListRow {
  id: string;
  programId: string;
  menteeId: string;
  mentorId: string | null;
  projectTitle: string | null;
  stage: Stage;
  next: { what: string | null; deadline: string | null } | null;
  createdAt: Date;
  updatedAt: Date;
}

export function dashboardRoutes({ sql, now = Date.now }: ApiDeps) {
  const app = newRouter();

  /** Applications matching `where`, keyset-paged on the sort column and id. */
  async function applicationPage(
    where: PendingQuery<Row[]>,
    query: { stage?: Stage[] | undefined; sort: string; limit: number; cursor?: string | undefined },
  ) {
    const descending = query.sort.startsWith('-');
    const column = sql(query.sort.endsWith('updatedAt') ? 'updated_at' : 'created_at');
    const after = decodeCursor(query.cursor);
    const rows = await sql<ApplicationListRow[]>`
      SELECT id, program_id AS "programId", mentee_id AS "menteeId", mentor_id AS "mentorId",
             project_title AS "projectTitle", stage, status->'next' AS next,
             created_at AS "createdAt", updated_at AS "updatedAt"
      FROM applications
      WHERE ${where}
        ${query.stage ? sql`AND stage IN ${sql(query.stage)}` : sql``}
        ${after ? sql`AND (${column}, id) ${descending ? sql`<` : sql`>`} (SELECT ${column}, id FROM applications WHERE id = ${after.id}::uuid)` : sql``}
      ORDER BY ${column} ${descending ? sql`DESC` : sql`ASC`}, id ${descending ? sql`DESC` : sql`ASC`}
      LIMIT ${query.limit + 1}`;
    return toPage(
      rows,
      query.limit,
      // the sort value is read back from the row itself: exact, whatever the timestamp precision
      (r): Position => ({ value: '', id: r.id }),
      (r) => ({
        id: r.id,
        programId: r.programId,
        menteeId: r.menteeId,
        mentorId: r.mentorId,
        projectTitle: r.projectTitle,
        stage: r.stage,
        next: r.next ? { what: r.next.what ?? null, deadline: r.next.deadline ?? null } : null,
        createdAt: r.createdAt.toISOString(),
        updatedAt: r.updatedAt.toISOString(),
      }),
    );
  }

  app.openapi(routes.programApplications, async (c) => {
    const { programId } = c.req.valid('param');
    viewProgram(c, programId);
    return c.json(await applicationPage(sql`program_id = ${programId}`, c.req.valid('query')), 200);
  });

  app.openapi(routes.stageCounts, async (c) => {
    const { programId } = c.req.valid('param');
    viewProgram(c, programId);
    const rows = await sql<{ stage: Stage; count: string }[]>`
      SELECT stage, count(*) FROM applications WHERE program_id = ${programId} GROUP BY stage`;
    const counts = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
    for (const row of rows) counts[row.stage] = Number(row.count);
    return c.json({ programId, total: rows.reduce((n, r) => n + Number(r.count), 0), counts }, 200);
  });

  app.openapi(routes.mentees, async (c) => {
    const { mentorId } = c.req.valid('param');
    const p = principal(c);
    if (p.role === 'mentor' && p.userId !== mentorId) throw forbidden('Mentors see only their own mentees');
    if (p.role === 'mentee') throw forbidden("Mentees cannot list a mentor's mentees");
    return c.json(
      await applicationPage(sql`mentor_id = ${mentorId} AND ${scope(p, undefined)}`, c.req.valid('query')),
      200,
    );
  });

  app.openapi(routes.mine, async (c) => {
    const p = requireRole(c, 'mentee');
    return c.json(await applicationPage(sql`mentee_id = ${p.userId}`, c.req.valid('query')), 200);
  });

  app.openapi(routes.evaluationsDue, async (c) => {
    const query = c.req.valid('query');
    const p = requireRole(c, 'mentor', 'admin', 'ops');
    const from = query.from ? new Date(query.from) : startOfWeek(new Date(now()));
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + 7 * 24 * 3600_000);
    const after = decodeCursor(query.cursor);
    const rows = await sql<(z.infer<typeof EvaluationDue> & { dueAt: Date; key: string })[]>`
      SELECT * FROM (
        SELECT a.id AS "applicationId", a.program_id AS "programId", a.mentee_id AS "menteeId",
               a.mentor_id AS "mentorId", (e->>'number')::int AS number, (e->>'dueAt')::timestamptz AS "dueAt",
               a.id::text || '/' || (e->>'number') AS key
        FROM applications a, jsonb_array_elements(a.status->'evaluations') e
        WHERE a.stage = 'active' AND e->>'submittedAt' IS NULL AND e->>'state' <> 'missed'
          AND ${scope(p, query.programId)}
      ) due
      WHERE "dueAt" >= ${from} AND "dueAt" < ${to}
        ${after ? sql`AND ("dueAt", key) > (${after.value}::timestamptz, ${after.id})` : sql``}
      ORDER BY "dueAt", key
      LIMIT ${query.limit + 1}`;
    return c.json(
      toPage(
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
    const after = decodeCursor(query.cursor);
    // pending: planned for a running mentee, sent to the provider, or refused by it and waiting for a retry
    const states = {
      pending: ['scheduled', 'requested', 'rejected', 'payment-failed'],
      paid: ['paid'],
      forfeited: ['forfeited'],
    }[query.state];
    const rows = await sql<
      (Omit<z.infer<typeof InstallmentItem>, 'amountCents'> & {
        key: string;
        stage: string;
        amountCents: string | null;
      })[]
    >`
      SELECT * FROM (
        SELECT a.id AS "applicationId", a.program_id AS "programId", a.mentee_id AS "menteeId",
               (i->>'number')::int AS number, (i->>'afterEvaluation')::int AS "afterEvaluation",
               (SELECT (e->>'dueAt') FROM jsonb_array_elements(a.status->'evaluations') e
                 WHERE (e->>'number') = (i->>'afterEvaluation')) AS "expectedAt",
               coalesce(sp.amount_cents, (i->>'amountCents')::bigint) AS "amountCents", i->>'currency' AS currency,
               coalesce(sp.status, i->>'state') AS state, a.stage,
               a.id::text || '/' || (i->>'number') AS key
        FROM applications a
        CROSS JOIN jsonb_array_elements(a.status->'stipend') i
        LEFT JOIN stipend_payments sp ON sp.application_id = a.id AND sp.installment = (i->>'number')::int
        WHERE ${scope(p, query.programId)}
      ) installments
      WHERE state IN ${sql(states)} AND (state <> 'scheduled' OR stage = 'active')
        ${after ? sql`AND (coalesce("expectedAt", ''), key) > (${after.value}, ${after.id})` : sql``}
      ORDER BY coalesce("expectedAt", ''), key
      LIMIT ${query.limit + 1}`;
    return c.json(
      toPage(
        rows,
        query.limit,
        (r) => ({ value: r.expectedAt ?? '', id: r.key }),
        ({ key: _key, stage: _stage, amountCents, ...r }) => ({
          ...r,
          amountCents: amountCents === null ? null : Number(amountCents),
        }),
      ),
      200,
    );
  });

  app.openapi(routes.certificates, async (c) => {
    const { programId } = c.req.valid('param');
    const query = c.req.valid('query');
    requireProgram(c, programId);
    const after = decodeCursor(query.cursor);
    const rows = await sql<
      {
        code: string;
        applicationId: string;
        menteeId: string;
        projectTitle: string;
        issuedAt: Date;
      }[]
    >`
      SELECT c.verification_code AS code, c.application_id AS "applicationId", a.mentee_id AS "menteeId",
             c.project_title AS "projectTitle", c.issued_at AS "issuedAt"
      FROM certificates c JOIN applications a ON a.id = c.application_id
      WHERE a.program_id = ${programId}
        ${after ? sql`AND (c.issued_at, c.verification_code) < (SELECT issued_at, verification_code FROM certificates WHERE verification_code = ${after.id})` : sql``}
      ORDER BY c.issued_at DESC, c.verification_code DESC
      LIMIT ${query.limit + 1}`;
    return c.json(
      toPage(
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

  /** What a caller may see across programs: a mentor their mentees, an admin their programs, ops everything. */
  function scope(p: Principal, programId: string | undefined) {
    if (p.role === 'admin' && programId !== undefined && !p.programs.includes(programId)) {
      throw forbidden(`The caller is not an admin of program ${programId}`);
    }
    const byProgram = programId === undefined ? sql`true` : sql`program_id = ${programId}`;
    if (p.role === 'mentor') return sql`mentor_id = ${p.userId} AND ${byProgram}`;
    if (p.role === 'admin')
      return sql`program_id IN ${sql(p.programs.length ? p.programs : [''])} AND ${byProgram}`;
    return byProgram;
  }

  return app;
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
