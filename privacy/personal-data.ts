import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import type { FileStore } from '../applications/files.js';
import type { Sql } from '../db/index.js';
import { ERASED_TEXT, type PersonalTexts } from './personal-texts.js';

/** The stages in which an application is a running mentorship: an erasure waits until it ends. */
export const MENTORSHIP_STAGES = ['onboarding', 'active'] as const;
/** Applications not yet decided: an erasure withdraws them first. */
export const UNDECIDED_STAGES = ['in_review', 'awaiting_selection'] as const;

/** How an erased person is named in what the program must keep (ledger, erasure audit): never their id. */
export const subjectDigest = (personId: string) =>
  createHash('sha256').update(`person:${personId}`).digest('hex');
export const pseudonymOf = (personId: string) => `erased-${subjectDigest(personId).slice(0, 20)}`;

/**
 * What stands in the way of erasing a person now: a running mentorship, or money owed to them (an earned
 * installment not yet paid or forfeited). Each says what to do first.
 */
export async function erasureBlockers(
  sql: Sql,
  personId: string,
): Promise<{ reason: string; what: string }[]> {
  const running = await sql<{ id: string; stage: string }[]>`
    SELECT id, stage FROM applications
    WHERE mentee_id = ${personId} AND stage = ANY(${[...MENTORSHIP_STAGES]}) ORDER BY created_at`;
  const owed = await sql<{ applicationId: string; installment: number; state: string }[]>`
    SELECT s.application_id AS "applicationId", s.installment, coalesce(r.state, s.status) AS state
    FROM stipend_payments s JOIN applications a ON a.id = s.application_id
      LEFT JOIN payout_requests r ON r.idempotency_key = s.business_key
    WHERE a.mentee_id = ${personId}
      AND (s.status = 'requested' OR r.state IN ('requested', 'sent'))`;
  return [
    ...running.map((a) => ({
      reason: 'mentorship-running',
      what: `Application ${a.id} is ${a.stage}: withdraw it (POST /applications/${a.id}/withdraw) or wait until the term ends`,
    })),
    ...owed.map((o) => ({
      reason: 'money-owed',
      what: `Installment ${o.installment} of application ${o.applicationId} is earned and ${o.state}, not yet paid: finance records it paid or returned first`,
    })),
  ];
}

interface ExportDeps {
  sql: Sql;
  texts: PersonalTexts;
  files: FileStore;
}

/**
 * Everything held about one person, as one readable JSON document and their files beside it, in a zip:
 * `personal-data.json`, `files/...`, `certificates/...`. Sealed texts are opened; nothing about other people
 * (mentors' private ids) is added beyond what the person's own records name.
 */
export async function exportPersonalData(
  { sql, texts, files }: ExportDeps,
  personId: string,
): Promise<Uint8Array> {
  const [profile] = await sql`
    SELECT name, email, country, time_zone AS "timeZone", pronouns, skills, links, resume_file_id AS "resumeFileId",
           updated_at AS "updatedAt"
    FROM profiles WHERE user_id = ${personId}`;
  const [asMentee] = await sql`
    SELECT name, email, country, time_zone AS "timeZone", created_at AS "createdAt" FROM mentees WHERE id = ${personId}`;
  const [asMentor] = await sql`
    SELECT name, email, time_zone AS "timeZone", created_at AS "createdAt" FROM mentors WHERE id = ${personId}`;
  const applications = await sql`
    SELECT a.id, a.program_id AS "programId", p.name AS "programName", a.stage, a.motivation, a.project_id AS "projectId",
           a.created_at AS "createdAt", a.status,
           c.project_ids AS "projectIds", c.answers, c.proposal_file_id AS "proposalFileId", c.submitted_at AS "submittedAt",
           coalesce((SELECT json_agg(json_build_object('taskId', t.task_id, 'state', t.state, 'round', t.round, 'text', t.text,
                     'url', t.url, 'fileId', t.file_id, 'submittedAt', t.submitted_at, 'reviewComment', t.review_comment,
                     'reviewedAt', t.reviewed_at)) FROM task_submissions t WHERE t.application_id = a.id), '[]') AS tasks,
           coalesce((SELECT json_agg(json_build_object('url', k.url, 'description', k.description, 'on', k.contributed_on,
                     'projectId', k.project_id)) FROM contributions k WHERE k.application_id = a.id), '[]') AS contributions,
           coalesce((SELECT json_agg(json_build_object('scores', r.scores, 'average', r.average, 'at', r.updated_at))
                     FROM ratings r WHERE r.application_id = a.id), '[]') AS ratings,
           coalesce((SELECT json_agg(json_build_object('note', n.note, 'at', n.created_at))
                     FROM review_notes n WHERE n.application_id = a.id), '[]') AS "reviewNotes"
    FROM applications a JOIN programs p ON p.id = a.program_id
      LEFT JOIN application_content c ON c.application_id = a.id
    WHERE a.mentee_id = ${personId} ORDER BY a.created_at`;
  const ids = applications.map((a) => a.id as string);
  const [emails, stipend, payouts, certificates, fileRows, feeds] = await Promise.all([
    sql`SELECT kind, recipient, subject, body_text AS "text", sent_at AS "sentAt", application_id AS "applicationId"
        FROM emails WHERE application_id = ANY(${ids}::uuid[]) AND recipient_role = 'mentee' ORDER BY sent_at`,
    sql`SELECT application_id AS "applicationId", installment, of_installments AS "of", amount_cents AS "amountCents",
               currency, status, approved_at AS "earnedAt", paid_at AS "paidAt"
        FROM stipend_payments WHERE application_id = ANY(${ids}::uuid[]) ORDER BY application_id, installment`,
    sql`SELECT amount_cents AS "amountCents", currency, memo, state, created_at AS "createdAt", paid_at AS "paidAt"
        FROM payout_requests WHERE payee_mentee_id = ${personId} ORDER BY id`,
    sql`SELECT verification_code AS "verificationCode", application_id AS "applicationId", mentee_name AS "menteeName",
               program_name AS "programName", term, project_title AS "projectTitle", mentor_name AS "mentorName",
               issued_at AS "issuedAt", pdf
        FROM certificates WHERE application_id = ANY(${ids}::uuid[]) AND erased_at IS NULL`,
    sql<
      { id: string; name: string; contentType: string; sizeBytes: number; sha256: string; createdAt: Date }[]
    >`
        SELECT id, name, content_type AS "contentType", size_bytes AS "sizeBytes", sha256, created_at AS "createdAt"
        FROM files WHERE owner_id = ${personId} ORDER BY created_at`,
    sql`SELECT role, programs, created_at AS "createdAt" FROM calendar_feeds WHERE user_id = ${personId}`,
  ]);
  const zipped: Record<string, Uint8Array> = {};
  const fileEntries = [];
  for (const file of fileRows) {
    const path = `files/${file.id}-${file.name.replace(/[^\w.-]+/g, '_')}`;
    zipped[path] = await fileContent(sql, files, file.id);
    fileEntries.push({ ...file, path });
  }
  for (const certificate of certificates) {
    if (certificate.pdf)
      zipped[`certificates/${certificate.verificationCode}.pdf`] = certificate.pdf as Buffer;
  }
  const document = await texts.open({
    about: 'Everything this mentorship program holds about you, as of the time below.',
    personId,
    exportedAt: new Date().toISOString(),
    profile: profile ?? null,
    asApplicant: asMentee ?? null,
    asMentor: asMentor ?? null,
    applications,
    emails,
    stipend: { installments: stipend, payouts },
    certificates: certificates.map(({ pdf: _pdf, ...c }) => ({
      ...c,
      pdf: `certificates/${c.verificationCode}.pdf`,
    })),
    files: fileEntries,
    calendarFeeds: feeds,
  });
  zipped['personal-data.json'] = strToU8(`${JSON.stringify(document, null, 2)}\n`);
  zipped['README.txt'] = strToU8(
    'personal-data.json holds everything the program keeps about you; files/ holds what you uploaded and\n' +
      'certificates/ your Letters of Completion. Ask the program to erase it all with POST /me/erasure.\n',
  );
  return zipSync(zipped, { level: 6 });
}

async function fileContent(sql: Sql, files: FileStore, id: string): Promise<Uint8Array> {
  const [row] = await sql<{ storage: string; storageKey: string | null; content: Buffer | null }[]>`
    SELECT storage, storage_key AS "storageKey", content FROM files WHERE id = ${id}`;
  if (!row) return new Uint8Array();
  return row.storage === 'postgres' ? (row.content ?? new Uint8Array()) : files.get(row.storageKey!);
}

// ---- erasure steps: each idempotent (a rerun after a crash finds nothing left to do), each returns counts only

/** The person's files: the bytes in the store (S3 objects, PostgreSQL rows) and the rows naming them. */
export async function eraseFiles(
  sql: Sql,
  files: FileStore,
  personId: string,
): Promise<Record<string, number>> {
  const rows = await sql<{ id: string; storage: string; storageKey: string | null }[]>`
    SELECT id, storage, storage_key AS "storageKey" FROM files WHERE owner_id = ${personId}`;
  for (const row of rows) if (row.storage === 's3' && row.storageKey) await files.delete(row.storageKey);
  const ids = rows.map((r) => r.id);
  await sql.begin(async (tx) => {
    await tx`UPDATE profiles SET resume_file_id = NULL WHERE resume_file_id = ANY(${ids}::uuid[])`;
    await tx`UPDATE application_content SET proposal_file_id = NULL WHERE proposal_file_id = ANY(${ids}::uuid[])`;
    await tx`UPDATE task_submissions SET file_id = NULL WHERE file_id = ANY(${ids}::uuid[])`;
    await tx`DELETE FROM files WHERE id = ANY(${ids}::uuid[])`;
  });
  return { files: rows.length };
}

/**
 * Deletes what the person wrote and what was written about them, and anonymises what the program must keep:
 * applications stay as ids, stages and numbers under a pseudonym; ledger rows keep amounts, dates and business
 * keys with a pseudonymous payee; a certificate keeps only the fact that its code existed.
 */
export async function erasePersonRows(sql: Sql, personId: string): Promise<Record<string, number>> {
  const pseudonym = pseudonymOf(personId);
  return sql.begin(async (tx) => {
    const applications = await tx<{ id: string; status: unknown }[]>`
      SELECT id, status FROM applications WHERE mentee_id = ${personId}`;
    const ids = applications.map((a) => a.id);
    const count = async (query: PromiseLike<readonly unknown[]>) => (await query).length;
    const counts: Record<string, number> = {
      ...(await deleteApplicationContent(tx as unknown as Sql, ids)),
      profiles: await count(tx`DELETE FROM profiles WHERE user_id = ${personId} RETURNING 1`),
      calendarFeeds: await count(tx`DELETE FROM calendar_feeds WHERE user_id = ${personId} RETURNING 1`),
      // a stored answer replays the request's response, which may quote the person
      storedResponses: await count(tx`
        DELETE FROM idempotency_keys
        WHERE user_id = ${personId} OR (cardinality(${ids}::text[]) > 0 AND response_body LIKE ANY(
          SELECT '%' || id || '%' FROM unnest(${ids}::text[]) AS id)) RETURNING 1`),
      // every email about the person's applications names them, whoever it went to
      emails: await count(tx`
        UPDATE emails SET recipient = ${pseudonym}, subject = ${ERASED_TEXT}, html = NULL, body_text = NULL,
               message = NULL, refused_reason = NULL
        WHERE application_id = ANY(${ids}::uuid[]) AND subject <> ${ERASED_TEXT} RETURNING 1`),
      certificates: await count(tx`
        UPDATE certificates SET mentee_name = '', project_title = '', mentor_name = '', pdf = NULL, erased_at = now()
        WHERE application_id = ANY(${ids}::uuid[]) AND erased_at IS NULL RETURNING 1`),
      payouts: await count(tx`
        UPDATE payout_requests SET payee_mentee_id = ${pseudonym}, return_reason = NULL
        WHERE payee_mentee_id = ${personId} RETURNING 1`),
    };
    for (const application of applications) {
      await tx`
        UPDATE applications SET motivation = '', request_key = NULL,
               status = ${application.status === null ? null : tx.json(scrubbed(application.status) as never)}
        WHERE id = ${application.id}`;
    }
    // the applicant becomes a pseudonym: their applications stay, counted in the program's figures
    if (applications.length > 0) {
      await tx`
        INSERT INTO mentees (id, name, email, country, time_zone)
        VALUES (${pseudonym}, ${ERASED_TEXT}, ${`${pseudonym}@erased.invalid`}, NULL, 'UTC') ON CONFLICT (id) DO NOTHING`;
      await tx`UPDATE applications SET mentee_id = ${pseudonym} WHERE mentee_id = ${personId}`;
      await tx`UPDATE acceptances SET mentee_id = ${pseudonym}, release_reason = NULL WHERE mentee_id = ${personId}`;
    }
    counts.applications = applications.length;
    counts.applicant = await count(tx`DELETE FROM mentees WHERE id = ${personId} RETURNING 1`);
    // a mentor keeps their id in others' records (selections, evaluations); their name and address go
    counts.mentor = await count(tx`
      UPDATE mentors SET name = ${ERASED_TEXT}, email = ${`${pseudonym}@erased.invalid`}
      WHERE id = ${personId} AND name <> ${ERASED_TEXT} RETURNING 1`);
    return counts;
  });
}

/** What applicants wrote and reviewers wrote about them, per table: an erasure and the retention timer delete it. */
const APPLICATION_CONTENT = {
  applicationContent: 'application_content',
  taskSubmissions: 'task_submissions',
  contributions: 'contributions',
  ratings: 'ratings',
  reviewNotes: 'review_notes',
  flags: 'flags',
} as const;

/** Deletes the content of these applications (within the caller's transaction); rows deleted, per table. */
export async function deleteApplicationContent(tx: Sql, ids: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(APPLICATION_CONTENT)) {
    counts[name] = (
      await tx`DELETE FROM ${tx(table)} WHERE application_id = ANY(${ids}::uuid[]) RETURNING 1`
    ).length;
  }
  return counts;
}

const FREE_TEXT = new Set(['comments', 'reason', 'note', 'detail', 'outcomeReason']);

/** A status document without the free text in it (comments, reasons, audit details); ids, stages and numbers stay. */
function scrubbed(value: unknown, field?: string): unknown {
  if (typeof value === 'string' && field && FREE_TEXT.has(field)) return ERASED_TEXT;
  if (Array.isArray(value)) return value.map((item) => scrubbed(item));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v, k)]));
  }
  return value;
}
