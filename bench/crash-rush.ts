/**
 * `npx tsx bench/crash-rush.ts [people] [killAfterSeconds]`: a deadline rush against `npm start` (600 people
 * applying, 16 at once, each retrying its own request with its Idempotency-Key as a frontend does, then completing
 * a prerequisite), with the whole `npm start` process killed with -9 eight seconds in and started again at once.
 * Prints how long the restart took, how long after the API was back the last client got its answer, the clients'
 * latencies, and checks the outcome: every application kept once, every client answered 2xx as the first answer.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyRush, type PersonOutcome } from '../chaos/apply-rush.js';
import { EMBEDDED_DATABASE, embeddedDatabaseUrl } from '../config/index.js';
import { connect } from '../db/index.js';
import { embeddedSystemEnv, type StartProcess, spawnStart } from '../scripts/start-process.js';
import { buildIfStale } from '../scripts/worker-process.js';
import { bearer } from '../test/support/auth.js';
import { programFixture } from '../test/support/programs.js';

const PEOPLE = Number(process.argv[2] ?? 600);
const KILL_AFTER_MS = Number(process.argv[3] ?? 8) * 1000;
const CONCURRENCY = 16;

buildIfStale();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-crash-rush-'));
await import('node:fs/promises').then((fs) => fs.chmod(dataDir, 0o755));
const env = await embeddedSystemEnv(path.join(dataDir, 'data'));
const url = `http://127.0.0.1:${env.API_PORT}`;

let system: StartProcess = spawnStart(env);
await system.ready;
const program = programFixture(Date.now());
const created = await fetch(`${url}/programs`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(await bearer({ userId: 'ops-bench', role: 'ops' })) },
  body: JSON.stringify(program),
});
if (created.status !== 201) throw new Error(`program: ${created.status} ${await created.text()}`);

const started = Date.now();
let killedAt = 0;
let backAt = 0;
const crash = (async () => {
  await new Promise((resolve) => setTimeout(resolve, KILL_AFTER_MS));
  system.child.kill('SIGKILL');
  killedAt = Date.now();
  await system.exited;
  system = spawnStart(env);
  await system.ready;
  backAt = Date.now();
})();
const outcomes = await applyRush({
  baseUrl: url,
  programId: program.id,
  people: Array.from({ length: PEOPLE }, (_, i) => `rusher-${i}`),
  concurrency: CONCURRENCY,
});
await crash;
const finished = Date.now();

const sql = connect(embeddedDatabaseUrl(Number(env.EMBEDDED_POSTGRES_PORT), EMBEDDED_DATABASE));
const [kept] = await sql<{ applications: number; people: number }[]>`
  SELECT count(*)::int AS applications, count(DISTINCT mentee_id)::int AS people
  FROM applications WHERE program_id = ${program.id}`;
await sql.end();
system.child.kill('SIGINT');
await system.exited;
await rm(dataDir, { recursive: true, force: true });

const answered = (o: PersonOutcome) => o.prerequisite.at;
// the requests that crossed the crash: retried, and answered after the API was back
const crossed = outcomes
  .flatMap((o) => [o.apply, o.prerequisite])
  .filter((a) => a.retries > 0 && a.at > backAt);
const lastCrossed = Math.max(...crossed.map((a) => a.at));
const notFirst = outcomes.filter(
  (o) => o.apply.status !== 201 || o.prerequisite.status !== 200 || o.prerequisite.body.duplicate !== false,
);
const throughCrash = outcomes.filter((o) => o.retried.noConnection + o.retried.inFlight > 0);
const perClient = outcomes.map((o) => answered(o) - started).sort((a, b) => a - b);
const pct = (p: number) =>
  perClient[Math.min(perClient.length - 1, Math.floor((p / 100) * perClient.length))]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(
  `crash rush: ${PEOPLE} people, ${CONCURRENCY} at once, npm start killed with -9 at ${s(killedAt - started)}`,
);
console.log(`  restart (kill -9 to the API serving again)      ${s(backAt - killedAt)}`);
console.log(
  `  API back to the last crossing request answered  ${s(lastCrossed - backAt)}   (goal: under 5 s)`,
);
console.log(
  `  requests that crossed the crash (retried)       ${crossed.length}, of ${throughCrash.length} clients`,
);
console.log(`  whole rush                                      ${s(finished - started)}`);
console.log(`  time to each client's last answer: p50 ${s(pct(50))}, p99 ${s(pct(99))}, max ${s(pct(100))}`);
console.log(
  `  applications kept ${kept?.applications} for ${kept?.people} people (sent ${PEOPLE}); answered not as the first: ${notFirst.length}`,
);
if (kept?.applications !== PEOPLE || kept.people !== PEOPLE || notFirst.length > 0) process.exitCode = 1;
if (process.env.CRASH_RUSH_DETAIL) {
  for (const o of outcomes) {
    for (const [name, a] of [
      ['apply', o.apply],
      ['prerequisite', o.prerequisite],
    ] as const) {
      if (a.retries > 0)
        console.log(
          `    ${o.person} ${name}: ${a.retries} retries, answered ${s(a.at - backAt)} after back`,
          o.retried,
        );
    }
  }
}
