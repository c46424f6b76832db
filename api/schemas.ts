import { z } from '@hono/zod-openapi';
import { STAGES } from '../domain/stages.js';
import { EXAMPLES } from './examples.js';
import { Problem } from './problems.js';

/** Path and query parameters, each with an example for the reference page. */
export const Param = {
  applicationId: z.string().openapi({
    description: 'The id returned when the mentee applied',
    example: '5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11',
  }),
  programId: z.string().max(64).openapi({ description: 'The program term', example: 'lfx-2026-t2' }),
  mentorId: z.string().max(64).openapi({ description: "The mentor's user id", example: 'mentor-ada' }),
  prerequisiteId: z
    .string()
    .openapi({ description: "One of the program's prerequisites", example: 'intro-call' }),
  stepId: z.string().openapi({ description: 'An onboarding step of the program', example: 'contract' }),
  itemId: z.string().openapi({ description: 'A participation item of the program', example: 'milestone-1' }),
  evaluation: z.coerce
    .number()
    .int()
    .min(1)
    .max(4)
    .openapi({ description: 'Which evaluation (1-4)', example: 2 }),
  certificateCode: z
    .string()
    .max(64)
    .openapi({ description: 'The verification code on the letter', example: 'K7PD-2QXM-9RTA' }),
};

/** A required JSON request body with the example the reference page shows. */
export const jsonBody = <S extends z.ZodType>(schema: S, example: z.input<S>) => ({
  required: true,
  content: { 'application/json': { schema, example } },
});

/** Routes that need a bearer token say so in the OpenAPI document. */
export const secured = { security: [{ bearerAuth: [] }] };

export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});

/** What any POST or PATCH can answer besides its own outcomes: bad JSON, too large, invalid, an Idempotency-Key reused or still running. */
export const writeErrors = {
  400: problemResponse('Malformed JSON, or a malformed Idempotency-Key'),
  401: problemResponse('No or invalid bearer token'),
  409: problemResponse('Not possible now, or a request with the same Idempotency-Key is still running'),
  413: problemResponse('The body is larger than 64 KiB'),
  422: problemResponse(
    'Invalid request (the field errors are listed), or an Idempotency-Key reused for another request',
  ),
};

const Actor = z.object({ userId: z.string(), role: z.enum(['mentee', 'mentor', 'admin', 'ops', 'system']) });
const Ratings = z.object({
  tasksAndMilestones: z.int().min(1).max(5),
  engagement: z.int().min(1).max(5),
  progressAgainstPlan: z.int().min(1).max(5),
});

/** The mentee's dashboard: one document with every stage's progress, deadlines and the next step. */
export const ApplicationStatus = z
  .object({
    id: z.uuid(),
    programId: z.string(),
    menteeId: z.string(),
    stage: z.enum(STAGES),
    reviewClosesAt: z.string(),
    prerequisites: z.object({ done: z.array(z.string()), open: z.array(z.string()) }),
    selection: z
      .object({
        mentorId: z.string(),
        projectTitle: z.string(),
        decidedAt: z.string(),
        phoneCallRecordedAt: z.string().nullable(),
      })
      .nullable(),
    onboarding: z.object({ deadline: z.string(), done: z.array(z.string()), open: z.array(z.string()) }),
    participation: z.object({ done: z.array(z.string()), open: z.array(z.string()) }),
    evaluations: z.array(
      z.object({
        number: z.int(),
        opensAt: z.string(),
        dueAt: z.string(),
        state: z.enum(['upcoming', 'open', 'overdue', 'passed', 'failed', 'missed']),
        submittedAt: z.string().nullable(),
        ratings: Ratings.nullable(),
        outcome: z.enum(['pass', 'fail']).nullable(),
      }),
    ),
    stipend: z.array(
      z.object({
        number: z.int(),
        afterEvaluation: z.int(),
        amountCents: z.int().nullable(),
        currency: z.string(),
        state: z.enum(['scheduled', 'paid', 'payment-failed', 'forfeited']),
        paidAt: z.string().nullable(),
      }),
    ),
    feedbackSubmitted: z.boolean(),
    extensionDays: z.int(),
    termEndsAt: z.string(),
    certificateCode: z.string().nullable(),
    next: z.object({ what: z.string(), deadline: z.string().nullable() }).nullable(),
    outcomeReason: z.string().nullable(),
    decisions: z.array(
      z.object({ action: z.string(), by: Actor, at: z.string(), detail: z.string().nullable() }),
    ),
    updatedAt: z.string(),
  })
  .openapi({ example: EXAMPLES.ApplicationStatus })
  .openapi('ApplicationStatus');
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;

export const MessageResponse = z
  .object({ duplicate: z.boolean(), application: ApplicationStatus })
  .openapi({ example: { duplicate: false, application: EXAMPLES.ApplicationStatus } })
  .openapi('MessageResult');

export const EvaluationBody = z.strictObject({
  mentorId: z.string().min(1).optional().describe('The calling mentor; taken from the token when left out'),
  ratings: z.strictObject(Ratings.shape),
  comments: z.string().max(10_000).default(''),
  outcome: z.enum(['pass', 'fail']),
});
