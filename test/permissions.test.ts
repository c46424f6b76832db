import { describe, expect, it } from 'vitest';
import type { Principal } from '../api/auth.js';
import { bearer } from './support/auth.js';
import { DAYS, driver, HOURS } from './support/drive.js';
import { PREREQUISITES } from './support/programs.js';
import { testSystemForFile } from './support/system.js';

/**
 * Every role against every endpoint: the status code of each cell, and that a refused request leaves no
 * event in the mentee's workflow history.
 */
const system = testSystemForFile();

type Column = (typeof COLUMNS)[number];
const COLUMNS = [
  'anonymous',
  'mentee', // the application's own mentee
  'otherMentee',
  'mentor', // the application's mentor
  'programMentor', // mentors in the same program, not this mentee's
  'otherMentor', // mentors in another program
  'admin', // admin of the program
  'otherAdmin', // admin of another program
  'ops',
] as const;

const P = `matrix-p-${Date.now() % 100_000}`;
const Q = `matrix-q-${Date.now() % 100_000}`;
const T = `matrix-t-${Date.now() % 100_000}`;
const USERS: Record<Exclude<Column, 'anonymous'>, Omit<Principal, 'programs'> & { programs?: string[] }> = {
  mentee: { userId: 'mentee-owner', role: 'mentee' },
  otherMentee: { userId: 'mentee-other', role: 'mentee' },
  mentor: { userId: 'mentor-assigned', role: 'mentor', programs: [P] },
  programMentor: { userId: 'mentor-program', role: 'mentor', programs: [P] },
  otherMentor: { userId: 'mentor-elsewhere', role: 'mentor', programs: [Q] },
  admin: { userId: 'admin-p', role: 'admin', programs: [P] },
  otherAdmin: { userId: 'admin-q', role: 'admin', programs: [Q] },
  ops: { userId: 'ops-1', role: 'ops' },
};

/** One row of the matrix; `codes` lists the expected status per column, in COLUMNS order. */
interface Row {
  method: string;
  path: () => string;
  body?: (column: Column) => unknown;
  /** The mentee workflow the request would change, to prove refusals leave no trace. */
  workflow?: () => string;
  codes: number[];
}

const ids = { active: '', awaitingSelection: '', toTerminate: '' };
let feedPath = '';
const workflowOf = (id: string) => `mentee-application/${id}`;
const app = (key: keyof typeof ids) => `/applications/${ids[key]}`;

//                                       anon owner other mentor progM otherM admin otherA ops
const PUBLIC_200 = /*                 */ [200, 200, 200, 200, 200, 200, 200, 200, 200];
const SIGNED_IN_200 = /*              */ [401, 200, 200, 200, 200, 200, 200, 200, 200];
const STAFF = (ok: number) => /*      */ [401, 403, 403, 403, 403, 403, ok, 403, ok];
const OPS_ONLY = (ok: number) => /*   */ [401, 403, 403, 403, 403, 403, 403, 403, ok];
const PROGRAM_VIEWERS = /*            */ [401, 403, 403, 200, 200, 403, 200, 403, 200];

const MATRIX: Record<string, Row> = {
  health: { method: 'GET', path: () => '/healthz', codes: PUBLIC_200 },
  readiness: { method: 'GET', path: () => '/readyz', codes: PUBLIC_200 },
  metrics: { method: 'GET', path: () => '/metrics', codes: PUBLIC_200 },
  openapi: { method: 'GET', path: () => '/openapi.json', codes: PUBLIC_200 },
  docs: { method: 'GET', path: () => '/docs', codes: PUBLIC_200 },
  verifyCertificate: { method: 'GET', path: () => '/certificates/ABCD-EFGH-JKMN', codes: Array(9).fill(404) },
  certificatePdf: {
    method: 'GET',
    path: () => '/certificates/ABCD-EFGH-JKMN/pdf',
    codes: Array(9).fill(404),
  },
  createProgram: {
    method: 'POST',
    path: () => '/programs',
    body: (column) => ({ ...programBody, id: `matrix-new-${column.toLowerCase()}-${Date.now() % 100_000}` }),
    codes: [401, 403, 403, 403, 403, 403, 403, 403, 201],
  },
  readProgram: { method: 'GET', path: () => `/programs/${P}`, codes: SIGNED_IN_200 },
  listPrograms: { method: 'GET', path: () => '/programs?limit=5', codes: SIGNED_IN_200 },
  writeProfile: {
    method: 'PUT',
    path: () => '/me/profile',
    body: (column) => ({ name: `Profile ${column}`, email: `${column.toLowerCase()}@example.org` }),
    codes: SIGNED_IN_200,
  },
  // the program has no application form: 404 once authorization has passed
  content: {
    method: 'GET',
    path: () => `${app('active')}/content`,
    codes: [401, 404, 403, 404, 404, 403, 404, 403, 404],
  },
  tasks: {
    method: 'GET',
    path: () => `${app('active')}/tasks`,
    codes: [401, 200, 403, 200, 200, 403, 200, 403, 200],
  },
  contributions: {
    method: 'GET',
    path: () => `${app('active')}/contributions`,
    codes: [401, 200, 403, 200, 200, 403, 200, 403, 200],
  },
  // the program's mentors and admins judge; the applicant sees none of it
  review: {
    method: 'GET',
    path: () => `${app('active')}/review`,
    codes: [401, 403, 403, 200, 200, 403, 200, 403, 200],
  },
  rate: {
    method: 'PUT',
    path: () => `${app('active')}/rating`,
    body: () => ({ scores: { overall: 4 } }),
    codes: [401, 403, 403, 200, 200, 403, 200, 403, 200],
  },
  reviewTask: {
    method: 'POST',
    path: () => `${app('active')}/tasks/${PREREQUISITES[0]!.id}/review`,
    body: () => ({ decision: 'accept' }),
    workflow: () => workflowOf(ids.active),
    // a confirmation has no review: 409 shows authorization passed
    codes: [401, 403, 403, 409, 409, 403, 409, 403, 409],
  },
  ranking: { method: 'GET', path: () => `/programs/${P}/ranking`, codes: STAFF(200) },
  selectTop: {
    method: 'POST',
    path: () => `/programs/${P}/select-top`,
    body: () => ({ count: 1 }),
    // the program has no projects, so no committed mentors: 409 once authorization has passed
    codes: STAFF(409),
  },
  createTerm: {
    method: 'POST',
    path: () => '/terms',
    body: (column) => ({
      id: `matrix-term-${column.toLowerCase()}-${Date.now() % 100_000}`,
      organization: 'Matrix',
      name: 'Matrix term',
    }),
    // an admin creates only the terms their token names
    codes: [401, 403, 403, 403, 403, 403, 403, 403, 201],
  },
  readTerm: { method: 'GET', path: () => `/terms/${T}`, codes: SIGNED_IN_200 },
  changeTerm: {
    method: 'PATCH',
    path: () => `/terms/${T}`,
    body: () => ({ maxOpenApplications: 3 }),
    codes: [401, 403, 403, 403, 403, 403, 403, 403, 200],
  },
  changeSchedule: {
    method: 'PATCH',
    path: () => `/programs/${P}/schedule`,
    body: () => ({ completionGraceDays: 14 }),
    codes: STAFF(200),
  },
  apply: {
    method: 'POST',
    path: () => `/programs/${P}/applications`,
    body: () => ({ mentee: { name: 'Applicant', email: 'applicant@example.org' } }),
    //     the owner has applied already; another mentee may apply
    codes: [401, 409, 201, 403, 403, 403, 403, 403, 403],
  },
  status: {
    method: 'GET',
    path: () => app('active'),
    codes: [401, 200, 403, 200, 403, 403, 200, 403, 200],
  },
  stipend: {
    method: 'GET',
    path: () => `${app('active')}/stipend`,
    codes: [401, 200, 403, 403, 403, 403, 200, 403, 200],
  },
  prerequisite: {
    method: 'POST',
    path: () => `${app('active')}/prerequisites/${PREREQUISITES[0]!.id}/complete`,
    workflow: () => workflowOf(ids.active),
    // allowed, but the review is over: 409 shows authorization passed
    codes: [401, 409, 403, 403, 403, 403, 409, 403, 409],
  },
  phoneCall: {
    method: 'POST',
    path: () => `${app('active')}/phone-calls`,
    body: () => ({ note: 'Told by phone' }),
    workflow: () => workflowOf(ids.active),
    codes: STAFF(200),
  },
  onboarding: {
    method: 'POST',
    path: () => `${app('active')}/onboarding/contract/complete`,
    workflow: () => workflowOf(ids.active),
    codes: STAFF(200),
  },
  progress: {
    method: 'POST',
    path: () => `${app('active')}/progress/project-plan/complete`,
    workflow: () => workflowOf(ids.active),
    codes: [401, 200, 403, 200, 403, 403, 200, 403, 200],
  },
  evaluation: {
    method: 'POST',
    path: () => `${app('active')}/evaluations/1`,
    body: () => ({
      ratings: { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 },
      comments: 'On track',
      outcome: 'pass',
    }),
    workflow: () => workflowOf(ids.active),
    codes: [401, 403, 403, 200, 403, 403, 403, 403, 403],
  },
  feedback: {
    method: 'POST',
    path: () => `${app('active')}/feedback-survey`,
    body: () => ({ rating: 5, comments: 'Great' }),
    workflow: () => workflowOf(ids.active),
    codes: [401, 200, 403, 403, 403, 403, 403, 403, 403],
  },
  adoptSchedule: {
    method: 'POST',
    path: () => `${app('active')}/adopt-program-schedule`,
    workflow: () => workflowOf(ids.active),
    codes: STAFF(200),
  },
  extend: {
    method: 'POST',
    path: () => `${app('active')}/extensions`,
    body: () => ({ days: 1, reason: 'Sick leave' }),
    workflow: () => workflowOf(ids.active),
    codes: STAFF(200),
  },
  programApplications: { method: 'GET', path: () => `/programs/${P}/applications`, codes: PROGRAM_VIEWERS },
  stageCounts: { method: 'GET', path: () => `/programs/${P}/stage-counts`, codes: PROGRAM_VIEWERS },
  mentorsMentees: {
    method: 'GET',
    path: () => `/mentors/${USERS.mentor.userId}/mentees`,
    // admins may ask, and see only their programs' mentees
    codes: [401, 403, 403, 200, 403, 403, 200, 200, 200],
  },
  myApplications: {
    method: 'GET',
    path: () => '/me/applications',
    codes: [401, 200, 200, 403, 403, 403, 403, 403, 403],
  },
  evaluationsDue: {
    method: 'GET',
    path: () => '/evaluations/due',
    codes: [401, 403, 403, 200, 200, 200, 200, 200, 200],
  },
  installments: {
    method: 'GET',
    path: () => '/stipend-installments',
    codes: [401, 403, 403, 403, 403, 403, 200, 200, 200],
  },
  certificates: { method: 'GET', path: () => `/programs/${P}/certificates`, codes: STAFF(200) },
  // the repairs ops and program admins run (npm run ops, /admin)
  adminRetryPayment: {
    method: 'POST',
    path: () => `/admin${app('active')}/retry-payment`,
    workflow: () => workflowOf(ids.active),
    codes: STAFF(200),
  },
  adminExtend: {
    method: 'POST',
    path: () => `/admin${app('active')}/extensions`,
    body: () => ({ days: 1, reason: 'Conference week' }),
    workflow: () => workflowOf(ids.active),
    codes: STAFF(200),
  },
  adminTerminate: {
    method: 'POST',
    path: () => `/admin${app('toTerminate')}/terminate`,
    body: () => ({ reason: 'Left the project' }),
    codes: STAFF(200),
  },
  adminScheduleChange: {
    method: 'POST',
    path: () => `/admin/programs/${P}/schedule-change`,
    body: () => ({ completionGraceDays: 14 }),
    workflow: () => workflowOf(ids.active),
    codes: STAFF(200),
  },
  adminResendEmail: {
    method: 'POST',
    path: () => `/admin${app('active')}/emails/application-received/resend`,
    body: () => ({ requestId: 'matrix' }),
    codes: STAFF(200),
  },
  menteeEvaluation: {
    method: 'POST',
    path: () => `${app('active')}/evaluations/1/mentee-evaluation`,
    body: () => ({ ratings: { mentor: 5, program: 5 }, shareWithMentor: true }),
    workflow: () => workflowOf(ids.active),
    codes: [401, 200, 403, 403, 403, 403, 403, 403, 403],
  },
  reopenEvaluation: {
    method: 'POST',
    path: () => `${app('active')}/evaluations/1/reopen`,
    body: () => ({ reason: 'Rated the wrong mentee' }),
    workflow: () => workflowOf(ids.active),
    // the admin re-opens it; ops asking again is a harmless repeat
    codes: STAFF(200),
  },
  installmentApproval: {
    method: 'POST',
    path: () => `${app('active')}/stipend/1/approval`,
    body: () => ({ decision: 'approve' }),
    workflow: () => workflowOf(ids.active),
    // allowed, but this program pays without approval
    codes: STAFF(422),
  },
  bulkApproval: {
    method: 'POST',
    path: () => `/programs/${P}/stipend-approvals`,
    body: () => ({ decision: 'approve', afterEvaluation: 2 }),
    codes: STAFF(200),
  },
  createPayoutBatch: { method: 'POST', path: () => '/finance/batches', codes: OPS_ONLY(409) },
  listPayoutBatches: { method: 'GET', path: () => '/finance/batches', codes: OPS_ONLY(200) },
  exportPayoutBatch: { method: 'GET', path: () => '/finance/batches/1/export', codes: OPS_ONLY(404) },
  sendPayoutBatch: { method: 'POST', path: () => '/finance/batches/1/sent', codes: OPS_ONLY(404) },
  reportPayout: {
    method: 'POST',
    path: () => '/finance/payouts/report',
    body: () => ({ businessKey: 'no-such-payout', state: 'paid' }),
    codes: OPS_ONLY(404),
  },
  exportApplications: {
    method: 'GET',
    path: () => `/programs/${P}/applications/export`,
    codes: PROGRAM_VIEWERS,
  },
  declinePending: {
    method: 'POST',
    path: () => `/programs/${P}/decline-pending`,
    body: (column) => ({ requestId: `matrix-${column}` }),
    codes: STAFF(200),
  },
  declinePendingReport: {
    method: 'GET',
    path: () => `/programs/${P}/decline-pending/never-ran`,
    codes: STAFF(404),
  },
  // a feed's URL is its credential, whoever calls it (before the owner's own POST below replaces it)
  calendarFeed: { method: 'GET', path: () => feedPath, codes: PUBLIC_200 },
  unknownCalendarFeed: {
    method: 'GET',
    path: () => `/calendars/${'A'.repeat(43)}`,
    codes: Array(9).fill(404),
  },
  issueCalendar: {
    method: 'POST',
    path: () => '/me/calendar',
    codes: [401, 201, 201, 201, 201, 201, 201, 201, 201],
  },
  revokeCalendar: {
    method: 'DELETE',
    path: () => '/me/calendar',
    codes: [401, 204, 204, 204, 204, 204, 204, 204, 204],
  },
  // last: it ends the active mentee's application
  withdraw: {
    method: 'POST',
    path: () => `${app('active')}/withdraw`,
    body: () => ({ reason: 'Found a job' }),
    workflow: () => workflowOf(ids.active),
    codes: [401, 200, 403, 403, 403, 403, 403, 403, 403],
  },
};

// the selection is decided before the selection deadline, so it runs first, on an application awaiting selection
const SELECTION: Row = {
  method: 'POST',
  path: () => `${app('awaitingSelection')}/selection`,
  body: () => ({
    decision: 'select',
    mentor: { id: USERS.programMentor.userId, name: 'Program Mentor', email: 'pm@example.org' },
    projectTitle: 'Docs site',
  }),
  workflow: () => workflowOf(ids.awaitingSelection),
  // a program mentor selects for themselves (the assigned mentor of another mentee may not name someone else)
  codes: [401, 403, 403, 403, 200, 403, 200, 403, 200],
};

// terminated while still running (it would be not_selected after the selection deadline)
const TERMINATE: Row = {
  method: 'POST',
  path: () => `${app('toTerminate')}/terminate`,
  body: () => ({ reason: 'Left the project' }),
  workflow: () => workflowOf(ids.toTerminate),
  codes: STAFF(200),
};

let programBody: Record<string, unknown>;

async function as(column: Column) {
  return column === 'anonymous' ? { authorization: '' } : bearer(USERS[column]);
}

/** The history's length once earlier requests' emails and payments have finished and it stopped growing. */
async function historyLength(workflowId: string): Promise<number> {
  const handle = system.env.client.workflow.getHandle(workflowId);
  let last = -1;
  for (;;) {
    const { raw } = await handle.describe();
    const busy = (raw.pendingActivities?.length ?? 0) > 0 || raw.pendingWorkflowTask != null;
    const length = (await handle.fetchHistory()).events?.length ?? 0;
    if (!busy && length === last) return length;
    last = length;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs a row: refusals first (and the workflow history must not grow), then the allowed cells. */
async function walk(name: string, row: Row): Promise<Record<Column, number>> {
  const seen = {} as Record<Column, number>;
  const order = COLUMNS.map((column, i) => ({ column, expected: row.codes[i]! })).sort(
    (a, b) => Number(a.expected < 400 || a.expected >= 404) - Number(b.expected < 400 || b.expected >= 404),
  );
  const before = row.workflow ? await historyLength(row.workflow()) : 0;
  let refusalsDone = false;
  for (const { column, expected } of order) {
    const refused = expected === 401 || expected === 403;
    if (!refused && !refusalsDone && row.workflow) {
      expect(await historyLength(row.workflow()), `${name}: refusals left a trace`).toBe(before);
      refusalsDone = true;
    }
    const response = await system.call(row.method, row.path(), row.body?.(column), await as(column));
    seen[column] = response.status;
    if (refused) expect(response.body.type, `${name} as ${column}`).toMatch(/unauthorized|forbidden/);
  }
  return seen;
}

describe('the permission matrix', () => {
  it('answers every role on every endpoint with the expected status, and refusals leave no trace', async () => {
    const drive = driver(system);
    const { program, closes, dueAt } = await drive.newProgram({ id: P });
    programBody = program;
    await drive.newProgram({ id: Q });
    await drive.call('POST', '/terms', { id: T, organization: 'Matrix', name: 'Matrix term' }, 201);
    const applyAs = async (menteeId: string) =>
      (
        await system.call('POST', `/programs/${P}/applications`, {
          mentee: { id: menteeId, name: menteeId, email: `${menteeId}@example.org` },
        })
      ).body.id as string;
    ids.active = await applyAs(USERS.mentee.userId);
    ids.awaitingSelection = await applyAs('mentee-awaiting');
    ids.toTerminate = await applyAs('mentee-terminated');
    for (const id of Object.values(ids)) await drive.completePrerequisites(id);
    await drive.skipTo(closes + 14 * DAYS + HOURS);
    await drive.select(ids.active, USERS.mentor.userId);
    for (const step of ['contract', 'tax-form', 'payment-details']) {
      await drive.call('POST', `/applications/${ids.active}/onboarding/${step}/complete`);
    }
    const feed = await system.call('POST', '/me/calendar', undefined, await as('mentee'));
    feedPath = new URL(feed.body.url).pathname;

    const expected: Record<string, Record<Column, number>> = {};
    const actual: Record<string, Record<Column, number>> = {};
    const record = async (name: string, row: Row) => {
      expected[name] = Object.fromEntries(COLUMNS.map((c, i) => [c, row.codes[i]])) as Record<Column, number>;
      actual[name] = await walk(name, row);
    };
    await record('selection', SELECTION);
    await record('terminate', TERMINATE);
    await drive.skipTo(dueAt(1) - 3 * DAYS);
    for (const [name, row] of Object.entries(MATRIX)) await record(name, row);

    expect(actual).toEqual(expected);
    expect(Object.keys(actual).length * COLUMNS.length).toBeGreaterThanOrEqual(270);
  });

  it('scopes lists to what the caller may see', async () => {
    const list = async (column: Column, path: string) =>
      (await system.call('GET', path, undefined, await as(column))).body.items as {
        applicationId?: string;
        id?: string;
      }[];
    expect(await list('otherAdmin', `/mentors/${USERS.mentor.userId}/mentees`)).toEqual([]);
    expect((await list('admin', `/mentors/${USERS.mentor.userId}/mentees`)).map((a) => a.id)).toEqual([
      ids.active,
    ]);
    expect(await list('otherAdmin', '/stipend-installments')).toEqual([]);
    expect(await list('otherMentor', '/evaluations/due')).toEqual([]);
    const mine = await list('mentee', '/me/applications');
    expect(mine.map((a) => a.id)).toEqual([ids.active]);
  });
});
