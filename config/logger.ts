import { type Logger, pino } from 'pino';
import type { Config } from './index.js';

/** One logger for API, worker and activities: JSON lines, or human-readable with LOG_FORMAT=pretty. */
export function createLogger(
  config: Pick<Config, 'LOG_LEVEL' | 'LOG_FORMAT'>,
  name: string,
  /** Fields added to every line, e.g. the workflow id of the activity that logs (worker/logging.ts). */
  mixin?: () => object,
): Logger {
  return pino({
    name,
    level: config.LOG_LEVEL,
    ...(mixin ? { mixin } : {}),
    ...(config.LOG_FORMAT === 'pretty'
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } }
      : {}),
  });
}
