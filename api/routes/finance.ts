import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import {
  batchLines,
  createBatch,
  findBatch,
  listBatches,
  markBatchSent,
  PAYOUT_STATES,
  reportPayout,
} from '../../finance/batches.js';
import { requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { requestKeyOf } from '../idempotency.js';
import { newRouter } from '../router.js';
import { jsonBody, problemResponse, secured, writeErrors } from '../schemas.js';

// Finance's side of the stipends: payout batches to export and send, and the bank's answer per payout (ops).

const BATCH_EXAMPLE = {
  id: 12,
  createdBy: 'ops-finance',
  createdAt: '2027-03-01T09:00:00.000Z',
  sentBy: null,
  sentAt: null,
  payouts: 2,
  totals: { USD: '6600.00' },
};
const LINE_EXAMPLE = {
  businessKey: '5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11/stipend/1',
  payeeReference: 'u-123',
  amount: '1800.00',
  currency: 'USD',
  memo: 'Mentorship stipend installment 1 of 2',
  state: 'requested' as const,
};
const Batch = z
  .object({
    id: z.int(),
    createdBy: z.string(),
    createdAt: z.string(),
    sentBy: z.string().nullable(),
    sentAt: z.string().nullable(),
    payouts: z.int(),
    totals: z.record(z.string(), z.string()),
  })
  .meta({ id: 'PayoutBatch', example: BATCH_EXAMPLE });
const Line = z
  .object({
    businessKey: z.string(),
    payeeReference: z.string(),
    amount: z.string(),
    currency: z.string(),
    memo: z.string(),
    state: z.enum(PAYOUT_STATES),
  })
  .meta({ id: 'PayoutLine', example: LINE_EXAMPLE });
const EXPORT_COLUMNS = ['businessKey', 'payeeReference', 'amount', 'currency', 'memo', 'state'] as const;
const batchParams = z.object({
  batchId: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31)
    .openapi({ description: 'A payout batch', example: 12 }),
});
const forbidden = problemResponse('Only ops (finance) handle payout batches');
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const routes = {
  create: createRoute({
    method: 'post',
    tags: ['Finance'],
    path: '/finance/batches',
    summary:
      'Put every requested payout that is in no batch yet into a new batch (each payout in exactly one)',
    ...secured,
    responses: {
      ...writeErrors,
      201: json(Batch, 'The new batch'),
      403: forbidden,
      409: problemResponse('No payout is waiting for a batch'),
    },
  }),
  list: createRoute({
    method: 'get',
    tags: ['Finance'],
    path: '/finance/batches',
    summary: 'Payout batches, newest first',
    ...secured,
    responses: {
      200: json(z.object({ items: z.array(Batch) }), 'The batches'),
      401: problemResponse('No or invalid bearer token'),
      403: forbidden,
    },
  }),
  export: createRoute({
    method: 'get',
    tags: ['Finance'],
    path: '/finance/batches/{batchId}/export',
    summary: "A batch's payouts as CSV or JSON, as often as needed: downloading sends nothing",
    ...secured,
    request: {
      params: batchParams,
      query: z.object({
        format: z
          .enum(['csv', 'json'])
          .default('csv')
          .openapi({ description: 'csv or json', example: 'csv' }),
      }),
    },
    responses: {
      200: {
        description: 'One line per payout',
        content: {
          'text/csv': { schema: z.string().openapi({ example: `${EXPORT_COLUMNS.join(',')}\n` }) },
          'application/json': {
            schema: z.object({ batch: Batch, payouts: z.array(Line) }).meta({
              id: 'PayoutBatchExport',
              example: { batch: BATCH_EXAMPLE, payouts: [LINE_EXAMPLE] },
            }),
          },
        },
      },
      401: problemResponse('No or invalid bearer token'),
      403: forbidden,
      404: problemResponse('No such batch'),
    },
  }),
  sent: createRoute({
    method: 'post',
    tags: ['Finance'],
    path: '/finance/batches/{batchId}/sent',
    summary: 'Finance sent the batch to the bank: its payouts are sent (marking it twice changes nothing)',
    ...secured,
    request: { params: batchParams },
    responses: {
      ...writeErrors,
      200: json(Batch, 'The batch, sent'),
      403: forbidden,
      404: problemResponse('No such batch'),
    },
  }),
  report: createRoute({
    method: 'post',
    tags: ['Finance'],
    path: '/finance/payouts/report',
    summary: "The bank's answer for one payout of a sent batch: paid or returned",
    ...secured,
    request: {
      body: jsonBody(
        z.strictObject({
          businessKey: z.string().min(1).max(200).describe('The payout line’s businessKey'),
          state: z.enum(['paid', 'returned']),
          at: z.iso
            .datetime({ offset: true })
            .optional()
            .describe('When the bank paid or returned it; default now'),
          reason: z.string().min(1).max(2000).optional().describe('Why it was returned'),
        }),
        { businessKey: LINE_EXAMPLE.businessKey, state: 'paid', at: '2027-03-04T12:00:00Z' },
      ),
    },
    responses: {
      ...writeErrors,
      200: json(
        Line.extend({ paidAt: z.string().nullable(), returnedAt: z.string().nullable() }).meta({
          id: 'PayoutReport',
          example: { ...LINE_EXAMPLE, state: 'paid', paidAt: '2027-03-04T12:00:00.000Z', returnedAt: null },
        }),
        'The payout as it stands',
      ),
      403: forbidden,
      404: problemResponse('No such payout'),
      409: problemResponse('The payout is not in a sent batch'),
    },
  }),
};

export function financeRoutes({ sql }: ApiDeps) {
  const app = newRouter();
  app.openapi(routes.create, async (c) =>
    c.json(await createBatch(sql, requireRole(c, 'ops').userId, requestKeyOf(c)), 201),
  );
  app.openapi(routes.list, async (c) => {
    requireRole(c, 'ops');
    return c.json({ items: await listBatches(sql) }, 200);
  });
  app.openapi(routes.export, async (c) => {
    requireRole(c, 'ops');
    const { batchId } = c.req.valid('param');
    const lines = await batchLines(sql, batchId);
    if (c.req.valid('query').format === 'json') {
      return c.json({ batch: await findBatch(sql, batchId), payouts: lines }, 200);
    }
    const csv = stringify([EXPORT_COLUMNS, ...lines.map((l) => EXPORT_COLUMNS.map((column) => l[column]))]);
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="payout-batch-${batchId}.csv"`,
    });
  });
  app.openapi(routes.sent, async (c) => {
    const by = requireRole(c, 'ops').userId;
    return c.json(await markBatchSent(sql, c.req.valid('param').batchId, by), 200);
  });
  app.openapi(routes.report, async (c) => {
    requireRole(c, 'ops');
    const { businessKey, ...report } = c.req.valid('json');
    return c.json(await reportPayout(sql, businessKey, report), 200);
  });
  return app;
}
