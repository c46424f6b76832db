import { createHash, randomBytes } from 'node:crypto';
import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import type { Sql } from '../db/index.js';
import { applicationDates } from '../db/read-model.js';
import type { UserRole } from '../domain/status.js';
import { DEFAULT_TIME_ZONE } from '../domain/time-zones.js';
import { findPrograms } from '../mentees/programs.js';
import { type CalendarEntry, menteeEntries, mentorEntries, programEntries } from './entries.js';

// A calendar feed per person, at a URL whose token is the only credential: 32 random bytes, base64url. Only the
// token's SHA-256 is stored; the dates are read from the read model and the programs when the feed is fetched.

/** Whose calendar: the person and the role they signed in with; an admin's programs as their token named them. */
export interface FeedOwner {
  userId: string;
  role: UserRole;
  programs: string[];
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const sha256 = (token: string) => createHash('sha256').update(token).digest();

/** Makes the owner's feed, or gives it a new token: the earlier URL stops working at once. */
export async function issueFeedToken(sql: Sql, owner: FeedOwner) {
  const token = randomBytes(32).toString('base64url');
  const [row] = await sql<{ createdAt: Date; replaced: boolean }[]>`
    INSERT INTO calendar_feeds (user_id, role, programs, token_sha256)
    VALUES (${owner.userId}, ${owner.role}, ${sql.array(owner.programs)}, ${sha256(token)})
    ON CONFLICT (user_id, role) DO UPDATE
      SET programs = EXCLUDED.programs, token_sha256 = EXCLUDED.token_sha256, created_at = now()
    RETURNING created_at AS "createdAt", xmax::text <> '0' AS replaced`;
  return { token, ...row! };
}

/** Deletes the owner's feed; false when there was none. */
export async function revokeFeed(sql: Sql, owner: Pick<FeedOwner, 'userId' | 'role'>): Promise<boolean> {
  const deleted = await sql`
    DELETE FROM calendar_feeds WHERE user_id = ${owner.userId} AND role = ${owner.role} RETURNING 1`;
  return deleted.length > 0;
}

/** The feed a token opens, if it is a current one. */
export async function findFeed(sql: Sql, token: string): Promise<FeedOwner | undefined> {
  if (!TOKEN.test(token)) return undefined;
  const [row] = await sql<FeedOwner[]>`
    SELECT user_id AS "userId", role, programs FROM calendar_feeds WHERE token_sha256 = ${sha256(token)}`;
  return row;
}

/** The owner's calendar as iCalendar text: the deadlines that concern them, each event with a stable UID. */
export async function renderFeed(sql: Sql, owner: FeedOwner): Promise<string> {
  const { name, entries } = await calendarOf(sql, owner);
  const revisions = await revise(sql, entries);
  const calendar = ical({
    name,
    prodId: { company: 'mentorship', product: 'calendar-feeds' },
    ttl: 60 * 60,
  });
  for (const e of entries) {
    const revision = revisions.get(e.uid)!;
    calendar.createEvent({
      id: e.uid,
      start: new Date(e.at),
      summary: e.summary,
      description: e.description,
      status: e.tentative ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
      // a deadline, not a meeting: it does not block the time
      transparency: ICalEventTransparency.TRANSPARENT,
      sequence: revision.sequence,
      stamp: revision.changedAt,
      lastModified: revision.changedAt,
    });
  }
  return calendar.toString();
}

async function calendarOf(sql: Sql, owner: FeedOwner): Promise<{ name: string; entries: CalendarEntry[] }> {
  switch (owner.role) {
    case 'mentee': {
      const [person] = await sql<{ timeZone: string }[]>`
        SELECT time_zone AS "timeZone" FROM mentees WHERE id = ${owner.userId}`;
      const applications = await applicationDates(sql, { menteeId: owner.userId });
      return {
        name: 'Mentorship: my deadlines',
        entries: menteeEntries(applications, person?.timeZone ?? DEFAULT_TIME_ZONE),
      };
    }
    case 'mentor': {
      const [person] = await sql<{ timeZone: string }[]>`
        SELECT time_zone AS "timeZone" FROM mentors WHERE id = ${owner.userId}`;
      const mentees = await applicationDates(sql, { mentorId: owner.userId }, [
        'onboarding',
        'active',
        'completed',
      ]);
      return {
        name: 'Mentorship: evaluations of my mentees',
        entries: mentorEntries(mentees, person?.timeZone ?? DEFAULT_TIME_ZONE),
      };
    }
    case 'admin':
    case 'ops': {
      // ops run every program; an admin the programs their token named
      const programs = await findPrograms(sql, owner.role === 'ops' ? 'all' : owner.programs);
      return {
        name: 'Mentorship: program dates',
        entries: programEntries(
          programs.map((p) => ({
            id: p.id,
            rules: p.rules,
            timeZone: p.definition.adminTimeZone ?? DEFAULT_TIME_ZONE,
          })),
        ),
      };
    }
  }
}

/**
 * The revision of each event: SEQUENCE counts the times its date moved (an extension, a schedule change), and
 * DTSTAMP is when it last moved. Recorded by UID as the feeds are read; a feed read with nothing moved writes nothing.
 */
async function revise(sql: Sql, entries: CalendarEntry[]) {
  const revisions = new Map<string, { sequence: number; changedAt: Date }>();
  const starts = new Map(entries.map((e) => [e.uid, e.at]));
  if (starts.size === 0) return revisions;
  const uids = [...starts.keys()];
  await sql`
    INSERT INTO calendar_event_revisions (uid, starts_at)
    SELECT * FROM unnest(${sql.array(uids)}::text[], ${sql.array([...starts.values()])}::timestamptz[])
    ON CONFLICT (uid) DO UPDATE
      SET starts_at = EXCLUDED.starts_at, sequence = calendar_event_revisions.sequence + 1, changed_at = now()
      WHERE calendar_event_revisions.starts_at <> EXCLUDED.starts_at`;
  const rows = await sql<{ uid: string; sequence: number; changedAt: Date }[]>`
    SELECT uid, sequence, changed_at AS "changedAt" FROM calendar_event_revisions WHERE uid = ANY(${sql.array(uids)})`;
  for (const row of rows) revisions.set(row.uid, row);
  return revisions;
}
