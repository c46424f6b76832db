import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import postgres from 'postgres';

export type Sql = postgres.Sql;

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export function connect(databaseUrl: string, options: { max?: number } = {}): Sql {
  return postgres(databaseUrl, {
    max: options.max ?? 10,
    onnotice: () => {},
    transform: { undefined: null },
  });
}

/** Applies pending migrations; safe to run from several processes at once (advisory lock). */
export async function migrate(databaseUrl: string): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'schema_migrations',
    advisoryLockMode: 'wait',
    log: () => {},
  });
  return applied.map((migration) => migration.name);
}

/** Error codes of a server that is not (yet) there: refused, unreachable, starting up, database not yet created. */
const NOT_YET_REACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
  '57P03', // cannot_connect_now: the server is starting up or shutting down
  '3D000', // invalid_catalog_name: the database is still being created (a container's init script)
]);

function notYetReachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, errors, cause } = error as Error & { code?: unknown; errors?: unknown[]; cause?: unknown };
  if (typeof code === 'string' && NOT_YET_REACHABLE.has(code)) return true;
  // Node's connection attempts to several addresses (localhost: ::1 and 127.0.0.1) fail as one AggregateError
  return (Array.isArray(errors) && errors.some(notYetReachable)) || notYetReachable(cause);
}

/** host:port/database of a URL, without credentials, for log lines. */
const whereOf = (databaseUrl: string) => {
  const url = new URL(databaseUrl);
  return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
};

/**
 * `migrate`, waiting for PostgreSQL first: a worker or API started before its database (a container
 * restart, a deploy that starts everything at once) retries with exponential backoff, one log line per
 * attempt, and starts once the database answers. Errors other than "not reachable yet" (a wrong password,
 * a failing migration) are thrown at once.
 */
export async function migrateWhenReachable(
  databaseUrl: string,
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void },
  backoff: { initialMs?: number; maxMs?: number } = {},
): Promise<string[]> {
  const { initialMs = 500, maxMs = 10_000 } = backoff;
  const database = whereOf(databaseUrl);
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrate(databaseUrl);
      if (attempt > 1)
        log.info({ database, attempt, waitedMs: Date.now() - started }, 'PostgreSQL reachable');
      return applied;
    } catch (error) {
      if (!notYetReachable(error)) throw error;
      const delayMs = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
      log.warn(
        {
          database,
          attempt,
          retryInMs: delayMs,
          error: (error as Error).message || (error as { code?: string }).code,
        },
        'PostgreSQL not reachable yet; retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
