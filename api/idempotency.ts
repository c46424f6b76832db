import { createHash, randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { Sql } from '../db/index.js';
import { ProblemError } from '../domain/problems.js';
import { principal } from './auth.js';
import { type ApiInstance, GONE_AFTER_SECONDS, registerApiInstance } from './instances.js';

declare module 'hono' {
  interface ContextVariableMap {
    /** A digest of the caller, their Idempotency-Key and the request: what the request creates remembers it. */
    requestKey: string;
  }
}

/**
 * The request's identity across retries (its user and Idempotency-Key), or undefined without a key. A handler
 * that creates something stores it with the thing, and a retry that runs again after a crash finds the thing by
 * it; messages use it as the Update id, so Temporal answers a retried message with the first one's result.
 */
export const requestKeyOf = (c: Context): string | undefined => c.get('requestKey');

const KEY = /^[\x21-\x7e]{1,255}$/;
// Answers kept for a day: longer than any frontend retries a request.
const RETENTION = '24 hours';

/**
 * `Idempotency-Key` on POST/PATCH: the first request runs, a retry with the same key and body gets the
 * stored answer, a retry while the first still runs gets 409, and the same key with another body 422.
 * Keys are per user; server errors are not stored, so the retry runs again.
 *
 * A claim names the API process that holds it (`ApiInstance`, which heartbeats) and is a lease of
 * `leaseSeconds`, renewed every third of it while the request runs. When the process dies mid-request its
 * heartbeat stops, and a retry takes the claim over within seconds and runs the request again: what the first
 * run created is found by the request key, and messages are idempotent. A slow live process keeps its claims;
 * the lease only bounds a request that hangs in a live one.
 */
export function idempotency(
  sql: Sql,
  { leaseSeconds, instance = registerApiInstance(sql) }: { leaseSeconds: number; instance?: ApiInstance },
): MiddlewareHandler {
  const lease = `${leaseSeconds} seconds`;
  const gone = `${GONE_AFTER_SECONDS} seconds`;
  // expired answers leave the table in the background, at most once a minute per process: not a query per request
  let lastSweep = 0;
  const sweepExpired = () => {
    if (Date.now() - lastSweep < 60_000) return;
    lastSweep = Date.now();
    sql`DELETE FROM idempotency_keys WHERE created_at < now() - ${RETENTION}::interval`.catch(() => {
      lastSweep = 0; // the next request tries again
    });
  };
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined || (c.req.method !== 'POST' && c.req.method !== 'PATCH')) return next();
    if (!KEY.test(key)) {
      throw new ProblemError(
        400,
        'bad-idempotency-key',
        'Idempotency-Key must be 1-255 visible ASCII characters',
      );
    }
    const userId = principal(c).userId;
    const fingerprint = createHash('sha256')
      .update(`${c.req.method} ${c.req.path}\n`)
      .update(new Uint8Array(await c.req.arrayBuffer())) // bytes, not text: an upload is binary
      .digest('hex');
    // a key reused for another request (a day later, past the retention) is another request
    c.set('requestKey', createHash('sha256').update(`${userId}\n${key}\n${fingerprint}`).digest('base64url'));

    sweepExpired();
    const claimId = randomUUID();
    await instance.registered();
    // a new key, a key whose answer is past the retention (another request), or the same request whose API died
    // before answering (no heartbeat, or the lease ran out)
    const claimed = await sql`
      INSERT INTO idempotency_keys (user_id, key, request_fingerprint, state, claim_id, instance_id, lease_expires_at)
      VALUES (${userId}, ${key}, ${fingerprint}, 'in_progress', ${claimId}, ${instance.id}, now() + ${lease}::interval)
      ON CONFLICT (user_id, key) DO UPDATE
        SET claim_id = EXCLUDED.claim_id, instance_id = EXCLUDED.instance_id,
            lease_expires_at = EXCLUDED.lease_expires_at, created_at = now(),
            request_fingerprint = EXCLUDED.request_fingerprint, state = 'in_progress',
            response_status = NULL, response_headers = NULL, response_body = NULL
        WHERE idempotency_keys.created_at < now() - ${RETENTION}::interval
          OR (idempotency_keys.state = 'in_progress'
          AND idempotency_keys.request_fingerprint = EXCLUDED.request_fingerprint
          AND (idempotency_keys.lease_expires_at < now()
               OR (idempotency_keys.instance_id IS NOT NULL AND NOT EXISTS (
                     SELECT 1 FROM api_instances i
                     WHERE i.id = idempotency_keys.instance_id AND i.heartbeat_at > now() - ${gone}::interval))))
      RETURNING key`;
    if (claimed.length === 0) return replay(c, sql, userId, key, fingerprint);

    const ours = () => sql`user_id = ${userId} AND key = ${key} AND claim_id = ${claimId}`;
    const renewal = setInterval(
      () => {
        sql`UPDATE idempotency_keys SET lease_expires_at = now() + ${lease}::interval WHERE ${ours()}`.catch(
          () => {}, // a missed renewal only shortens the lease; the next one or the answer follows
        );
      },
      (leaseSeconds * 1000) / 3,
    );
    try {
      await next();
    } catch (error) {
      await sql`DELETE FROM idempotency_keys WHERE ${ours()}`;
      throw error;
    } finally {
      clearInterval(renewal);
    }
    const response = c.res;
    // server errors run again on a retry; so does an answer holding a secret (no-store), which is not kept
    if (response.status >= 500 || response.headers.get('cache-control')?.includes('no-store')) {
      await sql`DELETE FROM idempotency_keys WHERE ${ours()}`;
      return;
    }
    const body = await response.clone().text();
    const headers = Object.fromEntries(
      [...response.headers].filter(([name]) => name === 'content-type' || name === 'location'),
    );
    await sql`
      UPDATE idempotency_keys SET state = 'done', response_status = ${response.status},
             response_headers = ${sql.json(headers)}, response_body = ${body}, lease_expires_at = NULL
      WHERE ${ours()}`;
  };
}

async function replay(
  c: Parameters<MiddlewareHandler>[0],
  sql: Sql,
  userId: string,
  key: string,
  fingerprint: string,
) {
  const [stored] = await sql<
    {
      requestFingerprint: string;
      state: string;
      responseStatus: number;
      responseHeaders: Record<string, string>;
      responseBody: string;
    }[]
  >`
    SELECT request_fingerprint AS "requestFingerprint", state, response_status AS "responseStatus",
           response_headers AS "responseHeaders", response_body AS "responseBody"
    FROM idempotency_keys WHERE user_id = ${userId} AND key = ${key}`;
  if (!stored) {
    throw new ProblemError(
      409,
      'idempotency-key-in-flight',
      'A request with this Idempotency-Key just finished; retry',
    );
  }
  if (stored.requestFingerprint !== fingerprint) {
    throw new ProblemError(
      422,
      'idempotency-key-reused',
      'This Idempotency-Key was used for a different request; use a new key for a new request',
    );
  }
  if (stored.state !== 'done') {
    // its API is alive and working on it, or gone and about to be noticed: either way, soon
    c.header('retry-after', '1');
    throw new ProblemError(
      409,
      'idempotency-key-in-flight',
      'A request with this Idempotency-Key is still running; retry shortly',
    );
  }
  return new Response(stored.responseBody, {
    status: stored.responseStatus,
    headers: { ...stored.responseHeaders, 'idempotent-replayed': 'true' },
  });
}
