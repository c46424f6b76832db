import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { validationProblem } from '../domain/problems.js';
import { problem } from './problems.js';
import { problemResponse } from './schemas.js';

/**
 * Every router answers invalid input the same way: 422 problem+json with the field errors, and every route
 * whose path or query is validated documents that 422 (a parameter past its maxLength, a value not in its enum).
 */
export function newRouter() {
  const app = new OpenAPIHono({
    defaultHook: (result, c) =>
      result.success ? undefined : problem(c, validationProblem(result.error.issues)),
  });
  const openapi = app.openapi.bind(app);
  app.openapi = ((route: RouteConfig, ...rest: unknown[]) =>
    (openapi as (...args: unknown[]) => unknown)(
      documentsInvalidParameters(route),
      ...rest,
    )) as typeof app.openapi;
  return app;
}

function documentsInvalidParameters<R extends RouteConfig>(route: R): R {
  const validated = route.request?.params || route.request?.query || route.request?.headers;
  if (!validated || route.responses[422]) return route;
  return {
    ...route,
    responses: {
      ...route.responses,
      422: problemResponse('Invalid path or query parameters (the field errors are listed)'),
    },
  };
}
