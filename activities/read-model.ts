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
        mentor_id = coalesce(${status.selection?.mentorId ?? null}, mentor_id),
        project_title = coalesce(${status.selection?.projectTitle ?? null}, project_title),
        updated_at = now()
    WHERE id = ${status.applicationId} AND status_version < ${status.version}`;
}
