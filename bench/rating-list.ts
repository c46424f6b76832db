/**
 * `npx tsx bench/rating-list.ts [applications] [seconds]`: the reviewers' applicant list of one program with 5,000
 * applications (each with a status document, a form, two mentors' ratings, some flags), sorted by average rating,
 * first pages and deep cursor pages, under autocannon; beside it in the same run the same list sorted by creation
 * (today's list) as the baseline. Prints requests per second, p50 and p99, and the ratio.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { mintToken } from '../api/auth.js';
import { startApi } from '../api/run.js';
import { loadConfig } from '../config/index.js';
import { connect } from '../db/index.js';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { startLocalServers } from '../scripts/local-servers.js';
import { programFixture } from '../test/support/programs.js';

const APPLICATIONS = Number(process.argv[2] ?? 5_000);
const SECONDS = Number(process.argv[3] ?? 8);
const CONNECTIONS = 8;

const servers = await startLocalServers({ prefix: 'bench-rating-list' });
const silent = pino({ level: 'silent' });
const config = loadConfig({ API_PORT: '0', TEMPORAL_TASK_QUEUE: 'bench-list', LOG_LEVEL: 'silent' });
const endpoints = { databaseUrl: servers.database.url, temporalAddress: servers.temporal.address };
const api = await startApi(config, endpoints, silent);
const sql = connect(servers.database.url);

try {
  const program = ProgramInput.parse({
    ...programFixture(Date.now(), { id: 'bench-list' }),
    projects: [
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
    ],
    questions: [{ id: 'why', prompt: 'Why?', kind: 'long-text' }],
  });
  await sql`INSERT INTO programs (id, name, term, admin_email, definition, rules)
            VALUES (${program.id}, ${program.name}, ${program.term}, ${program.adminEmail},
                    ${sql.json(program as never)}, ${sql.json(rulesOf(program) as never)})`;
  // the application rows as the workflows and reviewers leave them: a status document, a form, ratings
  const status = (i: number) => ({
    stage: 'awaiting_selection',
    prerequisites: { done: i % 7 === 0 ? [] : ['application'], open: i % 7 === 0 ? ['application'] : [] },
    next: { what: 'selection', deadline: program.selectionDeadline },
  });
  for (let start = 0; start < APPLICATIONS; start += 500) {
    const batch = Array.from({ length: Math.min(500, APPLICATIONS - start) }, (_, k) => start + k);
    const rows = batch.map((i) => ({ i, id: randomUUID(), mentee: `list-${i}` }));
    await sql`INSERT INTO mentees ${sql(rows.map((r) => ({ id: r.mentee, name: `Applicant ${r.i}`, email: `${r.mentee}@example.org` })))}`;
    await sql`INSERT INTO applications ${sql(
      rows.map((r) => ({
        id: r.id,
        program_id: program.id,
        mentee_id: r.mentee,
        workflow_id: `mentee-application/${r.id}`,
        stage: 'awaiting_selection',
        status: sql.json(status(r.i) as never),
        review_closes_at: new Date(),
        rating_average: ((r.i * 37) % 400) / 100 + 1,
        rating_count: 2,
        flag_count: r.i % 50 === 0 ? 1 : 0,
      })),
    )}`;
    await sql`INSERT INTO application_content ${sql(
      rows.map((r) => ({
        application_id: r.id,
        project_ids: [r.i % 2 ? 'a' : 'b'],
        submitted_at: new Date(),
      })),
    )}`;
    await sql`INSERT INTO ratings ${sql(
      rows.flatMap((r) =>
        ['m1', 'm2'].map((m) => ({
          application_id: r.id,
          mentor_id: m,
          scores: sql.json({ overall: 3 } as never),
          average: ((r.i * 37) % 400) / 100 + 1,
        })),
      ),
    )}`;
  }
  await sql`ANALYZE`;
  const token = await mintToken(
    { userId: 'm1', role: 'mentor', programs: [program.id] },
    { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, secret: config.AUTH_JWT_SECRET },
  );
  const authorization = `Bearer ${token}`;
  // a few cursors deep into each list, as a reviewer paging through
  const cursors = async (query: string) => {
    const found = [''];
    let cursor = '';
    for (let page = 0; page < 20; page++) {
      const response = await fetch(
        `${api.url}/programs/${program.id}/applications?${query}&limit=50${cursor && `&cursor=${cursor}`}`,
        {
          headers: { authorization },
        },
      );
      cursor = ((await response.json()) as { nextCursor: string | null }).nextCursor ?? '';
      if (!cursor) break;
      if (page % 5 === 4) found.push(cursor);
    }
    return found;
  };
  const measure = async (name: string, query: string) => {
    const pages = await cursors(query);
    const result = await autocannon({
      url: api.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: { authorization },
      requests: pages.map((cursor) => ({
        method: 'GET' as const,
        path: `/programs/${program.id}/applications?${query}&limit=50${cursor && `&cursor=${cursor}`}`,
      })),
    });
    return {
      name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
    };
  };
  const rows = [
    await measure('sorted by creation (baseline)', 'sort=createdAt'),
    await measure('sorted by average rating', 'sort=-rating'),
    await measure('by rating, complete only, project a', 'sort=-rating&complete=true&project=a'),
  ];
  console.log(
    `the applicant list of one program with ${APPLICATIONS} applications, 50 a page, ${CONNECTIONS} connections, ${SECONDS} s each`,
  );
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(40)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors}`,
    );
  }
  console.log(`  p99 by rating / by creation: ${(rows[1]!.p99 / rows[0]!.p99).toFixed(2)}x`);
} finally {
  await sql.end();
  await api.stop();
  await servers.stop();
}
