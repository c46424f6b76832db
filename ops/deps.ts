import { createHash } from 'node:crypto';
import type { Sql } from '../db/index.js';
import { invalid } from '../domain/problems.js';
import { type ApplicationRow, findApplication, type MenteeClientDeps } from '../mentees/client.js';

/** What the repair operations need; the CLI and the admin API hand in the same servers. */
export type OpsDeps = MenteeClientDeps;

/** A caller's request id: an opaque token or ticket number (it ends up in Temporal ids). */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The mentee an operation acts on: the admin API has found (and authorized) it already, the CLI names it. */
export type ApplicationRef = ApplicationRow | string;

export const applicationOf = (sql: Sql, ref: ApplicationRef): Promise<ApplicationRow> =>
  typeof ref === 'string' ? findApplication(sql, ref) : Promise.resolve(ref);

/** A caller's request id (it ends up in Temporal ids: an opaque token or ticket number, no personal data). */
export function checkRequestId(requestId: string): string {
  if (!REQUEST_ID.test(requestId)) {
    throw invalid(`A request id is 1-64 letters, digits, ".", "_", ":" or "-" (got "${requestId}")`);
  }
  return requestId;
}

/** The request id of an operation when the caller gave none: the same arguments make the same request. */
export const derivedRequestId = (...parts: (string | number)[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
