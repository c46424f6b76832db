import { describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { statusQuery } from '../domain/messages.js';
import { NeedsAttentionKey } from '../domain/search-attributes.js';
import { PersonalTexts } from '../privacy/personal-texts.js';
import { bearer } from './support/auth.js';
import { driver } from './support/drive.js';
import { eventually } from './support/eventually.js';
import { TEST_KEYRING } from './support/keyring.js';
import { DAYS, HOURS, SCHEDULE } from './support/programs.js';
import { type ApiResponse, testSystemForFile } from './support/system.js';

// Evaluations and stipends run two ways: LFX-style (the admin approves every installment, mentee evaluations
// flagged when missing, a pass needs ratings of 3) and GSoC-style (paid at once, 45% / 55% after evaluations
// 2 and 3, a missing mentee evaluation fails the mentee).

const system = testSystemForFile();
const drive = driver(system);

const good = { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 };
const as = (userId: string, role: 'mentee' | 'mentor' | 'admin', programs: string[] = []) =>
  bearer({ userId, role, programs });
const evaluate = async (id: string, n: number, mentorId: string, body: object, expected = 200) => {
  const response = await system.call(
    'POST',
    `/applications/${id}/evaluations/${n}`,
    { ratings: good, comments: '', ...body },
    await as(mentorId, 'mentor'),
  );
  expect(response.status, JSON.stringify(response.body)).toBe(expected);
  return response;
};
const menteeEvaluation = async (id: string, n: number, menteeId: string, share = false, expected = 200) => {
  const response = await system.call(
    'POST',
    `/applications/${id}/evaluations/${n}/mentee-evaluation`,
    {
      ratings: { mentor: 5, program: 4 },
      comments: `Evaluation ${n} from ${menteeId}`,
      shareWithMentor: share,
    },
    await as(menteeId, 'mentee'),
  );
  expect(response.status, JSON.stringify(response.body)).toBe(expected);
  return response;
};
// the workflow holds free text sealed with the mentee's key (privacy/personal-texts.ts): opened to compare
const status = async (id: string) =>
  new PersonalTexts(system.sql, TEST_KEYRING).open(
    await system.env.client.workflow.getHandle(menteeWorkflowId(id)).query(statusQuery),
  );
const kindsTo = (id: string, to: 'mentee' | 'mentor' | 'admin') =>
  system.resend
    .emails()
    .filter(
      (e) => e.idempotencyKey?.startsWith(`${menteeWorkflowId(id)}/`) && e.idempotencyKey.endsWith(`/${to}`),
    )
    .map((e) => e.tags?.find((t) => t.name === 'kind')?.value);
const ledger = async (id: string) =>
  (
    await system.sql<{ installment: number; status: string; amount: string }[]>`
      SELECT installment, status, amount_cents::text AS amount FROM stipend_payments
      WHERE application_id = ${id} ORDER BY installment`
  ).map((r) => `${r.installment}:${r.status}:${r.amount}`);
/** From applied to active, all at once: prerequisites during the review, then selection and onboarding. */
async function makeAllActive(ids: string[], closes: number, mentorOf: (id: string) => string) {
  for (const id of ids) await drive.completePrerequisites(id);
  await drive.skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
  for (const id of ids) {
    await drive.select(id, mentorOf(id));
    for (const step of ['contract', 'tax-form', 'payment-details']) {
      await drive.call('POST', `/applications/${id}/onboarding/${step}/complete`);
    }
  }
}
const payoutsOf = (id: string) =>
  system.payments.payouts().filter((p) => p.idempotencyKey.startsWith(`${id}/stipend/`)).length;

describe('an LFX-style program: admin approval, flagged mentee evaluations, recommendations', () => {
  it('approves, declines and re-approves installments, extends an evaluation, ends with or without pay', {
    timeout: 600_000,
  }, async () => {
    const { program, closes, dueAt } = await drive.newProgram({
      evaluationPolicy: { passMinimumRating: 3, menteeEvaluation: 'flag' },
      stipendApproval: { mode: 'admin', remindAfterDays: 3, alertOpsAfterDays: 7 },
      maxExtensionDays: 21,
    });
    const P = program.id;
    const admin = await as('admin-lfx', 'admin', [P]);
    const people = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
    const ids: Record<string, string> = {};
    const mentors: Record<string, string> = {};
    for (const p of people) ids[p] = await drive.apply(P, p);
    for (const p of people) mentors[p] = `mentor-${p}`;
    await makeAllActive(
      people.map((p) => ids[p]!),
      closes,
      (id) => mentors[people.find((p) => ids[p] === id)!]!,
    );

    // evaluation 1: everyone passes; l4 never evaluates the program; l1 shares theirs with the mentor
    await drive.skipTo(dueAt(1) - 3 * DAYS);
    for (const p of people) {
      if (p !== 'l4') await menteeEvaluation(ids[p]!, 1, p, p === 'l1');
      await evaluate(ids[p]!, 1, mentors[p]!, { recommendation: 'pass' });
    }
    // contradictions and limits are a 422 naming the field
    const lowPass = await evaluate(
      ids.l1!,
      2,
      mentors.l1!,
      { recommendation: 'pass', ratings: { ...good, engagement: 2 } },
      409,
    );
    expect(lowPass.body.detail).toMatch(/not due|opens/);
    await drive.skipTo(dueAt(1) + HOURS);
    expect(kindsTo(ids.l4!, 'admin')).toContain('mentee-evaluation-missing');
    expect(kindsTo(ids.l1!, 'admin')).not.toContain('mentee-evaluation-missing');
    expect(kindsTo(ids.l4!, 'mentee')).toContain('mentee-evaluation-reminder');
    // the mentor reads the mentee's evaluation only where it was shared; the admin always
    const mentorView = async (p: string) =>
      (await system.call('GET', `/applications/${ids[p]}`, undefined, await as(mentors[p]!, 'mentor'))).body
        .evaluations[0].menteeEvaluation;
    expect(await mentorView('l1')).toMatchObject({
      sharedWithMentor: true,
      ratings: { mentor: 5, program: 4 },
    });
    expect(await mentorView('l2')).toBeNull();
    const adminView = (await system.call('GET', `/applications/${ids.l2}`, undefined, admin)).body;
    expect(adminView.evaluations[0].menteeEvaluation).toMatchObject({ sharedWithMentor: false });

    // evaluation 2 earns installment 1
    await drive.skipTo(dueAt(2) - 3 * DAYS);
    const refused = await evaluate(
      ids.l1!,
      2,
      mentors.l1!,
      { recommendation: 'pass', ratings: { ...good, engagement: 2 } },
      422,
    );
    expect(refused.body.errors).toEqual([
      { path: 'recommendation', message: expect.stringMatching(/at least 3/) },
    ]);
    const tooLong = await evaluate(
      ids.l3!,
      2,
      mentors.l3!,
      { recommendation: 'extend', extendDays: 30 },
      422,
    );
    expect(tooLong.body.errors).toEqual([{ path: 'extendDays', message: expect.stringMatching(/21 days/) }]);
    const contradiction = await evaluate(
      ids.l1!,
      2,
      mentors.l1!,
      { outcome: 'pass', recommendation: 'terminate-without-pay' },
      422,
    );
    expect(contradiction.body.errors?.[0]?.path).toBe('recommendation');
    for (const p of ['l1', 'l2', 'l4']) {
      if (p !== 'l4') await menteeEvaluation(ids[p]!, 2, p);
      await evaluate(ids[p]!, 2, mentors[p]!, { recommendation: 'pass' });
    }
    await menteeEvaluation(ids.l3!, 2, 'l3');
    await evaluate(ids.l3!, 2, mentors.l3!, { recommendation: 'extend', extendDays: 14 });
    await menteeEvaluation(ids.l5!, 2, 'l5');
    await evaluate(ids.l5!, 2, mentors.l5!, { recommendation: 'terminate-with-pay' });
    await menteeEvaluation(ids.l6!, 2, 'l6');
    await evaluate(ids.l6!, 2, mentors.l6!, { recommendation: 'terminate-without-pay' });

    // earned installments wait for the admin: nothing is paid yet
    await eventually(
      async () => (await status(ids.l1!)).stipend[0]!.state,
      (s) => s === 'awaiting-approval',
      'installment 1 to wait for approval',
    );
    expect(payoutsOf(ids.l1!)).toBe(0);
    const l3 = await status(ids.l3!);
    expect(l3.evaluations[1]!.dueAt).toBe(new Date(dueAt(2) + 14 * DAYS).toISOString());
    expect(l3.evaluations[3]!.dueAt).toBe(new Date(dueAt(4) + 14 * DAYS).toISOString());
    expect(l3.stipend[0]!.state).toBe('scheduled');
    expect(l3.decisions.map((d) => d.action)).toContain('evaluation:2:extended');
    await eventually(
      async () => (await status(ids.l6!)).stage,
      (s) => s === 'terminated',
      'l6 to end',
    );
    expect((await status(ids.l6!)).stipend.map((i) => i.state)).toEqual(['forfeited', 'forfeited']);

    // a decline needs a reason; an automatic program refuses approvals; an unearned installment cannot be approved
    const approve = (p: string, n: number, body: object = { decision: 'approve' }, headers = admin) =>
      system.call('POST', `/applications/${ids[p]}/stipend/${n}/approval`, body, headers);
    expect((await approve('l2', 1, { decision: 'decline' })).status).toBe(422);
    expect((await approve('l1', 2)).status).toBe(409);
    expect((await approve('l1', 1, { decision: 'approve' }, await as(mentors.l1!, 'mentor'))).status).toBe(
      403,
    );

    // two approvals at once: one payout
    const [first, second] = await Promise.all([approve('l1', 1), approve('l1', 1)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.duplicate, second.body.duplicate].sort()).toEqual([false, true]);
    // l2 declined for unfinished tasks, then re-approved: paid once
    const declined = await approve('l2', 1, { decision: 'decline', reason: 'Starter tasks unfinished' });
    expect(declined.status).toBe(200);
    expect(declined.body.installments[0].state).toBe('declined');
    expect(payoutsOf(ids.l2!)).toBe(0);
    // the approval of l5's installment loses the provider's answer, as when a worker crashes mid-call
    const lost = system.payments.loseAnswerAfterAccepting((r) => r.idempotencyKey.startsWith(`${ids.l5}/`));
    expect((await approve('l5', 1)).status).toBe(200);
    await lost;
    expect((await approve('l2', 1)).status).toBe(200);
    for (const p of ['l1', 'l2', 'l5']) {
      await eventually(
        () => ledger(ids[p]!),
        (rows) => rows[0]?.startsWith('1:paid') ?? false,
        `${p} paid`,
      );
      expect(payoutsOf(ids[p]!)).toBe(1);
      // the "paid" email follows the ledger's row
      await eventually(
        async () => kindsTo(ids[p]!, 'mentee'),
        (kinds) => kinds.includes('payment-approved') && kinds.includes('installment-paid'),
        `${p}'s payment emails`,
      );
    }
    const audit = (await status(ids.l2!)).decisions.filter((d) => d.action.startsWith('stipend:1:'));
    expect(audit.map((d) => [d.action, d.by.userId, d.detail])).toEqual([
      ['stipend:1:awaiting-approval', 'workflow', null],
      ['stipend:1:declined', 'admin-lfx', 'Starter tasks unfinished'],
      ['stipend:1:approved', 'admin-lfx', null],
      ['stipend:1:paid', 'workflow', '300000 USD'],
    ]);
    expect((await status(ids.l5!)).stage).toBe('terminated');

    // l4's installment waits: reminded after 3 days, flagged for ops after 7
    await drive.skipTo(dueAt(2) + 5 * DAYS);
    expect(kindsTo(ids.l4!, 'admin')).toContain('approval-reminder');
    await drive.skipTo(dueAt(2) + 8 * DAYS);
    await eventually(
      async () =>
        (
          await system.env.client.workflow.getHandle(menteeWorkflowId(ids.l4!)).describe()
        ).typedSearchAttributes.get(NeedsAttentionKey) ?? [],
      (a) => a.includes('approval-overdue'),
      'the approval to be flagged for ops',
    );
    expect(kindsTo(ids.l4!, 'admin')).toContain('approval-overdue');
    // instead of declining, the admin re-opens l4's evaluation 2, once: the mentor evaluates again
    const reopen = (p: string, headers = admin) =>
      system.call(
        'POST',
        `/applications/${ids[p]}/evaluations/2/reopen`,
        { reason: 'Wrong mentee rated' },
        headers,
      );
    expect((await reopen('l4', await as(mentors.l4!, 'mentor'))).status).toBe(403);
    const paidAlready = await reopen('l2');
    expect(paidAlready.status).toBe(409);
    expect(paidAlready.body.detail).toMatch(/Installment 1, earned by evaluation 2, is paid/);
    const reopened = await reopen('l4');
    expect(reopened.status).toBe(200);
    expect(reopened.body.application.evaluations[1]).toMatchObject({ state: 'open', submittedAt: null });
    expect(reopened.body.application.stipend[0].state).toBe('scheduled');
    expect((await reopen('l4')).body.duplicate).toBe(true);
    await evaluate(ids.l4!, 2, mentors.l4!, { recommendation: 'pass', comments: 'Rated again' });
    expect((await reopen('l4')).status).toBe(409);
    const l4Audit = (await status(ids.l4!)).decisions.map((d) => d.action);
    expect(l4Audit.filter((a) => a.startsWith('evaluation:2:'))).toEqual([
      'evaluation:2:pass',
      'evaluation:2:reopened',
      'evaluation:2:pass',
    ]);
    // the extended evaluation comes round again for l3, then the bulk approval after evaluation 2
    await drive.skipTo(dueAt(2) + 14 * DAYS - 3 * DAYS);
    await evaluate(ids.l3!, 2, mentors.l3!, { recommendation: 'pass' });
    await eventually(
      async () => (await status(ids.l3!)).stipend[0]!.state,
      (s) => s === 'awaiting-approval',
      "l3's extended evaluation to earn its installment",
    );
    const bulk = await system.call(
      'POST',
      `/programs/${P}/stipend-approvals`,
      {
        decision: 'approve',
        afterEvaluation: 2,
      },
      admin,
    );
    expect(bulk.status).toBe(200);
    expect(bulk.body.decided.map((d: { applicationId: string }) => d.applicationId).sort()).toEqual(
      [ids.l3, ids.l4].sort(),
    );
    for (const p of ['l3', 'l4']) {
      await eventually(
        () => ledger(ids[p]!),
        (rows) => rows[0]?.startsWith('1:paid') ?? false,
        `${p} paid`,
      );
    }
    const again = await system.call(
      'POST',
      `/programs/${P}/stipend-approvals`,
      { decision: 'approve' },
      admin,
    );
    expect(again.body.decided).toEqual([]);
    // every payout once
    for (const p of ['l1', 'l2', 'l3', 'l4', 'l5']) expect(payoutsOf(ids[p]!)).toBe(1);
    expect(payoutsOf(ids.l6!)).toBe(0);
  });
});

describe('a GSoC-style program: paid at once, a missing mentee evaluation fails', () => {
  it('pays 45% and 55% without approval and ends a mentee who does not evaluate', {
    timeout: 600_000,
  }, async () => {
    const now = await system.env.currentTimeMs();
    const { program, closes, dueAt } = await drive.newProgram({
      id: `gsoc-${now % 100_000}`,
      evaluations: SCHEDULE.evaluations
        .slice(1)
        .map((offset) => ({ dueAt: new Date(now + DAYS + offset).toISOString() })),
      stipend: {
        total: 3000,
        installments: [
          { afterEvaluation: 2, percent: 45 },
          { afterEvaluation: 3, percent: 55 },
        ],
      },
      evaluationPolicy: { passMinimumRating: null, menteeEvaluation: 'fail' },
    });
    const due = (n: number) => dueAt(n + 1);
    const g1 = await drive.apply(program.id, 'g1');
    const g2 = await drive.apply(program.id, 'g2');
    const [m1, m2] = ['mentor-g1', 'mentor-g2'];
    await makeAllActive([g1, g2], closes, (id) => (id === g1 ? m1 : m2));
    await drive.skipTo(due(1) - 3 * DAYS);
    await menteeEvaluation(g1, 1, 'g1');
    await evaluate(g1, 1, m1, { outcome: 'pass' });
    await evaluate(g2, 1, m2, { outcome: 'pass' });
    // g2 never evaluates: after the due date and the grace period, the mentorship ends
    await drive.skipTo(due(1) + 4 * DAYS);
    await eventually(
      async () => (await status(g2)).stage,
      (s) => s === 'terminated',
      'g2 to fail',
    );
    expect((await status(g2)).outcomeReason).toBe("The mentee's evaluation 1 was not submitted in time");
    expect(kindsTo(g2, 'mentee')).toContain('mentee-evaluation-reminder');

    await drive.skipTo(due(2) - 3 * DAYS);
    await menteeEvaluation(g1, 2, 'g1');
    await evaluate(g1, 2, m1, { outcome: 'pass' });
    await eventually(
      () => ledger(g1),
      (rows) => rows.length === 1,
      'the first installment',
    );
    await drive.skipTo(due(3) - 3 * DAYS);
    await menteeEvaluation(g1, 3, 'g1');
    await evaluate(g1, 3, m1, { outcome: 'pass' });
    await drive.finishParticipation(g1);
    await eventually(
      () => ledger(g1),
      (rows) => rows.length === 2,
      'both installments',
    );
    expect(await ledger(g1)).toEqual(['1:paid:135000', '2:paid:165000']);
    expect(kindsTo(g1, 'mentee')).not.toContain('payment-approved');
    const approval = await system.call('POST', `/applications/${g1}/stipend/1/approval`, {
      decision: 'approve',
    });
    expect(approval.status).toBe(422);
    expect((approval as ApiResponse).body.detail).toMatch(/without approval/);
  });
});

describe('a mentee who leaves while their own evaluation is still awaited', () => {
  it('withdraws cleanly after an early evaluation, without the alert and without a failed task', {
    timeout: 300_000,
  }, async () => {
    const { program, closes, dueAt } = await drive.newProgram({
      evaluationPolicy: { menteeEvaluation: 'flag' },
    });
    const id = await drive.apply(program.id, 'leaver');
    await makeAllActive([id], closes, () => 'mentor-leaver');
    await drive.skipTo(dueAt(1) - 3 * DAYS);
    await evaluate(id, 1, 'mentor-leaver', { recommendation: 'pass' });
    const handle = system.env.client.workflow.getHandle(menteeWorkflowId(id));
    const leaving = system.call(
      'POST',
      `/applications/${id}/withdraw`,
      { reason: 'A job offer' },
      await as('leaver', 'mentee'),
    );
    const left = await leaving;
    expect(left.status).toBe(200);
    expect(left.body.application.stage).toBe('withdrawn');
    expect(await new PersonalTexts(system.sql, TEST_KEYRING).open(await handle.result())).toEqual({
      stage: 'withdrawn',
      reason: 'A job offer',
    });
    const history = await handle.fetchHistory();
    const failedTasks = history.events?.filter((e) => e.workflowTaskFailedEventAttributes) ?? [];
    expect(failedTasks).toEqual([]);
    expect(kindsTo(id, 'admin')).not.toContain('mentee-evaluation-missing');
  });
});
