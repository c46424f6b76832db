import {
  defineSearchAttributeKey,
  type SearchAttributePair,
  type SearchAttributeUpdatePair,
} from '@temporalio/common';

/** Custom search attributes ops filter by in the Temporal UI; opaque ids and counts, never personal data. */
export const MenteeStageKey = defineSearchAttributeKey('MenteeStage', 'KEYWORD');
export const ProgramIdKey = defineSearchAttributeKey('ProgramId', 'KEYWORD');
export const ProgramTermKey = defineSearchAttributeKey('ProgramTerm', 'KEYWORD');
/** The term of the organization (POST /terms) whose rules the mentee's program follows; set at start. */
export const TermIdKey = defineSearchAttributeKey('TermId', 'KEYWORD');
/** The business deadline of the next step (review close, selection, onboarding, evaluation due...); unset once ended. */
export const NextDeadlineKey = defineSearchAttributeKey('NextDeadline', 'DATETIME');
export const EvaluationsPassedKey = defineSearchAttributeKey('EvaluationsPassed', 'INT');
export const InstallmentsPaidKey = defineSearchAttributeKey('InstallmentsPaid', 'INT');
/** Why ops should look: values of NEEDS_ATTENTION; empty when nothing is wrong. */
export const NeedsAttentionKey = defineSearchAttributeKey('NeedsAttention', 'KEYWORD_LIST');

export const NEEDS_ATTENTION = {
  evaluationOverdue: 'evaluation-overdue',
  paymentFailed: 'payment-failed',
  /** An earned installment has waited for the admin's approval longer than the program allows. */
  approvalOverdue: 'approval-overdue',
  /** The email provider refused an email for good (e.g. the address): fix it and send the email again. */
  emailRefused: 'email-refused',
} as const;

const CLI_TYPE = {
  KEYWORD: 'Keyword',
  KEYWORD_LIST: 'KeywordList',
  DATETIME: 'Datetime',
  INT: 'Int',
} as const;

/** Name -> type, as `temporal operator search-attribute create` and the dev server's flag expect. */
export const CUSTOM_SEARCH_ATTRIBUTES: Record<string, (typeof CLI_TYPE)[keyof typeof CLI_TYPE]> =
  Object.fromEntries(
    [
      MenteeStageKey,
      ProgramIdKey,
      ProgramTermKey,
      TermIdKey,
      NextDeadlineKey,
      EvaluationsPassedKey,
      InstallmentsPaidKey,
      NeedsAttentionKey,
    ].map((key) => [key.name, CLI_TYPE[key.type as keyof typeof CLI_TYPE]]),
  );

/** The values ops filter by, as the workflow keeps them; unset (null) when there is nothing to show. */
export interface MenteeVisibility {
  stage: string;
  programId: string;
  term: string;
  nextDeadline: string | null;
  evaluationsPassed: number;
  installmentsPaid: number;
  needsAttention: string[];
}

export function menteeSearchAttributes(v: MenteeVisibility): SearchAttributeUpdatePair[] {
  return [
    { key: MenteeStageKey, value: v.stage },
    { key: ProgramIdKey, value: v.programId },
    { key: ProgramTermKey, value: v.term },
    { key: NextDeadlineKey, value: v.nextDeadline ? new Date(v.nextDeadline) : null },
    { key: EvaluationsPassedKey, value: v.evaluationsPassed },
    { key: InstallmentsPaidKey, value: v.installmentsPaid },
    { key: NeedsAttentionKey, value: v.needsAttention.length > 0 ? v.needsAttention : null },
  ];
}

/** What a new application's workflow starts with, so its first state needs no upsert. */
export function initialSearchAttributes(rules: {
  programId: string;
  term: string;
  reviewClosesAt: string;
  termRules?: { termId: string | null };
}): SearchAttributePair[] {
  // the term id never changes, so it is set here only and never upserted
  const termId = rules.termRules?.termId;
  const term: SearchAttributePair[] = termId ? [{ key: TermIdKey, value: termId }] : [];
  return [
    ...term,
    ...menteeSearchAttributes({
      stage: 'in_review',
      programId: rules.programId,
      term: rules.term,
      nextDeadline: rules.reviewClosesAt,
      evaluationsPassed: 0,
      installmentsPaid: 0,
      needsAttention: [],
    }).filter((pair): pair is SearchAttributePair => pair.value !== null),
  ];
}
