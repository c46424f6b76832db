import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { canonicalDigest } from './digest.js';
import { FileError, loadPrograms, loadScenario } from './files.js';
import { buildReport } from './report-data.js';
import { renderReportHtml } from './report-html.js';
import { type Phase, type Progress, simulate } from './simulate.js';
import { startSimulationSystem } from './system.js';

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

const PHASES: Record<Phase, string> = {
  starting: 'starting servers',
  planning: 'planning',
  programs: 'creating programs',
  running: 'running the term',
  settling: 'settling',
  report: 'writing the report',
  done: 'done',
};

/** The simulator's command line; returns the exit code (0 done, 1 bad input or a failure). */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('simulate')
    .description('Simulate a whole cohort through the real system on the time-skipping Temporal server')
    .requiredOption(
      '--program <file>',
      'program file: one program (as POST /programs takes it) or { term, programs }',
    )
    .option('--mentees <n>', 'people applying', integer('--mentees', 1, 20_000), 100)
    .option('--seed <n>', 'seed of every behaviour decision', integer('--seed', 0, 2 ** 31 - 1), 1)
    .option('--scenario <file>', 'behaviour rates and distributions (defaults: a typical LFX term)')
    .option('--out <dir>', 'where report.html and report.json go', '.data/simulation')
    .option('--concurrency <n>', 'API calls in flight at one instant', integer('--concurrency', 1, 256), 16)
    .option(
      '--resolution <hours>',
      'hours between the instants people act at (1-24)',
      integer('--resolution', 1, 24),
      1,
    )
    .option(
      '--guard-timers',
      "go on past a mentee's timer due just before its message (the test server would strand it; ~1.25x time)",
    )
    .option(
      '--cache <n>',
      "mentees the worker keeps in memory (default: all); fewer cost replays (docs/simulator.md: a rehearsal's memory)",
      integer('--cache', 1, 20_000),
    )
    .option('--json', 'print the report.json summary to stdout, no progress bar')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let opts: {
    program: string;
    mentees: number;
    seed: number;
    scenario?: string;
    out: string;
    concurrency: number;
    resolution: number;
    guardTimers?: boolean;
    cache?: number;
    json?: boolean;
  };
  try {
    opts = program.parse(argv, { from: 'user' }).opts();
  } catch (error) {
    return (error as { exitCode?: number }).exitCode ?? 1;
  }

  let files: Awaited<ReturnType<typeof loadPrograms>>;
  let scenario: Awaited<ReturnType<typeof loadScenario>>;
  try {
    [files, scenario] = await Promise.all([loadPrograms(opts.program), loadScenario(opts.scenario)]);
  } catch (error) {
    if (error instanceof FileError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }

  const bar = opts.json
    ? null
    : new SingleBar(
        {
          format:
            '{phase} |{bar}| {simDate} | {menteesDone}/{applications} done | {value}/{total} steps | {rate} steps/s | ETA {eta_formatted}',
          hideCursor: true,
          etaBuffer: 200,
          fps: 4,
        },
        Presets.shades_classic,
      );
  let started = false;
  const show = (p: Progress) => {
    if (!bar) return;
    const elapsed = (performance.now() - t0) / 1000;
    const payload = {
      phase: PHASES[p.phase].padEnd(17),
      simDate: p.simulatedNow ? new Date(p.simulatedNow).toISOString().slice(0, 16).replace('T', ' ') : '-',
      menteesDone: p.applicationsDone,
      applications: p.applications,
      rate: elapsed > 0 ? (p.stepsDone / elapsed).toFixed(1) : '0',
    };
    if (!started) {
      bar.start(Math.max(1, p.steps), p.stepsDone, payload);
      started = true;
    } else {
      bar.setTotal(Math.max(1, p.steps));
      bar.update(p.stepsDone, payload);
    }
  };
  const t0 = performance.now();
  if (!opts.json)
    process.stderr.write('Starting PostgreSQL, the time-skipping Temporal server and the worker...\n');
  const system = await startSimulationSystem({
    log: opts.json ? () => {} : (line) => process.stderr.write(`${line}\n`),
    ...(opts.cache && { workerSizes: { maxCachedWorkflows: opts.cache } }),
  });
  const startupSeconds = (performance.now() - t0) / 1000;
  try {
    const run = await system.run(() =>
      simulate(
        system,
        files,
        scenario,
        {
          mentees: opts.mentees,
          seed: opts.seed,
          concurrency: opts.concurrency,
          gridHours: opts.resolution,
          timerGuard: opts.guardTimers === true,
        },
        show,
      ),
    );
    show({
      phase: 'report',
      simulatedNow: system.clock.now,
      stepsDone: run.timings.steps,
      steps: run.timings.steps,
      applicationsDone: run.plan.applications.length - run.open.length,
      applications: run.plan.applications.length,
    });
    bar?.stop();
    const report = await buildReport(system, run, {
      seed: opts.seed,
      scenario: scenario.name,
      mentees: opts.mentees,
      termId: files.term?.id ?? null,
    });
    const completedMentees = report.summary.completed;
    report.timings = {
      startupSeconds: round(startupSeconds),
      runSeconds: round(run.timings.runSeconds),
      settleSeconds: round(run.timings.settleSeconds),
      // of the run: moving the clock (timers firing, their tasks) and running the API calls
      clockSeconds: round(run.timings.clockSeconds),
      stepSeconds: round(run.timings.stepSeconds),
      instants: run.timings.instants,
      steps: run.timings.steps,
      applicationsPerSecond: round(
        run.plan.applications.length / (run.timings.runSeconds + run.timings.settleSeconds),
      ),
      // this process (worker, API, driver) at its peak, as the kernel counted it (maxRSS is in KiB)
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    const digest = await canonicalDigest(system, run);
    await mkdir(opts.out, { recursive: true });
    const json = { ...report, digest: digest.hash };
    await writeFile(path.join(opts.out, 'report.json'), `${JSON.stringify(json, null, 2)}\n`);
    await writeFile(path.join(opts.out, 'report.html'), await renderReportHtml(report));
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ generatedFor: report.generatedFor, summary: report.summary, funnel: report.funnel, deadlineExits: report.deadlineExits, timings: report.timings, digest: digest.hash, out: path.resolve(opts.out) }, null, 2)}\n`,
      );
    } else {
      process.stderr.write(`\n${report.summary.lines.join('\n')}\n`);
      process.stderr.write(
        `\n${run.plan.applications.length} applications in ${round(run.timings.runSeconds + run.timings.settleSeconds)} s (${report.timings.applicationsPerSecond}/s), ${completedMentees} completed, peak RSS ${report.timings.peakRssMiB} MiB; digest ${digest.hash.slice(0, 16)}\n`,
      );
      process.stderr.write(`Report: ${path.resolve(opts.out, 'report.html')} (and report.json)\n`);
    }
    return 0;
  } finally {
    bar?.stop();
    await system.stop();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
