import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { dieWithParent } from '../system/processes.js';
import { registerMissingSearchAttributes, setRetention } from './dev-server.js';
import {
  binaryCacheRoot,
  ensureGoBinary,
  findOnPath,
  type Log,
  terminateProcess,
  waitForPort,
  withCacheLock,
} from './temporal-binaries.js';

/**
 * The production engine: Temporal's own server (the version docker-compose.yml runs), built from its Go module,
 * on PostgreSQL, with its SQL schema tool. The dev server embeds the same server on SQLite.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const MODULE = 'go.temporal.io/server';

export const temporalServerCacheDir = () =>
  path.join(binaryCacheRoot(), 'temporal-server', `v${TEMPORAL_SERVER_VERSION}`);

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the module: the versioned schemas of `temporal` and `temporal_visibility`. */
  schemaDir: string;
}

/** The server, its SQL tool and its PostgreSQL schema, built once with Go into the per-user cache. */
export async function ensureTemporalServer(log?: Log): Promise<TemporalServerBinaries | undefined> {
  const dir = temporalServerCacheDir();
  const build = (cmd: string, target: string, name: string) =>
    ensureGoBinary(
      { module: `${MODULE}/${cmd}`, version: TEMPORAL_SERVER_VERSION, target: path.join(dir, target), name },
      log,
    );
  const server = await build('cmd/server', 'temporal-server', 'the Temporal server');
  const sqlTool = await build('cmd/tools/sql', 'temporal-sql-tool', "the Temporal server's SQL tool");
  if (!server || !sqlTool) return undefined;
  const schemaDir = path.join(dir, 'schema', 'postgresql', 'v12');
  if (!existsSync(schemaDir)) {
    await withCacheLock(dir, log ?? (() => {}), async () => {
      if (existsSync(schemaDir)) return;
      const go = await findOnPath('go');
      if (!go) throw new Error('Go is needed to fetch the Temporal server schema');
      const { stdout } = await promisify(execFile)(
        go,
        ['mod', 'download', '-json', `${MODULE}@v${TEMPORAL_SERVER_VERSION}`],
        {
          cwd: dir,
        },
      );
      const moduleDir = (JSON.parse(stdout) as { Dir: string }).Dir;
      await cp(path.join(moduleDir, 'schema', 'postgresql', 'v12'), schemaDir, { recursive: true });
    });
  }
  return { server, sqlTool, schemaDir };
}

export interface PostgresEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Creates the server's two databases and brings their schemas to the module's latest version; safe to run on
 * databases set up before (the tool skips versions already applied).
 */
export async function setUpSchema(
  binaries: TemporalServerBinaries,
  postgres: PostgresEndpoint,
  databases: { main: string; visibility: string },
): Promise<void> {
  const tool = (database: string, ...args: string[]) =>
    promisify(execFile)(binaries.sqlTool, [
      '--plugin',
      'postgres12',
      '--ep',
      postgres.host,
      '-p',
      String(postgres.port),
      '-u',
      postgres.user,
      '--pw',
      postgres.password,
      '--db',
      database,
      ...args,
    ]);
  for (const [database, schema] of [
    [databases.main, 'temporal'],
    [databases.visibility, 'visibility'],
  ] as const) {
    await tool(database, 'create-database').catch((error: { stderr?: string }) => {
      if (!/already exists/.test(error.stderr ?? '')) throw error;
    });
    await tool(database, 'setup-schema', '-v', '0.0').catch((error: { stderr?: string }) => {
      if (!/already exists/.test(error.stderr ?? '')) throw error;
    });
    await tool(database, 'update-schema', '-d', path.join(binaries.schemaDir, schema, 'versioned'));
  }
}

export interface TemporalServerOptions {
  binaries: TemporalServerBinaries;
  postgres: PostgresEndpoint;
  /** Prefix of the server's databases: `<prefix>` and `<prefix>_visibility`. */
  database: string;
  /** Where its configuration is written. */
  dir: string;
  namespace: string;
  retentionDays: number;
  /** The frontend's gRPC port (default: a free one); the other services take free ports. */
  port?: number;
  uiCodecEndpoint?: string;
  searchAttributes: Readonly<Record<string, string>>;
  log: Log;
}

export interface TemporalServer {
  address: string;
  stop(): Promise<void>;
  /** Stops and starts the server again on the same ports and databases (a restart ops would do). */
  restart(): Promise<void>;
}

/** Runs the Temporal server on PostgreSQL until `stop()`; it dies with this process. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const databases = { main: options.database, visibility: `${options.database}_visibility` };
  await setUpSchema(options.binaries, options.postgres, databases);
  // the cluster membership table keeps ports as smallint: every port of the server is below 32768
  const ports = await freePortsBelow32768(9);
  const frontend = options.port ?? ports[0]!;
  const [
    frontendHttp,
    frontendMembership,
    history,
    historyMembership,
    matching,
    matchingMembership,
    worker,
    workerMembership,
  ] = ports.slice(1) as number[];
  await mkdir(path.join(options.dir, 'config'), { recursive: true });
  const dynamicConfig = path.join(options.dir, 'dynamicconfig.yaml');
  await writeFile(dynamicConfig, DYNAMIC_CONFIG);
  await writeFile(
    path.join(options.dir, 'config', 'production.yaml'),
    serverConfig({
      ...options,
      databases,
      dynamicConfig,
      ports: {
        frontend,
        frontendHttp: frontendHttp!,
        frontendMembership: frontendMembership!,
        history: history!,
        historyMembership: historyMembership!,
        matching: matching!,
        matchingMembership: matchingMembership!,
        worker: worker!,
        workerMembership: workerMembership!,
      },
    }),
  );
  const address = `127.0.0.1:${frontend}`;
  let child: ChildProcess;
  let release = () => {};
  const launch = async () => {
    child = spawn(
      options.binaries.server,
      ['--root', options.dir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-6000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('error', () => {});
    release = child.pid === undefined ? () => {} : dieWithParent(child.pid, 'TERM', 'temporal-server');
    try {
      await waitForPort('127.0.0.1', frontend, child, 120_000);
      await registerNamespace(address, options);
    } catch (error) {
      release();
      await terminateProcess(child, 10_000);
      throw new Error(`The Temporal server did not start: ${(error as Error).message}\n${tail}`);
    }
  };
  const stop = async () => {
    release();
    await terminateProcess(child, 20_000);
  };
  await launch();
  return {
    address,
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}

/** Free ports in 20000-32767 (Linux hands out ephemeral ports from 32768, so these stay free of clients). */
async function freePortsBelow32768(count: number): Promise<number[]> {
  const found: number[] = [];
  while (found.length < count) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (found.includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) found.push(port);
  }
  return found;
}

/** The namespace, its retention and the search attributes, as compose's setup does; every start, idempotently. */
async function registerNamespace(address: string, options: TemporalServerOptions): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const connection = await Connection.connect({ address, connectTimeout: '5s' }).catch(() => undefined);
    try {
      if (connection) {
        const retention = msToTs(`${options.retentionDays} days`);
        await connection.workflowService
          .registerNamespace({ namespace: options.namespace, workflowExecutionRetentionPeriod: retention })
          .catch((error: { code?: number }) => {
            if (error.code !== 6) throw error; // ALREADY_EXISTS
          });
        await setRetention(connection, options.namespace, options.retentionDays);
        await registerMissingSearchAttributes(connection, {
          namespace: options.namespace,
          searchAttributes: options.searchAttributes,
          dbFile: 'the PostgreSQL visibility store',
        });
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    } finally {
      await connection?.close();
    }
    if (Date.now() > deadline) throw new Error(`No namespace service at ${address} after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

// Updates on by default in 1.29; the rest tunes a one-machine cluster for tests (short visibility refresh).
const DYNAMIC_CONFIG = `frontend.enableUpdateWorkflowExecution:
  - value: true
frontend.enableUpdateWorkflowExecutionAsyncAccepted:
  - value: true
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
frontend.workerVersioningWorkflowAPIs:
  - value: true
frontend.workerVersioningDataAPIs:
  - value: true
system.enableDeployments:
  - value: true
system.enableDeploymentVersions:
  - value: true
`;

function serverConfig(
  o: TemporalServerOptions & {
    databases: { main: string; visibility: string };
    dynamicConfig: string;
    ports: Record<string, number>;
  },
): string {
  const store = (database: string, maxConns: number) => `
      sql:
        pluginName: "postgres12"
        databaseName: "${database}"
        connectAddr: "${o.postgres.host}:${o.postgres.port}"
        connectProtocol: "tcp"
        user: "${o.postgres.user}"
        password: "${o.postgres.password}"
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  return `log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:${store(o.databases.main, 20)}
    visibility:${store(o.databases.visibility, 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
  frontend:${service(o.ports.frontend!, o.ports.frontendMembership!, o.ports.frontendHttp)}
  history:${service(o.ports.history!, o.ports.historyMembership!)}
  matching:${service(o.ports.matching!, o.ports.matchingMembership!)}
  worker:${service(o.ports.worker!, o.ports.workerMembership!)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${o.ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${o.dynamicConfig}"
  pollInterval: "10s"
`;
}
