import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '..');

/** How to run `worker/main.ts`: from source through tsx (bundling the workflows), or `npm run build`'s output. */
export const WORKER_ENTRY = {
  source: ['--import', 'tsx', 'worker/main.ts'],
  compiled: ['--enable-source-maps', 'dist/worker/main.js'],
} as const;

/** `npm run build --if-stale`, so that the compiled entry runs today's code. */
export function buildIfStale(): void {
  const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error(`npm run build failed (exit ${built.status})`);
}

export type LogLine = Record<string, unknown>;

export interface WorkerProcess {
  child: ChildProcess;
  /** Every JSON log line so far; a line that is not JSON as `{ unparsed }`. */
  lines: LogLine[];
}

/**
 * The worker in its own process, logging JSON lines (tests, benchmarks, the chaos experiment); `env` adds to
 * this process's environment, metrics stay off unless it sets WORKER_METRICS_PORT. `onLine` sees each line.
 */
export function spawnWorkerProcess(
  entry: keyof typeof WORKER_ENTRY,
  env: NodeJS.ProcessEnv,
  onLine: (line: LogLine) => void = () => {},
  nodeArgs: readonly string[] = [],
): WorkerProcess {
  const child = spawn(process.execPath, [...nodeArgs, ...WORKER_ENTRY[entry]], {
    cwd: ROOT,
    env: { ...process.env, WORKER_METRICS_PORT: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: LogLine[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { unparsed: text };
    }
    lines.push(line);
    onLine(line);
  });
  return { child, lines };
}
