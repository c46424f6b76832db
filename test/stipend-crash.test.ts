import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { DAYS, driver } from './support/drive.js';
import { startTestSystem, type TestSystem } from './support/system.js';

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

describe('a worker that dies while paying a stipend installment', () => {
  it('leaves exactly one payment per installment in the ledger and at the provider', async () => {
    const drive = driver(system);
    let applicationId = '';
    let mentorId = '';
    let closes = 0;
    let dueAt: (n: number) => number = () => 0;

    // Worker 1: up to evaluation 2; the provider accepts installment 1 but the answer is lost, and the worker stops.
    const firstWorker = await system.newWorker();
    await firstWorker.runUntil(async () => {
      const setup = await drive.newProgram();
      ({ closes, dueAt } = setup);
      applicationId = await drive.apply(setup.program.id, 'crash-1');
      mentorId = await drive.makeActive(applicationId, closes);
      await drive.skipTo(dueAt(1) - 3 * DAYS);
      await drive.evaluate(applicationId, 1, mentorId);
      await drive.skipTo(dueAt(2) - 3 * DAYS);
      const accepted = system.payments.loseAnswerAfterAccepting((request) => request.idempotencyKey.endsWith('/stipend/1'));
      await drive.evaluate(applicationId, 2, mentorId);
      await accepted;
    });
    const [midway] = await system.sql`SELECT status FROM stipend_payments WHERE application_id = ${applicationId}`;
    expect(midway?.status).toBe('requested');

    // Worker 2, started later: the retried activity finds the provider's payout, and the mentee completes.
    const secondWorker = await system.newWorker();
    await secondWorker.runUntil(async () => {
      await system.env.sleep('5 minutes');
      await drive.finishParticipation(applicationId);
      await drive.skipTo(dueAt(3) - 3 * DAYS);
      await drive.evaluate(applicationId, 3, mentorId);
      await drive.skipTo(dueAt(4) - 3 * DAYS);
      await drive.evaluate(applicationId, 4, mentorId);
      const outcome = await system.env.client.workflow.getHandle(menteeWorkflowId(applicationId)).result();
      expect(outcome.stage).toBe('completed');
    });

    const ledger = await system.sql`
      SELECT installment, status, amount_cents::int AS amount, provider_reference FROM stipend_payments
      WHERE application_id = ${applicationId} ORDER BY installment`;
    expect(ledger.map((r) => [r.installment, r.status, r.amount])).toEqual([
      [1, 'paid', 300_000],
      [2, 'paid', 300_000],
    ]);
    const payouts = system.payments.payouts().filter((p) => p.idempotencyKey.startsWith(applicationId));
    expect(payouts.map((p) => p.idempotencyKey).sort()).toEqual([`${applicationId}/stipend/1`, `${applicationId}/stipend/2`]);
    expect(ledger[0]!.provider_reference).toBe(payouts.find((p) => p.idempotencyKey.endsWith('/1'))!.reference);
    // installment 1 was asked for twice (before and after the crash) and paid once
    expect(payouts.find((p) => p.idempotencyKey.endsWith('/1'))!.calls).toBe(2);
    const paidEmails = system.resend.emails().filter((e) => e.subject.includes('Stipend installment'));
    expect(paidEmails).toHaveLength(2);
  });
});
