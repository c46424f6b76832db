import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';
import type { MenteeStatus } from '../domain/messages.js';

/** Writes the workflow's status into the application's row; an older version never overwrites a newer one. */
export async function writeStatus(sql: Sql, status: MenteeStatus): Promise<void> {
  await sql`
    UPDATE applications
    SET stage = ${status.stage},
        status = ${sql.json(status as unknown as JSONValue)},
        status_version = ${status.version},
        updated_at = now()
    WHERE id = ${status.applicationId} AND status_version < ${status.version}`;
}
