import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { bearer } from './support/auth.js';
import { driver } from './support/drive.js';
import { eventually } from './support/eventually.js';
import { DAYS, HOURS, SCHEDULE } from './support/programs.js';
import { testSystemForFile } from './support/system.js';

// Finance pays stipends from the payment ledger in batches: each payout in exactly one batch, exported as CSV
// or JSON as often as needed, marked sent, then paid or returned by the bank; the mentee sees each state.

const system = testSystemForFile({ financeLedger: true });
const drive = driver(system);

describe('payout batches', () => {
  it('puts each payout in exactly one batch, exports it again without sending, and shows the mentee each state', {
    timeout: 300_000,
  }, async () => {
    const { program, closes, dueAt } = await drive.newProgram({
      stipend: { total: 6000, countryAdjustments: { IN: 60 } },
    });
    const people = ['f1', 'f2', 'f3'];
    const ids: string[] = [];
    for (const [i, p] of people.entries()) ids.push(await drive.apply(program.id, p, i === 2 ? 'IN' : 'DE'));
    for (const id of ids) await drive.completePrerequisites(id);
    await drive.skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
    for (const [i, id] of ids.entries()) {
      await drive.select(id, `mentor-f${i}`);
      for (const step of ['contract', 'tax-form', 'payment-details']) {
        await drive.call('POST', `/applications/${id}/onboarding/${step}/complete`);
      }
    }
    for (const n of [1, 2]) {
      await drive.skipTo(dueAt(n) - 3 * DAYS);
      for (const [i, id] of ids.entries()) await drive.evaluate(id, n, `mentor-f${i}`);
    }
    const requested = await eventually(
      () => system.sql`SELECT idempotency_key FROM payout_requests ORDER BY id`,
      (rows) => rows.length === 3,
      'three payout requests',
    );
    expect(requested.map((r) => r.idempotency_key).sort()).toEqual(ids.map((id) => `${id}/stipend/1`).sort());

    // two finance officers batch at once: one batch takes all three, the other finds nothing
    const [a, b] = await Promise.all([
      system.call('POST', '/finance/batches', undefined),
      system.call('POST', '/finance/batches', undefined),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const batch = (a.status === 201 ? a : b).body;
    expect(batch).toMatchObject({ payouts: 3, totals: { USD: '7800.00' }, sentAt: null });
    expect((await system.call('POST', '/finance/batches', undefined)).status).toBe(409);
    const view = async (id: string) =>
      (await drive.call('GET', `/applications/${id}/stipend`)).body.installments[0];
    expect((await view(ids[0]!)).payout).toMatchObject({
      state: 'requested',
      batchId: batch.id,
      expectedBy: null,
    });

    // the export, as CSV and JSON, twice: nothing changes by downloading
    const csv = async () => {
      const response = await drive.call('GET', `/finance/batches/${batch.id}/export`);
      return parse(response.body as string, { columns: true }) as Record<string, string>[];
    };
    const lines = await csv();
    expect(lines.map((l) => [l.payeeReference, l.amount, l.currency, l.state]).sort()).toEqual([
      ['f1', '3000.00', 'USD', 'requested'],
      ['f2', '3000.00', 'USD', 'requested'],
      ['f3', '1800.00', 'USD', 'requested'],
    ]);
    expect(lines.map((l) => l.businessKey).sort()).toEqual(ids.map((id) => `${id}/stipend/1`).sort());
    expect(await csv()).toEqual(lines);
    const asJson = (await drive.call('GET', `/finance/batches/${batch.id}/export?format=json`)).body;
    expect(asJson.payouts.map((l: { businessKey: string }) => l.businessKey)).toEqual(
      lines.map((l) => l.businessKey),
    );

    // sent, twice: once
    const sent = (await drive.call('POST', `/finance/batches/${batch.id}/sent`)).body;
    const again = (await drive.call('POST', `/finance/batches/${batch.id}/sent`)).body;
    expect(again.sentAt).toBe(sent.sentAt);
    expect((await csv()).map((l) => l.state)).toEqual(['sent', 'sent', 'sent']);
    const sentView = await view(ids[0]!);
    expect(sentView.payout.state).toBe('sent');
    expect(Date.parse(sentView.payout.expectedBy) - Date.parse(sentView.payout.sentAt)).toBe(7 * DAYS);

    // the bank pays two and returns one; a repeated report is harmless, an unsent payout cannot be reported
    const report = (businessKey: string, state: string, extra: object = {}, status = 200) =>
      drive.call('POST', '/finance/payouts/report', { businessKey, state, ...extra }, status);
    await report(`${ids[0]}/stipend/1`, 'paid', { at: '2030-01-02T00:00:00Z' });
    await report(`${ids[0]}/stipend/1`, 'paid');
    await report(`${ids[1]}/stipend/1`, 'paid');
    await report(`${ids[2]}/stipend/1`, 'returned', { reason: 'Account closed' });
    await report(`${ids[2]}/stipend/1`, 'paid', {}, 409);
    await report('no-such-payout', 'paid', {}, 404);
    expect((await view(ids[0]!)).payout).toMatchObject({ state: 'paid', paidAt: '2030-01-02T00:00:00.000Z' });
    expect((await view(ids[2]!)).payout).toMatchObject({ state: 'returned', paidAt: null });
    expect((await drive.call('GET', '/finance/batches')).body.items.map((x: { id: number }) => x.id)).toEqual(
      [batch.id],
    );

    // finance is ops' business: a program admin may not batch
    const admin = await bearer({ userId: 'admin-f', role: 'admin', programs: [program.id] });
    expect((await system.call('POST', '/finance/batches', undefined, admin)).status).toBe(403);
  });
});
