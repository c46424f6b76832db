import { asyncLocalStorage } from '@temporalio/activity';
import { DefaultLogger, type LogLevel, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Installs the Temporal SDK's process-wide runtime (once per process, before any worker or connection):
 * - its own logs (worker, workflow `log`, activity `log`, and the Rust core's, forwarded) go into our pino
 *   logger, so every line is one format and carries the workflow id; INFO chatter (bundler) goes to debug;
 * - its metrics are served for Prometheus at http://`metrics`/metrics when given (e.g. 127.0.0.1:9464).
 * Returns the metrics URL, or null when metrics are off or their port could not be bound (then logged).
 */
export function installTemporalRuntime(log: Logger, metrics?: { host: string; port: number }): string | null {
  const debug = log.isLevelEnabled('debug');
  const sdkLog = log.child({ component: 'temporal' });
  const logger = new DefaultLogger(debug ? 'DEBUG' : 'WARN', ({ level, message, meta }) => {
    sdkLog[PINO_LEVEL[level]](meta ?? {}, message);
  });
  const logging = { filter: { core: debug ? 'INFO' : 'WARN', other: 'ERROR' }, forward: {} } as const;
  const host = metrics?.host.includes(':') ? `[${metrics.host}]` : metrics?.host;
  const bindAddress = metrics && metrics.port > 0 ? `${host}:${metrics.port}` : null;
  if (bindAddress) {
    try {
      Runtime.install({ logger, telemetryOptions: { logging, metrics: { prometheus: { bindAddress } } } });
      return `http://${bindAddress}/metrics`;
    } catch (error) {
      // a busy port must not stop the worker: run without metrics and say so
      log.warn({ err: error, bindAddress }, 'worker metrics are off: could not serve Prometheus metrics');
    }
  }
  Runtime.install({ logger, telemetryOptions: { logging } });
  return null;
}

/**
 * A pino mixin for the worker's logger: a line logged while an activity runs (the mailer, the payment
 * provider...) carries that activity's workflow id, so ops can follow one mentee through the logs.
 */
export function activityLogFields(): object {
  const info = asyncLocalStorage.getStore()?.info;
  return info ? { workflowId: info.workflowExecution?.workflowId, activityType: info.activityType } : {};
}
