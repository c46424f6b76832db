import { mkdir, open, readFile, statfs, unlink } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, isAlive, portHolder } from './processes.js';

/** A start that cannot go on: the message says the cause and the way out, and is printed as it is. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Whether something accepts connections on host:port, or binding it fails for another reason than free. */
async function isPortTaken(host: string, port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(true));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** "pid 123 (postgres -D /x)": who holds a port, as far as /proc tells. */
export function describeHolder(port: number): string {
  const holder = portHolder(port);
  if (!holder) return 'a process this user cannot see';
  const command = holder.command.length > 120 ? `${holder.command.slice(0, 117)}...` : holder.command;
  return `pid ${holder.pid} (${command || 'unknown command'})`;
}

/** A server that just stopped (an orphan we stopped) can hold its port for a moment: how long we give it. */
const PORT_SETTLE_MS = 3_000;

/** Refuses a port that another process listens on, naming that process and the setting that moves us. */
export async function assertPortFree(host: string, port: number, what: string, setting: string) {
  if (port === 0) return;
  const deadline = Date.now() + PORT_SETTLE_MS;
  while (await isPortTaken(host, port)) {
    // a holder we can name is there to stay; one we cannot see may be a server still closing
    if (portHolder(port) || Date.now() > deadline) throw portInUse(host, port, what, setting);
    await sleep(100);
  }
}

export const portInUse = (host: string, port: number, what: string, setting: string) =>
  new StartupError(
    `Port ${port} on ${host}, where the ${what} should listen, is in use by ${describeHolder(port)}. ` +
      `Stop that process, or choose another port with ${setting}=<port>.`,
  );

/** PostgreSQL needs room for its write-ahead log before it serves; a full disk fails later and obscurely. */
export const MIN_FREE_DISK_MIB = 64;

export async function assertDiskSpace(dir: string, minMiB = MIN_FREE_DISK_MIB): Promise<void> {
  await mkdir(dir, { recursive: true });
  const stats = await statfs(dir);
  const freeMiB = Math.floor((Number(stats.bavail) * Number(stats.bsize)) / 2 ** 20);
  if (freeMiB < minMiB) throw diskFull(dir, freeMiB);
}

export const diskFull = (dir: string, freeMiB?: number) =>
  new StartupError(
    `The disk holding ${path.resolve(dir)} is full${freeMiB === undefined ? '' : ` (${freeMiB} MiB free)`}: ` +
      `the embedded servers need at least ${MIN_FREE_DISK_MIB} MiB there. Free some space, or set DATA_DIR ` +
      'to a directory on another disk.',
  );

interface LockFile {
  pid: number;
  startedAt: string;
}

/**
 * One `npm start` per data directory: a lock file names the process that runs on it. A lock whose process is
 * gone (killed with -9, the machine crashed) is stale and taken over; everything it started may then be stopped.
 * Returns the function that releases the lock.
 */
export async function lockDataDir(dataDir: string, owner = 'npm start'): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'start.lock');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const file = await open(lockPath, 'wx');
      const lock: LockFile = { pid: process.pid, startedAt: new Date().toISOString() };
      await file.writeFile(JSON.stringify(lock));
      await file.close();
      return async () => {
        const current = await readLock(lockPath);
        if (current?.pid === process.pid) await unlink(lockPath).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw diskFull(dataDir);
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLock(lockPath);
    if (holder && holder.pid !== process.pid && isAlive(holder.pid) && isNode(holder.pid)) {
      throw new StartupError(
        `Another ${owner} (pid ${holder.pid}, since ${holder.startedAt}) is running on the data directory ` +
          `${path.resolve(dataDir)}. Stop it (Ctrl-C in its terminal, or kill ${holder.pid}), or start this one ` +
          'with another DATA_DIR and other ports.',
      );
    }
    // the lock of a process that is gone, or a half-written one: stale
    await unlink(lockPath).catch(() => {});
  }
  throw new StartupError(`Could not take the lock ${lockPath}; another start keeps taking it.`);
}

async function readLock(lockPath: string): Promise<LockFile | undefined> {
  try {
    const lock = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockFile>;
    return typeof lock.pid === 'number' ? { pid: lock.pid, startedAt: String(lock.startedAt) } : undefined;
  } catch {
    return undefined;
  }
}

/** A reused pid that now runs something else does not hold our lock. */
function isNode(pid: number): boolean {
  const command = commandLine(pid);
  return command === '' || (command !== undefined && /\bnode\b|tsx/.test(command));
}
