/** Where a mentee is in the program; the same word is in the status, the read model and the search attribute. */
export const STAGES = [
  'in_review',
  'not_accepted',
  'awaiting_selection',
  'declined',
  'not_selected',
  'onboarding',
  'offer_lapsed',
  'active',
  'completed',
  'terminated',
  'withdrawn',
] as const;

export type Stage = (typeof STAGES)[number];

export const FINAL_STAGES: ReadonlySet<Stage> = new Set<Stage>([
  'not_accepted',
  'declined',
  'not_selected',
  'offer_lapsed',
  'completed',
  'terminated',
  'withdrawn',
]);
