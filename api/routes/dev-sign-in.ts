import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { DEVELOPMENT_JWT_SECRET, isLoopbackHost } from '../../config/index.js';
import { ProblemError } from '../../domain/problems.js';
import { USER_ROLES } from '../../domain/status.js';
import { mintToken } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { newRouter } from '../router.js';
import { jsonBody, problemResponse } from '../schemas.js';

/** How long a development token lasts: the same as `npm run token`'s default. */
const TTL_HOURS = 8;

const DevSignInBody = z
  .strictObject({
    role: z.enum(USER_ROLES),
    userId: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
      .describe("The token's subject: the user id the console acts as"),
    programs: z
      .array(z.string().min(1).max(64))
      .max(50)
      .default([])
      .describe('The programs an admin runs or a mentor mentors in'),
  })
  .openapi({ example: { role: 'mentor', userId: 'mentor-ada', programs: ['lfx-2026-t2'] } });

const DevSession = z
  .object({
    token: z.string().describe('A bearer token signed with the development secret'),
    expiresAt: z.string(),
    userId: z.string(),
    role: z.enum(USER_ROLES),
    programs: z.array(z.string()),
  })
  .openapi({
    example: {
      token: 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoibWVudG9yIn0.c2lnbmF0dXJl',
      expiresAt: '2027-01-12T18:00:00.000Z',
      userId: 'mentor-ada',
      role: 'mentor',
      programs: ['lfx-2026-t2'],
    },
  })
  .openapi('DevSession');

const signIn = createRoute({
  method: 'post',
  tags: ['System'],
  path: '/dev/sign-in',
  summary:
    "Development only: a token for any role, user and programs (the web console's sign-in page); 404 unless the API runs on loopback with the development secret",
  request: { body: jsonBody(DevSignInBody, { role: 'mentee', userId: 'u-123', programs: [] }) },
  responses: {
    200: { description: 'A development token', content: { 'application/json': { schema: DevSession } } },
    400: problemResponse('Malformed JSON'),
    404: problemResponse('Not a development API (a JWKS or another secret is set, or it is not on loopback)'),
    413: problemResponse('The body is larger than 64 KiB'),
    422: problemResponse('Invalid role, user id or programs (the field errors are listed)'),
  },
});

/**
 * The web console's development sign-in: the same rule as `npm run token` and the Temporal UI's codec
 * (`developmentUi`): only with the built-in development secret and no identity provider, on an API listening on
 * loopback (the API refuses to start with that secret elsewhere; the connection is checked too). Registered
 * before `authenticate`, so it needs no token; anywhere else it answers as an unknown path does.
 */
export function devSignInRoutes(deps: ApiDeps) {
  const app = newRouter();
  const developmentSecret = !deps.auth.jwksUrl && deps.auth.secret === DEVELOPMENT_JWT_SECRET;

  // before the body is validated, so outside development nothing tells this path from an unknown one
  app.use(signIn.path, async (c, next) => {
    // other methods get the API's 405 like every path (the route is in the published document anyway)
    if (c.req.method !== 'POST') return next();
    if (!developmentSecret || !servedOnLoopback(c)) {
      throw new ProblemError(404, 'no-route', `No route for ${c.req.method} ${c.req.path}`);
    }
    await next();
  });
  app.openapi(signIn, async (c) => {
    const { role, userId, programs } = c.req.valid('json');
    const token = await mintToken({ userId, role, programs }, deps.auth, `${TTL_HOURS}h`);
    const expiresAt = new Date(Date.now() + TTL_HOURS * 3_600_000).toISOString();
    return c.json({ token, expiresAt, userId, role, programs }, 200, { 'cache-control': 'no-store' });
  });
  return app;
}

/** The socket's local address is loopback; in-process requests (`app.request` in tests) have no socket. */
function servedOnLoopback(c: Context): boolean {
  const env = c.env as { incoming?: { socket?: { localAddress?: string } } } | undefined;
  const local = env?.incoming?.socket?.localAddress;
  return local === undefined || isLoopbackHost(local.replace(/^::ffff:/, ''));
}
