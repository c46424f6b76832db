/**
 * `npx tsx bench/gsoc-scale.ts [--people 15000] [--seed 7] [--cache <n>]`
 *
 * A term at GSoC 2025's scale in the cohort simulator: 185 organizations (the GSoC-style program of
 * examples/programs/, one per organization, 1,270 slots in all, mentors of their own) in one term (three proposals
 * at most, one acceptance), and people applying mostly in the last days, 39% of them to two or three organizations:
 * 15,000 people make about 23,500 applications. Writes the term and the scenario to a temporary folder and runs
 * bench/simulator.ts on them (`--only sim`), which prints the wall time, CPU per mentee and peak RSS; with fewer
 * `--people` it also prints what the whole scale would take at the same rate.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '15000' },
    seed: { type: 'string', default: '7' },
    cache: { type: 'string' },
  },
});
const ORGANIZATIONS = 185;
const SLOTS = 1_270;
const GSOC_PEOPLE = 15_000;

const example = JSON.parse(readFileSync('examples/programs/gsoc-style-3-evaluations.json', 'utf8'));
const programs = Array.from({ length: ORGANIZATIONS }, (_, i) => {
  const org = `org-${String(i).padStart(3, '0')}`;
  return {
    ...example,
    id: `gsoc-2025-${org}`,
    name: `Summer of Code: ${org}`,
    adminEmail: `${org}-admins@example.org`,
    // 1,270 slots over 185 organizations: 160 with 7, 25 with 6
    slots: i < SLOTS - 6 * ORGANIZATIONS ? 7 : 6,
    projects: example.projects.map((p: { id: string; mentors: { id: string; email: string }[] }) => ({
      ...p,
      mentors: p.mentors.map((m) => ({ ...m, id: `${org}-${m.id}`, email: `${org}-${m.email}` })),
    })),
    // larger organizations draw more proposals
    applicantShare: 1 + (i % 10 === 0 ? 4 : i % 3 === 0 ? 1 : 0),
  };
});
const term = {
  id: 'gsoc-2025',
  organization: 'Summer of Code',
  name: 'Summer of Code 2025',
  maxOpenApplications: 3,
  maxAcceptances: 1,
};
const scenario = {
  // most proposals in the last days before the deadline
  applications: { daysBeforeClose: { mean: 2, sd: 3, min: 0, max: 14 }, multiProgramRate: 0.39 },
  // organizations choose a few of many: slots cap the rest
  selection: { shares: { select: 0.09, decline: 0.55, none: 0.36 } },
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'gsoc-scale-'));
writeFileSync(path.join(dir, 'term.json'), JSON.stringify({ term, programs }));
writeFileSync(path.join(dir, 'scenario.json'), JSON.stringify(scenario));

const people = Number(values.people);
process.stderr.write(`${ORGANIZATIONS} organizations, ${SLOTS} slots, ${people} people (files in ${dir})\n`);
const run = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    'bench/simulator.ts',
    '--only',
    'sim',
    '--program',
    path.join(dir, 'term.json'),
    '--scenario',
    path.join(dir, 'scenario.json'),
    '--mentees',
    String(people),
    '--seed',
    values.seed!,
    ...(values.cache ? ['--cache', values.cache] : []),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
);
process.stdout.write(run.stdout);
const seconds = /simulator[^\n]*?([\d.]+) s/.exec(run.stdout)?.[1];
if (seconds && people < GSOC_PEOPLE) {
  const whole = (Number(seconds) * GSOC_PEOPLE) / people;
  process.stdout.write(
    `\nAt this rate the whole scale (${GSOC_PEOPLE} people) would take ${(whole / 60).toFixed(1)} min (goal: 10 min).\n`,
  );
}
process.exitCode = run.status ?? 1;
