import { createRoute, z } from '@hono/zod-openapi';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { Context } from 'hono';
import { postgresFileStore } from '../../applications/files.js';
import { erasureWorkflowId } from '../../domain/ids.js';
import { forbidden, ProblemError } from '../../domain/problems.js';
import {
  EncryptionCodec,
  UndecryptablePayloadError,
  UnknownPayloadKeyError,
} from '../../privacy/payload-codec.js';
import { erasureBlockers, exportPersonalData, subjectDigest } from '../../privacy/personal-data.js';
import { PersonalTexts } from '../../privacy/personal-texts.js';
import type { erasureWorkflow } from '../../workflows/erasure.js';
import { callerOf, principal, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { newRouter } from '../router.js';
import { jsonBody, Param, problemResponse, secured, writeErrors } from '../schemas.js';

// A person's own data (export, erasure), and the codec endpoint through which the Temporal UI decodes payloads.

const Erasure = z
  .object({
    state: z.enum(['running', 'done', 'failed']),
    requestedAt: z.string(),
    finishedAt: z.string().nullable(),
    steps: z.array(z.object({ step: z.string(), counts: z.record(z.string(), z.int()), doneAt: z.string() })),
  })
  .meta({
    id: 'Erasure',
    example: {
      state: 'done',
      requestedAt: '2027-09-01T10:00:00.000Z',
      finishedAt: '2027-09-01T10:00:02.000Z',
      steps: [{ step: 'files', counts: { files: 2 }, doneAt: '2027-09-01T10:00:01.000Z' }],
    },
  });
// a plain payload (it passes through a decode); the UI sends the `binary/encrypted` ones of histories
const CODEC_EXAMPLE = {
  payloads: [
    { metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJhcHBsaWNhdGlvbklkIjoiNWIwYzFmOGUifQ==' },
  ],
};
const EncodedPayloads = z
  .object({
    payloads: z.array(
      z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }),
    ),
  })
  .meta({
    id: 'CodecPayloads',
    example: CODEC_EXAMPLE,
  });
const personParams = z.object({ personId: Param.personId });
const zip = {
  200: {
    description:
      'A zip: personal-data.json (everything held about the person, readable), files/, certificates/',
    content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } },
  },
  401: problemResponse('No or invalid bearer token'),
};
const erasureAnswers = {
  200: {
    description: 'The erasure is done (asked again: it was done)',
    content: { 'application/json': { schema: Erasure } },
  },
  202: {
    description: 'The erasure runs (a durable workflow)',
    content: { 'application/json': { schema: Erasure } },
  },
  ...writeErrors,
  403: problemResponse('Not the person, nor ops'),
  409: problemResponse('A running mentorship or money owed: the answer lists what to do first'),
};

const exportMine = createRoute({
  method: 'get',
  tags: ['Personal data'],
  path: '/me/data',
  summary: 'Download everything the program holds about me, with my files (GDPR access and portability)',
  ...secured,
  responses: zip,
});
const exportTheirs = createRoute({
  method: 'get',
  tags: ['Personal data'],
  path: '/people/{personId}/data',
  summary: "Ops: a person's data export, on their request",
  ...secured,
  request: { params: personParams },
  responses: { ...zip, 403: problemResponse('Ops only') },
});
const eraseMine = createRoute({
  method: 'post',
  tags: ['Personal data'],
  path: '/me/erasure',
  summary:
    'Erase everything about me (undecided applications are withdrawn first); asked twice, answers it is done',
  ...secured,
  responses: erasureAnswers,
});
const eraseTheirs = createRoute({
  method: 'post',
  tags: ['Personal data'],
  path: '/people/{personId}/erasure',
  summary: "Ops: erase a person's data on their request",
  ...secured,
  request: { params: personParams },
  responses: erasureAnswers,
});
const erasureOf = createRoute({
  method: 'get',
  tags: ['Personal data'],
  path: '/people/{personId}/erasure',
  summary: "Ops: an erasure's state and its audited steps (counts only)",
  ...secured,
  request: { params: personParams },
  responses: {
    200: { description: 'The erasure', content: { 'application/json': { schema: Erasure } } },
    401: problemResponse('No or invalid bearer token'),
    403: problemResponse('Ops only'),
    404: problemResponse('No erasure of this person'),
  },
});
const codecParams = z.object({
  namespace: z
    .string()
    .min(1)
    .max(255)
    .openapi({ description: 'The Temporal namespace', example: 'default' }),
  operation: z
    .enum(['encode', 'decode'])
    .openapi({ description: 'What to do to the payloads', example: 'decode' }),
});
const codec = createRoute({
  method: 'post',
  tags: ['Personal data'],
  path: '/codec/{namespace}/{operation}',
  summary:
    "The Temporal UI's remote codec: encrypts or decrypts payloads (ops; CORS for the UI's origin only)",
  ...secured,
  request: {
    params: codecParams,
    body: jsonBody(EncodedPayloads, CODEC_EXAMPLE),
  },
  responses: {
    200: {
      description: 'The payloads, encoded or decoded',
      content: { 'application/json': { schema: EncodedPayloads } },
    },
    ...writeErrors,
    401: problemResponse("No bearer token (the UI passes the signed-in user's token)"),
    403: problemResponse('Not ops, or another namespace'),
    422: problemResponse(
      'A payload encrypted with a key this keyring does not hold (its id is named), or one that does not decrypt',
    ),
  },
});

/** The codec endpoint's options: the one browser origin it serves, and the development rule. */
export interface CodecOptions {
  /** The Temporal UI's origin (its browser calls the endpoint). */
  uiOrigin: string;
  namespace: string;
  /**
   * With the development secret on loopback (`npm start`), the dev server's UI has no sign-in to pass a token
   * from: its requests (Origin: the UI) are taken as ops, as `npm run token -- --role ops` would be.
   */
  developmentUi?: boolean;
}

export function privacyRoutes(deps: ApiDeps) {
  const app = newRouter();
  const keyring = () => {
    if (!deps.keyring)
      throw new ProblemError(503, 'no-keyring', 'This API was started without a payload keyring');
    return deps.keyring;
  };
  const texts = () => new PersonalTexts(deps.sql, keyring());
  const files = deps.files?.store ?? postgresFileStore;

  const download = async (c: Context, personId: string) => {
    const bytes = await exportPersonalData({ sql: deps.sql, texts: texts(), files }, personId);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="personal-data.zip"`,
      'cache-control': 'no-store',
    });
  };
  app.openapi(exportMine, (c) => download(c, principal(c).userId) as never);
  app.openapi(exportTheirs, (c) => {
    requireRole(c, 'ops');
    return download(c, c.req.valid('param').personId) as never;
  });

  const erase = async (c: Context, personId: string, role: string) => {
    const digest = subjectDigest(personId);
    const done = await erasureState(deps, digest);
    if (done?.state === 'done') return c.json(done, 200);
    if (!done) {
      const blockers = await erasureBlockers(deps.sql, personId);
      if (blockers.length > 0) {
        throw new ProblemError(409, 'erasure-blocked', `Not yet: ${blockers.map((b) => b.what).join('; ')}`, {
          blockers,
        });
      }
    }
    await deps.sql`
      INSERT INTO erasures (subject_digest, requested_by_role) VALUES (${digest}, ${role}) ON CONFLICT DO NOTHING`;
    const handle = await startErasure(deps, personId, digest);
    // most erasures take a second or two: answer with the outcome when it comes soon
    await Promise.race([handle.result().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    const state = (await erasureState(deps, digest))!;
    return c.json(state, state.state === 'done' ? 200 : 202);
  };
  app.openapi(eraseMine, (c) => {
    const me = principal(c);
    return erase(c, me.userId, me.role) as never;
  });
  app.openapi(eraseTheirs, (c) => {
    requireRole(c, 'ops');
    return erase(c, c.req.valid('param').personId, 'ops') as never;
  });
  app.openapi(erasureOf, async (c) => {
    requireRole(c, 'ops');
    const state = await erasureState(deps, subjectDigest(c.req.valid('param').personId));
    if (!state) throw new ProblemError(404, 'not-found', 'No erasure of this person');
    return c.json(state, 200);
  });

  app.openapi(codec, async (c) => {
    const options = deps.codec;
    if (!options) throw new ProblemError(503, 'no-codec', 'This API serves no codec endpoint');
    const caller = callerOf(c);
    if (caller) requireRole(c, 'ops');
    else if (!(options.developmentUi && c.req.header('origin') === options.uiOrigin)) {
      throw new ProblemError(401, 'unauthorized', 'The codec endpoint needs an ops bearer token');
    }
    const { namespace, operation } = c.req.valid('param');
    if (namespace !== options.namespace)
      throw forbidden(`This codec serves namespace ${options.namespace}, not ${namespace}`);
    const codecOf = new EncryptionCodec(keyring());
    const payloads = c.req.valid('json').payloads.map(fromJson);
    try {
      const out = operation === 'encode' ? await codecOf.encode(payloads) : await codecOf.decode(payloads);
      return c.json({ payloads: out.map(toJson) }, 200);
    } catch (error) {
      if (error instanceof UnknownPayloadKeyError) {
        throw new ProblemError(422, 'unknown-payload-key', error.message, { keyId: error.keyId });
      }
      if (error instanceof UndecryptablePayloadError)
        throw new ProblemError(422, 'undecryptable-payload', error.message);
      throw error;
    }
  });
  return app;
}

async function startErasure(deps: ApiDeps, personId: string, digest: string) {
  try {
    return await deps.temporal.workflow.start<typeof erasureWorkflow>('erasureWorkflow', {
      taskQueue: deps.taskQueue,
      workflowId: erasureWorkflowId(digest),
      args: [{ personId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: 'Erasure of one person (their id is a digest here)',
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      return deps.temporal.workflow.getHandle(erasureWorkflowId(digest));
    }
    throw error;
  }
}

async function erasureState(deps: ApiDeps, digest: string) {
  const [erasure] = await deps.sql<{ requestedAt: Date; finishedAt: Date | null }[]>`
    SELECT requested_at AS "requestedAt", finished_at AS "finishedAt" FROM erasures WHERE subject_digest = ${digest}`;
  if (!erasure) return undefined;
  const steps = await deps.sql<{ step: string; counts: Record<string, number>; doneAt: Date }[]>`
    SELECT step, counts, done_at AS "doneAt" FROM erasure_steps WHERE subject_digest = ${digest} ORDER BY done_at, step`;
  let state: 'running' | 'done' | 'failed' = erasure.finishedAt ? 'done' : 'running';
  if (state === 'running') {
    const description = await deps.temporal.workflow
      .getHandle(erasureWorkflowId(digest))
      .describe()
      .catch(() => undefined);
    if (description && ['FAILED', 'TERMINATED', 'TIMED_OUT', 'CANCELLED'].includes(description.status.name)) {
      state = 'failed';
    }
  }
  return {
    state,
    requestedAt: erasure.requestedAt.toISOString(),
    finishedAt: erasure.finishedAt?.toISOString() ?? null,
    steps: steps.map((s) => ({ step: s.step, counts: s.counts, doneAt: s.doneAt.toISOString() })),
  };
}

const toJson = (payload: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v ?? new Uint8Array()).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});
const fromJson = (payload: {
  metadata?: Record<string, string> | undefined;
  data?: string | undefined;
}): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
  ),
  data: new Uint8Array(Buffer.from(payload.data ?? '', 'base64')),
});
