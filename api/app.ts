import { HTTPException } from 'hono/http-exception';
import type { ApiDeps } from './deps.js';
import { ProblemError, problem } from './problems.js';
import { newRouter } from './router.js';
import { applicationRoutes } from './routes/applications.js';
import { certificateRoutes } from './routes/certificates.js';
import { programRoutes } from './routes/programs.js';
import { stipendRoutes } from './routes/stipends.js';

/** The HTTP API: validates, turns requests into workflow messages, answers from the read model. */
export function createApp(deps: ApiDeps) {
  const app = newRouter();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/', programRoutes(deps));
  app.route('/', applicationRoutes(deps));
  app.route('/', stipendRoutes(deps));
  app.route('/', certificateRoutes(deps));
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Mentorship program API', version: '0.1.0' },
  });

  app.notFound((c) =>
    problem(c, new ProblemError(404, 'no-route', `No route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error, c) => {
    if (error instanceof ProblemError) return problem(c, error);
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
