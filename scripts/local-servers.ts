import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded.js';
import { migrate } from '../db/index.js';
import { type DevServer, type DevServerOptions, startDevServer } from './dev-server.js';
import { ensureTemporalCli, findFreePorts } from './temporal-binaries.js';

/** A throwaway PostgreSQL and Temporal dev server on free loopback ports, in a directory of their own. */
export interface LocalServers {
  dir: string;
  database: EmbeddedDatabase;
  devServer: DevServer;
  /** Stops the dev server and starts it again on the same ports (with `durable`, the same workflows). */
  restartDevServer(): Promise<void>;
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
  const [database, devServer] = await Promise.all([
    startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: pgPort,
      database: 'mentorship',
      persistent: options.durable ?? false,
    }),
    startDevServer(devServerOptions),
  ]);
  await migrate(database.url);
  const servers: LocalServers = {
    dir,
    database,
    devServer,
    async restartDevServer() {
      await servers.devServer.stop();
      servers.devServer = await startDevServer(devServerOptions);
    },
    async stop() {
      await servers.devServer.stop().catch(() => {});
      await database.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  return servers;
}
