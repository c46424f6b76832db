import { APPLICATION_TASK, ProgramInput, type ProgramRules, rulesOf } from '../domain/program.js';
import { evaluationBehaviour, type LoadedPrograms, type Scenario } from './files.js';
import { type Random, streamFor } from './random.js';

export const HOUR = 60 * 60 * 1000;
export const DAY = 24 * HOUR;

/** What someone does at one instant; each is one API call (or, for the payee's bank, a change at the edge). */
export type Action =
  | { kind: 'apply' }
  | { kind: 'prerequisite'; id: string }
  | { kind: 'select'; projectTitle: string; projectId?: string }
  | { kind: 'decline' }
  | { kind: 'phone-call' }
  | { kind: 'onboarding'; step: string }
  | { kind: 'progress'; item: string }
  | { kind: 'evaluate'; n: number; outcome: 'pass' | 'fail' }
  | { kind: 'survey' }
  | { kind: 'extend'; days: number }
  | { kind: 'withdraw' }
  | { kind: 'terminate' }
  /** the payee's bank account closes: the provider rejects their payouts until it is fixed */
  | { kind: 'reject-payee' }
  | { kind: 'fix-payee' }
  | { kind: 'retry-payment' }
  /** the program's admin approves an earned installment (programs with stipendApproval.mode "admin") */
  | { kind: 'approve-installment'; installment: number };

export interface PlannedStep {
  at: number;
  action: Action;
}

/** What the dice decided for one application, for the report's "intended" column and for debugging. */
export interface Intent {
  prerequisites: string;
  selection: string;
  onboarding?: string;
  evaluations?: string[];
  leaves?: string;
  extensionDays?: number;
  payment?: string;
  participation?: string;
}

export interface PlannedApplication {
  /** Stable across runs: `<programId>/<personId>`. */
  key: string;
  personId: string;
  personIndex: number;
  programId: string;
  country: string;
  mentorId: string | null;
  /** Where the program has projects: the one the application names (the one it is selected for, if it is). */
  projectId?: string;
  intent: Intent;
  steps: PlannedStep[];
  /** Filled in when the application is made. */
  applicationId?: string;
}

export interface CohortPlan {
  programs: { input: ProgramInput; rules: ProgramRules }[];
  applications: PlannedApplication[];
  /** When the simulation starts (before anyone applies) and when it has seen everything settle. */
  startsAt: number;
  endsAt: number;
}

/**
 * Every behaviour decision, made up front from the seed: each person gets their own random stream, so the same
 * seed and files give the same plan, and the first N people are the same whatever the cohort's size.
 */
export function planCohort(
  files: LoadedPrograms,
  scenario: Scenario,
  options: { mentees: number; seed: number; shiftMs?: number; gridHours?: number },
): CohortPlan {
  const programs = files.programs.map(({ program }) => {
    const input = shiftProgram(program, options.shiftMs ?? 0);
    return { input, rules: rulesOf(ProgramInput.parse(input)) };
  });
  const anchor = Math.min(...programs.map((p) => Date.parse(p.rules.applicationsCloseAt)));
  const grid = new Grid(anchor, options.gridHours ?? 1);
  const shares = files.programs.map((p) => p.applicantShare);
  const announcement = termAnnouncement(files.term, options.shiftMs ?? 0);
  const selectedPerProgram = new Map<string, number>();
  const applications: PlannedApplication[] = [];

  for (let person = 0; person < options.mentees; person++) {
    const random = streamFor(options.seed, person);
    const personId = `sim-${options.seed}-${String(person).padStart(5, '0')}`;
    const country = random.pick(scenario.countries);
    const count =
      programs.length > 1 && random.chance(scenario.applications.multiProgramRate)
        ? Math.min(programs.length, 2 + (random.chance(0.4) ? 1 : 0))
        : 1;
    const chosen = pickPrograms(random, shares, count);
    for (const index of chosen) {
      const { rules, input } = programs[index]!;
      const projects = input.projects ?? [];
      const app = planApplication(
        random.fork(index),
        grid,
        rules,
        scenario,
        selectedPerProgram,
        announcement,
        projects,
      );
      applications.push({
        key: `${rules.programId}/${personId}`,
        personId,
        personIndex: person,
        country,
        ...app,
        // one not selected names a project too: the programs with projects ask every applicant for one
        ...(projects.length > 0 && { projectId: app.projectId ?? projects[person % projects.length]!.id }),
      });
    }
  }
  const latest = Math.max(
    ...programs.map((p) => Date.parse(p.rules.completionDeadline) + p.rules.maxExtensionDays * DAY),
    ...applications.flatMap((a) => a.steps.map((s) => s.at)),
  );
  const earliest = Math.min(...applications.flatMap((a) => a.steps.map((s) => s.at)), anchor - DAY);
  return { programs, applications, startsAt: grid.down(earliest - HOUR), endsAt: grid.up(latest + 2 * DAY) };
}

/** Where the term announces selection results on a day: when (moved by `ms`), and the onboarding window after it. */
interface Announcement {
  at: number;
  onboardingDays: number;
}

function termAnnouncement(term: LoadedPrograms['term'], ms: number): Announcement | null {
  if (!term?.announcementAt) return null;
  return {
    at: Date.parse(term.announcementAt) + ms,
    onboardingDays: term.onboardingDaysAfterAnnouncement ?? 5,
  };
}

/** The term as POST /terms takes it, its announcement moved by `ms` like the programs. */
export function shiftTerm<T extends { announcementAt?: string | null }>(term: T, ms: number): T {
  if (!term.announcementAt || ms === 0) return term;
  return { ...term, announcementAt: new Date(Date.parse(term.announcementAt) + ms).toISOString() };
}

/** The program with every instant moved by `ms` (whole weeks keep weekdays and hours). */
export function shiftProgram(program: ProgramInput, ms: number): ProgramInput {
  if (ms === 0) return program;
  const move = (iso: string) => new Date(Date.parse(iso) + ms).toISOString();
  return {
    ...program,
    applicationsCloseAt: move(program.applicationsCloseAt),
    selectionDeadline: move(program.selectionDeadline),
    onboardingDeadline: move(program.onboardingDeadline),
    termStartsAt: move(program.termStartsAt),
    termEndsAt: move(program.termEndsAt),
    evaluations: program.evaluations.map((e) => ({ dueAt: move(e.dueAt) })),
  };
}

/**
 * Actions happen on a grid of instants, every `hours` hours on the half hour counted from the first close of
 * applications, so they never coincide with a deadline (deadlines fall on whole hours): whether a step comes before
 * or after one is certain. A coarser grid means fewer clock steps for the same cohort (see bench/simulator.ts).
 */
export class Grid {
  private readonly step: number;
  constructor(
    private readonly anchor: number,
    hours = 1,
  ) {
    this.step = hours * HOUR;
  }
  private point(t: number, step: number, round: (x: number) => number): number {
    const offset = HOUR / 2;
    return this.anchor + offset + round((t - this.anchor - offset) / step) * step;
  }
  down(t: number): number {
    return this.point(t, HOUR, Math.floor);
  }
  up(t: number): number {
    return this.point(t, HOUR, Math.ceil);
  }
  /** The grid instant at or next to `t` strictly between `lo` and `hi` (the hourly grid if the interval is short). */
  snap(t: number, lo = Number.NEGATIVE_INFINITY, hi = Number.POSITIVE_INFINITY): number | null {
    for (const step of [this.step, HOUR]) {
      for (const round of [Math.floor, Math.ceil]) {
        const c = this.point(Math.min(Math.max(t, lo), hi), step, round);
        if (c > lo && c < hi) return c;
      }
    }
    const first = this.point(lo, HOUR, Math.floor) + HOUR;
    return first < hi ? first : null;
  }
}

function pickPrograms(random: Random, shares: number[], count: number): number[] {
  const left = shares.map((s, i) => [i, s] as const);
  const chosen: number[] = [];
  while (chosen.length < count && left.length > 0) {
    const total = left.reduce((s, [, w]) => s + w, 0);
    let u = random.next() * total;
    let at = left.length - 1;
    for (const [k, [, w]] of left.entries()) {
      u -= w;
      if (u < 0) {
        at = k;
        break;
      }
    }
    chosen.push(left[at]![0]);
    left.splice(at, 1);
  }
  return chosen.sort((a, b) => a - b);
}

type Planned = Omit<PlannedApplication, 'key' | 'personId' | 'personIndex' | 'country'>;

function planApplication(
  random: Random,
  grid: Grid,
  rules: ProgramRules,
  scenario: Scenario,
  selectedPerProgram: Map<string, number>,
  announcement: Announcement | null,
  projects: NonNullable<ProgramInput['projects']> = [],
): Planned {
  const steps: PlannedStep[] = [];
  const at = (t: number, action: Action) => steps.push({ at: t, action });
  const intent: Intent = { prerequisites: '', selection: '' };
  const done = (): Planned => ({
    programId: rules.programId,
    mentorId,
    ...(projectId && { projectId }),
    intent,
    steps: steps.sort((a, b) => a.at - b.at),
  });
  let mentorId: string | null = null;
  let projectId: string | undefined;

  const closes = Date.parse(rules.applicationsCloseAt);
  const reviewCloses = Date.parse(rules.reviewClosesAt);
  const reminder = rules.reviewReminderAt ? Date.parse(rules.reviewReminderAt) : reviewCloses - DAY;
  const applied = grid.snap(
    closes - random.sample(scenario.applications.daysBeforeClose) * DAY,
    Number.NEGATIVE_INFINITY,
    closes,
  )!;
  at(applied, { kind: 'apply' });

  // Review: prerequisites early (before the reminder), late (after it), some of them, or none.
  intent.prerequisites = random.pick(scenario.prerequisites.shares);
  const prerequisites = rules.prerequisites.map((p) => p.id);
  const earlyBy = Math.min(
    reminder - HOUR,
    applied + random.sample(scenario.prerequisites.daysAfterApplying) * DAY,
  );
  const when = (late: boolean) =>
    late
      ? grid.snap(reminder + random.next() * (reviewCloses - reminder), reminder, reviewCloses)!
      : grid.snap(Math.max(applied, earlyBy), applied - 1, reminder)!;
  // with a single prerequisite, "some of them" is all of it
  if (intent.prerequisites === 'partial' && prerequisites.length <= 1) intent.prerequisites = 'early';
  // the application itself is submitted while applications are open: with the apply, the others in review
  const task = (t: number, id: string) =>
    at(id === APPLICATION_TASK.id ? applied : t, { kind: 'prerequisite', id });
  if (intent.prerequisites === 'early' || intent.prerequisites === 'late') {
    const t = when(intent.prerequisites === 'late');
    for (const id of prerequisites) task(t, id);
  } else if (intent.prerequisites === 'partial' && prerequisites.length > 1) {
    const some = 1 + Math.floor(random.next() * (prerequisites.length - 1));
    const t = when(random.chance(0.5));
    for (const id of prerequisites.slice(0, some)) task(t, id);
  }
  const accepted =
    prerequisites.length === 0 || intent.prerequisites === 'early' || intent.prerequisites === 'late';
  if (!accepted) return done();

  // Selection: a mentor selects or declines some days after the review closes, or nobody decides.
  intent.selection = random.pick(scenario.selection.shares);
  const selectionDeadline = Date.parse(rules.selectionDeadline);
  const decidedAt = grid.snap(
    reviewCloses + random.sample(scenario.selection.daysAfterReview) * DAY,
    reviewCloses,
    selectionDeadline,
  )!;
  const seat = selectedPerProgram.get(rules.programId) ?? 0;
  mentorId = `mentor-${rules.programId}-${Math.floor(seat / scenario.selection.menteesPerMentor) + 1}`;
  if (intent.selection === 'none') {
    mentorId = null;
    return done();
  }
  if (intent.selection === 'decline') {
    at(decidedAt, { kind: 'decline' });
    mentorId = null;
    return done();
  }
  selectedPerProgram.set(rules.programId, seat + 1);
  // with projects, the seats go round the projects' committed mentors, each taking menteesPerMentor in turn
  const committed = projects.flatMap((p) => (p.mentors ?? []).map((m) => ({ project: p, mentor: m.id })));
  const turn =
    committed[Math.floor(seat / scenario.selection.menteesPerMentor) % Math.max(1, committed.length)];
  if (turn) {
    mentorId = turn.mentor;
    projectId = turn.project.id;
  }
  at(decidedAt, {
    kind: 'select',
    projectTitle:
      turn?.project.title ?? `Project ${Math.floor(seat / scenario.selection.menteesPerMentor) + 1}`,
    ...(turn && { projectId: turn.project.id }),
  });
  if (random.chance(scenario.selection.phoneCallRate)) at(decidedAt, { kind: 'phone-call' });

  // Onboarding: each step done on time, one of them late, or never; from the announcement, where the term has one.
  intent.onboarding = random.pick(scenario.onboarding.shares);
  const toldAt = announcement ? grid.snap(Math.max(announcement.at, decidedAt), decidedAt)! : decidedAt;
  const onboardingDeadline = announcement
    ? Math.max(announcement.at, decidedAt) + announcement.onboardingDays * DAY
    : Date.parse(rules.onboardingDeadline);
  const steps0 = rules.onboardingSteps.map((s) => s.id);
  if (intent.onboarding === 'never') {
    if (steps0.length > 1) at(toldAt, { kind: 'onboarding', step: steps0[0]! });
    return done();
  }
  let onboardedAt = toldAt;
  for (const [i, step] of steps0.entries()) {
    const late = intent.onboarding === 'late' && i === steps0.length - 1;
    const t = late
      ? grid.snap(onboardingDeadline + random.next() * 2 * DAY, onboardingDeadline)!
      : grid.snap(
          toldAt + random.sample(scenario.onboarding.daysAfterSelection) * DAY,
          toldAt - 1,
          onboardingDeadline,
        )!;
    onboardedAt = Math.max(onboardedAt, t);
    at(t, { kind: 'onboarding', step });
  }
  if (intent.onboarding === 'late') return done();

  // The term: evaluations, participation, maybe an extension, a withdrawal or a termination.
  const termStarts = Math.max(Date.parse(rules.termStartsAt), onboardedAt + HOUR);
  const finalDue = Date.parse(rules.evaluations[rules.evaluations.length - 1]!.dueAt);
  const extensionAt = random.chance(scenario.extensions.rate)
    ? grid.snap(
        termStarts + DAY + random.next() * Math.max(DAY, finalDue - 8 * DAY - termStarts),
        onboardedAt,
      )
    : null;
  const extensionDays = extensionAt
    ? Math.max(1, Math.min(rules.maxExtensionDays, Math.round(random.sample(scenario.extensions.days))))
    : 0;
  if (extensionAt && rules.maxExtensionDays > 0) {
    at(extensionAt, { kind: 'extend', days: extensionDays });
    intent.extensionDays = extensionDays;
  }
  const moved = (t: number) =>
    extensionAt && rules.maxExtensionDays > 0 && t > extensionAt ? t + extensionDays * DAY : t;
  const leaving = random.chance(scenario.withdrawals.rate)
    ? 'withdraw'
    : random.chance(scenario.terminations.rate)
      ? 'terminate'
      : null;
  const leavesAt = leaving
    ? grid.snap(termStarts + random.next() * (moved(finalDue) - termStarts), onboardedAt)
    : null;
  if (leaving) intent.leaves = leaving;

  const participation = rules.participation;
  const finishesAll = random.chance(scenario.participation.completeRate);
  const span = moved(finalDue) - termStarts;
  const milestones = participation.filter((p) => p.kind !== 'project-plan' && p.kind !== 'starter-task');
  const itemTimes = participation.map((item) => {
    if (item.kind === 'project-plan')
      return grid.snap(termStarts + random.next() * 5 * DAY, onboardedAt - 1)!;
    if (item.kind === 'starter-task')
      return grid.snap(termStarts + (5 + random.next() * 9) * DAY, onboardedAt - 1)!;
    const k = milestones.indexOf(item) + 1;
    return grid.snap(
      termStarts + (span * k) / (milestones.length + 1) + random.next() * 5 * DAY,
      onboardedAt - 1,
    )!;
  });
  const skipped = finishesAll || participation.length === 0 ? -1 : participation.length - 1;
  if (!finishesAll) intent.participation = `skips ${participation[participation.length - 1]?.id}`;

  // Evaluations, drawn in order; the first fail or miss ends the mentorship.
  const paysAfter = new Map(rules.stipend.installments.map((i) => [i.afterEvaluation, i.number]));
  const approvals = rules.stipendApproval?.mode === 'admin';
  const rejected = random.chance(scenario.payments.rejectionRate);
  const retried = random.chance(scenario.payments.retriedRate);
  const retryFails = random.chance(scenario.payments.retryFailsRate);
  const retryIn = [
    random.sample(scenario.payments.daysToRetry),
    random.sample(scenario.payments.daysToRetry),
  ];
  const outcomes: string[] = [];
  let endedAt = Number.POSITIVE_INFINITY;
  let previousSubmission = onboardedAt;
  const grace = rules.missedEvaluation.outcome === 'fail' ? rules.missedEvaluation.graceDays : 30;
  for (const evaluation of rules.evaluations) {
    const b = evaluationBehaviour(scenario, evaluation.number);
    const due = moved(Date.parse(evaluation.dueAt));
    const opens = moved(Date.parse(evaluation.opensAt));
    const result = random.pick({ pass: b.pass, fail: b.fail, missed: b.missed });
    const late = random.chance(b.lateRate);
    const early = random.sample(b.daysEarly);
    const lateBy = random.sample(b.daysLate);
    if (result === 'missed') {
      outcomes.push('missed');
      endedAt = due + grace * DAY;
      break;
    }
    const submittedAt = late
      ? grid.snap(due + Math.min(lateBy, grace) * DAY, due, due + grace * DAY)
      : grid.snap(due - early * DAY, Math.max(opens, previousSubmission), due);
    if (submittedAt === null) {
      // no grace period to be late in: a late evaluation is a missed one
      outcomes.push('missed');
      endedAt = due + grace * DAY;
      break;
    }
    previousSubmission = submittedAt;
    outcomes.push(`${result}${late ? ' (late)' : ''}`);
    const installment = paysAfter.get(evaluation.number);
    const earns = installment !== undefined && (result === 'pass' || rules.stipend.payOnFailedEvaluation);
    // with LFX-style approvals the payout waits for the program's admin
    const approvalAt =
      earns && approvals
        ? grid.snap(submittedAt + random.sample(scenario.payments.daysToApprove) * DAY, submittedAt)!
        : null;
    if (approvalAt !== null) at(approvalAt, { kind: 'approve-installment', installment: installment! });
    const releasedAt = approvalAt ?? submittedAt;
    if (
      installment !== undefined &&
      rejected &&
      !intent.payment &&
      (result === 'pass' || rules.stipend.payOnFailedEvaluation)
    ) {
      // the payee's account closed before this installment: the provider rejects it
      at(submittedAt, { kind: 'reject-payee' });
      intent.payment = `installment ${installment} rejected${retried ? (retryFails ? ', retried twice' : ', retried') : ', never retried'}`;
      if (retried) {
        const first = grid.snap(releasedAt + retryIn[0]! * DAY, releasedAt)!;
        if (retryFails) {
          at(first, { kind: 'retry-payment' });
          const second = grid.snap(first + retryIn[1]! * DAY, first)!;
          at(second, { kind: 'fix-payee' });
          at(second, { kind: 'retry-payment' });
        } else {
          at(first, { kind: 'fix-payee' });
          at(first, { kind: 'retry-payment' });
        }
      }
    }
    at(submittedAt, { kind: 'evaluate', n: evaluation.number, outcome: result as 'pass' | 'fail' });
    if (result === 'fail') {
      endedAt = submittedAt;
      break;
    }
  }
  intent.evaluations = outcomes;

  // Participation and the survey, as far as the mentee gets.
  const stop = Math.min(endedAt, leavesAt ?? Number.POSITIVE_INFINITY);
  for (const [i, item] of participation.entries()) {
    if (i !== skipped && itemTimes[i]! < stop) at(itemTimes[i]!, { kind: 'progress', item: item.id });
  }
  const completionDeadline = moved(Date.parse(rules.completionDeadline));
  const surveyAt = grid.snap(
    moved(finalDue) + random.sample(scenario.participation.surveyDaysAfterFinal) * DAY,
    onboardedAt,
    completionDeadline,
  );
  if (random.chance(scenario.participation.surveyRate) && surveyAt !== null && surveyAt < stop) {
    at(surveyAt, { kind: 'survey' });
  } else if (stop === Number.POSITIVE_INFINITY) {
    intent.participation = intent.participation ? `${intent.participation}, no survey` : 'no survey';
  }
  // nobody acts for a mentee after the mentorship ended, except ops paying what is owed
  const owed = (kind: Action['kind']) =>
    kind === 'retry-payment' || kind === 'fix-payee' || kind === 'approve-installment';
  if (endedAt < Number.POSITIVE_INFINITY) {
    const kept = steps.filter((s) => s.at <= endedAt || owed(s.action.kind));
    steps.splice(0, steps.length, ...kept);
    if (extensionAt && extensionAt > endedAt) delete intent.extensionDays;
  }
  if (leaving && leavesAt! < endedAt) {
    at(leavesAt!, { kind: leaving });
    const kept = steps.filter((s) => s.at <= leavesAt! || owed(s.action.kind));
    steps.splice(0, steps.length, ...kept);
  } else if (leaving) {
    delete intent.leaves;
  }
  return done();
}
