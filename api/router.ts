import { OpenAPIHono } from '@hono/zod-openapi';
import { validationProblem } from '../domain/problems.js';
import { problem } from './problems.js';

/** Every router answers invalid input the same way: 422 problem+json with the field errors. */
export function newRouter() {
  return new OpenAPIHono({
    defaultHook: (result, c) =>
      result.success ? undefined : problem(c, validationProblem(result.error.issues)),
  });
}
