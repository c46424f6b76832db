import type { Decision, MenteeStatus } from '../domain/status.js';
import type { CohortPlan } from './plan.js';
import { DAY } from './plan.js';
import type { SimulationRun } from './simulate.js';
import type { SimulationSystem } from './system.js';

/** Everything the report shows, read from Postgres (read model, ledger, emails, certificates) and the edge log. */
export interface Report {
  generatedFor: {
    programs: { id: string; name: string; term: string }[];
    termId: string | null;
    mentees: number;
    applications: number;
    seed: number;
    scenario: string;
    shiftedByDays: number;
  };
  summary: {
    applied: number;
    completed: number;
    byStage: Record<string, number>;
    paidCents: number;
    paidMentees: number;
    forfeitedCents: number;
    failedPayouts: number;
    currency: string;
    certificates: number;
    emails: number;
    attention: { what: string; count: number; keys: string[] }[];
    refusedMessages: { kind: string; status: number; detail: string; count: number }[];
    lines: string[];
  };
  funnel: { step: string; count: number; exits: { reason: string; count: number }[] }[];
  /** Simulated days (ISO date) and how many applications were in each stage at the end of each. */
  stagesOverTime: { days: string[]; stages: Record<string, number[]> };
  weeks: string[];
  workload: Record<'mentor' | 'admin' | 'mentee' | 'ops', Record<string, number[]>>;
  cashFlow: {
    paidByCountry: Record<string, number[]>;
    paidByInstallment: Record<string, number[]>;
    releasedByWeek: number[];
    forfeitedByWeek: number[];
    failedByWeek: number[];
    byCountry: {
      country: string;
      mentees: number;
      paidCents: number;
      forfeitedCents: number;
      failed: number;
    }[];
  };
  emailsByKind: Record<string, number[]>;
  certificatesByWeek: number[];
  deadlineExits: { deadline: string; exits: number }[];
  timings?: Record<string, number>;
}

interface Row {
  id: string;
  programId: string;
  menteeId: string;
  stage: string;
  status: MenteeStatus | null;
  country: string | null;
}

const weekStart = (t: number) => {
  const d = new Date(t);
  const monday =
    Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - ((d.getUTCDay() + 6) % 7) * DAY;
  return new Date(monday).toISOString().slice(0, 10);
};

/** Which deadline an exit reason names, for "the deadlines that caused the most exits". */
function deadlineOf(stage: string, reason: string | null): string | null {
  if (!reason) return null;
  if (stage === 'not_accepted') return 'Review window closes (prerequisites open)';
  if (stage === 'not_selected') return 'Selection deadline (nobody decided)';
  if (stage === 'offer_lapsed') return 'Onboarding deadline (steps open)';
  const missed = /^Evaluation (\d+) was not submitted in time/.exec(reason);
  if (missed) return `Evaluation ${missed[1]} grace period ends (not submitted)`;
  if (reason.startsWith('Completion requirements not met'))
    return 'Completion deadline (items or survey open)';
  return null;
}

function exitReason(stage: string, reason: string | null, decisions: Decision[]): string {
  if (stage === 'terminated') {
    if (!reason) return 'terminated';
    if (/^Evaluation \d+ failed/.test(reason)) return reason;
    if (/^Evaluation \d+ was not submitted/.test(reason))
      return reason.replace(' in time', ' in time (missed)');
    if (reason.startsWith('Completion requirements not met')) return 'Completion requirements not met';
    const byAdmin = decisions.some((d) => d.action === 'terminated' && d.by.role !== 'system');
    return byAdmin ? `Terminated by an admin: ${reason}` : reason;
  }
  if (stage === 'withdrawn') return 'Withdrew';
  if (stage === 'not_accepted') return 'Prerequisites not completed';
  if (stage === 'declined') return 'Declined by the mentors';
  if (stage === 'not_selected') return 'Nobody decided by the selection deadline';
  if (stage === 'offer_lapsed') return 'Onboarding not completed by the deadline';
  return stage;
}

export async function buildReport(
  system: Pick<SimulationSystem, 'sql' | 'edge'>,
  run: SimulationRun,
  meta: { seed: number; scenario: string; mentees: number; termId: string | null },
): Promise<Report> {
  const { sql, edge } = system;
  const { plan } = run;
  const rows = await sql<Row[]>`
    SELECT a.id, a.program_id AS "programId", a.mentee_id AS "menteeId", a.stage, a.status, m.country
    FROM applications a JOIN mentees m ON m.id = a.mentee_id ORDER BY a.program_id, a.mentee_id`;
  const ledger = await sql<
    {
      applicationId: string;
      installment: number;
      amountCents: string;
      status: string;
      approvedAt: Date;
      attempt: number;
      businessKey: string;
    }[]
  >`SELECT application_id AS "applicationId", installment, amount_cents AS "amountCents", status, approved_at AS "approvedAt",
           attempt, business_key AS "businessKey" FROM stipend_payments`;
  const emails = await sql<
    { key: string; applicationId: string | null; kind: string; role: string | null }[]
  >`
    SELECT idempotency_key AS key, application_id AS "applicationId", kind, recipient_role AS role FROM emails`;
  const certificates = await sql<{ applicationId: string; issuedAt: Date }[]>`
    SELECT application_id AS "applicationId", issued_at AS "issuedAt" FROM certificates`;

  const byId = new Map(rows.map((r) => [r.id, r]));
  const planned = new Map(plan.applications.filter((a) => a.applicationId).map((a) => [a.applicationId!, a]));
  const keyOf = (applicationId: string) => planned.get(applicationId)?.key ?? applicationId;
  const currency = plan.programs[0]?.rules.stipend.currency ?? 'USD';

  // The simulated time span, in weeks (Monday UTC) and days.
  const start = plan.startsAt;
  const end = plan.endsAt;
  const weeks: string[] = [];
  for (let t = Date.parse(weekStart(start)); t <= end; t += 7 * DAY) weeks.push(weekStart(t));
  const weekIndex = (t: number) => Math.max(0, Math.min(weeks.length - 1, weeks.indexOf(weekStart(t))));
  const series = () => weeks.map(() => 0);
  const addTo = (record: Record<string, number[]>, name: string, t: number, amount = 1) => {
    record[name] ??= series();
    record[name]![weekIndex(t)]! += amount;
  };

  // Stages over time, from the apply instant and the stage changes in each audit trail.
  const appliedAt = new Map(
    run.answers.filter((a) => a.kind === 'apply' && a.status === 201).map((a) => [a.key, a.at]),
  );
  const days: string[] = [];
  for (let t = start; t <= end; t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  const stages: Record<string, number[]> = {};
  for (const row of rows) {
    const changes: [number, string][] = [[appliedAt.get(keyOf(row.id)) ?? start, 'in_review']];
    for (const d of row.status?.decisions ?? []) {
      if (d.action.startsWith('stage:')) changes.push([Date.parse(d.at), d.action.slice(6)]);
    }
    changes.sort((a, b) => a[0] - b[0]);
    for (const [i, day] of days.entries()) {
      const t = Date.parse(day) + DAY - 1;
      let stage: string | null = null;
      for (const [at, s] of changes) if (at <= t) stage = s;
      if (stage) {
        stages[stage] ??= days.map(() => 0);
        stages[stage]![i]!++;
      }
    }
  }

  // Workload per role per week.
  const workload: Report['workload'] = { mentor: {}, admin: {}, mentee: {}, ops: {} };
  for (const row of rows) {
    for (const e of row.status?.evaluations ?? []) {
      if (
        e.state === 'passed' ||
        e.state === 'failed' ||
        e.state === 'missed' ||
        e.state === 'overdue' ||
        e.state === 'open'
      )
        addTo(workload.mentor, 'evaluations due', Date.parse(e.dueAt));
      if (e.submittedAt) addTo(workload.mentor, 'evaluations submitted', Date.parse(e.submittedAt));
    }
    for (const d of row.status?.decisions ?? []) {
      const t = Date.parse(d.at);
      if (d.action === 'selected' || d.action === 'declined')
        addTo(workload.mentor, 'selection decisions', t);
      if (d.action.startsWith('onboarding:')) addTo(workload.admin, 'onboarding approvals', t);
      if (d.action === 'extended') addTo(workload.admin, 'extensions granted', t);
      if (/^stipend:\d+:approved$/.test(d.action)) addTo(workload.admin, 'installment approvals', t);
      if (d.action === 'terminated' && d.by.role !== 'system') addTo(workload.admin, 'terminations', t);
      if (d.action === 'told-by-phone') addTo(workload.admin, 'phone calls', t);
      if (/^stipend:\d+:retry$/.test(d.action)) addTo(workload.ops, 'payment retries', t);
      if (d.action.startsWith('progress:')) addTo(workload.mentee, 'progress items', t);
      if (d.action === 'feedback-survey') addTo(workload.mentee, 'feedback surveys', t);
    }
  }
  for (const a of run.answers) {
    if (a.kind === 'prerequisite' && a.status === 200) addTo(workload.mentee, 'prerequisites', a.at);
    if (a.kind === 'review-task' && a.status === 200) addTo(workload.mentor, 'task reviews', a.at);
    if (a.kind === 'rate' && a.status === 200) addTo(workload.mentor, 'ratings', a.at);
    if (a.kind === 'retry-payment' && a.status !== 200) addTo(workload.ops, 'refused retries', a.at);
  }
  const emailsByKind: Record<string, number[]> = {};
  for (const e of emails) {
    const at = edge.emails.get(e.key);
    if (at === undefined) continue;
    addTo(emailsByKind, e.kind, at);
    if (e.kind === 'evaluation-reminder') addTo(workload.mentor, 'reminders received', at);
    if (e.kind === 'review-reminder') addTo(workload.mentee, 'review reminders', at);
    if (e.kind === 'evaluation-overdue') addTo(workload.admin, 'escalations: evaluation overdue', at);
    if (e.kind === 'payment-failed') addTo(workload.admin, 'escalations: payment failed', at);
    if (e.kind === 'offer-lapsed' && e.role === 'admin') addTo(workload.admin, 'offers lapsed', at);
  }

  // Stipend cash flow: released on the evaluation's date (approved_at), paid when the provider took it.
  const cash: Report['cashFlow'] = {
    paidByCountry: {},
    paidByInstallment: {},
    releasedByWeek: series(),
    forfeitedByWeek: series(),
    failedByWeek: series(),
    byCountry: [],
  };
  const countries = new Map<
    string,
    { mentees: Set<string>; paidCents: number; forfeitedCents: number; failed: number }
  >();
  const country = (row: Row | undefined) => {
    const c = row?.country ?? '??';
    let entry = countries.get(c);
    if (!entry) {
      entry = { mentees: new Set(), paidCents: 0, forfeitedCents: 0, failed: 0 };
      countries.set(c, entry);
    }
    return entry;
  };
  let paidCents = 0;
  const paidMentees = new Set<string>();
  for (const r of ledger) {
    const row = byId.get(r.applicationId);
    const amount = Number(r.amountCents);
    cash.releasedByWeek[weekIndex(r.approvedAt.getTime())]! += amount / 100;
    if (r.status === 'paid') {
      const key = r.attempt === 0 ? r.businessKey : `${r.businessKey}/attempt-${r.attempt}`;
      const paidAt = edge.payouts.get(key) ?? r.approvedAt.getTime();
      addTo(cash.paidByCountry, row?.country ?? '??', paidAt, amount / 100);
      addTo(cash.paidByInstallment, `installment ${r.installment}`, paidAt, amount / 100);
      paidCents += amount;
      paidMentees.add(r.applicationId);
      country(row).paidCents += amount;
    }
  }
  let failedPayouts = 0;
  for (const [key, at] of edge.payouts) {
    const bk = key.replace(/\/attempt-\d+$/, '');
    const r = ledger.find((l) => l.businessKey === bk);
    const paidKey = r && (r.attempt === 0 ? r.businessKey : `${r.businessKey}/attempt-${r.attempt}`);
    if (r && (r.status !== 'paid' || paidKey !== key)) {
      failedPayouts++;
      cash.failedByWeek[weekIndex(at)]! += Number(r.amountCents) / 100;
      country(byId.get(r.applicationId)).failed++;
    }
  }
  let forfeitedCents = 0;
  for (const row of rows) {
    country(row).mentees.add(row.id);
    const ended = row.status?.decisions.find((d) => d.action === `stage:${row.stage}`);
    for (const i of row.status?.stipend ?? []) {
      if (i.state !== 'forfeited' || i.amountCents === null) continue;
      forfeitedCents += i.amountCents;
      country(row).forfeitedCents += i.amountCents;
      cash.forfeitedByWeek[weekIndex(ended ? Date.parse(ended.at) : end)]! += i.amountCents / 100;
    }
  }
  cash.byCountry = [...countries.entries()]
    .map(([c, v]) => ({
      country: c,
      mentees: v.mentees.size,
      paidCents: v.paidCents,
      forfeitedCents: v.forfeitedCents,
      failed: v.failed,
    }))
    .sort((a, b) => b.paidCents - a.paidCents || a.country.localeCompare(b.country));

  const certificatesByWeek = series();
  for (const c of certificates) certificatesByWeek[weekIndex(c.issuedAt.getTime())]!++;

  // The funnel, with the reason at each exit.
  const byStage: Record<string, number> = {};
  for (const row of rows) byStage[row.stage] = (byStage[row.stage] ?? 0) + 1;
  const reached = (row: Row, stage: string) =>
    row.stage === stage || (row.status?.decisions ?? []).some((d) => d.action === `stage:${stage}`);
  const exitsAt = (filter: (r: Row) => boolean) => {
    const counts = new Map<string, number>();
    for (const row of rows.filter(filter)) {
      const reason = exitReason(row.stage, row.status?.outcomeReason ?? null, row.status?.decisions ?? []);
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    return [...counts.entries()]
      .map(([reason, count]) => ({ reason, count }))
      .sort((a, b) => b.count - a.count);
  };
  const refusedApply = run.answers.filter((a) => a.kind === 'apply' && a.status !== 201).length;
  const funnel: Report['funnel'] = [
    {
      step: 'Applied',
      count: rows.length + refusedApply,
      exits: refusedApply ? [{ reason: 'Application refused (term rules)', count: refusedApply }] : [],
    },
    {
      step: 'In review',
      count: rows.length,
      exits: exitsAt(
        (r) => r.stage === 'not_accepted' || (r.stage === 'withdrawn' && !reached(r, 'awaiting_selection')),
      ),
    },
    {
      step: 'Accepted for selection',
      count: rows.filter((r) => reached(r, 'awaiting_selection')).length,
      exits: exitsAt(
        (r) =>
          ['declined', 'not_selected'].includes(r.stage) ||
          (r.stage === 'withdrawn' && reached(r, 'awaiting_selection') && !reached(r, 'onboarding')),
      ),
    },
    {
      step: 'Selected (onboarding)',
      count: rows.filter((r) => reached(r, 'onboarding')).length,
      exits: exitsAt(
        (r) =>
          r.stage === 'offer_lapsed' ||
          (r.stage === 'withdrawn' && reached(r, 'onboarding') && !reached(r, 'active')),
      ),
    },
    {
      step: 'Active',
      count: rows.filter((r) => reached(r, 'active')).length,
      exits: exitsAt((r) => reached(r, 'active') && (r.stage === 'terminated' || r.stage === 'withdrawn')),
    },
    { step: 'Completed', count: byStage.completed ?? 0, exits: [] },
  ];

  const deadlineCounts = new Map<string, number>();
  for (const row of rows) {
    const d = deadlineOf(row.stage, row.status?.outcomeReason ?? null);
    if (d) deadlineCounts.set(d, (deadlineCounts.get(d) ?? 0) + 1);
  }
  const deadlineExits = [...deadlineCounts.entries()]
    .map(([deadline, exits]) => ({ deadline, exits }))
    .sort((a, b) => b.exits - a.exits);

  // What needs staff attention at the end.
  const attention: Report['summary']['attention'] = [];
  const waitingForRetry = run.open.filter((o) => {
    const row = byId.get(o.applicationId);
    return row?.status?.stipend.some((i) => i.state === 'payment-failed');
  });
  if (waitingForRetry.length)
    attention.push({
      what: 'rejected payouts still owed (fix the payee, then ops retry-payment)',
      count: waitingForRetry.length,
      keys: waitingForRetry.map((o) => o.key),
    });
  if (run.broken.length)
    attention.push({
      what: `workflows whose task kept failing (a bug; terminated by the simulator): ${[...new Set(run.broken.map((b) => `${b.action}: ${b.failure}`))].join('; ')}`,
      count: run.broken.length,
      keys: run.broken.map((b) => b.key),
    });
  const otherOpen = run.open.filter((o) => !waitingForRetry.includes(o));
  if (otherOpen.length)
    attention.push({
      what: 'workflows still open for another reason',
      count: otherOpen.length,
      keys: otherOpen.map((o) => o.key),
    });
  const overdue = emails.filter((e) => e.kind === 'evaluation-overdue').length;
  if (overdue)
    attention.push({ what: 'evaluations that went overdue (admin alerted)', count: overdue, keys: [] });
  const missed = rows.filter((r) => /was not submitted in time/.test(r.status?.outcomeReason ?? ''));
  if (missed.length)
    attention.push({
      what: 'mentees terminated because the mentor missed an evaluation',
      count: missed.length,
      keys: missed.map((r) => keyOf(r.id)),
    });

  const refused = new Map<string, { kind: string; status: number; detail: string; count: number }>();
  for (const a of run.answers.filter((x) => x.status >= 400)) {
    const detail = (a.detail ?? '')
      .replace(/[0-9a-f-]{36}/g, '<id>')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<instant>');
    const id = `${a.kind}/${a.status}/${detail}`;
    const entry = refused.get(id) ?? { kind: a.kind, status: a.status, detail, count: 0 };
    entry.count++;
    refused.set(id, entry);
  }

  const money = (cents: number) =>
    `${currency} ${(cents / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
  const completed = byStage.completed ?? 0;
  const active = funnel[4]!.count;
  const lines = [
    `${rows.length} applications from ${meta.mentees} people: ${funnel[2]!.count} passed review, ${funnel[3]!.count} were selected, ${active} became active and ${completed} completed (${rows.length ? ((100 * completed) / rows.length).toFixed(1) : 0}% of applications, ${active ? ((100 * completed) / active).toFixed(1) : 0}% of active mentees).`,
    `Stipends: ${money(paidCents)} paid to ${paidMentees.size} mentees, ${money(forfeitedCents)} forfeited, ${failedPayouts} payouts rejected by the provider.`,
    `${certificates.length} Letters of Completion issued; ${emails.length} emails sent.`,
    attention.length
      ? `Needs staff attention: ${attention.map((a) => `${a.count} ${a.what}`).join('; ')}.`
      : 'Nothing needs staff attention at the end of the term.',
  ];

  return {
    generatedFor: {
      programs: plan.programs.map((p) => ({ id: p.rules.programId, name: p.rules.name, term: p.rules.term })),
      termId: meta.termId,
      mentees: meta.mentees,
      applications: plan.applications.length,
      seed: meta.seed,
      scenario: meta.scenario,
      shiftedByDays: run.shiftMs / DAY,
    },
    summary: {
      applied: funnel[0]!.count,
      completed,
      byStage,
      paidCents,
      paidMentees: paidMentees.size,
      forfeitedCents,
      failedPayouts,
      currency,
      certificates: certificates.length,
      emails: emails.length,
      attention,
      refusedMessages: [...refused.values()].sort((a, b) => b.count - a.count),
      lines,
    },
    funnel,
    stagesOverTime: { days, stages },
    weeks,
    workload,
    cashFlow: cash,
    emailsByKind,
    certificatesByWeek,
    deadlineExits,
  };
}

export type { CohortPlan };
