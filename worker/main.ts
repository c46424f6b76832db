import { loadConfig } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { migrateWhenReachable } from '../db/index.js';
import { activityLogFields, installTemporalRuntime } from './logging.js';
import { startWorker } from './run.js';

// The worker alone, against an existing Temporal server and Postgres (e.g. docker-compose).
const config = loadConfig();
const log = createLogger(config, 'worker', activityLogFields);
if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) {
  log.fatal('worker/main.ts needs DATABASE_URL and TEMPORAL_ADDRESS; `npm start` provides both');
  process.exit(1);
}
// Before the Temporal runtime, which takes over SIGTERM: a worker waiting for its database stops when told.
await migrateWhenReachable(config.DATABASE_URL, log);
const metricsUrl = installTemporalRuntime(log, {
  host: config.WORKER_METRICS_HOST,
  port: config.WORKER_METRICS_PORT,
});
if (metricsUrl) log.info({ metricsUrl }, 'worker metrics for Prometheus');
const worker = await startWorker(
  config,
  { databaseUrl: config.DATABASE_URL, temporalAddress: config.TEMPORAL_ADDRESS },
  log,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void worker.stop());
await worker.running;
