import { createServer, type Server } from 'node:http';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, MAX_BODY_BYTES } from '../api/app.js';
import { connect } from '../db/index.js';
import { bearer, TEST_AUTH } from './support/auth.js';
import { type OpenApiDocument, responseChecker } from './support/openapi.js';
import { programFixture } from './support/programs.js';
import { type ApiResponse, backgroundWorker, startTestSystem, type TestSystem } from './support/system.js';

let system: TestSystem;
let worker: Awaited<ReturnType<typeof backgroundWorker>>;
let document: OpenApiDocument & Record<string, unknown>;
beforeAll(async () => {
  system = await startTestSystem();
  worker = await backgroundWorker(system);
  document = await json(await system.app.request('/openapi.json'));
});
afterAll(async () => {
  await worker?.stop();
  await system?.stop();
});

const ops = { userId: 'ops-1', role: 'ops' } as const;
const request = async (path: string, init: RequestInit = {}) => system.app.request(path, init);
const json = async (response: Response): Promise<ApiResponse['body']> => response.json();

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes every route the API serves, with a summary, and its auth and errors', () => {
    const served = system.app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/docs') && r.path !== '/openapi.json')
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(new Set(served)).toEqual(new Set(documented));
    expect(documented.length).toBeGreaterThanOrEqual(29);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations) as [string, Record<string, unknown>][]) {
        const name = `${method} ${path}`;
        expect(operation.summary, name).toBeTruthy();
        expect(operation.tags, name).toHaveLength(1);
        const responses = operation.responses as Record<string, unknown>;
        const isPublic = /^\/(healthz|readyz|metrics|openapi|certificates|calendars|dev\/sign-in)/.test(path);
        expect(operation.security === undefined, name).toBe(isPublic);
        if (!isPublic) expect(Object.keys(responses), name).toEqual(expect.arrayContaining(['401']));
        if (method === 'post' || method === 'patch') {
          expect(Object.keys(responses), name).toEqual(expect.arrayContaining(['400', '413', '422']));
          const body = (
            operation.requestBody as { content?: Record<string, { example?: unknown }> } | undefined
          )?.content?.['application/json'];
          if (body) expect(body.example, `${name} has a request example`).toBeDefined();
        }
      }
    }
  });

  it('has an example for every parameter and every schema, and each example is valid', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(document as object, 'openapi');
    const schemas = (document.components as { schemas: Record<string, { example?: unknown }> }).schemas;
    expect(Object.keys(schemas).length).toBeGreaterThanOrEqual(20);
    for (const [name, schema] of Object.entries(schemas)) {
      expect(schema.example, `${name} has an example`).toBeDefined();
      const validate = ajv.compile({ $ref: `openapi#/components/schemas/${name}` });
      expect(validate(schema.example), `${name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
    }
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations) as [
        string,
        { parameters?: { name: string; schema?: { example?: unknown } }[] },
      ][]) {
        for (const parameter of operation.parameters ?? []) {
          expect(parameter.schema?.example, `${method} ${path} ${parameter.name}`).toBeDefined();
        }
      }
    }
  });

  it('catches a response that does not match its schema', () => {
    const check = responseChecker(document);
    expect(() => check('GET', '/healthz', 200, 'application/json', { status: 'ok' })).not.toThrow();
    expect(() => check('GET', '/healthz', 200, 'application/json', { status: 'fine' })).toThrow(
      /OpenAPI schema/,
    );
    expect(() => check('GET', '/healthz', 418, 'application/json', {})).toThrow(/does not document/);
  });

  it('has an interactive reference page at /docs that works without a CDN', async () => {
    const page = await request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("url: '/openapi.json'");
    const bundle = await request('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(500_000);
    expect((await request('/docs/index.html')).status).toBe(404);
  });
});

describe('authentication', () => {
  it('answers 401 problem+json for a missing, malformed, forged, expired or role-less token', async () => {
    const forged = await new SignJWT({ role: 'ops' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops-1')
      .setIssuer(TEST_AUTH.issuer)
      .setAudience(TEST_AUTH.audience)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(48)));
    const expired = await new SignJWT({ role: 'ops' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops-1')
      .setIssuer(TEST_AUTH.issuer)
      .setAudience(TEST_AUTH.audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(TEST_AUTH.secret));
    const roleless = await new SignJWT({ role: 'superuser' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ops-1')
      .setIssuer(TEST_AUTH.issuer)
      .setAudience(TEST_AUTH.audience)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_AUTH.secret));
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /needs a bearer token/],
      [{ authorization: 'Basic b3BzOm9wcw==' }, /must be "Bearer <token>"/],
      [{ authorization: 'Bearer not.a.jwt' }, /not valid/],
      [{ authorization: `Bearer ${forged}` }, /signature/],
      [{ authorization: `Bearer ${expired}` }, /"exp"/],
      [{ authorization: `Bearer ${roleless}` }, /known role/],
    ];
    for (const [headers, detail] of cases) {
      // even with an invalid body, the caller is checked first
      const response = await request('/programs', { method: 'POST', headers, body: '{' });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(response)).detail).toMatch(detail);
    }
    const programs = await system.sql`SELECT id FROM programs`;
    expect(programs.length).toBe(0);
  });

  it("accepts production tokens signed by the identity provider's JWKS, and then refuses development ones", async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'RS256', use: 'sig' };
    const jwks: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = jwks.address() as { port: number };
      const app = createApp({
        sql: system.sql,
        temporal: system.env.client,
        taskQueue: system.taskQueue,
        log: pino({ level: 'silent' }),
        auth: {
          ...TEST_AUTH,
          issuer: 'https://idp.example.org',
          jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
        },
      });
      const token = await new SignJWT({ role: 'mentee' })
        .setProtectedHeader({ alg: 'RS256', kid: 'idp-1' })
        .setSubject('mentee-from-idp')
        .setIssuer('https://idp.example.org')
        .setAudience(TEST_AUTH.audience)
        .setExpirationTime('5m')
        .sign(privateKey);
      const mine = await app.request('/me/applications', { headers: { authorization: `Bearer ${token}` } });
      expect(mine.status).toBe(200);
      expect(await json(mine)).toEqual({ items: [], nextCursor: null });
      const development = await app.request('/me/applications', {
        headers: await bearer({ userId: 'mentee-1', role: 'mentee' }),
      });
      expect(development.status).toBe(401);
    } finally {
      jwks.close();
    }
  });
});

describe('the edges of HTTP', () => {
  it('allows the configured browser origins only', async () => {
    const app = createApp({
      sql: system.sql,
      temporal: system.env.client,
      taskQueue: system.taskQueue,
      log: pino({ level: 'silent' }),
      auth: TEST_AUTH,
      corsOrigins: ['https://mentorship.example.org'],
    });
    const preflight = (origin: string) =>
      app.request('/programs', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, idempotency-key',
        },
      });
    const allowed = await preflight('https://mentorship.example.org');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://mentorship.example.org');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    const other = await preflight('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a method a path does not serve with 405 and Allow', async () => {
    // (TRACE too, over a real socket: the contract fuzzing test sends it; a fetch Request cannot)
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await request('/applications/00000000-0000-4000-8000-000000000000', {
        method,
        headers: await bearer(ops),
      });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      expect((await json(response)).type).toBe('urn:mentorship:problem:method-not-allowed');
    }
    expect((await request('/no/such/path', { method: 'PUT', headers: await bearer(ops) })).status).toBe(404);
  });

  it('takes only cursors of the list they came from, unchanged; the documented examples work', async () => {
    const headers = await bearer(ops);
    const list = async (path: string, cursor: string) =>
      request(`${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`, { headers });
    const example = (path: string, name: string) =>
      (
        document.paths[path] as unknown as Record<
          string,
          { parameters: { name: string; schema: { example: string } }[] }
        >
      ).get!.parameters.find((p) => p.name === name)!.schema.example;
    const due = example('/evaluations/due', 'cursor');
    const installments = example('/stipend-installments', 'cursor');
    // the documented example cursor reached Postgres as an instant before ("Invalid time value", a 500)
    expect((await list('/evaluations/due', due)).status).toBe(200);
    expect((await list('/stipend-installments', installments)).status).toBe(200);
    const edited = (cursor: string, change: (parts: unknown[]) => unknown[]) =>
      Buffer.from(JSON.stringify(change(JSON.parse(Buffer.from(cursor, 'base64url').toString())))).toString(
        'base64url',
      );
    const refused = [
      ['/evaluations/due', installments, /another list \(stipend-installments\)/],
      ['/stipend-installments', due, /another list \(evaluations-due\)/],
      ['/evaluations/due', edited(due, ([list, , id]) => [list, 'yesterday', id]), /changed/],
      ['/evaluations/due', edited(due, ([list, , id]) => [list, 42, id]), /changed/],
      ['/evaluations/due', edited(due, ([list, value]) => [list, value, "x'--"]), /changed/],
      [
        '/programs/lfx-none/applications',
        edited(due, ([, value, id]) => ['applications', value, id]),
        /changed/,
      ],
      [
        '/evaluations/due',
        'WyIiLCI1YjBjMWY4ZS0yZDZhLTRjNDEtOWQwZS03ZjNiNmE5YzJlMTEiXQ',
        /not one this API returned/,
      ],
    ] as const;
    for (const [path, cursor, detail] of refused) {
      const response = await list(path, cursor);
      expect(response.status, `${path} ${cursor}`).toBe(400);
      expect((await json(response)).detail).toMatch(detail);
    }
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await request('/programs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearer(ops)) },
      body: JSON.stringify({ padding: 'x'.repeat(MAX_BODY_BYTES) }),
    });
    expect(response.status).toBe(413);
    expect((await json(response)).type).toBe('urn:mentorship:problem:body-too-large');
  });

  it('is live at /healthz, ready at /readyz, and not ready when Postgres is gone', async () => {
    expect(await json(await request('/healthz'))).toEqual({ status: 'ok' });
    const ready = await request('/readyz');
    expect(ready.status).toBe(200);
    expect(await json(ready)).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });

    const unreachable = connect('postgres://mentorship@127.0.0.1:9/none', { max: 1 });
    const app = createApp({
      sql: unreachable,
      temporal: system.env.client,
      taskQueue: system.taskQueue,
      log: pino({ level: 'silent' }),
      auth: TEST_AUTH,
    });
    const notReady = await app.request('/readyz');
    expect(notReady.status).toBe(503);
    const body = await json(notReady);
    expect(body.status).toBe('not-ready');
    expect(body.checks.temporal).toBe('ok');
    expect(body.checks.postgres).toMatch(/failed|no answer/);
    await unreachable.end({ timeout: 0 });
  });

  it('logs one JSON line per request, with the caller and the mentee workflow it concerns', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const app = createApp({
      sql: system.sql,
      temporal: system.env.client,
      taskQueue: system.taskQueue,
      log,
      auth: TEST_AUTH,
    });
    const id = '00000000-0000-4000-8000-000000000000';
    await app.request(`/applications/${id}`, { headers: await bearer(ops) });
    await app.request('/healthz');
    expect(
      lines.map(({ method, path, status, userId, workflowId }) => ({
        method,
        path,
        status,
        userId,
        workflowId,
      })),
    ).toEqual([
      {
        method: 'GET',
        path: `/applications/${id}`,
        status: 404,
        userId: 'ops-1',
        workflowId: `mentee-application/${id}`,
      },
      { method: 'GET', path: '/healthz', status: 200, userId: undefined, workflowId: undefined },
    ]);
    expect(typeof lines[0]!.ms).toBe('number');
  });

  it('counts requests by route and status at /metrics', async () => {
    await request('/healthz');
    const text = await (await request('/metrics')).text();
    expect(text).toMatch(/mentorship_api_http_requests_total\{[^}]*route="\/healthz"[^}]*\} \d+/);
    expect(text).toContain('mentorship_api_http_request_duration_seconds_bucket');
  });
});

describe('Idempotency-Key', () => {
  it('answers a retried POST with the first answer and does it once', async () => {
    const program = programFixture(await system.env.currentTimeMs());
    const send = async (body: unknown, key = 'create-program-1') =>
      request('/programs', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key, ...(await bearer(ops)) },
        body: JSON.stringify(body),
      });
    const first = await send(program);
    expect(first.status).toBe(201);
    const retry = await send(program);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(retry)).toEqual(await json(first));
    const reused = await send({ ...program, name: 'Another name' });
    expect(reused.status).toBe(422);
    expect((await json(reused)).type).toBe('urn:mentorship:problem:idempotency-key-reused');
    expect((await send(program, 'create-program-2')).status).toBe(409); // a new key: the program exists
    expect((await send(program, 'k'.repeat(300))).status).toBe(400);

    const apply = async () =>
      request(`/programs/${program.id}/applications`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': 'apply-once',
          ...(await bearer({ userId: 'mentee-idem', role: 'mentee' })),
        },
        body: JSON.stringify({ mentee: { name: 'Idem Potent', email: 'idem@example.org' } }),
      });
    const applied = await apply();
    const again = await apply();
    expect([applied.status, again.status]).toEqual([201, 201]);
    const { id } = await json(applied);
    expect((await json(again)).id).toBe(id);
    const rows = await system.sql`SELECT id FROM applications WHERE mentee_id = 'mentee-idem'`;
    expect(rows.map((r) => r.id)).toEqual([id]);
  });

  it("keeps keys per user, so two users cannot see each other's answers", async () => {
    const program = programFixture(await system.env.currentTimeMs());
    await system.call('POST', '/programs', program);
    const apply = async (userId: string) =>
      request(`/programs/${program.id}/applications`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': 'same-key',
          ...(await bearer({ userId, role: 'mentee' })),
        },
        body: JSON.stringify({ mentee: { name: userId, email: `${userId}@example.org` } }),
      });
    const a = await json(await apply('mentee-a'));
    const b = await json(await apply('mentee-b'));
    expect(a.menteeId).toBe('mentee-a');
    expect(b.menteeId).toBe('mentee-b');
    expect(a.id).not.toBe(b.id);
  });
});

describe('hostile input', () => {
  it('never answers 5xx: every operation with junk ids, bodies and query strings gets a 4xx problem', async () => {
    const headers = { ...(await bearer(ops)), 'content-type': 'application/json' };
    const ids = [
      '%00',
      "x'--",
      'x'.repeat(300),
      '00000000-0000-4000-8000-000000000000',
      '..%2F..%2Fetc',
      '🙂',
    ];
    const bodies = [
      'null',
      '[]',
      '"text"',
      '{}',
      '{"unexpected":1}',
      '{"a":'.repeat(50),
      '12e999',
      '{"days":1e308}',
      '{"reason":"a\\u0000b","note":"\\u0000","mentee":{"name":"\\u0000","email":"a@b.co"}}',
    ];
    const queries = [
      'limit=-1',
      'limit=abc',
      'cursor=%21%21',
      'from=yesterday',
      'stage=,',
      'state=lost',
      'sort=name',
    ];
    const failures: string[] = [];
    let requests = 0;
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        for (const id of ids) {
          const path = template.replace(/\{[^}]+\}/g, id);
          const variants =
            method === 'get'
              ? queries.map((q) => ({ url: `${path}?${q}` }))
              : bodies.map((body) => ({ url: path, body }));
          for (const { url, body } of variants as { url: string; body?: string }[]) {
            const response = await request(url, {
              method: method.toUpperCase(),
              headers,
              ...(body ? { body } : {}),
            });
            requests++;
            const type = response.headers.get('content-type') ?? '';
            if (response.status >= 500)
              failures.push(`${method} ${url} ${body ?? ''} -> ${response.status} ${await response.text()}`);
            else if (response.status >= 400 && !type.includes('problem+json'))
              failures.push(`${method} ${url} -> ${response.status} ${type}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(requests).toBeGreaterThan(1000);
  });
});
