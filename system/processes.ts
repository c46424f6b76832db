import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process as /proc shows it: its pid and command line (empty off Linux, where /proc is missing). */
export interface ProcessInfo {
  pid: number;
  command: string;
}

/**
 * Whether a process with this pid runs (one of another user's counts: EPERM). A zombie does not: it has exited and
 * only waits to be reaped (an orphan whose new parent never reaps it stays one).
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** The command line of a running process, arguments joined by spaces; undefined when it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return isAlive(pid) ? '' : undefined;
  }
}

/** Running processes whose command line matches; only on Linux (elsewhere none are found). */
export function findProcesses(matches: (command: string) => boolean): ProcessInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: ProcessInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const command = commandLine(Number(entry));
    if (command && matches(command)) found.push({ pid: Number(entry), command });
  }
  return found;
}

/** The process listening on a TCP port (IPv4 or IPv6), read from /proc; undefined when unknown. */
export function portHolder(port: number): ProcessInfo | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local address "ADDR:PORT" in hex, state 0A = LISTEN, inode in the tenth column
      if (fields[3] === '0A' && Number.parseInt(fields[1]?.split(':')[1] ?? '', 16) === port) {
        inodes.add(`socket:[${fields[9]}]`);
      }
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    for (const fd of safeReaddir(`/proc/${entry}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${fd}`);
      } catch {
        continue;
      }
      if (inodes.has(target)) return { pid: Number(entry), command: commandLine(Number(entry)) ?? '' };
    }
  }
  return undefined;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Sends `signal`, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const signalled = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {}
  };
  signalled(signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signalled('SIGKILL');
      await sleep(100);
      if (!isAlive(pid)) return;
      throw new Error(`process ${pid} does not stop`);
    }
    await sleep(50);
  }
}

/** An exited child that its parent has not reaped yet: gone for every purpose here. */
function isZombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ' '));
  } catch {
    return false;
  }
}

/**
 * A server we start must not outlive this process, however it dies: a watchdog shell reads its stdin pipe from
 * us, which reaches EOF exactly when we are gone (SIGKILL included), and then signals the server, if the pid still
 * runs a command containing `expect` (a pid can be reused). The returned function releases the guard.
 */
export function dieWithParent(pid: number, signal: 'TERM' | 'INT', expect: string): () => void {
  if (process.platform === 'win32') return () => {};
  const killServer = () => {
    if (commandLine(pid)?.includes(expect)) {
      try {
        process.kill(pid, `SIG${signal}`);
      } catch {}
    }
  };
  process.once('exit', killServer);
  const watchdog = spawn(
    '/bin/sh',
    [
      '-c',
      'read -r _; grep -q -- "$2" "/proc/$0/cmdline" 2>/dev/null && kill -"$1" "$0" 2>/dev/null',
      String(pid),
      signal,
      expect,
    ],
    // its own process group: a Ctrl-C in the terminal is for us to handle, not for the watchdog
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  watchdog.once('error', () => {});
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return () => {
    process.off('exit', killServer);
    watchdog.kill();
  };
}
