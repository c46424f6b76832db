/**
 * Races on the applicant side, run many times and counted: two reviewers deciding one task at once (one decides,
 * the other finds it decided), two edits of one draft with the same version (exactly one wins), and "select the
 * top N" of one program racing a selection of the same person by another program (one acceptance in the term).
 */
import { describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { statusQuery } from '../domain/messages.js';
import { bearer } from './support/auth.js';
import { programFixture } from './support/programs.js';
import { testSystemForFile } from './support/system.js';

const system = testSystemForFile();
const ROUNDS = 25;

type Who = Parameters<typeof bearer>[0];
const as = async (
  who: Who,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => system.call(method, path, body, { ...(await bearer(who)), ...headers });
const ops: Who = { userId: 'ops-1', role: 'ops' };
const mentorOf = (id: string) => ({ id, name: `Mentor ${id}`, email: `${id}@example.org` });
const statuses = (responses: { status: number }[]) => responses.map((r) => r.status).sort();

describe('races on applications, each run many times', () => {
  it('two reviewers deciding one task: one decides, the other gets 409; the workflow hears it once', async () => {
    const now = await system.env.currentTimeMs();
    const program = {
      ...programFixture(now, { id: `race-review-${now % 1_000_000}` }),
      prerequisites: [{ id: 'pr', title: 'A pull request', kind: 'link', review: true }],
    };
    expect((await as(ops, 'POST', '/programs', program)).status).toBe(201);
    const reviewers: [Who, Who] = [
      { userId: 'rev-a', role: 'mentor', programs: [program.id] },
      { userId: 'rev-b', role: 'mentor', programs: [program.id] },
    ];
    const outcomes: number[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const me: Who = { userId: `race-r-${round}`, role: 'mentee' };
      const applied = await as(me, 'POST', `/programs/${program.id}/applications`, {
        mentee: { name: 'Racer', email: 'racer@example.org' },
      });
      const id = applied.body.id as string;
      expect(
        (await as(me, 'POST', `/applications/${id}/tasks/pr/submission`, { url: 'https://x.org/pr/1' }))
          .status,
      ).toBe(200);
      // one accepts while the other sends it back
      const decided = await Promise.all([
        as(reviewers[0], 'POST', `/applications/${id}/tasks/pr/review`, { decision: 'accept' }),
        as(reviewers[1], 'POST', `/applications/${id}/tasks/pr/review`, {
          decision: 'request-changes',
          comment: 'No',
        }),
      ]);
      outcomes.push(statuses(decided));
      const winner = decided.find((d) => d.status === 200)!;
      const [row] =
        await system.sql`SELECT state, reviewed_by FROM task_submissions WHERE application_id = ${id}`;
      expect(row!.state).toBe(winner.body.state === 'accepted' ? 'accepted' : 'changes_requested');
      const status = await as(ops, 'GET', `/applications/${id}`);
      expect(status.body.prerequisites.done).toEqual(winner.body.state === 'accepted' ? ['pr'] : []);
    }
    expect(outcomes).toEqual(Array.from({ length: ROUNDS }, () => [200, 409]));
  });

  it('two edits of one draft with the same version: exactly one wins, the other is a 412', async () => {
    const now = await system.env.currentTimeMs();
    const program = {
      ...programFixture(now, { id: `race-edit-${now % 1_000_000}` }),
      questions: [{ id: 'why', prompt: 'Why?', kind: 'short-text' }],
    };
    expect((await as(ops, 'POST', '/programs', program)).status).toBe(201);
    const me: Who = { userId: 'race-editor', role: 'mentee' };
    const applied = await as(me, 'POST', `/programs/${program.id}/applications`, {
      mentee: { name: 'Editor', email: 'editor@example.org' },
    });
    const id = applied.body.id as string;
    const outcomes: number[][] = [];
    for (let round = 0; round < ROUNDS * 2; round++) {
      const { body: read } = await as(me, 'GET', `/applications/${id}/content`);
      const edits = await Promise.all(
        ['left', 'right'].map((side) =>
          as(
            me,
            'PATCH',
            `/applications/${id}/content`,
            { answers: { why: `${side} ${round}` } },
            {
              'if-match': `"${read.version}"`,
            },
          ),
        ),
      );
      outcomes.push(statuses(edits));
      const winner = edits.find((e) => e.status === 200)!;
      const { body: after } = await as(me, 'GET', `/applications/${id}/content`);
      expect(after.version).toBe(read.version + 1);
      expect(after.answers).toEqual(winner.body.answers);
    }
    expect(outcomes).toEqual(Array.from({ length: ROUNDS * 2 }, () => [200, 412]));
  });

  it('select-top racing another program selecting the same people: one acceptance each, every race decided once', {
    timeout: 300_000,
  }, async () => {
    const now = await system.env.currentTimeMs();
    const termId = `race-term-${now % 1_000_000}`;
    expect(
      (await as(ops, 'POST', '/terms', { id: termId, organization: 'Race', name: 'Race', maxAcceptances: 1 }))
        .status,
    ).toBe(201);
    const programOf = (key: string, mentor: string) => ({
      ...programFixture(now, { id: `${termId}-${key}`, termId }),
      projects: [{ id: 'p', title: `Project ${key}`, mentors: [mentorOf(mentor)] }],
      prerequisites: [],
    });
    const A = programOf('a', 'ma');
    const B = programOf('b', 'mb');
    for (const program of [A, B]) expect((await as(ops, 'POST', '/programs', program)).status).toBe(201);
    const people = Array.from({ length: ROUNDS }, (_, i) => `race-p-${i}`);
    const ids: Record<string, { a: string; b: string }> = {};
    for (const p of people) {
      const me: Who = { userId: p, role: 'mentee' };
      const apply = async (program: { id: string }) =>
        (
          await as(me, 'POST', `/programs/${program.id}/applications`, {
            mentee: { name: p, email: `${p}@example.org` },
            projectIds: ['p'],
            submit: true,
          })
        ).body.id as string;
      ids[p] = { a: await apply(A), b: await apply(B) };
    }
    await system.skipTo(Date.parse(A.applicationsCloseAt) + 14 * 24 * 60 * 60 * 1000 + 60 * 60 * 1000);
    const adminA: Who = { userId: 'admin-a', role: 'admin', programs: [A.id] };
    const adminB: Who = { userId: 'admin-b', role: 'admin', programs: [B.id] };
    // each round: A's select-top of one person against B's selection of the same person
    const winners: string[] = [];
    for (const p of people) {
      expect(
        (await as(adminA, 'PUT', `/programs/${A.id}/ranking`, { applicationIds: [ids[p]!.a] })).status,
      ).toBe(200);
      const [top, single] = await Promise.all([
        as(adminA, 'POST', `/programs/${A.id}/select-top`, { count: 1 }),
        as(adminB, 'POST', `/applications/${ids[p]!.b}/selection`, {
          decision: 'select',
          mentor: mentorOf('mb'),
          projectTitle: 'x',
          projectId: 'p',
        }),
      ]);
      expect(top.status).toBe(200);
      const aWon = top.body.selected.length === 1;
      const bWon = single.status === 200;
      expect([aWon, bWon], p).not.toEqual([true, true]);
      expect(aWon || bWon, p).toBe(true);
      if (!aWon)
        expect(top.body.refused.map((r: { type: string }) => r.type)).toEqual(['selection-conflict']);
      if (!bWon) expect(single.body.type).toBe('urn:mentorship:problem:selection-conflict');
      winners.push(aWon ? 'a' : 'b');
    }
    // one acceptance per person in the workflows themselves
    for (const p of people) {
      const selections = await Promise.all(
        [ids[p]!.a, ids[p]!.b].map(
          async (id) =>
            (await system.env.client.workflow.getHandle(menteeWorkflowId(id)).query(statusQuery))
              .selection !== null,
        ),
      );
      expect(selections.filter(Boolean), p).toHaveLength(1);
    }
    expect(winners).toHaveLength(ROUNDS);
  });
});
