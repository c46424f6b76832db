import { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmailMessage, Recipient } from '../domain/emails.js';
import { type Actor, type EvaluationSubmission, Rejections } from '../domain/messages.js';
import { ProgramInput, type ProgramRules, rulesOf } from '../domain/program.js';
import type { Stage } from '../domain/stages.js';
import { type MessageEffects, type MessageHandler, messageHandlers } from '../workflows/handlers.js';
import { MenteeState } from '../workflows/state.js';
import { programFixture } from './support/programs.js';

// Pure unit tests of the message handlers: no Temporal server, no database.

const RULES: ProgramRules = rulesOf(
  ProgramInput.parse(programFixture(Date.parse('2027-01-01T00:00:00.000Z'), { id: 'lfx-test' })),
);
const MENTEE: Actor = { userId: 'u-1', role: 'mentee' };
const ADMIN: Actor = { userId: 'admin-1', role: 'admin' };
const MENTOR_ID = 'mentor-ada';

function mentee(stage: Stage, rules: ProgramRules = RULES): MenteeState {
  const m = new MenteeState('app-1', rules);
  m.stage = stage;
  return m;
}

/** A mentee whose mentor selected them, in `stage`. */
function selected(stage: Stage): MenteeState {
  const m = mentee(stage);
  m.selection = {
    decision: 'select',
    mentorId: MENTOR_ID,
    projectTitle: 'Faster builds',
    reason: null,
    decidedAt: '2027-01-17T00:00:00.000Z',
  };
  return m;
}

function fakeEffects(rejectedInstallments: number[] = []) {
  const sent: { to: Recipient; message: EmailMessage; key: string }[] = [];
  let stops = 0;
  const effects: MessageEffects = {
    email: (to, message, key) => {
      sent.push({ to, message, key });
    },
    retryRejectedPayments: () => rejectedInstallments.splice(0),
    stopLifecycle: () => {
      stops++;
    },
    claimSeat: () => undefined,
  };
  return { effects, sent, stops: () => stops };
}

/** The failure a validator threw, or null when it accepted the message. */
function rejection(validate: () => void): { type: string | undefined | null; message: string } | null {
  try {
    validate();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ApplicationFailure);
    const failure = error as ApplicationFailure;
    expect(failure.nonRetryable).toBe(true);
    return { type: failure.type, message: failure.message };
  }
}

const asAny = <A>(handler: MessageHandler<A>) => handler as MessageHandler<unknown>;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2027-01-05T00:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the handler table', () => {
  it('registers every mentee Update once, in the order the workflow always did', () => {
    expect(Object.values(messageHandlers).map((h) => h.update.name)).toEqual([
      'completePrerequisite',
      'decideSelection',
      'recordPhoneCall',
      'completeOnboardingStep',
      'recordProgress',
      'submitEvaluation',
      'submitFeedbackSurvey',
      'extendTerm',
      'adoptProgramSchedule',
      'retryPayment',
      'withdraw',
      'terminate',
      'submitMenteeEvaluation',
      'reopenEvaluation',
      'decideInstallment',
    ]);
  });
});

describe.each([
  {
    name: 'prerequisites',
    handler: asAny(messageHandlers.completePrerequisite),
    message: (id: string) => ({ prerequisiteId: id }),
    item: 'intro-call',
    other: 'cover-letter',
    stage: 'in_review' as Stage,
    laterStage: 'awaiting_selection' as Stage,
    done: (m: MenteeState) => m.prerequisitesDone,
    unknown:
      'Program lfx-test has no prerequisite "nope"; it has: intro-call, first-contribution, cover-letter',
    wrongStage:
      'The review window closed at 2027-01-16T00:00:00.000Z; prerequisites can no longer be completed (stage: awaiting_selection)',
    repeatLater: 'refused',
    audit: null,
  },
  {
    name: 'onboarding steps',
    handler: asAny(messageHandlers.completeOnboardingStep),
    message: (id: string) => ({ stepId: id, by: ADMIN }),
    item: 'tax-form',
    other: 'contract',
    stage: 'onboarding' as Stage,
    laterStage: 'active' as Stage,
    done: (m: MenteeState) => m.onboardingDone,
    unknown: 'Program lfx-test has no onboarding step "nope"; it has: contract, tax-form, payment-details',
    wrongStage: 'Cannot complete onboarding steps while the application is active',
    repeatLater: 'duplicate',
    audit: 'onboarding:tax-form',
  },
  {
    name: 'progress items',
    handler: asAny(messageHandlers.recordProgress),
    message: (id: string) => ({ itemId: id, by: ADMIN }),
    item: 'milestone-1',
    other: 'milestone-2',
    stage: 'active' as Stage,
    laterStage: 'completed' as Stage,
    done: (m: MenteeState) => m.participationDone,
    unknown:
      'Program lfx-test has no participation item "nope"; it has: project-plan, starter-docs, milestone-1, milestone-2',
    wrongStage: 'Cannot record progress while the application is completed',
    repeatLater: 'duplicate',
    audit: 'progress:milestone-1',
  },
])('the checklist handler for $name', (c) => {
  it('refuses an item the program does not have', () => {
    expect(rejection(() => c.handler.validate(mentee(c.stage), c.message('nope')))).toEqual({
      type: Rejections.unknownItem,
      message: c.unknown,
    });
  });

  it('refuses a new item outside its stage, and accepts it in its stage', () => {
    expect(rejection(() => c.handler.validate(mentee(c.laterStage), c.message(c.item)))).toEqual({
      type: Rejections.wrongStage,
      message: c.wrongStage,
    });
    expect(rejection(() => c.handler.validate(mentee(c.stage), c.message(c.item)))).toBeNull();
  });

  it('ticks the item once, with its audit-trail entry; a repeat changes nothing', () => {
    const m = mentee(c.stage);
    const { effects } = fakeEffects();
    expect(c.handler.apply(m, c.message(c.item), effects)).toBe(true);
    expect([...c.done(m)]).toEqual([c.item]);
    expect(m.decisions.map((d) => [d.action, d.by])).toEqual(c.audit ? [[c.audit, ADMIN]] : []);

    expect(rejection(() => c.handler.validate(m, c.message(c.item)))).toBeNull();
    expect(c.handler.apply(m, c.message(c.item), effects)).toBe(false);
    expect([...c.done(m)]).toEqual([c.item]);
    expect(m.decisions).toHaveLength(c.audit ? 1 : 0);
  });

  it(`answers a repeat after its stage as ${c.repeatLater}`, () => {
    const m = mentee(c.laterStage);
    c.done(m).add(c.item);
    const result = rejection(() => c.handler.validate(m, c.message(c.item)));
    if (c.repeatLater === 'duplicate') expect(result).toBeNull();
    else expect(result).toEqual({ type: Rejections.wrongStage, message: c.wrongStage });
    // an item not done before is refused, whatever the repeat rule
    expect(rejection(() => c.handler.validate(m, c.message(c.other)))?.type).toBe(Rejections.wrongStage);
  });
});

describe('completeOnboardingStep answers', () => {
  const { settled } = messageHandlers.completeOnboardingStep;
  it('at once while steps are open, and after the move to active for the last one', () => {
    const m = mentee('onboarding');
    m.onboardingDone.add('contract');
    expect(settled?.(m)).toBe(true);
    m.onboardingDone.add('tax-form').add('payment-details');
    expect(settled?.(m)).toBe(false);
    m.stage = 'active';
    expect(settled?.(m)).toBe(true);
  });
  it('while prerequisites and progress answer at once', () => {
    expect(messageHandlers.completePrerequisite.settled).toBeUndefined();
    expect(messageHandlers.recordProgress.settled).toBeUndefined();
  });
});

describe('decideSelection', () => {
  const h = messageHandlers.decideSelection;
  const select = {
    by: ADMIN,
    decision: 'select' as const,
    mentor: { id: MENTOR_ID },
    projectTitle: 'Faster builds',
  };

  it('refuses a decision outside the selection stage, and a selection without mentor or project', () => {
    expect(rejection(() => h.validate(mentee('in_review'), select))).toEqual({
      type: Rejections.wrongStage,
      message: 'Cannot decide on selection while the application is in_review',
    });
    expect(
      rejection(() => h.validate(mentee('awaiting_selection'), { ...select, projectTitle: '' })),
    ).toEqual({
      type: Rejections.invalidRequest,
      message: 'Selecting an applicant needs a mentor and a project title',
    });
    expect(
      rejection(() => h.validate(mentee('awaiting_selection'), { by: ADMIN, decision: 'decline' })),
    ).toBeNull();
  });

  it('records the first decision; the same one again is a duplicate, another one is refused', () => {
    const m = mentee('awaiting_selection');
    const { effects } = fakeEffects();
    expect(h.apply(m, select, effects)).toBe(true);
    expect(m.selection).toEqual({
      decision: 'select',
      mentorId: MENTOR_ID,
      projectTitle: 'Faster builds',
      reason: null,
      decidedAt: '2027-01-05T00:00:00.000Z',
    });
    expect(m.decisions.map((d) => [d.action, d.by.userId, d.detail])).toEqual([
      ['selected', 'admin-1', 'Faster builds'],
    ]);
    expect(h.settled?.(m)).toBe(false);
    m.stage = 'onboarding';
    expect(h.settled?.(m)).toBe(true);

    expect(rejection(() => h.validate(m, select))).toBeNull();
    expect(h.apply(m, select, effects)).toBe(false);
    expect(m.decisions).toHaveLength(1);
    expect(rejection(() => h.validate(m, { by: ADMIN, decision: 'decline' }))?.type).toBe(
      Rejections.wrongStage,
    );
  });
});

describe('recordPhoneCall', () => {
  const h = messageHandlers.recordPhoneCall;
  it('needs a selection result', () => {
    expect(rejection(() => h.validate(mentee('awaiting_selection'), { by: ADMIN, note: 'told' }))).toEqual({
      type: Rejections.wrongStage,
      message: 'There is no selection result to tell the applicant yet',
    });
    expect(rejection(() => h.validate(selected('onboarding'), { by: ADMIN, note: 'told' }))).toBeNull();
  });
  it('records each call once and keeps the first call time', () => {
    const m = selected('onboarding');
    const { effects } = fakeEffects();
    expect(h.apply(m, { by: ADMIN, note: 'told' }, effects)).toBe(true);
    expect(m.phoneCallRecordedAt).toBe('2027-01-05T00:00:00.000Z');
    expect(h.apply(m, { by: ADMIN, note: 'told' }, effects)).toBe(false);
    vi.setSystemTime(new Date('2027-01-06T00:00:00.000Z'));
    expect(h.apply(m, { by: ADMIN, note: 'told again' }, effects)).toBe(true);
    expect(m.phoneCallRecordedAt).toBe('2027-01-05T00:00:00.000Z');
    expect(m.decisions.map((d) => d.detail)).toEqual(['told', 'told again']);
  });
});

describe('submitEvaluation', () => {
  const h = messageHandlers.submitEvaluation;
  const answers: EvaluationSubmission = {
    mentorId: MENTOR_ID,
    ratings: { tasksAndMilestones: 4, engagement: 5, progressAgainstPlan: 4 },
    comments: 'Good start',
    outcome: 'pass',
  };
  const first = { number: 1, ...answers };
  beforeEach(() => {
    vi.setSystemTime(new Date('2027-02-10T00:00:00.000Z')); // evaluation 1 opened on 2027-02-09
  });

  it("refuses what is not this mentor's open evaluation", () => {
    const m = selected('active');
    expect(rejection(() => h.validate(m, { ...first, number: 5 }))).toEqual({
      type: Rejections.unknownItem,
      message: 'Program lfx-test has evaluations 1-4, not 5',
    });
    expect(rejection(() => h.validate(m, { ...first, mentorId: 'mentor-bob' }))).toEqual({
      type: Rejections.notYourMentee,
      message: "Only this mentee's own mentor may submit evaluations",
    });
    expect(rejection(() => h.validate(selected('onboarding'), first))).toEqual({
      type: Rejections.wrongStage,
      message: 'Cannot submit evaluations while the application is onboarding',
    });
    expect(rejection(() => h.validate(m, { ...first, number: 2 }))).toEqual({
      type: Rejections.evaluationNotOpen,
      message: 'Evaluation 2 is not due; the evaluation due now is 1',
    });
    vi.setSystemTime(new Date('2027-02-08T00:00:00.000Z'));
    expect(rejection(() => h.validate(m, first))).toEqual({
      type: Rejections.evaluationNotOpen,
      message: 'Evaluation 1 opens at 2027-02-09T00:00:00.000Z',
    });
  });

  it('stores a submission once; the same answers again are a duplicate, other answers a conflict', () => {
    const m = selected('active');
    const { effects } = fakeEffects();
    expect(rejection(() => h.validate(m, first))).toBeNull();
    expect(h.apply(m, first, effects)).toBe(true);
    expect(m.evaluations.get(1)).toEqual({ ...answers, submittedAt: '2027-02-10T00:00:00.000Z' });
    expect(m.decisions.map((d) => [d.action, d.by, d.detail])).toEqual([
      ['evaluation:1:pass', { userId: MENTOR_ID, role: 'mentor' }, 'Good start'],
    ]);
    expect(m.currentEvaluation()).toBe(2);

    m.stage = 'terminated'; // a repeat is a duplicate whatever happened since
    expect(rejection(() => h.validate(m, first))).toBeNull();
    expect(h.apply(m, first, effects)).toBe(false);
    expect(m.decisions).toHaveLength(1);
    expect(rejection(() => h.validate(m, { ...first, outcome: 'fail' }))).toEqual({
      type: Rejections.evaluationConflict,
      message: 'Evaluation 1 was already submitted at 2027-02-10T00:00:00.000Z with other answers',
    });
  });
});

describe('submitFeedbackSurvey', () => {
  const h = messageHandlers.submitFeedbackSurvey;
  const survey = { by: MENTEE, rating: 5, comments: 'Great' };
  it('is taken once while active; a repeat is a duplicate later on', () => {
    expect(rejection(() => h.validate(mentee('onboarding'), survey))).toEqual({
      type: Rejections.wrongStage,
      message: 'Cannot submit the feedback survey while the application is onboarding',
    });
    const m = mentee('active');
    const { effects } = fakeEffects();
    expect(h.apply(m, survey, effects)).toBe(true);
    expect(m.feedback).toEqual({ rating: 5, comments: 'Great', submittedAt: '2027-01-05T00:00:00.000Z' });
    m.stage = 'completed';
    expect(rejection(() => h.validate(m, survey))).toBeNull();
    expect(h.apply(m, { ...survey, rating: 1 }, effects)).toBe(false);
    expect(m.feedback?.rating).toBe(5);
    expect(m.decisions.map((d) => d.action)).toEqual(['feedback-survey']);
  });
});

describe('extendTerm', () => {
  const h = messageHandlers.extendTerm;
  const week = { by: ADMIN, days: 7, reason: 'illness', requestId: 'req-1' };

  it("refuses outside onboarding and active, and beyond the program's maximum", () => {
    expect(rejection(() => h.validate(selected('awaiting_selection'), week))).toEqual({
      type: Rejections.wrongStage,
      message: 'Cannot extend the term while the application is awaiting_selection',
    });
    const m = selected('active');
    m.extensionDays = 30;
    expect(rejection(() => h.validate(m, week))).toEqual({
      type: Rejections.invalidRequest,
      message: 'The program allows at most 35 days of extension; 30 already granted',
    });
    m.extensionDays = 28;
    expect(rejection(() => h.validate(m, week))).toBeNull();
  });

  it('moves the term, tells mentee and mentor, and extends once per request id', () => {
    const m = selected('active');
    const { effects, sent } = fakeEffects();
    expect(h.apply(m, week, effects)).toBe(true);
    expect(m.extensionDays).toBe(7);
    expect(m.schedule.termEndsAt).toBe('2027-04-27T00:00:00.000Z');
    expect(m.decisions.map((d) => [d.action, d.detail])).toEqual([['extended', '7 days: illness']]);
    const message = { kind: 'term-extended', days: 7, termEndsAt: '2027-04-27T00:00:00.000Z' };
    expect(sent).toEqual([
      { to: 'mentee', message, key: 'term-extended-1' },
      { to: 'mentor', message, key: 'term-extended-1' },
    ]);

    m.stage = 'completed';
    m.extensionDays = 35;
    expect(rejection(() => h.validate(m, week))).toBeNull();
    expect(h.apply(m, week, effects)).toBe(false);
    expect(m.schedule.termEndsAt).toBe('2027-04-27T00:00:00.000Z');
    expect(sent).toHaveLength(2);
  });

  it('without a request id extends each time, and tells only the mentee before a mentor is chosen', () => {
    const m = mentee('onboarding');
    const { effects, sent } = fakeEffects();
    const { requestId: _, ...once } = week;
    expect(h.apply(m, once, effects)).toBe(true);
    expect(h.apply(m, once, effects)).toBe(true);
    expect(m.extensionDays).toBe(14);
    expect(sent.map((s) => [s.to, s.key])).toEqual([
      ['mentee', 'term-extended-1'],
      ['mentee', 'term-extended-2'],
    ]);
  });
});

describe('adoptProgramSchedule', () => {
  const h = messageHandlers.adoptProgramSchedule;
  const later: ProgramRules = { ...RULES, termEndsAt: '2027-04-27T00:00:00.000Z' };

  it('refuses another program, another number of evaluations, and a mentee in review', () => {
    const m = mentee('active');
    const refused = {
      type: Rejections.invalidRequest,
      message: 'The new rules must be for the same program, with the same number of evaluations',
    };
    expect(rejection(() => h.validate(m, { by: ADMIN, rules: { ...later, programId: 'other' } }))).toEqual(
      refused,
    );
    const three = { ...later, evaluations: later.evaluations.slice(0, 3) };
    expect(rejection(() => h.validate(m, { by: ADMIN, rules: three }))).toEqual(refused);
    expect(rejection(() => h.validate(mentee('in_review'), { by: ADMIN, rules: later }))).toEqual({
      type: Rejections.wrongStage,
      message: 'Cannot change the schedule while the application is in_review',
    });
  });

  it('takes the new dates once', () => {
    const m = mentee('active');
    const { effects } = fakeEffects();
    expect(h.apply(m, { by: ADMIN, rules: later }, effects)).toBe(true);
    expect(m.schedule.termEndsAt).toBe('2027-04-27T00:00:00.000Z');
    expect(m.decisions.map((d) => [d.action, d.detail])).toEqual([
      ['schedule-adopted', 'term ends 2027-04-27T00:00:00.000Z'],
    ]);
    expect(h.apply(m, { by: ADMIN, rules: later }, effects)).toBe(false);
    expect(m.decisions).toHaveLength(1);
  });
});

describe('retryPayment', () => {
  const h = messageHandlers.retryPayment;
  it('releases the rejected installments once; with none waiting it is a duplicate', () => {
    const m = mentee('active');
    expect(rejection(() => h.validate(m, { by: ADMIN }))).toBeNull();
    const { effects } = fakeEffects([1, 2]);
    expect(h.apply(m, { by: ADMIN }, effects)).toBe(true);
    expect(m.decisions.map((d) => [d.action, d.by.userId])).toEqual([
      ['stipend:1:retry', 'admin-1'],
      ['stipend:2:retry', 'admin-1'],
    ]);
    expect(h.apply(m, { by: ADMIN }, effects)).toBe(false);
    expect(m.decisions).toHaveLength(2);
  });
});

describe.each([
  { update: 'withdraw', handler: messageHandlers.withdraw, stage: 'withdrawn' as const },
  {
    update: 'terminate',
    handler: messageHandlers.terminate,
    stage: 'terminated' as const,
    other: 'withdraw',
  },
])('$update', ({ handler: h, stage }) => {
  const request = { by: MENTEE, reason: 'new job' };

  it('stops the lifecycle once with the exit request; a repeat is a duplicate after the end', () => {
    const m = mentee('active');
    const { effects, stops } = fakeEffects();
    expect(rejection(() => h.validate(m, request))).toBeNull();
    expect(h.apply(m, request, effects)).toBe(true);
    expect(m.exit).toEqual({ stage, by: MENTEE, reason: 'new job' });
    expect(stops()).toBe(1);
    expect(h.settled?.(m)).toBe(false);

    m.stage = stage;
    expect(h.settled?.(m)).toBe(true);
    expect(rejection(() => h.validate(m, request))).toBeNull();
    expect(h.apply(m, { ...request, reason: 'again' }, effects)).toBe(false);
    expect(m.exit?.reason).toBe('new job');
    expect(stops()).toBe(1);
  });

  it('refuses once the application has ended otherwise', () => {
    expect(rejection(() => h.validate(mentee('completed'), request))).toEqual({
      type: Rejections.wrongStage,
      message: 'The application has already ended (completed)',
    });
    const left = mentee('withdrawn');
    left.exit = { stage: 'withdrawn', by: MENTEE, reason: 'x' };
    const result = rejection(() => h.validate(left, request));
    expect(result).toEqual(
      stage === 'withdrawn'
        ? null
        : { type: Rejections.wrongStage, message: 'The application has already ended (withdrawn)' },
    );
  });
});
