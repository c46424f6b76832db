/**
 * `npx tsx bench/simulator.ts [--mentees 1000] [--serial-mentees 150] [--seed 7] [--program <file>] [--only sim,bare,serial]
 *   [--cache <maxCachedWorkflows>] [--resolution <hours>] [--concurrency 16]`
 *
 * The cohort simulator's throughput on the time-skipping server, next to two references measured in the same run:
 * - simulator: the real system (API in-process, worker, Postgres, edge fakes), 16 calls in flight per instant;
 * - bare: the same plan against a workflow with the same timers, Updates and activities doing nothing
 *   (bench/bare-workflow.ts), sent straight through the Temporal client: what Temporal itself costs;
 * - serial: the real system driven one call at a time, as the cohort tests did before the engine;
 * - stacks (only with `--only ...,stacks`): the simulator with production's workflow bundle, which captures a stack
 *   trace for every promise a workflow creates (the simulator's rehearsal bundle does not);
 * - guarded (only with `--only ...,guarded`): the simulator with `--guard-timers` (simulator/timers.ts).
 * Prints mentees/s for each and their ratios, where the real time went (moving the clock, running the steps), CPU per
 * mentee (this process, and the servers it started), events per completed mentee and the process RSS at peak.
 * A rehearsal in little memory (docs/simulator.md, "A rehearsal's memory"):
 *   MALLOC_ARENA_MAX=2 NODE_OPTIONS=--max-old-space-size=192 npx tsx bench/simulator.ts --only sim --cache 300
 */
process.env.NODE_ENV ??= 'production';

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { menteeWorkflowId } = await import('../domain/ids.js');
const { keyringOf, newKeyringDocument } = await import('../privacy/keyring.js');
const { encryptedDataConverter } = await import('../privacy/payload-codec.js');
const { pool, runTimeline, SimulatedClock } = await import('../simulator/engine.js');
const { loadPrograms, loadScenario } = await import('../simulator/files.js');
const { planCohort } = await import('../simulator/plan.js');
const { settleWorkflows, shiftFor, simulate } = await import('../simulator/simulate.js');
const { DEFAULT_WORKER_SIZES, quietRuntime, startSimulationSystem, startTimeSkipping } = await import(
  '../simulator/system.js'
);
quietRuntime();
const { ensureTemporalTestServer } = await import('../scripts/temporal-binaries.js');
const { Worker } = await import('@temporalio/worker');
const { bareMenteeWorkflow, bareMessageUpdate } = await import('./bare-workflow.js');
const { bundleWorkflowsApart } = await import('../worker/worker.js');

const { values } = parseArgs({
  options: {
    mentees: { type: 'string', default: '1000' },
    'serial-mentees': { type: 'string', default: '150' },
    seed: { type: 'string', default: '7' },
    program: { type: 'string', default: 'examples/programs/lfx-12-week-full-time.json' },
    scenario: { type: 'string' },
    // sim, bare, serial, stacks (the simulator with production's bundle), guarded (with the timer guard)
    only: { type: 'string', default: 'sim,bare,serial' },
    // hours between the instants people act at (the simulator's --resolution)
    resolution: { type: 'string', default: '1' },
    // calls in flight at one instant for the simulator and the bare baseline (the serial driver has 1)
    concurrency: { type: 'string', default: '16' },
    // the worker's workflow cache for the real system (default: every mentee, DEFAULT_WORKER_SIZES)
    cache: { type: 'string' },
  },
});
const MENTEES = Number(values.mentees);
// the real system's worker; --cache bounds its workflow cache
const WORKER_SIZES = {
  ...DEFAULT_WORKER_SIZES,
  ...(values.cache ? { maxCachedWorkflows: Number(values.cache) } : {}),
};
const SERIAL_MENTEES = Number(values['serial-mentees']);
const SEED = Number(values.seed);
const GRID_HOURS = Number(values.resolution);
const CONCURRENCY = Number(values.concurrency);
const only = new Set(values.only!.split(','));
const files = await loadPrograms(values.program!);
const scenario = await loadScenario(values.scenario);
const testServerPath = await ensureTemporalTestServer();

interface Figures {
  mentees: number;
  seconds: number;
  perSecond: number;
  peakRssMb: number;
  /** CPU-seconds per mentee: this process (worker, API, driver) and its servers (Temporal, PostgreSQL). */
  cpu: { node: number; servers: number };
  extra?: string;
}

/** CPU ticks of every process started under this one (the time-skipping server, PostgreSQL), by pid (Linux). */
function descendantTicks(): Map<number, number> {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while we looked
    }
  }
  const isDescendant = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p))
      if (p === process.pid) return true;
    return false;
  };
  return new Map([...ticks].filter(([pid]) => isDescendant(pid)));
}

/** CPU-seconds per mentee in all: this process and its servers. */
const totalCpu = (f: Figures) => f.cpu.node + f.cpu.servers;

const perMentee = (cpu: { node: number; servers: number }, mentees: number) => ({
  node: cpu.node / mentees,
  servers: cpu.servers / mentees,
});

/** CPU-seconds used from now until stopped: this process, and the servers it started. */
function cpuMeter() {
  const node = process.cpuUsage();
  const before = descendantTicks();
  return () => {
    const used = process.cpuUsage(node);
    let ticks = 0;
    for (const [pid, t] of descendantTicks()) ticks += t - (before.get(pid) ?? 0);
    return { node: (used.user + used.system) / 1e6, servers: ticks / 100 }; // USER_HZ is 100 on Linux
  };
}

/** Samples the process RSS (worker, API and driver share it) until stopped; returns the peak in MiB. */
function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 250);
  return () => {
    clearInterval(timer);
    return Math.round(peak / 2 ** 20);
  };
}

async function realSystem(
  mentees: number,
  concurrency: number,
  bundle: 'rehearsal' | 'production' = 'rehearsal',
  timerGuard = false,
): Promise<Figures> {
  const system = await startSimulationSystem({
    testServerPath,
    workerSizes: WORKER_SIZES,
    // production's bundle: the SDK captures a stack trace for every promise (workflows/rehearsal.ts)
    ...(bundle === 'production' ? { workflowBundle: await bundleWorkflowsApart() } : {}),
  });
  try {
    const rss = rssSampler();
    const cpu = cpuMeter();
    let inFlight = 0;
    const run = await system.run(async () => {
      const result = await simulate(
        system,
        files,
        scenario,
        { mentees, seed: SEED, concurrency, gridHours: GRID_HOURS, timerGuard },
        (p) => {
          if (p.phase === 'running') inFlight = Math.max(inFlight, p.applications - p.applicationsDone);
        },
      );
      // events per completed mentee, from a sample of their histories (the worker must still run for nothing else)
      const completed = (
        await system.sql<
          { id: string }[]
        >`SELECT id FROM applications WHERE stage = 'completed' ORDER BY id LIMIT 40`
      ).map((r) => r.id);
      const counts: number[] = [];
      await pool(completed, 8, async (id) => {
        const history = await system.env.client.workflow.getHandle(menteeWorkflowId(id)).fetchHistory();
        counts.push(history.events?.length ?? 0);
      });
      return { ...result, counts, inFlight, cpu: cpu() };
    });
    const peakRssMb = rss();
    const seconds = run.timings.runSeconds + run.timings.settleSeconds;
    const avg = run.counts.length ? run.counts.reduce((s, n) => s + n, 0) / run.counts.length : 0;
    return {
      mentees: run.plan.applications.length,
      seconds,
      perSecond: run.plan.applications.length / seconds,
      peakRssMb,
      cpu: perMentee(run.cpu, run.plan.applications.length),
      extra: `${run.timings.instants} instants, ${run.timings.steps} API calls; clock ${run.timings.clockSeconds.toFixed(1)} s, steps ${run.timings.stepSeconds.toFixed(1)} s; events per completed mentee: avg ${avg.toFixed(0)} (min ${Math.min(...run.counts)}, max ${Math.max(...run.counts)}, n=${run.counts.length}); up to ${run.inFlight} workflows open at once`,
    };
  } finally {
    await system.stop();
  }
}

async function bare(mentees: number, concurrency: number): Promise<Figures> {
  // encrypted as the simulator's system is: the floor includes the codec
  const keyring = keyringOf(newKeyringDocument('bench'));
  const env = await startTimeSkipping(testServerPath, keyring);
  try {
    // bundled as the simulator's is: preloaded, without stack traces
    const workflowBundle = await bundleWorkflowsApart({
      workflowsPath: fileURLToPath(new URL('./bare-workflow.ts', import.meta.url)),
      rehearsal: true,
    });
    const taskQueue = 'bare-baseline';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      activities: { async noop() {} },
      dataConverter: encryptedDataConverter(keyring),
      ...DEFAULT_WORKER_SIZES,
    });
    const clock = new SimulatedClock(env);
    const now = await clock.sync();
    const plan = planCohort(files, scenario, {
      mentees,
      seed: SEED,
      shiftMs: shiftFor(files, now),
      gridHours: GRID_HOURS,
    });
    const rules = new Map(plan.programs.map((p) => [p.rules.programId, p.rules]));
    const rss = rssSampler();
    const cpu = cpuMeter();
    const started = performance.now();
    const counts: number[] = [];
    let open = 0;
    let timings = { instants: 0, steps: 0, clockSeconds: 0, stepSeconds: 0 };
    await worker.runUntil(async () => {
      const timeline = plan.applications.flatMap((a, index) =>
        a.steps.map((step) => ({
          at: step.at,
          chain: a.personId,
          run: async () => {
            const workflowId = `bare/${index}`;
            const { action } = step;
            if (action.kind === 'apply') {
              await env.client.workflow.start(bareMenteeWorkflow, {
                workflowId,
                taskQueue,
                args: [rules.get(a.programId)!],
              });
              a.applicationId = workflowId;
              return;
            }
            if (action.kind === 'reject-payee' || action.kind === 'fix-payee') return;
            const message = {
              kind: action.kind === 'survey' ? 'survey' : action.kind,
              ...('id' in action ? { id: action.id } : {}),
              ...('step' in action ? { id: action.step } : {}),
              ...('item' in action ? { id: action.item } : {}),
              ...('n' in action ? { n: action.n, outcome: action.outcome } : {}),
              ...('days' in action ? { days: action.days } : {}),
            };
            // a message to a mentee who has ended is refused, as the real one would be
            await env.client.workflow
              .getHandle(workflowId)
              .executeUpdate(bareMessageUpdate, { args: [message] })
              .catch(() => {});
          },
        })),
      );
      timings = await runTimeline(clock, timeline, { concurrency });
      await clock.skipTo(plan.endsAt);
      const ids = plan.applications.filter((a) => a.applicationId).map((a) => a.applicationId!);
      const settled = await settleWorkflows(env.client, ids);
      open = settled.filter((s) => s.open).length;
    });
    const seconds = (performance.now() - started) / 1000;
    const used = cpu();
    // events per completed mentee, read once everything has closed (results one at a time, never concurrently)
    for (const a of plan.applications.filter((x) => x.applicationId).slice(0, 400)) {
      if (counts.length >= 40) break;
      const handle = env.client.workflow.getHandle(a.applicationId!);
      const described = await handle.describe();
      if (described.status.name === 'COMPLETED' && (await handle.result()) === 'completed')
        counts.push((await handle.fetchHistory()).events?.length ?? 0);
    }
    const avg = counts.length ? counts.reduce((s, n) => s + n, 0) / counts.length : 0;
    return {
      mentees: plan.applications.length,
      seconds,
      perSecond: plan.applications.length / seconds,
      peakRssMb: rss(),
      cpu: perMentee(used, plan.applications.length),
      extra: `${timings.instants} instants; clock ${timings.clockSeconds.toFixed(1)} s, steps ${timings.stepSeconds.toFixed(1)} s; events per completed mentee: avg ${avg.toFixed(0)} (n=${counts.length}); ${open} left open`,
    };
  } finally {
    await env.teardown();
  }
}

const results: Record<string, Figures> = {};
const show = (name: string, f: Figures) =>
  console.log(
    `${name.padEnd(10)} ${String(f.mentees).padStart(5)} mentees in ${f.seconds.toFixed(1).padStart(6)} s = ${f.perSecond.toFixed(2).padStart(5)} mentees/s, peak RSS ${f.peakRssMb} MiB, CPU per mentee ${(1000 * f.cpu.node).toFixed(0)} ms here + ${(1000 * f.cpu.servers).toFixed(0)} ms servers${f.extra ? `\n           ${f.extra}` : ''}`,
  );
console.log(
  `Cohort simulator bench: ${path.basename(values.program!)}, seed ${SEED}, actions every ${GRID_HOURS} h, worker ${JSON.stringify(WORKER_SIZES)}`,
);
const measure = async (name: string, work: () => Promise<Figures>) => {
  if (!only.has(name === 'simulator' ? 'sim' : name)) return;
  results[name] = await work();
  show(name, results[name]);
};
await measure('simulator', () => realSystem(MENTEES, CONCURRENCY));
await measure('bare', () => bare(MENTEES, CONCURRENCY));
await measure('serial', () => realSystem(SERIAL_MENTEES, 1));
await measure('stacks', () => realSystem(MENTEES, CONCURRENCY, 'production'));
await measure('guarded', () => realSystem(MENTEES, CONCURRENCY, 'rehearsal', true));
const { simulator, bare: baseline, serial, stacks, guarded } = results;
if (simulator && guarded)
  console.log(
    `with the timer guard / without: ${(simulator.perSecond / guarded.perSecond).toFixed(2)}x time`,
  );
if (simulator && stacks)
  console.log(
    `with stack traces / rehearsal bundle: ${(simulator.perSecond / stacks.perSecond).toFixed(2)}x time, ${(stacks.peakRssMb / simulator.peakRssMb).toFixed(2)}x peak RSS, ${(totalCpu(stacks) / totalCpu(simulator)).toFixed(2)}x CPU`,
  );
if (simulator && serial)
  console.log(
    `simulator / serial driver: ${(simulator.perSecond / serial.perSecond).toFixed(2)}x (goal >= 3x)`,
  );
if (simulator && baseline)
  console.log(
    `bare / simulator:          ${(baseline.perSecond / simulator.perSecond).toFixed(2)}x (goal <= 1.2x)`,
    `\nCPU per mentee, simulator / bare: ${(totalCpu(simulator) / totalCpu(baseline)).toFixed(2)}x (this process ${(simulator.cpu.node / baseline.cpu.node).toFixed(2)}x, servers ${(simulator.cpu.servers / baseline.cpu.servers).toFixed(2)}x)`,
  );
if (simulator)
  console.log(
    `simulator wall time for ${simulator.mentees}: ${simulator.seconds.toFixed(0)} s (goal <= 240 s)`,
  );
process.exit(0);
