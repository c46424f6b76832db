import { describe, expect, it } from 'vitest';
import { DAYS, driver, HOURS } from './support/drive.js';
import { testSystemForFile } from './support/system.js';

const system = testSystemForFile();

/** Dashboard lists from the read model, for a small cohort taken through a whole term. */
describe('dashboard lists', () => {
  it('filter, sort and page applications, evaluations, installments and certificates', async () => {
    const drive = driver(system);
    const { program, closes, dueAt } = await drive.newProgram();
    const P = program.id;
    const list = async (path: string) => (await drive.call('GET', path)).body;
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4, 5]) ids.push(await drive.apply(P, `dash-mentee-${n}`));
    const [a1, a2, a3, a4, a5] = ids as [string, string, string, string, string];
    for (const id of [a1, a2, a3]) await drive.completePrerequisites(id);
    await drive.skipTo(closes + 14 * DAYS + HOURS);
    for (const id of [a1, a2]) {
      await drive.select(id, 'dash-mentor');
      for (const step of ['contract', 'tax-form', 'payment-details']) {
        await drive.call('POST', `/applications/${id}/onboarding/${step}/complete`);
      }
    }
    await drive.call('POST', `/applications/${a3}/selection`, { decision: 'decline', reason: 'No capacity' });

    // stages and counts
    // the review's close is recorded by each workflow in the background
    await expect
      .poll(() => list(`/programs/${P}/stage-counts`))
      .toMatchObject({
        programId: P,
        total: 5,
        counts: { active: 2, declined: 1, not_accepted: 2, in_review: 0, completed: 0 },
      });
    const active = await list(`/programs/${P}/applications?stage=active`);
    expect(active.items.map((a: { id: string }) => a.id)).toEqual([a1, a2]);
    expect(active.items[0]).toMatchObject({
      mentorId: 'dash-mentor',
      projectTitle: 'Faster builds',
      stage: 'active',
    });
    const ended = await list(`/programs/${P}/applications?stage=not_accepted,declined&sort=-createdAt`);
    expect(ended.items.map((a: { id: string }) => a.id)).toEqual([a5, a4, a3]);

    // cursor pagination walks every item once, in order
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await list(
        `/programs/${P}/applications?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      pages.push(page.items.map((a) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([[a1, a2], [a3, a4], [a5]]);
    expect(
      (await drive.call('GET', `/programs/${P}/applications?cursor=bogus`, undefined, 400)).body.type,
    ).toBe('urn:mentorship:problem:bad-cursor');
    expect(
      (await drive.call('GET', `/programs/${P}/applications?stage=asleep`, undefined, 422)).body.detail,
    ).toMatch(/Unknown stage asleep/);

    expect((await list('/mentors/dash-mentor/mentees')).items.map((a: { id: string }) => a.id)).toEqual([
      a1,
      a2,
    ]);

    // evaluations due in a window
    const window = (n: number) =>
      `from=${new Date(dueAt(n) - DAYS).toISOString()}&to=${new Date(dueAt(n) + DAYS).toISOString()}`;
    const due = await list(`/evaluations/due?programId=${P}&${window(1)}`);
    expect(due.items).toEqual(
      [a1, a2].sort().map((id) => ({
        applicationId: id,
        programId: P,
        menteeId: id === a1 ? 'dash-mentee-1' : 'dash-mentee-2',
        mentorId: 'dash-mentor',
        number: 1,
        dueAt: new Date(dueAt(1)).toISOString(),
      })),
    );
    expect((await list(`/evaluations/due?programId=${P}&${window(2)}`)).items).toHaveLength(2);

    // a1 passes; a2's mentor misses evaluation 1, so a2 ends and forfeits
    await drive.skipTo(dueAt(1) - 3 * DAYS);
    await drive.evaluate(a1, 1, 'dash-mentor');
    expect(
      (await list(`/evaluations/due?programId=${P}&${window(1)}`)).items.map(
        (e: { applicationId: string }) => e.applicationId,
      ),
    ).toEqual([a2]);
    await drive.skipTo(dueAt(2) - 3 * DAYS);
    await drive.evaluate(a1, 2, 'dash-mentor');

    const installments = async (state: string) =>
      (await list(`/stipend-installments?state=${state}&programId=${P}`)).items.map(
        (i: { applicationId: string; number: number; state: string; amountCents: number }) =>
          `${({ [a1]: 'a1', [a2]: 'a2' } as Record<string, string>)[i.applicationId] ?? i.applicationId}#${i.number} ${i.state} ${i.amountCents}`,
      );
    // the payment follows the evaluation in the background
    await expect.poll(() => installments('paid')).toEqual(['a1#1 paid 300000']);
    expect(await installments('pending')).toEqual(['a1#2 scheduled 300000']);
    expect(await installments('forfeited')).toEqual(['a2#1 forfeited 300000', 'a2#2 forfeited 300000']);

    // a1 completes: one certificate
    expect((await list(`/programs/${P}/certificates`)).items).toEqual([]);
    await drive.finishParticipation(a1);
    for (const n of [3, 4]) {
      await drive.skipTo(dueAt(n) - 3 * DAYS);
      await drive.evaluate(a1, n, 'dash-mentor');
    }
    await expect.poll(async () => (await list(`/programs/${P}/certificates`)).items.length).toBe(1);
    const certificates = (await list(`/programs/${P}/certificates`)).items;
    expect(certificates).toHaveLength(1);
    expect(certificates[0]).toMatchObject({
      applicationId: a1,
      menteeId: 'dash-mentee-1',
      projectTitle: 'Faster builds',
    });
    expect((await drive.call('GET', certificates[0].pdfUrl)).status).toBe(200);
    // the certificate is stored just before the workflow records the completion
    await expect
      .poll(async () => (await list(`/programs/${P}/stage-counts`)).counts)
      .toMatchObject({
        completed: 1,
        terminated: 1,
        declined: 1,
        not_accepted: 2,
        active: 0,
      });
    await expect.poll(() => installments('paid')).toEqual(['a1#1 paid 300000', 'a1#2 paid 300000']);
    expect(await installments('pending')).toEqual([]);
  });
});
