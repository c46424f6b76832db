import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Temporal native bridge is not safe in worker threads.
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup-runtime.ts'],
    testTimeout: 120_000,
    // polls wait for activities, which run in real time: on a loaded machine a letter render takes seconds
    expect: { poll: { timeout: 30_000, interval: 100 } },
    hookTimeout: 180_000,
  },
});
