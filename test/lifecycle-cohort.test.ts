import { mkdir, writeFile } from 'node:fs/promises';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { statusQuery } from '../domain/messages.js';
import { MenteeStageKey } from '../domain/search-attributes.js';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import { PersonalTexts } from '../privacy/personal-texts.js';
import { runTimeline, SimulatedClock, type TimelineStep } from '../simulator/engine.js';
import { seededRandom, shuffle } from './support/cohort.js';
import { driver } from './support/drive.js';
import { TEST_KEYRING } from './support/keyring.js';
import { DAYS, HOURS, PREREQUISITES, programFixture, SCHEDULE } from './support/programs.js';
import { type ApiResponse, startTestSystem, type TestSystem } from './support/system.js';

type Path =
  | 'completes'
  | 'extended'
  | 'not-accepted'
  | 'declined'
  | 'not-selected'
  | 'offer-lapses'
  | 'fails-eval-1'
  | 'fails-eval-2'
  | 'fails-final'
  | 'misses-eval-2'
  | 'withdraws';

const POPULATION: [Path, number][] = [
  ['completes', 20],
  ['extended', 2],
  ['not-accepted', 4],
  ['declined', 3],
  ['not-selected', 3],
  ['offer-lapses', 3],
  ['fails-eval-1', 3],
  ['fails-eval-2', 3],
  ['fails-final', 3],
  ['misses-eval-2', 3],
  ['withdraws', 3],
];

interface Mentee {
  index: number;
  path: Path;
  country: 'IN' | 'DE';
  applicationId: string;
}

/** What each path must end as: stage, emails by `<key>/<recipient>`, ledger installments. */
function expected(path: Path): { stage: string; emails: string[]; installments: number[] } {
  const received = 'application-received/mentee';
  const onboarded = [received, 'selected/mentee', 'onboarding-complete/mentee'];
  const ended = ['mentorship-ended/mentee', 'mentorship-ended/mentor', 'mentorship-ended/admin'];
  const paid = (n: number) => `installment-paid-${n}/mentee`;
  switch (path) {
    case 'completes':
      return {
        stage: 'completed',
        emails: [...onboarded, paid(1), paid(2), 'letter-of-completion/mentee'],
        installments: [1, 2],
      };
    case 'extended':
      return {
        stage: 'completed',
        emails: [
          ...onboarded,
          'term-extended-1/mentee',
          'term-extended-1/mentor',
          paid(1),
          paid(2),
          'letter-of-completion/mentee',
        ],
        installments: [1, 2],
      };
    case 'not-accepted':
      return {
        stage: 'not_accepted',
        emails: [received, 'review-reminder/mentee', 'not-accepted/mentee'],
        installments: [],
      };
    case 'declined':
      return { stage: 'declined', emails: [received, 'declined/mentee'], installments: [] };
    case 'not-selected':
      return { stage: 'not_selected', emails: [received, 'not-selected/mentee'], installments: [] };
    case 'offer-lapses':
      return {
        stage: 'offer_lapsed',
        emails: [received, 'selected/mentee', 'offer-lapsed/mentee', 'offer-lapsed/admin'],
        installments: [],
      };
    case 'fails-eval-1':
    case 'fails-eval-2':
    case 'withdraws':
      return {
        stage: path === 'withdraws' ? 'withdrawn' : 'terminated',
        emails: [...onboarded, ...ended],
        installments: [],
      };
    case 'fails-final':
      return { stage: 'terminated', emails: [...onboarded, paid(1), ...ended], installments: [1] };
    case 'misses-eval-2':
      return {
        stage: 'terminated',
        emails: [...onboarded, 'evaluation-reminder-2/mentor', 'evaluation-overdue-2/admin', ...ended],
        installments: [],
      };
  }
}

const failsAt = (path: Path): number | null =>
  ({ 'fails-eval-1': 1, 'fails-eval-2': 2, 'fails-final': 4 })[path as string] ?? null;
const isActive = (path: Path) => !['not-accepted', 'declined', 'not-selected', 'offer-lapses'].includes(path);

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(() => system?.stop());

describe('a seeded cohort of 50 mentees through a full 12-week program', () => {
  it('ends every mentee right, pays each installment once, and emails exactly what the rules say', {
    timeout: 600_000,
  }, async () => {
    const random = seededRandom(12);
    const paths = shuffle(
      POPULATION.flatMap(([path, count]) => Array.from({ length: count }, () => path)),
      random,
    );
    const mentees: Mentee[] = [];
    const t0 = await system.env.currentTimeMs();
    const program = programFixture(t0);
    const closes = Date.parse(program.applicationsCloseAt);
    const dueAt = (n: number, mentee: Mentee) =>
      closes + SCHEDULE.evaluations[n - 1]! + (mentee.path === 'extended' ? 14 * DAYS : 0);
    const submittedAt = new Map<string, number>();

    const { call, skipTo } = driver(system);
    const app = (m: Mentee) => `/applications/${m.applicationId}`;
    const evaluate = (n: number) => async (m: Mentee) => {
      const outcome = failsAt(m.path) === n ? 'fail' : 'pass';
      await call('POST', `${app(m)}/evaluations/${n}`, {
        mentorId: `mentor-${m.index}`,
        ratings: { tasksAndMilestones: 4, engagement: 5, progressAgainstPlan: outcome === 'pass' ? 4 : 1 },
        comments: outcome === 'pass' ? 'Steady progress.' : 'No progress against the plan.',
        outcome,
      });
      submittedAt.set(`${m.applicationId}/${n}`, await system.env.currentTimeMs());
    };
    const stillEvaluated = (n: number) => (m: Mentee) =>
      isActive(m.path) &&
      !(m.path === 'withdraws' && n >= 2) &&
      !(m.path === 'misses-eval-2' && n >= 2) &&
      (failsAt(m.path) ?? 5) >= n;

    // When a mentee who leaves early stops being active.
    const leavesAt = (m: Mentee): number => {
      const fails = failsAt(m.path);
      if (fails) return dueAt(fails, m) - 3 * DAYS;
      if (m.path === 'withdraws') return closes + SCHEDULE.termStartsAt + 5 * 7 * DAYS;
      if (m.path === 'misses-eval-2') return dueAt(2, m) + 3 * DAYS;
      return Number.POSITIVE_INFINITY;
    };

    // One timeline through the simulator's engine: each mentee's steps in order, mentees 16 at a time.
    const timeline: TimelineStep[] = [];
    const step = (at: number, m: Mentee, run: () => Promise<unknown>) =>
      timeline.push({ at, chain: `mentee-${m.index}`, run });
    const cohort: Mentee[] = paths.map((path, index) => ({
      index,
      path,
      country: random() < 0.3 ? 'IN' : 'DE',
      applicationId: '',
    }));

    // Apply; everyone but the not-accepted completes every prerequisite at once.
    const applyAt = t0 + HOURS;
    for (const m of cohort) {
      step(applyAt, m, async () => {
        const response = await call(
          'POST',
          `/programs/${program.id}/applications`,
          {
            mentee: {
              id: `mentee-${m.index}`,
              name: `Mentee ${m.index}`,
              email: `mentee-${m.index}@example.org`,
              country: m.country,
            },
          },
          201,
        );
        m.applicationId = response.body.id;
        mentees.push(m);
      });
      const done = m.path === 'not-accepted' ? PREREQUISITES.slice(0, 1) : PREREQUISITES;
      for (const p of done) step(applyAt, m, () => call('POST', `${app(m)}/prerequisites/${p.id}/complete`));
    }

    // Selection, with a phone call recorded for some.
    const selectAt = closes + SCHEDULE.reviewClosesAt + HOURS;
    for (const m of cohort.filter((x) => x.path === 'declined')) {
      step(selectAt, m, () =>
        call('POST', `${app(m)}/selection`, { decision: 'decline', reason: 'Other applicants fit better.' }),
      );
    }
    for (const m of cohort.filter((x) => isActive(x.path) || x.path === 'offer-lapses')) {
      step(selectAt, m, async () => {
        const selected = await call('POST', `${app(m)}/selection`, {
          decision: 'select',
          mentor: {
            id: `mentor-${m.index}`,
            name: `Mentor ${m.index}`,
            email: `mentor-${m.index}@example.org`,
          },
          projectTitle: `Project ${m.index}`,
        });
        expect(selected.body.application.stage).toBe('onboarding');
        if (m.index % 5 === 0)
          await call('POST', `${app(m)}/phone-calls`, { note: 'Told them the good news.' });
      });
    }

    // Onboarding: the lapsing ones sign the contract only.
    for (const m of cohort.filter((x) => isActive(x.path) || x.path === 'offer-lapses')) {
      step(closes + SCHEDULE.selectionDeadline + HOURS, m, async () => {
        const steps = m.path === 'offer-lapses' ? ['contract'] : ['contract', 'tax-form', 'payment-details'];
        let last: ApiResponse | undefined;
        for (const s of steps) last = await call('POST', `${app(m)}/onboarding/${s}/complete`);
        expect(last!.body.application.stage).toBe(m.path === 'offer-lapses' ? 'onboarding' : 'active');
      });
    }

    // Term starts; the extended ones get two more weeks; everyone agrees a plan and does a starter task.
    const termStart = closes + SCHEDULE.termStartsAt + 2 * DAYS;
    for (const m of cohort.filter((x) => x.path === 'extended')) {
      step(termStart, m, async () => {
        const extended = await call('POST', `${app(m)}/extensions`, { days: 14, reason: 'Medical leave' });
        expect(extended.body.application.evaluations[0].dueAt).toBe(new Date(dueAt(1, m)).toISOString());
      });
    }
    for (const m of cohort.filter((x) => isActive(x.path))) {
      step(termStart, m, async () => {
        await call('POST', `${app(m)}/progress/project-plan/complete`);
        await call('POST', `${app(m)}/progress/starter-docs/complete`);
      });
    }

    // Evaluations, three days before each due date (the extended ones on their own dates).
    for (const n of [1, 2, 3, 4]) {
      for (const m of cohort.filter(stillEvaluated(n))) step(dueAt(n, m) - 3 * DAYS, m, () => evaluate(n)(m));
    }
    for (const m of cohort.filter((x) => isActive(x.path))) {
      for (const [itemId, week] of [
        ['milestone-1', 7],
        ['milestone-2', 11],
      ] as const) {
        const at = closes + SCHEDULE.termStartsAt + week * 7 * DAYS;
        step(at, m, () =>
          call('POST', `${app(m)}/progress/${itemId}/complete`, undefined, at < leavesAt(m) ? 200 : 409),
        );
      }
      if (m.path === 'withdraws') {
        step(closes + SCHEDULE.termStartsAt + 5 * 7 * DAYS, m, () =>
          call('POST', `${app(m)}/withdraw`, { reason: 'Took a full-time job' }),
        );
      }
      step(dueAt(4, m) + DAYS, m, async () => {
        const response = await system.call('POST', `${app(m)}/feedback-survey`, {
          rating: 5,
          comments: 'Great mentor',
        });
        // those who already left can no longer answer the survey
        expect(response.status).toBe(['completes', 'extended'].includes(m.path) ? 200 : 409);
      });
    }

    const started = performance.now();
    const worker = await system.newWorker();
    const clock = new SimulatedClock(system.env);
    await worker.runUntil(async () => {
      await call('POST', '/programs', program, 201);
      await runTimeline(clock, timeline, { concurrency: 16 });
      mentees.sort((a, b) => a.index - b.index);
      await skipTo(closes + SCHEDULE.termEndsAt + (SCHEDULE.completionGraceDays + 15) * DAYS);

      for (const m of mentees) {
        const outcome = await system.env.client.workflow
          .getHandle(menteeWorkflowId(m.applicationId))
          .result();
        expect(outcome.stage, `${m.index} (${m.path})`).toBe(expected(m.path).stage);
      }

      const seconds = (performance.now() - started) / 1000;
      console.log(
        `cohort simulation: ${mentees.length} mentees in ${seconds.toFixed(1)} s, ${(mentees.length / seconds).toFixed(2)} mentees/s`,
      );

      // Queries need a running worker, so the three views are compared before it stops.
      // Final stage: the workflow's answer, the read model and the search attribute agree.
      for (const m of mentees) {
        const want = expected(m.path);
        const handle = system.env.client.workflow.getHandle(menteeWorkflowId(m.applicationId));
        const [status, description, readModel] = await Promise.all([
          handle.query(statusQuery),
          handle.describe(),
          call('GET', app(m)),
        ]);
        expect(status.stage, `${m.index} (${m.path})`).toBe(want.stage);
        expect(readModel.body.stage).toBe(want.stage);
        // the workflow keeps free text sealed with the mentee's key; the read model shows it opened
        expect(readModel.body.decisions).toEqual(
          (await new PersonalTexts(system.sql, TEST_KEYRING).open(status)).decisions,
        );
        expect(description.typedSearchAttributes.get(MenteeStageKey)).toBe(want.stage);
      }
    });

    // The ledger: exactly the installments each path earns, of the right amount, released on the evaluation's date.
    const ledger = await system.sql<
      { applicationId: string; installment: number; amountCents: string; status: string; approvedAt: Date }[]
    >`SELECT application_id AS "applicationId", installment, amount_cents AS "amountCents", status, approved_at AS "approvedAt"
      FROM stipend_payments`;
    for (const m of mentees) {
      const rows = ledger
        .filter((r) => r.applicationId === m.applicationId)
        .sort((a, b) => a.installment - b.installment);
      expect(
        rows.map((r) => r.installment),
        `${m.index} (${m.path})`,
      ).toEqual(expected(m.path).installments);
      for (const row of rows) {
        expect(row.status).toBe('paid');
        expect(Number(row.amountCents)).toBe(m.country === 'IN' ? 180_000 : 300_000);
        const evaluation = row.installment === 1 ? 2 : 4;
        const submitted = submittedAt.get(`${m.applicationId}/${evaluation}`)!;
        expect(Math.abs(row.approvedAt.getTime() - submitted)).toBeLessThan(HOURS);
        expect(Math.abs(row.approvedAt.getTime() - (dueAt(evaluation, m) - 3 * DAYS))).toBeLessThan(HOURS);
      }
    }
    // ...and the provider holds one payout per ledger row, each asked for once.
    const payouts = system.payments.payouts();
    expect(payouts).toHaveLength(ledger.length);
    expect(new Set(payouts.map((p) => p.idempotencyKey)).size).toBe(ledger.length);
    expect(payouts.every((p) => p.calls === 1)).toBe(true);

    // Emails: exactly the set each path earns, each once.
    const emails = system.resend.emails();
    expect(new Set(emails.map((e) => e.idempotencyKey)).size).toBe(emails.length);
    for (const m of mentees) {
      const prefix = `${menteeWorkflowId(m.applicationId)}/`;
      const got = emails
        .filter((e) => e.idempotencyKey?.startsWith(prefix))
        .map((e) => e.idempotencyKey!.slice(prefix.length));
      expect(got.sort(), `${m.index} (${m.path})`).toEqual([...expected(m.path).emails].sort());
    }
    const total = mentees.reduce((sum, m) => sum + expected(m.path).emails.length, 0);
    expect(emails).toHaveLength(total);

    // Certificates: for the completed ones only, verifiable by code.
    const certificates = await system.sql<{ applicationId: string; code: string }[]>`
      SELECT application_id AS "applicationId", verification_code AS code FROM certificates`;
    const completed = mentees.filter((m) => expected(m.path).stage === 'completed');
    expect(certificates.map((c) => c.applicationId).sort()).toEqual(
      completed.map((m) => m.applicationId).sort(),
    );
    const verified = await call('GET', `/certificates/${certificates[0]!.code}`);
    expect(verified.body).toMatchObject({ valid: true, programName: 'LFX Mentorship' });

    // Determinism: every recorded history replays against today's workflow code.
    const histories = await Promise.all(
      mentees.map(async (m) => ({
        workflowId: menteeWorkflowId(m.applicationId),
        history: await system.env.client.workflow.getHandle(menteeWorkflowId(m.applicationId)).fetchHistory(),
      })),
    );
    const replays = Worker.runReplayHistories(
      { workflowBundle: system.workflowBundle, dataConverter: encryptedDataConverter(TEST_KEYRING) },
      histories,
    );
    let replayed = 0;
    for await (const result of replays) {
      expect(result.error, result.workflowId).toBeUndefined();
      replayed++;
    }
    expect(replayed).toBe(mentees.length);

    const eventsPerCompleted = histories
      .filter((h) => completed.some((m) => menteeWorkflowId(m.applicationId) === h.workflowId))
      .map((h) => h.history.events?.length ?? 0);
    console.log(
      `events per completed mentee: min ${Math.min(...eventsPerCompleted)} max ${Math.max(...eventsPerCompleted)}`,
    );
    expect(Math.max(...eventsPerCompleted)).toBeLessThan(400);

    // RECORD_HISTORIES=<release> [RECORD_HISTORY_PATHS=completes,...]: adds `<path>@<release>.json` beside the
    // frozen histories (test/replay.test.ts); an existing file is never overwritten ('wx' fails instead)
    const release = process.env.RECORD_HISTORIES;
    if (release) {
      if (!/^\d+\.\d+(\.\d+)?$/.test(release)) throw new Error('RECORD_HISTORIES names a release, e.g. 1.1');
      const only = process.env.RECORD_HISTORY_PATHS?.split(',');
      await mkdir('test/histories', { recursive: true });
      for (const path of new Set(mentees.map((m) => m.path))) {
        if (only && !only.includes(path)) continue;
        const m = mentees.find((x) => x.path === path)!;
        const { history } = histories.find((h) => h.workflowId === menteeWorkflowId(m.applicationId))!;
        const { History } = temporal.api.history.v1;
        const json = History.toObject(History.fromObject(history), {
          longs: String,
          enums: String,
          bytes: String,
        });
        await writeFile(`test/histories/${path}@${release}.json`, JSON.stringify(json), { flag: 'wx' });
      }
    }
  });
});
