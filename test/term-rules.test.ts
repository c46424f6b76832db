import { describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { statusQuery } from '../domain/messages.js';
import { bearer } from './support/auth.js';
import { eventually } from './support/eventually.js';
import { DAYS, HOURS, PREREQUISITES, programFixture, SCHEDULE } from './support/programs.js';
import { type ApiResponse, testSystemForFile } from './support/system.js';

// Rules that span the applications of a term: limits, one acceptance at a time, conflicts, capacity,
// announcement day and the end of the other applications once a mentee is onboarded.

const system = testSystemForFile();

const at = (ms: number) => new Date(ms).toISOString();

async function call(method: string, path: string, body: unknown, expected: number): Promise<ApiResponse> {
  const response = await system.call(method, path, body);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(expected);
  return response;
}
const skipTo = (instant: number) => system.skipTo(instant);
const apply = (programId: string, menteeId: string) =>
  system.call('POST', `/programs/${programId}/applications`, {
    mentee: { id: menteeId, name: `Name of ${menteeId}`, email: `${menteeId}@example.org`, country: 'DE' },
  });
const select = (applicationId: string, mentorId: string) =>
  system.call('POST', `/applications/${applicationId}/selection`, {
    decision: 'select',
    mentor: { id: mentorId, name: `Mentor ${mentorId}`, email: `${mentorId}@example.org` },
    projectTitle: 'Faster builds',
  });
const completePrerequisites = async (applicationId: string) => {
  for (const p of PREREQUISITES) {
    await call('POST', `/applications/${applicationId}/prerequisites/${p.id}/complete`, undefined, 200);
  }
};
const onboard = async (applicationId: string) => {
  for (const step of ['contract', 'tax-form', 'payment-details']) {
    await call('POST', `/applications/${applicationId}/onboarding/${step}/complete`, undefined, 200);
  }
};
const stageOf = async (applicationId: string) =>
  (await system.env.client.workflow.getHandle(menteeWorkflowId(applicationId)).query(statusQuery)).stage;
/** The kinds of the emails sent about one application, to one recipient role. */
const emailKinds = (applicationId: string, to: 'mentee' | 'admin' | 'mentor') =>
  system.resend
    .emails()
    .filter((e) => e.idempotencyKey?.startsWith(`${menteeWorkflowId(applicationId)}/`))
    .filter((e) => e.idempotencyKey?.endsWith(`/${to}`))
    .map((e) => e.tags?.find((t) => t.name === 'kind')?.value)
    .sort();

/** A term and its programs, all on the fixture's schedule (applications close a day from now). */
async function newTerm(
  name: string,
  rules: Record<string, unknown>,
  programs: { key: string; slots?: number; overrides?: (closes: number) => Record<string, string> }[],
) {
  const now = await system.env.currentTimeMs();
  const termId = `${name}-${now % 1_000_000}`;
  await call(
    'POST',
    '/terms',
    { id: termId, organization: `Org ${name}`, name: `Term ${name}`, ...rules },
    201,
  );
  const ids: Record<string, string> = {};
  let closes = 0;
  for (const { key, slots, overrides } of programs) {
    const base = programFixture(now, { id: `${termId}-${key}`, name: `Program ${key}`, termId });
    closes = Date.parse(base.applicationsCloseAt);
    const program = { ...base, ...(slots && { slots }), ...overrides?.(closes) };
    await call('POST', '/programs', program, 201);
    ids[key] = program.id;
  }
  return { termId, programs: ids, closes };
}

describe('a term of four programs with overlapping applicants', () => {
  it('holds every rule: limits, one acceptance, conflicts, capacity, announcement day, auto-withdrawal', {
    timeout: 600_000,
  }, async () => {
    const { termId, programs, closes } = await newTerm(
      'cohort',
      { maxOpenApplications: 3, maxAcceptances: 1, menteesPerMentor: 3, onboardingDaysAfterAnnouncement: 3 },
      [
        { key: 'a', slots: 6 },
        { key: 'b' },
        { key: 'c' },
        // D decides later than the others: its applicants may be accepted elsewhere meanwhile
        {
          key: 'd',
          overrides: (closes) => ({
            selectionDeadline: at(closes + 22 * DAYS),
            onboardingDeadline: at(closes + 23 * DAYS),
          }),
        },
      ],
    );
    const { a: A, b: B, c: C, d: D } = programs as Record<'a' | 'b' | 'c' | 'd', string>;
    const announcementAt = closes + 18 * DAYS;
    await call('PATCH', `/terms/${termId}`, { announcementAt: at(announcementAt) }, 200);

    // 64 people: 16 apply to three programs (and try a fourth), 16 to two, 32 to one
    const people = Array.from({ length: 64 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    const triple = people.slice(0, 16);
    const double = people.slice(16, 32);
    const single = people.slice(32);
    const app: Record<string, Record<string, string>> = Object.fromEntries(people.map((p) => [p, {}]));
    const applyOk = async (programId: string, person: string) => {
      const response = await apply(programId, person);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      app[person]![programId] = response.body.id;
    };
    for (const p of triple) for (const program of [A, B, C]) await applyOk(program, p);
    for (const p of double) for (const program of [B, D]) await applyOk(program, p);
    for (const [i, p] of single.entries()) await applyOk([A, B, C, D][i % 4]!, p);

    // a fourth open application is refused with the rule and the other applications listed
    for (const p of triple) {
      const fourth = await apply(D, p);
      expect(fourth.status).toBe(409);
      expect(fourth.body).toMatchObject({ rule: 'maxOpenApplications', limit: 3 });
      expect(fourth.body.applications.map((x: { programId: string }) => x.programId).sort()).toEqual([
        A,
        B,
        C,
      ]);
      expect(fourth.body.detail).toMatch(/3 open applications/);
    }
    // a withdrawn application does not count: p00 leaves C and applies to D
    await system.call('POST', `/applications/${app.p00![C]}/withdraw`, { reason: 'Changed my mind' });
    await eventually(
      () => stageOf(app.p00![C]!),
      (s) => s === 'withdrawn',
      'p00 to leave C',
    );
    await eventually(
      async () => (await apply(D, 'p00')).status,
      (s) => s === 201,
      'the read model to count the withdrawal',
    );
    const [d00] = await system.sql<{ id: string }[]>`
      SELECT id FROM applications WHERE program_id = ${D} AND mentee_id = 'p00'`;
    app.p00![D] = d00!.id;
    delete app.p00![C];

    // everyone but the last four single applicants completes the prerequisites
    const dropouts = single.slice(-4);
    for (const p of people.filter((p) => !dropouts.includes(p))) {
      for (const id of Object.values(app[p]!)) await completePrerequisites(id);
    }
    await skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);

    // A selects the triple applicants (its 6 slots; mentors take 3 each), B tries the same people: conflicts
    const mentorOf = (i: number) => `mentor-a${Math.floor(i / 3)}`;
    for (const [i, p] of triple.slice(0, 6).entries()) {
      expect((await select(app[p]![A]!, mentorOf(i))).status).toBe(200);
    }
    const full = await select(app[triple[6]!]![A]!, 'mentor-a9');
    expect(full.status).toBe(409);
    expect(full.body).toMatchObject({
      type: 'urn:mentorship:problem:capacity-reached',
      rule: 'slots',
      limit: 6,
    });
    expect(full.body.detail).toMatch(/6 of 6 slots taken/);
    for (const p of triple.slice(0, 4)) {
      const second = await select(app[p]![B]!, 'mentor-b0');
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({
        type: 'urn:mentorship:problem:selection-conflict',
        rule: 'maxAcceptances',
      });
      expect(second.body.detail).toContain(`program ${A}`);
    }
    // a mentor's limit counts across the programs of the term
    expect((await select(app[double[0]!]![B]!, 'mentor-a0')).status).toBe(409);

    // p01 declines A's offer before the announcement: the seat is free, B may select p01 now
    await call('POST', `/applications/${app.p01![A]}/withdraw`, { reason: 'I prefer program B' }, 200);
    expect((await select(app.p01![B]!, 'mentor-b1')).status).toBe(200);
    // ... and A has a free slot again
    expect((await select(app[triple[6]!]![A]!, 'mentor-a9')).status).toBe(200);

    // B decides on the double applicants; D on four singles; C declines three; the rest hear nothing
    for (const [i, p] of double.entries()) {
      if (i < 6) expect((await select(app[p]![B]!, `mentor-b${2 + Math.floor(i / 3)}`)).status).toBe(200);
      else if (i < 10)
        await call('POST', `/applications/${app[p]![B]}/selection`, { decision: 'decline' }, 200);
    }
    const singlesOf = (program: string) => single.filter((p) => app[p]![program] && !dropouts.includes(p));
    for (const [i, p] of singlesOf(D).slice(0, 4).entries()) {
      expect((await select(app[p]![D]!, `mentor-d${Math.floor(i / 3)}`)).status).toBe(200);
    }
    for (const p of singlesOf(C).slice(0, 3)) {
      await call(
        'POST',
        `/applications/${app[p]![C]}/selection`,
        { decision: 'decline', reason: 'Full' },
        200,
      );
    }

    // before the announcement: decisions recorded for admins, nothing shown or sent to the applicants
    const p02A = app.p02![A]!;
    const asAdmin = (await call('GET', `/applications/${p02A}`, undefined, 200)).body;
    expect(asAdmin.stage).toBe('awaiting_selection');
    expect(asAdmin.selection).toMatchObject({ mentorId: mentorOf(2) });
    expect(asAdmin.conflicts).toEqual([
      expect.objectContaining({ side: 'holder', programId: B, applicationId: app.p02![B] }),
    ]);
    const asMentee = (
      await system.call(
        'GET',
        `/applications/${p02A}`,
        undefined,
        await bearer({ userId: 'p02', role: 'mentee' }),
      )
    ).body;
    expect(asMentee).toMatchObject({ stage: 'awaiting_selection', selection: null, conflicts: [] });
    expect(asMentee.announcement).toEqual({ at: at(announcementAt), announced: false });
    expect(asMentee.decisions.map((d: { action: string }) => d.action)).not.toContain('selected');
    const mine = (
      await system.call('GET', '/me/applications', undefined, await bearer({ userId: 'p02', role: 'mentee' }))
    ).body.items;
    expect(mine.find((x: { id: string }) => x.id === p02A)).toMatchObject({
      mentorId: null,
      projectTitle: null,
    });
    const conflictEmails = await eventually(
      async () => [emailKinds(p02A, 'admin'), emailKinds(app.p02![B]!, 'admin')],
      (kinds) => kinds.every((k) => k.includes('selection-conflict')),
      'the selection conflict emails to both programs',
    );
    expect(conflictEmails).toEqual([['selection-conflict'], ['selection-conflict']]);
    await skipTo(closes + SCHEDULE.selectionDeadline + HOURS);
    const results = new Set(['selected', 'declined', 'not-selected']);
    const resultEmails = () =>
      system.resend.emails().filter((e) => results.has(e.tags?.find((t) => t.name === 'kind')?.value ?? ''));
    expect(resultEmails()).toEqual([]);

    // the announcement: every result of the term goes out at once; onboarding is due 3 days later
    await skipTo(announcementAt + HOURS);
    // D decides until later: its undecided applicants are still waiting
    const decidedByNow = Object.values(app).flatMap((byProgram) =>
      Object.entries(byProgram)
        .filter(([programId]) => programId !== D)
        .map(([, id]) => id),
    );
    await eventually(
      async () => Promise.all(decidedByNow.map(stageOf)),
      (stages) => !stages.includes('awaiting_selection') && !stages.includes('in_review'),
      'every result to be announced',
    );
    const inStage = async (stage: string) =>
      (
        await system.sql<{ menteeId: string; programId: string }[]>`
          SELECT mentee_id AS "menteeId", program_id AS "programId" FROM applications
          WHERE program_id IN ${system.sql([A, B, C, D])} AND stage = ${stage} ORDER BY mentee_id, program_id`
      ).map((r) => `${r.menteeId}@${r.programId.slice(-1)}`);
    // A: p00 and p02-p06 (p01 withdrew, p06 took the freed slot); B: p01 and six doubles; D: four singles
    const told = await inStage('onboarding');
    expect(told).toEqual(
      [
        ...['p00', 'p02', 'p03', 'p04', 'p05', 'p06'].map((p) => `${p}@a`),
        'p01@b',
        ...double.slice(0, 6).map((p) => `${p}@b`),
        ...singlesOf(D)
          .slice(0, 4)
          .map((p) => `${p}@d`),
      ].sort(),
    );
    const p03 = await system.env.client.workflow.getHandle(menteeWorkflowId(app.p03![A]!)).query(statusQuery);
    expect(p03.onboarding.deadline).toBe(at(announcementAt + 3 * DAYS));
    // every result went out at the instant, once: selected, declined, not selected
    for (const [person, byProgram] of Object.entries(app)) {
      for (const [programId, id] of Object.entries(byProgram)) {
        const stage = await stageOf(id);
        const expected = { onboarding: 'selected', declined: 'declined', not_selected: 'not-selected' }[
          stage as 'onboarding'
        ];
        if (!expected) continue;
        await eventually(
          async () => emailKinds(id, 'mentee').filter((k) => results.has(k!)),
          (kinds) => kinds.length > 0,
          `${person}'s result in ${programId}`,
        ).then((kinds) => expect(kinds, `${person} in ${programId}`).toEqual([expected]));
      }
    }

    // after the announcement, D's decisions are told at once
    const late = double.slice(10, 16);
    for (const [i, p] of late.entries()) {
      expect((await select(app[p]![D]!, `mentor-d${2 + Math.floor(i / 3)}`)).status).toBe(200);
      expect(await stageOf(app[p]![D]!)).toBe('onboarding');
    }

    // onboarded mentees' other open applications end as withdrawn, each with its email; p05 lets the offer lapse
    const onboarding = await system.sql<{ id: string; menteeId: string }[]>`
      SELECT id, mentee_id AS "menteeId" FROM applications
      WHERE program_id IN ${system.sql([A, B, C, D])} AND stage = 'onboarding'`;
    for (const o of onboarding.filter((x) => x.menteeId !== 'p05')) await onboard(o.id);
    await skipTo(closes + 22 * DAYS + HOURS); // past D's selection deadline
    const doubleWithdrawn = double.slice(0, 6).map((p) => `${p}@d`);
    await eventually(
      () => inStage('withdrawn'),
      (w) => doubleWithdrawn.every((x) => w.includes(x)),
      'the other applications to end',
    );
    const stages = await system.sql<{ menteeId: string; programId: string; stage: string }[]>`
      SELECT mentee_id AS "menteeId", program_id AS "programId", stage FROM applications
      WHERE program_id IN ${system.sql([A, B, C, D])} ORDER BY mentee_id, program_id`;
    const byPerson = (p: string) =>
      stages.filter((s) => s.menteeId === p).map((s) => `${s.programId.slice(-1)}:${s.stage}`);
    expect(byPerson('p00')).toEqual(['a:active', 'b:not_selected', 'c:withdrawn', 'd:withdrawn']);
    expect(byPerson('p01')).toEqual(['a:withdrawn', 'b:active', 'c:not_selected']);
    expect(byPerson('p02')).toEqual(['a:active', 'b:not_selected', 'c:not_selected']);
    expect(byPerson('p05')).toEqual(['a:offer_lapsed', 'b:not_selected', 'c:not_selected']);
    expect(byPerson('p07')).toEqual(['a:not_selected', 'b:not_selected', 'c:not_selected']);
    for (const p of double.slice(0, 6)) expect(byPerson(p)).toEqual(['b:active', 'd:withdrawn']);
    for (const p of double.slice(6, 10)) expect(byPerson(p)).toEqual(['b:declined', 'd:not_selected']);
    for (const p of late) expect(byPerson(p)).toEqual(['b:not_selected', 'd:active']);
    for (const p of dropouts) expect(byPerson(p)).toEqual([expect.stringMatching(/:not_accepted$/)]);
    const withdrawnByTerm = await system.env.client.workflow
      .getHandle(menteeWorkflowId(app[double[0]!]![D]!))
      .query(statusQuery);
    expect(withdrawnByTerm.outcomeReason).toBe('accepted into Program b');
    expect(withdrawnByTerm.decisions.at(-1)).toMatchObject({
      action: 'stage:withdrawn',
      detail: 'accepted into Program b',
    });
    await eventually(
      async () => emailKinds(app[double[0]!]![D]!, 'mentee'),
      (k) => k.includes('mentorship-ended'),
      'the withdrawal email',
    );
    const [lapsedSeat] = await system.sql`
      SELECT release_reason FROM acceptances WHERE application_id = ${app.p05![A]!}`;
    expect(lapsedSeat).toEqual({ release_reason: 'offer lapsed' });

    // nobody holds two acceptances, in the ledger of seats or in the stages
    const twice = await system.sql`
      SELECT mentee_id FROM applications WHERE program_id IN ${system.sql([A, B, C, D])}
        AND stage IN ('onboarding', 'active') GROUP BY mentee_id HAVING count(*) > 1`;
    expect(twice).toEqual([]);
    const seats = await system.sql`
      SELECT mentee_id FROM acceptances WHERE term_id = ${termId} AND released_at IS NULL
      GROUP BY mentee_id HAVING count(*) > 1`;
    expect(seats).toEqual([]);
    // and the rules are visible: GET of the term and the Temporal UI's details of each mentee
    const term = (await call('GET', `/terms/${termId}`, undefined, 200)).body;
    expect(term).toMatchObject({
      maxOpenApplications: 3,
      maxAcceptances: 1,
      announcementAt: at(announcementAt),
    });
    expect(term.programs).toEqual([A, B, C, D].sort());
    const described = await system.env.client.workflow.getHandle(menteeWorkflowId(p02A)).describe();
    expect(await described.staticDetails()).toContain(`Term \`${termId}\``);
  });
});

describe('the term rules under concurrency', () => {
  it('lets exactly the limit of ten concurrent applications by one person through, every time', {
    timeout: 300_000,
  }, async () => {
    const { programs } = await newTerm(
      'apply-race',
      { maxOpenApplications: 3 },
      Array.from({ length: 10 }, (_, i) => ({ key: `p${i}` })),
    );
    const counts: Record<number, number>[] = [];
    for (const person of ['r1', 'r2', 'r3', 'r4', 'r5']) {
      const answers = await Promise.all(Object.values(programs).map((id) => apply(id, person)));
      const tally: Record<number, number> = {};
      for (const a of answers) tally[a.status] = (tally[a.status] ?? 0) + 1;
      counts.push(tally);
    }
    expect(counts).toEqual(Array(5).fill({ 201: 3, 409: 7 }));
    const open = await system.sql`
      SELECT mentee_id, count(*)::int AS n FROM applications
      WHERE program_id IN ${system.sql(Object.values(programs))} GROUP BY mentee_id ORDER BY mentee_id`;
    expect(open.map((r) => r.n)).toEqual([3, 3, 3, 3, 3]);
  });

  it('gives an applicant selected by two programs at the same instant to exactly one, 24 times out of 24', {
    timeout: 600_000,
  }, async () => {
    const { termId, programs, closes } = await newTerm('select-race', {}, [{ key: 'x' }, { key: 'y' }]);
    const { x: X, y: Y } = programs as Record<'x' | 'y', string>;
    const people = Array.from({ length: 24 }, (_, i) => `s${i}`);
    const ids: Record<string, { x: string; y: string }> = {};
    for (const p of people) {
      const [x, y] = await Promise.all([apply(X, p), apply(Y, p)]);
      ids[p] = { x: x.body.id, y: y.body.id };
      await Promise.all([completePrerequisites(ids[p]!.x), completePrerequisites(ids[p]!.y)]);
    }
    await skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
    const outcomes: string[] = [];
    for (const [i, p] of people.entries()) {
      const [x, y] = await Promise.all([
        select(ids[p]!.x, `mentor-x${i}`),
        select(ids[p]!.y, `mentor-y${i}`),
      ]);
      outcomes.push([x.status, y.status].sort().join('+'));
      const refused = x.status === 409 ? x : y;
      expect(refused.body.type).toBe('urn:mentorship:problem:selection-conflict');
    }
    expect(outcomes).toEqual(Array(24).fill('200+409'));
    const seats = await system.sql`
      SELECT mentee_id, count(*)::int AS n FROM acceptances WHERE term_id = ${termId} AND released_at IS NULL
      GROUP BY mentee_id`;
    expect(seats.length).toBe(24);
    expect(seats.every((s) => s.n === 1)).toBe(true);
    const onboarding = await system.sql`
      SELECT mentee_id FROM applications WHERE program_id IN (${X}, ${Y}) AND stage = 'onboarding'
      GROUP BY mentee_id HAVING count(*) = 1`;
    expect(onboarding.length).toBe(24);
  });

  it('fills a program of 5 slots with exactly 5 of 12 concurrent selections', {
    timeout: 300_000,
  }, async () => {
    const { programs, closes } = await newTerm('slots-race', {}, [{ key: 'z', slots: 5 }]);
    const Z = programs.z!;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = (await apply(Z, `z${i}`)).body.id as string;
      await completePrerequisites(id);
      ids.push(id);
    }
    await skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
    const answers = await Promise.all(ids.map((id, i) => select(id, `mentor-z${i}`)));
    expect(answers.filter((a) => a.status === 200).length).toBe(5);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused.length).toBe(7);
    expect(refused.every((a) => a.body.rule === 'slots' && a.body.limit === 5)).toBe(true);
  });
});

describe('bad term input', () => {
  it('answers unknown terms, impossible limits and late announcements with a clear 4xx', {
    timeout: 300_000,
  }, async () => {
    const { termId, programs, closes } = await newTerm('bad', { maxOpenApplications: 2 }, [
      { key: 'a' },
      { key: 'b' },
    ]);
    const problem = async (method: string, path: string, body: unknown, status: number) =>
      (await call(method, path, body, status)).body as { detail: string; errors?: { path: string }[] };

    expect((await problem('GET', '/terms/no-such-term', undefined, 404)).detail).toMatch(/no-such-term/);
    expect((await problem('PATCH', '/terms/no-such-term', { maxOpenApplications: 3 }, 404)).detail).toMatch(
      /No term/,
    );
    expect(
      (await problem('POST', '/terms', { id: termId, organization: 'Org', name: 'Again' }, 409)).detail,
    ).toMatch(/already exists/);
    const invalid = await problem(
      'POST',
      '/terms',
      { id: 'Bad Id', organization: '', name: 'x', maxOpenApplications: 0, shoeSize: 42 },
      422,
    );
    expect(invalid.errors?.map((e) => e.path).sort()).toEqual(
      expect.arrayContaining(['id', 'organization', 'maxOpenApplications']),
    );
    const now = await system.env.currentTimeMs();
    const unknownTerm = await problem(
      'POST',
      '/programs',
      programFixture(now, { id: `orphan-${now % 100_000}`, termId: 'no-such-term' }),
      422,
    );
    expect(unknownTerm.errors).toEqual([{ path: 'termId', message: expect.stringMatching(/no term/) }]);

    // a limit below what applicants already hold
    for (const p of ['b1', 'b2']) for (const id of Object.values(programs)) await apply(id, p);
    const below = await problem('PATCH', `/terms/${termId}`, { maxOpenApplications: 1 }, 422);
    expect(below.errors).toEqual([
      { path: 'maxOpenApplications', message: expect.stringMatching(/already has 2 open applications/) },
    ]);
    // an announcement after a program starts, set on the term or met by a new program
    const late = await problem(
      'PATCH',
      `/terms/${termId}`,
      { announcementAt: at(closes + SCHEDULE.termStartsAt + DAYS) },
      422,
    );
    expect(late.errors?.[0]).toMatchObject({
      path: 'announcementAt',
      message: expect.stringMatching(/before program/),
    });
    await call('PATCH', `/terms/${termId}`, { announcementAt: at(closes + 18 * DAYS) }, 200);
    const early = programFixture(now, {
      id: `early-${now % 100_000}`,
      termId,
      selectionDeadline: at(closes + 15 * DAYS),
      onboardingDeadline: at(closes + 16 * DAYS),
      termStartsAt: at(closes + 17 * DAYS),
    });
    const startsFirst = await problem('POST', '/programs', early, 422);
    expect(startsFirst.errors?.[0]).toMatchObject({ path: 'termStartsAt' });
    // the term's rules are untouched by the refusals
    const term = (await call('GET', `/terms/${termId}`, undefined, 200)).body;
    expect(term).toMatchObject({ maxOpenApplications: 2, announcementAt: at(closes + 18 * DAYS) });
  });
});
