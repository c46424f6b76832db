import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEmail {
  id: string;
  to: string[];
  from: string;
  subject: string;
  html?: string;
  text?: string;
  tags?: { name: string; value: string }[];
  idempotencyKey?: string;
  receivedAt: Date;
}

export interface FakeResend {
  baseUrl: string;
  apiKey: string;
  emails(): ReceivedEmail[];
  clear(): void;
  /** The next n requests fail with this status; name defaults to what Resend sends for it. */
  failNext(n: number, status: number, name?: string): void;
  close(): Promise<void>;
}

interface ResendError {
  statusCode: number;
  name: string;
  message: string;
}

// Names and wording as Resend's API returns them (https://resend.com/docs/api-reference/errors).
const MESSAGES: Record<string, string> = {
  missing_api_key:
    'Missing API key in the authorization header. Include the following header Authorization: Bearer YOUR_API_KEY in the request.',
  invalid_api_key: 'API key is invalid',
  validation_error: 'Invalid `to` field. The email address needs to follow the `email@example.com` format.',
  missing_required_field: 'The request body is missing one or more required fields.',
  invalid_idempotency_key: 'The key must be between 1-256 chars.',
  invalid_idempotent_request:
    'Same idempotency key used with a different request payload. Change your idempotency key or payload.',
  concurrent_idempotent_requests:
    'Same idempotency key used while original request is still in progress. Try the request again later.',
  rate_limit_exceeded:
    'Too many requests. You can only make 2 requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.',
  daily_quota_exceeded: 'You have reached your daily email sending quota.',
  monthly_quota_exceeded: 'You have reached your monthly email sending quota.',
  not_found: 'The requested endpoint does not exist.',
  internal_server_error: 'An unexpected error occurred.',
  application_error: 'An unexpected error occurred, please try again later.',
};

const NAME_FOR_STATUS: Record<number, string> = {
  400: 'invalid_idempotency_key',
  401: 'missing_api_key',
  403: 'invalid_api_key',
  404: 'not_found',
  409: 'concurrent_idempotent_requests',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
};

const resendError = (statusCode: number, name: string, message = MESSAGES[name] ?? name): ResendError => ({
  statusCode,
  name,
  message,
});

// Resend accepts `a@b.c` or `Name <a@b.c>`.
const ADDRESS = /^(?:[^<>]*<\s*[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+\s*>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;
const TAG_PART = /^[A-Za-z0-9_-]{1,256}$/;

/** Checks a POST /emails body the way Resend does, returning its error for the first problem found. */
function validateEmail(body: Record<string, unknown>): ResendError | undefined {
  for (const field of ['from', 'to', 'subject'] as const) {
    if (body[field] === undefined || body[field] === '') {
      return resendError(422, 'missing_required_field', `Missing \`${field}\` field.`);
    }
  }
  if (typeof body.html !== 'string' && typeof body.text !== 'string') {
    return resendError(422, 'missing_required_field', 'Missing `html` or `text` field.');
  }
  if (typeof body.from !== 'string' || !ADDRESS.test(body.from)) {
    return resendError(
      422,
      'validation_error',
      'Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.',
    );
  }
  const to = [body.to].flat();
  if (to.length === 0 || to.length > 50 || !to.every((a) => typeof a === 'string' && ADDRESS.test(a))) {
    return resendError(422, 'validation_error', MESSAGES.validation_error);
  }
  const tags = (body.tags ?? []) as { name?: unknown; value?: unknown }[];
  if (
    !Array.isArray(tags) ||
    !tags.every((t) => TAG_PART.test(String(t.name)) && TAG_PART.test(String(t.value)))
  ) {
    return resendError(
      422,
      'validation_error',
      'Tags should only contain ASCII letters, numbers, underscores, or dashes.',
    );
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(
  res: ServerResponse,
  status: number,
  body: object,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A local stand-in for Resend's POST /emails, for sending through the real SDK in tests. */
export async function startFakeResend(): Promise<FakeResend> {
  const apiKey = `re_test_${randomUUID().replaceAll('-', '')}`;
  let received: ReceivedEmail[] = [];
  const byIdempotencyKey = new Map<string, { body: string; id: string }>();
  let failures: { remaining: number; status: number; name: string | undefined } = {
    remaining: 0,
    status: 500,
    name: undefined,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (failures.remaining > 0) {
      failures.remaining--;
      const name = failures.name ?? NAME_FOR_STATUS[failures.status] ?? 'internal_server_error';
      // Resend's 429 carries the standard rate-limit headers.
      const headers: Record<string, string> =
        failures.status === 429
          ? { 'retry-after': '1', 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '1' }
          : {};
      return reply(res, failures.status, resendError(failures.status, name), headers);
    }
    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ') || auth === 'Bearer ')
      return reply(res, 401, resendError(401, 'missing_api_key'));
    if (auth !== `Bearer ${apiKey}`) return reply(res, 403, resendError(403, 'invalid_api_key'));
    if (req.method !== 'POST' || req.url !== '/emails') return reply(res, 404, resendError(404, 'not_found'));

    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 256)) {
      return reply(res, 400, resendError(400, 'invalid_idempotency_key'));
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return reply(res, 422, resendError(422, 'validation_error', 'Invalid JSON body.'));
    }
    const previous = idempotencyKey ? byIdempotencyKey.get(idempotencyKey) : undefined;
    if (previous) {
      return previous.body === raw
        ? reply(res, 200, { id: previous.id })
        : reply(res, 409, resendError(409, 'invalid_idempotent_request'));
    }
    const invalid = validateEmail(body);
    if (invalid) return reply(res, invalid.statusCode, invalid);

    const id = randomUUID();
    received.push({
      id,
      to: [body.to as string | string[]].flat(),
      from: body.from as string,
      subject: body.subject as string,
      html: body.html as string | undefined,
      text: body.text as string | undefined,
      tags: body.tags as ReceivedEmail['tags'],
      idempotencyKey,
      receivedAt: new Date(),
    });
    if (idempotencyKey) byIdempotencyKey.set(idempotencyKey, { body: raw, id });
    reply(res, 200, { id });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      reply(res, 500, resendError(500, 'internal_server_error', String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey,
    emails: () => [...received],
    clear: () => {
      received = [];
      byIdempotencyKey.clear();
      failures = { remaining: 0, status: 500, name: undefined };
    },
    failNext: (n, status, name) => {
      failures = { remaining: n, status, name };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
