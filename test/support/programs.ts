import type { ProgramInput } from '../../domain/program.js';

const DAY = 24 * 60 * 60 * 1000;
const at = (ms: number) => new Date(ms).toISOString();

export const PREREQUISITES = [
  { id: 'intro-call', title: 'Attend the project intro call' },
  { id: 'first-contribution', title: 'Open a first pull request' },
  { id: 'cover-letter', title: 'Write a cover letter' },
];

/** A program whose applications close a day after `now`, with the usual two-week review. */
export function programFixture(now: number, overrides: Partial<ProgramInput> = {}): ProgramInput {
  const applicationsCloseAt = now + 1 * DAY;
  const reviewClosesAt = applicationsCloseAt + 14 * DAY;
  return {
    id: `lfx-${Math.floor(now / 1000) % 1_000_000}-${Math.random().toString(36).slice(2, 6)}`,
    name: 'LFX Mentorship',
    term: '2026 Term 2',
    applicationsCloseAt: at(applicationsCloseAt),
    reviewWindowDays: 14,
    selectionDeadline: at(reviewClosesAt + 3 * DAY),
    onboardingDeadline: at(reviewClosesAt + 8 * DAY),
    termStartsAt: at(reviewClosesAt + 10 * DAY),
    termEndsAt: at(reviewClosesAt + 10 * DAY + 84 * DAY),
    prerequisites: PREREQUISITES,
    reviewReminderDaysBefore: 3,
    ...overrides,
  };
}

export const DAYS = DAY;
