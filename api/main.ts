import { loadConfig, unsafeAuthReason } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { migrateWhenReachable } from '../db/index.js';
import { startApi } from './run.js';

// The API alone, against an existing Temporal server and Postgres (e.g. docker-compose).
const config = loadConfig();
const log = createLogger(config, 'api');
// Before connecting to anything: a reachable API that accepts development tokens must not run at all.
const unsafe = unsafeAuthReason(config);
if (unsafe) {
  log.fatal(unsafe);
  process.exit(1);
}
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
  log.fatal('api/main.ts needs DATABASE_URL and TEMPORAL_ADDRESS; `npm start` provides both');
  process.exit(1);
}
await migrateWhenReachable(config.DATABASE_URL, log);
const api = await startApi(
  config,
  { databaseUrl: config.DATABASE_URL, temporalAddress: config.TEMPORAL_ADDRESS },
  log,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void api.stop());
