import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/search-attributes.js';
import {
  ensureTemporalServer,
  startTemporalServer,
  type TemporalServer,
} from '../../scripts/temporal-server.js';

/**
 * Temporal's own server (built from its Go module by `npm run provision`) on the test run's PostgreSQL server, in
 * databases of its own, with the namespace and search attributes registered; `stop()` removes its files.
 */
export async function startTestTemporalServer(): Promise<TemporalServer> {
  const binaries = await ensureTemporalServer();
  if (!binaries) throw new Error('No Temporal server: npm run provision builds it (Go is needed)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'engine-'));
  await chmod(dir, 0o755);
  const pg = new URL(inject('postgresServerUrl'));
  const server = await startTemporalServer({
    binaries,
    postgres: {
      host: pg.hostname,
      port: Number(pg.port),
      user: decodeURIComponent(pg.username),
      password: decodeURIComponent(pg.password),
    },
    database: `temporal_${path.basename(dir).replace(/\W/g, '_').toLowerCase()}`,
    dir,
    namespace: 'default',
    retentionDays: 1,
    searchAttributes: CUSTOM_SEARCH_ATTRIBUTES,
    log: () => {},
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
