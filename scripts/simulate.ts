/**
 * `npm run simulate -- --program <file.json> --mentees 1000 --seed 7 [--scenario <file.json>] [--out <dir>] [--json]`:
 * a whole cohort through the real system on the time-skipping server (see simulator/cli.ts).
 */
// Emails render with React: its development build is several times slower, so the simulator runs production.
process.env.NODE_ENV ??= 'production';
const { main } = await import('../simulator/cli.js');
process.exitCode = await main(process.argv.slice(2));
