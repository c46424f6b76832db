import { fileURLToPath } from 'node:url';
import { Client, Connection, type WorkflowExecutionDescription } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressRules } from '../chaos/experiment.js';
import { menteeWorkflowId } from '../domain/ids.js';
import {
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
  recordProgressUpdate,
  submitEvaluationUpdate,
  submitFeedbackSurveyUpdate,
} from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { apply, findApplication, sendMessage } from '../mentees/client.js';
import { createProgram } from '../mentees/programs.js';
import { promoteBuild } from '../ops/rollout.js';
import { privateClientOptions } from '../privacy/clients.js';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import type { TemporalServer } from '../scripts/temporal-server.js';
import { bundleWorkflowsApart, createMenteeWorker } from '../worker/worker.js';
import { freshDatabase } from './support/database.js';
import { activitiesAtTheEdge } from './support/edge.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';
import { TEST_KEYRING } from './support/keyring.js';
import { programFixture } from './support/programs.js';
import { ROLLOUT_PATCH } from './support/rollout/workflows-v2.js';
import { startTestTemporalServer } from './support/temporal-server.js';

/*
 * A new worker build rolled out while mentees of the old one are mid-term, on Temporal's own server with Worker
 * Versioning: build v1 runs, mentees apply and are selected and evaluated once; build v2 (the mentee workflow with
 * a patched change, test/support/rollout/workflows-v2.ts) starts beside it and is promoted; new mentees start on
 * v2; v1 is stopped; everyone finishes. None fails, every history replays on v2, and a history v2 started cannot
 * replay on v1: the routing, not luck, kept those away from the old workers.
 */
const DEPLOYMENT = 'mentorship-rollout';
const OLD_MENTEES = 4;
const NEW_MENTEES = 3;
const admin = { userId: 'rollout-admin', role: 'admin' as const };

let server: TemporalServer;
let db: Awaited<ReturnType<typeof freshDatabase>>;
let resend: FakeResend;
let connection: Connection;
let native: NativeConnection;
let client: Client;
// the workers still running when a test fails: stopped before their connection closes
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [db, resend, server] = await Promise.all([freshDatabase(), startFakeResend(), startTestTemporalServer()]);
  connection = await Connection.connect({ address: server.address });
  native = await NativeConnection.connect({ address: server.address });
  client = new Client({ connection, ...privateClientOptions(TEST_KEYRING, db.sql) });
}, 300_000);

afterAll(async () => {
  for (const stop of stops) await stop().catch(() => {});
  await native?.close();
  await connection?.close();
  await server?.stop();
  await resend?.close();
  await db?.close();
});

describe('rolling out a new worker build while mentees run', () => {
  it('moves every mentee to the new build at its next step, and none fails', {
    timeout: 600_000,
  }, async () => {
    const [v1Bundle, v2Bundle] = await Promise.all([
      bundleWorkflowsApart(),
      bundleWorkflowsApart({
        workflowsPath: fileURLToPath(new URL('./support/rollout/workflows-v2.ts', import.meta.url)),
      }),
    ]);
    const taskQueue = 'rollout';
    const { activities } = activitiesAtTheEdge(db.sql, resend, client);
    const workerOf = (buildId: string, workflowBundle: typeof v1Bundle) =>
      createMenteeWorker({
        connection: native,
        namespace: 'default',
        taskQueue,
        activities,
        workflowBundle,
        dataConverter: encryptedDataConverter(TEST_KEYRING),
        stickyQueueScheduleToStartTimeout: '2s',
        deployment: { name: DEPLOYMENT, buildId },
      });
    const running = async (worker: Worker) => {
      const run = worker.run();
      stops.push(async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await run;
      });
      return { worker, run };
    };

    const v1 = await running(await workerOf('v1', v1Bundle));
    expect((await promoteBuild(client, DEPLOYMENT, 'v1')).previousBuildId).toBeNull();

    const input = ProgramInput.parse({
      ...programFixture(Date.now()),
      prerequisites: [{ id: 'intro-call', title: 'Attend the intro call' }],
    });
    await createProgram(db.sql, input);
    await db.sql`INSERT INTO mentors (id, name, email) VALUES ('rollout-mentor', 'Rollout Mentor', 'mentor@example.org')`;
    const deps = { sql: db.sql, temporal: client, taskQueue };
    const start = async (i: number, reviewClosesInMs: number) => {
      const rules = compressRules(rulesOf(input), reviewClosesInMs);
      const { applicationId } = await apply(
        deps,
        { id: input.id, rules },
        { id: `rollout-${i}`, name: `Mentee ${i}`, email: `rollout-${i}@example.org`, country: 'DE' },
        'rollout',
      );
      return { applicationId, reviewClosesAt: Date.parse(rules.reviewClosesAt) };
    };
    const send = async <A>(applicationId: string, update: Parameters<typeof sendMessage<A>>[2], arg: A) => {
      const application = await findApplication(db.sql, applicationId);
      // asked again while the lifecycle has not reached the stage yet (the review window closing)
      for (const deadline = Date.now() + 60_000; ; ) {
        try {
          return await sendMessage(client, application, update, arg);
        } catch (error) {
          if (!(error instanceof ProblemError && error.status === 409) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      }
    };
    const untilSelected = async (applicationId: string) => {
      await send(applicationId, completePrerequisiteUpdate, { prerequisiteId: 'intro-call' });
      await send(applicationId, decideSelectionUpdate, {
        by: admin,
        decision: 'select',
        mentor: { id: 'rollout-mentor' },
        projectTitle: 'Rollouts',
      });
      for (const stepId of ['contract', 'tax-form', 'payment-details'])
        await send(applicationId, completeOnboardingStepUpdate, { stepId, by: admin });
      for (const itemId of ['project-plan', 'starter-docs', 'milestone-1', 'milestone-2'])
        await send(applicationId, recordProgressUpdate, { itemId, by: admin });
      await send(applicationId, submitFeedbackSurveyUpdate, { by: admin, rating: 5, comments: '' });
    };
    const evaluate = (applicationId: string, number: number) =>
      send(applicationId, submitEvaluationUpdate, {
        number,
        mentorId: 'rollout-mentor',
        ratings: { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 },
        comments: '',
        outcome: 'pass' as const,
      });

    // mentees of v1, mid-term: selected, onboarded, first evaluation in
    const old = await Promise.all(Array.from({ length: OLD_MENTEES }, (_, i) => start(i, 8_000)));
    await Promise.all(old.map((m) => untilSelected(m.applicationId)));
    await Promise.all(old.map((m) => evaluate(m.applicationId, 1)));

    // v2 beside v1, then promoted; new mentees start on v2 while v1 still polls
    const v2 = await running(await workerOf('v2', v2Bundle));
    expect(await promoteBuild(client, DEPLOYMENT, 'v2')).toMatchObject({ previousBuildId: 'v1' });
    const fresh = await Promise.all(
      Array.from({ length: NEW_MENTEES }, (_, i) => start(OLD_MENTEES + i, 8_000)),
    );
    await Promise.all([
      ...old.map((m) => evaluate(m.applicationId, 2)),
      ...fresh.map((m) => untilSelected(m.applicationId)),
    ]);
    // the old build drains and stops; everyone finishes on v2
    v1.worker.shutdown();
    await v1.run;
    const everyone = [...old, ...fresh];
    await Promise.all([
      ...old.map(async (m) => {
        for (const n of [3, 4]) await evaluate(m.applicationId, n);
      }),
      ...fresh.map(async (m) => {
        for (const n of [1, 2, 3, 4]) await evaluate(m.applicationId, n);
      }),
    ]);
    const results = await Promise.all(
      everyone.map((m) => client.workflow.getHandle(menteeWorkflowId(m.applicationId)).result()),
    );
    expect(results.map((r) => r.stage)).toEqual(everyone.map(() => 'completed'));

    // every mentee ended on v2; only the new ones carry the change; no workflow task failed anywhere
    const histories = [];
    for (const [i, m] of everyone.entries()) {
      const handle = client.workflow.getHandle(menteeWorkflowId(m.applicationId));
      const description: WorkflowExecutionDescription = await handle.describe();
      const versioning = description.raw.workflowExecutionInfo?.versioningInfo;
      expect(versioning?.deploymentVersion?.buildId, `mentee ${i}`).toBe('v2');
      expect(description.memo?.startedOnBuild, `mentee ${i}`).toBe(i < OLD_MENTEES ? undefined : 'v2');
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
      // the patches this mentee's history recorded (core's marker data names each)
      const patches = events.flatMap((e) => {
        const marker = e.markerRecordedEventAttributes;
        const data =
          marker?.markerName === 'core_patch' && marker.details?.['patch-data']?.payloads?.[0]?.data;
        return data ? [Buffer.from(data).toString()] : [];
      });
      expect(
        patches.some((p) => p.includes(ROLLOUT_PATCH)),
        `mentee ${i} patched`,
      ).toBe(i >= OLD_MENTEES);
      // the tasks before the promotion ran on v1, the later ones on v2
      const builds = new Set(
        events.flatMap((e) => {
          const build = e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId;
          return build ? [build] : [];
        }),
      );
      expect([...builds].sort(), `mentee ${i} builds`).toEqual(i < OLD_MENTEES ? ['v1', 'v2'] : ['v2']);
      histories.push({ workflowId: handle.workflowId, history });
    }

    // every history replays on the new build; one that v2 started cannot replay on v1
    const dataConverter = encryptedDataConverter(TEST_KEYRING);
    for await (const replay of Worker.runReplayHistories(
      { workflowBundle: v2Bundle, dataConverter },
      histories,
    )) {
      expect(replay.error, replay.workflowId).toBeUndefined();
    }
    const newOne = histories[OLD_MENTEES]!;
    await expect(
      Worker.runReplayHistory({ workflowBundle: v1Bundle, dataConverter }, newOne.history, newOne.workflowId),
    ).rejects.toThrow(/[Nn]ondetermin/);

    v2.worker.shutdown();
    await v2.run;
  });
});
