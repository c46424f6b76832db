import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { erasureWorkflowId, menteeWorkflowId } from '../domain/ids.js';
import { statusQuery } from '../domain/messages.js';
import { ProgramInput, rulesOf } from '../domain/program.js';
import { apply } from '../mentees/client.js';
import { keyringOf, newKeyringDocument } from '../privacy/keyring.js';
import { ENCRYPTED_ENCODING, EncryptionCodec, UnknownPayloadKeyError } from '../privacy/payload-codec.js';
import { subjectDigest } from '../privacy/personal-data.js';
import { ERASED_TEXT, holdsSealedText, PersonalTexts } from '../privacy/personal-texts.js';
import { bearer } from './support/auth.js';
import { driver } from './support/drive.js';
import { TEST_KEYRING } from './support/keyring.js';
import { DAYS, HOURS, SCHEDULE } from './support/programs.js';
import { TEST_UI_ORIGIN, testSystemForFile } from './support/system.js';

/*
 * Personal data as the law asks: payloads encrypted in Temporal (readable by ops through the codec endpoint),
 * free text about a person sealed with their own key, their data exported, erased (histories included: nothing
 * readable survives), and the content of applicants not selected removed once the program's retention passed.
 */
const system = testSystemForFile();

const PDF_MARK = 'résumé-of-zephyrine-qx';
const PDF = Buffer.from(
  `%PDF-1.4\n% ${PDF_MARK}\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
);
/** Everything readable about the person; none of it may survive the erasure, anywhere. */
const PERSON = {
  id: 'zq-person-1',
  name: 'Zephyrine Quillfeather',
  email: 'zephyrine.quillfeather@example.org',
};
const TEXTS = {
  evaluation: 'Zephyrine shipped the scheduler rewrite early',
  contribution: 'Zephyrine fixed the flaky retry test',
  note: 'Zephyrine seems strong on Go',
  phoneCall: 'Called Zephyrine on her mobile',
  survey: 'The program changed my career',
};
const READABLE = [PERSON.name, PERSON.email, PDF_MARK, 'Zephyrine', ...Object.values(TEXTS)];

type Who = Parameters<typeof bearer>[0];
const as = async (who: Who, method: string, path: string, body?: unknown) =>
  system.call(method, path, body, await bearer(who));
const me: Who = { userId: PERSON.id, role: 'mentee' };
const ops: Who = { userId: 'ops-privacy', role: 'ops' };

/**
 * Every workflow of this file: the time-skipping server lists none, so they are named from what started them
 * (applications, programs' retention timers, erasures).
 */
async function allWorkflowIds(): Promise<string[]> {
  const rows = await system.sql<{ id: string }[]>`
    SELECT workflow_id AS id FROM applications
    UNION ALL SELECT 'content-retention/' || id FROM programs
    UNION ALL SELECT 'erasure/' || subject_digest FROM erasures`;
  return rows.map((r) => r.id);
}

/** Every payload of every workflow history, decoded with `codec` (undefined: as stored). */
async function historiesText(codec?: EncryptionCodec): Promise<{ text: string; types: Set<string> }> {
  const parts: string[] = [];
  const types = new Set<string>();
  for (const workflowId of await allWorkflowIds()) {
    const handle = system.env.client.workflow.getHandle(workflowId);
    types.add((await handle.describe()).type);
    const history = await handle.fetchHistory();
    const payloads: Payload[] = [];
    collectPayloads(history, payloads);
    const decoded = codec ? await codec.decode(payloads) : payloads;
    for (const payload of decoded) parts.push(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
    // failures' messages and stack traces too (encoded into a payload when encrypted)
    parts.push(
      JSON.stringify(history, (key, value) => (key === 'data' || key === 'metadata' ? undefined : value)),
    );
  }
  return { text: parts.join('\n'), types };
}

function collectPayloads(node: unknown, into: Payload[]): void {
  if (!node || typeof node !== 'object') return;
  if (ArrayBuffer.isView(node)) return;
  const record = node as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'data' in record) {
    into.push(record as Payload);
    return;
  }
  for (const value of Object.values(record)) collectPayloads(value, into);
}

/** Every row of every table, as text, and every byte of every stored file. */
async function databaseText(): Promise<string> {
  const tables = await system.sql<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { name } of tables) {
    const rows = await system.sql<{ row: string }[]>`SELECT t::text AS row FROM ${system.sql(name)} t`;
    parts.push(...rows.map((r) => r.row));
  }
  const files = await system.sql<{ content: Buffer | null }[]>`SELECT content FROM files`;
  parts.push(...files.map((f) => f.content?.toString('utf8') ?? ''));
  const letters = await system.sql<{ pdf: Buffer | null }[]>`SELECT pdf FROM certificates`;
  parts.push(...letters.map((l) => l.pdf?.toString('latin1') ?? ''));
  return parts.join('\n');
}

describe('the payload codec', () => {
  it('encrypts every payload, reads every key of its keyring, passes plain payloads through, and names an unknown key', async () => {
    const before = keyringOf(newKeyringDocument('k1'));
    const plain: Payload = {
      metadata: { encoding: new TextEncoder().encode('json/plain') },
      data: new TextEncoder().encode(JSON.stringify({ comments: TEXTS.evaluation })),
    };
    const [encrypted] = await new EncryptionCodec(before).encode([plain]);
    expect(new TextDecoder().decode(encrypted!.metadata!.encoding!)).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted!.data!).toString('latin1')).not.toContain('Zephyrine');

    // rotated: a new current key, the old one kept for what it encrypted
    const k1 = before.get('k1')!.toString('base64');
    const rotated = keyringOf({ current: 'k2', keys: { k1, k2: newKeyringDocument('k2').keys.k2! } });
    const [decoded, passed] = await new EncryptionCodec(rotated).decode([encrypted!, plain]);
    expect(Buffer.from(decoded!.data!).toString()).toBe(Buffer.from(plain.data!).toString());
    expect(passed).toBe(plain);
    const [again] = await new EncryptionCodec(rotated).encode([plain]);
    expect(new TextDecoder().decode(again!.metadata!['encryption-key-id']!)).toBe('k2');

    // a keyring without k1: a clear error naming it, never an empty value
    const without = keyringOf(newKeyringDocument('k3'));
    const refused = await new EncryptionCodec(without).decode([encrypted!]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnknownPayloadKeyError);
    expect(String(refused)).toMatch(/key "k1"/);
  });
});

describe("one person's data over a whole term", () => {
  it('is encrypted in Temporal, exported on request, refused erasure while the mentorship runs, then erased everywhere', {
    timeout: 300_000,
  }, async () => {
    const drive = driver(system);
    const { program, closes, dueAt } = await drive.newProgram();
    const uploaded = await uploadResume(me);
    expect(
      (await as(me, 'PUT', '/me/profile', { ...profileOf(PERSON), resumeFileId: uploaded })).status,
    ).toBe(200);
    const applied = await as(me, 'POST', `/programs/${program.id}/applications`, {
      mentee: { id: PERSON.id, name: PERSON.name, email: PERSON.email, country: 'DE' },
    });
    expect(applied.status).toBe(201);
    const id = applied.body.id as string;
    expect(
      (
        await as(me, 'POST', `/applications/${id}/contributions`, {
          url: 'https://github.com/org/repo/pull/1',
          description: TEXTS.contribution,
          date: '2027-01-12',
        })
      ).status,
    ).toBe(201);
    const mentorId = 'mentor-zq';
    const mentor: Who = { userId: mentorId, role: 'mentor', programs: [program.id] };
    expect((await as(mentor, 'POST', `/applications/${id}/notes`, { note: TEXTS.note })).status).toBe(201);
    await drive.makeActive(id, closes, mentorId);
    await drive.call('POST', `/applications/${id}/phone-calls`, { note: TEXTS.phoneCall });

    // a running mentorship: erasure is refused, saying what to do first
    const early = await as(me, 'POST', '/me/erasure');
    expect(early.status).toBe(409);
    expect(early.body.blockers.map((b: { reason: string }) => b.reason)).toEqual(['mentorship-running']);
    expect(early.body.detail).toMatch(/withdraw it/);
    // someone else's erasure: only ops
    expect(
      (await as({ userId: 'other', role: 'mentee' }, 'POST', `/people/${PERSON.id}/erasure`)).status,
    ).toBe(403);

    for (const item of ['project-plan', 'starter-docs', 'milestone-1', 'milestone-2']) {
      await drive.call('POST', `/applications/${id}/progress/${item}/complete`);
    }
    await drive.call('POST', `/applications/${id}/feedback-survey`, { rating: 5, comments: TEXTS.survey });
    for (const n of [1, 2, 3, 4]) {
      await drive.skipTo(dueAt(n) - 3 * DAYS);
      await drive.call('POST', `/applications/${id}/evaluations/${n}`, {
        mentorId,
        ratings: { tasksAndMilestones: 4, engagement: 5, progressAgainstPlan: 4 },
        comments: TEXTS.evaluation,
        outcome: 'pass',
      });
    }
    const handle = system.env.client.workflow.getHandle(menteeWorkflowId(id));
    expect((await handle.result()).stage).toBe('completed');
    const status = (await drive.call('GET', `/applications/${id}`)).body;
    const code = status.certificateCode as string;

    // Temporal holds ciphertext: neither stored payloads nor decoded ones carry the free text, which is sealed
    const stored = await historiesText();
    for (const text of READABLE) expect(stored.text).not.toContain(text);
    const decoded = await historiesText(new EncryptionCodec(TEST_KEYRING));
    expect(decoded.text).toContain(id);
    expect(holdsSealedText(decoded.text)).toBe(true);
    for (const text of READABLE) expect(decoded.text).not.toContain(text);
    // the read model shows the opened text to those allowed to read it
    expect(JSON.stringify(status)).toContain(TEXTS.evaluation);
    expect(
      await new PersonalTexts(system.sql, TEST_KEYRING).open(await handle.query(statusQuery)),
    ).toMatchObject({
      outcomeReason: null,
    });

    // the export: one readable document, the files beside it
    const exported = await system.app.request('/me/data', { headers: await bearer(me) });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toBe('application/zip');
    const zip = unzipSync(new Uint8Array(await exported.arrayBuffer()));
    const document = JSON.parse(Buffer.from(zip['personal-data.json']!).toString('utf8'));
    expect(document.profile).toMatchObject({ name: PERSON.name, email: PERSON.email });
    expect(document.applications).toHaveLength(1);
    expect(JSON.stringify(document.applications[0].status)).toContain(TEXTS.evaluation);
    expect(document.applications[0].contributions[0].description).toBe(TEXTS.contribution);
    expect(document.stipend.installments.map((i: { status: string }) => i.status)).toEqual(['paid', 'paid']);
    expect(document.files).toHaveLength(1);
    expect(Buffer.from(zip[document.files[0].path]!).equals(PDF)).toBe(true);
    expect(Object.keys(zip)).toContain(`certificates/${code}.pdf`);
    // ops read it on the person's behalf; nobody else does
    expect((await as(ops, 'GET', `/people/${PERSON.id}/data`)).status).toBe(200);
    expect((await as(mentor, 'GET', `/people/${PERSON.id}/data`)).status).toBe(403);

    const ledgerBefore = await system.sql`
      SELECT business_key, amount_cents, currency, paid_at FROM stipend_payments WHERE application_id = ${id} ORDER BY installment`;
    expect(ledgerBefore).toHaveLength(2);
    expect(await databaseText()).toContain(PERSON.email);

    // the erasure: a durable workflow; asked twice, the second answers that it is done
    const erased = await as(me, 'POST', '/me/erasure');
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(erased.body.state).toBe('done');
    expect(erased.body.steps.map((s: { step: string }) => s.step).sort()).toEqual(
      ['files', 'finished', 'key', 'rows', 'withdraw'].sort(),
    );
    // the audit holds counts only
    expect(JSON.stringify(erased.body)).not.toContain(PERSON.id);
    const again = await as(me, 'POST', '/me/erasure');
    expect(again.status).toBe(200);
    expect(again.body.state).toBe('done');
    expect((await as(ops, 'GET', `/people/${PERSON.id}/erasure`)).body.state).toBe('done');
    expect(
      (await system.env.client.workflow.getHandle(erasureWorkflowId(subjectDigest(PERSON.id))).describe())
        .status.name,
    ).toBe('COMPLETED');

    // nothing readable survives: not in PostgreSQL (emails and files included), not in any history decoded
    // with the keys that remain, and the sealed texts open as "[erased]"
    const database = await databaseText();
    for (const text of READABLE) expect(database, text).not.toContain(text);
    const after = await historiesText(new EncryptionCodec(TEST_KEYRING));
    for (const text of READABLE) expect(after.text, text).not.toContain(text);
    const sealed = after.text.match(/sealed:pd1:[0-9a-f-]{36}:[A-Za-z0-9_-]+/g) ?? [];
    expect(sealed.length).toBeGreaterThan(0);
    expect(
      new Set(await Promise.all(sealed.map((s) => new PersonalTexts(system.sql, TEST_KEYRING).open(s)))),
    ).toEqual(new Set([ERASED_TEXT]));
    expect((await system.sql`SELECT 1 FROM files WHERE owner_id = ${PERSON.id}`).length).toBe(0);

    // what the law obliges the program to keep stays, without the person: the ledger, the certificate's existence
    const ledgerAfter = await system.sql`
      SELECT business_key, amount_cents, currency, paid_at FROM stipend_payments WHERE application_id = ${id} ORDER BY installment`;
    expect(ledgerAfter).toEqual(ledgerBefore);
    const [application] = await system.sql`SELECT mentee_id, stage FROM applications WHERE id = ${id}`;
    expect(application).toMatchObject({ stage: 'completed' });
    expect(application!.mentee_id).toMatch(/^erased-/);
    const verification = await system.call('GET', `/certificates/${code}`, undefined, { authorization: '' });
    expect(verification.status).toBe(410);
    expect(verification.body.detail).toMatch(/erased/);

    // ids, search attributes and memos are not encrypted: no name, email or free text in any, of any type
    await expectNothingVisible(await allWorkflowIds(), [...READABLE, 'Name of', '@example.org']);
    expect([...after.types].sort()).toEqual(
      expect.arrayContaining(['contentRetentionWorkflow', 'erasureWorkflow', 'menteeWorkflow']),
    );
  });

  it('withdraws applications still in review, and refuses while an earned installment is unpaid', async () => {
    const drive = driver(system);
    const { program } = await drive.newProgram();
    const person = 'zq-person-2';
    const id = await drive.apply(program.id, person);
    const erased = await as({ userId: person, role: 'mentee' }, 'POST', '/me/erasure');
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    expect(erased.body.steps.find((s: { step: string }) => s.step === 'withdraw').counts).toEqual({
      applications: 1,
    });
    const [row] = await system.sql`SELECT stage, mentee_id FROM applications WHERE id = ${id}`;
    expect(row).toMatchObject({ stage: 'withdrawn' });
    expect(row!.mentee_id).toMatch(/^erased-/);

    // an installment the provider has not confirmed yet (requested): the money comes first
    const owed = 'zq-person-3';
    const owedId = await drive.apply(program.id, owed);
    await system.sql`UPDATE applications SET stage = 'completed' WHERE id = ${owedId}`;
    await system.sql`
      INSERT INTO stipend_payments (business_key, application_id, installment, of_installments, after_evaluation,
                                    amount_cents, currency, status, approved_at)
      VALUES (${`${owedId}/stipend/1`}, ${owedId}, 1, 2, 2, 300000, 'USD', 'requested', now())`;
    const refused = await as(ops, 'POST', `/people/${owed}/erasure`);
    expect(refused.status).toBe(409);
    expect(refused.body.blockers).toEqual([expect.objectContaining({ reason: 'money-owed' })]);
  });

  it('keeps a mentee started before encryption working: plain payloads pass through', async () => {
    const drive = driver(system);
    const { program } = await drive.newProgram();
    // the application as a release without the codec started it: plain JSON in its history
    const plain = new Client({ connection: system.env.connection, namespace: 'default' });
    const parsed = ProgramInput.parse(program);
    const { applicationId } = await apply(
      { sql: system.sql, temporal: plain, taskQueue: system.taskQueue },
      { id: program.id, rules: rulesOf(parsed) },
      { id: 'zq-plain', name: 'Plain Person', email: 'plain@example.org' },
      '',
    );
    await drive.completePrerequisites(applicationId);
    const history = await plain.workflow.getHandle(menteeWorkflowId(applicationId)).fetchHistory();
    const first = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(new TextDecoder().decode(first.metadata!.encoding!)).toBe('json/plain');
    expect((await drive.call('GET', `/applications/${applicationId}`)).body.prerequisites.open).toEqual([]);
  });
});

describe('what Temporal shows unencrypted', () => {
  it('names nobody in the ids, search attributes and memos of the notice-email and decline-pending workflows', async () => {
    const drive = driver(system);
    const { program, closes } = await drive.newProgram({
      prerequisites: [{ id: 'task', title: 'Contribution task', kind: 'text', review: true }],
    });
    const person = 'zq-person-4';
    const who: Who = { userId: person, role: 'mentee' };
    const id = await drive.apply(program.id, person);
    const secret = 'Patch by Quintessa Marlowe-Vex';
    expect(
      (await as(who, 'POST', `/applications/${id}/tasks/task/submission`, { text: secret })).status,
    ).toBe(200);
    const mentor: Who = { userId: 'mentor-zq4', role: 'mentor', programs: [program.id] };
    const comment = 'Quintessa, please add a test';
    const back = await as(mentor, 'POST', `/applications/${id}/tasks/task/review`, {
      decision: 'request-changes',
      comment,
    });
    expect(back.status).toBe(200);
    await as(who, 'POST', `/applications/${id}/tasks/task/submission`, { text: secret });
    await as(mentor, 'POST', `/applications/${id}/tasks/task/review`, { decision: 'accept' });
    await drive.skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
    const declined = await drive.call('POST', `/programs/${program.id}/decline-pending`, {
      reason: 'Every slot is filled',
      requestId: 'close-zq4',
    });
    const noticeKeys = async () =>
      (
        await system.sql<{ key: string }[]>`
          SELECT idempotency_key AS key FROM emails WHERE kind = 'task-changes-requested' AND application_id = ${id}`
      ).map((r) => `notice-email/${r.key}`);
    await expect.poll(async () => (await noticeKeys()).length).toBe(1);
    const noticeIds = await noticeKeys();
    const types = await expectNothingVisible(
      [
        declined.body.workflowId ?? `decline-pending/${program.id}/close-zq4`,
        ...noticeIds,
        menteeWorkflowId(id),
      ],
      [secret, comment, 'Quintessa', 'Name of', '@example.org'],
    );
    expect([...types].sort()).toEqual(['declinePendingWorkflow', 'menteeWorkflow', 'noticeEmailWorkflow']);
    // and the histories carry the task's text and the comment nowhere, stored or decoded
    const decoded = await historiesText(new EncryptionCodec(TEST_KEYRING));
    expect(decoded.text).not.toContain(secret);
    expect(decoded.text).not.toContain(comment);
  });
});

describe('the codec endpoint', () => {
  it('decodes for ops tokens only, names an unknown key, and grants CORS to the Temporal UI alone', async () => {
    const [encrypted] = await new EncryptionCodec(TEST_KEYRING).encode([
      {
        metadata: { encoding: new TextEncoder().encode('json/plain') },
        data: new TextEncoder().encode('"hello"'),
      },
    ]);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(
            Object.entries(encrypted!.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
          ),
          data: Buffer.from(encrypted!.data!).toString('base64'),
        },
      ],
    };
    const decode = (headers: Record<string, string>, payloads = body) =>
      system.app.request('/codec/default/decode', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(payloads),
      });
    expect((await decode({})).status).toBe(401);
    expect((await decode({ origin: TEST_UI_ORIGIN })).status).toBe(401);
    expect((await decode(await bearer({ userId: 'm', role: 'mentor' }))).status).toBe(403);
    const ok = await decode({ ...(await bearer(ops)), origin: TEST_UI_ORIGIN });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_UI_ORIGIN);
    const [out] = ((await ok.json()) as { payloads: { data: string }[] }).payloads;
    expect(Buffer.from(out!.data, 'base64').toString()).toBe('"hello"');

    // another origin (the web frontend's): no CORS grant, preflight included
    const other = await decode({ ...(await bearer(ops)), origin: 'http://localhost:5173' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await system.app.request('/codec/default/decode', {
      method: 'OPTIONS',
      headers: { origin: TEST_UI_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(TEST_UI_ORIGIN);
    const foreign = await system.app.request('/codec/default/decode', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    // a payload of a key this keyring lacks: 422 naming it
    const unknown = structuredClone(body);
    unknown.payloads[0]!.metadata['encryption-key-id'] = Buffer.from('retired-key').toString('base64');
    const refused = await decode(await bearer(ops), unknown);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/retired-key/);
    expect(
      (
        await system.app.request('/codec/other-namespace/decode', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(await bearer(ops)) },
          body: JSON.stringify(body),
        })
      ).status,
    ).toBe(403);
  });
});

describe('content retention', () => {
  it("removes the content of applicants not selected once the program's retention has passed after the term", {
    timeout: 300_000,
  }, async () => {
    const drive = driver(system);
    const { program, closes } = await drive.newProgram({ contentRetentionDays: 30 });
    const notAccepted = await drive.apply(program.id, 'zq-left-out');
    const selected = await drive.apply(program.id, 'zq-selected');
    for (const id of [notAccepted, selected]) {
      const who = id === notAccepted ? 'zq-left-out' : 'zq-selected';
      expect(
        (
          await as({ userId: who, role: 'mentee' }, 'POST', `/applications/${id}/contributions`, {
            url: 'https://github.com/org/repo/pull/2',
            description: `Work of ${who}`,
            date: '2027-01-12',
          })
        ).status,
      ).toBe(201);
    }
    const mentorId = await drive.makeActive(selected, closes);
    await drive.call('POST', `/admin/applications/${selected}/terminate`, { reason: 'Left the project' });
    const contributions = async (id: string) =>
      (await system.sql`SELECT 1 FROM contributions WHERE application_id = ${id}`).length;
    expect(await contributions(notAccepted)).toBe(1);

    const termEnds = closes + SCHEDULE.termEndsAt;
    await drive.skipTo(termEnds + 29 * DAYS);
    expect(await contributions(notAccepted)).toBe(1);
    await drive.skipTo(termEnds + 30 * DAYS + HOURS);
    await expect.poll(() => contributions(notAccepted)).toBe(0);
    // the mentee who was selected keeps theirs; the program records when it happened
    expect(await contributions(selected)).toBe(1);
    const [row] = await system.sql`SELECT content_purged_at FROM programs WHERE id = ${program.id}`;
    expect(row!.content_purged_at).not.toBeNull();
    expect(mentorId).toBeTruthy();
  });
});

/** Workflow ids, search attributes, memos and summaries are not encrypted: none may hold any of `texts`. */
async function expectNothingVisible(workflowIds: string[], texts: string[]): Promise<Set<string>> {
  const types = new Set<string>();
  for (const workflowId of workflowIds) {
    const described = await system.env.client.workflow.getHandle(workflowId).describe();
    types.add(described.type);
    const visible = JSON.stringify([
      described.workflowId,
      described.searchAttributes,
      described.typedSearchAttributes,
      await described.memo,
      await described.staticSummary(),
      await described.staticDetails(),
    ]);
    for (const text of texts) expect(visible, described.type).not.toContain(text);
  }
  return types;
}

function profileOf(person: typeof PERSON) {
  return { name: person.name, email: person.email, country: 'DE', timeZone: 'Europe/Berlin', skills: ['go'] };
}

async function uploadResume(who: Who): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(PDF)], { type: 'application/pdf' }), 'zephyrine-resume.pdf');
  const response = await system.app.request('/files', {
    method: 'POST',
    body: form,
    headers: await bearer(who),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}
