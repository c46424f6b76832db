import path from 'node:path';
import { parseArgs } from 'node:util';
import { startApi } from '../api/run.js';
import { EMBEDDED_DATABASE, loadConfig, publicBaseUrl } from '../config/index.js';
import { createLogger } from '../config/logger.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded.js';
import { migrate } from '../db/index.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { configuredKeyring } from '../privacy/clients.js';
import { findProcesses, stopProcess } from '../system/processes.js';
import { assertPortFree, lockDataDir, StartupError } from '../system/startup.js';
import { activityLogFields, installTemporalRuntime } from '../worker/logging.js';
import { startWorker } from '../worker/run.js';
import { ensureConsole, serveConsole } from './console.js';
import { startDevServer } from './dev-server.js';
import { ensureTemporalCli } from './temporal-binaries.js';
import { ensureTemporalServer, startTemporalServer, TEMPORAL_SERVER_VERSION } from './temporal-server.js';

// `npm start`: the whole system on embedded defaults, or on DATABASE_URL / TEMPORAL_ADDRESS when set.
const config = loadConfig({ LOG_FORMAT: 'pretty', ...process.env });
// `npm start -- --engine server`: Temporal's own server on PostgreSQL instead of the CLI's dev server (SQLite)
const { values: flags } = parseArgs({
  options: { engine: { type: 'string', default: 'dev' } },
  strict: true,
});
const engine = flags.engine;
if (engine !== 'dev' && engine !== 'server') {
  process.stderr.write(
    `failed to start: --engine is dev (the CLI's dev server) or server (Temporal on PostgreSQL), not ${engine}\n`,
  );
  process.exit(2);
}
const log = createLogger(config, 'start');
const stops: (() => Promise<void>)[] = [];
const workerLog = createLogger(config, 'worker', activityLogFields);

async function main() {
  // one start per data directory; the lock of a start that died is taken over with what it left running
  stops.push(await lockDataDir(config.DATA_DIR));
  await assertPortFree(config.API_HOST, config.API_PORT, 'API', 'API_PORT');
  if (config.CONSOLE_PORT !== 0)
    await assertPortFree(
      config.API_HOST,
      config.CONSOLE_PORT,
      'web console',
      'CONSOLE_PORT (0 turns it off)',
    );
  await assertPortFree(
    config.WORKER_METRICS_HOST,
    config.WORKER_METRICS_PORT,
    "worker's metrics endpoint",
    'WORKER_METRICS_PORT (0 turns it off)',
  );
  const metricsUrl = installTemporalRuntime(workerLog, {
    host: config.WORKER_METRICS_HOST,
    port: config.WORKER_METRICS_PORT,
  });
  let database: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    log.info('starting embedded PostgreSQL...');
    database = await startEmbeddedPostgres({
      dataDir: path.join(config.DATA_DIR, 'postgres'),
      port: config.EMBEDDED_POSTGRES_PORT,
      database: EMBEDDED_DATABASE,
      persistent: true,
      takeOverOrphan: true,
      log: (line) => log.debug(line),
      notice: (line) => log.info(line),
    });
    stops.unshift(database.stop);
    databaseUrl = database.url;
  }
  const applied = await migrate(databaseUrl);
  if (applied.length > 0) log.info({ applied }, 'database migrated');

  let temporalAddress = config.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!temporalAddress && engine === 'server') {
    // the production engine: Temporal's own server on the PostgreSQL server above (databases temporal, temporal_visibility)
    const binaries = await ensureTemporalServer((line) => log.info(line));
    if (!binaries)
      throw new StartupError(
        '--engine server needs Go to build the Temporal server once (npm run provision)',
      );
    const url = new URL(databaseUrl);
    log.info('starting the Temporal server on PostgreSQL...');
    const server = await startTemporalServer({
      binaries,
      postgres: {
        host: url.hostname,
        port: Number(url.port || 5432),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      },
      database: 'temporal',
      dir: path.resolve(config.DATA_DIR, 'temporal-server'),
      namespace: config.TEMPORAL_NAMESPACE,
      retentionDays: config.WORKFLOW_RETENTION_DAYS,
      port: config.TEMPORAL_DEV_SERVER_PORT,
      searchAttributes: CUSTOM_SEARCH_ATTRIBUTES,
      log: (line) => log.info(line),
    });
    stops.unshift(server.stop);
    temporalAddress = server.address;
  } else if (!temporalAddress) {
    const cliPath = await ensureTemporalCli((line) => log.info(line));
    const dbFile = path.resolve(config.DATA_DIR, 'temporal.sqlite');
    await stopOrphanedDevServers(dbFile);
    log.info('starting the Temporal dev server...');
    const devServer = await startDevServer({
      cliPath,
      port: config.TEMPORAL_DEV_SERVER_PORT,
      uiPort: config.TEMPORAL_UI_PORT,
      dbFile,
      namespace: config.TEMPORAL_NAMESPACE,
      log: (line) => log.info(line),
      // the UI asks the API to decode payloads (ops tokens only), so ops read histories the codec encrypts
      uiCodecEndpoint: `${publicBaseUrl(config)}/codec/${config.TEMPORAL_NAMESPACE}`,
      retentionDays: config.WORKFLOW_RETENTION_DAYS,
    });
    stops.unshift(devServer.stop);
    temporalAddress = devServer.address;
    uiUrl = devServer.uiUrl;
  }

  // the development keyring, made on the first start (PAYLOAD_KEYS or PAYLOAD_KEYS_FILE in production)
  configuredKeyring(config, { generate: true });
  const endpoints = { databaseUrl, temporalAddress };
  const worker = await startWorker(config, endpoints, workerLog);
  stops.unshift(worker.stop);
  const api = await startApi(config, endpoints, createLogger(config, 'api'));
  stops.unshift(api.stop);
  let consoleUrl: string | undefined;
  if (config.CONSOLE_PORT !== 0) {
    const web = await serveConsole({
      dist: ensureConsole((line) => log.info(line)),
      host: config.API_HOST === '0.0.0.0' ? '0.0.0.0' : '127.0.0.1',
      port: config.CONSOLE_PORT,
      apiUrl: api.url,
      config: config.CONSOLE_CONFIG ? (JSON.parse(config.CONSOLE_CONFIG) as Record<string, unknown>) : {},
    });
    stops.unshift(web.stop);
    consoleUrl = web.url;
  }

  const lines = [
    '',
    'Mentorship backend is running:',
    `  Console           ${consoleUrl ? `${consoleUrl}   (sign in as any role: the development sign-in page)` : 'off (CONSOLE_PORT=0)'}`,
    `  API               ${api.url}   (reference: ${api.url}/docs, tokens: npm run token -- --role ops --user me)`,
    `  Temporal          ${temporalAddress}${uiUrl ? `   Web UI: ${uiUrl}` : ''}${engine === 'server' && !config.TEMPORAL_ADDRESS ? `   (Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL; no Web UI)` : ''}`,
    `  Postgres          ${redact(databaseUrl)}`,
    `  Worker metrics    ${metricsUrl ?? 'off (WORKER_METRICS_PORT=0 or the port is busy)'}`,
    `  Emails            ${config.RESEND_API_KEY ? 'Resend' : 'outbox (no RESEND_API_KEY): stored in the emails table and logged'}`,
    `  Data              ${database ? path.resolve(config.DATA_DIR) : '(external servers)'}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A dev server on our SQLite file whose start is gone (we hold the lock): stopped, so its ports and file are free. */
async function stopOrphanedDevServers(dbFile: string) {
  for (const orphan of findProcesses(
    (command) => command.includes('start-dev') && command.includes(dbFile),
  )) {
    log.info(
      `stopping the Temporal dev server (pid ${orphan.pid}) left running on ${dbFile} by an earlier start`,
    );
    await stopProcess(orphan.pid, 'SIGTERM', 10_000);
  }
}

/** `npm start` runs us with exec, so our parent is npm: when it is gone (killed with -9 too), we stop. */
function stopWithParent() {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    log.warn(`the parent process (pid ${parent}) is gone: stopping`);
    void stop(1);
  }, 500);
  timer.unref();
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  log.info('stopping...');
  for (const stopOne of stops) {
    await stopOne().catch((error: unknown) => log.warn({ err: error }, 'error while stopping'));
  }
  process.exit(code);
}

const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => void stop(0));
stopWithParent();
main().catch(async (error: unknown) => {
  // a diagnosed failure is printed as it is: its cause and the way out
  if (error instanceof StartupError) log.fatal(`failed to start: ${error.message}`);
  else log.fatal({ err: error }, 'failed to start');
  await stop(1);
});
