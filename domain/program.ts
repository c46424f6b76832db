import { z } from 'zod';

const DAY_MS = 24 * 60 * 60 * 1000;
export const MIN_REVIEW_WINDOW_DAYS = 14;

const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes');
const Instant = z.iso.datetime({ offset: true });
const ChecklistItem = z.strictObject({ id: Slug, title: z.string().min(1).max(200) });

/** What an admin sends to create a program term: its schedule and rules. */
export const ProgramInput = z
  .strictObject({
    id: Slug.describe('Opaque program id, e.g. lfx-2026-term-2'),
    name: z.string().min(1).max(200),
    term: z.string().min(1).max(100),
    applicationsCloseAt: Instant,
    reviewWindowDays: z.int().min(1).max(120),
    selectionDeadline: Instant,
    onboardingDeadline: Instant,
    termStartsAt: Instant,
    termEndsAt: Instant,
    prerequisites: z.array(ChecklistItem).max(20).default([]),
    reviewReminderDaysBefore: z.int().min(0).max(13).default(3),
  })
  .superRefine((program, ctx) => {
    if (program.reviewWindowDays < MIN_REVIEW_WINDOW_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['reviewWindowDays'],
        message: `the review window must be at least ${MIN_REVIEW_WINDOW_DAYS} days (got ${program.reviewWindowDays})`,
      });
      return;
    }
    const ordered: [keyof typeof program, number][] = [
      ['applicationsCloseAt', Date.parse(program.applicationsCloseAt)],
      ['selectionDeadline', Date.parse(program.selectionDeadline)],
      ['onboardingDeadline', Date.parse(program.onboardingDeadline)],
      ['termStartsAt', Date.parse(program.termStartsAt)],
      ['termEndsAt', Date.parse(program.termEndsAt)],
    ];
    const reviewClosesAt = Date.parse(program.applicationsCloseAt) + program.reviewWindowDays * DAY_MS;
    if (Date.parse(program.selectionDeadline) < reviewClosesAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['selectionDeadline'],
        message: 'the selection deadline must not be before the review window closes',
      });
    }
    for (let i = 1; i < ordered.length; i++) {
      const [previousName, previous] = ordered[i - 1]!;
      const [name, at] = ordered[i]!;
      if (at < previous) {
        ctx.addIssue({ code: 'custom', path: [name], message: `${name} must not be before ${previousName}` });
      }
    }
    const ids = new Set<string>();
    for (const [index, item] of program.prerequisites.entries()) {
      if (ids.has(item.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['prerequisites', index, 'id'],
          message: `duplicate id ${item.id}`,
        });
      }
      ids.add(item.id);
    }
  });

export type ProgramInput = z.infer<typeof ProgramInput>;

/** The rules pinned into each mentee's workflow when it starts; later program edits do not reach it. */
export interface ProgramRules {
  programId: string;
  name: string;
  term: string;
  applicationsCloseAt: string;
  reviewClosesAt: string;
  reviewReminderAt: string | null;
  selectionDeadline: string;
  onboardingDeadline: string;
  termStartsAt: string;
  termEndsAt: string;
  prerequisites: { id: string; title: string }[];
}

export function rulesOf(program: ProgramInput): ProgramRules {
  const reviewClosesAt = Date.parse(program.applicationsCloseAt) + program.reviewWindowDays * DAY_MS;
  return {
    programId: program.id,
    name: program.name,
    term: program.term,
    applicationsCloseAt: program.applicationsCloseAt,
    reviewClosesAt: new Date(reviewClosesAt).toISOString(),
    reviewReminderAt:
      program.reviewReminderDaysBefore > 0
        ? new Date(reviewClosesAt - program.reviewReminderDaysBefore * DAY_MS).toISOString()
        : null,
    selectionDeadline: program.selectionDeadline,
    onboardingDeadline: program.onboardingDeadline,
    termStartsAt: program.termStartsAt,
    termEndsAt: program.termEndsAt,
    prerequisites: program.prerequisites,
  };
}
