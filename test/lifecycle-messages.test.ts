import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { DAYS, driver } from './support/drive.js';
import { type ApiResponse, testSystemForFile } from './support/system.js';

const system = testSystemForFile();

const expectProblem = (response: ApiResponse, status: number, detail?: RegExp) => {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.type).toMatch(/^urn:mentorship:problem:/);
  if (detail) expect(response.body.detail).toMatch(detail);
};

describe('messages that do not fit the mentee', () => {
  it('answers every wrong stage, wrong mentor, unknown id and malformed body with a clear 4xx', async () => {
    const drive = driver(system);
    const { program, closes, dueAt } = await drive.newProgram({ maxExtensionDays: 21 });
    const id = await drive.apply(program.id, 'rules-1');
    const at = (path: string) => `/applications/${id}${path}`;
    const send = (path: string, body?: unknown) => system.call('POST', at(path), body);

    // Too early: no selection, onboarding, evaluation or extension during review.
    expectProblem(await send('/selection', {}), 422);
    expectProblem(
      await send('/selection', {
        decision: 'select',
        mentor: { id: 'm1', name: 'M', email: 'm@example.org' },
        projectTitle: 'P',
      }),
      409,
      /while the application is in_review/,
    );
    expectProblem(await send('/onboarding/contract/complete'), 409);
    expectProblem(await send('/onboarding/no-such-step/complete'), 404, /no onboarding step "no-such-step"/);
    expectProblem(await send('/extensions', { days: 7, reason: 'x' }), 409);
    expectProblem(await send('/selection', { decision: 'maybe' }), 422);
    expectProblem(
      await system.call('POST', '/applications/00000000-0000-4000-8000-000000000000/selection', {
        decision: 'decline',
      }),
      404,
    );

    const mentorId = await drive.makeActive(id, closes);
    // The same selection again is harmless; a different one is refused.
    expect((await drive.select(id, mentorId)).body.duplicate).toBe(true);
    expectProblem(await send('/selection', { decision: 'decline' }), 409);
    expectProblem(await send('/progress/no-such-item/complete'), 404);
    expectProblem(await send('/phone-calls', { note: 7 }), 422);

    // Evaluations: only the mentee's own mentor, only the one due, only once, only when open.
    await drive.skipTo(dueAt(1) - 10 * DAYS);
    expectProblem(await drive.evaluate(id, 1, mentorId, 'pass', 409), 409, /opens at/);
    await drive.skipTo(dueAt(1) - 3 * DAYS);
    expectProblem(await drive.evaluate(id, 1, 'someone-else', 'pass', 403), 403, /Only its mentor/);
    expectProblem(await drive.evaluate(id, 2, mentorId, 'pass', 409), 409, /evaluation due now is 1/);
    expectProblem(await send('/evaluations/5', {}), 422);
    expectProblem(
      await send('/evaluations/1', {
        mentorId,
        ratings: { tasksAndMilestones: 9, engagement: 1, progressAgainstPlan: 1 },
        outcome: 'pass',
      }),
      422,
    );
    expect((await drive.evaluate(id, 1, mentorId)).body.duplicate).toBe(false);
    expect((await drive.evaluate(id, 1, mentorId)).body.duplicate).toBe(true);
    expectProblem(await drive.evaluate(id, 1, mentorId, 'fail', 409), 409, /already submitted/);

    // Extensions: up to the program's maximum, and every later date moves.
    const before = (await drive.call('GET', at(''))).body;
    const extended = (await drive.call('POST', at('/extensions'), { days: 14, reason: 'Family emergency' }))
      .body.application;
    expect(Date.parse(extended.evaluations[1].dueAt) - Date.parse(before.evaluations[1].dueAt)).toBe(
      14 * DAYS,
    );
    expect(extended.evaluations[0].dueAt).toBe(before.evaluations[0].dueAt);
    expect(Date.parse(extended.termEndsAt) - Date.parse(before.termEndsAt)).toBe(14 * DAYS);
    expectProblem(await send('/extensions', { days: 8, reason: 'More' }), 422, /at most 21 days/);

    // Ending: a reason is required; the same request twice is harmless; afterwards the mentee is closed.
    expectProblem(await send('/terminate', {}), 422);
    const ended = await drive.call('POST', at('/terminate'), { reason: 'Code of conduct violation' });
    expect(ended.body.application.stage).toBe('terminated');
    expect(ended.body.application.decisions.at(-1)).toMatchObject({
      action: 'stage:terminated',
      detail: 'Code of conduct violation',
    });
    expect(ended.body.application.decisions).toContainEqual(
      expect.objectContaining({ action: 'terminated', by: { userId: 'ops-test', role: 'ops' } }),
    );
    expectProblem(await send('/withdraw', { reason: 'too late' }), 409);
    expectProblem(await send('/progress/milestone-1/complete'), 409);
    expect(
      (await drive.call('GET', `${at('')}/stipend`)).body.installments.map((i: { state: string }) => i.state),
    ).toEqual(['forfeited', 'forfeited']);
  });
});

describe('the Letter of Completion', () => {
  it('is issued on completion, verifiable by code, and its PDF carries the name and the code', async () => {
    const drive = driver(system);
    const { program, closes, dueAt } = await drive.newProgram();
    const id = await drive.apply(program.id, 'graduate-1', 'IN');
    await system.sql`UPDATE mentees SET name = 'Zoë Ångström-Núñez' WHERE id = 'graduate-1'`;
    const mentorId = await drive.makeActive(id, closes);
    await drive.call('POST', `/applications/${id}/phone-calls`, { note: 'Called to congratulate' });
    await drive.finishParticipation(id);
    for (const n of [1, 2, 3, 4]) {
      await drive.skipTo(dueAt(n) - 3 * DAYS);
      await drive.evaluate(id, n, mentorId);
    }
    const outcome = await system.env.client.workflow.getHandle(menteeWorkflowId(id)).result();
    expect(outcome.stage).toBe('completed');

    const status = (await drive.call('GET', `/applications/${id}`)).body;
    expect(status.selection.phoneCallRecordedAt).not.toBeNull();
    const code: string = status.certificateCode;
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const stipend = (await drive.call('GET', `/applications/${id}/stipend`)).body.installments;
    expect(stipend.map((i: { state: string; amountCents: number }) => [i.state, i.amountCents])).toEqual([
      ['paid', 180_000],
      ['paid', 180_000],
    ]);

    const verified = (await drive.call('GET', `/certificates/${code.toLowerCase()}`)).body;
    expect(verified).toMatchObject({
      valid: true,
      menteeName: 'Zoë Ångström-Núñez',
      projectTitle: 'Faster builds',
    });
    expectProblem(await system.call('GET', '/certificates/AAAA-BBBB-CCCC'), 404);
    expectProblem(await system.call('GET', '/certificates/not-a-code'), 404);

    const download = await system.app.request(`/certificates/${code}/pdf`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await download.arrayBuffer());
    const parser = new PDFParse({ data: new Uint8Array(pdf) });
    const text = (await parser.getText()).text.replace(/\s+/g, ' ');
    await parser.destroy();
    expect(text).toContain('Zoë Ångström-Núñez');
    expect(text).toContain(code);
    expect(text).toContain('LFX Mentorship');
    expect(text).toContain(`Mentor ${mentorId}`);

    // One rendering to look at: `.tmp/letter-of-completion-1.png`.
    await mkdir('.tmp', { recursive: true });
    await writeFile('.tmp/letter-of-completion.pdf', pdf);
    await promisify(execFile)('pdftoppm', [
      '-png',
      '-r',
      '60',
      '.tmp/letter-of-completion.pdf',
      '.tmp/letter-of-completion',
    ]);

    const letterEmail = system.resend.emails().find((e) => e.subject.startsWith('Your Letter of Completion'));
    expect(letterEmail?.text).toContain(`https://mentorship.example.org/certificates/${code}`);
  });
});

describe('program changes', () => {
  it('reach a running mentee only when an admin applies them, keeping the mentee extension', async () => {
    const drive = driver(system);
    const { program, closes, dueAt } = await drive.newProgram();
    const pinned = await drive.apply(program.id, 'pinned-1');
    const adopter = await drive.apply(program.id, 'adopter-1');
    const late = await drive.apply(program.id, 'late-1');
    await drive.completePrerequisites(pinned);
    await drive.makeActive(adopter, closes);
    await drive.select(pinned, 'mentor-pinned');
    for (const step of ['contract', 'tax-form', 'payment-details']) {
      await drive.call('POST', `/applications/${pinned}/onboarding/${step}/complete`);
    }
    await drive.call('POST', `/applications/${adopter}/extensions`, { days: 3, reason: 'Exams' });

    const week = 7 * DAYS;
    const moved = {
      evaluations: [1, 2, 3, 4].map((n) => ({
        dueAt: new Date(dueAt(n) + (n === 4 ? week : 0)).toISOString(),
      })),
      termEndsAt: new Date(Date.parse(program.termEndsAt) + week).toISOString(),
    };
    expectProblem(
      await system.call('PATCH', `/programs/${program.id}/schedule`, { termEndsAt: program.termStartsAt }),
      422,
    );
    const changed = await drive.call('PATCH', `/programs/${program.id}/schedule`, moved);
    expect(changed.body.rules.evaluations[3].dueAt).toBe(new Date(dueAt(4) + week).toISOString());

    const finalDue = async (id: string) =>
      (await drive.call('GET', `/applications/${id}`)).body.evaluations[3].dueAt;
    expect(await finalDue(pinned)).toBe(new Date(dueAt(4)).toISOString());
    const adopted = await drive.call('POST', `/applications/${adopter}/adopt-program-schedule`);
    expect(adopted.body.duplicate).toBe(false);
    expect(adopted.body.application.evaluations[3].dueAt).toBe(
      new Date(dueAt(4) + week + 3 * DAYS).toISOString(),
    );
    expect(adopted.body.application.termEndsAt).toBe(
      new Date(Date.parse(moved.termEndsAt) + 3 * DAYS).toISOString(),
    );
    expect((await drive.call('POST', `/applications/${adopter}/adopt-program-schedule`)).body.duplicate).toBe(
      true,
    );
    expect(await finalDue(pinned)).toBe(new Date(dueAt(4)).toISOString());
    expectProblem(await system.call('POST', `/applications/${late}/adopt-program-schedule`), 409);
  });
});
