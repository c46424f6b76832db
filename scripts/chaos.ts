/**
 * `npm run chaos [-- --mentees 30 --kills 10 --after-earning 4 --postgres-outage 25 --no-restart --seed 7 --engine dev|server --json]`:
 * the crash-recovery experiment (chaos/experiment.ts). Prints the recovery times and every broken promise;
 * exits 1 when there is one.
 */
import { parseArgs } from 'node:util';
import { FULL_EXPERIMENT, runChaosExperiment } from '../chaos/experiment.js';
import { formatChaosReport } from '../chaos/report.js';

const { values } = parseArgs({
  options: {
    mentees: { type: 'string', default: String(FULL_EXPERIMENT.mentees) },
    kills: { type: 'string', default: String(FULL_EXPERIMENT.kills) },
    'after-earning': { type: 'string', default: String(FULL_EXPERIMENT.killsAfterEarning) },
    'postgres-outage': { type: 'string', default: String(FULL_EXPERIMENT.postgresOutageMs / 1000) },
    'no-restart': { type: 'boolean', default: false },
    seed: { type: 'string', default: String(FULL_EXPERIMENT.seed) },
    json: { type: 'boolean', default: false },
    // dev: the CLI's dev server (SQLite); server: Temporal's own server on PostgreSQL, with a second worker
    engine: { type: 'string', default: 'dev' },
  },
});
if (values.engine !== 'dev' && values.engine !== 'server') {
  console.error(`--engine is dev or server, not ${values.engine}`);
  process.exit(2);
}
const report = await runChaosExperiment({
  mentees: Number(values.mentees),
  kills: Number(values.kills),
  killsAfterEarning: Number(values['after-earning']),
  postgresOutageMs: Number(values['postgres-outage']) * 1000,
  restartTemporal: !values['no-restart'],
  engine: values.engine === 'server' ? 'server' : 'dev',
  seed: Number(values.seed),
  log: (line) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`),
});
console.log(values.json ? JSON.stringify(report, null, 2) : formatChaosReport(report));
process.exitCode = report.violations.length > 0 ? 1 : 0;
