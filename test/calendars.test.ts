import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../api/auth.js';
import { menteeWorkflowId } from '../domain/ids.js';
import { formatInstant } from '../emails/render.js';
import { bearer } from './support/auth.js';
import { DAYS, driver, HOURS } from './support/drive.js';
import { eventually } from './support/eventually.js';
import type { ReceivedEmail } from './support/fake-resend.js';
import { programFixture, SCHEDULE } from './support/programs.js';
import { testSystemForFile } from './support/system.js';

/**
 * Local times and calendars: each person's time zone in their emails (local time, UTC beside), and a calendar
 * feed per person at a private URL, whose events keep their UID when a date moves.
 */
const system = testSystemForFile();
const drive = driver(system);

type Who = Omit<Principal, 'programs'> & { programs?: string[] };
const ops: Who = { userId: 'ops-calendars', role: 'ops' };

/** A program whose every date falls on 18:00 UTC, so the local times in emails are known exactly. */
async function programAtSixPm(overrides: Parameters<typeof programFixture>[1] = {}) {
  const now = await system.env.currentTimeMs();
  const sixPm = new Date(now);
  sixPm.setUTCHours(18, 0, 0, 0);
  if (sixPm.getTime() < now) sixPm.setTime(sixPm.getTime() + DAYS);
  const program = programFixture(sixPm.getTime(), { adminTimeZone: 'Europe/Berlin', ...overrides });
  await drive.call('POST', '/programs', program, 201);
  const closes = Date.parse(program.applicationsCloseAt);
  return { program, closes, dueAt: (n: number) => closes + SCHEDULE.evaluations[n - 1]! };
}

async function applyIn(programId: string, menteeId: string, timeZone?: string) {
  const response = await drive.call(
    'POST',
    `/programs/${programId}/applications`,
    {
      mentee: {
        id: menteeId,
        name: `Name of ${menteeId}`,
        email: `${menteeId}@example.org`,
        country: 'IN',
        timeZone,
      },
    },
    201,
  );
  return response.body.id as string;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** "Tuesday, March 2, 2027" of an instant, read in UTC (the local date is the same for the zones used here). */
const utcDate = (ms: number) =>
  new Date(ms).toLocaleDateString('en-US', {
    weekday: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  });

async function issueFeed(who: Who): Promise<{ url: string; path: string; replacedEarlier: boolean }> {
  const response = await system.call('POST', '/me/calendar', undefined, await bearer(who));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const url: string = response.body.url;
  expect(url).toMatch(/\/calendars\/[A-Za-z0-9_-]{43}$/);
  return { url, path: new URL(url).pathname, replacedEarlier: response.body.replacedEarlier };
}

interface FeedEvent {
  uid: string;
  start: string;
  sequence: number;
  stamp: number;
  summary: string;
  description: string;
  status: string;
}

/** Fetches a feed without a bearer token, as a calendar app does, and parses it with ical.js. */
async function readFeed(path: string): Promise<Map<string, FeedEvent>> {
  const response = await system.call('GET', path, undefined, { authorization: '' });
  expect(response.status, String(response.body)).toBe(200);
  const calendar = new ICAL.Component(ICAL.parse(response.body as string));
  const events = calendar.getAllSubcomponents('vevent').map((v): FeedEvent => {
    const event = new ICAL.Event(v);
    return {
      uid: event.uid,
      start: event.startDate.toJSDate().toISOString(),
      sequence: event.sequence,
      stamp: (v.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().getTime(),
      summary: event.summary,
      description: event.description,
      status: String(v.getFirstPropertyValue('status')),
    };
  });
  return new Map(events.map((e) => [e.uid, e]));
}

const emailsTo = (address: string, kind: string) =>
  eventually(
    async () =>
      system.resend
        .emails()
        .filter((e) => e.to.includes(address) && e.tags?.some((t) => t.name === 'kind' && t.value === kind)),
    (emails: ReceivedEmail[]) => emails.length > 0,
    `${kind} email to ${address}`,
  );

describe('calendars and time zones', () => {
  it("formats a deadline in the reader's zone with UTC beside, and the UTC date when it is another day", () => {
    const at = '2027-03-02T18:00:00Z';
    expect(formatInstant(at, 'Europe/Berlin')).toBe('Tuesday, March 2, 2027, 7:00 PM GMT+1 (18:00 UTC)');
    expect(formatInstant(at, 'America/Los_Angeles')).toBe('Tuesday, March 2, 2027, 10:00 AM PST (18:00 UTC)');
    expect(formatInstant(at, 'Pacific/Auckland')).toBe(
      'Wednesday, March 3, 2027, 7:00 AM GMT+13 (March 2, 18:00 UTC)',
    );
    expect(formatInstant(at, 'UTC')).toBe('Tuesday, March 2, 2027, 18:00 UTC');
  });

  let kolkataApplication = '';

  it("lists a mentee's deadlines in their feed, and their emails show local time with UTC beside", async () => {
    const { program, closes, dueAt } = await programAtSixPm();
    const id = await applyIn(program.id, 'mentee-kolkata', 'Asia/Kolkata');
    kolkataApplication = id;

    // 18:00 UTC is 23:30 in India, the same day
    const reviewClosesAt = closes + SCHEDULE.reviewClosesAt;
    const [received] = await emailsTo('mentee-kolkata@example.org', 'application-received');
    expect(received!.text).toContain(
      `Mentors review applications until ${utcDate(reviewClosesAt)}, 11:30 PM GMT+5:30 (18:00 UTC).`,
    );

    const feed = await issueFeed({ userId: 'mentee-kolkata', role: 'mentee' });
    const events = await eventually(
      () => readFeed(feed.path),
      (e) => e.size > 0,
      'the status document in the feed',
    );
    const expected: [string, number][] = [
      ['review-closes', reviewClosesAt],
      ['selection-deadline', closes + SCHEDULE.selectionDeadline],
      ['onboarding-deadline', closes + SCHEDULE.onboardingDeadline],
      ['term-starts', closes + SCHEDULE.termStartsAt],
      ...[1, 2, 3, 4].map((n): [string, number] => [`evaluation/${n}`, dueAt(n)]),
      ['term-ends', closes + SCHEDULE.termEndsAt],
    ];
    expect(Object.fromEntries([...events.values()].map((e) => [e.uid, e.start]))).toEqual(
      Object.fromEntries(expected.map(([what, at]) => [`${id}/${what}@mentorship`, iso(at)])),
    );
    const evaluation2 = events.get(`${id}/evaluation/2@mentorship`)!;
    expect(evaluation2).toMatchObject({
      summary: 'LFX Mentorship: evaluation 2 due',
      sequence: 0,
      // it applies only once the applicant is selected
      status: 'TENTATIVE',
    });
    expect(evaluation2.description).toContain(`${utcDate(dueAt(2))}, 11:30 PM GMT+5:30 (18:00 UTC)`);
    expect(events.get(`${id}/review-closes@mentorship`)!.status).toBe('CONFIRMED');

    const raw = await system.app.request(feed.path);
    expect(raw.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    // only the token's hash is stored
    const token = feed.path.split('/').pop()!;
    const stored = await system.sql<{ hash: string }[]>`
      SELECT encode(token_sha256, 'hex') AS hash FROM calendar_feeds WHERE user_id = 'mentee-kolkata'`;
    expect(stored).toEqual([{ hash: createHash('sha256').update(token).digest('hex') }]);
    const mentee = await system.sql`SELECT time_zone FROM mentees WHERE id = 'mentee-kolkata'`;
    expect(mentee[0]!.time_zone).toBe('Asia/Kolkata');
  });

  it('moves an evaluation on an extension with the same UID, a higher SEQUENCE and a later DTSTAMP; mentors and admins read their own zone', async () => {
    const { program, closes } = await programAtSixPm();
    const id = await applyIn(program.id, 'mentee-extended', 'Asia/Kolkata');
    await drive.completePrerequisites(id);
    await drive.skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
    await drive.call('POST', `/applications/${id}/selection`, {
      decision: 'select',
      mentor: {
        id: 'mentor-la',
        name: 'Mentor in LA',
        email: 'mentor-la@example.org',
        timeZone: 'America/Los_Angeles',
      },
      projectTitle: 'Calendars',
    });
    for (const step of ['contract', 'tax-form', 'payment-details']) {
      await drive.call('POST', `/applications/${id}/onboarding/${step}/complete`);
    }
    const feed = await issueFeed({ userId: 'mentee-extended', role: 'mentee' });
    const before = await eventually(
      () => readFeed(feed.path),
      (e) => e.get(`${id}/evaluation/2@mentorship`)?.status === 'CONFIRMED',
      'the selected mentee in the feed',
    );
    const uid = `${id}/evaluation/2@mentorship`;
    expect(before.get(uid)!.sequence).toBe(0);

    await sleep(1100); // DTSTAMP has whole seconds
    await drive.call('POST', `/applications/${id}/extensions`, { days: 7, reason: 'Exams' });
    const after = await eventually(
      () => readFeed(feed.path),
      (e) => e.get(uid)!.start !== before.get(uid)!.start,
      'the extension in the feed',
    );
    expect(after.get(uid)).toMatchObject({
      start: iso(Date.parse(before.get(uid)!.start) + 7 * DAYS),
      sequence: 1,
    });
    expect(after.get(uid)!.stamp).toBeGreaterThan(before.get(uid)!.stamp);
    expect(after.get(`${id}/term-ends@mentorship`)!.sequence).toBe(1);
    // the review closed before the extension: it did not move, nor did its revision
    const review = `${id}/review-closes@mentorship`;
    expect(after.get(review)).toEqual(before.get(review));
    expect([...after.keys()]).toEqual([...before.keys()]);

    // the mentor's feed: their mentee's evaluations, the same events, in Los Angeles time
    const mentorFeed = await readFeed(
      (await issueFeed({ userId: 'mentor-la', role: 'mentor', programs: [program.id] })).path,
    );
    expect([...mentorFeed.keys()]).toEqual([1, 2, 3, 4].map((n) => `${id}/evaluation/${n}@mentorship`));
    expect(mentorFeed.get(uid)).toMatchObject({
      start: after.get(uid)!.start,
      sequence: 1,
      summary: 'Evaluation 2 of Name of mentee-extended due (LFX Mentorship)',
    });
    expect(mentorFeed.get(uid)!.description).toMatch(/, (11:00 AM PDT|10:00 AM PST) \(18:00 UTC\)\.$/m);

    // the mentor's reminder and the admin's overdue alert, in real emails: Los Angeles and Berlin time
    const firstDue = Date.parse(after.get(`${id}/evaluation/1@mentorship`)!.start);
    await drive.skipTo(firstDue + HOURS);
    const [reminder] = await emailsTo('mentor-la@example.org', 'evaluation-reminder');
    expect(reminder!.text).toMatch(
      new RegExp(`by ${utcDate(firstDue)}, (11:00 AM PDT|10:00 AM PST) \\(18:00 UTC\\)\\.`),
    );
    const [overdue] = await emailsTo('admin@example.org', 'evaluation-overdue');
    expect(overdue!.idempotencyKey).toContain(menteeWorkflowId(id));
    expect(overdue!.text).toMatch(
      new RegExp(`due ${utcDate(firstDue)}, (7:00 PM GMT\\+1|8:00 PM GMT\\+2) \\(18:00 UTC\\)\\.`),
    );
    const [extended] = await emailsTo('mentee-extended@example.org', 'term-extended');
    expect(extended!.text).toContain('11:30 PM GMT+5:30 (18:00 UTC)');
    const mentor = await system.sql`SELECT time_zone FROM mentors WHERE id = 'mentor-la'`;
    expect(mentor[0]!.time_zone).toBe('America/Los_Angeles');
  });

  it("lists an admin's programs' dates, and a schedule change moves one with its UID", async () => {
    const { program, closes, dueAt } = await programAtSixPm();
    const admin: Who = { userId: 'admin-berlin', role: 'admin', programs: [program.id] };
    const feed = await issueFeed(admin);
    const before = await readFeed(feed.path);
    const uid = (what: string) => `program/${program.id}/${what}@mentorship`;
    expect([...before.keys()]).toEqual(
      [
        'applications-close',
        'review-closes',
        'selection-deadline',
        'onboarding-deadline',
        'term-starts',
        'evaluation/1',
        'evaluation/2',
        'evaluation/3',
        'evaluation/4',
        'term-ends',
        'completion-deadline',
      ].map(uid),
    );
    expect(before.get(uid('applications-close'))!.start).toBe(iso(closes));
    expect(before.get(uid('completion-deadline'))!.start).toBe(
      iso(closes + SCHEDULE.termEndsAt + SCHEDULE.completionGraceDays * DAYS),
    );
    expect(before.get(uid('evaluation/3'))!.description).toMatch(
      /, (7:00 PM GMT\+1|8:00 PM GMT\+2) \(18:00 UTC\)\.$/m,
    );

    await sleep(1100);
    const moved = [1, 2, 3, 4].map((n) => ({ dueAt: iso(dueAt(n) + (n === 3 ? DAYS : 0)) }));
    await drive.call('PATCH', `/programs/${program.id}/schedule`, { evaluations: moved });
    const after = await readFeed(feed.path);
    expect(after.get(uid('evaluation/3'))).toMatchObject({ start: iso(dueAt(3) + DAYS), sequence: 1 });
    expect(after.get(uid('evaluation/3'))!.stamp).toBeGreaterThan(before.get(uid('evaluation/3'))!.stamp);
    for (const what of ['evaluation/2', 'evaluation/4', 'term-ends']) {
      expect(after.get(uid(what)), what).toEqual(before.get(uid(what)));
    }

    // an admin of no program has an empty calendar; ops see every program
    const nobody = await readFeed(
      (await issueFeed({ userId: 'admin-none', role: 'admin', programs: [] })).path,
    );
    expect(nobody.size).toBe(0);
    const everything = await readFeed((await issueFeed(ops)).path);
    expect(everything.get(uid('evaluation/3'))!.start).toBe(iso(dueAt(3) + DAYS));
  });

  it('answers 404 for a replaced, revoked or unknown feed URL', async () => {
    const me: Who = { userId: 'mentee-revokes', role: 'mentee' };
    const first = await issueFeed(me);
    expect(first.replacedEarlier).toBe(false);
    await readFeed(first.path);
    const second = await issueFeed(me);
    expect(second.replacedEarlier).toBe(true);
    const anonymous = { authorization: '' };
    expect((await system.call('GET', first.path, undefined, anonymous)).status).toBe(404);
    await readFeed(second.path);

    const revoked = await system.call('DELETE', '/me/calendar', undefined, await bearer(me));
    expect(revoked.status).toBe(204);
    const gone = await system.call('GET', second.path, undefined, anonymous);
    expect(gone.status).toBe(404);
    expect(gone.body.type).toBe('urn:mentorship:problem:not-found');
    expect((await system.call('DELETE', '/me/calendar', undefined, await bearer(me))).status).toBe(204);
    for (const token of ['nope', 'A'.repeat(43), `${second.path.split('/').pop()}x`]) {
      expect((await system.call('GET', `/calendars/${token}`, undefined, anonymous)).status, token).toBe(404);
    }
    // another person's revocation leaves this one alone
    const kept = await issueFeed(me);
    await system.call(
      'DELETE',
      '/me/calendar',
      undefined,
      await bearer({ userId: 'mentee-other', role: 'mentee' }),
    );
    await readFeed(kept.path);

    // a retry with an Idempotency-Key makes a new URL: the answer holding the token is not stored
    const withKey = async () =>
      system.call('POST', '/me/calendar', undefined, { ...(await bearer(me)), 'idempotency-key': 'feed-1' });
    const [a, b] = [await withKey(), await withKey()];
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.url).not.toBe(b.body.url);
    const kept2 = await system.sql`SELECT 1 FROM idempotency_keys WHERE response_body LIKE '%/calendars/%'`;
    expect(kept2).toHaveLength(0);
  });

  it('refuses an unknown time zone with a 422 naming the field', async () => {
    const { program } = await programAtSixPm();
    const fieldsOf = (body: { errors?: { path: string; message: string }[] }) =>
      (body.errors ?? []).map((e) => [e.path, e.message]);
    const badApply = await system.call('POST', `/programs/${program.id}/applications`, {
      mentee: { id: 'mentee-mars', name: 'Mars', email: 'mars@example.org', timeZone: 'Mars/Olympus_Mons' },
    });
    expect(badApply.status).toBe(422);
    expect(fieldsOf(badApply.body)).toEqual([
      [
        'mentee.timeZone',
        'unknown time zone "Mars/Olympus_Mons": use an IANA name such as Europe/Berlin, Asia/Kolkata or UTC',
      ],
    ]);
    const lowercase = await system.call('POST', `/programs/${program.id}/applications`, {
      mentee: { id: 'mentee-mars', name: 'Mars', email: 'mars@example.org', timeZone: 'asia/kolkata' },
    });
    expect(fieldsOf(lowercase.body).map(([path]) => path)).toEqual(['mentee.timeZone']);
    const applications = await system.sql`SELECT 1 FROM applications WHERE mentee_id = 'mentee-mars'`;
    expect(applications).toHaveLength(0);

    const badProgram = await system.call(
      'POST',
      '/programs',
      { ...programFixture(await system.env.currentTimeMs()), adminTimeZone: 'Europe/Atlantis' },
      await bearer(ops),
    );
    expect(badProgram.status).toBe(422);
    expect(fieldsOf(badProgram.body).map(([path]) => path)).toEqual(['adminTimeZone']);

    const badSelection = await system.call('POST', `/applications/${kolkataApplication}/selection`, {
      decision: 'select',
      mentor: { id: 'mentor-x', name: 'X', email: 'x@example.org', timeZone: 'GMT+25:00' },
      projectTitle: 'Nothing',
    });
    expect(badSelection.status).toBe(422);
    expect(fieldsOf(badSelection.body).map(([path]) => path)).toEqual(['mentor.timeZone']);
    const mentors = await system.sql`SELECT 1 FROM mentors WHERE id = 'mentor-x'`;
    expect(mentors).toHaveLength(0);
  });
});
