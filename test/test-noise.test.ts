import { spawn } from 'node:child_process';
import net from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { findFreePorts, terminateProcess } from '../scripts/temporal-binaries.js';
import { droppedSdkLines, quietSdkLogger } from './support/quiet-logger.js';
import { startTimeSkippingServer } from './support/temporal.js';

/*
 * Test output carries our own errors only: the time-skipping server starts without SLF4J's warning, and the
 * Temporal core's warning about the Java server's missing heartbeat capability is dropped, nothing else.
 */

describe('the time-skipping test server', () => {
  it('starts and stops without printing SLF4J warnings', async () => {
    const wrapper = inject('temporalTestServerPath');
    expect(wrapper, 'npm run provision resolves the test server').toBeDefined();
    const [port] = (await findFreePorts(1)) as [number];
    const server = spawn(wrapper!, [String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    server.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await vi.waitFor(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => {
            socket.end();
            resolve();
          });
          socket.on('error', reject);
        }),
      { timeout: 30_000, interval: 200 },
    );
    await terminateProcess(server, 10_000);
    expect(output).not.toMatch(/SLF4J/);
  });
});

describe('the SDK log lines of the test runtime', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it("drops the core's heartbeat-capability warning it forwards, and only that", async () => {
    const printed: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue: 'test-noise',
        activities: { noop: async () => {} },
      });
      await worker.runUntil(new Promise((resolve) => setTimeout(resolve, 1_000)));
    } finally {
      stderr.mockRestore();
    }
    // the core's warning reached our logger (forwarded, not printed by the core itself) and was dropped
    expect(droppedSdkLines().join('\n')).toMatch(/activity_failure_include_heartbeat/);
    expect(printed.join('')).not.toMatch(/heartbeat/);

    const lines: string[] = [];
    const logger = quietSdkLogger((line) => lines.push(line));
    logger.warn(
      'Temporal Server 1.16.0 or newer is required ... the server did not advertise the activity_failure_include_heartbeat capability, so heartbeat details may be lost on failure',
    );
    logger.warn('Activity function noop failed', { attempt: 3 });
    logger.error('Worker failed', { taskQueue: 'x' });
    logger.info('Worker state changed');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/\[WARN\] Activity function noop failed \{"attempt":3\}/);
    expect(lines[1]).toMatch(/\[ERROR\] Worker failed/);
  });
});
