import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EMBEDDED_PASSWORD } from '../config/index.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded.js';
import { migrate } from '../db/index.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { type DevServerOptions, startDevServer } from './dev-server.js';
import { ensureTemporalCli, findFreePorts } from './temporal-binaries.js';
import { ensureTemporalServer, startTemporalServer } from './temporal-server.js';

/** A throwaway PostgreSQL and Temporal (the dev server, or Temporal's own server on that PostgreSQL), in a directory of their own. */
export interface LocalServers {
  dir: string;
  database: EmbeddedDatabase;
  temporal: { address: string; stop(): Promise<void> };
  /** Stops Temporal and starts it again on the same ports (with `durable` or the server engine, the same workflows). */
  restartTemporal(): Promise<void>;
  /** Stops both and removes the directory. */
  stop(): Promise<void>;
}

/**
 * For the benchmarks and the chaos experiment. `durable`: PostgreSQL keeps its data across `stop()`/`start()`
 * and the dev server keeps its workflows in a SQLite file across restarts; otherwise both are in-memory-fast.
 * The database is migrated.
 */
export async function startLocalServers(options: {
  prefix: string;
  durable?: boolean;
  /** `server`: Temporal's own server on the PostgreSQL server (databases `temporal`, `temporal_visibility`). */
  engine?: 'dev' | 'server';
}): Promise<LocalServers> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${options.prefix}-`));
  await chmod(dir, 0o755); // the `postgres` system user must reach its data dir when we run as root
  const [pgPort, temporalPort, uiPort] = (await findFreePorts(3)) as [number, number, number];
  const devServerOptions: DevServerOptions = {
    cliPath: await ensureTemporalCli(() => {}),
    port: temporalPort,
    uiPort,
    namespace: 'default',
    log: () => {},
    ...(options.durable ? { dbFile: path.join(dir, 'temporal.sqlite') } : {}),
  };
  const startPostgres = () =>
    startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: pgPort,
      database: 'mentorship',
      persistent: options.durable ?? false,
    });
  let database: EmbeddedDatabase;
  let temporal: LocalServers['temporal'];
  let restart: () => Promise<LocalServers['temporal']>;
  if (options.engine === 'server') {
    // Temporal keeps its own databases on that PostgreSQL server: it comes first
    database = await startPostgres();
    const binaries = await ensureTemporalServer();
    if (!binaries) throw new Error('No Temporal server: npm run provision builds it (Go is needed)');
    const server = await startTemporalServer({
      binaries,
      postgres: { host: '127.0.0.1', port: pgPort, user: 'postgres', password: EMBEDDED_PASSWORD },
      database: 'temporal',
      dir: path.join(dir, 'temporal-server'),
      namespace: 'default',
      retentionDays: 1,
      searchAttributes: CUSTOM_SEARCH_ATTRIBUTES,
      log: () => {},
    });
    temporal = { address: server.address, stop: () => server.stop() };
    // in place: the same ports, the same databases
    restart = async () => {
      await server.restart();
      return temporal;
    };
  } else {
    [database, temporal] = await Promise.all([startPostgres(), startDevServer(devServerOptions)]);
    restart = async () => {
      await servers.temporal.stop();
      return startDevServer(devServerOptions);
    };
  }
  await migrate(database.url);
  const servers: LocalServers = {
    dir,
    database,
    temporal,
    async restartTemporal() {
      servers.temporal = await restart();
    },
    async stop() {
      await servers.temporal.stop().catch(() => {});
      await database.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  return servers;
}
