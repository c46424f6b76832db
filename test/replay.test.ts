import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import { bundleWorkflows, bundleWorkflowsApart } from '../worker/worker.js';
import { TEST_KEYRING } from './support/keyring.js';

const HISTORIES = new URL('./histories/', import.meta.url);
// bundled once for the file: webpack takes about a second
let bundled: ReturnType<typeof bundleWorkflows> | undefined;
const workflowBundle = () => (bundled ??= bundleWorkflows());
// the simulator's bundle, built as it builds it: in a child process
let rehearsalBundled: ReturnType<typeof bundleWorkflowsApart> | undefined;
const rehearsalBundle = () => (rehearsalBundled ??= bundleWorkflowsApart({ rehearsal: true }));

/**
 * The histories of release 1.0, frozen: mentees on that code may be running, so every later workflow change
 * must replay them (with `patched()` where it changes what a mentee does). Never re-recorded or edited; a new
 * release adds histories beside them under a new name (`<path>@<release>.json`, see lifecycle-cohort.test.ts).
 */
const FROZEN_RELEASE_1_0: Record<string, string> = {
  'completes.json': 'd027334c814239006b913d7fa22bdf8f37892e688921ba0d8a88fe79d377eeb1',
  'declined.json': 'f2c4fa593720bd5d7a81b90ea60c80b81bf951c3c7cedae6875860dc180b4833',
  'extended.json': '4f3123593fb6eecda479fc2588d4e55e8f66d655e40fba91f7b5e3eb48336d62',
  'fails-eval-1.json': '00fa474be45e0a2c4d6985cb3e6c1b5c5f46957e6e586478ea0735f10252c15e',
  'fails-eval-2.json': '757162cb50c2418b09c605d1247fad340785513bb3060ff3fd5ebc570f795401',
  'fails-final.json': 'b649a13c1b68a8ae39b58fe7d0586588ae37dce5e7d042bcc81251aafcfb52e4',
  'misses-eval-2.json': 'ff7762e7b7a8d17650ff1c80c3124df303985531c34362ef68ff4131a4f7afe5',
  'not-accepted.json': '2c1aebb7d74851eccada668ab89c51ac1ae8b6d0b95684941bb0c966eae87002',
  'not-selected.json': 'fd90f1a9b13bc74d872ab163c30b772f5a7b7b225db613181d5bfb00d400ab45',
  'offer-lapses.json': '2f49e6555ad69c7d06e49cd3f2f1ad39bd35b1fe50e7a0e00b2196e679fa7c76',
  'withdraws.json': '28c258506f75f7145c1a95cc1866043cb8197a6360a11ae67f53ca49f74114ab',
};

describe('recorded mentee histories', () => {
  it('keep the frozen release 1.0 fixtures byte for byte', async () => {
    for (const [file, digest] of Object.entries(FROZEN_RELEASE_1_0)) {
      const bytes = await readFile(new URL(file, HISTORIES));
      expect(createHash('sha256').update(bytes).digest('hex'), `${file} was changed`).toBe(digest);
    }
  });

  it.each([
    ['the current workflow code', workflowBundle],
    // the simulator's bundle must do exactly what production's does, only without stack traces
    ['the rehearsal bundle (cohort simulator)', rehearsalBundle],
  ])('replay against %s, one per lifecycle path', async (_name, bundle) => {
    const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(22);
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
      // the worker's converter, as deployed: the frozen plain-JSON histories pass through its codec
      { workflowBundle: await bundle(), dataConverter: encryptedDataConverter(TEST_KEYRING) },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error });
    }
    expect(results.filter((r) => r.error)).toEqual([]);
    expect(results.map((r) => r.workflowId).sort()).toEqual(files.map((f) => f.replace(/\.json$/, '')));
  });
});

describe('release 1.1 (patched: replay-safe local activities)', () => {
  interface Event {
    activityTaskScheduledEventAttributes?: { activityType?: { name?: string } };
    markerRecordedEventAttributes?: { markerName?: string };
  }
  const read = async (file: string) =>
    JSON.parse(await readFile(new URL(file, HISTORIES), 'utf8')) as { events: Event[] };
  const emailActivities = (events: Event[]) =>
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendEmail').length;
  const patchMarkers = (events: Event[]) =>
    events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length;

  it('new mentees take the new path: one patch marker, emails as local activities', async () => {
    const files = (await readdir(HISTORIES)).filter((f) => f.endsWith('@1.1.json'));
    expect(files).toHaveLength(Object.keys(FROZEN_RELEASE_1_0).length);
    for (const file of files) {
      const { events } = await read(file);
      expect(patchMarkers(events), file).toBe(1);
      expect(emailActivities(events), file).toBe(0);
    }
    // fewer events for the same path: each email is one marker, not three events and a workflow task
    const [before, after] = await Promise.all([read('completes.json'), read('completes@1.1.json')]);
    expect(after.events.length).toBeLessThan(before.events.length);
  });

  it('mentees recorded on 1.0 keep the old path on replay: no marker, emails as activities', async () => {
    for (const file of Object.keys(FROZEN_RELEASE_1_0)) {
      const { events } = await read(file);
      expect(patchMarkers(events), file).toBe(0);
      expect(emailActivities(events), file).toBeGreaterThan(0);
    }
  });
});

describe('the workflow bundle', () => {
  it('captures stack traces in production and not in a rehearsal', async () => {
    const rehearsal = await bundleWorkflows({ rehearsal: true });
    expect(rehearsal.code).toContain('Error.stackTraceLimit = 0');
    expect((await workflowBundle()).code).not.toContain('Error.stackTraceLimit');
    // the simulator bundles in a child process (webpack's memory stays out of its worker): the same bundle
    const apart = await rehearsalBundle();
    expect(apart.code).toBe(rehearsal.code);
    expect(apart.sourceMap).toBe(rehearsal.sourceMap);
  });

  it('carries no package but the Temporal SDK: every cached mentee evaluates its modules anew', async () => {
    const { code } = await workflowBundle();
    const packages = new Set(
      [...code.matchAll(/"\.\/node_modules\/((?:@[^/"]+\/)?[^/"]+)\//g)].map((match) => match[1]),
    );
    // zod (the API's schemas) once came in through one constant and cost every cached mentee its schemas
    expect([...packages].sort()).toEqual([
      '@temporalio/common',
      '@temporalio/workflow',
      'long',
      'ms',
      'nexus-rpc',
    ]);
  });
});
