import type { Schemas } from '../api/client';

export type StageName = Schemas['ApplicationSummary']['stage'];

export const STAGES: Record<StageName, string> = {
  in_review: 'In review',
  not_accepted: 'Not accepted',
  awaiting_selection: 'Awaiting selection',
  declined: 'Declined',
  not_selected: 'Not selected',
  onboarding: 'Onboarding',
  offer_lapsed: 'Offer lapsed',
  active: 'Active',
  completed: 'Completed',
  terminated: 'Terminated',
  withdrawn: 'Withdrawn',
};

const TONE: Partial<Record<StageName, string>> = {
  in_review: 'info',
  awaiting_selection: 'info',
  onboarding: 'good',
  active: 'good',
  completed: 'good',
  not_accepted: 'bad',
  declined: 'bad',
  not_selected: 'bad',
  offer_lapsed: 'bad',
  terminated: 'bad',
};

export function Stage({ stage }: { stage: StageName }) {
  return <span className={`badge badge-${TONE[stage] ?? 'plain'}`}>{STAGES[stage]}</span>;
}

export function Badge({
  tone = 'plain',
  children,
}: {
  tone?: 'good' | 'bad' | 'info' | 'warn' | 'plain';
  children: React.ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A task's review state as a badge's tone: one mapping for the applicant's page and the reviewer's. */
export const TASK_TONE = {
  pending: 'plain',
  submitted: 'info',
  accepted: 'good',
  'changes-requested': 'warn',
} as const satisfies Record<string, 'good' | 'bad' | 'info' | 'warn' | 'plain'>;
