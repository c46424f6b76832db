import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ProgramRules } from './program.js';
import type { Stage } from './stages.js';

/** Everything that crosses the process boundary between API, worker and workflow. */
export interface MenteeWorkflowInput {
  applicationId: string;
  rules: ProgramRules;
}

export interface MenteeStatus {
  applicationId: string;
  programId: string;
  stage: Stage;
  /** Bumped on every change, so read-model writes never go backwards. */
  version: number;
  reviewClosesAt: string;
  prerequisites: { done: string[]; open: string[] };
  outcomeReason: string | null;
  updatedAt: string;
}

export interface CompletePrerequisiteResult {
  prerequisiteId: string;
  alreadyCompleted: boolean;
  status: MenteeStatus;
}

export const statusQuery = defineQuery<MenteeStatus>('status');
export const completePrerequisiteUpdate = defineUpdate<
  CompletePrerequisiteResult,
  [{ prerequisiteId: string }]
>('completePrerequisite');

/** Failure types a validator raises; the API maps each to an HTTP status. */
export const Rejections = {
  unknownPrerequisite: 'UnknownPrerequisite',
  wrongStage: 'WrongStage',
} as const;
