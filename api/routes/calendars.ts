import { createRoute, z } from '@hono/zod-openapi';
import { findFeed, issueFeedToken, renderFeed, revokeFeed } from '../../calendars/feeds.js';
import { notFound } from '../../domain/problems.js';
import { principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { newRouter } from '../router.js';
import { problemResponse, secured, writeErrors } from '../schemas.js';

const EXAMPLE_TOKEN = 'Zk9x3Qe1m4VbT0yLr8NwUa6sPjc2HdKo5GiEqR7tXfA';

const CalendarFeed = z
  .object({
    url: z.string().openapi({
      description:
        'The feed, to subscribe to in a calendar app; anyone with it can read it, so keep it private (POST again for a new one)',
    }),
    createdAt: z.string(),
    replacedEarlier: z.boolean().openapi({ description: 'An earlier URL of this person stopped working' }),
  })
  .openapi({
    example: {
      url: `https://mentorship.example.org/calendars/${EXAMPLE_TOKEN}`,
      createdAt: '2027-01-04T09:00:00.000Z',
      replacedEarlier: false,
    },
  })
  .openapi('CalendarFeed');

const ICS_EXAMPLE = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//mentorship//calendar-feeds//EN',
  'NAME:Mentorship: my deadlines',
  'X-WR-CALNAME:Mentorship: my deadlines',
  'BEGIN:VEVENT',
  'UID:5b0c1f8e-2d6a-4c41-9d0e-7f3b6a9c2e11/evaluation/2@mentorship',
  'SEQUENCE:1',
  'DTSTAMP:20270210T120000Z',
  'DTSTART:20270302T180000Z',
  'SUMMARY:LFX Mentorship: evaluation 2 due',
  'DESCRIPTION:LFX Mentorship: evaluation 2 due: Tuesday\\, March 2\\, 2027\\, 11:30 PM GMT+5:30 (18:00 UTC).',
  'STATUS:CONFIRMED',
  'TRANSP:TRANSPARENT',
  'END:VEVENT',
  'END:VCALENDAR',
].join('\r\n');

const routes = {
  issue: createRoute({
    method: 'post',
    tags: ['Calendars'],
    path: '/me/calendar',
    summary:
      "The caller's calendar feed URL: made on the first call, a new one on each later call (the old URL then answers 404)",
    ...secured,
    responses: {
      ...writeErrors,
      201: { description: 'The feed URL', content: { 'application/json': { schema: CalendarFeed } } },
    },
  }),
  revoke: createRoute({
    method: 'delete',
    tags: ['Calendars'],
    path: '/me/calendar',
    summary: "Revoke the caller's calendar feed: its URL answers 404 from now on (nothing to revoke is fine)",
    ...secured,
    responses: {
      204: { description: 'No feed any more' },
      401: problemResponse('No or invalid bearer token'),
    },
  }),
  feed: createRoute({
    method: 'get',
    tags: ['Calendars'],
    path: '/calendars/{token}',
    summary:
      "A person's deadlines as iCalendar (public: the token is the credential): a mentee's application dates, a mentor's evaluations, an admin's program dates",
    request: {
      params: z.object({
        token: z.string().max(128).openapi({
          description: 'The token of a URL from POST /me/calendar',
          example: EXAMPLE_TOKEN,
        }),
      }),
    },
    responses: {
      200: {
        description: 'The calendar; each event keeps its UID when its date moves, and its SEQUENCE goes up',
        content: { 'text/calendar': { schema: z.string().openapi({ example: ICS_EXAMPLE }) } },
      },
      404: problemResponse('No current feed with this token (never issued, replaced or revoked)'),
    },
  }),
};

export function calendarRoutes({ sql, publicBaseUrl }: ApiDeps) {
  const app = newRouter();

  app.openapi(routes.issue, async (c) => {
    const p = principal(c);
    const feed = await issueFeedToken(sql, {
      userId: p.userId,
      role: p.role,
      programs: p.role === 'admin' ? p.programs : [],
    });
    const base = publicBaseUrl ?? new URL(c.req.url).origin;
    return c.json(
      {
        url: `${base}/calendars/${feed.token}`,
        createdAt: feed.createdAt.toISOString(),
        replacedEarlier: feed.replaced,
      },
      201,
      // the answer holds a credential: not cached, and not kept for Idempotency-Key replays
      { 'cache-control': 'no-store' },
    );
  });

  app.openapi(routes.revoke, async (c) => {
    await revokeFeed(sql, principal(c));
    return c.body(null, 204);
  });

  app.openapi(routes.feed, async (c) => {
    const { token } = c.req.valid('param');
    const owner = await findFeed(sql, token);
    if (!owner) throw notFound('calendar feed', `${token.slice(0, 4)}…`);
    return c.body(await renderFeed(sql, owner), 200, {
      'content-type': 'text/calendar; charset=utf-8',
      'content-disposition': 'inline; filename="mentorship.ics"',
      'cache-control': 'private, no-cache',
    });
  });

  return app;
}
