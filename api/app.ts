import { prometheus } from '@hono/prometheus';
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { Registry } from 'prom-client';
import { menteeWorkflowId } from '../domain/ids.js';
import { ProblemError } from '../domain/problems.js';
import { authenticate, callerOf } from './auth.js';
import type { ApiDeps } from './deps.js';
import { docsRoutes } from './docs.js';
import { EXAMPLES } from './examples.js';
import { idempotency } from './idempotency.js';
import { problem } from './problems.js';
import { rateLimit } from './rate-limit.js';
import { newRouter } from './router.js';
import { adminRoutes } from './routes/admin.js';
import { applicationContentRoutes, DEFAULT_FILE_MAX_BYTES } from './routes/application-content.js';
import { applicationRoutes } from './routes/applications.js';
import { calendarRoutes } from './routes/calendars.js';
import { certificateRoutes } from './routes/certificates.js';
import { dashboardRoutes } from './routes/dashboards.js';
import { devSignInRoutes } from './routes/dev-sign-in.js';
import { financeRoutes } from './routes/finance.js';
import { privacyRoutes } from './routes/privacy.js';
import { programRoutes } from './routes/programs.js';
import { reviewRoutes } from './routes/reviews.js';
import { stipendRoutes } from './routes/stipends.js';
import { termRoutes } from './routes/terms.js';

/** Requests carry JSON documents of a few KiB; anything far larger is a mistake or an attack. */
export const MAX_BODY_BYTES = 64 * 1024;

const health = createRoute({
  method: 'get',
  tags: ['System'],
  path: '/healthz',
  summary: 'The process is up (liveness)',
  responses: {
    200: {
      description: 'Up',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
});
const Readiness = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.object({ postgres: z.string(), temporal: z.string() }),
  })
  .openapi({ example: EXAMPLES.Readiness })
  .openapi('Readiness');
const ready = createRoute({
  method: 'get',
  tags: ['System'],
  path: '/readyz',
  summary: 'Postgres and Temporal answer (readiness)',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Readiness } } },
    503: {
      description: 'A dependency does not answer',
      content: { 'application/json': { schema: Readiness } },
    },
  },
});
const metricsRoute = createRoute({
  method: 'get',
  tags: ['System'],
  path: '/metrics',
  summary: 'Prometheus metrics of the API: request counts and durations by route and status',
  responses: {
    200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
  },
});

/** The HTTP API: validates, authorizes, turns requests into workflow messages, answers from the read model. */
export function createApp(deps: ApiDeps) {
  const app = newRouter();
  const metrics = prometheus({ registry: new Registry(), prefix: 'mentorship_api_' });

  app.use('*', metrics.registerMetrics);
  app.use('*', requestLog(deps.log));
  // nosniff, frame and referrer policies, HSTS, cross-origin isolation; no CSP, so /docs keeps its scripts.
  app.use('*', secureHeaders());
  // Anyone may verify and download certificates: one budget per client address for both endpoints.
  const certificateLimit = rateLimit(deps.certificateRateLimit ?? { limit: 60, windowMs: 60_000 });
  app.use('/certificates/:code', certificateLimit);
  app.use('/certificates/:code/pdf', certificateLimit);
  const apiCors = cors({
    origin: deps.corsOrigins ?? [],
    allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
    exposeHeaders: ['location', 'idempotent-replayed', 'retry-after'],
    maxAge: 600,
  });
  // the codec decrypts payloads: only the Temporal UI's browser origin gets a CORS grant, never the frontend's
  const codecCors = cors({
    origin: deps.codec ? [deps.codec.uiOrigin] : [],
    allowHeaders: ['authorization', 'content-type', 'x-namespace'],
    allowMethods: ['POST', 'OPTIONS'],
    credentials: true,
    maxAge: 600,
  });
  app.use('*', (c, next) => (c.req.path.startsWith('/codec/') ? codecCors(c, next) : apiCors(c, next)));
  const limit = (maxSize: number, what: string) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        problem(c, new ProblemError(413, 'body-too-large', `${what} are limited to ${maxSize} bytes`)),
    });
  const documentLimit = limit(MAX_BODY_BYTES, 'Request bodies');
  // an upload's own limit is checked on the file; the multipart envelope may add a little
  const uploadLimit = limit((deps.files?.maxBytes ?? DEFAULT_FILE_MAX_BYTES) + 64 * 1024, 'Uploads');
  app.use('*', (c, next) => (c.req.path === '/files' ? uploadLimit(c, next) : documentLimit(c, next)));
  // the web console's development sign-in needs no token: registered before authenticate (404 outside development)
  app.route('/', devSignInRoutes(deps));
  app.use('*', authenticate(deps.auth));
  app.use(
    '*',
    idempotency(deps.sql, {
      leaseSeconds: deps.idempotencyLeaseSeconds ?? 30,
      ...(deps.instance && { instance: deps.instance }),
    }),
  );

  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(ready, async (c) => {
    const [postgres, temporal] = await Promise.all([
      within(2000, deps.sql`SELECT 1`),
      within(2000, deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const status = postgres === 'ok' && temporal === 'ok' ? ('ready' as const) : ('not-ready' as const);
    return c.json({ status, checks: { postgres, temporal } }, status === 'ready' ? 200 : 503);
  });
  app.openapi(metricsRoute, async (c) => {
    const exposition = await metrics.printMetrics(c);
    return c.text(await exposition.text(), 200, {
      'content-type': exposition.headers.get('content-type') ?? 'text/plain',
    });
  });

  app.route('/', termRoutes(deps));
  app.route('/', programRoutes(deps));
  app.route('/', applicationRoutes(deps));
  app.route('/', applicationContentRoutes(deps));
  app.route('/', reviewRoutes(deps));
  app.route('/', stipendRoutes(deps));
  app.route('/', certificateRoutes(deps));
  app.route('/', dashboardRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', financeRoutes(deps));
  app.route('/', calendarRoutes(deps));
  app.route('/', privacyRoutes(deps));
  app.route('/', docsRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT with `sub` (user id), `role` (mentee, mentor, admin, ops) and `programs`; `npm run token` mints one',
  });
  const documentConfig: Parameters<typeof app.getOpenAPI31Document>[0] = {
    openapi: '3.1.0',
    tags: [
      { name: 'Programs', description: 'Program terms: schedule, prerequisites, evaluations, stipend' },
      { name: 'Applications', description: "A mentee's application and every message that moves it along" },
      {
        name: 'Applicants',
        description: 'What an application holds: the profile, answers, files, tasks and contributions',
      },
      {
        name: 'Reviews',
        description: 'How mentors and admins judge applications: ratings, notes, tasks, ranking',
      },
      {
        name: 'Dashboards',
        description: 'Lists and counts from the read model, with filters and cursor pages',
      },
      { name: 'Certificates', description: 'Public verification of Letters of Completion' },
      {
        name: 'Calendars',
        description: "Each person's deadlines as an iCalendar feed at a private, revocable URL",
      },
      { name: 'Finance', description: 'Payout batches for finance, and the bank’s answers' },
      { name: 'Admin', description: 'Repairs for ops and program admins; each is safe to run twice' },
      { name: 'System', description: 'Probes and metrics' },
    ],
    info: {
      title: 'Mentorship program API',
      version: '1.0.0',
      description:
        "Programs, applications and each mentee's lifecycle. Errors are RFC 9457 problem+json. POST and PATCH accept an `Idempotency-Key` header.",
    },
  };
  let document: ReturnType<typeof app.getOpenAPI31Document> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= withOptionalBodies(app.getOpenAPI31Document(documentConfig));
    return c.json(document);
  });

  const methodsOf = servedMethods(app.routes);
  app.notFound((c) => {
    // a path served with other methods (TRACE, PUT ...) is a 405 that says which (RFC 9110), not a 404
    const allowed = methodsOf(c.req.path);
    if (allowed.length === 0 || allowed.includes(c.req.method)) {
      return problem(c, new ProblemError(404, 'no-route', `No route for ${c.req.method} ${c.req.path}`));
    }
    const answer = problem(
      c,
      new ProblemError(405, 'method-not-allowed', `${c.req.path} answers ${allowed.join(', ')}`),
    );
    answer.headers.set('allow', allowed.join(', '));
    return answer;
  });
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problem(c, error);
    if (isDataException(error)) {
      return problem(c, new ProblemError(422, 'invalid-value', `A value cannot be stored: ${error.message}`));
    }
    if (error instanceof HTTPException) {
      return problem(c, new ProblemError(error.status as 400, 'bad-request', error.message || 'Bad request'));
    }
    deps.log.error({ err: error, path: c.req.path }, 'unhandled API error');
    return problem(
      c,
      new ProblemError(500, 'internal', 'Something went wrong on our side; it has been logged'),
    );
  });
  return app;
}

/** One JSON line per request: who, what, how it ended, and the mentee's workflow id when the path names one. */
function requestLog(log: ApiDeps['log']): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const applicationId = c.req.path.match(/^(?:\/admin)?\/applications\/([0-9a-f-]{36})(?:\/|$)/i)?.[1];
    const line = {
      method: c.req.method,
      // a calendar feed's token is its credential: not written to the logs
      path: c.req.path.replace(/^\/calendars\/[^/]+/, '/calendars/{token}'),
      status: c.res.status,
      ms: Math.round(performance.now() - started),
      userId: callerOf(c)?.userId,
      ...(applicationId ? { workflowId: menteeWorkflowId(applicationId) } : {}),
    };
    if (c.res.status >= 500) log.error(line, 'request failed');
    else log.info(line, 'request');
  };
}

/**
 * A JSON body whose fields are all optional may be left out: the API reads it as `{}` (the validator runs on it,
 * so its defaults apply), and the document says so rather than requiring a body the API does not need.
 */
function withOptionalBodies<D extends { paths?: object }>(document: D): D {
  for (const operations of Object.values(document.paths ?? {}) as Record<string, unknown>[]) {
    for (const operation of Object.values(operations) as { requestBody?: Record<string, unknown> }[]) {
      const body = operation.requestBody as
        | {
            required?: boolean;
            content?: Record<string, { schema?: { type?: string; required?: string[] } }>;
          }
        | undefined;
      const schema = body?.content?.['application/json']?.schema;
      if (body?.required && schema?.type === 'object' && !schema.required?.length) body.required = false;
    }
  }
  return document;
}

/** The methods each path is served with (HEAD with GET, OPTIONS for CORS preflights), by the routes' patterns. */
function servedMethods(routes: { method: string; path: string }[]): (path: string) => string[] {
  const patterns = routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({
      method: r.method,
      pattern: new RegExp(`^${r.path.replace(/\/\*$/, '/.*').replace(/:[A-Za-z]+/g, '[^/]+')}$`),
    }));
  return (path) => {
    const methods = new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method));
    if (methods.size === 0) return [];
    if (methods.has('GET')) methods.add('HEAD');
    methods.add('OPTIONS');
    return [...methods];
  };
}

/** Postgres class 22 (data exception): a value from the request that the database cannot hold, e.g. NUL in text. */
function isDataException(error: unknown): boolean {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('22');
}

/** "ok", or why the dependency did not answer in time. */
async function within(ms: number, check: PromiseLike<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([Promise.resolve(check).then(() => 'ok'), timeout]);
  } catch (error) {
    return `failed: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
