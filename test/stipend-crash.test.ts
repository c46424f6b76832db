import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Actor,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  recordProgressUpdate,
  submitEvaluationUpdate,
  submitFeedbackSurveyUpdate,
} from '../domain/messages.js';
import { ProgramInput, type ProgramRules, rulesOf } from '../domain/program.js';
import { apply, findApplication, sendMessage } from '../mentees/client.js';
import { startDevSystem } from './support/dev-system.js';
import { PREREQUISITES, programFixture } from './support/programs.js';

// On the real dev server: a worker stopped and replaced on the time-skipping server leaves its polls behind.
let system: Awaited<ReturnType<typeof startDevSystem>>;
beforeAll(async () => {
  system = await startDevSystem('stipend-crash');
});
afterAll(() => system?.stop());

const admin: Actor = { userId: 'admin-1', role: 'admin' };

/** The program's rules, squeezed into seconds: review closes at once, every evaluation is open. */
function compressedRules(input: ProgramInput): ProgramRules {
  const rules = rulesOf(ProgramInput.parse(input));
  const now = Date.now();
  const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();
  return {
    ...rules,
    reviewReminderAt: null,
    reviewClosesAt: at(3),
    evaluations: rules.evaluations.map((e) => ({ ...e, opensAt: at(0), remindAt: null, dueAt: at(600) })),
  };
}

describe('a worker that stops while paying a stipend installment', () => {
  it('leaves exactly one payment per installment in the ledger and at the provider', {
    timeout: 120_000,
  }, async () => {
    const input = programFixture(Date.now());
    const created = await system.call('POST', '/programs', input);
    expect(created.status).toBe(201);
    const rules = compressedRules(input);
    const mentee = { id: 'crash-1', name: 'Crash Test', email: 'crash@example.org', country: 'DE' };

    // Worker 1: installment 1 is paid; the provider accepts installment 2 but the answer is lost, and the worker stops.
    const firstWorker = await system.newWorker();
    const { applicationId } = await firstWorker.runUntil(async () => {
      const { applicationId } = await apply(system.deps, { id: input.id, rules }, mentee, '');
      const application = await findApplication(system.sql, applicationId);
      const send = <A>(update: Parameters<typeof sendMessage<A>>[2], arg: A) =>
        sendMessage(system.client, application, update, arg);
      for (const p of PREREQUISITES) await send(completePrerequisiteUpdate, { prerequisiteId: p.id });
      await system.sql`INSERT INTO mentors (id, name, email) VALUES ('mentor-1', 'Mentor One', 'mentor@example.org')`;
      await new Promise((resolve) => setTimeout(resolve, 4000)); // the review window closes
      await send(decideSelectionUpdate, {
        by: admin,
        decision: 'select',
        mentor: { id: 'mentor-1' },
        projectTitle: 'Docs',
      });
      for (const step of ['contract', 'tax-form', 'payment-details']) {
        await send(completeOnboardingStepUpdate, { stepId: step, by: admin });
      }
      for (const item of ['project-plan', 'starter-docs', 'milestone-1', 'milestone-2']) {
        await send(recordProgressUpdate, { itemId: item, by: admin });
      }
      await send(submitFeedbackSurveyUpdate, { by: admin, rating: 5, comments: '' });
      const evaluation = (number: number) => ({
        number,
        mentorId: 'mentor-1',
        ratings: { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 },
        comments: '',
        outcome: 'pass' as const,
      });
      for (const n of [1, 2, 3]) await send(submitEvaluationUpdate, evaluation(n));
      const accepted = system.payments.loseAnswerAfterAccepting((request) =>
        request.idempotencyKey.endsWith('/stipend/2'),
      );
      await send(submitEvaluationUpdate, evaluation(4));
      await accepted;
      return { applicationId };
    });
    const midway = await system.sql`
      SELECT installment, status FROM stipend_payments WHERE application_id = ${applicationId} ORDER BY installment`;
    expect(midway.map((r) => [r.installment, r.status])).toEqual([
      [1, 'paid'],
      [2, 'requested'],
    ]);

    // Worker 2, started later: the retried activity finds the provider's payout, and the mentee completes.
    const secondWorker = await system.newWorker();
    const application = await findApplication(system.sql, applicationId);
    const outcome = await secondWorker.runUntil(
      system.client.workflow.getHandle(application.workflowId).result(),
    );
    expect(outcome.stage).toBe('completed');

    const ledger = await system.sql`
      SELECT installment, status, amount_cents::int AS amount, provider_reference FROM stipend_payments
      WHERE application_id = ${applicationId} ORDER BY installment`;
    expect(ledger.map((r) => [r.installment, r.status, r.amount])).toEqual([
      [1, 'paid', 300_000],
      [2, 'paid', 300_000],
    ]);
    const payouts = system.payments.payouts().filter((p) => p.idempotencyKey.startsWith(applicationId));
    expect(payouts.map((p) => p.idempotencyKey).sort()).toEqual([
      `${applicationId}/stipend/1`,
      `${applicationId}/stipend/2`,
    ]);
    const second = payouts.find((p) => p.idempotencyKey.endsWith('/2'))!;
    expect(ledger[1]!.provider_reference).toBe(second.reference);
    // installment 2 was asked for twice (before and after the stop) and paid once
    expect(second.calls).toBe(2);
    const paidEmails = system.resend.emails().filter((e) => e.subject.includes('Stipend installment'));
    expect(paidEmails).toHaveLength(2);
  });
});
