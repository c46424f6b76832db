import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { statusQuery } from '../domain/messages.js';
import { MenteeStageKey } from '../domain/search-attributes.js';
import { runTimeline, SimulatedClock, type TimelineStep } from '../simulator/engine.js';
import { seededRandom, shuffle } from './support/cohort.js';
import { DAYS, PREREQUISITES, programFixture } from './support/programs.js';
import { startTestSystem, type TestSystem } from './support/system.js';

type Behaviour = 'all-early' | 'all-twice' | 'all-late' | 'partial' | 'none';
const MIX: [Behaviour, number][] = [
  ['all-early', 7],
  ['all-twice', 4],
  ['all-late', 5],
  ['partial', 5],
  ['none', 3],
];

interface Applicant {
  menteeId: string;
  email: string;
  behaviour: Behaviour;
  completes: string[];
  applicationId?: string;
}

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

describe('a cohort of 24 applicants through the review window', () => {
  it('accepts exactly those who completed every prerequisite in time, with the right emails', async () => {
    const random = seededRandom(2026);
    const applicants: Applicant[] = shuffle(
      MIX.flatMap(([behaviour, count]) => Array.from({ length: count }, () => behaviour)),
      random,
    ).map((behaviour, i) => ({
      menteeId: `mentee-${i}`,
      email: `applicant${i}@example.org`,
      behaviour,
      completes:
        behaviour === 'none'
          ? []
          : behaviour === 'partial'
            ? shuffle(PREREQUISITES, random)
                .slice(0, 1 + Math.floor(random() * 2))
                .map((p) => p.id)
            : PREREQUISITES.map((p) => p.id),
    }));

    const worker = await system.newWorker();
    const clock = new SimulatedClock(system.env);
    await worker.runUntil(async () => {
      const t0 = await clock.sync();
      const program = programFixture(t0);
      expect((await system.call('POST', '/programs', program)).status).toBe(201);
      const complete = (applicant: Applicant, prerequisiteId: string) =>
        system.call(
          'POST',
          `/applications/${applicant.applicationId}/prerequisites/${prerequisiteId}/complete`,
        );

      // One timeline through the simulator's engine, each applicant's steps in order, 16 applicants at a time.
      const timeline: TimelineStep[] = [];
      for (const applicant of applicants) {
        const step = (at: number, run: () => Promise<unknown>) =>
          timeline.push({ at, chain: applicant.menteeId, run });
        step(t0, async () => {
          const response = await system.call('POST', `/programs/${program.id}/applications`, {
            mentee: {
              id: applicant.menteeId,
              name: `Applicant ${applicant.menteeId}`,
              email: applicant.email,
            },
            motivation: 'I want to learn open source.',
          });
          expect(response.status).toBe(201);
          expect(response.body.stage).toBe('in_review');
          applicant.applicationId = response.body.id;
        });
        // Before the reminder: the early ones, some of them sending each completion twice.
        // Past the reminder (3 days before the review closes), before the close: the late ones.
        const late = applicant.behaviour === 'all-late';
        for (const prerequisiteId of applicant.completes) {
          step(late ? t0 + 12 * DAYS + 60 * 60 * 1000 : t0, async () => {
            const first = await complete(applicant, prerequisiteId);
            expect(first.status).toBe(200);
            expect(first.body.duplicate).toBe(false);
            if (applicant.behaviour === 'all-twice') {
              const again = await complete(applicant, prerequisiteId);
              expect(again.status).toBe(200);
              expect(again.body.duplicate).toBe(true);
            }
          });
        }
      }
      await runTimeline(clock, timeline, { concurrency: 16 });
      await clock.skipTo(t0 + 12 * DAYS + 60 * 60 * 1000);
      for (const applicant of applicants) {
        const status = await system.call('GET', `/applications/${applicant.applicationId}`);
        expect(status.body.stage).toBe('in_review');
        expect(status.body.prerequisites.done.sort()).toEqual([...applicant.completes].sort());
      }

      // Past the close of the review window, before the selection deadline.
      await system.env.sleep(3 * DAYS);
      for (const applicant of applicants) {
        const accepted = applicant.completes.length === PREREQUISITES.length;
        const expectedStage = accepted ? 'awaiting_selection' : 'not_accepted';
        const missing = PREREQUISITES.filter((p) => !applicant.completes.includes(p.id));

        const readModel = await system.call('GET', `/applications/${applicant.applicationId}`);
        expect(readModel.body).toMatchObject({
          stage: expectedStage,
          prerequisites: { open: missing.map((p) => p.id) },
          reviewClosesAt: new Date(Date.parse(program.applicationsCloseAt) + 14 * DAYS).toISOString(),
        });
        if (!accepted) expect(readModel.body.outcomeReason).toContain(missing[0]!.id);

        const handle = system.env.client.workflow.getHandle(menteeWorkflowId(applicant.applicationId!));
        expect((await handle.query(statusQuery)).stage).toBe(expectedStage);
        expect((await handle.describe()).typedSearchAttributes.get(MenteeStageKey)).toBe(expectedStage);

        const late = await complete(applicant, PREREQUISITES[0]!.id);
        expect(late.status).toBe(409);
        expect(late.body.detail).toMatch(/review window closed|is closed/);
      }
    });

    // Exactly the emails each applicant should get, each once.
    const received = system.resend.emails();
    const kindsOf = (email: string) =>
      received
        .filter((e) => e.to.includes(email))
        .map((e) => e.tags?.find((t) => t.name === 'kind')?.value)
        .sort();
    for (const applicant of applicants) {
      const accepted = applicant.completes.length === PREREQUISITES.length;
      const expected = accepted
        ? applicant.behaviour === 'all-late'
          ? ['application-received', 'review-reminder']
          : ['application-received']
        : ['application-received', 'not-accepted', 'review-reminder'];
      expect(kindsOf(applicant.email), `${applicant.menteeId} (${applicant.behaviour})`).toEqual(expected);

      const notAccepted = received.find(
        (e) => e.to.includes(applicant.email) && e.subject.includes('was not accepted'),
      );
      for (const prerequisite of PREREQUISITES) {
        if (!notAccepted) break;
        const listed = notAccepted.text?.includes(prerequisite.title) ?? false;
        expect(listed, `${prerequisite.id} listed as missing for ${applicant.menteeId}`).toBe(
          !applicant.completes.includes(prerequisite.id),
        );
      }
    }
    const expectedTotal = applicants.reduce(
      (sum, a) => sum + (a.completes.length === 3 ? (a.behaviour === 'all-late' ? 2 : 1) : 3),
      0,
    );
    expect(received).toHaveLength(expectedTotal);
    expect(new Set(received.map((e) => e.idempotencyKey)).size).toBe(expectedTotal);
    const [row] = await system.sql<
      { count: number }[]
    >`SELECT count(*)::int AS count FROM emails WHERE provider = 'resend'`;
    expect(row?.count).toBe(expectedTotal);

    const stages =
      await system.sql`SELECT stage, count(*)::int AS count FROM applications GROUP BY stage ORDER BY stage`;
    expect(stages.map((r) => [r.stage, r.count])).toEqual([
      ['awaiting_selection', 16],
      ['not_accepted', 8],
    ]);
  });
});
