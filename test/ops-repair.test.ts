import { Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../api/auth.js';
import { problem } from '../api/problems.js';
import { newRouter } from '../api/router.js';
import { adminRoutes } from '../api/routes/admin.js';
import { resendEmailWorkflowId } from '../domain/ids.js';
import {
  type Actor,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  type MenteeStatus,
  type MessageResult,
  statusQuery,
  submitEvaluationUpdate,
  withdrawUpdate,
} from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { ProgramInput, type ProgramRules } from '../domain/program.js';
import { NeedsAttentionKey } from '../domain/search-attributes.js';
import { apply, findApplication, sendMessage } from '../mentees/client.js';
import { createProgram } from '../mentees/programs.js';
import { extend, type OpsDeps, refusedEmails, resendEmail, retryPayment, terminate } from '../ops/index.js';
import { privateClientOptions } from '../privacy/clients.js';
import { bearer, TEST_AUTH } from './support/auth.js';
import { eventually } from './support/eventually.js';
import { TEST_KEYRING } from './support/keyring.js';
import { DAYS, HOURS, PREREQUISITES, programFixture, SCHEDULE } from './support/programs.js';
import { type ApiResponse, backgroundWorker, startTestSystem, type TestSystem } from './support/system.js';

// Ops repairs on the time-skipping server, driven through Temporal and the ops functions the CLI and admin API call.
let system: TestSystem;
let worker: Awaited<ReturnType<typeof backgroundWorker>>;
let ops: OpsDeps;
beforeAll(async () => {
  system = await startTestSystem();
  worker = await backgroundWorker(system);
  // a plain client: awaiting a resend's result must not unlock time skipping for the mentees' timers
  ops = {
    sql: system.sql,
    temporal: new Client({
      connection: system.env.connection,
      ...privateClientOptions(TEST_KEYRING, system.sql),
    }),
    taskQueue: system.taskQueue,
  };
});
afterAll(async () => {
  await worker?.stop();
  await system?.stop();
});

const OPS: Actor = { userId: 'ops-1', role: 'ops' };
const ADMIN: Actor = { userId: 'admin-1', role: 'admin' };

async function newProgram() {
  const input = programFixture(await system.env.currentTimeMs());
  const program = ProgramInput.parse(input);
  const { rules } = await createProgram(system.sql, program);
  const closes = Date.parse(input.applicationsCloseAt);
  return { rules, closes, dueAt: (n: number) => closes + SCHEDULE.evaluations[n - 1]! };
}

const skipTo = (at: number) => system.skipTo(at);

/** An applicant, and the messages the frontend would send for them. */
async function newMentee(rules: ProgramRules, menteeId: string) {
  const mentee = {
    id: menteeId,
    name: `Name of ${menteeId}`,
    email: `${menteeId}@example.org`,
    country: 'DE',
  };
  const { applicationId } = await apply(
    { sql: system.sql, temporal: system.env.client, taskQueue: system.taskQueue },
    { id: rules.programId, rules },
    mentee,
    '',
  );
  const application = await findApplication(system.sql, applicationId);
  const handle = system.env.client.workflow.getHandle(application.workflowId);
  const send = <A>(update: UpdateDefinition<MessageResult, [A]>, arg: A) =>
    sendMessage(system.env.client, application, update, arg);
  const mentorId = `mentor-${menteeId}`;
  return {
    id: applicationId,
    menteeId,
    workflowId: application.workflowId,
    send,
    status: () => handle.query(statusQuery),
    attention: async () => (await handle.describe()).typedSearchAttributes.get(NeedsAttentionKey) ?? [],
    async makeActive(closes: number) {
      for (const p of PREREQUISITES) await send(completePrerequisiteUpdate, { prerequisiteId: p.id });
      await skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
      await system.sql`
        INSERT INTO mentors (id, name, email) VALUES (${mentorId}, 'Mentor', ${`${mentorId}@example.org`})
        ON CONFLICT (id) DO NOTHING`;
      await send(decideSelectionUpdate, {
        by: ADMIN,
        decision: 'select',
        mentor: { id: mentorId },
        projectTitle: 'Docs',
      });
      for (const stepId of ['contract', 'tax-form', 'payment-details']) {
        await send(completeOnboardingStepUpdate, { stepId, by: ADMIN });
      }
    },
    evaluate: (number: number) =>
      send(submitEvaluationUpdate, {
        number,
        mentorId,
        ratings: { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 },
        comments: '',
        outcome: 'pass',
      }),
  };
}

const emailsOf = (workflowId: string) =>
  system.resend.emails().filter((e) => e.idempotencyKey?.startsWith(`${workflowId}/`));

describe('a stipend payment the provider rejects', () => {
  it('waits for ops, then pays exactly once with a fresh provider key; retrying again is harmless', async () => {
    const { rules, closes, dueAt } = await newProgram();
    const mentee = await newMentee(rules, 'bad-iban-1');
    await mentee.makeActive(closes);
    system.payments.rejectPayee(mentee.menteeId, 'The bank account number is invalid');

    // Nothing failed yet: a retry is a harmless no-op.
    expect(await retryPayment(ops, mentee.id, OPS)).toMatchObject({
      duplicate: true,
      outcome: 'nothing-to-retry',
    });

    await skipTo(dueAt(1) - 3 * DAYS);
    await mentee.evaluate(1);
    await skipTo(dueAt(2) - 3 * DAYS);
    await mentee.evaluate(2);
    const failed = await eventually(
      mentee.status,
      (s) => s.stipend[0]!.state === 'payment-failed',
      'the rejected installment',
    );
    expect(failed.stage).toBe('active');
    expect(failed.decisions.filter((d) => d.action === 'stipend:1:rejected').map((d) => d.detail)).toEqual([
      'The bank account number is invalid',
    ]);
    expect(await mentee.attention()).toEqual(['payment-failed']);
    const rejectedRow = await system.sql`
      SELECT status, attempt, rejection_reason FROM stipend_payments WHERE application_id = ${mentee.id}`;
    expect(rejectedRow.map((r) => [r.status, r.attempt, r.rejection_reason])).toEqual([
      ['rejected', 0, 'The bank account number is invalid'],
    ]);
    const adminAlerts = () =>
      emailsOf(mentee.workflowId).filter((e) => e.subject.startsWith('Action needed'));
    await eventually(
      async () => adminAlerts().length,
      (n) => n === 1,
      'the admin alert',
    );
    expect(adminAlerts()[0]!.to).toEqual(['admin@example.org']);
    expect(adminAlerts()[0]!.text).toContain(`npm run ops -- retry-payment ${mentee.id}`);

    // Retried before the details are fixed: rejected again under the next key, and the admin hears it again.
    const again = await retryPayment(ops, mentee.id, OPS);
    expect(again).toMatchObject({ duplicate: false, outcome: 'rejected', installment: 1 });
    await eventually(
      async () => adminAlerts().length,
      (n) => n === 2,
      'the second admin alert',
    );

    // Fixed and retried: paid once, under the third key; the ledger keeps its one row.
    system.payments.fixPayee(mentee.menteeId);
    const paid = await retryPayment(ops, mentee.id, OPS);
    expect(paid).toMatchObject({ duplicate: false, outcome: 'paid', installment: 1 });
    const twice = await retryPayment(ops, mentee.id, OPS);
    expect(twice).toMatchObject({ duplicate: true, outcome: 'nothing-to-retry' });

    const businessKey = `${mentee.id}/stipend/1`;
    const payouts = system.payments.payouts().filter((p) => p.idempotencyKey.startsWith(mentee.id));
    expect(payouts.map((p) => [p.idempotencyKey, p.amountCents, p.calls])).toEqual([
      [`${businessKey}/attempt-2`, 300_000, 1],
    ]);
    expect(
      system.payments
        .rejections()
        .filter((r) => r.idempotencyKey.startsWith(mentee.id))
        .map((r) => r.idempotencyKey),
    ).toEqual([businessKey, `${businessKey}/attempt-1`]);
    const ledger = await system.sql`
      SELECT business_key, status, attempt, provider_reference FROM stipend_payments WHERE application_id = ${mentee.id}`;
    expect(ledger.map((r) => [r.business_key, r.status, r.attempt, r.provider_reference])).toEqual([
      [businessKey, 'paid', 2, payouts[0]!.reference],
    ]);
    expect(paid.reference).toBe(payouts[0]!.reference);

    const status: MenteeStatus = await eventually(
      mentee.status,
      (s) => s.stipend[0]!.state === 'paid',
      'the paid installment',
    );
    expect(status.decisions.map((d) => d.action).filter((a) => a.startsWith('stipend:'))).toEqual([
      'stipend:1:rejected',
      'stipend:1:retry',
      'stipend:1:rejected',
      'stipend:1:retry',
      'stipend:1:paid',
    ]);
    expect(status.decisions.filter((d) => d.action === 'stipend:1:retry').map((d) => d.by)).toEqual([
      OPS,
      OPS,
    ]);
    await eventually(mentee.attention, (a) => a.length === 0, 'the attention flag to clear');
    const paidEmails = await eventually(
      async () => emailsOf(mentee.workflowId).filter((e) => e.subject.includes('Stipend installment 1')),
      (e) => e.length === 1,
      'the installment-paid email',
    );
    expect(paidEmails[0]!.to).toEqual([`${mentee.menteeId}@example.org`]);
  });
});

describe('while a rejected payment waits for ops', () => {
  it('the term goes on, and the earned installment is still paid after the mentee withdraws', async () => {
    const { rules, closes, dueAt } = await newProgram();
    const mentee = await newMentee(rules, 'bad-iban-2');
    await mentee.makeActive(closes);
    system.payments.rejectPayee(mentee.menteeId, 'Account closed');
    await skipTo(dueAt(1) - 3 * DAYS);
    await mentee.evaluate(1);
    await skipTo(dueAt(2) - 3 * DAYS);
    await mentee.evaluate(2);
    await eventually(
      mentee.status,
      (s) => s.stipend[0]!.state === 'payment-failed',
      'the rejected installment',
    );

    // evaluation 3 is reminded on time and taken while installment 1 waits
    await skipTo(dueAt(3) - 1 * DAYS);
    const reminder = `${mentee.workflowId}/evaluation-reminder-3/mentor`;
    await eventually(
      async () => emailsOf(mentee.workflowId).map((e) => e.idempotencyKey),
      (keys) => keys.includes(reminder),
      'the evaluation 3 reminder',
    );
    await mentee.evaluate(3);
    expect((await mentee.status()).evaluations[2]!.state).toBe('passed');

    // the mentee leaves; what they earned is still owed, so the workflow waits for the retry
    await mentee.send(withdrawUpdate, { by: { userId: mentee.menteeId, role: 'mentee' }, reason: 'New job' });
    const withdrawn = await mentee.status();
    expect(withdrawn.stage).toBe('withdrawn');
    expect(withdrawn.stipend.map((i) => i.state)).toEqual(['payment-failed', 'forfeited']);
    const handle = system.env.client.workflow.getHandle(mentee.workflowId);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await mentee.attention()).toEqual(['payment-failed']);

    system.payments.fixPayee(mentee.menteeId);
    expect(await retryPayment(ops, mentee.id, OPS)).toMatchObject({ outcome: 'paid', installment: 1 });
    expect(await handle.result()).toEqual({ stage: 'withdrawn', reason: 'New job' });
    const ledger = await system.sql`
      SELECT installment, status FROM stipend_payments WHERE application_id = ${mentee.id}`;
    expect(ledger.map((r) => [r.installment, r.status])).toEqual([[1, 'paid']]);
    expect(system.payments.payouts().filter((p) => p.idempotencyKey.startsWith(mentee.id))).toHaveLength(1);
  });
});

describe('an email the provider refuses for good', () => {
  it('is kept and flagged for ops, the mentee goes on, and the flag clears once ops send it again', async () => {
    const { rules } = await newProgram();
    // the address is refused (Resend 422) for the mentee's first email
    system.resend.failNext(1, 422, 'validation_error');
    const mentee = await newMentee(rules, 'refused-1');
    const key = `${mentee.workflowId}/application-received/mentee`;
    const kept = () =>
      system.sql<{ provider: string; refused_reason: string | null }[]>`
        SELECT provider, refused_reason FROM emails WHERE idempotency_key = ${key}`;
    await eventually(kept, (rows) => rows.length === 1, 'the refused email to be kept');
    expect((await kept())[0]).toMatchObject({
      provider: 'refused',
      refused_reason: expect.stringMatching(/Resend 422 validation_error/),
    });
    await eventually(mentee.attention, (a) => a.includes('email-refused'), 'the refusal to be flagged');
    expect(emailsOf(mentee.workflowId)).toHaveLength(0);
    // ops' list of refused emails nobody has received (`npm run ops -- refused-emails`)
    const owed = async () => (await refusedEmails(ops)).filter((e) => e.applicationId === mentee.id);
    expect(await owed()).toEqual([
      {
        applicationId: mentee.id,
        kind: 'application-received',
        to: 'mentee',
        originalKey: key,
        refusedReason: expect.stringMatching(/validation_error/),
        refusedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      },
    ]);
    // the lifecycle is not held up by it: prerequisites still count, in review
    await mentee.send(completePrerequisiteUpdate, { prerequisiteId: PREREQUISITES[0]!.id });
    expect((await mentee.status()).stage).toBe('in_review');

    // refused again on the first resend (the address is not fixed yet): said so, still flagged
    system.resend.failNext(1, 422, 'validation_error');
    const again = await resendEmail(
      ops,
      mentee.id,
      { email: 'application-received', requestId: 'FIX-1' },
      OPS,
    );
    expect(again).toMatchObject({ state: 'refused', duplicate: false, originalKey: key });
    expect(again.refusedReason).toMatch(/validation_error/);
    expect(await mentee.attention()).toContain('email-refused');
    expect((await owed()).map((e) => e.originalKey)).toEqual([key]);

    // fixed: delivered once, the flag clears; the same request again sends nothing
    const fixed = await resendEmail(
      ops,
      mentee.id,
      { email: 'application-received', requestId: 'FIX-2' },
      OPS,
    );
    expect(fixed).toMatchObject({ state: 'sent', duplicate: false });
    await eventually(mentee.attention, (a) => !a.includes('email-refused'), 'the flag to clear');
    expect(await owed()).toEqual([]);
    expect(
      await resendEmail(ops, mentee.id, { email: 'application-received', requestId: 'FIX-2' }, OPS),
    ).toMatchObject({ state: 'sent', duplicate: true });
    expect(emailsOf(mentee.workflowId).map((e) => e.idempotencyKey)).toEqual([`${key}/resend/FIX-2`]);

    // what Temporal shows unencrypted of a resend (its id, search attributes, memo, summary) names nobody
    for (const request of ['FIX-1', 'FIX-2']) {
      const described = await ops.temporal.workflow
        .getHandle(resendEmailWorkflowId(`${key}/resend/${request}`))
        .describe();
      expect(described.type).toBe('resendEmailWorkflow');
      const visible = JSON.stringify([
        described.workflowId,
        described.searchAttributes,
        await described.memo,
        await described.staticSummary(),
      ]);
      expect(visible).not.toContain('Name of');
      expect(visible).not.toContain('@example.org');
    }
  });
});

describe('ops repairs of one mentee', () => {
  it('resends an email once per request, extends once per request, terminates once', async () => {
    const { rules, closes } = await newProgram();
    const mentee = await newMentee(rules, 'repair-1');
    const received = () =>
      emailsOf(mentee.workflowId).filter((e) => e.subject.startsWith('We received your application'));
    await eventually(
      async () => received().length,
      (n) => n === 1,
      'the application-received email',
    );

    // Resend: the same request twice sends once more; a new request sends again; unknown kinds are named.
    const first = await resendEmail(
      ops,
      mentee.id,
      { email: 'application-received', requestId: 'TICKET-1' },
      OPS,
    );
    expect(first).toMatchObject({ duplicate: false, state: 'sent', to: 'mentee' });
    expect(first.idempotencyKey).toBe(`${mentee.workflowId}/application-received/mentee/resend/TICKET-1`);
    const repeat = await resendEmail(
      ops,
      mentee.id,
      { email: 'application-received', requestId: 'TICKET-1' },
      OPS,
    );
    expect(repeat).toMatchObject({ duplicate: true, state: 'sent' });
    expect(received()).toHaveLength(2);
    const byKey = await resendEmail(
      ops,
      mentee.id,
      { email: `${mentee.workflowId}/application-received/mentee`, requestId: 'TICKET-2' },
      OPS,
    );
    expect(byKey.duplicate).toBe(false);
    expect(received()).toHaveLength(3);
    expect(received().every((e) => e.to[0] === 'repair-1@example.org')).toBe(true);
    const stored = await system.sql`
      SELECT idempotency_key, resend_of FROM emails WHERE application_id = ${mentee.id} AND kind = 'application-received'
      ORDER BY sent_at`;
    expect(stored.map((r) => r.resend_of)).toEqual([
      null,
      `${mentee.workflowId}/application-received/mentee`,
      `${mentee.workflowId}/application-received/mentee`,
    ]);
    await expect(
      resendEmail(ops, mentee.id, { email: 'letter-of-completion', requestId: 'TICKET-3' }, OPS),
    ).rejects.toThrow(/No email "letter-of-completion".*sent: application-received/);

    // Extend: refused in review; once active, the same request twice extends once, a new request again.
    await expect(extend(ops, mentee.id, { days: 7, reason: 'Exams' }, OPS)).rejects.toMatchObject({
      status: 409,
    });
    await mentee.makeActive(closes);
    const termEndsAt = (await mentee.status()).termEndsAt;
    const extended = await extend(ops, mentee.id, { days: 7, reason: 'Exams' }, OPS);
    expect(extended).toMatchObject({ duplicate: false, extensionDays: 7 });
    expect(extended.termEndsAt).toBe(new Date(Date.parse(termEndsAt) + 7 * DAYS).toISOString());
    expect(await extend(ops, mentee.id, { days: 7, reason: 'Exams' }, OPS)).toMatchObject({
      duplicate: true,
      extensionDays: 7,
    });
    expect(
      await extend(ops, mentee.id, { days: 7, reason: 'Exams', requestId: 'second-week' }, OPS),
    ).toMatchObject({ duplicate: false, extensionDays: 14 });
    expect((await mentee.status()).decisions.filter((d) => d.action === 'extended')).toHaveLength(2);

    // Terminate: twice is one termination, whether the workflow is still closing or closed.
    expect(await terminate(ops, mentee.id, 'Left the project', OPS)).toEqual({
      applicationId: mentee.id,
      duplicate: false,
      stage: 'terminated',
    });
    expect(await terminate(ops, mentee.id, 'Left the project', OPS)).toMatchObject({
      duplicate: true,
      stage: 'terminated',
    });
    await system.env.client.workflow.getHandle(mentee.workflowId).result();
    expect(await terminate(ops, mentee.id, 'Left the project', OPS)).toMatchObject({ duplicate: true });
    const ended = emailsOf(mentee.workflowId).filter((e) => e.subject.includes('has ended'));
    expect(ended.map((e) => e.to[0]).sort()).toEqual([
      'admin@example.org',
      'mentor-repair-1@example.org',
      'repair-1@example.org',
    ]);
  });

  it('are allowed through the admin API to ops and to the admin of the program only', async () => {
    const { rules } = await newProgram();
    const mentee = await newMentee(rules, 'api-1');
    const app = newRouter();
    app.use(authenticate(TEST_AUTH));
    app.route('/', adminRoutes({ ...ops, log: undefined as never, auth: TEST_AUTH }));
    app.onError((error, c) => {
      if (error instanceof ProblemError) return problem(c, error);
      throw error;
    });
    const post = async (
      path: string,
      body: unknown,
      headers: Record<string, string> = {},
    ): Promise<ApiResponse> => {
      const response = await app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const retry = `/admin/applications/${mentee.id}/retry-payment`;
    expect((await post(retry, {})).status).toBe(401);
    expect((await post(retry, {}, await bearer({ userId: 'm', role: 'mentee' }))).status).toBe(403);
    const otherAdmin = await bearer({ userId: 'a2', role: 'admin', programs: ['another-program'] });
    expect((await post(retry, {}, otherAdmin)).status).toBe(403);
    const admin = await bearer({ userId: 'a1', role: 'admin', programs: [rules.programId] });
    const answered = await post(retry, {}, admin);
    expect(answered).toMatchObject({ status: 200, body: { duplicate: true, outcome: 'nothing-to-retry' } });

    const resend = `/admin/applications/${mentee.id}/emails/application-received/resend`;
    await eventually(
      async () => emailsOf(mentee.workflowId).length,
      (n) => n === 1,
      'the application-received email',
    );
    const noRequestId = await post(resend, {}, admin);
    expect(noRequestId.status).toBe(422);
    const ops1 = await bearer({ userId: 'ops-1', role: 'ops' });
    const sent = await post(resend, {}, { ...ops1, 'idempotency-key': 'req-42' });
    expect(sent).toMatchObject({ status: 200, body: { duplicate: false, state: 'sent' } });
    expect((await post(resend, { requestId: 'req-42' }, ops1)).body.duplicate).toBe(true);
    expect(emailsOf(mentee.workflowId)).toHaveLength(2);
  });
});
