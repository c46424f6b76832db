import createClient, { type Client } from 'openapi-fetch';
import { getSession, setSession } from '../auth/session';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];

/** A refused request: its status and the API's problem+json (RFC 9457), with the field errors in `errors`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | null,
  ) {
    super(problem?.detail ?? (status === 0 ? 'The API cannot be reached' : `The API answered ${status}`));
    this.name = 'ApiError';
  }

  /** The message for each field the API named (`mentee.email`, `answers.why`, ...). */
  get fields(): Record<string, string> {
    return Object.fromEntries((this.problem?.errors ?? []).map((e) => [e.path, e.message]));
  }
}

let client: Client<paths> | undefined;
let base = '';

export function configureApi(baseUrl: string) {
  base = baseUrl;
  client = createClient<paths>({ baseUrl });
  client.use({
    onRequest({ request }) {
      const session = getSession();
      if (session) request.headers.set('authorization', `Bearer ${session.token}`);
      return request;
    },
    onResponse({ response }) {
      // an expired or revoked token: back to the sign-in page (the router's guard sees no session)
      if (response.status === 401 && getSession()) setSession(null);
      return response;
    },
  });
}

/** The typed client (openapi-fetch over the generated `paths`). */
export function api(): Client<paths> {
  if (!client) throw new Error('configureApi() was not called');
  return client;
}

/** An absolute URL of the API, for links the browser follows itself (downloads, feeds, verification). */
export const apiUrl = (path: string) => new URL(`${base}${path}`, window.location.href).toString();

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The answer's data, or an ApiError with the problem document. */
export async function unwrap<T>(pending: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, null);
  }
  if (result.response.ok) return result.data as T;
  const body = result.error;
  const problem = body && typeof body === 'object' && 'status' in body ? (body as Problem) : null;
  throw new ApiError(result.response.status, problem);
}

/**
 * A POST, PATCH or PUT with an Idempotency-Key made once for this action: when the network fails, or the first
 * attempt is still running (409 with Retry-After), it is sent again with the same key and gets the first answer.
 */
export async function send<T>(
  run: (headers: { 'idempotency-key': string }) => Promise<Result<T>>,
  attempts = 3,
): Promise<T> {
  const headers = { 'idempotency-key': crypto.randomUUID() };
  for (let attempt = 1; ; attempt++) {
    try {
      return await unwrap(run(headers));
    } catch (error) {
      const retry =
        error instanceof ApiError &&
        (error.status === 0 ||
          error.status === 503 ||
          (error.status === 409 && error.problem?.type.endsWith(':idempotency-key-in-flight')));
      if (!retry || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}
