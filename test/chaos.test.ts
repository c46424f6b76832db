import { describe, expect, it } from 'vitest';
import { runChaosExperiment } from '../chaos/experiment.js';

// The small variant of `npm run chaos` (chaos/experiment.ts): fewer kills, a shorter outage, the same checks.
describe('a cohort through worker kills, a dev server restart and a PostgreSQL outage', () => {
  it('ends every mentee right, pays and emails once, and leaves no workflow running', {
    timeout: 600_000,
  }, async () => {
    const lines: string[] = [];
    const report = await runChaosExperiment({
      mentees: 30,
      kills: 4,
      killsAfterEarning: 2,
      postgresOutageMs: 20_000,
      restartTemporal: true,
      seed: 11,
      log: (line) => lines.push(line),
    });
    expect(report.violations).toEqual([]);
    const kinds = report.disruptions.map((d) => d.kind);
    expect(kinds.filter((k) => k === 'kill -9 worker after earning')).toHaveLength(2);
    expect(kinds.filter((k) => k.startsWith('kill'))).toHaveLength(4);
    expect(kinds).toContain('Temporal restart');
    expect(kinds).toContain('PostgreSQL stopped');
    expect(report.workerStarts).toBe(5);
    expect(report.history.workflowTaskFailed).toBe(0);
    // the mentees reached every ending the plan gave them, and the money and letters followed
    expect(Object.values(report.stages).reduce((a, b) => a + b, 0)).toBe(30);
    expect(report.stages.completed).toBe(report.paths.completes);
    expect(report.certificates).toBe(report.paths.completes);
    const earned =
      2 * report.paths.completes +
      report.paths['fails-evaluation-3'] +
      report.paths['withdraws-after-evaluation-2'];
    expect(report.payouts).toBe(earned);
    // an installment earned just before a kill -9 is paid within the activity's heartbeat timeout and a retry
    for (const d of report.disruptions.filter((x) => x.kind === 'kill -9 worker after earning')) {
      expect(d.installmentPaidMs).toBeLessThan(30_000);
    }
  });
});

// The same on the production engine: Temporal's own server on the PostgreSQL the outage stops (Temporal's
// databases go down with the app's), a second worker process beside the one killed.
describe('the same on the Temporal server on PostgreSQL, with two worker processes', () => {
  it('ends every mentee right, pays and emails once, and leaves no workflow running', {
    timeout: 600_000,
  }, async () => {
    const report = await runChaosExperiment({
      mentees: 24,
      kills: 4,
      killsAfterEarning: 2,
      postgresOutageMs: 15_000,
      restartTemporal: true,
      engine: 'server',
      seed: 13,
      log: () => {},
    });
    expect(report.violations).toEqual([]);
    const kinds = report.disruptions.map((d) => d.kind);
    expect(kinds.filter((k) => k.startsWith('kill'))).toHaveLength(4);
    expect(kinds).toEqual(expect.arrayContaining(['Temporal restart', 'PostgreSQL stopped']));
    expect(report.history.workflowTaskFailed).toBe(0);
    expect(Object.values(report.stages).reduce((a, b) => a + b, 0)).toBe(24);
    expect(report.certificates).toBe(report.paths.completes);
    expect(report.payouts).toBe(
      2 * report.paths.completes +
        report.paths['fails-evaluation-3'] +
        report.paths['withdraws-after-evaluation-2'],
    );
  });
});
