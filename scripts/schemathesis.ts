/**
 * Schemathesis, the contract fuzzer the test suite runs against the served OpenAPI document: one exact version
 * from PyPI in a virtualenv in the per-user cache (outside the clone, like the Temporal servers), installed once.
 */
import { execFile } from 'node:child_process';
import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  binaryCacheRoot,
  findOnPath,
  type Log,
  runCapturingTail,
  withCacheLock,
} from './temporal-binaries.js';

export const SCHEMATHESIS_VERSION = '4.32.5';

const run = promisify(execFile);
const logToStderr: Log = (line) => process.stderr.write(`${line}\n`);

export function schemathesisDir(): string {
  return path.join(binaryCacheRoot(), `schemathesis-${SCHEMATHESIS_VERSION}`);
}

/** The `st` executable of the cached virtualenv (it may not exist yet). */
export function schemathesisPath(): string {
  return path.join(schemathesisDir(), 'bin', 'st');
}

/** The cached `st`, installed from PyPI when missing or broken; undefined without python3. */
export async function ensureSchemathesis(log: Log = logToStderr): Promise<string | undefined> {
  const st = schemathesisPath();
  if (await isUsable(st)) return st;
  const python = await findOnPath('python3');
  if (!python) return undefined;
  const dir = schemathesisDir();
  // a virtualenv is not relocatable, so it is built in place; the marker says the install finished
  return withCacheLock(path.dirname(dir), log, async () => {
    if (await isUsable(st)) return st;
    await rm(dir, { recursive: true, force: true });
    log(`installing schemathesis ${SCHEMATHESIS_VERSION} from PyPI into ${dir} (first time only)...`);
    await runCapturingTail(python, ['-m', 'venv', dir], process.env);
    const pip = path.join(dir, 'bin', 'pip');
    await runCapturingTail(
      pip,
      ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
      process.env,
    );
    await writeFile(path.join(dir, '.installed'), `${SCHEMATHESIS_VERSION}\n`);
    return st;
  });
}

async function isUsable(st: string): Promise<boolean> {
  try {
    await stat(path.join(path.dirname(path.dirname(st)), '.installed'));
    const { stdout } = await run(st, ['--version']);
    return stdout.includes(SCHEMATHESIS_VERSION);
  } catch {
    return false;
  }
}
