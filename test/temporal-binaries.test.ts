import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';
import { type DevServer, MISSING_CLI_MESSAGE, startDevServer } from '../scripts/dev-server.js';
import {
  ensureTemporalCli,
  ensureTemporalTestServer,
  findFreePort,
  findFreePorts,
  terminateProcess,
  testServerExecutable,
  waitForPort,
} from '../scripts/temporal-binaries.js';

// Instant once `npm run provision` has run; the first Go build on a new machine takes minutes.
const FIRST_PROVISION_TIMEOUT_MS = 15 * 60_000;
const quiet = () => {};

let testServerPath: string | undefined;
let cliPath: string | undefined;
let dataDir: string;

beforeAll(async () => {
  testServerPath = await ensureTemporalTestServer();
  cliPath = await ensureTemporalCli();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'temporal-binaries-test-'));
}, FIRST_PROVISION_TIMEOUT_MS);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('time-skipping test server wrapper', () => {
  it('is handed to the SDK as an existing path', () => {
    expect(testServerExecutable('/x/temporal-test-server')).toEqual({
      type: 'existing-path',
      path: '/x/temporal-test-server',
    });
    expect(testServerExecutable(undefined)).toEqual({ type: 'cached-download' });
  });

  it('starts a server that answers gRPC on the port the SDK passes', async (context) => {
    if (!testServerPath) return context.skip('no java/mvn on PATH, so nothing to provision');
    const port = await findFreePort();
    const server = spawn(testServerPath, [String(port)], { stdio: 'ignore' });
    try {
      await waitForPort('127.0.0.1', port, server, 5_000); // the SDK's own patience
      const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
      const info = await connection.workflowService.getSystemInfo({});
      await connection.close();
      expect(info.serverVersion).toBeDefined();
    } finally {
      await terminateProcess(server, 5_000);
    }
  }, 30_000);
});

describe('dev server', () => {
  async function start(dbFile: string, searchAttributes?: Record<string, string>): Promise<DevServer> {
    const [port, uiPort] = (await findFreePorts(2)) as [number, number];
    return startDevServer({
      cliPath,
      port,
      uiPort,
      dbFile,
      namespace: 'mentorship',
      log: quiet,
      searchAttributes,
    });
  }

  async function customAttributeNames(server: DevServer): Promise<string[]> {
    const connection = await Connection.connect({ address: server.address });
    try {
      const response = await connection.operatorService.listSearchAttributes({ namespace: 'mentorship' });
      return Object.keys(response.customAttributes ?? {});
    } finally {
      await connection.close();
    }
  }

  it('refuses to start without a CLI, naming the ways out', async () => {
    await expect(startDevServer({ port: 1, uiPort: 2, namespace: 'mentorship', log: quiet })).rejects.toThrow(
      MISSING_CLI_MESSAGE,
    );
  });

  it('registers the custom search attributes and keeps them across a restart', async (context) => {
    if (!cliPath) return context.skip('no Go on PATH, so no Temporal CLI to provision');
    const dbFile = path.join(dataDir, 'restart.sqlite');
    for (const round of ['fresh database', 'persisted database']) {
      const server = await start(dbFile);
      try {
        expect(await customAttributeNames(server), round).toEqual(
          expect.arrayContaining(Object.keys(CUSTOM_SEARCH_ATTRIBUTES)),
        );
      } finally {
        await server.stop();
      }
    }
  }, 40_000);

  it('adds attributes missing from a database created before they existed', async (context) => {
    if (!cliPath) return context.skip('no Go on PATH, so no Temporal CLI to provision');
    const dbFile = path.join(dataDir, 'upgrade.sqlite');
    await (await start(dbFile, {})).stop();
    const server = await start(dbFile);
    try {
      expect(await customAttributeNames(server)).toEqual(
        expect.arrayContaining(Object.keys(CUSTOM_SEARCH_ATTRIBUTES)),
      );
    } finally {
      await server.stop();
    }
  }, 40_000);
});
