import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { dieWithParent } from '../system/processes.js';
import {
  binaryCacheRoot,
  ensureGoBinary,
  findFreePort,
  type Log,
  terminateProcess,
  waitForPort,
} from './temporal-binaries.js';

/** Versity's S3 gateway (Apache-2.0): a real S3 server over a directory, from the Go module proxy. */
export const VERSITYGW_VERSION = '1.8.0';
const VERSITYGW_MODULE = 'github.com/versity/versitygw/cmd/versitygw';

export const s3ServerCachePath = () =>
  path.join(binaryCacheRoot(), 'versitygw', `v${VERSITYGW_VERSION}`, 'versitygw');

/** The S3-compatible server the tests store files in: cached, or built once with Go. */
export const ensureS3Server = (log?: Log) =>
  ensureGoBinary(
    {
      module: VERSITYGW_MODULE,
      version: VERSITYGW_VERSION,
      target: s3ServerCachePath(),
      name: 'versitygw (S3 server)',
    },
    log,
  );

export interface S3Server {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Where the buckets are, as directories of files. */
  dir: string;
  stop(): Promise<void>;
}

/** Starts versitygw on 127.0.0.1 over a fresh directory; it stops when this process dies. */
export async function startS3Server(binary: string): Promise<S3Server> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 's3-server-'));
  const buckets = path.join(dir, 'buckets');
  const sidecar = path.join(dir, 'meta');
  await mkdir(buckets);
  await mkdir(sidecar);
  const port = await findFreePort();
  const credentials = { accessKeyId: 'mentorship-test', secretAccessKey: 'mentorship-test-secret' };
  const child: ChildProcess = spawn(
    binary,
    [
      '--port',
      `127.0.0.1:${port}`,
      '--access',
      credentials.accessKeyId,
      '--secret',
      credentials.secretAccessKey,
      'posix',
      // metadata beside the objects, not in extended attributes (tmpfs and some overlays lack user xattrs)
      '--sidecar',
      sidecar,
      buckets,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.once('error', () => {});
  const release = child.pid === undefined ? () => {} : dieWithParent(child.pid, 'TERM', 'versitygw');
  try {
    await waitForPort('127.0.0.1', port, child, 30_000);
  } catch (error) {
    release();
    await terminateProcess(child, 5_000);
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    ...credentials,
    dir: buckets,
    async stop() {
      release();
      await terminateProcess(child, 5_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
