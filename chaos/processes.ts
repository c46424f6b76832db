import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { terminateProcess } from '../scripts/temporal-binaries.js';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** `npm run build --if-stale`: the worker runs as production does, compiled with its prebuilt workflow bundle. */
export function buildIfStale(): void {
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
}

export interface WorkerStart {
  spawnedAt: number;
  pollingAt?: number;
  exit?: string;
}

/**
 * The worker as its own process under a supervisor that starts it again whenever it exits, as systemd's
 * `Restart=always` or a Kubernetes Deployment would; `kill()` is a `kill -9`.
 */
export class SupervisedWorker {
  readonly starts: WorkerStart[] = [];
  /** Log lines at error level or above, for the report. */
  readonly errors: string[] = [];
  private child: ChildProcess | undefined;
  private stopping = false;
  private readonly pollingWaiters: (() => void)[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
  ) {}

  get polling(): boolean {
    const last = this.starts.at(-1);
    return last?.pollingAt !== undefined && last.exit === undefined;
  }

  start(): void {
    const start: WorkerStart = { spawnedAt: Date.now() };
    this.starts.push(start);
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/worker/main.js'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const onLine = (line: string) => {
      if (line.includes('"worker polling"')) {
        start.pollingAt = Date.now();
        for (const resolve of this.pollingWaiters.splice(0)) resolve();
      }
      if (/"level":(50|60)/.test(line)) this.errors.push(line);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
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
