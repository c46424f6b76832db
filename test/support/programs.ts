import type { ProgramInput } from '../../domain/program.js';

export const DAYS = 24 * 60 * 60 * 1000;
export const HOURS = 60 * 60 * 1000;
const at = (ms: number) => new Date(ms).toISOString();

export const PREREQUISITES = [
  { id: 'intro-call', title: 'Attend the project intro call' },
  { id: 'first-contribution', title: 'Open a first pull request' },
  { id: 'cover-letter', title: 'Write a cover letter' },
];

/** The schedule of a full-time 12-week term, as offsets in ms from when applications close. */
export const SCHEDULE = {
  reviewClosesAt: 14 * DAYS,
  selectionDeadline: 17 * DAYS,
  onboardingDeadline: 22 * DAYS,
  termStartsAt: 24 * DAYS,
  evaluations: [3, 6, 9, 12].map((week) => 24 * DAYS + week * 7 * DAYS),
  termEndsAt: 24 * DAYS + 12 * 7 * DAYS,
  completionGraceDays: 14,
};

/** A program whose applications close a day after `now`, with the usual two-week review and a 12-week term. */
export function programFixture(now: number, overrides: Partial<ProgramInput> = {}): ProgramInput {
  const closes = now + 1 * DAYS;
  return {
    id: `lfx-${Math.floor(now / 1000) % 1_000_000}-${Math.random().toString(36).slice(2, 6)}`,
    name: 'LFX Mentorship',
    term: '2026 Term 2',
    adminEmail: 'admin@example.org',
    applicationsCloseAt: at(closes),
    reviewWindowDays: 14,
    selectionDeadline: at(closes + SCHEDULE.selectionDeadline),
    onboardingDeadline: at(closes + SCHEDULE.onboardingDeadline),
    termStartsAt: at(closes + SCHEDULE.termStartsAt),
    termEndsAt: at(closes + SCHEDULE.termEndsAt),
    evaluations: SCHEDULE.evaluations.map((offset) => ({ dueAt: at(closes + offset) })),
    prerequisites: PREREQUISITES,
    reviewReminderDaysBefore: 3,
    stipend: { total: 6000, countryAdjustments: { IN: 60 } },
    completionGraceDays: SCHEDULE.completionGraceDays,
    // the cohort tests count every email; the mentee's own evaluations have tests of their own
    evaluationPolicy: { menteeEvaluation: 'ignore' },
    ...overrides,
  };
}
