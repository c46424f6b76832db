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
 * Routes the Temporal SDK's own logs (worker, workflow `log`, activities) into our logger, so every line
 * is one format and carries the workflow id. The SDK's INFO chatter (bundler output) goes to debug.
 */
export function routeTemporalLogs(log: Logger): void {
  Runtime.install({
    logger: new DefaultLogger(log.isLevelEnabled('debug') ? 'DEBUG' : 'WARN', ({ level, message, meta }) => {
      log.child({ component: 'temporal' })[PINO_LEVEL[level]](meta ?? {}, message);
    }),
  });
}
