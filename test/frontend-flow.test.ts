import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../api/auth.js';
import { bearer } from './support/auth.js';
import { DAYS, HOURS, PREREQUISITES, programFixture, SCHEDULE } from './support/programs.js';
import { type ApiResponse, backgroundWorker, startTestSystem, type TestSystem } from './support/system.js';

/**
 * One mentee's whole term through the HTTP API only, over a real socket, each person with their own token,
 * reading the mentee's status view after every step as the frontend would. The test moves the clock.
 */
let system: TestSystem;
let worker: Awaited<ReturnType<typeof backgroundWorker>>;
let server: ServerType;
let base: string;
beforeAll(async () => {
  system = await startTestSystem();
  worker = await backgroundWorker(system);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: system.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await worker?.stop();
  await system?.stop();
});

type Who = Omit<Principal, 'programs'> & { programs?: string[] };

async function http(who: Who | null, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(who ? await bearer(who) : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      origin: 'http://localhost:5173',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  expect(response.status, `${method} ${path}: ${text.slice(0, 300)}`).toBeLessThan(300);
  return { status: response.status, body: parsed };
}

describe('a frontend driving one mentee through the HTTP API', () => {
  it('shows each step in the status view', async () => {
    const now = await system.env.currentTimeMs();
    const program = programFixture(now);
    const P = program.id;
    const closes = Date.parse(program.applicationsCloseAt);
    const dueAt = (n: number) => closes + SCHEDULE.evaluations[n - 1]!;
    const skipTo = (at: number) => system.skipTo(at);
    const admin: Who = { userId: 'admin-frontend', role: 'admin', programs: [P] };
    const mentee: Who = { userId: 'mentee-frontend', role: 'mentee' };
    const mentor: Who = { userId: 'mentor-frontend', role: 'mentor', programs: [P] };

    await http(admin, 'POST', '/programs', program);
    const applied = await http(mentee, 'POST', `/programs/${P}/applications`, {
      mentee: { name: 'Zoë Frontend', email: 'zoe@example.org', country: 'IN' },
      motivation: 'I like compilers',
    });
    expect(applied.status).toBe(201);
    const id: string = applied.body.id;
    const view = async () => (await http(mentee, 'GET', `/applications/${id}`)).body;

    expect(await view()).toMatchObject({
      stage: 'in_review',
      menteeId: 'mentee-frontend',
      prerequisites: { done: [], open: PREREQUISITES.map((p) => p.id) },
      next: { what: expect.stringContaining('Applicant completes prerequisites') },
    });
    expect(
      (await http(mentee, 'GET', '/me/applications')).body.items.map((a: { id: string }) => a.id),
    ).toEqual([id]);

    for (const [i, p] of PREREQUISITES.entries()) {
      await http(mentee, 'POST', `/applications/${id}/prerequisites/${p.id}/complete`);
      expect((await view()).prerequisites.done).toHaveLength(i + 1);
    }
    expect((await view()).next.what).toBe('Review window closes');

    await skipTo(closes + 14 * DAYS + HOURS);
    expect(await view()).toMatchObject({
      stage: 'awaiting_selection',
      next: { what: expect.stringContaining('selects') },
    });

    // the mentor finds the applicant on the program's list and selects them for their project
    const waiting = await http(mentor, 'GET', `/programs/${P}/applications?stage=awaiting_selection`);
    expect(waiting.body.items.map((a: { id: string }) => a.id)).toEqual([id]);
    await http(mentor, 'POST', `/applications/${id}/selection`, {
      decision: 'select',
      mentor: { id: 'mentor-frontend', name: 'Mentor Frontend', email: 'mentor@example.org' },
      projectTitle: 'A faster parser',
    });
    expect(await view()).toMatchObject({
      stage: 'onboarding',
      selection: { mentorId: 'mentor-frontend', projectTitle: 'A faster parser' },
      onboarding: { done: [], open: ['contract', 'tax-form', 'payment-details'] },
    });

    // the admin confirms onboarding
    for (const step of ['contract', 'tax-form', 'payment-details']) {
      await http(admin, 'POST', `/applications/${id}/onboarding/${step}/complete`);
    }
    const active = await view();
    expect(active).toMatchObject({ stage: 'active', next: { what: 'Mentor submits evaluation 1' } });
    // India: 60% of 6000 USD, in two installments
    expect(active.stipend.map((i: { amountCents: number }) => i.amountCents)).toEqual([180_000, 180_000]);

    await http(mentee, 'POST', `/applications/${id}/progress/project-plan/complete`);
    for (const n of [1, 2, 3, 4]) {
      await skipTo(dueAt(n) - 3 * DAYS);
      const due = await http(
        mentor,
        'GET',
        `/evaluations/due?from=${new Date(dueAt(n) - DAYS).toISOString()}&to=${new Date(dueAt(n) + DAYS).toISOString()}`,
      );
      expect(due.body.items.map((e: { number: number }) => e.number)).toEqual([n]);
      if (n === 4) {
        for (const item of ['starter-docs', 'milestone-1', 'milestone-2']) {
          await http(mentee, 'POST', `/applications/${id}/progress/${item}/complete`);
        }
        await http(mentee, 'POST', `/applications/${id}/feedback-survey`, {
          rating: 5,
          comments: 'Thank you',
        });
      }
      await http(mentor, 'POST', `/applications/${id}/evaluations/${n}`, {
        ratings: { tasksAndMilestones: 5, engagement: 4, progressAgainstPlan: 4 },
        comments: `Evaluation ${n}: on track`,
        outcome: 'pass',
      });
      const after = await view();
      expect(after.evaluations[n - 1]).toMatchObject({ number: n, state: 'passed', outcome: 'pass' });
      if (n < 4) expect(after.next.what).toBe(`Mentor submits evaluation ${n + 1}`);
    }

    // the stipend is paid after evaluations 2 and 4, and the Letter of Completion issued
    await expect.poll(async () => (await view()).stage).toBe('completed');
    // the last installment's payout runs beside the completion
    await expect
      .poll(async () => (await view()).stipend.map((i: { state: string }) => i.state))
      .toEqual(['paid', 'paid']);
    const done = await view();
    expect(done.certificateCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(done.next).toBeNull();
    const stipend = await http(mentee, 'GET', `/applications/${id}/stipend`);
    expect(
      stipend.body.installments.map((i: { state: string; amountCents: number }) => [i.state, i.amountCents]),
    ).toEqual([
      ['paid', 180_000],
      ['paid', 180_000],
    ]);
    const verified = await http(null, 'GET', `/certificates/${done.certificateCode}`);
    expect(verified.body).toMatchObject({
      valid: true,
      menteeName: 'Zoë Frontend',
      projectTitle: 'A faster parser',
    });
    const actions = done.decisions.map(
      (d: { action: string; by: { userId: string } }) => `${d.action} by ${d.by.userId}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'selected by mentor-frontend',
        'onboarding:contract by admin-frontend',
        'evaluation:4:pass by mentor-frontend',
        'feedback-survey by mentee-frontend',
      ]),
    );
  });
});
