import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { devToken } from './seed';

/** A program admin's and ops' pages: terms, a program made through the form, its sections, who needs attention. */
const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const run = Date.now().toString(36);
const termId = `term-${run}`;
const programId = `admin-${run}`;
const programName = `Kernel Docs ${run}`;
const mentee = `mentee-adm-${run}`;

async function expectAccessible(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    `axe on ${what}`,
  ).toEqual([]);
}

async function signIn(page: Page, role: RegExp, userId: string, programs?: string) {
  await page.goto('/sign-in');
  await page.getByRole('radio', { name: role }).check();
  await page.getByRole('textbox', { name: /User id/ }).fill(userId);
  if (programs) await page.getByRole('textbox', { name: 'Programs' }).fill(programs);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** An applicant in the program, through the API as a mentee would apply. */
async function apply() {
  const token = await devToken(apiUrl, 'mentee', mentee);
  const response = await fetch(`${apiUrl}/programs/${programId}/applications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      mentee: { name: 'Lin Admin-Test', email: 'lin@example.org', country: 'DE', timeZone: 'Europe/Berlin' },
      projectIds: ['docs-site'],
      submit: true,
    }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

test('ops create a term and a program, and run it: pipeline, ranking, certificates, attention', async ({
  page,
}) => {
  await signIn(page, /^Ops/, 'ops-e2e');
  await expect(page.getByRole('heading', { name: 'Payouts', level: 1 })).toBeVisible();

  // a term, through its form
  await page.goto('/admin/terms');
  await expect(page.getByRole('heading', { name: 'Terms', level: 1 })).toBeVisible();
  await expectAccessible(page, 'the terms page');
  const createTerm = page.getByRole('region', { name: 'Create a term' });
  await createTerm.getByLabel(/^Term id/).fill(termId);
  await createTerm.getByLabel(/^Name/).fill(`2027 Term ${run}`);
  await createTerm.getByLabel(/^Organization/).fill('Kernel Foundation');
  await createTerm.getByRole('button', { name: 'Create the term' }).click();
  await expect(page).toHaveURL(new RegExp(`term=${termId}`));
  await expect(page.getByRole('heading', { name: `Term ${termId}` })).toBeVisible();
  await expect(page.getByText('No program belongs to this term yet.')).toBeVisible();
  await expectAccessible(page, 'a term');

  // a program in it, through the form: first a review window too short, shown at its field
  await page.getByRole('link', { name: 'Create a program in this term' }).click();
  await expect(page.getByRole('heading', { name: 'Create a program', level: 1 })).toBeVisible();
  await expect(page.getByLabel(/^Term id/)).toHaveValue(termId);
  await page.getByLabel(/^Program id/).fill(programId);
  await page.getByLabel(/^Name/).fill(programName);
  await page.getByLabel(/^Term label/).fill('2027 Term 1');
  await page.getByLabel(/^Admins' email/).fill('kernel-admins@example.org');
  await page.getByRole('button', { name: 'Add a project' }).click();
  await page.getByLabel('Project 1 id').fill('docs-site');
  await page.getByLabel('Project 1 title').fill('A documentation site');
  await page.getByLabel("Project 1 mentor's user id").fill('mentor-linus');
  await page.getByLabel("Project 1 mentor's name").fill('Linus Mentor');
  await page.getByLabel("Project 1 mentor's email").fill('linus@example.org');
  const reviewWindow = page.getByLabel(/^Review window/);
  await reviewWindow.fill('7');
  await expectAccessible(page, 'the program form');
  await page.getByRole('button', { name: 'Create the program' }).click();
  await expect(reviewWindow).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(/the review window must be at least 14 days/)).toBeVisible();
  await expect(page.getByRole('alert').first()).toContainText('Please check the form');
  await expectAccessible(page, 'the program form with an error');
  await reviewWindow.fill('14');
  await page.getByRole('button', { name: 'Create the program' }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/programs/${programId}`));
  await expect(page.getByRole('heading', { name: programName, level: 1 })).toBeVisible();
  await expect(page.getByText('No applications yet.')).toBeVisible();

  // the pipeline, once someone applied
  const applicationId = await apply();
  await page.reload();
  const pipeline = page.getByRole('list', { name: /by stage \(1 in all\)/ });
  await expect(pipeline).toBeVisible();
  await expect(pipeline.getByRole('link', { name: 'In review: 1' })).toBeVisible();
  await expectAccessible(page, 'the pipeline');

  // ranking: keyboard only, saved, then the top N form
  await page.getByRole('link', { name: 'Ranking and selection' }).click();
  await expect(page).toHaveURL(/section=ranking/);
  const add = page.getByRole('button', { name: `Add to the ranking ${mentee}` });
  await add.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('table', { name: /Ranked applications .*\(1\)/ })).toContainText(mentee);
  await page.getByRole('button', { name: 'Save the ranking' }).click();
  await expect(page.getByText('Ranking saved.')).toBeVisible();
  // select the top N: a refused count at its field, then the report
  const howMany = page.getByLabel(/^How many/);
  await howMany.fill('0');
  await page.getByRole('button', { name: 'Select the top 0' }).click();
  await expect(howMany).toHaveAttribute('aria-invalid', 'true');
  await howMany.fill('1');
  await page.getByRole('button', { name: 'Select the top 1' }).click();
  // the applicant is still in review: refused, and the report says why
  const outcome = page.getByRole('status').filter({ hasText: 'Asked for 1' });
  await expect(outcome).toContainText('selected 0, refused 1');
  await expect(outcome.getByRole('table', { name: 'Refused' })).toContainText('wrong-stage');
  await expectAccessible(page, 'the ranking');

  // conflicts and certificates: nothing yet
  await page.getByRole('link', { name: 'Conflicts' }).click();
  await expect(page.getByText(/no conflicts/)).toBeVisible();
  await expectAccessible(page, 'the conflicts');
  await page.getByRole('link', { name: 'Certificates' }).click();
  await expect(
    page.getByText(`No Letter of Completion issued in ${programId} yet.`, { exact: false }),
  ).toBeVisible();
  await expectAccessible(page, 'the certificates');

  // the schedule: a change for new applicants
  await page.getByRole('link', { name: 'Schedule', exact: true }).click();
  await page.getByRole('button', { name: 'Change the schedule' }).click();
  await expect(page.getByText("The program's schedule is changed for new applicants.")).toBeVisible();
  await expectAccessible(page, 'the schedule');

  // who needs attention, and the repairs of one application: a refused field shown at its field
  await page.getByRole('link', { name: 'Needs attention' }).click();
  await expect(page.getByRole('heading', { name: 'Needs attention', level: 1 })).toBeVisible();
  await expect(
    page.getByRole('table', { name: /oldest first/ }).or(page.getByText(/Nobody needs attention/)),
  ).toBeVisible();
  await expectAccessible(page, 'needs attention');
  await page.getByLabel('Program id').fill(programId);
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(new RegExp(`program=${programId}`));
  await expect(page.getByText(`Nobody needs attention in ${programId}.`)).toBeVisible();
  await page.getByLabel('Application id').fill(applicationId);
  await page.getByRole('button', { name: 'Open its repairs' }).click();
  await expect(page).toHaveURL(new RegExp(`app=${applicationId}`));
  await expect(page.getByRole('heading', { name: `Repairs for ${mentee}` })).toBeVisible();
  const workflow = page.getByRole('link', { name: /Open its workflow in the Temporal UI/ });
  await expect(workflow).toHaveAttribute(
    'href',
    `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(`mentee-application/${applicationId}`)}`,
  );
  await page.getByRole('button', { name: 'Extend' }).click();
  const extendReason = page.getByLabel(/^Reason for the extension/);
  await expect(extendReason).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page, 'the repairs');

  // decline everyone still waiting: the run's report, from GET decline-pending/{requestId}
  await page.goto(`/admin/programs/${programId}?section=decline`);
  await page.getByRole('button', { name: 'Decline everyone still waiting…' }).click();
  await page.getByLabel(/^Reason/).fill('All slots are filled');
  await page.getByRole('button', { name: 'Decline all pending' }).click();
  await expect(page).toHaveURL(/run=decline-/);
  const report = page.getByRole('region', { name: /Report of run/ });
  // the applicant is still in review, not waiting for a decision: nobody to decline, and the report says so
  await expect(report).toContainText(/Declined 0, already declined 0, refused 0\./);
  await expectAccessible(page, 'the decline report');
  // the link survives a reload
  await page.reload();
  await expect(page.getByRole('region', { name: /Report of run/ })).toContainText(/Declined 0/);

  // the program's admin sees the programs their token names, and only what the API lets them
  await signIn(page, /^Program admin/, `admin-${run}`, programId);
  await expect(page.getByRole('heading', { name: 'Programs I run', level: 1 })).toBeVisible();
  const panel = page.getByRole('region', { name: programId });
  await expect(panel.getByRole('link', { name: /In review: 1/ })).toBeVisible();
  await expectAccessible(page, "the admin's programs");
  await panel.getByRole('link', { name: `Manage ${programId}` }).click();
  await page.getByRole('link', { name: 'Ranking and selection' }).click();
  await expect(page.getByRole('table', { name: /Ranked applications .*\(1\)/ })).toContainText(mentee);
  await page.getByRole('link', { name: 'Needs attention' }).click();
  await expect(
    page.getByRole('table', { name: /oldest first/ }).or(page.getByText(/Nobody needs attention/)),
  ).toBeVisible();
  await expectAccessible(page, "needs attention (the admin's programs)");
});
