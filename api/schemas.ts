import { z } from '@hono/zod-openapi';
import { EVALUATIONS } from '../domain/program.js';
import {
  EvaluationRatings,
  MenteeEvaluationRatings,
  MenteeStatus,
  RECOMMENDATIONS,
} from '../domain/status.js';
import { EXAMPLES } from './examples.js';
import { Problem } from './problems.js';

/** Path and query parameters, each with an example for the reference page. */
export const Param = {
  applicationId: z.string().openapi({
    description: 'The id returned when the mentee applied',
    example: '5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11',
  }),
  programId: z.string().max(64).openapi({ description: 'The program term', example: 'lfx-2026-t2' }),
  termId: z.string().max(64).openapi({ description: 'A term of an organization', example: 'lfx-2027-t1' }),
  mentorId: z.string().max(64).openapi({ description: "The mentor's user id", example: 'mentor-ada' }),
  personId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ description: "A person's user id (the token's subject)", example: 'u-123' }),
  prerequisiteId: z
    .string()
    .openapi({ description: "One of the program's prerequisites", example: 'intro-call' }),
  stepId: z.string().openapi({ description: 'An onboarding step of the program', example: 'contract' }),
  itemId: z.string().openapi({ description: 'A participation item of the program', example: 'milestone-1' }),
  evaluation: z.coerce
    .number()
    .int()
    .min(1)
    .max(EVALUATIONS.max)
    .openapi({ description: `Which evaluation (1-${EVALUATIONS.max})`, example: 2 }),
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

/** The mentee's dashboard: the workflow's status document under the application's id, with the mentee. */
export const ApplicationStatus = MenteeStatus.omit({ applicationId: true, version: true })
  .extend({
    id: z.uuid(),
    menteeId: z.string(),
    form: z
      .object({ state: z.enum(['draft', 'submitted']), version: z.int(), projectIds: z.array(z.string()) })
      .optional()
      .describe('The application form, where the program has one (its content: GET .../content)'),
    tasks: z
      .array(
        z.object({
          id: z.string(),
          state: z.enum(['pending', 'submitted', 'accepted', 'changes-requested']),
        }),
      )
      .optional()
      .describe(
        'Each task handed in, and where its review stands (GET .../tasks has the submissions and comments)',
      ),
  })
  .meta({ id: 'ApplicationStatus', example: EXAMPLES.ApplicationStatus });
export type ApplicationStatus = z.infer<typeof ApplicationStatus>;

export const MessageResponse = z
  .object({ duplicate: z.boolean(), application: ApplicationStatus })
  .openapi({ example: { duplicate: false, application: EXAMPLES.ApplicationStatus } })
  .openapi('MessageResult');

export const EvaluationBody = z
  .strictObject({
    mentorId: z.string().min(1).optional().describe('The calling mentor; taken from the token when left out'),
    ratings: z.strictObject(EvaluationRatings.shape),
    comments: z.string().max(10_000).default(''),
    outcome: z
      .enum(['pass', 'fail'])
      .optional()
      .describe(
        'pass or fail; may be left out when a recommendation says it (pass is a pass, the rest fail)',
      ),
    recommendation: z
      .enum(RECOMMENDATIONS)
      .optional()
      .describe(
        'pass (the installment that follows is paid); extend (extendDays: this evaluation and every later deadline move); terminate-with-pay (the earned installment is paid); terminate-without-pay',
      ),
    extendDays: z.int().min(1).max(180).optional().describe('With `extend`: days the evaluation moves'),
  })
  .superRefine((body, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (!body.outcome && !body.recommendation) issue('outcome', 'give an outcome or a recommendation');
    const implied = body.recommendation && (body.recommendation === 'pass' ? 'pass' : 'fail');
    if (body.outcome && implied && body.outcome !== implied) {
      issue('recommendation', `${body.recommendation} contradicts the outcome ${body.outcome}`);
    }
    if (body.recommendation === 'extend' && body.extendDays === undefined) {
      issue('extendDays', 'an extension needs a number of days');
    }
    if (body.recommendation !== 'extend' && body.extendDays !== undefined) {
      issue('extendDays', 'days only go with the recommendation extend');
    }
  });

/** The mentee's evaluation of their mentor and the program. */
export const MenteeEvaluationBody = z.strictObject({
  ratings: z.strictObject(MenteeEvaluationRatings.shape),
  comments: z.string().max(10_000).default(''),
  shareWithMentor: z
    .boolean()
    .default(false)
    .describe("Let the mentor read it; the program's admins always can"),
});
