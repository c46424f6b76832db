import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ProblemError } from '../domain/problems.js';
import { EXAMPLES } from './examples.js';

/** RFC 9457 problem details: the one error shape every endpoint returns. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    rule: z.string().optional().openapi({ description: 'The program or term rule that refused the request' }),
    limit: z.int().optional().openapi({ description: "The rule's limit, where it has one" }),
    applications: z
      .array(z.object({ id: z.string(), programId: z.string(), stage: z.string() }))
      .optional()
      .openapi({ description: "The applicant's other applications in the term, when a term rule refused" }),
  })
  .openapi({ example: EXAMPLES.Problem })
  .openapi('Problem');
export type Problem = z.infer<typeof Problem>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

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

export function problem(c: Context, error: ProblemError) {
  return c.json(problemBody(error.status, error.kind, error.message, error.extra), error.status, {
    'content-type': 'application/problem+json',
  });
}
