import { readdir, readFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../worker/worker.js';

const HISTORIES = new URL('./histories/', import.meta.url);

// Histories recorded from earlier code (RECORD_HISTORIES=1 npx vitest run test/lifecycle-cohort.test.ts):
// a change that would break running mentees fails here, and needs `patched()`.
describe('recorded mentee histories', () => {
  it('replay against the current workflow code, one per lifecycle path', async () => {
    const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(11);
    const histories = await Promise.all(
      files.map(async (file) => ({
        workflowId: file.replace(/\.json$/, ''),
        history: temporal.api.history.v1.History.fromObject(
          JSON.parse(await readFile(new URL(file, HISTORIES), 'utf8')),
        ),
      })),
    );
    const results: { workflowId: string; error: unknown }[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: await bundleWorkflows() },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error });
    }
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results.map((r) => r.workflowId).sort()).toEqual(files.map((f) => f.replace(/\.json$/, '')));
  });
});
