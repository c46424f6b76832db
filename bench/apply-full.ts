/**
 * `npx tsx bench/apply-full.ts [applicants]`: applying with a full application through the API (a 1 MB PDF proposal
 * uploaded, the projects, three answers, submitted at once) against today's bare apply (name and email only), in
 * one run on the same servers: applies per second and each applicant's latency (p50/p99), in alternating rounds
 * so the machine's noise falls on both alike, and their ratio.
 */
import { pino } from 'pino';
import { mintToken } from '../api/auth.js';
import { startApi } from '../api/run.js';
import { loadConfig } from '../config/index.js';
import { newKeyringDocument } from '../privacy/keyring.js';
import { startLocalServers } from '../scripts/local-servers.js';
import { programFixture } from '../test/support/programs.js';
import { startWorker } from '../worker/run.js';

const APPLICANTS = Number(process.argv[2] ?? 120);
const CONCURRENCY = 8;
const ROUNDS = 4;
const PROPOSAL = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1024 * 1024 - 9, 0x20)]);

const servers = await startLocalServers({ prefix: 'bench-apply-full' });
const silent = pino({ level: 'silent' });
const config = loadConfig({
  API_PORT: '0',
  TEMPORAL_TASK_QUEUE: 'bench-apply',
  LOG_LEVEL: 'silent',
  PAYLOAD_KEYS: JSON.stringify(newKeyringDocument('bench')),
});
const endpoints = { databaseUrl: servers.database.url, temporalAddress: servers.temporal.address };
const worker = await startWorker(config, endpoints, silent);
const api = await startApi(config, endpoints, silent);
const auth = { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, secret: config.AUTH_JWT_SECRET };
const bearer = async (userId: string, role: 'ops' | 'mentee') =>
  `Bearer ${await mintToken({ userId, role }, auth)}`;

async function send(path: string, init: RequestInit & { headers: Record<string, string> }) {
  const response = await fetch(`${api.url}${path}`, init);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<{ id: string }>;
}
const postJson = (path: string, body: unknown, authorization: string) =>
  send(path, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

type Variant = 'bare' | 'full';
const figures: Record<Variant, { latencies: number[]; seconds: number; applies: number }> = {
  bare: { latencies: [], seconds: 0, applies: 0 },
  full: { latencies: [], seconds: 0, applies: 0 },
};

try {
  const ops = await bearer('ops-bench', 'ops');
  const now = Date.now();
  const bare = programFixture(now, { id: `bench-bare-${now % 100_000}` });
  const full = {
    ...programFixture(now, { id: `bench-full-${now % 100_000}` }),
    projects: [
      { id: 'p1', title: 'Project one', mentors: [{ id: 'm1', name: 'M1', email: 'm1@example.org' }] },
    ],
    questions: [
      { id: 'why', prompt: 'Why?', kind: 'long-text' },
      { id: 'plan', prompt: 'Your plan', kind: 'long-text' },
      { id: 'site', prompt: 'A link', kind: 'url' },
    ],
    proposal: 'required',
  };
  await postJson('/programs', bare, ops);
  await postJson('/programs', full, ops);

  const applyBare = async (person: string, authorization: string) => {
    await postJson(
      `/programs/${bare.id}/applications`,
      { mentee: { name: person, email: `${person}@example.org` } },
      authorization,
    );
  };
  const applyFull = async (person: string, authorization: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PROPOSAL)], { type: 'application/pdf' }), 'proposal.pdf');
    const file = await send('/files', { method: 'POST', headers: { authorization }, body: form });
    await postJson(
      `/programs/${full.id}/applications`,
      {
        mentee: { name: person, email: `${person}@example.org` },
        projectIds: ['p1'],
        answers: { why: 'x'.repeat(1500), plan: 'y'.repeat(3000), site: 'https://example.org/me' },
        proposalFileId: file.id,
        submit: true,
      },
      authorization,
    );
  };

  const run = async (variant: Variant, round: number, count: number) => {
    const people = Array.from({ length: count }, (_, i) => `${variant}-${round}-${i}`);
    const tokens = await Promise.all(people.map((p) => bearer(p, 'mentee')));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < people.length) {
          const i = next++;
          const t = performance.now();
          await (variant === 'bare' ? applyBare : applyFull)(people[i]!, tokens[i]!);
          figures[variant].latencies.push(performance.now() - t);
        }
      }),
    );
    figures[variant].seconds += (performance.now() - started) / 1000;
    figures[variant].applies += count;
  };
  await run('bare', -1, 16); // warm both paths before measuring
  await run('full', -1, 16);
  figures.bare = { latencies: [], seconds: 0, applies: 0 };
  figures.full = { latencies: [], seconds: 0, applies: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 === 0 ? (['bare', 'full'] as const) : (['full', 'bare'] as const)) {
      await run(variant, round, Math.ceil(APPLICANTS / ROUNDS));
    }
  }
  const pct = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  };
  const line = (variant: Variant) => {
    const f = figures[variant];
    return `${(f.applies / f.seconds).toFixed(1).padStart(7)} applies/s   p50 ${pct(f.latencies, 50).toFixed(0).padStart(5)} ms   p99 ${pct(f.latencies, 99).toFixed(0).padStart(5)} ms`;
  };
  console.log(
    `apply, ${APPLICANTS} applicants per variant, ${CONCURRENCY} at once, ${ROUNDS} alternating rounds`,
  );
  console.log(`  bare apply (name, email)                          ${line('bare')}`);
  console.log(`  full application (1 MB PDF, answers, submitted)   ${line('full')}`);
  const rate = (v: Variant) => figures[v].applies / figures[v].seconds;
  console.log(`  bare / full applies per second: ${(rate('bare') / rate('full')).toFixed(2)}x`);
} finally {
  await api.stop();
  await worker.stop();
  await servers.stop();
}
