import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ProgramInput } from '../domain/program.js';

// The two files a simulation reads: the program file (a term and its programs, as the API takes them) and the
// scenario file (how people behave, as rates and distributions). Both are validated here with clear errors.

/** A number of days (or hours): a constant, uniform between min and max, a clipped normal, or weighted values. */
export const Distribution = z.union([
  z.number().min(0),
  z.strictObject({ min: z.number().min(0), max: z.number().min(0) }).refine((d) => d.min <= d.max, {
    message: 'min must not be above max',
  }),
  z.strictObject({
    mean: z.number().min(0),
    sd: z.number().min(0),
    min: z.number().min(0).optional(),
    max: z.number().min(0).optional(),
  }),
  z
    .strictObject({
      values: z.array(z.number().min(0)).min(1),
      weights: z.array(z.number().min(0)).optional(),
    })
    .refine((d) => !d.weights || d.weights.length === d.values.length, {
      message: 'weights must have one entry per value',
    }),
]);
export type Distribution = z.infer<typeof Distribution>;

const Rate = z.number().min(0).max(1);

/** Categories whose rates add up to 1, e.g. { select: 0.5, decline: 0.3, none: 0.2 }; those left out share the rest. */
const shares = <K extends string>(keys: readonly [K, ...K[]], defaults: Record<K, number>) =>
  z
    .partialRecord(z.enum(keys), Rate)
    .prefault({})
    .transform((given: Partial<Record<K, number>>, ctx) => {
      const rates = { ...defaults } as Record<K, number>;
      const rest = keys.filter((k) => given[k] === undefined);
      const givenSum = keys.reduce((sum, k) => sum + (given[k] ?? 0), 0);
      const defaultRest = rest.reduce((sum, k) => sum + defaults[k], 0);
      for (const k of keys) {
        const value = given[k];
        // categories left out share what the given ones leave over, in their default proportions
        if (value !== undefined) rates[k] = value;
        else if (rest.length < keys.length)
          rates[k] = defaultRest > 0 ? ((1 - givenSum) * defaults[k]) / defaultRest : 0;
      }
      const total = keys.reduce((sum, k) => sum + rates[k], 0);
      if (givenSum > 1 + 1e-9 || Math.abs(total - 1) > 1e-6) {
        ctx.addIssue({
          code: 'custom',
          message: `the shares of ${keys.join(', ')} must add up to 1 (got ${+(givenSum > 1 ? givenSum : total).toFixed(6)})`,
        });
      }
      return rates;
    });

const EvaluationBehaviour = z.strictObject({
  pass: Rate.optional(),
  fail: Rate.optional(),
  missed: Rate.optional(),
  /** Of those submitted, the share submitted after the due date (within the grace period). */
  lateRate: Rate.optional(),
  /** Days before the due date an on-time evaluation comes in (the window opens a week before). */
  daysEarly: Distribution.optional(),
  /** Days after the due date a late one comes in. */
  daysLate: Distribution.optional(),
});

/** How people behave: every field has a default that looks like a real LFX term. */
export const ScenarioFile = z.strictObject({
  name: z.string().default('LFX-like term (defaults)'),
  description: z.string().optional(),
  countries: z
    .record(z.string().length(2).toUpperCase(), Rate)
    .default({
      IN: 0.38,
      US: 0.12,
      CN: 0.08,
      NG: 0.08,
      BR: 0.07,
      DE: 0.05,
      ID: 0.06,
      KE: 0.06,
      GB: 0.04,
      PK: 0.06,
    })
    .refine((c) => Math.abs(Object.values(c).reduce((s, v) => s + v, 0) - 1) < 1e-6, {
      message: 'country shares must add up to 1',
    }),
  applications: z
    .strictObject({
      /** Days before applications close that a mentee applies. */
      daysBeforeClose: Distribution.default({ min: 0, max: 20 }),
      /** With several programs in a term: the share of people who apply to more than one. */
      multiProgramRate: Rate.default(0.3),
    })
    .prefault({}),
  prerequisites: z
    .strictObject({
      shares: shares(['early', 'late', 'partial', 'none'] as const, {
        early: 0.6,
        late: 0.15,
        partial: 0.13,
        none: 0.12,
      }),
      /** Days after applying that early ones finish (before the reminder). */
      daysAfterApplying: Distribution.default({ min: 0, max: 6 }),
    })
    .prefault({}),
  selection: z
    .strictObject({
      shares: shares(['select', 'decline', 'none'] as const, { select: 0.35, decline: 0.5, none: 0.15 }),
      /** Days after the review closes that the mentor decides. */
      daysAfterReview: Distribution.default({ mean: 1.5, sd: 1, min: 0, max: 2.9 }),
      phoneCallRate: Rate.default(0.1),
      /** Mentees per mentor. */
      menteesPerMentor: z.int().min(1).max(20).default(2),
    })
    .prefault({}),
  onboarding: z
    .strictObject({
      shares: shares(['onTime', 'late', 'never'] as const, { onTime: 0.92, late: 0.03, never: 0.05 }),
      /** Days after selection that each step is done (on time: clipped before the deadline). */
      daysAfterSelection: Distribution.default({ min: 0, max: 4 }),
    })
    .prefault({}),
  evaluations: z
    .strictObject({
      default: EvaluationBehaviour.default({}),
      /** Per evaluation number, overriding the default, e.g. { "2": { "lateRate": 0.33 } }. */
      byEvaluation: z.record(z.string().regex(/^[1-4]$/), EvaluationBehaviour).default({}),
    })
    .prefault({}),
  participation: z
    .strictObject({
      /** Share of active mentees who finish every participation item. */
      completeRate: Rate.default(0.97),
      surveyRate: Rate.default(0.96),
      /** Days after the final evaluation's due date that the survey comes in. */
      surveyDaysAfterFinal: Distribution.default({ min: 0, max: 10 }),
    })
    .prefault({}),
  withdrawals: z
    .strictObject({ rate: Rate.default(0.04), reason: z.string().default('Took a full-time job') })
    .prefault({}),
  terminations: z
    .strictObject({
      rate: Rate.default(0.01),
      reason: z.string().default('Stopped responding to the mentor'),
    })
    .prefault({}),
  extensions: z
    .strictObject({ rate: Rate.default(0.05), days: Distribution.default({ values: [7, 14, 21, 28] }) })
    .prefault({}),
  payments: z
    .strictObject({
      /** Share of paid mentees whose payout the provider rejects (a closed bank account). */
      rejectionRate: Rate.default(0.03),
      /** Of the rejected: ops fix the payee and retry; the rest are never retried (staff attention). */
      retriedRate: Rate.default(0.85),
      /** Of the retries: the payee was not fixed yet and the provider rejects again, then a second retry. */
      retryFailsRate: Rate.default(0.2),
      daysToRetry: Distribution.default({ min: 1, max: 10 }),
      /** With LFX-style approvals (stipendApproval.mode "admin"): days from the evaluation to the admin's approval. */
      daysToApprove: Distribution.default({ min: 0.5, max: 6 }),
    })
    .prefault({}),
});
export type Scenario = z.output<typeof ScenarioFile>;

const EVALUATION_DEFAULTS = {
  pass: 0.93,
  fail: 0.035,
  missed: 0.035,
  lateRate: 0.15,
  daysEarly: { min: 0, max: 6 } as Distribution,
  daysLate: { min: 0.2, max: 2.8 } as Distribution,
};
export type EvaluationPlan = typeof EVALUATION_DEFAULTS;

/** The behaviour for evaluation `n`: the defaults, the scenario's default, then its per-evaluation override. */
export function evaluationBehaviour(scenario: Scenario, n: number): EvaluationPlan {
  const merged = {
    ...EVALUATION_DEFAULTS,
    ...strip(scenario.evaluations.default),
    ...strip(scenario.evaluations.byEvaluation[String(n)] ?? {}),
  } as EvaluationPlan;
  const total = merged.pass + merged.fail + merged.missed;
  return { ...merged, pass: merged.pass / total, fail: merged.fail / total, missed: merged.missed / total };
}
const strip = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A term of the organization (POST /terms); validated by the API once it exists on this branch. */
const TermFile = z.looseObject({
  id: z.string().min(1),
  organization: z.string().min(1),
  name: z.string().min(1),
  // what the planner reads; the rest is the API's to check
  announcementAt: z.iso.datetime({ offset: true }).nullable().optional(),
  onboardingDaysAfterAnnouncement: z.int().min(1).optional(),
});

/** A program file: one program as POST /programs takes it, or a term with several programs. */
export const ProgramFile = z.union([
  z.strictObject({
    term: TermFile.optional(),
    programs: z
      .array(z.looseObject({ applicantShare: z.number().positive().optional() }))
      .min(1)
      // GSoC 2025 had 185 organizations
      .max(250),
  }),
  z.looseObject({ id: z.string() }),
]);

export interface ProgramPlanInput {
  program: ProgramInput;
  /** Relative weight of applicants to this program. */
  applicantShare: number;
}
export interface LoadedPrograms {
  term: z.infer<typeof TermFile> | null;
  programs: ProgramPlanInput[];
}

export class FileError extends Error {}

/** Formats zod issues as `file: path: message` lines. */
function explain(file: string, error: z.ZodError): string {
  const lines = error.issues.map(
    (i) => `  ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`,
  );
  return `${file} is not valid:\n${lines.join('\n')}`;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FileError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FileError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

export function parsePrograms(value: unknown, file = 'program file'): LoadedPrograms {
  const shape = ProgramFile.safeParse(value);
  if (!shape.success) throw new FileError(explain(file, shape.error));
  const entries =
    'programs' in shape.data && Array.isArray(shape.data.programs)
      ? (shape.data.programs as Record<string, unknown>[])
      : [shape.data as Record<string, unknown>];
  const term = 'programs' in shape.data ? ((shape.data.term as LoadedPrograms['term']) ?? null) : null;
  const programs = entries.map((entry, index) => {
    // applicantShare is the simulator's own field: how the term's applicants spread over its programs
    const { applicantShare, ...program } = entry;
    const parsed = ProgramInput.safeParse(term ? { ...program, termId: term.id } : program);
    if (!parsed.success) {
      const where = entries.length > 1 || 'programs' in shape.data ? `${file} programs.${index}` : file;
      throw new FileError(explain(where, parsed.error));
    }
    return { program: program as ProgramInput, applicantShare: (applicantShare as number | undefined) ?? 1 };
  });
  const ids = new Set<string>();
  for (const { program } of programs) {
    if (ids.has(program.id)) throw new FileError(`${file}: two programs have the id ${program.id}`);
    ids.add(program.id);
    const named = (program as { termId?: string }).termId;
    if (term && !('termId' in ProgramInput.shape)) {
      throw new FileError(
        `${file} has a term, but this branch has no terms yet (POST /terms): use a file with one program`,
      );
    }
    if (term && named !== undefined && named !== term.id) {
      throw new FileError(
        `${file}: program ${program.id} names term ${named}, the file's term is ${term.id}`,
      );
    }
  }
  if (term)
    for (const entry of programs) entry.program = { ...entry.program, termId: term.id } as ProgramInput;
  return { term, programs };
}

export function parseScenario(value: unknown, file = 'scenario file'): Scenario {
  const parsed = ScenarioFile.safeParse(value);
  if (!parsed.success) throw new FileError(explain(file, parsed.error));
  return parsed.data;
}

export async function loadPrograms(file: string): Promise<LoadedPrograms> {
  return parsePrograms(await readJson(file), file);
}

export async function loadScenario(file: string | undefined): Promise<Scenario> {
  return parseScenario(file ? await readJson(file) : {}, file ?? 'default scenario');
}
