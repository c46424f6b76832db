import type { JSONValue } from 'postgres';
import type { Sql } from '../db/index.js';

/** A person's profile, reused by every application they make. */
export interface Profile {
  name: string;
  email: string;
  country: string | null;
  timeZone: string;
  pronouns: string | null;
  skills: string[];
  links: { forge?: string | undefined; portfolio?: string | undefined };
  resumeFileId: string | null;
}

export async function readProfile(
  sql: Sql,
  userId: string,
): Promise<(Profile & { updatedAt: string }) | undefined> {
  const [row] = await sql<(Profile & { updatedAt: Date })[]>`
    SELECT name, email, country, time_zone AS "timeZone", pronouns, skills, links,
           resume_file_id AS "resumeFileId", updated_at AS "updatedAt"
    FROM profiles WHERE user_id = ${userId}`;
  return row && { ...row, updatedAt: row.updatedAt.toISOString() };
}

export async function writeProfile(sql: Sql, userId: string, profile: Profile): Promise<void> {
  await sql`
    INSERT INTO profiles (user_id, name, email, country, time_zone, pronouns, skills, links, resume_file_id)
    VALUES (${userId}, ${profile.name}, ${profile.email}, ${profile.country}, ${profile.timeZone}, ${profile.pronouns},
            ${profile.skills}, ${sql.json(profile.links as JSONValue)}, ${profile.resumeFileId})
    ON CONFLICT (user_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, country = EXCLUDED.country,
      time_zone = EXCLUDED.time_zone, pronouns = EXCLUDED.pronouns, skills = EXCLUDED.skills, links = EXCLUDED.links,
      resume_file_id = EXCLUDED.resume_file_id, version = profiles.version + 1, updated_at = now()`;
}
