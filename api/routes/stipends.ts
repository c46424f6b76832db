import { createRoute, z } from '@hono/zod-openapi';
import { applicationInstallments } from '../../db/read-model.js';
import { decideInstallmentUpdate } from '../../domain/messages.js';
import { validationProblem } from '../../domain/problems.js';
import { EVALUATIONS } from '../../domain/program.js';
import { PAYMENT_STATES } from '../../domain/status.js';
import { PAYOUT_STATES } from '../../finance/batches.js';
import { decideInstallments } from '../../mentees/bulk.js';
import { findApplication, sendMessage } from '../../mentees/client.js';
import { findProgram } from '../../mentees/programs.js';
import { actorFrom, authorize, requireProgram } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { requestKeyOf } from '../idempotency.js';
import { newRouter } from '../router.js';
import { jsonBody, Param, problemResponse, secured, writeErrors } from '../schemas.js';

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
    payout: z
      .object({
        state: z.enum(PAYOUT_STATES),
        batchId: z.int().nullable(),
        sentAt: z.string().nullable(),
        paidAt: z.string().nullable(),
        returnedAt: z.string().nullable(),
        expectedBy: z
          .string()
          .nullable()
          .openapi({ description: 'When the bank should have paid it: sent + 7 days' }),
      })
      .nullable()
      .optional()
      .openapi({
        description: "Finance's payout: requested, sent in a batch, paid by the bank, or returned",
      }),
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

/** Banks pay a sent transfer within a week. */
const BANK_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
const InstallmentList = z.object({ installments: z.array(Installment) });
const Decision = z.strictObject({
  decision: z.enum(['approve', 'decline']),
  reason: z.string().min(1).max(2000).optional().describe('Why: required to decline'),
});
const requireReason = <T extends { decision: string; reason?: string | undefined }>(body: T) => {
  if (body.decision === 'decline' && !body.reason) {
    throw validationProblem([{ path: ['reason'], message: 'a declined installment needs a reason' }]);
  }
  return body;
};
const decisionRoutes = {
  one: createRoute({
    method: 'post',
    tags: ['Applications'],
    path: '/applications/{applicationId}/stipend/{number}/approval',
    summary:
      "The program's admin approves an earned installment (it is then paid) or declines it with a reason; declined can be approved later",
    ...secured,
    request: {
      params: z.object({
        applicationId: Param.applicationId,
        number: z.coerce
          .number()
          .int()
          .min(1)
          .max(EVALUATIONS.max)
          .openapi({ description: 'Which installment', example: 1 }),
      }),
      body: jsonBody(Decision, { decision: 'approve' }),
    },
    responses: {
      ...writeErrors,
      200: {
        description: 'Recorded; the installments as they stand',
        content: {
          'application/json': {
            schema: InstallmentList.extend({ duplicate: z.boolean() }).meta({
              id: 'InstallmentDecisionResult',
              example: { duplicate: false, installments: [EXAMPLES.StipendInstallment] },
            }),
          },
        },
      },
      403: problemResponse("Not the program's admins or ops"),
      404: problemResponse('Unknown application or installment'),
      409: problemResponse('Not earned yet, already paid, or forfeited'),
      422: problemResponse('The program pays without approval, or a decline without a reason'),
    },
  }),
  bulk: createRoute({
    method: 'post',
    tags: ['Programs'],
    path: '/programs/{programId}/stipend-approvals',
    summary:
      'Approve (or decline) every installment of the program awaiting a decision, e.g. all earned by evaluation 2 (admins, ops)',
    ...secured,
    request: {
      params: z.object({ programId: Param.programId }),
      body: jsonBody(
        Decision.extend({
          afterEvaluation: z
            .int()
            .min(1)
            .max(EVALUATIONS.max)
            .optional()
            .describe('Only those after this evaluation'),
        }),
        { decision: 'approve', afterEvaluation: 2 },
      ),
    },
    responses: {
      ...writeErrors,
      200: {
        description: 'Each installment decided, already decided, or refused (and why)',
        content: {
          'application/json': {
            schema: z
              .object({
                programId: z.string(),
                decision: z.enum(['approve', 'decline']),
                decided: z.array(z.object({ applicationId: z.string(), installment: z.int() })),
                alreadyDecided: z.array(z.object({ applicationId: z.string(), installment: z.int() })),
                refused: z.array(
                  z.object({ applicationId: z.string(), installment: z.int(), reason: z.string() }),
                ),
              })
              .meta({
                id: 'InstallmentDecisions',
                example: {
                  programId: 'lfx-2026-t2',
                  decision: 'approve',
                  decided: [{ applicationId: '5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11', installment: 1 }],
                  alreadyDecided: [],
                  refused: [],
                },
              }),
          },
        },
      },
      403: problemResponse('Not ops or an admin of this program'),
      404: problemResponse('Unknown program'),
    },
  }),
};

export function stipendRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = newRouter();
  const installmentsOf = async (applicationId: string) =>
    (await applicationInstallments(sql, applicationId)).map((i) => ({
      number: i.number,
      afterEvaluation: i.afterEvaluation,
      amountCents: i.amountCents,
      currency: i.currency,
      state: i.state,
      approvedAt: i.approvedAt?.toISOString() ?? null,
      paidAt: i.paidAt?.toISOString() ?? null,
      paymentReference: i.paymentReference,
      payout: i.payout && {
        state: i.payout.state,
        batchId: i.payout.batchId,
        sentAt: i.payout.sentAt?.toISOString() ?? null,
        paidAt: i.payout.paidAt?.toISOString() ?? null,
        returnedAt: i.payout.returnedAt?.toISOString() ?? null,
        expectedBy: i.payout.sentAt
          ? new Date(i.payout.sentAt.getTime() + BANK_DAYS * DAY_MS).toISOString()
          : null,
      },
    }));

  app.openapi(route, async (c) => {
    const application = await findApplication(sql, c.req.valid('param').applicationId);
    authorize(c, application, 'mentee', 'staff');
    return c.json({ installments: await installmentsOf(application.id) }, 200);
  });

  app.openapi(decisionRoutes.one, async (c) => {
    const { applicationId, number } = c.req.valid('param');
    const application = await findApplication(sql, applicationId);
    const by = actorFrom(authorize(c, application, 'staff'));
    const { decision, reason } = requireReason(c.req.valid('json'));
    const { duplicate } = await sendMessage(
      deps.temporal,
      application,
      decideInstallmentUpdate,
      { number, by, decision, ...(reason && { reason }) },
      requestKeyOf(c),
    );
    return c.json({ duplicate, installments: await installmentsOf(application.id) }, 200);
  });

  app.openapi(decisionRoutes.bulk, async (c) => {
    const { programId } = c.req.valid('param');
    const by = actorFrom(requireProgram(c, programId));
    await findProgram(sql, programId);
    const body = requireReason(c.req.valid('json'));
    return c.json(await decideInstallments(deps, { programId, by, ...body }), 200);
  });
  return app;
}
