import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { EXAMPLES } from './examples.js';

/** RFC 9457 problem details: the one error shape every endpoint returns. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi({ example: EXAMPLES.Problem })
  .openapi('Problem');
export type Problem = z.infer<typeof Problem>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly kind: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function problemBody(
  status: number,
  kind: string,
  detail: string,
  extra: Record<string, unknown> = {},
) {
  return {
    type: `urn:mentorship:problem:${kind}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  };
}

/** A 422 listing each invalid field, from zod issues. */
export function validationProblem(issues: readonly { path: PropertyKey[]; message: string }[]): ProblemError {
  const errors = issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const detail = errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; ');
  return new ProblemError(422, 'validation', detail, { errors });
}

export function problem(c: Context, error: ProblemError) {
  return c.json(problemBody(error.status, error.kind, error.message, error.extra), error.status, {
    'content-type': 'application/problem+json',
  });
}

export const notFound = (what: string, id: string) =>
  new ProblemError(404, 'not-found', `No ${what} with id "${id}"`);
export const conflict = (kind: string, detail: string, extra?: Record<string, unknown>) =>
  new ProblemError(409, kind, detail, extra);
