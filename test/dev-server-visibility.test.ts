import type { UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Actor,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  type MessageResult,
  nextStepQuery,
  recordProgressUpdate,
  retryPaymentUpdate,
  submitEvaluationUpdate,
  submitFeedbackSurveyUpdate,
} from '../domain/messages.js';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { CUSTOM_SEARCH_ATTRIBUTES, NextDeadlineKey } from '../domain/search-attributes.js';
import { apply, findApplication, sendMessage } from '../mentees/client.js';
import { bearer } from './support/auth.js';
import { startDevSystem } from './support/dev-system.js';
import { PREREQUISITES, programFixture } from './support/programs.js';

const { IndexedValueType } = temporal.api.enums.v1;
const OPS = { userId: 'ops-visibility', role: 'ops' } as const;

let system: Awaited<ReturnType<typeof startDevSystem>>;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  system = await startDevSystem('visibility-test');
  worker = await system.newWorker();
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await system?.stop();
});

describe('on the real dev server', () => {
  it('registers the custom search attributes', async () => {
    const { customAttributes } = await system.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    const registered = Object.fromEntries(
      Object.entries(customAttributes ?? {}).map(([name, type]) => [name, IndexedValueType[type as number]]),
    );
    for (const [name, type] of Object.entries(CUSTOM_SEARCH_ATTRIBUTES)) {
      const sdkName = type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      expect(registered[name], name).toBe(`INDEXED_VALUE_TYPE_${sdkName}`);
    }
  });

  it('finds mentees by stage and program with a visibility query', async () => {
    const now = Date.now();
    const input = ProgramInput.parse(programFixture(now));
    const created = await system.app.request('/programs', {
      method: 'POST',
      body: JSON.stringify(programFixture(now, { id: input.id })),
      headers: { 'content-type': 'application/json', ...(await bearer(OPS)) },
    });
    expect(created.status).toBe(201);
    // The real server cannot skip time: pin a review window of seconds into these workflows.
    const rules = {
      ...rulesOf(input),
      reviewClosesAt: new Date(now + 6_000).toISOString(),
      reviewReminderAt: null,
    };
    const { deps, client } = system;
    const ready: string[] = [];
    const missing: string[] = [];
    for (let i = 0; i < 6; i++) {
      const mentee = { id: `vis-${i}`, name: `Mentee ${i}`, email: `vis-${i}@example.org` };
      const { applicationId } = await apply(deps, { id: input.id, rules }, mentee, '');
      const application = await findApplication(system.sql, applicationId);
      const done = i % 2 === 0 ? PREREQUISITES : PREREQUISITES.slice(1);
      for (const p of done)
        await sendMessage(client, application, completePrerequisiteUpdate, { prerequisiteId: p.id });
      (i % 2 === 0 ? ready : missing).push(application.workflowId);
    }

    const idsWhere = async (query: string) => {
      const ids: string[] = [];
      for await (const workflow of client.workflow.list({ query })) ids.push(workflow.workflowId);
      return ids.sort();
    };
    const program = `ProgramId = '${input.id}'`;
    expect(await idsWhere(`${program} AND MenteeStage = 'in_review'`)).toHaveLength(6);
    await vi.waitFor(
      async () => {
        expect(await idsWhere(`${program} AND MenteeStage = 'awaiting_selection'`)).toEqual(ready.sort());
        expect(await idsWhere(`${program} AND MenteeStage = 'not_accepted'`)).toEqual(missing.sort());
      },
      { timeout: 30_000, interval: 500 },
    );
    expect(await idsWhere(`${program} AND MenteeStage = 'in_review'`)).toEqual([]);
  });
});

/**
 * What ops see in the Temporal UI, on the real server's visibility store: a small cohort on a schedule of
 * seconds, checked at several stages by every search attribute, the nextStep query and the current details.
 */
describe('the ops view of a cohort', () => {
  const ops: Actor = { userId: OPS.userId, role: 'ops' };
  const mentorOf = (key: string) => `mentor-${key}`;

  it('answers who is where, what is next and who needs attention, by each search attribute', async () => {
    const { client, sql } = system;
    const t0 = Date.now();
    const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
    const input = ProgramInput.parse(programFixture(t0));
    const other = ProgramInput.parse(programFixture(t0, { term: '2026 Term 3' }));
    for (const created of [input, other]) {
      const response = await system.app.request('/programs', {
        method: 'POST',
        body: JSON.stringify(programFixture(t0, { id: created.id, term: created.term })),
        headers: { 'content-type': 'application/json', ...(await bearer(OPS)) },
      });
      expect(response.status).toBe(201);
    }
    const base = rulesOf(input);
    // Deadlines seconds apart; evaluations open at once so a mentor can submit as soon as onboarding is done.
    const schedule = {
      reviewClosesAt: at(20),
      reviewReminderAt: null,
      selectionDeadline: at(40),
      onboardingDeadline: at(60),
      termStartsAt: at(0),
      termEndsAt: at(120),
      completionDeadline: at(150),
      evaluations: [
        { number: 1, opensAt: at(0), remindAt: null, dueAt: at(80) },
        { number: 2, opensAt: at(0), remindAt: null, dueAt: at(120) },
      ],
      missedEvaluation: { graceDays: 0, outcome: 'keep-waiting' as const },
      stipend: {
        ...base.stipend,
        installments: [
          { number: 1, afterEvaluation: 1, percent: 50 },
          { number: 2, afterEvaluation: 2, percent: 50 },
        ],
      },
    };
    const rules = { ...base, ...schedule };
    const otherRules = { ...rulesOf(other), ...schedule };

    // not-accepted, declined, completes, overdue (evaluation 1), lapses (onboarding), unselected, payment (rejected payee)
    const keys = ['missing', 'declined', 'completes', 'overdue', 'lapses', 'unselected', 'payment'] as const;
    type Key = (typeof keys)[number] | 'other';
    const ids = {} as Record<Key, string>;
    const rows = {} as Record<Key, Awaited<ReturnType<typeof findApplication>>>;
    const menteeId = (key: Key) => `ops-${key}-${t0}`;
    system.payments.rejectPayee(menteeId('payment'), 'IBAN does not exist');
    // in parallel: the schedule runs in real time
    const applyOne = async (key: Key) => {
      const mentee = { id: menteeId(key), name: `Mentee ${key}`, email: `${key}@example.org` };
      const program = key === 'other' ? { id: other.id, rules: otherRules } : { id: input.id, rules };
      const { applicationId } = await apply(system.deps, program, mentee, '');
      rows[key] = await findApplication(sql, applicationId);
      ids[key] = rows[key].workflowId;
      const prerequisites = key === 'missing' ? PREREQUISITES.slice(1) : PREREQUISITES;
      for (const p of prerequisites)
        await sendMessage(client, rows[key], completePrerequisiteUpdate, { prerequisiteId: p.id });
    };
    await Promise.all([...keys, 'other' as const].map(applyOne));
    const send = <A>(key: Key, update: UpdateDefinition<MessageResult, [A]>, arg: A) =>
      sendMessage(client, rows[key], update, arg);
    const handle = (key: Key) => client.workflow.getHandle(ids[key]);
    const nextStep = (key: Key) => handle(key).query(nextStepQuery);
    const details = async (key: Key) =>
      (await handle(key).query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ??
      '';
    const program = `ProgramId = '${input.id}'`;
    // Datetime equality depends on the store's precision; a one-second range does not.
    const deadlineAt = (seconds: number) =>
      `NextDeadline BETWEEN '${at(seconds - 0.5)}' AND '${at(seconds + 0.5)}'`;
    const keysWhere = async (query: string) => {
      const found: string[] = [];
      for await (const w of client.workflow.list({ query: `${program} AND ${query}` }))
        found.push(w.workflowId);
      return found.map((id) => (Object.keys(ids) as Key[]).find((key) => ids[key] === id) ?? id).sort();
    };
    /** Visibility is eventually consistent: wait until the query returns exactly these mentees. */
    const expectWhere = (query: string, expected: Key[]) =>
      vi.waitFor(async () => expect(await keysWhere(query), query).toEqual([...expected].sort()), {
        timeout: 30_000,
        interval: 300,
      });
    const allButOther = [...keys];

    // 1. In review: everyone's next deadline is the close of the review window.
    await expectWhere(`MenteeStage = 'in_review'`, allButOther);
    await expectWhere(`ProgramTerm = '2026 Term 2'`, allButOther);
    expect(await keysWhere(`ProgramTerm = '2026 Term 3'`)).toEqual([]);
    await expectWhere(deadlineAt(20), allButOther);
    await expectWhere(`EvaluationsPassed = 0 AND InstallmentsPaid = 0`, allButOther);
    const described = await handle('completes').describe();
    expect(await described.staticSummary()).toBe(`Mentee in LFX Mentorship 2026 Term 2 (${input.id})`);
    expect(await described.staticDetails()).toContain(
      `- Evaluation 2 due ${at(120).slice(0, 16).replace('T', ' ')} UTC`,
    );
    expect(await nextStep('missing')).toEqual({
      stage: 'in_review',
      what: 'Applicant completes prerequisites: intro-call',
      deadline: at(20),
      waitingFor: 'mentee',
      timer: { summary: 'Review window closes', firesAt: at(20) },
      needsAttention: [],
    });
    expect(await nextStep('completes')).toMatchObject({ what: 'Review window closes', waitingFor: 'nobody' });
    expect(await details('missing')).toContain('**Stage:** in_review');
    expect(await details('missing')).toContain('- Prerequisites: 2 of 3 done (open: intro-call)');

    // 2. The review closes: selection and onboarding.
    await expectWhere(`MenteeStage = 'not_accepted'`, ['missing']);
    await expectWhere(`MenteeStage = 'awaiting_selection' AND ${deadlineAt(40)}`, [
      'declined',
      'completes',
      'overdue',
      'lapses',
      'unselected',
      'payment',
    ]);
    expect(await keysWhere(`NextDeadline IS NULL`)).toEqual(['missing']);
    expect(await nextStep('unselected')).toMatchObject({
      what: 'A mentor or admin selects or declines the applicant',
      deadline: at(40),
      waitingFor: 'mentor',
      timer: { summary: 'Selection deadline', firesAt: at(40) },
    });
    await send('declined', decideSelectionUpdate, { by: ops, decision: 'decline', reason: 'No project fit' });
    const selectAndOnboard = async (key: Key) => {
      await sql`INSERT INTO mentors (id, name, email) VALUES (${mentorOf(key)}, 'Mentor', ${`${key}-mentor@example.org`})`;
      await send(key, decideSelectionUpdate, {
        by: ops,
        decision: 'select',
        mentor: { id: mentorOf(key) },
        projectTitle: 'Faster builds',
      });
      const steps = key === 'lapses' ? ['contract'] : ['contract', 'tax-form', 'payment-details'];
      for (const stepId of steps) await send(key, completeOnboardingStepUpdate, { stepId, by: ops });
    };
    await Promise.all((['completes', 'overdue', 'lapses', 'payment'] as const).map(selectAndOnboard));
    await expectWhere(`MenteeStage = 'declined'`, ['declined']);
    await expectWhere(`MenteeStage = 'active' AND ${deadlineAt(80)}`, ['completes', 'overdue', 'payment']);
    // the saved query "in onboarding with the deadline before <instant>"
    await expectWhere(`MenteeStage = 'onboarding' AND NextDeadline < '${at(61)}'`, ['lapses']);
    expect(await nextStep('lapses')).toMatchObject({
      what: 'Mentee completes onboarding: tax-form, payment-details',
      deadline: at(60),
      waitingFor: 'mentee',
      timer: { summary: 'Onboarding deadline', firesAt: at(60) },
    });
    // once the onboarding-complete email is out, the workflow sleeps on the evaluation's timer
    await vi.waitFor(async () =>
      expect(await nextStep('overdue')).toEqual({
        stage: 'active',
        what: 'Mentor submits evaluation 1',
        deadline: at(80),
        waitingFor: 'mentor',
        timer: { summary: 'Remind the mentor of evaluation 1', firesAt: at(80) },
        needsAttention: [],
      }),
    );

    // 3. Evaluations and payments: one completes, one payout is rejected and retried.
    const evaluate = (key: Key, number: number) =>
      send(key, submitEvaluationUpdate, {
        number,
        mentorId: mentorOf(key),
        ratings: { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 },
        comments: 'Good work',
        outcome: 'pass' as const,
      });
    await evaluate('completes', 1);
    await evaluate('payment', 1);
    await expectWhere(`EvaluationsPassed = 1`, ['completes', 'payment']);
    await expectWhere(`InstallmentsPaid = 1`, ['completes']);
    await expectWhere(`NeedsAttention = 'payment-failed'`, ['payment']);
    expect(await nextStep('payment')).toMatchObject({
      what: "Ops fix the payee's details and retry stipend installment 1",
      deadline: null,
      waitingFor: 'ops',
      needsAttention: ['payment-failed'],
    });
    expect(await details('payment')).toContain('**Needs attention:** payment-failed');
    system.payments.fixPayee(menteeId('payment'));
    await send('payment', retryPaymentUpdate, { by: ops });
    await expectWhere(`InstallmentsPaid = 1`, ['completes', 'payment']);
    await expectWhere(`NeedsAttention = 'payment-failed'`, []);

    await evaluate('completes', 2);
    for (const item of rules.participation)
      await send('completes', recordProgressUpdate, { itemId: item.id, by: ops });
    await send('completes', submitFeedbackSurveyUpdate, { by: ops, rating: 5, comments: 'Thanks' });
    await expectWhere(`MenteeStage = 'completed' AND EvaluationsPassed = 2 AND InstallmentsPaid = 2`, [
      'completes',
    ]);
    await handle('completes').result();
    expect((await handle('completes').describe()).typedSearchAttributes.get(NextDeadlineKey)).toBeUndefined();
    expect(await nextStep('completes')).toMatchObject({
      stage: 'completed',
      what: null,
      waitingFor: 'nobody',
    });
    const { events } = await handle('completes').fetchHistory();
    const upserts = events?.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes).length ?? 0;
    console.info(`completed mentee: ${events?.length} history events, ${upserts} search attribute upserts`);
    expect(upserts).toBeLessThanOrEqual(10);

    // 4. Deadlines pass: not selected, offer lapsed, evaluation overdue.
    await expectWhere(`MenteeStage = 'not_selected'`, ['unselected']);
    await expectWhere(`MenteeStage = 'offer_lapsed'`, ['lapses']);
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(t0 + 80_000), {
      timeout: 60_000,
      interval: 500,
    });
    await expectWhere(`NeedsAttention = 'evaluation-overdue'`, ['overdue']);
    await expectWhere(`NeedsAttention = 'evaluation-overdue' AND MenteeStage = 'active'`, ['overdue']);
    await expectWhere(`NeedsAttention IS NOT NULL`, ['overdue']);
    expect(await nextStep('overdue')).toEqual({
      stage: 'active',
      what: 'Mentor submits evaluation 1 (overdue)',
      deadline: null,
      waitingFor: 'mentor',
      timer: null,
      needsAttention: ['evaluation-overdue'],
    });
    expect(await details('overdue')).toContain('- Evaluations: 1 overdue;');
    await expectWhere(`NextDeadline IS NOT NULL`, ['payment']);
    // the other program's mentee is never in this program's answers, and only in its own term
    expect(await keysWhere(`MenteeStage = 'awaiting_selection'`)).toEqual([]);
    const otherTerm: string[] = [];
    for await (const w of client.workflow.list({ query: `ProgramTerm = '2026 Term 3'` }))
      otherTerm.push(w.workflowId);
    expect(otherTerm).toEqual([ids.other]);
  });
});
