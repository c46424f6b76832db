import {
  ApplicationFailure,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import type { EmailMessage } from '../domain/emails.js';
import {
  type CompletePrerequisiteResult,
  completePrerequisiteUpdate,
  type MenteeStatus,
  type MenteeWorkflowInput,
  Rejections,
  statusQuery,
} from '../domain/messages.js';
import { MenteeStageKey } from '../domain/search-attributes.js';
import type { Stage } from '../domain/stages.js';
import { statusPublisher } from './status-publisher.js';

// Email and Postgres outages heal; keep retrying with backoff rather than lose a step.
const { sendEmail, recordStatus } = proxyActivities<activities.Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

export interface MenteeOutcome {
  stage: Stage;
  reason: string | null;
}

/** One mentee's path through one program term, read top to bottom like the program guide. */
export async function menteeWorkflow({ applicationId, rules }: MenteeWorkflowInput): Promise<MenteeOutcome> {
  let stage: Stage = 'in_review';
  let outcomeReason: string | null = null;
  const prerequisitesDone = new Set<string>();
  const openPrerequisites = () => rules.prerequisites.filter((p) => !prerequisitesDone.has(p.id));

  const status = (): MenteeStatus => ({
    applicationId,
    programId: rules.programId,
    stage,
    version: publisher.version,
    reviewClosesAt: rules.reviewClosesAt,
    prerequisites: {
      done: rules.prerequisites.filter((p) => prerequisitesDone.has(p.id)).map((p) => p.id),
      open: openPrerequisites().map((p) => p.id),
    },
    outcomeReason,
    updatedAt: new Date().toISOString(),
  });
  const publisher = statusPublisher(status, (snapshot) =>
    recordStatus.executeWithOptions({ summary: `Record stage ${snapshot.stage}` }, [snapshot]),
  );
  const moveTo = (next: Stage, reason: string | null = null) => {
    stage = next;
    outcomeReason = reason;
    upsertSearchAttributes([{ key: MenteeStageKey, value: next }]);
    setCurrentDetails(`Stage: **${next}**${reason ? ` — ${reason}` : ''}`);
    publisher.changed();
  };
  const email = (message: EmailMessage, summary: string) =>
    sendEmail.executeWithOptions({ summary }, [
      { applicationId, idempotencyKey: `${workflowInfo().workflowId}/${message.kind}`, message },
    ]);

  setHandler(statusQuery, status);
  setHandler(
    completePrerequisiteUpdate,
    async ({ prerequisiteId }): Promise<CompletePrerequisiteResult> => {
      const alreadyCompleted = prerequisitesDone.has(prerequisiteId);
      if (!alreadyCompleted) {
        prerequisitesDone.add(prerequisiteId);
        publisher.changed();
      }
      await publisher.flushed();
      return { prerequisiteId, alreadyCompleted, status: status() };
    },
    {
      validator: ({ prerequisiteId }) => {
        if (!rules.prerequisites.some((p) => p.id === prerequisiteId)) {
          throw ApplicationFailure.nonRetryable(
            `Program ${rules.programId} has no prerequisite "${prerequisiteId}"; it has: ${rules.prerequisites.map((p) => p.id).join(', ') || 'none'}`,
            Rejections.unknownPrerequisite,
          );
        }
        if (stage !== 'in_review') {
          throw ApplicationFailure.nonRetryable(
            `The review window closed at ${rules.reviewClosesAt}; prerequisites can no longer be completed (stage: ${stage})`,
            Rejections.wrongStage,
          );
        }
      },
    },
  );

  moveTo('in_review');
  await email(
    {
      kind: 'application-received',
      reviewClosesAt: rules.reviewClosesAt,
      openPrerequisites: openPrerequisites().map((p) => p.title),
    },
    'Email: application received',
  );

  // Review: at least two weeks; a reminder goes to applicants who still have prerequisites open.
  if (rules.reviewReminderAt && (await sleepUntil(rules.reviewReminderAt, 'Review reminder due'))) {
    if (openPrerequisites().length > 0) {
      await email(
        {
          kind: 'review-reminder',
          reviewClosesAt: rules.reviewClosesAt,
          openPrerequisites: openPrerequisites().map((p) => p.title),
        },
        'Email: review reminder',
      );
    }
  }
  await sleepUntil(rules.reviewClosesAt, 'Review window closes');

  const missing = openPrerequisites();
  if (missing.length > 0) {
    moveTo('not_accepted', `Prerequisites not completed: ${missing.map((p) => p.id).join(', ')}`);
    await email(
      { kind: 'not-accepted', missingPrerequisites: missing.map((p) => p.title) },
      'Email: not accepted',
    );
    return finish();
  }
  moveTo('awaiting_selection');

  // Selection arrives with the lifecycle issue; until then nobody decides and the deadline ends it.
  await sleepUntil(rules.selectionDeadline, 'Selection deadline');
  moveTo('not_selected', 'No selection decision by the selection deadline');
  return finish();

  async function finish(): Promise<MenteeOutcome> {
    await publisher.flushed();
    log.info('Mentee workflow finished', { stage, outcomeReason });
    return { stage, reason: outcomeReason };
  }
}

/** Durable sleep until an instant of the program schedule; returns false if it had already passed. */
async function sleepUntil(instant: string, summary: string): Promise<boolean> {
  const ms = Date.parse(instant) - Date.now();
  if (ms <= 0) return false;
  await sleep(ms, { summary });
  return true;
}
