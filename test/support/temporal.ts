import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import { testServerExecutable } from '../../scripts/temporal-binaries.js';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_TYPES = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Datetime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  Text: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
} as const;

/** The Java time-skipping test server, with our search attributes registered; retried once for a slow JVM start. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const executable = testServerExecutable(inject('temporalTestServerPath'));
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  } catch {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  }
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(CUSTOM_SEARCH_ATTRIBUTES).map(([name, type]) => [name, INDEXED_TYPES[type]]),
    ),
  });
  return env;
}
