import type { JSONValue, PendingQuery, Row } from 'postgres';
import type { Stage } from '../domain/stages.js';
import type { EvaluationStatus, InstallmentStatus, MenteeStatus, PaymentState } from '../domain/status.js';
import type { Sql } from './index.js';

// The read model: the `applications` row of each mentee with the workflow's status document, written here by
// the workflow's activity and read here by the API and ops. The JSON paths are checked against the document's
// type, so the writer and the readers cannot drift apart.

const path = (key: string) => `'${key}'`;
/** `status->'key'` for a key of the status document. */
const statusKey = <K extends keyof MenteeStatus & string>(sql: Sql, key: K) => sql.unsafe(path(key));
const evaluationKey = <K extends keyof EvaluationStatus & string>(sql: Sql, key: K) => sql.unsafe(path(key));
const installmentKey = <K extends keyof InstallmentStatus & string>(sql: Sql, key: K) =>
  sql.unsafe(path(key));

/** Writes the workflow's status into the application's row; an older version never overwrites a newer one. */
export async function writeStatus(sql: Sql, status: MenteeStatus): Promise<void> {
  await sql`
    UPDATE applications
    SET stage = ${status.stage},
        status = ${sql.json(status as unknown as JSONValue)},
        status_version = ${status.version},
        mentor_id = coalesce(${status.selection?.mentorId ?? null}, mentor_id),
        project_title = coalesce(${status.selection?.projectTitle ?? null}, project_title),
        updated_at = now()
    WHERE id = ${status.applicationId} AND status_version < ${status.version}`;
}

/** The stored status document, or null before the workflow's first write (undefined: no such application). */
export async function readStatus(
  sql: Sql,
  applicationId: string,
): Promise<{ menteeId: string; status: MenteeStatus | null } | undefined> {
  const [row] = await sql<{ menteeId: string; status: MenteeStatus | null }[]>`
    SELECT mentee_id AS "menteeId", status FROM applications WHERE id = ${applicationId}`;
  return row;
}

/** The term as it stands for one mentee: their extension and the (possibly extended) end. */
export async function readTerm(sql: Sql, applicationId: string) {
  const [row] = await sql<{ extensionDays: number; termEndsAt: string }[]>`
    SELECT (status->>${statusKey(sql, 'extensionDays')})::int AS "extensionDays",
           status->>${statusKey(sql, 'termEndsAt')} AS "termEndsAt"
    FROM applications WHERE id = ${applicationId}`;
  return row!;
}

/** Which applications a list covers: by program(s), mentor or mentee; all given conditions hold. */
export interface Scope {
  applicationId?: string | undefined;
  programId?: string | undefined;
  /** The programs a program admin runs (an empty list matches nothing). */
  programIds?: string[] | undefined;
  mentorId?: string | undefined;
  menteeId?: string | undefined;
}

function where(sql: Sql, scope: Scope, alias = 'applications'): PendingQuery<Row[]> {
  const column = (name: string) => sql(`${alias}.${name}`);
  const conditions = [
    scope.applicationId !== undefined && sql`${column('id')} = ${scope.applicationId}::uuid`,
    scope.programId !== undefined && sql`${column('program_id')} = ${scope.programId}`,
    scope.programIds !== undefined &&
      sql`${column('program_id')} IN ${sql(scope.programIds.length ? scope.programIds : [''])}`,
    scope.mentorId !== undefined && sql`${column('mentor_id')} = ${scope.mentorId}`,
    scope.menteeId !== undefined && sql`${column('mentee_id')} = ${scope.menteeId}`,
  ].filter((c): c is PendingQuery<Row[]> => c !== false);
  return conditions.reduce((all, c) => sql`${all} AND ${c}`, sql`true`);
}

/** Where the previous page stopped: the sort value and id of its last item. */
export interface After {
  value: string | number;
  id: string;
}

export interface ApplicationListRow {
  id: string;
  programId: string;
  menteeId: string;
  mentorId: string | null;
  projectTitle: string | null;
  stage: Stage;
  next: { what: string | null; deadline: string | null } | null;
  /** The selection result waits for the term's announcement: the applicant must not see it yet. */
  resultPending: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** What reviewers judge by (the list of mentors and admins): kept beside the application. */
  ratingAverage: string | null;
  ratingCount: number;
  flags: number;
  rank: number | null;
  projectIds: string[] | null;
  submitted: boolean | null;
  complete: boolean;
  otherApplications: { programId: string; stage: Stage }[];
}

/** How the list of a program's applicants narrows for its reviewers. */
export interface ApplicantFilters {
  /** Every required task complete (the status document's open prerequisites are none). */
  complete?: boolean | undefined;
  project?: string | undefined;
  /** Rated, or not, by this reviewer. */
  ratedBy?: { reviewer: string; rated: boolean } | undefined;
  flagged?: boolean | undefined;
}

export type ApplicationSortKey =
  | 'createdAt'
  | '-createdAt'
  | 'updatedAt'
  | '-updatedAt'
  | 'rating'
  | '-rating'
  | 'rank';

const SORT_COLUMNS = (sql: Sql) => ({
  createdAt: sql`a.created_at`,
  updatedAt: sql`a.updated_at`,
  // unrated last when best first, first when worst first: -1 is below every average
  rating: sql`coalesce(a.rating_average, -1)`,
  // unranked after every ranked one
  rank: sql`coalesce(a.rank, 2147483647)`,
});

/** Applications in scope, keyset-paged on the sort column and id; one row more than `limit` says a page follows. */
export function listApplications(
  sql: Sql,
  scope: Scope,
  query: {
    stage?: Stage[] | undefined;
    sort: ApplicationSortKey;
    limit: number;
    after: After | null;
    filters?: ApplicantFilters | undefined;
  },
) {
  const descending = query.sort.startsWith('-');
  const column = SORT_COLUMNS(sql)[query.sort.replace('-', '') as keyof ReturnType<typeof SORT_COLUMNS>];
  const { after } = query;
  const f = query.filters ?? {};
  const open = sql`a.status->${statusKey(sql, 'prerequisites')}->'open'`;
  const complete = sql`(a.status IS NOT NULL AND jsonb_array_length(coalesce(${open}, '[]'::jsonb)) = 0)`;
  const rated = (reviewer: string) =>
    sql`EXISTS (SELECT 1 FROM ratings r WHERE r.application_id = a.id AND r.mentor_id = ${reviewer})`;
  return sql<ApplicationListRow[]>`
    SELECT a.id, a.program_id AS "programId", a.mentee_id AS "menteeId", a.mentor_id AS "mentorId",
           a.project_title AS "projectTitle", a.stage, a.status->${statusKey(sql, 'next')} AS next,
           coalesce(a.status->${statusKey(sql, 'announcement')}->>'announced' = 'false', false) AS "resultPending",
           a.created_at AS "createdAt", a.updated_at AS "updatedAt",
           a.rating_average AS "ratingAverage", a.rating_count AS "ratingCount", a.flag_count AS flags, a.rank,
           c.project_ids AS "projectIds", c.submitted_at IS NOT NULL AND c.application_id IS NOT NULL AS submitted,
           ${complete} AS complete,
           coalesce((SELECT jsonb_agg(jsonb_build_object('programId', o.program_id, 'stage', o.stage) ORDER BY o.created_at)
                     FROM applications o JOIN programs op ON op.id = o.program_id
                     WHERE o.mentee_id = a.mentee_id AND o.id <> a.id
                       AND op.term_id IS NOT DISTINCT FROM (SELECT term_id FROM programs WHERE id = a.program_id)),
                    '[]'::jsonb) AS "otherApplications"
    FROM applications a LEFT JOIN application_content c ON c.application_id = a.id
    WHERE ${where(sql, scope, 'a')}
      ${query.stage ? sql`AND a.stage IN ${sql(query.stage)}` : sql``}
      ${f.complete === undefined ? sql`` : f.complete ? sql`AND ${complete}` : sql`AND NOT ${complete}`}
      ${f.project === undefined ? sql`` : sql`AND c.project_ids @> ARRAY[${f.project}]::text[]`}
      ${f.ratedBy === undefined ? sql`` : f.ratedBy.rated ? sql`AND ${rated(f.ratedBy.reviewer)}` : sql`AND NOT ${rated(f.ratedBy.reviewer)}`}
      ${f.flagged === undefined ? sql`` : f.flagged ? sql`AND a.flag_count > 0` : sql`AND a.flag_count = 0`}
      ${after ? sql`AND (${column}, a.id) ${descending ? sql`<` : sql`>`} (SELECT ${column}, a.id FROM applications a WHERE a.id = ${after.id}::uuid)` : sql``}
    ORDER BY ${column} ${descending ? sql`DESC` : sql`ASC`}, a.id ${descending ? sql`DESC` : sql`ASC`}
    LIMIT ${query.limit + 1}`;
}

export async function stageCounts(sql: Sql, programId: string) {
  const rows = await sql<{ stage: Stage; count: string }[]>`
    SELECT stage, count(*) FROM applications WHERE program_id = ${programId} GROUP BY stage`;
  return rows.map((r) => ({ stage: r.stage, count: Number(r.count) }));
}

/** Evaluations of active mentees not yet submitted (nor missed), due in [from, to), earliest first. */
export function evaluationsDue(
  sql: Sql,
  scope: Scope,
  query: { from: Date; to: Date; limit: number; after: After | null },
) {
  const e = (key: keyof EvaluationStatus & string) => sql`e->>${evaluationKey(sql, key)}`;
  const { after } = query;
  return sql<
    {
      applicationId: string;
      programId: string;
      menteeId: string;
      mentorId: string | null;
      number: number;
      dueAt: Date;
      key: string;
    }[]
  >`
    SELECT * FROM (
      SELECT a.id AS "applicationId", a.program_id AS "programId", a.mentee_id AS "menteeId",
             a.mentor_id AS "mentorId", (${e('number')})::int AS number, (${e('dueAt')})::timestamptz AS "dueAt",
             a.id::text || '/' || (${e('number')}) AS key
      FROM applications a, jsonb_array_elements(a.status->${statusKey(sql, 'evaluations')}) e
      WHERE a.stage = 'active' AND ${e('submittedAt')} IS NULL AND ${e('state')} <> 'missed'
        AND ${where(sql, scope, 'a')}
    ) due
    WHERE "dueAt" >= ${query.from} AND "dueAt" < ${query.to}
      ${after ? sql`AND ("dueAt", key) > (${after.value}::timestamptz, ${after.id})` : sql``}
    ORDER BY "dueAt", key
    LIMIT ${query.limit + 1}`;
}

const onboardingKey = <K extends keyof MenteeStatus['onboarding'] & string>(sql: Sql, key: K) =>
  sql.unsafe(path(key));

/** One application's dates for a calendar: the status document's deadlines, the program's selection and start. */
export interface ApplicationDatesRow {
  applicationId: string;
  programId: string;
  programName: string;
  term: string;
  menteeName: string;
  stage: Stage;
  reviewClosesAt: string;
  onboardingDeadline: string;
  termEndsAt: string;
  evaluations: EvaluationStatus[];
  selectionDeadline: string;
  termStartsAt: string;
}

/** The dates of the applications in scope (a mentee's, a mentor's mentees'), oldest application first. */
export function applicationDates(sql: Sql, scope: Scope, stages?: readonly Stage[]) {
  const status = (key: keyof MenteeStatus & string) => sql`a.status->>${statusKey(sql, key)}`;
  return sql<ApplicationDatesRow[]>`
    SELECT a.id AS "applicationId", a.program_id AS "programId", p.name AS "programName", p.term,
           m.name AS "menteeName", a.stage,
           ${status('reviewClosesAt')} AS "reviewClosesAt",
           a.status->${statusKey(sql, 'onboarding')}->>${onboardingKey(sql, 'deadline')} AS "onboardingDeadline",
           ${status('termEndsAt')} AS "termEndsAt", a.status->${statusKey(sql, 'evaluations')} AS evaluations,
           -- documents written before they carried these two: the program's (only an extension moves them)
           coalesce(${status('selectionDeadline')}, p.rules->>'selectionDeadline') AS "selectionDeadline",
           coalesce(${status('termStartsAt')}, p.rules->>'termStartsAt') AS "termStartsAt"
    FROM applications a JOIN programs p ON p.id = a.program_id JOIN mentees m ON m.id = a.mentee_id
    WHERE a.status IS NOT NULL AND ${where(sql, scope, 'a')}
      ${stages ? sql`AND a.stage IN ${sql([...stages])}` : sql``}
    ORDER BY a.created_at, a.id`;
}

/** One stipend installment as readers see it: the workflow's plan, overlaid by the payment ledger once paid out. */
export interface InstallmentRow {
  applicationId: string;
  programId: string;
  menteeId: string;
  number: number;
  afterEvaluation: number;
  /** When the evaluation that releases it is due. */
  expectedAt: string | null;
  amountCents: number | null;
  currency: string;
  state: PaymentState;
  approvedAt: Date | null;
  paidAt: Date | null;
  paymentReference: string | null;
  /** What finance and the bank did with the payout (finance-ledger payouts only); null before it was requested. */
  payout: {
    state: 'requested' | 'sent' | 'paid' | 'returned';
    batchId: number | null;
    sentAt: Date | null;
    paidAt: Date | null;
    returnedAt: Date | null;
  } | null;
  /** The mentee's stage: a scheduled installment of a mentee who has left is not pending. */
  stage: Stage;
  key: string;
}

/** Installments in scope, in one of `states`, earliest expected first (all of them without a page). */
export async function listInstallments(
  sql: Sql,
  scope: Scope,
  query: { states?: readonly PaymentState[]; page?: { limit: number; after: After | null } },
): Promise<InstallmentRow[]> {
  const i = (key: keyof InstallmentStatus & string) => sql`i->>${installmentKey(sql, key)}`;
  const e = (key: keyof EvaluationStatus & string) => sql`e->>${evaluationKey(sql, key)}`;
  const after = query.page?.after;
  const rows = await sql<(Omit<InstallmentRow, 'amountCents'> & { amountCents: string | null })[]>`
    SELECT * FROM (
      SELECT a.id AS "applicationId", a.program_id AS "programId", a.mentee_id AS "menteeId",
             (${i('number')})::int AS number, (${i('afterEvaluation')})::int AS "afterEvaluation",
             (SELECT ${e('dueAt')} FROM jsonb_array_elements(a.status->${statusKey(sql, 'evaluations')}) e
               WHERE ${e('number')} = ${i('afterEvaluation')}) AS "expectedAt",
             coalesce(sp.amount_cents, (${i('amountCents')})::bigint) AS "amountCents", ${i('currency')} AS currency,
             coalesce(sp.status, ${i('state')}) AS state,
             sp.approved_at AS "approvedAt", sp.paid_at AS "paidAt", sp.provider_reference AS "paymentReference",
             CASE WHEN pr.id IS NULL THEN NULL ELSE jsonb_build_object(
               'state', pr.state, 'batchId', pr.batch_id, 'sentAt', pr.sent_at, 'paidAt', pr.paid_at,
               'returnedAt', pr.returned_at) END AS payout,
             a.stage, a.id::text || '/' || (${i('number')}) AS key
      FROM applications a
      CROSS JOIN jsonb_array_elements(a.status->${statusKey(sql, 'stipend')}) i
      LEFT JOIN stipend_payments sp ON sp.application_id = a.id AND sp.installment = (${i('number')})::int
      -- the payout of the ledger's current attempt (attempt 0 is the business key itself)
      LEFT JOIN payout_requests pr ON pr.idempotency_key =
        CASE WHEN sp.attempt = 0 THEN sp.business_key ELSE sp.business_key || '/attempt-' || sp.attempt END
      WHERE ${where(sql, scope, 'a')}
    ) installments
    WHERE ${query.states ? sql`state IN ${sql([...query.states])} AND (state <> 'scheduled' OR stage = 'active')` : sql`true`}
      ${after ? sql`AND (coalesce("expectedAt", ''), key) > (${after.value}, ${after.id})` : sql``}
    ORDER BY coalesce("expectedAt", ''), key
    ${query.page ? sql`LIMIT ${query.page.limit + 1}` : sql``}`;
  return rows.map((r) => ({
    ...r,
    amountCents: r.amountCents === null ? null : Number(r.amountCents),
    // jsonb carries the instants as text
    payout: r.payout && {
      ...r.payout,
      sentAt: r.payout.sentAt && new Date(r.payout.sentAt),
      paidAt: r.payout.paidAt && new Date(r.payout.paidAt),
      returnedAt: r.payout.returnedAt && new Date(r.payout.returnedAt),
    },
  }));
}

/** The stipend installments of one application (the mentee's stipend view). */
export const applicationInstallments = (sql: Sql, applicationId: string) =>
  listInstallments(sql, { applicationId }, {});

export interface CertificateRow {
  code: string;
  applicationId: string;
  menteeId: string;
  projectTitle: string;
  issuedAt: Date;
}

/** Letters of Completion of a program, newest first. */
export function listCertificates(sql: Sql, programId: string, page: { limit: number; after: After | null }) {
  const { after } = page;
  return sql<CertificateRow[]>`
    SELECT c.verification_code AS code, c.application_id AS "applicationId", a.mentee_id AS "menteeId",
           c.project_title AS "projectTitle", c.issued_at AS "issuedAt"
    FROM certificates c JOIN applications a ON a.id = c.application_id
    WHERE a.program_id = ${programId}
      ${after ? sql`AND (c.issued_at, c.verification_code) < (SELECT issued_at, verification_code FROM certificates WHERE verification_code = ${after.id})` : sql``}
    ORDER BY c.issued_at DESC, c.verification_code DESC
    LIMIT ${page.limit + 1}`;
}

/** One row of a program's applications export: what mentors and admins review and pass around. */
export interface ApplicationExportRow {
  applicationId: string;
  menteeId: string;
  menteeName: string;
  menteeEmail: string;
  country: string | null;
  stage: Stage;
  prerequisitesDone: string;
  prerequisitesOpen: string;
  otherApplications: string;
  selection: string;
  mentorId: string | null;
  projectTitle: string | null;
  appliedAt: Date;
  projectIds: string;
  submittedAt: Date | null;
  tasksAccepted: string;
  contributions: number;
  ratingAverage: string | null;
  ratingCount: number;
  flags: number;
  rank: number | null;
}

/** A program's applications, oldest first, in batches (a cursor: an export never holds the program in memory). */
export function exportApplications(sql: Sql, programId: string, batchSize = 200) {
  const prerequisites = sql`status->${statusKey(sql, 'prerequisites')}`;
  return sql<ApplicationExportRow[]>`
    SELECT a.id AS "applicationId", a.mentee_id AS "menteeId", m.name AS "menteeName", m.email AS "menteeEmail",
           m.country, a.stage,
           coalesce((SELECT string_agg(x, ' ') FROM jsonb_array_elements_text(${prerequisites}->'done') x), '') AS "prerequisitesDone",
           coalesce((SELECT string_agg(x, ' ') FROM jsonb_array_elements_text(${prerequisites}->'open') x), '') AS "prerequisitesOpen",
           coalesce((SELECT string_agg(o.program_id || ':' || o.stage, ' ' ORDER BY o.created_at)
                     FROM applications o JOIN programs op ON op.id = o.program_id
                     WHERE o.mentee_id = a.mentee_id AND o.id <> a.id AND op.term_id = p.term_id), '') AS "otherApplications",
           CASE WHEN jsonb_typeof(status->${statusKey(sql, 'selection')}) = 'object' THEN 'selected'
                WHEN EXISTS (SELECT 1 FROM jsonb_array_elements(status->${statusKey(sql, 'decisions')}) d
                             WHERE d->>'action' = 'declined') THEN 'declined'
                ELSE '' END AS selection,
           a.mentor_id AS "mentorId", a.project_title AS "projectTitle", a.created_at AS "appliedAt",
           coalesce(array_to_string(c.project_ids, ' '), '') AS "projectIds", c.submitted_at AS "submittedAt",
           coalesce((SELECT string_agg(t.task_id, ' ' ORDER BY t.task_id) FROM task_submissions t
                     WHERE t.application_id = a.id AND t.state = 'accepted'), '') AS "tasksAccepted",
           (SELECT count(*)::int FROM contributions k WHERE k.application_id = a.id) AS contributions,
           a.rating_average AS "ratingAverage", a.rating_count AS "ratingCount", a.flag_count AS flags, a.rank
    FROM applications a JOIN mentees m ON m.id = a.mentee_id JOIN programs p ON p.id = a.program_id
      LEFT JOIN application_content c ON c.application_id = a.id
    WHERE a.program_id = ${programId}
    ORDER BY a.created_at, a.id`.cursor(batchSize);
}
