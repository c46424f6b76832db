import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Report } from './report-data.js';

const require = createRequire(import.meta.url);

/** Chart.js's UMD build, inlined so the report opens anywhere without a network. */
async function chartJs(): Promise<string> {
  // the package's main entry is dist/chart.cjs; the UMD build sits beside it
  return readFile(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A `<script>`-safe JSON literal. */
const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

/** The report as one self-contained HTML page: a text summary, then the charts (drawn by Chart.js in the page). */
export async function renderReportHtml(report: Report): Promise<string> {
  const s = report.summary;
  const money = (cents: number) =>
    `${s.currency} ${(cents / 100).toLocaleString('en-US', { maximumFractionDigits: 0 })}`;
  const programs = report.generatedFor.programs
    .map((p) => `${escapeHtml(p.name)} ${escapeHtml(p.term)} (${escapeHtml(p.id)})`)
    .join(', ');
  const attention = s.attention.length
    ? `<ul>${s.attention.map((a) => `<li><b>${a.count}</b> ${escapeHtml(a.what)}${a.keys.length ? `<br><small>${a.keys.slice(0, 8).map(escape).join(', ')}${a.keys.length > 8 ? ', ...' : ''}</small>` : ''}</li>`).join('')}</ul>`
    : '<p>Nothing.</p>';
  const countryRows = report.cashFlow.byCountry
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.country)}</td><td>${c.mentees}</td><td>${money(c.paidCents)}</td><td>${money(c.forfeitedCents)}</td><td>${c.failed}</td></tr>`,
    )
    .join('');
  const refused = s.refusedMessages
    .slice(0, 12)
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.kind)}</td><td>${r.status}</td><td>${escapeHtml(r.detail)}</td><td>${r.count}</td></tr>`,
    )
    .join('');
  const funnelRows = report.funnel
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.step)}</td><td>${f.count}</td><td>${f.exits.map((e) => `${e.count} ${escapeHtml(e.reason)}`).join('<br>') || '&mdash;'}</td></tr>`,
    )
    .join('');
  const charts = [
    ['funnel', 'Funnel: from applied to completed'],
    ['exits', 'Exits by reason'],
    ['stages', 'Applications by stage over simulated time'],
    ['workload-mentor', 'Weekly workload: mentors'],
    ['workload-admin', 'Weekly workload: program admins'],
    ['workload-mentee', 'Weekly workload: mentees'],
    ['workload-ops', 'Weekly workload: ops repairs'],
    ['cash-country', 'Stipends paid per week, by country'],
    ['cash-installment', 'Stipends per week: released, paid by installment, forfeited, failed'],
    ['emails', 'Emails per week, by kind'],
    ['certificates', 'Letters of Completion issued per week'],
    ['deadlines', 'Deadlines that caused the most exits'],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Cohort simulation: ${programs}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2b4f;color:#fff;padding:16px 28px}header h1{margin:0 0 4px;font-size:20px}header p{margin:0;opacity:.85}
main{padding:16px 28px;display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
section{background:#fff;border-radius:8px;padding:14px 18px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
section.wide{grid-column:1/-1}h2{font-size:15px;margin:0 0 8px}
.kpis{display:flex;gap:14px;flex-wrap:wrap;margin:6px 0 10px}.kpi{background:#eef2fb;border-radius:6px;padding:8px 12px;min-width:120px}
.kpi b{display:block;font-size:20px}table{border-collapse:collapse;width:100%;font-size:13px}td,th{text-align:left;padding:3px 6px;border-bottom:1px solid #eee;vertical-align:top}
canvas{max-height:320px}small{color:#667}
</style></head><body>
<header><h1>Cohort simulation</h1><p>${programs} &middot; ${report.generatedFor.mentees} people, ${report.generatedFor.applications} applications &middot; seed ${report.generatedFor.seed} &middot; scenario: ${escapeHtml(report.generatedFor.scenario)}${report.generatedFor.shiftedByDays ? ` &middot; dates moved ${report.generatedFor.shiftedByDays} days later` : ''}</p></header>
<main>
<section class="wide" id="summary"><h2>Summary</h2>
<div class="kpis">
<div class="kpi"><b>${s.applied}</b>applied</div><div class="kpi"><b>${s.completed}</b>completed</div>
<div class="kpi"><b>${money(s.paidCents)}</b>paid to ${s.paidMentees} mentees</div><div class="kpi"><b>${money(s.forfeitedCents)}</b>forfeited</div>
<div class="kpi"><b>${s.failedPayouts}</b>payouts rejected</div><div class="kpi"><b>${s.certificates}</b>certificates</div><div class="kpi"><b>${s.emails}</b>emails</div>
</div>
${s.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}
<h2>Needs staff attention</h2>${attention}
</section>
<section><h2>Funnel and exits</h2><table><tr><th>Step</th><th>Applications</th><th>Exits after this step</th></tr>${funnelRows}</table></section>
<section><h2>Stipends by country</h2><table><tr><th>Country</th><th>Applications</th><th>Paid</th><th>Forfeited</th><th>Rejected payouts</th></tr>${countryRows}</table></section>
${charts.map(([id, title]) => `<section${id === 'stages' || id === 'emails' ? ' class="wide"' : ''}><h2>${title}</h2><canvas id="chart-${id}"></canvas></section>`).join('\n')}
<section class="wide"><h2>Messages the system refused (most frequent)</h2><table><tr><th>Action</th><th>Status</th><th>Why</th><th>Count</th></tr>${refused || '<tr><td colspan="4">None</td></tr>'}</table></section>
</main>
<script>${await chartJs()}</script>
<script id="report-data" type="application/json">${json(report)}</script>
<script>
const report = JSON.parse(document.getElementById('report-data').textContent);
const palette = ['#3366cc','#dc3912','#ff9900','#109618','#990099','#0099c6','#dd4477','#66aa00','#b82e2e','#316395','#994499','#22aa99','#aaaa11','#6633cc','#e67300','#8b0707'];
const color = (i) => palette[i % palette.length];
const sets = (record, stacked) => Object.entries(record).map(([label, data], i) => ({ label, data, backgroundColor: color(i), borderColor: color(i), fill: stacked, pointRadius: 0, stack: stacked ? 's' : undefined }));
const draw = (id, config) => { window.charts = window.charts || {}; window.charts[id] = new Chart(document.getElementById('chart-' + id), config); };
// horizontal bars name every category (no skipped labels)
const bar = (labels, datasets, stacked, extra = {}) => ({ type: 'bar', data: { labels, datasets }, options: { animation: false, responsive: true, scales: extra.indexAxis === 'y' ? { x: { stacked, beginAtZero: true }, y: { stacked, ticks: { autoSkip: false } } } : { x: { stacked }, y: { stacked, beginAtZero: true } }, ...extra } });
draw('funnel', bar(report.funnel.map((f) => f.step), [{ label: 'applications', data: report.funnel.map((f) => f.count), backgroundColor: color(0) }], false, { indexAxis: 'y', plugins: { legend: { display: false } } }));
const exits = {};
report.funnel.forEach((f) => f.exits.forEach((e) => { exits[e.reason] = (exits[e.reason] || 0) + e.count; }));
draw('exits', bar(Object.keys(exits), [{ label: 'exits', data: Object.values(exits), backgroundColor: color(1) }], false, { indexAxis: 'y', plugins: { legend: { display: false } } }));
draw('stages', { type: 'line', data: { labels: report.stagesOverTime.days, datasets: sets(report.stagesOverTime.stages, true) }, options: { animation: false, scales: { y: { stacked: true, beginAtZero: true } }, elements: { line: { borderWidth: 1 } } } });
for (const role of ['mentor', 'admin', 'mentee', 'ops']) draw('workload-' + role, bar(report.weeks, sets(report.workload[role], false), false));
draw('cash-country', bar(report.weeks, sets(report.cashFlow.paidByCountry, true), true));
draw('cash-installment', bar(report.weeks, [
  { label: 'released (evaluation passed)', data: report.cashFlow.releasedByWeek, type: 'line', borderColor: '#333', backgroundColor: '#333', pointRadius: 0 },
  ...sets(report.cashFlow.paidByInstallment, true).map((d) => ({ ...d, label: 'paid: ' + d.label })),
  { label: 'forfeited', data: report.cashFlow.forfeitedByWeek, backgroundColor: '#bbb', stack: 'f' },
  { label: 'rejected by the provider', data: report.cashFlow.failedByWeek, backgroundColor: '#dc3912', stack: 'r' },
], true));
draw('emails', bar(report.weeks, sets(report.emailsByKind, true), true));
draw('certificates', bar(report.weeks, [{ label: 'certificates', data: report.certificatesByWeek, backgroundColor: color(3) }], false, { plugins: { legend: { display: false } } }));
draw('deadlines', bar(report.deadlineExits.map((d) => d.deadline), [{ label: 'exits', data: report.deadlineExits.map((d) => d.exits), backgroundColor: color(2) }], false, { indexAxis: 'y', plugins: { legend: { display: false } } }));
document.body.dataset.rendered = 'true';
</script>
</body></html>
`;
}
