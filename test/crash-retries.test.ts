/**
 * Every POST that creates something, retried after its API died between creating it and storing the answer:
 * the retry takes the dead process's claim over and answers as the first request would have (201 with what it
 * created), never "already exists"; the same thing asked for under another key is still refused.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer } from './support/auth.js';
import { programFixture } from './support/programs.js';
import { testSystemForFile } from './support/system.js';

const system = testSystemForFile();
const ops = { userId: 'ops-crash', role: 'ops' } as const;

/** The state a crash leaves: the claim in progress, named after an API process that no longer heartbeats. */
async function crashAfterCreating(key: string) {
  const crashed = await system.sql`
    UPDATE idempotency_keys
    SET state = 'in_progress', response_status = NULL, response_headers = NULL, response_body = NULL,
        instance_id = ${randomUUID()}, lease_expires_at = now() + interval '30 seconds'
    WHERE key = ${key} RETURNING key`;
  expect(crashed).toHaveLength(1);
}

async function createdTwice(path: string, body: unknown, key: string) {
  const headers = { ...(await bearer(ops)), 'idempotency-key': key };
  const first = await system.call('POST', path, body, headers);
  expect(first.status).toBe(201);
  await crashAfterCreating(key);
  const retried = await system.call('POST', path, body, headers);
  expect(retried.status).toBe(201);
  const replayed = await system.call('POST', path, body, headers);
  expect(replayed.status).toBe(201);
  expect(replayed.body).toEqual(retried.body);
  return { first: first.body, retried: retried.body };
}

describe('a create retried after its API died', () => {
  it('finds the term and the program it created; another key still gets 409 exists', async () => {
    const termId = `crash-term-${randomUUID().slice(0, 8)}`;
    const term = { id: termId, organization: 'Crash Org', name: 'Crash term', maxOpenApplications: 3 };
    const terms = await createdTwice('/terms', term, 'create-term-1');
    expect(terms.retried).toEqual(terms.first);

    const program = programFixture(Date.now(), { termId });
    const programs = await createdTwice('/programs', program, 'create-program-1');
    expect(programs.retried).toEqual(programs.first);
    const [counted] = await system.sql`SELECT count(*)::int AS n FROM programs WHERE id = ${program.id}`;
    expect(counted!.n).toBe(1);
    expect(
      (await system.call('GET', `/terms/${termId}`, undefined, await bearer(ops))).body.programs,
    ).toEqual([program.id]);

    const again = { ...(await bearer(ops)), 'idempotency-key': 'create-program-2' };
    const exists = await system.call('POST', '/programs', program, again);
    expect(exists.status).toBe(409);
    expect(exists.body.type).toBe('urn:mentorship:problem:program-exists');
    const termExists = await system.call('POST', '/terms', term, {
      ...(await bearer(ops)),
      'idempotency-key': 'create-term-2',
    });
    expect(termExists.status).toBe(409);
  });

  it('finds the payout batch it made instead of refusing with nothing to batch', async () => {
    await system.sql`
      INSERT INTO payout_requests (idempotency_key, payee_mentee_id, amount_cents, currency, memo)
      VALUES (${`${randomUUID()}/stipend/1`}, 'payee-1', 300000, 'USD', 'Stipend installment 1')`;
    const batches = await createdTwice('/finance/batches', undefined, 'batch-1');
    expect(batches.retried).toEqual(batches.first);
    expect(batches.first.payouts).toBe(1);
    const [made] = await system.sql`SELECT count(*)::int AS n FROM payout_batches`;
    expect(made!.n).toBe(1);
    // a new request under a new key finds nothing left to batch, as before
    const next = await system.call('POST', '/finance/batches', undefined, {
      ...(await bearer(ops)),
      'idempotency-key': 'batch-2',
    });
    expect(next.status).toBe(409);
  });

  it('gives a calendar feed URL that works (the secret is never stored, so the retry issues the live one)', async () => {
    const me = { userId: 'mentee-calendar-crash', role: 'mentee' } as const;
    const headers = { ...(await bearer(me)), 'idempotency-key': 'feed-crash' };
    const first = await system.call('POST', '/me/calendar', undefined, headers);
    expect(first.status).toBe(201);
    // a secret answer is not kept: the claim is gone, and a retry runs again
    const retried = await system.call('POST', '/me/calendar', undefined, headers);
    expect(retried.status).toBe(201);
    const feed = new URL(retried.body.url as string);
    expect((await system.app.request(feed.pathname)).status).toBe(200);
    expect((await system.app.request(new URL(first.body.url as string).pathname)).status).toBe(404);
  });
});
