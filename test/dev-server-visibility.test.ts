import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { apply, findApplication, sendMessage } from '../api/applications.js';
import { completePrerequisiteUpdate } from '../domain/messages.js';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { startDevSystem } from './support/dev-system.js';
import { PREREQUISITES, programFixture } from './support/programs.js';

let system: Awaited<ReturnType<typeof startDevSystem>>;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  system = await startDevSystem('visibility-test');
  worker = await system.newWorker();
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await system?.stop();
});

describe('on the real dev server', () => {
  it('registers the custom search attributes', async () => {
    const { customAttributes } = await system.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(['MenteeStage', 'ProgramId']));
  });

  it('finds mentees by stage and program with a visibility query', async () => {
    const now = Date.now();
    const input = ProgramInput.parse(programFixture(now));
    const created = await system.app.request('/programs', {
      method: 'POST',
      body: JSON.stringify(programFixture(now, { id: input.id })),
      headers: { 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    // The real server cannot skip time: pin a review window of seconds into these workflows.
    const rules = {
      ...rulesOf(input),
      reviewClosesAt: new Date(now + 6_000).toISOString(),
      reviewReminderAt: null,
    };
    const { deps, client } = system;
    const ready: string[] = [];
    const missing: string[] = [];
    for (let i = 0; i < 6; i++) {
      const mentee = { id: `vis-${i}`, name: `Mentee ${i}`, email: `vis-${i}@example.org` };
      const { applicationId } = await apply(deps, { id: input.id, rules }, mentee, '');
      const application = await findApplication(system.sql, applicationId);
      const done = i % 2 === 0 ? PREREQUISITES : PREREQUISITES.slice(1);
      for (const p of done)
        await sendMessage(client, application, completePrerequisiteUpdate, { prerequisiteId: p.id });
      (i % 2 === 0 ? ready : missing).push(application.workflowId);
    }

    const idsWhere = async (query: string) => {
      const ids: string[] = [];
      for await (const workflow of client.workflow.list({ query })) ids.push(workflow.workflowId);
      return ids.sort();
    };
    const program = `ProgramId = '${input.id}'`;
    expect(await idsWhere(`${program} AND MenteeStage = 'in_review'`)).toHaveLength(6);
    await vi.waitFor(
      async () => {
        expect(await idsWhere(`${program} AND MenteeStage = 'awaiting_selection'`)).toEqual(ready.sort());
        expect(await idsWhere(`${program} AND MenteeStage = 'not_accepted'`)).toEqual(missing.sort());
      },
      { timeout: 30_000, interval: 500 },
    );
    expect(await idsWhere(`${program} AND MenteeStage = 'in_review'`)).toEqual([]);
  });
});
