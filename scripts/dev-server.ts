import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import { devServerAddress } from '../config/index.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { dieWithParent } from '../system/processes.js';
import { assertPortFree } from '../system/startup.js';
import { exitReason, hasExited, isPortAccepting, type Log, terminateProcess } from './temporal-binaries.js';

export interface DevServerOptions {
  cliPath?: string;
  ip?: string;
  port: number;
  uiPort: number;
  /** SQLite file that keeps workflows across restarts; in-memory when omitted. */
  dbFile?: string;
  namespace: string;
  log: Log;
  /** Name -> CLI type ('Keyword', 'KeywordList', ...); the domain's custom attributes by default. */
  searchAttributes?: Readonly<Record<string, string>>;
  /** Where the UI decodes payloads: the API's codec endpoint for the namespace (npm start). */
  uiCodecEndpoint?: string;
  /** How long the namespace keeps closed workflows; set on every start (WORKFLOW_RETENTION_DAYS). */
  retentionDays?: number;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const START_ATTEMPTS = 3;
const STOP_GRACE_MS = 10_000;
const OUTPUT_TAIL_LINES = 40;

export const MISSING_CLI_MESSAGE =
  'No Temporal CLI to run the dev server. Install Go 1.25+ and run `npm run provision` (builds it once into ' +
  '~/.cache/mentorship-backend), or set TEMPORAL_CLI_PATH to a `temporal` binary, or set TEMPORAL_ADDRESS ' +
  'to use a Temporal server that is already running.';

/** Runs `temporal server start-dev` for `npm start`; resolves once the namespace serves requests. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { cliPath } = options;
  if (!cliPath) throw new Error(MISSING_CLI_MESSAGE);
  const ip = options.ip ?? '127.0.0.1';
  const address = devServerAddress(options.port, ip);
  if (options.dbFile) await mkdir(path.dirname(path.resolve(options.dbFile)), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    await assertPortsFree(ip, options);
    try {
      const stop = await launchDevServer(cliPath, options, ip, address);
      return { address, uiUrl: `http://${devServerAddress(options.uiPort, ip)}`, stop };
    } catch (error) {
      if (!(error instanceof DevServerCrash) || attempt >= START_ATTEMPTS) throw error;
      const reason = error.message.split('\n').slice(0, 2).join(' ');
      options.log(`${reason} (attempt ${attempt} of ${START_ATTEMPTS}); retrying`);
    }
  }
}

/** The server exited before serving; a port race with concurrent servers makes another try worthwhile. */
class DevServerCrash extends Error {}

async function launchDevServer(cliPath: string, options: DevServerOptions, ip: string, address: string) {
  const server = spawnDevServer(cliPath, devServerArgs(options, ip), options.log);
  try {
    const connection = await waitUntilServing(server, address, options.namespace);
    await registerMissingSearchAttributes(connection, options)
      .then(async () => {
        if (options.retentionDays) await setRetention(connection, options.namespace, options.retentionDays);
      })
      .finally(() => connection.close());
    return server.stop;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

function devServerArgs(options: DevServerOptions, ip: string): string[] {
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port)];
  args.push('--ui-port', String(options.uiPort), '--namespace', options.namespace, '--log-level', 'warn');
  if (options.dbFile) args.push('--db-filename', options.dbFile);
  if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  for (const [name, type] of Object.entries(options.searchAttributes ?? CUSTOM_SEARCH_ATTRIBUTES)) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  return args;
}

/** Otherwise we would happily talk to whatever server already listens there. */
async function assertPortsFree(ip: string, options: DevServerOptions): Promise<void> {
  await assertPortFree(ip, options.port, 'Temporal dev server', 'TEMPORAL_DEV_SERVER_PORT');
  await assertPortFree(ip, options.uiPort, "Temporal dev server's UI", 'TEMPORAL_UI_PORT');
}

interface DevServerProcess {
  child: ChildProcess;
  outputTail(): string;
  stop(): Promise<void>;
}

function spawnDevServer(cliPath: string, args: string[], log: Log): DevServerProcess {
  const child = spawn(cliPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  child.once('error', () => {}); // a failed spawn (no pid) is reported by waitUntilServing
  const output = collectOutput(child, log);
  const releaseGuard = child.pid === undefined ? () => {} : dieWithParent(child.pid, 'TERM', 'start-dev');
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      output.mute(); // shutdown chatter ("connection refused" warnings) is noise
      releaseGuard();
      await terminateProcess(child, STOP_GRACE_MS);
    })();
    return stopping;
  };
  return { child, outputTail: output.tail, stop };
}

/** Forwards the server's log lines and keeps the last ones, plus any Go panic header, for error messages. */
function collectOutput(child: ChildProcess, log: Log) {
  const lines: string[] = [];
  const panics: string[] = [];
  let muted = false;
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      if (/^(panic|fatal error):/.test(line)) panics.push(line);
      lines.push(line);
      if (lines.length > OUTPUT_TAIL_LINES) lines.shift();
      if (!muted) log(line);
    });
  }
  return {
    tail: () => [...panics.filter((panic) => !lines.includes(panic)), ...lines].join('\n'),
    mute: () => {
      muted = true;
    },
  };
}

/** Polls (TCP, then gRPC DescribeNamespace) until the namespace serves; fails fast if the server exits. */
async function waitUntilServing(server: DevServerProcess, address: string, namespace: string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (server.child.pid === undefined)
      throw new Error(`Could not run the Temporal CLI ${server.child.spawnfile}`);
    if (hasExited(server.child)) {
      const exit = exitReason(server.child);
      throw new DevServerCrash(
        `Temporal dev server exited (${exit}) before serving:\n${server.outputTail()}`,
      );
    }
    const connection = await connectToNamespace(address, namespace);
    if (connection) return connection;
    if (Date.now() > deadline) {
      throw new Error(`Temporal dev server did not serve ${address} within 60 s:\n${server.outputTail()}`);
    }
    await sleep(200);
  }
}

async function connectToNamespace(address: string, namespace: string): Promise<Connection | undefined> {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  if (!(await isPortAccepting(host, Number(address.slice(separator + 1))))) return undefined;
  const connection = await Connection.connect({ address, connectTimeout: '2s' }).catch(() => undefined);
  if (!connection) return undefined;
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return connection;
  } catch {
    await connection.close();
    return undefined;
  }
}

/**
 * start-dev registers --search-attribute only when it creates the namespace, so a persisted SQLite
 * file from before an attribute was added would lack it: add what is missing.
 */
export async function registerMissingSearchAttributes(
  connection: Connection,
  options: Pick<DevServerOptions, 'namespace' | 'searchAttributes' | 'dbFile'>,
) {
  const { namespace } = options;
  const wanted = Object.entries(options.searchAttributes ?? CUSTOM_SEARCH_ATTRIBUTES);
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing: Record<string, number> = {};
  for (const [name, type] of wanted) {
    const expected = indexedValueType(type);
    const existing = customAttributes?.[name];
    if (existing === undefined || existing === null) missing[name] = expected;
    else if (existing !== expected) {
      throw new Error(
        `Search attribute ${name} is registered with another type than ${type} in ${options.dbFile}; ` +
          'delete that file (its workflows are lost) or rename the attribute.',
      );
    }
  }
  if (Object.keys(missing).length === 0) return;
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
}

/** The namespace's retention of closed workflows: their histories (and what they hold) are deleted after it. */
export async function setRetention(connection: Connection, namespace: string, days: number): Promise<void> {
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToTs(`${days} days`) },
  });
}

/** 'KeywordList' (CLI spelling) -> the proto enum number, via the SDK's 'KEYWORD_LIST'. */
function indexedValueType(cliType: string): number {
  const sdkName = cliType.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  const encoded = encodeSearchAttributeIndexedValueType(
    sdkName as Parameters<typeof encodeSearchAttributeIndexedValueType>[0],
  );
  if (!encoded) throw new Error(`Unknown search attribute type ${cliType}`);
  return encoded;
}
