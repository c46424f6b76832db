import type { ChildProcess } from 'node:child_process';
import { terminateProcess } from '../scripts/temporal-binaries.js';
import { spawnWorkerProcess } from '../scripts/worker-process.js';

export interface WorkerStart {
  spawnedAt: number;
  pollingAt?: number;
  exit?: string;
}

/**
 * The compiled worker as its own process under a supervisor that starts it again whenever it exits, as
 * systemd's `Restart=always` or a Kubernetes Deployment would; `kill()` is a `kill -9`.
 */
export class SupervisedWorker {
  readonly starts: WorkerStart[] = [];
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly pollingWaiters: (() => void)[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
    // extra node flags, e.g. a bench's `--cpu-prof`
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get polling(): boolean {
    const last = this.starts.at(-1);
    return last?.pollingAt !== undefined && last.exit === undefined;
  }

  start(): void {
    const start: WorkerStart = { spawnedAt: Date.now() };
    this.starts.push(start);
    const { child } = spawnWorkerProcess(
      'compiled',
      this.env,
      (line) => {
        if (line.msg === 'worker polling') {
          start.pollingAt = Date.now();
          for (const resolve of this.pollingWaiters.splice(0)) resolve();
        }
      },
      this.nodeArgs,
    );
    this.child = child;
    child.once('exit', (code, signal) => {
      start.exit = signal ?? `exit ${code}`;
      if (this.stopping) return;
      this.log(`worker exited (${start.exit}); the supervisor starts it again`);
      setTimeout(() => this.start(), 200);
    });
  }

  /** Waits until the current process polls its task queue. */
  untilPolling(): Promise<void> {
    if (this.polling) return Promise.resolve();
    return new Promise((resolve) => this.pollingWaiters.push(resolve));
  }

  /** `kill -9` of the running worker; the supervisor brings up the next one. */
  kill(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child) await terminateProcess(this.child, 10_000);
  }
}
