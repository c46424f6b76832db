/**
 * `npm run provision [-- --strict]`: builds or finds the Temporal CLI (dev server), the time-skipping
 * test server, Schemathesis (from PyPI), versitygw (an S3 server, from the Go module proxy) and Temporal's own server
 * with its SQL tool (the production engine, from its Go module) in the per-user cache and prints where they are. `--strict` (CI) fails when one is missing,
 * because the SDK's download fallback cannot work without internet.
 */
import { ensureS3Server } from './s3-server.js';
import { ensureSchemathesis } from './schemathesis.js';
import { ensureTemporalCli, ensureTemporalTestServer, type Log } from './temporal-binaries.js';
import { ensureTemporalServer } from './temporal-server.js';

interface Provisioned {
  name: string;
  path: string | undefined;
  seconds: number;
  fallbackHint: string;
}

const TEST_SERVER_HINT = 'install Java 17+ and Maven, or set TEMPORAL_TEST_SERVER_PATH';
const CLI_HINT = 'install Go 1.25+, or set TEMPORAL_CLI_PATH';
const SCHEMATHESIS_HINT = 'install python3 with venv (the contract fuzzing test needs it)';
const log: Log = (line) => console.log(`  ${line}`);

async function timed(name: string, fallbackHint: string, ensure: (log: Log) => Promise<string | undefined>) {
  const started = performance.now();
  const path = await ensure(log);
  const result: Provisioned = { name, path, seconds: (performance.now() - started) / 1000, fallbackHint };
  console.log(describe(result));
  return result;
}

function describe({ name, path, seconds, fallbackHint }: Provisioned): string {
  const where = path ?? `not available: ${fallbackHint}; the SDK will try to download it`;
  return `${name}: ${where} (${seconds.toFixed(1)} s)`;
}

async function main(): Promise<void> {
  const strict = process.argv.includes('--strict');
  // Sequential: on a 2-core machine a parallel Maven run only slows the Go build down.
  const results = [
    await timed('Temporal test server', TEST_SERVER_HINT, ensureTemporalTestServer),
    await timed('Temporal CLI (dev server)', CLI_HINT, ensureTemporalCli),
    await timed('Schemathesis (contract fuzzer)', SCHEMATHESIS_HINT, ensureSchemathesis),
    await timed('versitygw (S3-compatible server for the file storage test)', CLI_HINT, ensureS3Server),
    await timed(
      'Temporal server on PostgreSQL (npm start -- --engine server)',
      CLI_HINT,
      async (log) => (await ensureTemporalServer(log))?.server,
    ),
  ];
  const missing = results.filter((result) => !result.path);
  if (strict && missing.length > 0) {
    console.error(`provision --strict: missing ${missing.map((result) => result.name).join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
