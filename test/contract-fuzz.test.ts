import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, type Principal } from '../api/auth.js';
import { type CursorList, encodeCursor, LISTS, type Position } from '../api/pagination.js';
import {
  type Actor,
  completeOnboardingStepUpdate,
  completePrerequisiteUpdate,
  decideSelectionUpdate,
} from '../domain/messages.js';
import { ProgramInput, type ProgramRules, rulesOf } from '../domain/program.js';
import { apply, findApplication, sendMessage } from '../mentees/client.js';
import { ensureSchemathesis } from '../scripts/schemathesis.js';
import { findFreePort, terminateProcess } from '../scripts/temporal-binaries.js';
import { startDevSystem } from './support/dev-system.js';
import { PREREQUISITES, programFixture } from './support/programs.js';

/*
 * Contract fuzzing: Schemathesis generates requests from the OpenAPI document the API serves (valid and invalid
 * ones, every phase: examples, coverage, fuzzing, and stateful chains that follow the document's links from an
 * application to its operations) and checks every answer against the same document. The API runs as deployed
 * (`api/main.ts` in its own process, with a JWT secret of this run) on the real dev server and Postgres; one
 * run per role, each with that role's token.
 */

const TASK_QUEUE = 'contract-fuzz';
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 20);
const SECRET = randomBytes(32).toString('hex');
const PROGRAMS = [
  'lfx-2026-t2',
  ...Array.from({ length: 24 }, (_, i) => `fuzz-${String(i).padStart(2, '0')}`),
];
const MENTOR = 'mentor-ada';
const ROLES: Record<string, Principal> = {
  mentee: { userId: 'mentee-fuzz', role: 'mentee', programs: [] },
  mentor: { userId: MENTOR, role: 'mentor', programs: PROGRAMS },
  admin: { userId: 'admin-fuzz', role: 'admin', programs: PROGRAMS },
  ops: { userId: 'ops-fuzz', role: 'ops', programs: [] },
};

let system: Awaited<ReturnType<typeof startDevSystem>>;
let worker: Worker;
let running: Promise<void>;
let api: ChildProcess;
let apiUrl: string;
let apiOutput = '';
let st: string;
let workDir: string;
const applications: string[] = [];
// the whole Schemathesis output of each run, to read a finding's reproduction (git-ignored)
const REPORTS = fileURLToPath(new URL('../.tmp/', import.meta.url));

beforeAll(async () => {
  const installed = await ensureSchemathesis();
  if (!installed) throw new Error('Schemathesis needs python3 with venv; `npm run provision` installs it');
  st = installed;
  await mkdir(REPORTS, { recursive: true });
  workDir = await mkdtemp(path.join(tmpdir(), 'contract-fuzz-'));
  system = await startDevSystem(TASK_QUEUE);
  worker = await system.newWorker();
  running = worker.run();
  await seed();

  const port = await findFreePort();
  apiUrl = `http://127.0.0.1:${port}`;
  api = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: system.databaseUrl,
      TEMPORAL_ADDRESS: system.server.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      AUTH_JWT_SECRET: SECRET,
      CERTIFICATE_RATE_LIMIT: '0',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    apiOutput = (apiOutput + chunk.toString()).slice(-200_000);
  };
  api.stdout!.on('data', keep);
  api.stderr!.on('data', keep);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`${apiUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline || api.exitCode !== null) throw new Error(`API did not start:\n${apiOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 240_000);

afterAll(async () => {
  if (api) await terminateProcess(api, 10_000);
  worker?.shutdown();
  await running;
  await system?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Programs open for applications, and applications in review and active with MENTOR, for every role to reach. */
async function seed(): Promise<void> {
  for (const id of PROGRAMS) {
    const created = await system.call('POST', '/programs', programFixture(Date.now(), { id }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  await system.sql`INSERT INTO mentors (id, name, email) VALUES (${MENTOR}, 'Ada Lovelace', 'ada@example.org')`;
  const admin: Actor = { userId: 'admin-seed', role: 'admin' };
  const program = ProgramInput.parse(programFixture(Date.now(), { id: PROGRAMS[0] }));
  const reviewClosesIn = 4_000;
  const rules: ProgramRules = {
    ...rulesOf(program),
    reviewReminderAt: null,
    reviewClosesAt: new Date(Date.now() + reviewClosesIn).toISOString(),
  };
  const seeded = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const mentee = {
        id: `seeded-${i}`,
        name: `Seeded ${i}`,
        email: `seeded-${i}@example.org`,
        country: 'IN',
      };
      const { applicationId } = await apply(system.deps, { id: program.id, rules }, mentee, '');
      const application = await findApplication(system.sql, applicationId);
      if (i < 4)
        for (const p of PREREQUISITES)
          await sendMessage(system.client, application, completePrerequisiteUpdate, { prerequisiteId: p.id });
      return application;
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, reviewClosesIn + 1_000));
  for (const application of seeded.slice(0, 4)) {
    await sendMessage(system.client, application, decideSelectionUpdate, {
      by: admin,
      decision: 'select',
      mentor: { id: MENTOR },
      projectTitle: 'Fuzzing the API',
    });
    for (const stepId of ['contract', 'tax-form', 'payment-details'])
      await sendMessage(system.client, application, completeOnboardingStepUpdate, { stepId, by: admin });
  }
  const inReview = await Promise.all(
    [1, 2].map(async (n) => {
      const mentee = { id: `reviewed-${n}`, name: `Reviewed ${n}`, email: `reviewed-${n}@example.org` };
      const program1 = { id: PROGRAMS[1]!, rules: rulesOf(ProgramInput.parse(programFixture(Date.now()))) };
      return (await apply(system.deps, program1, mentee, '')).applicationId;
    }),
  );
  applications.push(...seeded.map((a) => a.id), ...inReview);
}

const toml = (value: unknown) => JSON.stringify(value);

/** One Schemathesis configuration per role: its token, the seeded ids as dictionaries, every check. */
async function configFor(role: string, token: string): Promise<string> {
  const file = path.join(workDir, `${role}.toml`);
  await writeFile(
    file,
    [
      `headers = { Authorization = ${toml(`Bearer ${token}`)} }`,
      'workers = 2',
      'request-timeout = 30.0',
      '[generation]',
      `max-examples = ${MAX_EXAMPLES}`,
      'database = "none"',
      // Postgres text cannot hold NUL: such a value is a 422 the hostile-input test covers, not a schema rule
      'allow-x00 = false',
      '[checks]',
      'enabled = true',
      // a body past 64 KiB (a long string of 4-byte characters) is refused with 413 before its fields are read
      `negative_data_rejection = { expected-statuses = ${toml(['400', '401', '403', '404', '405', '406', '409', '413', '415', '422', '428', '429'])} }`,
      '[dictionaries.programs]',
      `values = ${toml(PROGRAMS)}`,
      '[dictionaries.applications]',
      `values = ${toml(applications)}`,
      '[parameters]',
      '"path.programId" = { dictionary = "programs", probability = 0.6 }',
      '"path.applicationId" = { dictionary = "applications", probability = 0.5 }',
      ...cursorDictionaries(),
      ...rulesBeyondTheSchema(),
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * Valid cursors of each list, for its operations: a schema-valid cursor is only one the API returned for that
 * list (the document says so; a cursor of another list or a made-up one is a 400, which the examples check).
 */
function cursorDictionaries(): string[] {
  const application = applications[0]!;
  const lists: [string, CursorList, Position[]][] = [
    [
      '^/(programs/[^/]+/applications|mentors/[^/]+/mentees|me/applications)$',
      LISTS.applications,
      applications.map((id) => ({ value: '', id })),
    ],
    [
      '^/evaluations/due$',
      LISTS.evaluationsDue,
      [1, 2, 3, 4].map((n) => ({
        value: new Date(Date.now() + n * 86_400_000).toISOString(),
        id: `${application}/${n}`,
      })),
    ],
    [
      '^/stipend-installments$',
      LISTS.installments,
      [
        { value: '', id: `${application}/1` },
        { value: new Date().toISOString(), id: `${application}/2` },
      ],
    ],
    ['^/programs/[^/]+/certificates$', LISTS.certificates, [{ value: '', id: 'K7PD-2QXM-9RTA' }]],
    ['^/programs$', LISTS.programs, PROGRAMS.map((id) => ({ value: '', id }))],
  ];
  return lists
    .flatMap(([, list, positions]) => [
      `[dictionaries.cursor-${list.name}]`,
      `values = ${toml(positions.map((p) => encodeCursor(list, p)))}`,
    ])
    .concat(
      lists.flatMap(([paths, list]) => [
        '[[operations]]',
        `include-path-regex = ${toml(paths)}`,
        `parameters = { "query.cursor" = { dictionary = "cursor-${list.name}", probability = 1.0 }, "path.programId" = { dictionary = "programs", probability = 0.6 } }`,
        'checks = { positive_data_acceptance = { enabled = false } }',
      ]),
    );
}

/**
 * Operations whose 422 can refuse a request the schema allows, because the rule is the program's or the
 * mentee's state (stored, not in the request) or ties fields together in a way the document states in words:
 * everything else about them is checked, and every other operation's valid requests must be accepted.
 */
const RULES_BEYOND_THE_SCHEMA: Record<string, string> = {
  'POST /programs': 'a termId must name a stored term; the dates must come in order',
  'PATCH /programs/{programId}/schedule': "the new dates must fit the program's stored ones",
  'POST /admin/programs/{programId}/schedule-change': "the new dates must fit the program's stored ones",
  'POST /applications/{applicationId}/extensions': "at most the program's maxExtensionDays in all",
  'POST /admin/applications/{applicationId}/extensions': "at most the program's maxExtensionDays in all",
  'POST /applications/{applicationId}/evaluations/{number}':
    "a recommendation must agree with the outcome and the program's evaluation policy",
  'POST /applications/{applicationId}/stipend/{number}/approval':
    'only programs that approve installments; a decline needs a reason',
  'POST /programs/{programId}/stipend-approvals':
    'only programs that approve installments; a decline needs a reason',
  'POST /admin/applications/{applicationId}/emails/{email}/resend':
    'a requestId or an Idempotency-Key header names the request',
  'POST /programs/{programId}/applications': "answers and projects must fit the program's stored form",
  'PATCH /applications/{applicationId}/content':
    "answers must fit the program's stored questions; If-Match must carry the version read (428 without, 412 stale)",
  'POST /applications/{applicationId}/contributions': "a projectId must name one of the program's projects",
  'POST /applications/{applicationId}/tasks/{taskId}/submission':
    "a submission carries what the task's kind asks for (text, url, fileId of the caller's upload, or nothing)",
  'PUT /applications/{applicationId}/rating': "the scores rate exactly the program's criteria",
  'PUT /programs/{programId}/ranking': "the ids must be the program's applications",
  'PUT /me/profile': "a resumeFileId must be the caller's own upload",
  'POST /files': 'the bytes must be a PDF (415 otherwise), at most the configured size (413)',
  'POST /codec/{namespace}/{operation}':
    'a payload marked binary/encrypted must decrypt with a key of the keyring (422 naming the key otherwise)',
  // and the lists (cursorDictionaries): a cursor is one the API returned for that list; any string fits its schema
};

function rulesBeyondTheSchema(): string[] {
  return Object.keys(RULES_BEYOND_THE_SCHEMA).flatMap((name) => [
    '[[operations]]',
    `include-name = ${toml(name)}`,
    'checks = { positive_data_acceptance = { enabled = false } }',
  ]);
}

interface RunResult {
  code: number | null;
  output: string;
  requests: number;
}

async function fuzz(role: string): Promise<RunResult> {
  const token = await mintToken(ROLES[role]!, {
    issuer: 'mentorship-dev',
    audience: 'mentorship-api',
    secret: SECRET,
  });
  const config = await configFor(role, token);
  const ndjson = path.join(REPORTS, `contract-fuzz-${role}.ndjson`);
  const child = spawn(
    st,
    [
      '--config-file',
      config,
      'run',
      `${apiUrl}/openapi.json`,
      '--report',
      'ndjson',
      '--report-ndjson-path',
      ndjson,
      '--no-color',
      '--seed',
      String(Object.keys(ROLES).indexOf(role) + 1),
    ],
    {
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SCHEMATHESIS_WAIT_FOR_SCHEMA: '30' },
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  // every request sent and answered, across phases, from the run's event log
  let requests = 0;
  for (const line of (await readFile(ndjson, 'utf8').catch(() => '')).split('\n')) {
    if (!line.startsWith('{"ScenarioFinished"')) continue;
    const { interactions = {} } = (
      JSON.parse(line) as {
        ScenarioFinished: { recorder: { interactions?: Record<string, { response?: unknown }> } };
      }
    ).ScenarioFinished.recorder;
    requests += Object.values(interactions).filter((i) => i.response).length;
  }
  return { code, output, requests };
}

const sent: Record<string, number> = {};

describe('the API against its own OpenAPI document (Schemathesis)', () => {
  for (const role of Object.keys(ROLES)) {
    it(`answers every generated request as documented, with a ${role} token`, {
      timeout: 600_000,
    }, async () => {
      const started = performance.now();
      let result = await fuzz(role);
      // an error inside the tool, not a finding: Hypothesis parses the source of a filter to name it, and CPython
      // 3.11's ast.parse can raise this SystemError when Schemathesis' two worker threads do so at once
      // (it hit twice in a row under load: up to three runs)
      for (
        let runs = 1;
        runs < 3 && result.code !== 0 && result.output.includes('AST constructor recursion depth mismatch');
        runs++
      ) {
        console.log(`schemathesis (${role}): the tool hit CPython's ast.parse race; running it again`);
        result = await fuzz(role);
      }
      await writeFile(path.join(REPORTS, `contract-fuzz-${role}.txt`), result.output);
      sent[role] = result.requests;
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `schemathesis (${role}): ${result.requests} requests in ${seconds} s, exit code ${result.code}`,
      );
      // the whole report is in .tmp/contract-fuzz-<role>.txt; a failure shows its findings
      const serverErrors = apiOutput.split('\n').filter((line) => line.includes('unhandled API error'));
      expect(serverErrors.slice(0, 5)).toEqual([]);
      const findings = result.output.slice(result.output.indexOf('=== FAILURES ==='));
      expect(result.code, findings.slice(0, 20_000)).toBe(0);
      expect(result.requests).toBeGreaterThan(1000);
    });
  }

  it('sent at least 5,000 requests in all', () => {
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    console.log(`schemathesis: ${total} requests (${JSON.stringify(sent)})`);
    expect(total).toBeGreaterThanOrEqual(5000);
  });
});
