import { DefaultLogger, type LogEntry } from '@temporalio/worker';

/**
 * SDK log lines that are not ours to fix, dropped from test output. Each is a known, harmless consequence of
 * the servers tests run against; anything else the SDK or the core logs at WARN or above still prints.
 */
export const NOT_OURS: readonly RegExp[] = [
  // the Java time-skipping test server does not advertise this capability; heartbeat details are not asserted on
  /did not advertise the activity_failure_include_heartbeat capability/,
];

/**
 * The messages dropped so far in this process (on globalThis: the runtime's logger outlives the module
 * instance of the test file that installed it).
 */
export function droppedSdkLines(): string[] {
  const store = globalThis as { __droppedSdkLines?: string[] };
  store.__droppedSdkLines ??= [];
  return store.__droppedSdkLines;
}

/** Prints as the SDK's DefaultLogger does (to stderr), except the lines in NOT_OURS. */
export function quietSdkLogger(write: (line: string) => void = (line) => process.stderr.write(line)) {
  return new DefaultLogger('WARN', ({ level, message, meta }: LogEntry) => {
    if (NOT_OURS.some((pattern) => pattern.test(message))) {
      droppedSdkLines().push(message);
      return;
    }
    const fields = meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
    write(`${new Date().toISOString()} [${level}] ${message}${fields}\n`);
  });
}
