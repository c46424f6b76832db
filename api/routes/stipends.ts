import { createRoute, z } from '@hono/zod-openapi';
import { applicationInstallments } from '../../db/read-model.js';
import { PAYMENT_STATES } from '../../domain/status.js';
import { findApplication } from '../../mentees/client.js';
import { authorize } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { newRouter } from '../router.js';
import { Param, problemResponse, secured } from '../schemas.js';

const Installment = z
  .object({
    number: z.int(),
    afterEvaluation: z.int(),
    amountCents: z.int().nullable(),
    currency: z.string(),
    // rejected: the provider refused the payout for good; ops retry it after fixing the payee
    state: z.enum(PAYMENT_STATES),
    approvedAt: z.string().nullable(),
    paidAt: z.string().nullable(),
    paymentReference: z.string().nullable(),
  })
  .openapi({ example: EXAMPLES.StipendInstallment })
  .openapi('StipendInstallment');

const route = createRoute({
  method: 'get',
  tags: ['Applications'],
  path: '/applications/{applicationId}/stipend',
  summary: "Each stipend installment's amount and payment status, from the ledger (the mentee, admins, ops)",
  ...secured,
  request: { params: z.object({ applicationId: Param.applicationId }) },
  responses: {
    200: {
      description: 'Installments',
      content: { 'application/json': { schema: z.object({ installments: z.array(Installment) }) } },
    },
    401: problemResponse('No or invalid bearer token'),
    403: problemResponse("Not the mentee, the program's admins or ops"),
    404: problemResponse('Unknown application'),
  },
});

export function stipendRoutes({ sql }: ApiDeps) {
  const app = newRouter();
  app.openapi(route, async (c) => {
    const application = await findApplication(sql, c.req.valid('param').applicationId);
    authorize(c, application, 'mentee', 'staff');
    const installments = (await applicationInstallments(sql, application.id)).map((i) => ({
      number: i.number,
      afterEvaluation: i.afterEvaluation,
      amountCents: i.amountCents,
      currency: i.currency,
      state: i.state,
      approvedAt: i.approvedAt?.toISOString() ?? null,
      paidAt: i.paidAt?.toISOString() ?? null,
      paymentReference: i.paymentReference,
    }));
    return c.json({ installments }, 200);
  });
  return app;
}
