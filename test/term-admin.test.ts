import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { bearer } from './support/auth.js';
import { eventually } from './support/eventually.js';
import { DAYS, HOURS, PREREQUISITES, programFixture, SCHEDULE } from './support/programs.js';
import { type ApiResponse, testSystemForFile } from './support/system.js';

// The admin's side of a term: "decline all pending", the CSV export, and once-per-person across terms.

const system = testSystemForFile();
const at = (ms: number) => new Date(ms).toISOString();

async function call(
  method: string,
  path: string,
  body: unknown,
  expected: number,
  headers?: Record<string, string>,
): Promise<ApiResponse> {
  const response = await system.call(method, path, body, headers);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(expected);
  return response;
}
const skipTo = (instant: number) => system.skipTo(instant);
const apply = async (programId: string, menteeId: string) =>
  (
    await call(
      'POST',
      `/programs/${programId}/applications`,
      { mentee: { id: menteeId, name: `Name ${menteeId}`, email: `${menteeId}@example.org`, country: 'IN' } },
      201,
    )
  ).body.id as string;
const completePrerequisites = async (id: string) => {
  for (const p of PREREQUISITES)
    await call('POST', `/applications/${id}/prerequisites/${p.id}/complete`, undefined, 200);
};
const selection = (_id: string, mentorId: string) => ({
  decision: 'select',
  mentor: { id: mentorId, name: mentorId, email: `${mentorId}@example.org` },
  projectTitle: 'Docs',
});

async function newTerm(
  name: string,
  rules: Record<string, unknown>,
  keys: string[],
  organization = `Org ${name}`,
) {
  const now = await system.env.currentTimeMs();
  const termId = `${name}-${now % 1_000_000}`;
  await call('POST', '/terms', { id: termId, organization, name: `Term ${name}`, ...rules }, 201);
  const programs: string[] = [];
  let closes = 0;
  for (const key of keys) {
    const program = programFixture(now, { id: `${termId}-${key}`, name: `Program ${key}`, termId });
    closes = Date.parse(program.applicationsCloseAt);
    await call('POST', '/programs', program, 201);
    programs.push(program.id);
  }
  return { termId, programs, closes };
}

describe('decline all pending and the export', () => {
  it('declines every undecided applicant once, reports the refusals, and exports the program as CSV', {
    timeout: 300_000,
  }, async () => {
    const now = await system.env.currentTimeMs();
    const { programs, closes } = await newTerm('admin', { announcementAt: at(now + 19 * DAYS) }, ['p', 'q']);
    const [P, Q] = programs as [string, string];
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await apply(P, `a${i}`));
    const elsewhere = [await apply(Q, 'a0'), await apply(Q, 'a1')];
    for (const id of [...ids, ...elsewhere]) await completePrerequisites(id);
    await skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
    await call('POST', `/applications/${ids[0]}/selection`, selection(ids[0]!, 'mentor-1'), 200);
    await call('POST', `/applications/${ids[1]}/selection`, selection(ids[1]!, 'mentor-1'), 200);
    await call(
      'POST',
      `/applications/${ids[2]}/selection`,
      { decision: 'decline', reason: 'Not this time' },
      200,
    );
    await call('POST', `/applications/${elsewhere[0]}/selection`, selection(elsewhere[0]!, 'mentor-q'), 409);

    // only the program's admins and ops may decline in bulk
    const mentor = await bearer({ userId: 'mentor-1', role: 'mentor', programs: [P] });
    await call('POST', `/programs/${P}/decline-pending`, { reason: 'Full' }, 403, mentor);
    await call('POST', '/programs/no-such-program/decline-pending', {}, 404);

    const first = (
      await call('POST', `/programs/${P}/decline-pending`, { reason: 'Full', requestId: 'r1' }, 200)
    ).body;
    expect([...first.declined].sort()).toEqual(ids.slice(3).sort());
    expect(first.alreadyDeclined).toEqual([ids[2]]);
    expect(first.refused.map((r: { id: string }) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(first.refused[0].reason).toMatch(/already selected/);
    // the same request again is the same run; its report stays readable
    const again = (
      await call('POST', `/programs/${P}/decline-pending`, { reason: 'Full', requestId: 'r1' }, 200)
    ).body;
    expect(again).toEqual(first);
    expect((await call('GET', `/programs/${P}/decline-pending/r1`, undefined, 200)).body).toEqual(first);
    await call('GET', `/programs/${P}/decline-pending/never-ran`, undefined, 404);
    // a new request finds nothing left to decline
    const second = (await call('POST', `/programs/${P}/decline-pending`, { requestId: 'r2' }, 200)).body;
    expect(second.declined, JSON.stringify(second)).toEqual([]);
    expect(second.alreadyDeclined.length, JSON.stringify(second)).toBe(6);

    // the export, as a mentor of the program would download it
    const exported = await call('GET', `/programs/${P}/applications/export`, undefined, 200, mentor);
    const rows = parse(exported.body as string, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.applicationId)).toEqual(ids);
    expect(rows[0]).toMatchObject({
      menteeId: 'a0',
      menteeName: 'Name a0',
      menteeEmail: 'a0@example.org',
      country: 'IN',
      stage: 'awaiting_selection',
      prerequisitesDone: PREREQUISITES.map((p) => p.id).join(' '),
      prerequisitesOpen: '',
      otherApplications: `${Q}:awaiting_selection`,
      selection: 'selected',
      mentorId: 'mentor-1',
      projectTitle: 'Docs',
    });
    expect(rows.slice(2).map((r) => r.selection)).toEqual(Array(6).fill('declined'));
    const outsider = await bearer({ userId: 'a0', role: 'mentee' });
    await call('GET', `/programs/${P}/applications/export`, undefined, 403, outsider);
    await call('GET', '/programs/no-such-program/applications/export', undefined, 404);

    // the announcement tells the declined applicants, with the reason
    await skipTo(now + 19 * DAYS + HOURS);
    await eventually(
      async () =>
        system.resend
          .emails()
          .filter((e) => e.idempotencyKey === `${menteeWorkflowId(ids[5]!)}/declined/mentee`),
      (emails) => emails.length === 1,
      'the declined email',
    ).then(([email]) => expect(email!.text).toContain('Full'));
  });
});

describe('once per person', () => {
  it('refuses someone active in an earlier term of the organization, and no one else', {
    timeout: 300_000,
  }, async () => {
    const first = await newTerm('earlier', {}, ['x'], 'Org once');
    const [X] = first.programs as [string];
    const id = await apply(X, 'veteran');
    await completePrerequisites(id);
    await skipTo(first.closes + SCHEDULE.reviewClosesAt + HOURS);
    await call('POST', `/applications/${id}/selection`, selection(id, 'mentor-x'), 200);
    for (const step of ['contract', 'tax-form', 'payment-details']) {
      await call('POST', `/applications/${id}/onboarding/${step}/complete`, undefined, 200);
    }
    await eventually(
      async () => (await system.sql`SELECT stage FROM applications WHERE id = ${id}`)[0]?.stage,
      (stage) => stage === 'active',
      'the veteran to be active',
    );

    const later = await newTerm('later', { oncePerPerson: true }, ['y'], 'Org once');
    const [Y] = later.programs as [string];
    const refused = await system.call('POST', `/programs/${Y}/applications`, {
      mentee: { id: 'veteran', name: 'Veteran', email: 'veteran@example.org' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: 'urn:mentorship:problem:once-per-person',
      rule: 'oncePerPerson',
    });
    expect(refused.body.detail).toContain(`program ${X}: active`);
    expect(refused.body.applications).toEqual([{ id, programId: X, stage: 'active' }]);
    await apply(Y, 'newcomer');
    // another organization's term does not count
    const elsewhere = await newTerm('other-org', { oncePerPerson: true }, ['z'], 'Org other');
    await apply(elsewhere.programs[0]!, 'veteran');
  });
});
