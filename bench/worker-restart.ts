/**
 * `npx tsx bench/worker-restart.ts [starts]`: how long a worker restart takes, from spawning the process to
 * "worker polling", run from source through tsx (bundling the workflows with webpack on every start: the
 * "before") and from `npm run build`'s output with the prebuilt workflow bundle (the "after"), interleaved,
 * against the same embedded PostgreSQL and Temporal dev server. Prints both and their ratio.
 */
import { startLocalServers } from '../scripts/local-servers.js';
import { buildIfStale, spawnWorkerProcess, type WORKER_ENTRY } from '../scripts/worker-process.js';

const STARTS = Number(process.argv[2] ?? 3);

buildIfStale();
const servers = await startLocalServers({ prefix: 'bench-restart' });

/** Spawns a worker, resolves with the ms until it logs "worker polling", then stops it. */
async function restart(entry: keyof typeof WORKER_ENTRY): Promise<number> {
  const started = performance.now();
  let polling: (ms: number) => void = () => {};
  const { child } = spawnWorkerProcess(
    entry,
    {
      DATABASE_URL: servers.database.url,
      TEMPORAL_ADDRESS: servers.temporal.address,
      TEMPORAL_TASK_QUEUE: 'bench-restart',
    },
    (line) => {
      if (line.msg === 'worker polling') polling(performance.now() - started);
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ms = await new Promise<number>((resolve, reject) => {
    polling = resolve;
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before polling`)));
  });
  child.kill('SIGTERM');
  await exited;
  return ms;
}

const SERIES = {
  'from source (tsx, bundles workflows)': 'source',
  'compiled (dist/, prebuilt bundle)': 'compiled',
} as const;
type Name = keyof typeof SERIES;
const times: Record<Name, number[]> = {
  'from source (tsx, bundles workflows)': [],
  'compiled (dist/, prebuilt bundle)': [],
};
try {
  for (let i = 0; i < STARTS; i++) {
    for (const name of Object.keys(SERIES) as Name[]) times[name].push(await restart(SERIES[name]));
  }
} finally {
  await servers.stop();
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
