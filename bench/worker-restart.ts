/**
 * `npx tsx bench/worker-restart.ts [starts]`: how long a worker restart takes, from spawning the process to
 * "worker polling", run from source through tsx (bundling the workflows with webpack on every start: the
 * "before") and from `npm run build`'s output with the prebuilt workflow bundle (the "after"), interleaved,
 * against the same embedded PostgreSQL and Temporal dev server. Prints both and their ratio.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { migrate } from '../db/index.js';
import { startDevServer } from '../scripts/dev-server.js';
import { ensureTemporalCli, findFreePorts } from '../scripts/temporal-binaries.js';

const STARTS = Number(process.argv[2] ?? 3);
const ROOT = path.resolve(import.meta.dirname, '..');

const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--if-stale'], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (built.status !== 0) process.exit(built.status ?? 1);

const [pgPort, temporalPort, uiPort] = (await findFreePorts(3)) as [number, number, number];
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mentorship-bench-pg-'));
await chmod(dataDir, 0o755);
const [postgres, temporal] = await Promise.all([
  startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'data'),
    port: pgPort,
    database: 'bench',
    persistent: false,
  }),
  startDevServer({
    cliPath: await ensureTemporalCli(),
    port: temporalPort,
    uiPort,
    namespace: 'default',
    log: () => {},
  }),
]);
await migrate(postgres.url);

/** Spawns a worker, resolves with the ms until it logs "worker polling", then stops it. */
async function restart(argv: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'bench-restart',
      WORKER_METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ms = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"worker polling"')) resolve(performance.now() - started);
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before polling`)));
  });
  child.kill('SIGTERM');
  await exited;
  return ms;
}

const SERIES = {
  'from source (tsx, bundles workflows)': ['--import', 'tsx', 'worker/main.ts'],
  'compiled (dist/, prebuilt bundle)': ['--enable-source-maps', 'dist/worker/main.js'],
} as const;
type Name = keyof typeof SERIES;
const times: Record<Name, number[]> = {
  'from source (tsx, bundles workflows)': [],
  'compiled (dist/, prebuilt bundle)': [],
};
try {
  for (let i = 0; i < STARTS; i++) {
    for (const name of Object.keys(SERIES) as Name[]) times[name].push(await restart([...SERIES[name]]));
  }
} finally {
  await temporal.stop();
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `Worker restart: spawn to "worker polling" (node ${process.version}, ${STARTS} starts each, interleaved)`,
);
for (const name of Object.keys(SERIES) as Name[]) {
  console.log(`  ${name.padEnd(38)} median ${s(median(times[name]))}  (${times[name].map(s).join(', ')})`);
}
const [before, after] = (Object.keys(SERIES) as Name[]).map((name) => median(times[name])) as [
  number,
  number,
];
console.log(
  `  compiled / from source               ${(after / before).toFixed(2)}× (${(before / after).toFixed(1)}× faster)`,
);
