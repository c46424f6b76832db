/**
 * A whole term driven through the HTTP API as frontends drive it, each request to an API process picked at random
 * and retried (on any live one) with its Idempotency-Key until it is answered: people apply to one or two programs
 * of a term, hand in a task that a mentor reviews (some sent back once), programs select the same people at the
 * same instant (one acceptance each, slots never exceeded), admins onboard, mentors evaluate, admins approve each
 * earned installment, some mentees fail or withdraw, and the programs decline whoever was not selected. A real
 * clock cannot wait out a review window of 14 days, so `compress` shortens each program's pinned rules before the
 * first application (the chaos experiment's schedule). The report lists every promise broken.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Principal } from '../api/auth.js';
import { streamFor } from '../simulator/random.js';
import { bearer } from '../test/support/auth.js';
import { programFixture } from '../test/support/programs.js';

export type TermPhase = 'applying' | 'selecting' | 'evaluating';

export interface ApiTermOptions {
  /** The API to send this attempt to: a live one (a retry may go to another). */
  pick: () => string;
  prefix: string;
  people: number;
  programs: number;
  /** Each program's slots: fewer than its applicants, so selections are also refused for capacity. */
  slots: number;
  seed: number;
  /** Shortens a program's pinned rules so the term runs in minutes (written to the programs table). */
  compress: (programId: string, reviewClosesInMs: number) => Promise<void>;
  /** Called as the term enters each phase, and after each answered request with how many were answered. */
  onProgress?: (phase: TermPhase, answered: number) => void;
  log?: (line: string) => void;
}

type Who = Omit<Principal, 'programs'> & { programs?: string[] };
interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, checked where read
  body: any;
}

/** What became of one application, as the driver meant it and as the API answered. */
export interface TermApplication {
  person: string;
  programId: string;
  applicationId: string;
  /** The selection's answer: 200 selected, 409 refused (conflict or capacity), 0 not tried. */
  selection: number;
  path: 'completes' | 'fails-evaluation-3' | 'withdraws-after-evaluation-2';
}

export interface ApiTermResult {
  termId: string;
  programs: string[];
  applications: TermApplication[];
  /** Requests answered, and attempts retried (no connection, 5xx, in flight). */
  requests: { answered: number; retried: number };
  refusals: Record<string, number>;
}

const RETRY_DELAY_MS = 200;
const NOT_YET_PATIENCE_MS = 120_000;
const ONBOARDING = ['contract', 'tax-form', 'payment-details'];
const PROGRESS = ['project-plan', 'starter-docs', 'milestone-1', 'milestone-2'];
const RATINGS = (r: number) => ({ tasksAndMilestones: r, engagement: r, progressAgainstPlan: r });

export async function driveTermThroughApis(options: ApiTermOptions): Promise<ApiTermResult> {
  const log = options.log ?? (() => {});
  const requests = { answered: 0, retried: 0 };
  const refusals: Record<string, number> = {};
  let phase: TermPhase = 'applying';
  let keys = 0;

  /** One request, retried on any live API with the same key until answered; a 4xx is an answer. */
  async function call(who: Who, method: string, path: string, body?: unknown): Promise<Answer> {
    const key = `${options.prefix}-${keys++}`;
    const headers = {
      ...(await bearer(who)),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'POST' ? { 'idempotency-key': key } : {}),
    };
    for (;;) {
      try {
        const response = await fetch(`${options.pick()}${path}`, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(60_000),
        });
        const text = await response.text();
        const answer = { status: response.status, body: text ? JSON.parse(text) : undefined };
        const inFlight = answer.status === 409 && answer.body?.type?.endsWith(':idempotency-key-in-flight');
        if (!inFlight && answer.status < 500) {
          requests.answered++;
          options.onProgress?.(phase, requests.answered);
          return answer;
        }
      } catch {
        // the API died mid-request or is gone: the next attempt goes to a live one
      }
      requests.retried++;
      await sleep(RETRY_DELAY_MS);
    }
  }
  const expectOk = (answer: Answer, what: string): Answer => {
    if (answer.status >= 300) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  };
  /** A message the lifecycle may not be ready for yet (409 wrong stage): asked again until it is. */
  async function whenReady(who: Who, path: string, body: unknown): Promise<Answer> {
    for (const deadline = Date.now() + NOT_YET_PATIENCE_MS; ; ) {
      const answer = await call(who, 'POST', path, body);
      if (answer.status !== 409 || Date.now() > deadline) return expectOk(answer, path);
      await sleep(500);
    }
  }

  // the term and its programs, created by ops through the API
  const ops: Who = { userId: `${options.prefix}-ops`, role: 'ops' };
  const termId = `${options.prefix}-term`;
  expectOk(
    await call(ops, 'POST', '/terms', { id: termId, organization: `Org ${options.prefix}`, name: 'Term' }),
    'term',
  );
  const programs: string[] = [];
  for (let p = 0; p < options.programs; p++) {
    const program = {
      ...programFixture(Date.now(), { id: `${options.prefix}-p${p}`, name: `Program ${p}`, termId }),
      slots: options.slots,
      stipendApproval: { mode: 'admin', remindAfterDays: 3, alertOpsAfterDays: 7 },
      prerequisites: [
        { id: 'pr', title: 'A first pull request', kind: 'link', review: true },
        { id: 'call', title: 'Attend the intro call' },
      ],
    };
    expectOk(await call(ops, 'POST', '/programs', program), `program ${program.id}`);
    programs.push(program.id);
  }
  const reviewClosesInMs = 60_000 + options.people * 1_000;
  for (const id of programs) await options.compress(id, reviewClosesInMs);
  const reviewClosesAt = Date.now() + reviewClosesInMs;
  const admin = (programId: string): Who => ({
    userId: `${programId}-admin`,
    role: 'admin',
    programs: [programId],
  });
  const mentorOf = (a: TermApplication): Who => ({
    userId: `mentor-${a.person}-${a.programId}`,
    role: 'mentor',
    programs: [a.programId],
  });

  // each person applies to one or two programs of the term, and hands in the task; half are sent back once
  const applications: TermApplication[] = [];
  const people = Array.from({ length: options.people }, (_, i) => `${options.prefix}-person-${i}`);
  await Promise.all(
    people.map(async (person, i) => {
      const stream = streamFor(options.seed, 1, i);
      await sleep(stream.next() * 5_000);
      const first = i % programs.length;
      const mine = stream.next() < 0.5 ? [first, (first + 1) % programs.length] : [first];
      const path = stream.pick({
        completes: 0.7,
        'fails-evaluation-3': 0.15,
        'withdraws-after-evaluation-2': 0.15,
      }) as TermApplication['path'];
      const me: Who = { userId: person, role: 'mentee' };
      await Promise.all(
        mine.map(async (p) => {
          const programId = programs[p]!;
          const applied = expectOk(
            await call(me, 'POST', `/programs/${programId}/applications`, {
              mentee: { name: `Applicant ${i}`, email: `${person}@example.org`, country: 'DE' },
            }),
            `${person} applies to ${programId}`,
          );
          const a: TermApplication = {
            person,
            programId,
            applicationId: applied.body.id,
            selection: 0,
            path,
          };
          applications.push(a);
          const id = a.applicationId;
          const handIn = (n: number) =>
            call(me, 'POST', `/applications/${id}/tasks/pr/submission`, {
              url: `https://github.com/org/repo/pull/${i * 10 + n}`,
            }).then((r) => expectOk(r, `${person} hands in the task`));
          await handIn(1);
          if (stream.next() < 0.5) {
            expectOk(
              await call(mentorOf(a), 'POST', `/applications/${id}/tasks/pr/review`, {
                decision: 'request-changes',
                comment: 'Please add a test',
              }),
              'send back',
            );
            await handIn(2);
          }
          expectOk(
            await call(mentorOf(a), 'POST', `/applications/${id}/tasks/pr/review`, { decision: 'accept' }),
            'accept the task',
          );
          expectOk(await call(me, 'POST', `/applications/${id}/prerequisites/call/complete`), 'intro call');
        }),
      );
    }),
  );
  log(
    `${applications.length} applications from ${people.length} people; review closes in ${Math.round((reviewClosesAt - Date.now()) / 1000)} s`,
  );
  await sleep(Math.max(0, reviewClosesAt - Date.now() + 2_000));

  // every program selects its applicants at once, people applying twice selected by both at the same instant
  phase = 'selecting';
  const byPerson = new Map<string, TermApplication[]>();
  for (const a of applications) byPerson.set(a.person, [...(byPerson.get(a.person) ?? []), a]);
  await Promise.all(
    [...byPerson.values()].map((mine) =>
      Promise.all(
        mine.map(async (a) => {
          const answer = await whenReadyOr409(a);
          a.selection = answer.status;
          if (answer.status === 409) {
            const rule = String(answer.body?.type).replace(/^.*:/, '');
            refusals[rule] = (refusals[rule] ?? 0) + 1;
          }
        }),
      ),
    ),
  );
  async function whenReadyOr409(a: TermApplication): Promise<Answer> {
    // refused for a conflict or capacity is an answer; refused because review has not closed is asked again
    for (const deadline = Date.now() + NOT_YET_PATIENCE_MS; ; ) {
      const answer = await call(admin(a.programId), 'POST', `/applications/${a.applicationId}/selection`, {
        decision: 'select',
        mentor: { id: mentorOf(a).userId, name: 'A Mentor', email: `${mentorOf(a).userId}@example.org` },
        projectTitle: 'Faster builds',
      });
      const notYet = answer.status === 409 && /wrong-stage|not-yet|stage/.test(String(answer.body?.type));
      if (!notYet || Date.now() > deadline) {
        if (answer.status !== 200 && answer.status !== 409)
          throw new Error(`selection: ${answer.status} ${JSON.stringify(answer.body)}`);
        return answer;
      }
      await sleep(500);
    }
  }
  // whoever was not selected is declined, program by program
  for (const programId of programs) {
    expectOk(
      await call(admin(programId), 'POST', `/programs/${programId}/decline-pending`, {
        reason: 'All slots are filled for this term',
      }),
      `decline pending of ${programId}`,
    );
  }

  // the selected: onboarding, the plan, four evaluations, an approval per earned installment
  phase = 'evaluating';
  const selected = applications.filter((a) => a.selection === 200);
  await Promise.all(
    selected.map(async (a) => {
      const id = a.applicationId;
      const me: Who = { userId: a.person, role: 'mentee' };
      for (const step of ONBOARDING)
        await whenReady(admin(a.programId), `/applications/${id}/onboarding/${step}/complete`, undefined);
      for (const item of PROGRESS)
        await whenReady(me, `/applications/${id}/progress/${item}/complete`, undefined);
      await whenReady(me, `/applications/${id}/feedback-survey`, { rating: 5, comments: 'Thanks' });
      for (const n of [1, 2, 3, 4]) {
        const outcome = a.path === 'fails-evaluation-3' && n === 3 ? 'fail' : 'pass';
        await whenReady(mentorOf(a), `/applications/${id}/evaluations/${n}`, {
          ratings: RATINGS(outcome === 'pass' ? 4 : 1),
          comments: `Evaluation ${n}`,
          outcome,
        });
        if (outcome === 'fail') return;
        if (n === 2 || n === 4) {
          await whenReady(admin(a.programId), `/applications/${id}/stipend/${n / 2}/approval`, {
            decision: 'approve',
          });
        }
        if (n === 2 && a.path === 'withdraws-after-evaluation-2') {
          await whenReady(me, `/applications/${id}/withdraw`, { reason: 'A full-time job' });
          return;
        }
      }
    }),
  );
  return { termId, programs, applications, requests, refusals };
}

/** What each application must end as, by the selection's answer and the path its person took. */
export function expectedEnd(a: TermApplication): {
  stage: string;
  paidInstallments: number[];
  letter: boolean;
} {
  if (a.selection !== 200) return { stage: 'declined', paidInstallments: [], letter: false };
  if (a.path === 'fails-evaluation-3') return { stage: 'terminated', paidInstallments: [1], letter: false };
  if (a.path === 'withdraws-after-evaluation-2')
    return { stage: 'withdrawn', paidInstallments: [1], letter: false };
  return { stage: 'completed', paidInstallments: [1, 2], letter: true };
}
