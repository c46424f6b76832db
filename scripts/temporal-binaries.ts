import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { constants } from 'node:fs';
import {
  access,
  chmod,
  link,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  writeFile,
} from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { loadConfig } from '../config/index.js';

/** Newest CLI release whose go.mod has no `replace` directive, so `go install` works (see temporal-notes.md). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
const TEST_SERVER_POM = fileURLToPath(new URL('./temporal-test-server/pom.xml', import.meta.url));
const TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';
/** The SDK gives a spawned server 5 s to accept connections; a cold JVM on 2 busy cores can come close. */
export const JVM_FAST_START_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xshare:auto'];
const PROGRESS_INTERVAL_MS = 15_000;

export type Log = (line: string) => void;
const logToStderr: Log = (line) => process.stderr.write(`${line}\n`);

/** Per-user, outside the clone, so fresh CI clones reuse what an earlier run built. */
export function binaryCacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mentorship-backend');
}

export function temporalCliCachePath(): string {
  return path.join(binaryCacheRoot(), 'temporal-cli', `v${TEMPORAL_CLI_VERSION}`, 'temporal');
}

/** The Temporal CLI (dev server): env override, cached build, or a Go build; undefined when none is possible. */
export async function ensureTemporalCli(log: Log = logToStderr): Promise<string | undefined> {
  const override = loadConfig().TEMPORAL_CLI_PATH;
  if (override) return requireExisting(override, 'TEMPORAL_CLI_PATH');
  return ensureGoBinary(
    {
      module: TEMPORAL_CLI_MODULE,
      version: TEMPORAL_CLI_VERSION,
      target: temporalCliCachePath(),
      name: 'Temporal CLI',
    },
    log,
  );
}

/** A Go program built once with `go install` into the per-user cache; undefined without Go. */
export async function ensureGoBinary(
  binary: { module: string; version: string; target: string; name: string },
  log: Log = logToStderr,
): Promise<string | undefined> {
  if (await isExecutable(binary.target)) return binary.target;
  const go = await findOnPath('go');
  if (!go) return undefined;
  return withCacheLock(path.dirname(binary.target), log, async () => {
    if (!(await isExecutable(binary.target))) await goInstall(go, binary, log);
    return binary.target;
  });
}

/** Builds into a staging GOBIN and renames, so a killed build never leaves a half-written binary. */
async function goInstall(
  go: string,
  binary: { module: string; version: string; target: string; name: string },
  log: Log,
) {
  const staging = await mkdtemp(path.join(path.dirname(binary.target), '.build-'));
  try {
    await runWithProgress(go, ['install', `${binary.module}@v${binary.version}`], {
      env: { ...process.env, GOBIN: staging },
      label: `building ${binary.name} v${binary.version} with Go (first time only, a few minutes)`,
      log,
    });
    await rename(path.join(staging, path.basename(binary.module)), binary.target);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The time-skipping test server: env override, cached wrapper script, or one resolved with Maven. */
export async function ensureTemporalTestServer(log: Log = logToStderr): Promise<string | undefined> {
  const override = loadConfig().TEMPORAL_TEST_SERVER_PATH;
  if (override) return requireExisting(override, 'TEMPORAL_TEST_SERVER_PATH');
  if (!(await findOnPath('java'))) return undefined;
  const version = await testServerVersion();
  const dir = path.join(binaryCacheRoot(), 'temporal-test-server', await testServerCacheKey(version));
  const wrapper = path.join(dir, 'temporal-test-server');
  if (await isTestServerUsable(wrapper, version)) return wrapper;
  const mvn = await findOnPath('mvn');
  if (!mvn) return undefined;
  return withCacheLock(dir, log, async () => {
    if (!(await isTestServerUsable(wrapper, version))) await provisionTestServer(mvn, version, wrapper, log);
    return wrapper;
  });
}

/**
 * The cache directory of a test server: its version and a digest of the pom, so a changed classpath (another
 * dependency) gets a directory of its own instead of overwriting what other clones on this machine still use.
 */
export async function testServerCacheKey(version: string): Promise<string> {
  const digest = createHash('sha256')
    .update(await readFile(TEST_SERVER_POM))
    .digest('hex');
  return `${version}-${digest.slice(0, 10)}`;
}

/** The pom is the one place that names the version, so the cache key follows it. */
export async function testServerVersion(): Promise<string> {
  const pom = await readFile(TEST_SERVER_POM, 'utf8');
  const version = /<temporal\.test\.server\.version>([^<]+)</.exec(pom)?.[1]?.trim();
  if (!version) throw new Error(`${TEST_SERVER_POM} has no <temporal.test.server.version>`);
  return version;
}

async function provisionTestServer(mvn: string, version: string, wrapper: string, log: Log): Promise<void> {
  const files = testServerFiles(wrapper);
  await rm(files.classArchive, { force: true });
  const staged = `${files.classpath}.${process.pid}.tmp`;
  await runWithProgress(
    mvn,
    ['-q', '-B', '-f', TEST_SERVER_POM, 'dependency:build-classpath', `-Dmdep.outputFile=${staged}`],
    { env: process.env, label: `resolving Temporal test server ${version} with Maven`, log },
  );
  await rename(staged, files.classpath);
  await archiveTestServerClasses(files, log);
  await writeFileAtomically(wrapper, testServerWrapperScript(version, files), 0o755);
}

function testServerFiles(wrapper: string) {
  const dir = path.dirname(wrapper);
  return { classpath: path.join(dir, 'classpath.txt'), classArchive: path.join(dir, 'startup-classes.jsa') };
}

/** A class-data archive of one server start halves later JVM starts (~1.1 s -> ~0.5 s); optional, so only logged. */
async function archiveTestServerClasses(files: ReturnType<typeof testServerFiles>, log: Log): Promise<void> {
  log("recording the test server's startup classes (JVM class-data sharing)...");
  const staged = `${files.classArchive}.${process.pid}.tmp`;
  try {
    await runTestServerOnce(files.classpath, [`-XX:ArchiveClassesAtExit=${staged}`]);
    await rename(staged, files.classArchive);
  } catch (error) {
    log(`skipping the class-data archive: ${(error as Error).message}`);
    await rm(staged, { force: true });
  }
}

/** Starts the server until it accepts connections, then stops it cleanly (the JVM writes its archive on exit). */
async function runTestServerOnce(classpathFile: string, javaFlags: string[]): Promise<void> {
  const classpath = (await readFile(classpathFile, 'utf8')).trim();
  const port = await findFreePort();
  const mainClassAndPort = [TEST_SERVER_MAIN_CLASS, String(port)];
  const args = [...javaFlags, ...JVM_FAST_START_FLAGS, '-cp', classpath, ...mainClassAndPort];
  const java = spawn('java', args, { stdio: 'ignore' });
  java.once('error', () => {}); // a failed spawn surfaces through waitForPort as "could not start"
  try {
    await waitForPort('127.0.0.1', port, java, 30_000);
  } finally {
    await terminateProcess(java, 30_000);
  }
}

/** Usable if written by this version of the script and every jar is still there (a cleaned ~/.m2 re-resolves). */
async function isTestServerUsable(wrapper: string, version: string): Promise<boolean> {
  const files = testServerFiles(wrapper);
  const script = await readFile(wrapper, 'utf8').catch(() => '');
  if (script !== testServerWrapperScript(version, files) || !(await isExecutable(wrapper))) return false;
  const classpath = await readFile(files.classpath, 'utf8').catch(() => '');
  const jars = classpath.trim().split(path.delimiter).filter(Boolean);
  if (jars.length === 0) return false;
  const present = await Promise.all(jars.map((jar) => isReadable(jar)));
  return present.every(Boolean);
}

/** The wrapper re-checks the jars too: a clear message beats a ClassNotFoundException inside the SDK's 5 s. */
function testServerWrapperScript(version: string, files: ReturnType<typeof testServerFiles>): string {
  return `#!/bin/sh
# Temporal time-skipping test server ${version}, generated by scripts/temporal-binaries.ts.
# The SDK runs it as: temporal-test-server <port>
classpath=$(cat ${shellQuote(files.classpath)}) || exit 1
set -f
old_ifs=$IFS; IFS=:
for jar in $classpath; do
  if [ ! -f "$jar" ]; then
    echo "temporal-test-server: missing $jar; run: npm run provision" >&2
    exit 1
  fi
done
IFS=$old_ifs
set +f
archive=${shellQuote(files.classArchive)}
# A stale or foreign archive is ignored by the JVM (-Xshare:auto), so it can only help.
class_data=
if [ -f "$archive" ]; then class_data="-XX:SharedArchiveFile=$archive"; fi
exec java ${JVM_FAST_START_FLAGS.join(' ')} \${class_data:+"$class_data"} -cp "$classpath" ${TEST_SERVER_MAIN_CLASS} "$@"
`;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** What `@temporalio/testing` should launch for `createTimeSkipping`: our wrapper, else the SDK's download. */
export function testServerExecutable(wrapperPath: string | undefined): EphemeralServerExecutable {
  return existingOrDownload(wrapperPath);
}

function existingOrDownload(executablePath: string | undefined): EphemeralServerExecutable {
  return executablePath ? { type: 'existing-path', path: executablePath } : { type: 'cached-download' };
}

async function requireExisting(file: string, variable: string): Promise<string> {
  if (!(await isExecutable(file))) throw new Error(`${variable}=${file} is not an executable file`);
  return file;
}

export async function findOnPath(command: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function isReadable(file: string): Promise<boolean> {
  return access(file, constants.R_OK).then(
    () => true,
    () => false,
  );
}

async function writeFileAtomically(file: string, content: string, mode: number): Promise<void> {
  const staged = `${file}.${process.pid}.tmp`;
  await writeFile(staged, content);
  await chmod(staged, mode);
  await rename(staged, file);
}

/** One provisioner per cache directory across processes (parallel test forks), so nobody builds twice. */
export async function withCacheLock<T>(dir: string, log: Log, work: () => Promise<T>): Promise<T> {
  await mkdir(dir, { recursive: true });
  const lockFile = path.join(dir, '.lock');
  let announced = false;
  while (!(await tryLock(lockFile))) {
    if (!announced) log(`waiting for another process provisioning ${dir}...`);
    announced = true;
    await sleep(500);
  }
  try {
    await removeLeftoverStaging(dir);
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/** link() creates the lock with its holder's pid already inside; a dead holder's lock is taken over. */
async function tryLock(lockFile: string): Promise<boolean> {
  const claim = `${lockFile}.${process.pid}.${randomUUID()}`; // unique even for concurrent calls in one process
  await writeFile(claim, String(process.pid));
  try {
    await link(claim, lockFile);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(await readFile(lockFile, 'utf8').catch(() => '0'));
    if (!isProcessAlive(holder)) await rm(lockFile, { force: true });
    return false;
  } finally {
    await rm(claim, { force: true });
  }
}

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Staging files of a build that was killed; safe to delete because we hold the lock. */
async function removeLeftoverStaging(dir: string): Promise<void> {
  const entries = await readdir(dir);
  const leftovers = entries.filter((name) => name.startsWith('.build-') || name.endsWith('.tmp'));
  await Promise.all(leftovers.map((name) => rm(path.join(dir, name), { recursive: true, force: true })));
}

interface ProgressRun {
  env: NodeJS.ProcessEnv;
  label: string;
  log: Log;
}

/** Long first-time builds print a heartbeat so CI logs and users can tell it is not stuck. */
async function runWithProgress(command: string, args: string[], run: ProgressRun): Promise<void> {
  const started = Date.now();
  run.log(`${run.label}...`);
  const heartbeat = setInterval(() => {
    run.log(`${run.label}... ${Math.round((Date.now() - started) / 1000)}s`);
  }, PROGRESS_INTERVAL_MS);
  try {
    await runCapturingTail(command, args, run.env);
  } finally {
    clearInterval(heartbeat);
  }
}

export function runCapturingTail(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-16_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const tail = output.trimEnd().split('\n').slice(-30).join('\n');
      reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`}):\n${tail}`));
    });
  });
}

/** Asks the OS for distinct ports nobody listens on, parked so that no other bind(:0) gets them soon. */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = Array.from({ length: count }, () => net.createServer());
  try {
    const ports = await Promise.all(servers.map((server) => listenOnAnyPort(server, host)));
    await Promise.all(servers.map((server, index) => parkInTimeWait(server, host, ports[index]!)));
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/**
 * Temporal's CLI trick: the listening side closes a connection first, leaving the port in TIME_WAIT,
 * which keeps Linux from handing it to another bind(:0) for 60 s, yet an explicit bind still works.
 */
async function parkInTimeWait(server: net.Server, host: string, port: number): Promise<void> {
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect({ host, port });
  client.on('error', () => {});
  const clientClosed = once(client, 'close');
  const [serverSide] = await accepted;
  serverSide.destroy();
  await clientClosed;
}

export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await findFreePorts(1, host);
  return port!;
}

function listenOnAnyPort(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

export function isPortAccepting(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const settle = (accepting: boolean) => {
      socket.destroy();
      resolve(accepting);
    };
    socket.setTimeout(timeoutMs, () => settle(false));
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}

/** Polls until the child accepts TCP connections; fails at once if it exits first. */
export async function waitForPort(host: string, port: number, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await isPortAccepting(host, port))) {
    const name = child.spawnfile;
    if (hasExited(child)) throw new Error(`${name} exited (${exitReason(child)}) before serving`);
    if (Date.now() > deadline) throw new Error(`${name} did not accept connections within ${timeoutMs} ms`);
    await sleep(20);
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
}

export function exitReason(child: ChildProcess): string {
  if (child.pid === undefined) return 'could not start';
  return child.signalCode ?? `exit code ${child.exitCode}`;
}

/** SIGTERM for a clean shutdown (SQLite, JVM hooks), SIGKILL if it hangs past the grace period. */
export async function terminateProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (hasExited(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(killer);
  }
}
