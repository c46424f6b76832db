import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from '../domain/messages.js';
import { ProgramInput, type ProgramRules, rulesOf } from '../domain/program.js';
import { MenteeState } from '../workflows/state.js';
import { programFixture } from './support/programs.js';

// Pure unit tests of the mentee's state and its derived views: no Temporal server, no database.

const RULES: ProgramRules = rulesOf(
  ProgramInput.parse(programFixture(Date.parse('2027-01-01T00:00:00.000Z'), { id: 'lfx-test' })),
);
const MENTOR: Actor = { userId: 'mentor-ada', role: 'mentor' };
const DUE = [
  '2027-02-16T00:00:00.000Z',
  '2027-03-09T00:00:00.000Z',
  '2027-03-30T00:00:00.000Z',
  '2027-04-20T00:00:00.000Z',
];

const mentee = (rules: ProgramRules = RULES) => new MenteeState('app-1', rules);

function submit(m: MenteeState, number: number, outcome: 'pass' | 'fail' = 'pass') {
  m.evaluations.set(number, {
    mentorId: MENTOR.userId,
    ratings: { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 },
    comments: '',
    outcome,
    submittedAt: '2027-02-15T00:00:00.000Z',
  });
}

function activeMentee(): MenteeState {
  const m = mentee();
  m.stage = 'active';
  m.selection = {
    decision: 'select',
    mentorId: MENTOR.userId,
    projectTitle: 'Faster builds',
    reason: null,
    decidedAt: '2027-01-17T00:00:00.000Z',
  };
  return m;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2027-01-05T00:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('extend', () => {
  it('moves only the deadlines still ahead, and counts the days', () => {
    const m = mentee();
    // between the selection deadline (01-19) and the onboarding deadline (01-24)
    m.extend(7, Date.parse('2027-01-20T00:00:00.000Z'));
    expect(m.schedule.selectionDeadline).toBe('2027-01-19T00:00:00.000Z');
    expect(m.schedule.onboardingDeadline).toBe('2027-01-31T00:00:00.000Z');
    expect(m.schedule.termStartsAt).toBe('2027-02-02T00:00:00.000Z');
    expect(m.schedule.termEndsAt).toBe('2027-04-27T00:00:00.000Z');
    expect(m.schedule.completionDeadline).toBe('2027-05-11T00:00:00.000Z');
    expect(m.evaluation(1)).toEqual({
      number: 1,
      opensAt: '2027-02-16T00:00:00.000Z',
      remindAt: '2027-02-21T00:00:00.000Z',
      dueAt: '2027-02-23T00:00:00.000Z',
    });
    expect(m.extensionDays).toBe(7);
    expect(m.scheduleVersion).toBe(1);
    // the pinned rules stay as they were
    expect(m.rules.termEndsAt).toBe('2027-04-20T00:00:00.000Z');
  });

  it('leaves a submitted evaluation where it was, and an opened one open', () => {
    const m = activeMentee();
    submit(m, 1);
    // evaluation 2 opened on 03-02 and is due 03-09
    m.extend(10, Date.parse('2027-03-05T00:00:00.000Z'));
    expect(m.evaluation(1).dueAt).toBe(DUE[0]);
    expect(m.evaluation(2)).toEqual({
      number: 2,
      opensAt: '2027-03-02T00:00:00.000Z',
      remindAt: '2027-03-17T00:00:00.000Z',
      dueAt: '2027-03-19T00:00:00.000Z',
    });
    expect(m.evaluation(4).dueAt).toBe('2027-04-30T00:00:00.000Z');
  });
});

describe('adoptSchedule', () => {
  const moved: ProgramRules = {
    ...RULES,
    termEndsAt: '2027-05-04T00:00:00.000Z',
    completionDeadline: '2027-05-18T00:00:00.000Z',
    evaluations: RULES.evaluations.map((e) =>
      e.number === 4
        ? {
            number: 4,
            opensAt: '2027-04-27T00:00:00.000Z',
            remindAt: '2027-05-02T00:00:00.000Z',
            dueAt: '2027-05-04T00:00:00.000Z',
          }
        : e,
    ),
  };

  it("takes the program's new dates shifted by this mentee's extension", () => {
    const m = activeMentee();
    m.extend(7, Date.parse('2027-01-20T00:00:00.000Z'));
    expect(m.adoptSchedule(moved)).toBe(true);
    expect(m.schedule.termEndsAt).toBe('2027-05-11T00:00:00.000Z');
    expect(m.schedule.completionDeadline).toBe('2027-05-25T00:00:00.000Z');
    expect(m.evaluation(4).dueAt).toBe('2027-05-11T00:00:00.000Z');
    expect(m.evaluation(3).dueAt).toBe('2027-04-06T00:00:00.000Z');
    expect(m.extensionDays).toBe(7);
    expect(m.scheduleVersion).toBe(2);
    // the same rules again change nothing
    expect(m.adoptSchedule(moved)).toBe(false);
    expect(m.scheduleVersion).toBe(2);
  });

  it('keeps evaluations already submitted or missed', () => {
    const m = activeMentee();
    const earlier = {
      ...RULES,
      evaluations: RULES.evaluations.map((e) => ({ ...e, dueAt: '2027-02-01T00:00:00.000Z' })),
    };
    submit(m, 1);
    m.missed.add(2);
    expect(m.adoptSchedule(earlier)).toBe(true);
    expect(m.schedule.evaluations.map((e) => e.dueAt)).toEqual([
      DUE[0],
      DUE[1],
      '2027-02-01T00:00:00.000Z',
      '2027-02-01T00:00:00.000Z',
    ]);
  });
});

describe('currentEvaluation', () => {
  it('is the first evaluation without a result', () => {
    const m = activeMentee();
    expect(m.currentEvaluation()).toBe(1);
    submit(m, 1);
    expect(m.currentEvaluation()).toBe(2);
    m.missed.add(2);
    expect(m.currentEvaluation()).toBe(3);
    submit(m, 3, 'fail');
    submit(m, 4);
    expect(m.currentEvaluation()).toBeNull();
  });
});

describe('graceEndsAt', () => {
  it("is the due date plus the grace days under the 'fail' policy, none under 'keep-waiting'", () => {
    expect(mentee().graceEndsAt(2)).toBe('2027-03-12T00:00:00.000Z');
    const waiting = mentee({ ...RULES, missedEvaluation: { graceDays: 3, outcome: 'keep-waiting' } });
    expect(waiting.graceEndsAt(2)).toBeNull();
  });
});

describe('needsAttention', () => {
  it('lists an overdue evaluation still open and a rejected payment, sorted', () => {
    const m = activeMentee();
    expect(m.needsAttention()).toEqual([]);
    m.overdue.add(1);
    expect(m.needsAttention()).toEqual(['evaluation-overdue']);
    m.installments[0]!.state = 'payment-failed';
    expect(m.needsAttention()).toEqual(['evaluation-overdue', 'payment-failed']);
    submit(m, 1);
    expect(m.needsAttention()).toEqual(['payment-failed']);
  });

  it('drops an overdue evaluation once missed or the mentorship has ended, but not a payment owed', () => {
    const m = activeMentee();
    m.overdue.add(2);
    m.missed.add(2);
    expect(m.needsAttention()).toEqual([]);
    m.overdue.add(3);
    m.stage = 'terminated';
    m.installments[1]!.state = 'payment-failed';
    expect(m.needsAttention()).toEqual(['payment-failed']);
  });
});

describe('next and nextStep per stage', () => {
  const timer = { summary: 'Review window closes', firesAt: '2027-01-16T00:00:00.000Z' };

  it('in review: the open prerequisites, then the window closing', () => {
    const m = mentee();
    expect(m.nextStep(timer)).toEqual({
      stage: 'in_review',
      what: 'Applicant completes prerequisites: intro-call, first-contribution, cover-letter',
      deadline: '2027-01-16T00:00:00.000Z',
      waitingFor: 'mentee',
      timer,
      needsAttention: [],
    });
    for (const p of RULES.prerequisites) m.prerequisitesDone.add(p.id);
    expect(m.next()).toEqual({ what: 'Review window closes', deadline: '2027-01-16T00:00:00.000Z' });
    expect(m.nextStep(null).waitingFor).toBe('nobody');
  });

  it('awaiting selection and onboarding', () => {
    const m = mentee();
    m.stage = 'awaiting_selection';
    expect(m.nextStep(null)).toMatchObject({
      what: 'A mentor or admin selects or declines the applicant',
      deadline: '2027-01-19T00:00:00.000Z',
      waitingFor: 'mentor',
    });
    m.stage = 'onboarding';
    m.onboardingDone.add('contract');
    expect(m.nextStep(null)).toMatchObject({
      what: 'Mentee completes onboarding: tax-form, payment-details',
      deadline: '2027-01-24T00:00:00.000Z',
      waitingFor: 'mentee',
    });
  });

  it('active: the evaluation due, overdue until the grace ends, then what completion still needs', () => {
    const m = activeMentee();
    expect(m.nextStep(null)).toMatchObject({
      what: 'Mentor submits evaluation 1',
      deadline: DUE[0],
      waitingFor: 'mentor',
    });
    m.overdue.add(1);
    expect(m.nextStep(null)).toMatchObject({
      what: 'Mentor submits evaluation 1 (overdue)',
      deadline: '2027-02-19T00:00:00.000Z',
      waitingFor: 'mentor',
      needsAttention: ['evaluation-overdue'],
    });
    for (const n of [1, 2, 3, 4]) submit(m, n);
    m.participationDone.add('project-plan').add('starter-docs');
    expect(m.nextStep(null)).toMatchObject({
      what: 'Mentee completes: milestone-1, milestone-2, feedback-survey',
      deadline: '2027-05-04T00:00:00.000Z',
      waitingFor: 'mentee',
    });
    m.participationDone.add('milestone-1').add('milestone-2');
    m.feedback = { rating: 5, comments: '', submittedAt: '2027-04-21T00:00:00.000Z' };
    expect(m.next()?.what).toBe('Mentee completes: nothing left');
  });

  it('a rejected payment waits for ops, before anything else', () => {
    const m = activeMentee();
    m.installments[0]!.state = 'payment-failed';
    expect(m.nextStep(null)).toEqual({
      stage: 'active',
      what: "Ops fix the payee's details and retry stipend installment 1",
      deadline: null,
      waitingFor: 'ops',
      timer: null,
      needsAttention: ['payment-failed'],
    });
  });

  it('ended: nothing next, nobody to wait for', () => {
    const m = activeMentee();
    m.stage = 'completed';
    expect(m.next()).toBeNull();
    expect(m.nextStep(null)).toEqual({
      stage: 'completed',
      what: null,
      deadline: null,
      waitingFor: 'nobody',
      timer: null,
      needsAttention: [],
    });
  });
});

describe('status', () => {
  it("reports every step's progress as the read model stores it", () => {
    vi.setSystemTime(new Date('2027-03-03T00:00:00.000Z')); // evaluation 2 opened on 03-02
    const m = activeMentee();
    m.prerequisitesDone.add('intro-call').add('cover-letter').add('first-contribution');
    for (const s of RULES.onboardingSteps) m.onboardingDone.add(s.id);
    m.participationDone.add('project-plan');
    m.phoneCallRecordedAt = '2027-01-18T00:00:00.000Z';
    submit(m, 1);
    m.installments[0]!.amountCents = 300000;
    m.record('extended', { userId: 'admin-1', role: 'admin' }, '7 days: illness');

    const status = m.status(12);
    expect(status).toMatchObject({
      applicationId: 'app-1',
      programId: 'lfx-test',
      stage: 'active',
      version: 12,
      reviewClosesAt: '2027-01-16T00:00:00.000Z',
      prerequisites: { done: ['intro-call', 'first-contribution', 'cover-letter'], open: [] },
      selection: {
        mentorId: 'mentor-ada',
        projectTitle: 'Faster builds',
        decidedAt: '2027-01-17T00:00:00.000Z',
        phoneCallRecordedAt: '2027-01-18T00:00:00.000Z',
      },
      onboarding: {
        deadline: '2027-01-24T00:00:00.000Z',
        done: ['contract', 'tax-form', 'payment-details'],
        open: [],
      },
      participation: { done: ['project-plan'], open: ['starter-docs', 'milestone-1', 'milestone-2'] },
      feedbackSubmitted: false,
      extensionDays: 0,
      termEndsAt: '2027-04-20T00:00:00.000Z',
      certificateCode: null,
      next: { what: 'Mentor submits evaluation 2', deadline: DUE[1] },
      outcomeReason: null,
      updatedAt: '2027-03-03T00:00:00.000Z',
    });
    expect(status.evaluations.map((e) => [e.number, e.state, e.outcome])).toEqual([
      [1, 'passed', 'pass'],
      [2, 'open', null],
      [3, 'upcoming', null],
      [4, 'upcoming', null],
    ]);
    expect(status.stipend).toEqual([
      {
        number: 1,
        afterEvaluation: 2,
        amountCents: 300000,
        currency: 'USD',
        state: 'scheduled',
        paidAt: null,
      },
      { number: 2, afterEvaluation: 4, amountCents: null, currency: 'USD', state: 'scheduled', paidAt: null },
    ]);
    expect(status.decisions).toEqual([
      {
        action: 'extended',
        by: { userId: 'admin-1', role: 'admin' },
        at: '2027-03-03T00:00:00.000Z',
        detail: '7 days: illness',
      },
    ]);
  });

  it('shows overdue, missed and failed evaluations, no selection for a decline, and copies what it lists', () => {
    const m = mentee();
    m.stage = 'declined';
    m.selection = { decision: 'decline', mentorId: null, projectTitle: null, reason: 'full', decidedAt: 'x' };
    m.overdue.add(1);
    m.missed.add(2);
    submit(m, 3, 'fail');
    const status = m.status(1);
    expect(status.selection).toBeNull();
    expect(status.evaluations.map((e) => e.state)).toEqual(['overdue', 'missed', 'failed', 'upcoming']);
    status.stipend[0]!.state = 'paid';
    status.decisions.push({ action: 'x', by: MENTOR, at: 'x', detail: null });
    expect(m.installments[0]!.state).toBe('scheduled');
    expect(m.decisions).toEqual([]);
  });
});
