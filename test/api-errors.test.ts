import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { bearer } from './support/auth.js';
import { DAYS, programFixture } from './support/programs.js';
import { type ApiResponse, testSystemForFile } from './support/system.js';

const system = testSystemForFile();

const mentee = (id: string) => ({ id, name: `Mentee ${id}`, email: `${id}@example.org` });

async function newProgram(overrides = {}) {
  const program = programFixture(await system.env.currentTimeMs(), overrides);
  const created = await system.call('POST', '/programs', program);
  expect(created.status).toBe(201);
  return program;
}

function expectProblem(response: ApiResponse, status: number, detail?: RegExp) {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({ status, type: expect.stringMatching(/^urn:mentorship:problem:/) });
  expect(typeof response.body.title).toBe('string');
  if (detail) expect(response.body.detail).toMatch(detail);
}

describe('programs', () => {
  it('refuses a review window shorter than 14 days, naming the field', async () => {
    const response = await system.call(
      'POST',
      '/programs',
      programFixture(Date.now(), { reviewWindowDays: 10 }),
    );
    expectProblem(response, 422, /at least 14 days/);
    expect(response.body.errors).toEqual([expect.objectContaining({ path: 'reviewWindowDays' })]);
  });

  it('refuses deadlines out of order, unknown fields and malformed JSON', async () => {
    const fixture = programFixture(Date.now());
    expectProblem(
      await system.call('POST', '/programs', {
        ...fixture,
        termEndsAt: fixture.termStartsAt.replace('Z', '+00:00').slice(0, 4),
      }),
      422,
    );
    expectProblem(
      await system.call('POST', '/programs', { ...fixture, onboardingDeadline: fixture.applicationsCloseAt }),
      422,
      /onboardingDeadline must not be before selectionDeadline/,
    );
    expectProblem(await system.call('POST', '/programs', { ...fixture, stipend: 100 }), 422, /stipend/);
    const malformed = await system.app.request('/programs', {
      method: 'POST',
      body: '{"id": ',
      headers: { 'content-type': 'application/json', ...(await bearer({ userId: 'ops-1', role: 'ops' })) },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 409 for a second program with the same id and 404 for an unknown one', async () => {
    const program = await newProgram();
    expectProblem(await system.call('POST', '/programs', program), 409, /already exists/);
    expectProblem(await system.call('GET', '/programs/no-such-program'), 404, /no-such-program/);
  });
});

describe('applications', () => {
  it('gives a 409 to a second application by the same mentee, and starts no second workflow', async () => {
    const program = await newProgram();
    const first = await system.call('POST', `/programs/${program.id}/applications`, {
      mentee: mentee('twice'),
    });
    expect(first.status).toBe(201);
    const second = await system.call('POST', `/programs/${program.id}/applications`, {
      mentee: mentee('twice'),
    });
    expectProblem(second, 409, /already applied/);
    expect(second.body.applicationId).toBe(first.body.id);
    const rows = await system.sql`SELECT id FROM applications WHERE program_id = ${program.id}`;
    expect(rows.map((r) => r.id)).toEqual([first.body.id]);
  });

  it('starts the missing workflow when an earlier attempt stored the application but crashed before starting it', async () => {
    const program = await newProgram();
    const applicationId = randomUUID();
    await system.sql`INSERT INTO mentees (id, name, email) VALUES ('crashed', 'Crash Test', 'crashed@example.org')`;
    await system.sql`
      INSERT INTO applications (id, program_id, mentee_id, workflow_id, stage, review_closes_at)
      VALUES (${applicationId}, ${program.id}, 'crashed', ${menteeWorkflowId(applicationId)}, 'in_review', now())`;
    const retried = await system.call('POST', `/programs/${program.id}/applications`, {
      mentee: mentee('crashed'),
    });
    expect(retried.status).toBe(201);
    expect(retried.body.id).toBe(applicationId);
    const description = await system.env.client.workflow
      .getHandle(menteeWorkflowId(applicationId))
      .describe();
    expect(description.status.name).toBe('RUNNING');
  });

  it('refuses unknown programs, closed applications and malformed applicants', async () => {
    expectProblem(
      await system.call('POST', '/programs/nope/applications', { mentee: mentee('a') }),
      404,
      /nope/,
    );
    const closed = await newProgram({ applicationsCloseAt: new Date(Date.now() - DAYS).toISOString() });
    expectProblem(
      await system.call('POST', `/programs/${closed.id}/applications`, { mentee: mentee('late') }),
      409,
      /closed/,
    );
    const open = await newProgram();
    const invalid = await system.call('POST', `/programs/${open.id}/applications`, {
      mentee: { id: 'has spaces', name: '', email: 'not-an-email' },
    });
    expectProblem(invalid, 422);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'mentee.email',
      'mentee.id',
      'mentee.name',
    ]);
    expectProblem(await system.call('POST', `/programs/${open.id}/applications`), 422);
  });
});

describe('prerequisites', () => {
  it('rejects unknown prerequisites and applications, and a completion after the review window', async () => {
    const program = await newProgram();
    const applied = await system.call('POST', `/programs/${program.id}/applications`, {
      mentee: mentee('p1'),
    });
    const base = `/applications/${applied.body.id}/prerequisites`;
    expectProblem(
      await system.call('POST', `${base}/no-such-task/complete`),
      404,
      /no prerequisite "no-such-task"/,
    );
    expectProblem(
      await system.call('POST', `/applications/${randomUUID()}/prerequisites/intro-call/complete`),
      404,
    );
    expectProblem(
      await system.call('POST', '/applications/not-a-uuid/prerequisites/intro-call/complete'),
      404,
    );
    expectProblem(await system.call('GET', `/applications/${randomUUID()}`), 404);
    expectProblem(await system.call('GET', '/no/such/route'), 404);

    expect((await system.call('POST', `${base}/intro-call/complete`)).body.duplicate).toBe(false);
    expect((await system.call('POST', `${base}/intro-call/complete`)).body.duplicate).toBe(true);
    const status = await system.call('GET', `/applications/${applied.body.id}`);
    expect(status.body.prerequisites.done).toEqual(['intro-call']);

    await system.skipBy(16 * DAYS);
    expect((await system.call('GET', `/applications/${applied.body.id}`)).body.stage).toBe('not_accepted');
    expectProblem(await system.call('POST', `${base}/cover-letter/complete`), 409);
  });
});
