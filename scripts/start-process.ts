import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { findFreePorts } from './temporal-binaries.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BANNER = 'Mentorship backend is running:';

export interface StartProcess {
  child: ChildProcess;
  /** stdout and stderr so far, line by line. */
  output: string[];
  /** Resolves once the banner is printed; rejects with the output if the process exits first. */
  ready: Promise<void>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** The ports and data directory of one embedded system, all free and its own. */
export async function embeddedSystemEnv(dataDir: string): Promise<Record<string, string>> {
  const [api, postgres, temporal, ui] = (await findFreePorts(4)) as [number, number, number, number];
  return {
    DATA_DIR: dataDir,
    API_PORT: String(api),
    EMBEDDED_POSTGRES_PORT: String(postgres),
    TEMPORAL_DEV_SERVER_PORT: String(temporal),
    TEMPORAL_UI_PORT: String(ui),
    WORKER_METRICS_PORT: '0',
  };
}

/**
 * `npm start`'s process (the compiled `dist/scripts/start.js`; build it first with `buildIfStale`), as tests and
 * benchmarks crash it: `env` adds to this environment (ports, DATA_DIR), logs are JSON lines.
 */
export function spawnStart(env: Record<string, string>): StartProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/scripts/start.js'], {
    cwd: ROOT,
    env: { ...process.env, LOG_FORMAT: 'json', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const ready = new Promise<void>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        output.push(line);
        if (line.startsWith(BANNER)) resolve();
      });
    }
    void exited.then((code) =>
      reject(new Error(`npm start exited (${code ?? 'signal'}) before it was ready:\n${output.join('\n')}`)),
    );
  });
  ready.catch(() => {});
  return { child, output, ready, exited };
}
