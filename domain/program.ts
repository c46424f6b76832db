import { z } from 'zod';
import type { PinnedTermRules } from './term.js';
import { TimeZone } from './time-zones.js';

/** An email address as the API checks it; the document carries the same pattern, so both say the same. */
export const Email = z
  .email()
  .max(254)
  // RFC 5321: at most 64 characters before the @ (what JSON Schema's email format holds too)
  .refine((address) => address.indexOf('@') <= 64, 'at most 64 characters before the @')
  .meta({ pattern: z.regexes.email.source });

const DAY_MS = 24 * 60 * 60 * 1000;
export const MIN_REVIEW_WINDOW_DAYS = 14;
/** A term has 3 or 4 evaluations (the program guide); installments follow some of them. */
export const EVALUATIONS = { min: 3, max: 4 } as const;

const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes');
const Instant = z.iso.datetime({ offset: true });
const EvaluationDates = z
  .array(z.strictObject({ dueAt: Instant }))
  .min(EVALUATIONS.min)
  .max(EVALUATIONS.max);
const ChecklistItem = z.strictObject({ id: Slug, title: z.string().min(1).max(200) });
/** The id of the task every program with questions, projects or a proposal has: submitting the application. */
export const APPLICATION_TASK = { id: 'application', title: 'Submit the application' } as const;
/** A prerequisite task: what the applicant hands in, and whether a mentor or admin must accept it. */
const Prerequisite = ChecklistItem.extend({
  kind: z
    .enum(['confirmation', 'text', 'link', 'file'])
    .default('confirmation')
    .describe('What the applicant submits: nothing (a confirmation), a text answer, a link or a PDF file'),
  review: z
    .boolean()
    .default(false)
    .describe('Complete only once a mentor or admin accepts the submission (else complete when submitted)'),
});
const Skill = z.string().min(1).max(40);
/** A project idea: what an applicant applies for, with the mentors committed to it. */
const Project = z.strictObject({
  id: Slug,
  title: z.string().min(1).max(200),
  description: z.string().max(20_000).default('').describe('Markdown, stored as written'),
  skills: z.array(Skill).max(20).default([]),
  mentors: z
    .array(
      z.strictObject({
        id: z.string().min(1).max(200),
        name: z.string().min(1).max(200),
        email: Email,
        timeZone: TimeZone.optional(),
      }),
    )
    .max(10)
    .default([])
    .describe('The mentors committed to the project; only they can be named in a selection for it'),
  slots: z.int().min(1).max(1000).optional().describe('Mentees the project may take; default: no own limit'),
});
/** A question of the application form; the answers are the applicant's, kept in PostgreSQL. */
const Question = z.strictObject({
  id: Slug,
  prompt: z.string().min(1).max(2000),
  kind: z.enum(['short-text', 'long-text', 'url', 'choice']),
  choices: z.array(z.string().min(1).max(200)).min(2).max(30).optional().describe('For kind choice'),
  required: z.boolean().default(true),
  maxLength: z.int().min(1).max(20_000).optional().describe('Characters; default 200 short, 10,000 long'),
});
const Criterion = z.strictObject({ id: Slug, title: z.string().min(1).max(200) });
export const DEFAULT_RATING_CRITERIA = [{ id: 'overall', title: 'Overall' }];
const ParticipationItem = ChecklistItem.extend({
  kind: z.enum(['project-plan', 'starter-task', 'milestone', 'exam']),
});

export const DEFAULT_ONBOARDING_STEPS = [
  { id: 'contract', title: 'Sign the mentee contract' },
  { id: 'tax-form', title: 'Submit the tax form' },
  { id: 'payment-details', title: 'Provide payment details' },
];
export const DEFAULT_PARTICIPATION = [
  { id: 'project-plan', title: 'Agree the project plan with the mentor', kind: 'project-plan' as const },
  { id: 'starter-docs', title: 'Starter task: a documentation edit', kind: 'starter-task' as const },
  { id: 'milestone-1', title: 'Milestone 1', kind: 'milestone' as const },
  { id: 'milestone-2', title: 'Milestone 2', kind: 'milestone' as const },
];

const Stipend = z.strictObject({
  currency: z.string().length(3).toUpperCase().default('USD'),
  total: z.number().positive().max(100_000).describe('Full stipend in major units before country adjustment'),
  installments: z
    .array(
      z.strictObject({
        afterEvaluation: z.int().min(1).max(EVALUATIONS.max),
        percent: z.number().positive().max(100),
      }),
    )
    .min(1)
    .max(EVALUATIONS.max)
    .optional()
    .describe('Default: half after the 2nd evaluation, half after the final one'),
  countryAdjustments: z
    .record(z.string().length(2).toUpperCase(), z.number().positive().max(200))
    .default({})
    .describe('Percent of the total paid to mentees living in a country, e.g. { "IN": 60 }'),
  payOnFailedEvaluation: z.boolean().default(false),
});

/** How a program reads its evaluations (GSoC and LFX differ). */
const EvaluationPolicy = z.strictObject({
  passMinimumRating: z
    .int()
    .min(1)
    .max(5)
    .nullable()
    .default(null)
    .describe('A mentor may recommend a pass only with every rating at least this; null: any ratings'),
  menteeEvaluation: z
    .enum(['fail', 'flag', 'ignore'])
    .default('flag')
    .describe(
      "The mentee's own evaluation of the mentor and the program, missing by the due date plus grace: fail (GSoC), flag (remind, alert the admin) or ignore",
    ),
});

/** Whether an earned installment is paid at once, or waits for the program's admin (LFX). */
const StipendApproval = z.strictObject({
  mode: z.enum(['automatic', 'admin']).default('automatic'),
  remindAfterDays: z.int().min(1).max(60).default(3).describe('Remind the admin of an undecided installment'),
  alertOpsAfterDays: z.int().min(1).max(90).default(7).describe('Then flag it for ops (NeedsAttention)'),
});

/** What an admin sends to create a program term: its schedule and rules. */
export const ProgramInput = z
  .strictObject({
    id: Slug.describe('Opaque program id, e.g. lfx-2026-term-2'),
    name: z.string().min(1).max(200),
    term: z.string().min(1).max(100),
    termId: Slug.optional().describe(
      'The term of the organization this program belongs to (POST /terms); its rules span the programs',
    ),
    slots: z
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe("Mentees the program may select; default: the term's slotsPerProgram, else unlimited"),
    adminEmail: Email.describe('Where overdue evaluations, lapsed offers and terminations are reported'),
    adminTimeZone: TimeZone.optional().describe(
      "The program admins' IANA time zone, e.g. Europe/Berlin: their emails and calendar show deadlines in it, with UTC beside (default UTC)",
    ),
    applicationsOpenAt: Instant.optional().describe(
      'When applications open; default: when the program is created',
    ),
    applicationsCloseAt: Instant,
    reviewWindowDays: z.int().min(1).max(120),
    selectionDeadline: Instant,
    onboardingDeadline: Instant,
    termStartsAt: Instant,
    termEndsAt: Instant,
    description: z
      .string()
      .max(50_000)
      .default('')
      .describe('What an applicant reads before applying: Markdown, stored as written'),
    skills: z.array(Skill).max(30).default([]),
    projects: z
      .array(Project)
      .max(200)
      .default([])
      .describe('Project ideas; an application names one or more'),
    projectsPerApplication: z
      .int()
      .min(1)
      .max(10)
      .default(1)
      .describe('How many projects an application may name'),
    questions: z.array(Question).max(30).default([]),
    proposal: z
      .enum(['none', 'optional', 'required'])
      .default('none')
      .describe('A GSoC-style proposal file (PDF) with the application'),
    ratingCriteria: z
      .array(Criterion)
      .min(1)
      .max(4)
      .default(DEFAULT_RATING_CRITERIA)
      .describe('What mentors rate an application on, each 1-5'),
    prerequisites: z.array(Prerequisite).max(20).default([]),
    reviewReminderDaysBefore: z.int().min(0).max(13).default(3),
    onboardingSteps: z.array(ChecklistItem).min(1).max(10).default(DEFAULT_ONBOARDING_STEPS),
    participation: z.array(ParticipationItem).max(40).default(DEFAULT_PARTICIPATION),
    evaluations: EvaluationDates,
    evaluationWindowDays: z.int().min(1).max(28).default(7),
    evaluationReminderDaysBefore: z.int().min(0).max(14).default(2),
    missedEvaluation: z
      .strictObject({
        graceDays: z.int().min(0).max(30).default(3),
        outcome: z.enum(['fail', 'keep-waiting']).default('fail'),
      })
      .default({ graceDays: 3, outcome: 'fail' }),
    stipend: Stipend,
    completionGraceDays: z.int().min(0).max(60).default(14),
    maxExtensionDays: z.int().min(0).max(180).default(35),
    contentRetentionDays: z
      .int()
      .min(0)
      .max(3650)
      .default(180)
      .describe("Days after the term's end that the application content of applicants not selected is kept"),
    evaluationPolicy: EvaluationPolicy.default(EvaluationPolicy.parse({})),
    stipendApproval: StipendApproval.default(StipendApproval.parse({})),
  })
  .superRefine((program, ctx) => {
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (program.reviewWindowDays < MIN_REVIEW_WINDOW_DAYS) {
      issue(
        ['reviewWindowDays'],
        `the review window must be at least ${MIN_REVIEW_WINDOW_DAYS} days (got ${program.reviewWindowDays})`,
      );
      return;
    }
    const reviewClosesAt = Date.parse(program.applicationsCloseAt) + program.reviewWindowDays * DAY_MS;
    if (Date.parse(program.selectionDeadline) < reviewClosesAt) {
      issue(['selectionDeadline'], 'the selection deadline must not be before the review window closes');
    }
    if (
      program.applicationsOpenAt &&
      Date.parse(program.applicationsOpenAt) >= Date.parse(program.applicationsCloseAt)
    ) {
      issue(['applicationsOpenAt'], 'applications must open before they close');
    }
    const ordered: [string, number][] = [
      ['applicationsCloseAt', Date.parse(program.applicationsCloseAt)],
      ['selectionDeadline', Date.parse(program.selectionDeadline)],
      ['onboardingDeadline', Date.parse(program.onboardingDeadline)],
      ['termStartsAt', Date.parse(program.termStartsAt)],
      ...program.evaluations.map((e, i): [string, number] => [`evaluations.${i}.dueAt`, Date.parse(e.dueAt)]),
      ['termEndsAt', Date.parse(program.termEndsAt)],
    ];
    for (let i = 1; i < ordered.length; i++) {
      const [previousName, previous] = ordered[i - 1]!;
      const [name, at] = ordered[i]!;
      if (at < previous) issue(name.split('.'), `${name} must not be before ${previousName}`);
    }
    for (const [index, prerequisite] of program.prerequisites.entries()) {
      if (prerequisite.id === APPLICATION_TASK.id) {
        issue(
          ['prerequisites', index, 'id'],
          `"${APPLICATION_TASK.id}" is the application itself; choose another id`,
        );
      }
    }
    for (const [index, question] of program.questions.entries()) {
      if ((question.kind === 'choice') !== (question.choices !== undefined)) {
        issue(['questions', index, 'choices'], 'choices are given exactly for questions of kind choice');
      }
    }
    for (const [field, items] of [
      ['prerequisites', program.prerequisites],
      ['onboardingSteps', program.onboardingSteps],
      ['participation', program.participation],
      ['projects', program.projects],
      ['questions', program.questions],
      ['ratingCriteria', program.ratingCriteria],
    ] as const) {
      const ids = new Set<string>();
      for (const [index, item] of items.entries()) {
        if (ids.has(item.id)) issue([field, index, 'id'], `duplicate id ${item.id}`);
        ids.add(item.id);
      }
    }
    const installments = program.stipend.installments;
    if (installments) {
      const total = installments.reduce((sum, i) => sum + i.percent, 0);
      if (Math.abs(total - 100) > 1e-9)
        issue(['stipend', 'installments'], `percents must add up to 100 (got ${total})`);
      const seen = new Set<number>();
      for (const [index, installment] of installments.entries()) {
        if (installment.afterEvaluation > program.evaluations.length) {
          issue(
            ['stipend', 'installments', index, 'afterEvaluation'],
            `there are only ${program.evaluations.length} evaluations`,
          );
        }
        if (seen.has(installment.afterEvaluation)) {
          issue(['stipend', 'installments', index, 'afterEvaluation'], 'one installment per evaluation');
        }
        seen.add(installment.afterEvaluation);
      }
    }
  });

export type ProgramInput = z.input<typeof ProgramInput>;

/** A change to a program's schedule: the evaluation dates (all of them), the term end, the grace after it. */
export const ScheduleChange = z.strictObject({
  evaluations: EvaluationDates.optional(),
  termEndsAt: Instant.optional(),
  completionGraceDays: z.int().min(0).max(60).optional(),
});
export type ScheduleChange = z.infer<typeof ScheduleChange>;
export type Program = z.output<typeof ProgramInput>;

export interface Checklist {
  id: string;
  title: string;
}

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
  completionDeadline: string;
  prerequisites: Checklist[];
  onboardingSteps: Checklist[];
  participation: (Checklist & { kind: string })[];
  evaluations: { number: number; opensAt: string; remindAt: string | null; dueAt: string }[];
  missedEvaluation: { graceDays: number; outcome: 'fail' | 'keep-waiting' };
  stipend: {
    currency: string;
    totalCents: number;
    installments: { number: number; afterEvaluation: number; percent: number }[];
    countryAdjustments: Record<string, number>;
    payOnFailedEvaluation: boolean;
  };
  maxExtensionDays: number;
  /** Absent in workflows started before programs had these settings: they keep today's behaviour. */
  evaluationPolicy?: { passMinimumRating: number | null; menteeEvaluation: 'fail' | 'flag' | 'ignore' };
  stipendApproval?: { mode: 'automatic' | 'admin'; remindAfterDays: number; alertOpsAfterDays: number };
  /** The term's rules, read when the mentee applied; absent in workflows started before terms existed. */
  termRules?: PinnedTermRules;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function rulesOf(program: Program): ProgramRules {
  const reviewClosesAt = Date.parse(program.applicationsCloseAt) + program.reviewWindowDays * DAY_MS;
  const finalEvaluation = program.evaluations.length;
  const installments = program.stipend.installments ?? [
    { afterEvaluation: 2, percent: 50 },
    { afterEvaluation: finalEvaluation, percent: 50 },
  ];
  return {
    programId: program.id,
    name: program.name,
    term: program.term,
    applicationsCloseAt: iso(Date.parse(program.applicationsCloseAt)),
    reviewClosesAt: iso(reviewClosesAt),
    reviewReminderAt:
      program.reviewReminderDaysBefore > 0
        ? iso(reviewClosesAt - program.reviewReminderDaysBefore * DAY_MS)
        : null,
    selectionDeadline: iso(Date.parse(program.selectionDeadline)),
    onboardingDeadline: iso(Date.parse(program.onboardingDeadline)),
    termStartsAt: iso(Date.parse(program.termStartsAt)),
    termEndsAt: iso(Date.parse(program.termEndsAt)),
    completionDeadline: iso(Date.parse(program.termEndsAt) + program.completionGraceDays * DAY_MS),
    // ids and titles only: what a task asks and how it is reviewed stays with the program
    prerequisites: [
      ...(hasApplicationForm(program) ? [APPLICATION_TASK] : []),
      ...program.prerequisites.map(({ id, title }) => ({ id, title })),
    ],
    onboardingSteps: program.onboardingSteps,
    participation: program.participation,
    evaluations: program.evaluations.map((evaluation, index) => {
      const dueAt = Date.parse(evaluation.dueAt);
      return {
        number: index + 1,
        opensAt: iso(dueAt - program.evaluationWindowDays * DAY_MS),
        remindAt:
          program.evaluationReminderDaysBefore > 0
            ? iso(dueAt - program.evaluationReminderDaysBefore * DAY_MS)
            : null,
        dueAt: iso(dueAt),
      };
    }),
    missedEvaluation: program.missedEvaluation,
    stipend: {
      currency: program.stipend.currency,
      totalCents: Math.round(program.stipend.total * 100),
      installments: [...installments]
        .sort((a, b) => a.afterEvaluation - b.afterEvaluation)
        .map((installment, index) => ({ number: index + 1, ...installment })),
      countryAdjustments: program.stipend.countryAdjustments,
      payOnFailedEvaluation: program.stipend.payOnFailedEvaluation,
    },
    maxExtensionDays: program.maxExtensionDays,
    evaluationPolicy: program.evaluationPolicy,
    stipendApproval: program.stipendApproval,
  };
}

/** A program whose application has content to fill in: submitting it is a task of the review window. */
export const hasApplicationForm = (program: Pick<Program, 'questions' | 'projects' | 'proposal'>) =>
  program.questions.length > 0 || program.projects.length > 0 || program.proposal !== 'none';

/** The longest answer a question takes. */
export const answerLimit = (question: Program['questions'][number]) =>
  question.maxLength ?? (question.kind === 'long-text' ? 10_000 : question.kind === 'url' ? 2_000 : 200);

/** Installment amounts in cents for a mentee's country; the last one absorbs rounding so they sum exactly. */
export function stipendPlan(stipend: ProgramRules['stipend'], country: string | null) {
  const adjustment = (country && stipend.countryAdjustments[country]) || 100;
  const totalCents = Math.round((stipend.totalCents * adjustment) / 100);
  let remaining = totalCents;
  return stipend.installments.map((installment, index) => {
    const last = index === stipend.installments.length - 1;
    const amountCents = last ? remaining : Math.round((totalCents * installment.percent) / 100);
    remaining -= amountCents;
    return { ...installment, amountCents, currency: stipend.currency };
  });
}
