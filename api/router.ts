import { OpenAPIHono } from '@hono/zod-openapi';
import { problemBody } from './problems.js';

/** Every router answers invalid input the same way: 422 problem+json with the field errors. */
export function newRouter() {
  return new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      const errors = result.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      return c.json(
        problemBody(422, 'validation', errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; '), {
          errors,
        }),
        422,
        { 'content-type': 'application/problem+json' },
      );
    },
  });
}
