import { createHash } from 'node:crypto';
import type { Sql } from '../db/index.js';
import { type ApplicationRow, findApplication, type MenteeClientDeps } from '../mentees/client.js';

/** What the repair operations need; the CLI and the admin API hand in the same servers. */
export type OpsDeps = MenteeClientDeps;

/** The mentee an operation acts on: the admin API has found (and authorized) it already, the CLI names it. */
export type ApplicationRef = ApplicationRow | string;

export const applicationOf = (sql: Sql, ref: ApplicationRef): Promise<ApplicationRow> =>
  typeof ref === 'string' ? findApplication(sql, ref) : Promise.resolve(ref);

/** The request id of an operation when the caller gave none: the same arguments make the same request. */
export const derivedRequestId = (...parts: (string | number)[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
