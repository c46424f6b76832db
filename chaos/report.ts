import type { ChaosReport } from './experiment.js';

const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** The experiment's outcome as a person reads it: what happened, how fast it healed, what broke. */
export function formatChaosReport(report: ChaosReport): string {
  const lines = [
    `Chaos experiment on ${report.options.engine === 'server' ? 'the Temporal server (PostgreSQL), two workers' : 'the dev server'}: ${report.options.mentees} mentees, ${report.seconds.toFixed(0)} s, ${report.workerStarts} starts of the worker killed`,
    `  paths:  ${Object.entries(report.paths)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  stages: ${Object.entries(report.stages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `  ${report.messages.sent} messages (${report.messages.retried} retries), slowest answer ${s(report.messages.slowestMs)}`,
    `  ${report.emails} emails, ${report.payouts} payouts, ${report.certificates} Letters of Completion`,
    `  histories: ${report.history.workflowTaskFailed} workflow task failures, ${report.history.workflowTaskTimedOut} workflow task timeouts, ${report.history.activityTimedOut} activity timeouts`,
    '',
    '  disruption                     at      down    worker back  first answer  installment paid',
  ];
  const start = Math.min(...report.disruptions.map((d) => d.at));
  for (const d of report.disruptions) {
    lines.push(
      `  ${d.kind.padEnd(30)} ${s(d.at - start).padStart(6)}  ${s(d.downMs).padStart(6)}  ${s(d.workerBackMs).padStart(11)}  ${s(d.firstAnswerMs).padStart(12)}  ${s(d.installmentPaidMs).padStart(16)}`,
    );
  }
  lines.push('');
  lines.push(
    report.violations.length === 0
      ? '  every promise kept: final stages, ledger, payouts, emails, letters, no workflow left running'
      : `  ${report.violations.length} BROKEN PROMISES:\n${report.violations.map((v) => `    - ${v}`).join('\n')}`,
  );
  return lines.join('\n');
}
