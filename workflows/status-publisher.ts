import { condition } from '@temporalio/workflow';

/**
 * Writes the read model after every change, coalescing the changes of one activation into one local activity
 * so history stays small. `flushed()` resolves once Postgres has caught up.
 */
export interface StatusPublisher {
  readonly version: number;
  changed(): void;
  flushed(): Promise<void>;
}

/**
 * `inParallel` (release 1.1): a write goes out as soon as something changed, without waiting for the one before
 * (the read model keeps the highest version). The 1.0 publisher waited, so a local activity's completion
 * decided when the next command went out; a write that outlived its workflow task (PostgreSQL down) completed
 * there beside an Update on replay and the commands came in another order: a nondeterminism error. Now a
 * completion only answers `flushed()`.
 */
export function statusPublisher<S extends { version: number }>(
  snapshot: () => S,
  write: (status: S) => Promise<void>,
  inParallel: boolean,
): StatusPublisher {
  let version = 0;
  let issued = -1;
  let published = -1;
  void (async () => {
    for (;;) {
      await condition(() => (inParallel ? issued : published) < version);
      const status = snapshot();
      issued = status.version;
      const written = write(status).then(() => {
        published = Math.max(published, status.version);
      });
      if (!inParallel) await written;
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
