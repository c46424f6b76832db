import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { RECIPIENTS } from '../../domain/emails.js';
import { REQUEST_ID } from '../../domain/ids.js';
import { invalid } from '../../domain/problems.js';
import { ScheduleChange } from '../../domain/program.js';
import { findApplication } from '../../mentees/client.js';
import * as Repair from '../../ops/index.js';
import { applyProgramSchedule, extend, resendEmail, retryPayment, terminate } from '../../ops/index.js';
import { actorFrom, requireProgram, requireRole } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { newRouter } from '../router.js';
import { jsonBody, Param, problemResponse, secured, writeErrors } from '../schemas.js';

// The repairs of `npm run ops`, for ops (any program) and program admins (their programs); each is safe to repeat.

const ApplicationParams = z.object({ applicationId: Param.applicationId });
const RequestId = z
  .string()
  .regex(REQUEST_ID)
  .describe('Names this request: the same id again does nothing twice');

// The repairs' results are declared once, beside each repair; here they get their name and example.
const RetryPaymentResult = Repair.RetryPaymentResult.meta({
  id: 'RetryPaymentResult',
  example: EXAMPLES.RetryPaymentResult,
});
const ExtendResult = Repair.ExtendResult.meta({ id: 'ExtendResult', example: EXAMPLES.ExtendResult });
const TerminateResult = Repair.TerminateResult.meta({
  id: 'TerminateResult',
  example: EXAMPLES.TerminateResult,
});
const ScheduleChangeResult = Repair.ProgramScheduleResult.meta({
  id: 'ScheduleChangeResult',
  example: EXAMPLES.ScheduleChangeResult,
});
const ResendEmailResult = Repair.ResendEmailResult.meta({
  id: 'ResendEmailResult',
  example: EXAMPLES.ResendEmailResult,
});

const forbiddenResponse = problemResponse('Not ops, nor an admin of this program');
const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const routes = {
  retryPayment: createRoute({
    method: 'post',
    tags: ['Admin'],
    path: '/admin/applications/{applicationId}/retry-payment',
    summary: "Pay again a stipend installment the provider rejected, once the mentee's details are fixed",
    ...secured,
    request: { params: ApplicationParams },
    responses: {
      ...writeErrors,
      200: json(
        RetryPaymentResult,
        'The retried payment: paid, rejected again, pending, or nothing to retry',
      ),
      403: forbiddenResponse,
      404: problemResponse('Unknown application'),
      409: problemResponse('The mentee has ended with the installment unpaid'),
    },
  }),
  extend: createRoute({
    method: 'post',
    tags: ['Admin'],
    path: '/admin/applications/{applicationId}/extensions',
    summary: "Extend a mentee's term; the same request (days, reason or requestId) twice extends once",
    ...secured,
    request: {
      params: ApplicationParams,
      body: jsonBody(
        z.strictObject({
          days: z.int().min(1).max(180),
          reason: z.string().min(1).max(2000),
          requestId: RequestId.optional(),
        }),
        { days: 14, reason: 'Illness, approved by the program admin' },
      ),
    },
    responses: {
      ...writeErrors,
      200: json(ExtendResult, 'Extended, or already extended by this request'),
      403: forbiddenResponse,
      404: problemResponse('Unknown application'),
      409: problemResponse('Not possible at this stage'),
      422: problemResponse('Invalid request, or more than the program allows'),
    },
  }),
  terminate: createRoute({
    method: 'post',
    tags: ['Admin'],
    path: '/admin/applications/{applicationId}/terminate',
    summary: "End a mentee's participation; terminating a terminated mentee is a harmless repeat",
    ...secured,
    request: {
      params: ApplicationParams,
      body: jsonBody(z.strictObject({ reason: z.string().min(1).max(2000) }), { reason: 'Left the project' }),
    },
    responses: {
      ...writeErrors,
      200: json(TerminateResult, 'Terminated'),
      403: forbiddenResponse,
      404: problemResponse('Unknown application'),
      409: problemResponse('The mentorship has already ended otherwise'),
      422: problemResponse('Invalid request'),
    },
  }),
  scheduleChange: createRoute({
    method: 'post',
    tags: ['Admin'],
    path: '/admin/programs/{programId}/schedule-change',
    summary:
      "Change a program's schedule and apply it to every running mentee of the program (keeping their extensions)",
    ...secured,
    request: {
      params: z.object({ programId: Param.programId }),
      body: jsonBody(ScheduleChange, {
        evaluations: [
          { dueAt: '2027-03-22T00:00:00Z' },
          { dueAt: '2027-04-12T00:00:00Z' },
          { dueAt: '2027-05-03T00:00:00Z' },
          { dueAt: '2027-05-31T00:00:00Z' },
        ],
        termEndsAt: '2027-05-31T00:00:00Z',
      }),
    },
    responses: {
      ...writeErrors,
      200: json(ScheduleChangeResult, 'Which running mentees changed, already had it, or refused (and why)'),
      403: forbiddenResponse,
      404: problemResponse('Unknown program'),
      422: problemResponse('The changed program would be invalid'),
    },
  }),
  resendEmail: createRoute({
    method: 'post',
    tags: ['Admin'],
    path: '/admin/applications/{applicationId}/emails/{email}/resend',
    summary:
      'Send an email again (by kind, e.g. letter-of-completion, or idempotency key), once per requestId or Idempotency-Key',
    ...secured,
    request: {
      params: ApplicationParams.extend({
        email: z.string().min(1).max(300).openapi({
          description: 'The email kind, or its idempotency key',
          example: 'letter-of-completion',
        }),
      }),
      body: jsonBody(
        z.strictObject({
          to: z.enum(RECIPIENTS).optional().describe('When the kind went to several'),
          requestId: RequestId.optional().describe('Default: the Idempotency-Key header'),
        }),
        { to: 'mentee', requestId: 'ticket-4711' },
      ),
    },
    responses: {
      ...writeErrors,
      200: json(ResendEmailResult, 'Sent (or sending), or already sent for this request'),
      403: forbiddenResponse,
      404: problemResponse('Unknown application, or no such email was sent'),
      409: problemResponse('Several emails match, or the email was not kept for resending'),
      422: problemResponse('No request id'),
    },
  }),
};

export function adminRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = newRouter();

  /** The application, once the caller may repair it: ops, or an admin of its program. */
  const authorized = async (c: Context, applicationId: string) => {
    requireRole(c, 'admin', 'ops');
    const application = await findApplication(sql, applicationId);
    return { application, by: actorFrom(requireProgram(c, application.programId)) };
  };

  app.openapi(routes.retryPayment, async (c) => {
    const { application, by } = await authorized(c, c.req.valid('param').applicationId);
    return c.json(await retryPayment(deps, application, by, { waitMs: 10_000 }), 200);
  });

  app.openapi(routes.extend, async (c) => {
    const { application, by } = await authorized(c, c.req.valid('param').applicationId);
    return c.json(await extend(deps, application, c.req.valid('json'), by), 200);
  });

  app.openapi(routes.terminate, async (c) => {
    const { application, by } = await authorized(c, c.req.valid('param').applicationId);
    return c.json(await terminate(deps, application, c.req.valid('json').reason, by), 200);
  });

  app.openapi(routes.scheduleChange, async (c) => {
    const { programId } = c.req.valid('param');
    const by = actorFrom(requireProgram(c, programId));
    return c.json(await applyProgramSchedule(deps, programId, c.req.valid('json'), by), 200);
  });

  app.openapi(routes.resendEmail, async (c) => {
    const { applicationId, email } = c.req.valid('param');
    const { application, by } = await authorized(c, applicationId);
    const { to, requestId = c.req.header('idempotency-key') } = c.req.valid('json');
    if (!requestId) {
      throw invalid('Name this resend request: a requestId or an Idempotency-Key header');
    }
    const result = await resendEmail(deps, application, { email, to, requestId }, by, { waitMs: 10_000 });
    return c.json(result, 200);
  });

  return app;
}
