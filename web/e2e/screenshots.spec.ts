import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import { devToken, seedProgram } from './seed';

/** Screenshots of each page at desktop and phone width (SCREENSHOTS=1 npx playwright test screenshots). */
test.skip(!process.env.SCREENSHOTS, 'set SCREENSHOTS=1 to take them');

const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const out = resolve(dirname(fileURLToPath(import.meta.url)), '../screenshots');
const run = Date.now().toString(36);
const programId = `shots-${run}`;
const mentee = `mentee-${run}`;
let applicationId = '';

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

async function call(token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

test.beforeAll(async () => {
  mkdirSync(out, { recursive: true });
  await seedProgram(apiUrl, programId, 'Open Source Compilers');
  const token = await devToken(apiUrl, 'mentee', mentee);
  await call(token, 'PUT', '/me/profile', {
    name: 'Priya Raman',
    email: 'priya@example.org',
    country: 'IN',
    timeZone: 'Asia/Kolkata',
  });
  const created = await call(token, 'POST', `/programs/${programId}/applications`, {
    projectIds: ['faster-parser'],
    answers: {
      why: 'I have been reading the parser for a year and want to make it incremental.',
      github: 'https://github.com/priya',
      hours: '20-30',
    },
    submit: true,
  });
  applicationId = created.id;
  await call(token, 'POST', `/applications/${applicationId}/tasks/intro-call/submission`, {});
  await call(token, 'POST', `/applications/${applicationId}/tasks/first-pr/submission`, {
    url: 'https://github.com/compilers/parser/pull/42',
  });
  const mentor = await devToken(apiUrl, 'mentor', 'mentor-ada', [programId]);
  await call(mentor, 'POST', `/applications/${applicationId}/tasks/first-pr/review`, {
    decision: 'request-changes',
    comment: 'Please add a test for the new flag.',
  });
  await call(mentor, 'PUT', `/applications/${applicationId}/rating`, {
    scores: { skills: 4, motivation: 5 },
  });
});

async function as(page: Page, role: string, userId: string, programs: string[] = []) {
  const token = await devToken(apiUrl, role, userId, programs);
  await page.goto('/sign-in');
  await page.evaluate(
    (t) => sessionStorage.setItem('mentorship.session', JSON.stringify({ token: t, via: 'development' })),
    token,
  );
}

async function shoot(page: Page, name: string, path: string, ready: (page: Page) => Promise<void>) {
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    await page.goto(path);
    await ready(page);
    await page.screenshot({ path: `${out}/${name}-${size}.png`, fullPage: true });
  }
}

test('screenshots', async ({ page }) => {
  await shoot(page, 'sign-in', '/sign-in', (p) =>
    expect(p.getByRole('button', { name: 'Sign in' })).toBeVisible(),
  );
  await as(page, 'mentee', mentee);
  await shoot(page, 'mentee-programs', `/programs?q=compilers&status=open`, (p) =>
    expect(p.getByRole('link', { name: 'Open Source Compilers' }).first()).toBeVisible(),
  );
  await shoot(page, 'mentee-program', `/programs/${programId}`, (p) =>
    expect(p.getByRole('heading', { name: 'A faster parser' })).toBeVisible(),
  );
  await shoot(page, 'mentee-applications', '/applications', (p) =>
    expect(p.getByRole('link', { name: programId })).toBeVisible(),
  );
  await shoot(page, 'mentee-application', `/applications/${applicationId}`, (p) =>
    expect(p.getByRole('blockquote')).toBeVisible(),
  );
  await shoot(page, 'mentee-calendar', '/calendar', (p) =>
    expect(p.getByRole('button', { name: /calendar address/ }).first()).toBeVisible(),
  );
  await page.setViewportSize(SIZES.desktop);
  await page.getByRole('button', { name: 'Get my calendar address' }).click();
  await expect(page.getByLabel('Your calendar address')).toHaveValue(/\/calendars\//);
  await page.screenshot({ path: `${out}/mentee-calendar-feed-desktop.png`, fullPage: true });
  await shoot(page, 'certificate-unknown', '/certificates/NOPE-NOPE-NOPE', (p) =>
    expect(p.getByRole('alert')).toBeVisible(),
  );
  const other = `shots2-${run}`;
  await seedProgram(apiUrl, other, 'Kernel Documentation');
  await shoot(page, 'mentee-apply', `/programs/${other}/apply`, (p) =>
    expect(p.getByRole('button', { name: 'Submit application' })).toBeVisible(),
  );
  await page.setViewportSize(SIZES.desktop);
  await page.getByLabel(/Your GitHub profile/).fill('github dot com slash me');
  await page.getByRole('button', { name: 'Submit application' }).click();
  await expect(page.getByText('must be a URL, e.g. https://github.com/you')).toBeVisible();
  await page.screenshot({ path: `${out}/mentee-apply-errors-desktop.png`, fullPage: true });

  await as(page, 'mentor', 'mentor-ada', [programId]);
  await shoot(page, 'mentor-applicants', `/review?program=${programId}&sort=-rating`, (p) =>
    expect(p.getByRole('link', { name: mentee })).toBeVisible(),
  );
  await shoot(
    page,
    'mentor-application',
    `/review/${applicationId}?program=${programId}&mentee=${mentee}`,
    (p) => expect(p.getByText('I have been reading the parser')).toBeVisible(),
  );
  await shoot(page, 'mentor-mentees', '/mentees', (p) => expect(p.getByText(/no mentees yet/)).toBeVisible());
  await shoot(page, 'mentor-evaluations', '/evaluations', (p) =>
    expect(p.getByText(/No evaluations are due/)).toBeVisible(),
  );
  await as(page, 'admin', 'admin-1', [programId]);
  await shoot(page, 'admin-home', '/admin', (p) => expect(p.getByText('Total:').first()).toBeVisible());
  await shoot(page, 'admin-program-new', '/admin/programs/new', (p) =>
    expect(p.getByRole('button', { name: 'Create the program' })).toBeVisible(),
  );
  await page.setViewportSize(SIZES.desktop);
  await page.getByLabel(/^Program id/).fill(programId);
  await page.getByLabel(/^Review window/).fill('7');
  await page.getByRole('button', { name: 'Create the program' }).click();
  await expect(page.getByText(/the review window must be at least 14 days/)).toBeVisible();
  await page.screenshot({ path: `${out}/admin-program-new-errors-desktop.png`, fullPage: true });
  await shoot(page, 'admin-program-pipeline', `/admin/programs/${programId}`, (p) =>
    expect(p.getByRole('list', { name: /by stage/ })).toBeVisible(),
  );
  await shoot(page, 'admin-program-ranking', `/admin/programs/${programId}?section=ranking`, (p) =>
    expect(p.getByRole('button', { name: 'Save the ranking' })).toBeVisible(),
  );
  await page.setViewportSize(SIZES.desktop);
  await page.getByRole('button', { name: `Add to the ranking ${mentee}` }).click();
  await page.getByRole('button', { name: 'Save the ranking' }).click();
  await expect(page.getByText('Ranking saved.')).toBeVisible();
  await page.getByRole('button', { name: 'Select the top 1' }).click();
  await expect(page.getByRole('table', { name: 'Refused' })).toBeVisible();
  await page.screenshot({ path: `${out}/admin-program-select-top-desktop.png`, fullPage: true });
  await shoot(page, 'admin-program-conflicts', `/admin/programs/${programId}?section=conflicts`, (p) =>
    expect(p.getByText(/no conflicts/)).toBeVisible(),
  );
  await shoot(page, 'admin-program-schedule', `/admin/programs/${programId}?section=schedule`, (p) =>
    expect(p.getByRole('button', { name: 'Change the schedule' })).toBeVisible(),
  );
  await shoot(page, 'admin-program-certificates', `/admin/programs/${programId}?section=certificates`, (p) =>
    expect(p.getByText(/No Letter of Completion issued/)).toBeVisible(),
  );
  await as(page, 'ops', 'ops-1');
  await shoot(page, 'admin-terms', '/admin/terms', (p) =>
    expect(p.getByRole('button', { name: 'Create the term' })).toBeVisible(),
  );
  await shoot(page, 'ops-attention', '/attention', (p) =>
    expect(p.getByRole('heading', { name: 'Who needs attention' })).toBeVisible(),
  );
  await shoot(page, 'ops-attention-repairs', `/attention?program=${programId}&app=${applicationId}`, (p) =>
    expect(p.getByRole('heading', { name: `Repairs for ${mentee}` })).toBeVisible(),
  );
  await shoot(page, 'ops-finance', '/finance', (p) =>
    expect(p.getByRole('heading', { name: 'Batches' })).toBeVisible(),
  );
  await page.setViewportSize(SIZES.desktop);
  await page.getByRole('button', { name: 'New batch of requested payouts' }).click();
  await expect(page.getByRole('button', { name: 'New batch of requested payouts' })).toBeEnabled();
  await expect(page.getByRole('alert').or(page.getByRole('table'))).toBeVisible();
  await page.screenshot({ path: `${out}/ops-finance-batch-desktop.png`, fullPage: true });
});
