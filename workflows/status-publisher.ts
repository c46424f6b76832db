import { condition } from '@temporalio/workflow';

/**
 * Writes the read model after every change, one write at a time, coalescing bursts of changes
 * into one activity so history stays small. `flushed()` resolves once Postgres has caught up.
 */
export interface StatusPublisher {
  readonly version: number;
  changed(): void;
  flushed(): Promise<void>;
}

export function statusPublisher<S extends { version: number }>(
  snapshot: () => S,
  write: (status: S) => Promise<void>,
): StatusPublisher {
  let version = 0;
  let published = -1;
  void (async () => {
    for (;;) {
      await condition(() => published < version);
      const status = snapshot();
      await write(status);
      published = status.version;
    }
  })();
  return {
    get version() {
      return version;
    },
    changed(): void {
      version++;
    },
    flushed(): Promise<void> {
      return condition(() => published >= version);
    },
  };
}
