/**
 * `npx tsx bench/temporal-startup.ts`: how long the Temporal servers take to become usable. The SDK gives
 * a spawned test server 5 s to accept connections, so the test-server figure is the one to watch.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from '../scripts/dev-server.js';
import {
  ensureTemporalCli,
  ensureTemporalTestServer,
  findFreePort,
  findFreePorts,
  JVM_FAST_START_FLAGS,
  terminateProcess,
  waitForPort,
} from '../scripts/temporal-binaries.js';

const TEST_SERVER_STARTS = 5;
const DEV_SERVER_RESTARTS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (value: number) => `${Math.round(value)} ms`;
const series = (values: number[]) => `median ${ms(median(values))} (${values.map(ms).join(', ')})`;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

/** Milliseconds from spawn until the port accepts TCP, which is what the SDK waits for. */
async function acceptTime(command: string, args: (port: number) => string[]): Promise<number> {
  const port = await findFreePort();
  const started = performance.now();
  const server = spawn(command, args(port), { stdio: 'ignore' });
  try {
    await waitForPort('127.0.0.1', port, server, 30_000);
    return performance.now() - started;
  } finally {
    await terminateProcess(server, 10_000);
  }
}

async function repeat(times: number, measure: () => Promise<number>): Promise<number[]> {
  const results: number[] = [];
  for (let run = 0; run < times; run++) results.push(await measure());
  return results;
}

async function benchProvisioning(): Promise<[string | undefined, string | undefined]> {
  const [cliPath, cliMs] = await timed(() => ensureTemporalCli());
  const [wrapper, wrapperMs] = await timed(() => ensureTemporalTestServer());
  const [, cachedCliMs] = await timed(() => ensureTemporalCli());
  const [, cachedWrapperMs] = await timed(() => ensureTemporalTestServer());
  console.log(
    `ensureTemporalCli: first call ${ms(cliMs)}, cached ${cachedCliMs.toFixed(1)} ms -> ${cliPath}`,
  );
  console.log(
    `ensureTemporalTestServer: first ${ms(wrapperMs)}, cached ${cachedWrapperMs.toFixed(1)} ms -> ${wrapper}`,
  );
  return [cliPath, wrapper];
}

async function benchTestServer(wrapper: string): Promise<void> {
  const withArchive = await repeat(TEST_SERVER_STARTS, () => acceptTime(wrapper, (port) => [String(port)]));
  console.log(`test server accepts connections (wrapper, as the SDK runs it): ${series(withArchive)}`);
  const classpath = (await readFile(path.join(path.dirname(wrapper), 'classpath.txt'), 'utf8')).trim();
  const javaArgs = (port: number) => [
    ...JVM_FAST_START_FLAGS,
    ...['-cp', classpath, 'io.temporal.testserver.TestServer', String(port)],
  ];
  const withoutArchive = await repeat(TEST_SERVER_STARTS, () => acceptTime('java', javaArgs));
  console.log(`  same JVM flags without the class-data archive: ${series(withoutArchive)}`);
}

async function devServerStart(cliPath: string, dbFile: string): Promise<number> {
  const [port, uiPort] = (await findFreePorts(2)) as [number, number];
  const options = { cliPath, port, uiPort, dbFile, namespace: 'mentorship', log: () => {} };
  const [server, startMs] = await timed(() => startDevServer(options));
  await server.stop();
  return startMs;
}

async function benchDevServer(cliPath: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-dev-server-'));
  try {
    const dbFile = path.join(dir, 'temporal.sqlite');
    const cold = await devServerStart(cliPath, dbFile);
    const cached = await repeat(DEV_SERVER_RESTARTS, () => devServerStart(cliPath, dbFile));
    console.log(`dev server serves the namespace: new database ${ms(cold)}; restart on it ${series(cached)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const [cliPath, wrapper] = await benchProvisioning();
if (wrapper) await benchTestServer(wrapper);
else console.log('test server: not provisioned (no java/mvn)');
if (cliPath) await benchDevServer(cliPath);
else console.log('dev server: not provisioned (no go)');
