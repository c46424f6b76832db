/**
 * `npx tsx bench/workflow-cache.ts [--mentees 1000] [--rounds 2]`
 *
 * What one mentee in the worker's workflow cache costs, with the workflow modules preloaded (evaluated once in the
 * worker's shared V8 context, as `bundleWorkflows` and `npm run build` bundle them) against the SDK's default (the
 * modules evaluated again for every mentee). Each variant runs in its own process (RSS is per process), the two
 * interleaved `--rounds` times: the real system on the time-skipping server (worker, API in-process, embedded
 * PostgreSQL), `--mentees` applications through the API, each held in review in the cache after its first task.
 * Prints per variant the process RSS per cached mentee (the workflows run in the worker's workflow thread, so RSS is
 * what counts) and the process CPU per mentee started, and the ratios per-workflow / preloaded.
 */
process.env.NODE_ENV ??= 'production';

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    mentees: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    variant: { type: 'string' },
  },
});
const MENTEES = Number(values.mentees);
type Variant = 'preloaded' | 'per-workflow';
interface Figures {
  variant: Variant;
  rssKiB: number;
  cpuMs: number;
  seconds: number;
}

if (values.variant) {
  console.log(JSON.stringify(await measure(values.variant as Variant)));
  process.exit(0);
}

const runs: Figures[] = [];
for (let round = 0; round < Number(values.rounds); round++) {
  for (const variant of ['per-workflow', 'preloaded'] as const) {
    const figures = await child(variant);
    runs.push(figures);
    console.log(
      `${variant.padEnd(12)} ${MENTEES} mentees: RSS ${figures.rssKiB.toFixed(0)} KiB per cached mentee; CPU ${figures.cpuMs.toFixed(1)} ms per mentee started (${figures.seconds.toFixed(1)} s)`,
    );
  }
}
const median = (variant: Variant, key: 'rssKiB' | 'cpuMs') => {
  const xs = runs
    .filter((r) => r.variant === variant)
    .map((r) => r[key])
    .sort((a, b) => a - b);
  return xs[Math.floor((xs.length - 1) / 2)]!;
};
for (const key of ['rssKiB', 'cpuMs'] as const) {
  const [per, pre] = [median('per-workflow', key), median('preloaded', key)];
  console.log(
    `${key}: per-workflow ${per.toFixed(1)} / preloaded ${pre.toFixed(1)} = ${(per / pre).toFixed(2)}x`,
  );
}

function child(variant: Variant): Promise<Figures> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', self, '--variant', variant, '--mentees', String(MENTEES)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    proc.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`${variant} exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as Figures);
    });
  });
}

async function measure(variant: Variant): Promise<Figures> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { mintToken } = await import('../api/auth.js');
  const { pool } = await import('../simulator/engine.js');
  const { SIM_AUTH, startSimulationSystem } = await import('../simulator/system.js');
  const { programFixture } = await import('../test/support/programs.js');
  const { workflowBundleOptions } = await import('../worker/worker.js');
  const options = workflowBundleOptions();
  const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  const workflowBundle = await bundleWorkflowCode({
    ...(variant === 'preloaded' ? options : { workflowsPath: options.workflowsPath }),
    logger: silent,
  });
  const system = await startSimulationSystem({ workflowBundle });
  const gc = globalThis.gc!;
  const bearer = async (userId: string, role: 'ops' | 'mentee') =>
    `Bearer ${await mintToken({ userId, role, programs: [] }, SIM_AUTH)}`;
  const request = async (method: string, url: string, authorization: string, body: unknown) => {
    const response = await system.app.request(url, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { id?: string } };
  };
  try {
    return await system.run(async () => {
      // applications close in 30 days: every mentee waits in review on a durable timer
      const program = programFixture(system.clock.now + 29 * 24 * 60 * 60 * 1000);
      const created = await request('POST', '/programs', await bearer('ops-bench', 'ops'), program);
      if (created.status !== 201) throw new Error(`program: ${JSON.stringify(created.body)}`);
      // one mentee first, so the SDK's own first-workflow work is in the baseline
      const applyOne = async (i: number) => {
        const r = await request(
          'POST',
          `/programs/${program.id}/applications`,
          await bearer(`m-${i}`, 'mentee'),
          {
            mentee: { name: `Mentee ${i}`, email: `m-${i}@example.org`, country: 'DE' },
          },
        );
        if (r.status !== 201) throw new Error(`apply ${i}: ${JSON.stringify(r.body)}`);
      };
      const firstTasksDone = async (n: number) => {
        for (;;) {
          const [row] = await system.sql<{ n: number }[]>`
            SELECT count(*)::int AS n FROM applications WHERE status IS NOT NULL`;
          if (row!.n >= n) return;
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      await applyOne(0);
      await firstTasksDone(1);
      gc();
      const before = { rss: process.memoryUsage().rss, cpu: process.cpuUsage() };
      const started = performance.now();
      await pool(
        Array.from({ length: MENTEES }, (_, i) => i + 1),
        32,
        applyOne,
      );
      await firstTasksDone(MENTEES + 1);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(before.cpu);
      gc();
      const after = process.memoryUsage();
      return {
        variant,
        rssKiB: (after.rss - before.rss) / 1024 / MENTEES,
        cpuMs: (cpu.user + cpu.system) / 1000 / MENTEES,
        seconds,
      };
    });
  } finally {
    await system.stop();
  }
}
