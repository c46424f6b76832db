import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes ops filter by in the Temporal UI; never personal data. */
export const MenteeStageKey = defineSearchAttributeKey('MenteeStage', 'KEYWORD');
export const ProgramIdKey = defineSearchAttributeKey('ProgramId', 'KEYWORD');

/** Name -> type, as `temporal operator search-attribute create` and the dev server's flag expect. */
export const CUSTOM_SEARCH_ATTRIBUTES = {
  MenteeStage: 'Keyword',
  ProgramId: 'Keyword',
} as const;
