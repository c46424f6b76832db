import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { newKeyringDocument } from '../privacy/keyring.js';
import { ensureTemporalCli, ensureTemporalTestServer } from '../scripts/temporal-binaries.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresServerUrl: string;
    temporalTestServerPath: string | undefined;
    temporalCliPath: string | undefined;
  }
}

/** One real PostgreSQL server for the whole run; each test file makes its own database in it. */
export default async function setup(project: TestProject) {
  const [temporalTestServerPath, temporalCliPath] = await Promise.all([
    ensureTemporalTestServer(),
    ensureTemporalCli(),
  ]);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'mentorship-test-pg-'));
  await chmod(dataDir, 0o755); // the `postgres` system user must reach its data dir when we run as root
  const port = 20000 + Math.floor(Math.random() * 20000);
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'data'),
    port,
    database: 'postgres',
    persistent: false,
  });
  // every process of the run (test files, the APIs and workers they spawn) encrypts with this keyring
  process.env.PAYLOAD_KEYS ??= JSON.stringify(newKeyringDocument('test-run'));
  project.provide('postgresServerUrl', postgres.url.replace(/\/postgres$/, ''));
  project.provide('temporalTestServerPath', temporalTestServerPath);
  project.provide('temporalCliPath', temporalCliPath);
  return async () => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
