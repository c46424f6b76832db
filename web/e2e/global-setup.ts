import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The backend the walk runs against: API_URL when it answers; otherwise `npm start` from the repository root
 * (the API on 127.0.0.1:3000 with the development secret, which the dev sign-in needs), stopped afterwards.
 */
export default async function globalSetup() {
  const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
  process.env.API_URL = apiUrl;
  if (await healthy(apiUrl)) return undefined;
  if (process.env.API_URL_REQUIRED === '1') throw new Error(`No API answers at ${apiUrl}`);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const backend: ChildProcess = spawn('npm', ['start'], { cwd: root, detached: true, stdio: 'ignore' });
  const deadline = Date.now() + 300_000;
  while (!(await healthy(apiUrl))) {
    if (Date.now() > deadline || backend.exitCode !== null) {
      await stop(backend);
      throw new Error(`npm start did not serve ${apiUrl}/readyz within 5 minutes`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return () => stop(backend);
}

async function healthy(apiUrl: string) {
  try {
    return (await fetch(`${apiUrl}/readyz`)).ok;
  } catch {
    return false;
  }
}

/** Ctrl-C for the process group `npm start` leads (it stops its servers itself), then waits for it to end. */
async function stop(backend: ChildProcess) {
  if (!backend.pid || backend.exitCode !== null) return;
  const ended = new Promise((resolve) => backend.once('exit', resolve));
  process.kill(-backend.pid, 'SIGINT');
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 60_000))]);
}
