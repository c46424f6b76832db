/**
 * `npx tsx bench/codec-cost.ts [--mentees 1000] [--seconds 8] [--rounds 4] [--only sim,api] [--first plain|encrypted]`
 *
 * What personal-data protection costs (privacy/): payloads encrypted with AES-256-GCM on every client and worker,
 * and free text sealed with each mentee's key where a message is made.
 * - sim: the cohort simulator, the same plan (one seed) with and without encryption, one run each;
 * - api: the message endpoint (a prerequisite completed through the API: an Update, then the read model) with and
 *   without, on one dev server, in alternating rounds so the machine's noise hits both alike.
 * Prints mentees/s and messages/s for each and the ratio (goal: at most 5% slower).
 */
process.env.NODE_ENV ??= 'production';

import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { pino } from 'pino';

const { values } = parseArgs({
  options: {
    mentees: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '4' },
    seed: { type: 'string', default: '7' },
    program: { type: 'string', default: 'examples/programs/lfx-12-week-full-time.json' },
    only: { type: 'string', default: 'sim,api' },
    // which simulation runs first (the other second): a run after another may find the machine warmer
    first: { type: 'string', default: 'plain' },
  },
});
const only = new Set(values.only!.split(','));
const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}x`;

if (only.has('sim')) {
  const { quietRuntime, startSimulationSystem } = await import('../simulator/system.js');
  const { simulate } = await import('../simulator/simulate.js');
  const { loadPrograms, loadScenario } = await import('../simulator/files.js');
  const { ensureTemporalTestServer } = await import('../scripts/temporal-binaries.js');
  quietRuntime();
  const files = await loadPrograms(values.program!);
  const scenario = await loadScenario(undefined);
  const testServerPath = await ensureTemporalTestServer();
  const runSimulation = async (encryption: boolean) => {
    process.stderr.write(
      `simulating ${values.mentees} mentees ${encryption ? 'with' : 'without'} encryption...\n`,
    );
    const system = await startSimulationSystem({ testServerPath, encryption });
    try {
      const run = await system.run(() =>
        simulate(system, files, scenario, { mentees: Number(values.mentees), seed: Number(values.seed) }),
      );
      const seconds = run.timings.runSeconds + run.timings.settleSeconds;
      return {
        mentees: run.plan.applications.length,
        seconds,
        perSecond: run.plan.applications.length / seconds,
      };
    } finally {
      await system.stop();
    }
  };
  const encryptedFirst = values.first === 'encrypted';
  const firstRun = await runSimulation(encryptedFirst);
  const secondRun = await runSimulation(!encryptedFirst);
  const [plain, encrypted] = encryptedFirst ? [secondRun, firstRun] : [firstRun, secondRun];
  console.log('\n| simulator | mentees | seconds | mentees/s |\n|---|---|---|---|');
  for (const [name, f] of [
    ['without encryption', plain],
    ['with encryption', encrypted],
  ] as const) {
    console.log(`| ${name} | ${f.mentees} | ${f.seconds.toFixed(1)} | ${f.perSecond.toFixed(2)} |`);
  }
  console.log(
    `\nsimulator, encrypted / plain mentees per second: ${ratio(encrypted.perSecond, plain.perSecond)}\n`,
  );
}

if (only.has('api')) {
  const { mintToken } = await import('../api/auth.js');
  const { startApi } = await import('../api/run.js');
  const { loadConfig } = await import('../config/index.js');
  const { newKeyringDocument } = await import('../privacy/keyring.js');
  const { startLocalServers } = await import('../scripts/local-servers.js');
  const { programFixture } = await import('../test/support/programs.js');
  const { startWorker } = await import('../worker/run.js');
  const servers = await startLocalServers({ prefix: 'bench-codec' });
  const silent = pino({ level: 'silent' });
  const endpoints = { databaseUrl: servers.database.url, temporalAddress: servers.temporal.address };
  const keys = JSON.stringify(newKeyringDocument('bench'));
  // two stacks on the same servers: their own task queue and port, one encrypting, one not
  const stack = async (encryption: boolean) => {
    const config = loadConfig({
      API_PORT: '0',
      TEMPORAL_TASK_QUEUE: `codec-${encryption}`,
      LOG_LEVEL: 'silent',
      PAYLOAD_KEYS: keys,
    });
    const worker = await startWorker(config, endpoints, silent, { encryption });
    const api = await startApi(config, endpoints, silent, { encryption });
    const token = (userId: string, role: 'ops' | 'mentee') =>
      mintToken(
        { userId, role },
        { issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, secret: config.AUTH_JWT_SECRET },
      );
    const ops = `Bearer ${await token('ops-bench', 'ops')}`;
    const post = async (path: string, body: unknown, authorization: string) => {
      const response = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string };
    };
    const program = programFixture(Date.now(), {
      prerequisites: [{ id: 'intro-call', title: 'Intro call' }],
    });
    await post('/programs', program, ops);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const mentee = `Bearer ${await token(`codec-${encryption}-${i}`, 'mentee')}`;
      ids.push(
        (
          await post(
            `/programs/${program.id}/applications`,
            { mentee: { name: `Bench ${i}`, email: `b${i}@example.org` } },
            mentee,
          )
        ).id,
      );
    }
    // the Update's argument and result pass the codec both ways; it carries no free text, so nothing is sealed
    const requests = ids.map((id) => ({
      method: 'POST' as const,
      path: `/applications/${id}/prerequisites/intro-call/complete`,
      headers: { authorization: ops, 'content-type': 'application/json' },
    }));
    return {
      async measure(seconds = Number(values.seconds)) {
        const result = await autocannon({
          url: api.url,
          connections: 10,
          duration: seconds,
          requests,
        });
        return {
          rps: result.requests.average,
          p99: result.latency.p99,
          errors: result.errors + result.non2xx,
        };
      },
      async stop() {
        await api.stop();
        await worker.stop();
      },
    };
  };
  const plain = await stack(false);
  const encrypted = await stack(true);
  try {
    const rows: {
      plain: number;
      encrypted: number;
      p99Plain: number;
      p99Encrypted: number;
      errors: number;
    }[] = [];
    // a round of each, not counted: both stacks' code paths compiled and their pools open before measuring
    process.stderr.write('warming up both stacks...\n');
    await plain.measure(3);
    await encrypted.measure(3);
    for (let round = 0; round < Number(values.rounds); round++) {
      // alternating which goes first, so a drift of the machine's load during a round hits both alike
      process.stderr.write(`round ${round + 1} of ${values.rounds}...\n`);
      let a: Awaited<ReturnType<typeof plain.measure>>;
      let b: typeof a;
      if (round % 2 === 0) {
        a = await plain.measure();
        b = await encrypted.measure();
      } else {
        b = await encrypted.measure();
        a = await plain.measure();
      }
      rows.push({
        plain: a.rps,
        encrypted: b.rps,
        p99Plain: a.p99,
        p99Encrypted: b.p99,
        errors: a.errors + b.errors,
      });
    }
    console.log(
      '\n| round | plain req/s | encrypted req/s | ratio | p99 plain ms | p99 encrypted ms | errors |',
    );
    console.log('|---|---|---|---|---|---|---|');
    for (const [i, r] of rows.entries()) {
      console.log(
        `| ${i + 1} | ${r.plain.toFixed(0)} | ${r.encrypted.toFixed(0)} | ${ratio(r.encrypted, r.plain)} | ${r.p99Plain} | ${r.p99Encrypted} | ${r.errors} |`,
      );
    }
    const sum = (k: 'plain' | 'encrypted') => rows.reduce((s, r) => s + r[k], 0);
    console.log(
      `\nmessage endpoint, encrypted / plain requests per second: ${ratio(sum('encrypted'), sum('plain'))}`,
    );
  } finally {
    await plain.stop();
    await encrypted.stop();
    await servers.stop();
  }
}
