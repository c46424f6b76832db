import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { canonicalDigest } from '../simulator/digest.js';
import { FileError, loadPrograms, parsePrograms, parseScenario } from '../simulator/files.js';
import { planCohort } from '../simulator/plan.js';
import { buildReport, type Report } from '../simulator/report-data.js';
import { renderReportHtml } from '../simulator/report-html.js';
import { type SimulationRun, simulate } from '../simulator/simulate.js';
import { type SimulationSystem, startSimulationSystem } from '../simulator/system.js';

const PROGRAM = 'examples/programs/lfx-12-week-full-time.json';
// More of everything that goes wrong than a real term, so a small cohort walks every path.
const SCENARIO = parseScenario({
  name: 'test: eventful',
  selection: { shares: { select: 0.6, decline: 0.25, none: 0.15 } },
  evaluations: { default: { lateRate: 0.3, pass: 0.85, fail: 0.08, missed: 0.07 } },
  withdrawals: { rate: 0.12 },
  terminations: { rate: 0.04 },
  extensions: { rate: 0.15 },
  payments: { rejectionRate: 0.6, retriedRate: 0.7, retryFailsRate: 0.5 },
});
const MENTEES = 40;
const SEED = 7;

const systems: SimulationSystem[] = [];
afterAll(async () => {
  for (const system of systems) await system.stop();
});

async function simulateOnce(): Promise<{ system: SimulationSystem; run: SimulationRun }> {
  const system = await startSimulationSystem({
    postgresServerUrl: inject('postgresServerUrl'),
    testServerPath: inject('temporalTestServerPath'),
  });
  systems.push(system);
  const files = await loadPrograms(PROGRAM);
  const run = await system.run(() => simulate(system, files, SCENARIO, { mentees: MENTEES, seed: SEED }));
  return { system, run };
}

describe('program and scenario files', () => {
  it('name every invalid field of a program file, and of a scenario file', () => {
    const explain = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(FileError);
        return (error as Error).message;
      }
      throw new Error('expected a FileError');
    };
    const program = explain(() =>
      parsePrograms(
        { id: 'x', name: 'X', term: 'T', reviewWindowDays: 7, evaluations: [{ dueAt: 'soon' }] },
        'bad.json',
      ),
    );
    expect(program).toMatch(/^bad\.json is not valid:/);
    expect(program).toContain('adminEmail');
    expect(program).toContain('evaluations');
    const scenario = explain(() =>
      parseScenario(
        { selection: { shares: { select: 0.9, decline: 0.4 } }, evaluations: { byEvaluation: { '7': {} } } },
        'odd.json',
      ),
    );
    expect(scenario).toContain(
      'selection.shares: the shares of select, decline, none must add up to 1 (got 1.3)',
    );
    expect(scenario).toContain('evaluations.byEvaluation');
  });

  it('plan the same cohort from the same seed, and the first people alike whatever the size', async () => {
    const files = await loadPrograms(PROGRAM);
    const shiftMs = 0;
    const a = planCohort(files, SCENARIO, { mentees: 30, seed: SEED, shiftMs });
    const b = planCohort(files, SCENARIO, { mentees: 30, seed: SEED, shiftMs });
    const bigger = planCohort(files, SCENARIO, { mentees: 60, seed: SEED, shiftMs });
    expect(b).toEqual(a);
    expect(bigger.applications.slice(0, 30)).toEqual(a.applications);
    expect(planCohort(files, SCENARIO, { mentees: 30, seed: SEED + 1, shiftMs })).not.toEqual(a);
  });
});

describe(`a simulated cohort of ${MENTEES}, run twice with the same seed`, () => {
  let first: Awaited<ReturnType<typeof simulateOnce>>;
  let report: Report;

  it('ends with the same outcomes, ledger and emails per mentee', { timeout: 600_000 }, async () => {
    first = await simulateOnce();
    const second = await simulateOnce();
    const [a, b] = await Promise.all([
      canonicalDigest(first.system, first.run),
      canonicalDigest(second.system, second.run),
    ]);
    expect(a.outcomes.length).toBe(first.run.plan.applications.length);
    // every path the scenario asks for happened
    const stages = new Set(a.outcomes.map((o) => o.stage));
    for (const stage of ['completed', 'terminated', 'not_accepted', 'declined'])
      expect(stages).toContain(stage);
    // a payout the provider rejected, paid after ops retried it
    expect(a.outcomes.some((o) => o.ledger.some((row) => /\|paid\|[1-9]/.test(row)))).toBe(true);
    expect(b.outcomes).toEqual(a.outcomes);
    expect(b.hash).toBe(a.hash);
  });

  it('reports what Postgres holds: the funnel adds up, the money is the ledger, the emails are the table', async () => {
    const { system, run } = first;
    report = await buildReport(system, run, {
      seed: SEED,
      scenario: SCENARIO.name,
      mentees: MENTEES,
      termId: null,
    });
    const applications = run.plan.applications.length;
    expect(Object.values(report.summary.byStage).reduce((s, n) => s + n, 0)).toBe(applications);
    expect(report.funnel[0]!.count).toBe(applications);
    expect(report.funnel.at(-1)!.count).toBe(report.summary.byStage.completed);
    for (const [i, step] of report.funnel.entries()) {
      const next = report.funnel[i + 1];
      if (next) expect(step.count - step.exits.reduce((s, e) => s + e.count, 0)).toBe(next.count);
    }
    const [paid] = await system.sql<{ cents: string }[]>`
      SELECT coalesce(sum(amount_cents), 0) AS cents FROM stipend_payments WHERE status = 'paid'`;
    expect(report.summary.paidCents).toBe(Number(paid!.cents));
    const paidByWeek = Object.values(report.cashFlow.paidByCountry)
      .flat()
      .reduce((s, n) => s + n, 0);
    expect(Math.round(paidByWeek * 100)).toBe(report.summary.paidCents);
    const [emails] = await system.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM emails`;
    expect(report.summary.emails).toBe(emails!.n);
    expect(
      Object.values(report.emailsByKind)
        .flat()
        .reduce((s, n) => s + n, 0),
    ).toBe(emails!.n);
    const [certificates] = await system.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM certificates`;
    expect(report.certificatesByWeek.reduce((s, n) => s + n, 0)).toBe(certificates!.n);
    expect(report.summary.certificates).toBe(report.summary.byStage.completed);
    // what was never retried waits for ops, and the report says so
    const owed = run.plan.applications.filter((p) => p.intent.payment?.endsWith('never retried'));
    const waiting = report.summary.attention.find((a) => a.what.startsWith('rejected payouts'));
    expect(waiting?.count ?? 0).toBeLessThanOrEqual(owed.length);
  });

  it('renders in a real browser: every chart has data, no console errors', { timeout: 120_000 }, async () => {
    const dir = path.resolve('.tmp');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'simulator-report.html');
    await writeFile(file, await renderReportHtml(report));
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`);
      });
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 20_000 });
      const charts = await page.evaluate(() => {
        const all = (
          globalThis as unknown as { charts: Record<string, { data: { datasets: { data: number[] }[] } }> }
        ).charts;
        return Object.fromEntries(
          Object.entries(all).map(([id, chart]) => [
            id,
            chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => Number(v) > 0).length, 0),
          ]),
        );
      });
      expect(Object.keys(charts).length).toBe(12);
      for (const [id, points] of Object.entries(charts)) expect(points, `chart ${id}`).toBeGreaterThan(0);
      expect(await page.textContent('#summary')).toContain('completed');
      await page.screenshot({ path: path.join(dir, 'simulator-report.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
