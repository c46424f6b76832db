/** The statuses a refusal can carry; each maps to an RFC 9457 problem in the API and an exit code in the CLI. */
export type ProblemStatus =
  | 400
  | 401
  | 403
  | 404
  | 405
  | 409
  | 410
  | 412
  | 413
  | 415
  | 422
  | 428
  | 429
  | 500
  | 503;

/** A request the domain refuses, with the reason a caller can act on; the API answers it as problem+json. */
export class ProblemError extends Error {
  constructor(
    readonly status: ProblemStatus,
    readonly kind: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

/** A 422 listing each invalid field, from zod issues. */
export function validationProblem(issues: readonly { path: PropertyKey[]; message: string }[]): ProblemError {
  const errors = issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
  const detail = errors.map((e) => `${e.path || '(body)'}: ${e.message}`).join('; ');
  return new ProblemError(422, 'validation', detail, { errors });
}

export const invalid = (detail: string) => new ProblemError(422, 'validation', detail);
export const forbidden = (detail: string) => new ProblemError(403, 'forbidden', detail);
export const notFound = (what: string, id: string) =>
  new ProblemError(404, 'not-found', `No ${what} with id "${id}"`);
export const conflict = (kind: string, detail: string, extra?: Record<string, unknown>) =>
  new ProblemError(409, kind, detail, extra);
