import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { seedProgram } from './seed';

const apiUrl = process.env.API_URL ?? 'http://127.0.0.1:3000';
const run = Date.now().toString(36);
const programId = `e2e-${run}`;
const programName = `Compilers ${run}`;
const mentee = `mentee-${run}`;

/** No serious or critical accessibility violation on the page as it is now. */
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

async function signIn(page: Page, role: string, userId: string, programs?: string) {
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  await page.getByRole('radio', { name: new RegExp(`^${role}`, 'i') }).check();
  await page.getByRole('textbox', { name: /User id/ }).fill(userId);
  if (programs) await page.getByRole('textbox', { name: 'Programs' }).fill(programs);
  await expectAccessible(page, 'the sign-in page');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.beforeAll(async () => {
  await seedProgram(apiUrl, programId, programName);
});

test('a mentee finds a program and applies; its mentor sees the applicant', async ({ page }) => {
  await signIn(page, 'Mentee', mentee);
  await expect(page.getByRole('heading', { name: 'My applications' })).toBeVisible();
  await expect(page.getByText('You have not applied to a program yet.')).toBeVisible();
  await expectAccessible(page, 'my applications (empty)');

  // find the program: the filters live in the URL
  await page.getByRole('link', { name: 'Find programs' }).first().click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(run);
  await page.getByLabel('Status').selectOption('open');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(new RegExp(`q=${run}`));
  await expect(page.getByRole('link', { name: programName, exact: true })).toBeVisible();
  await expectAccessible(page, 'find programs');
  await page.getByRole('link', { name: programName, exact: true }).click();
  await expect(page.getByRole('heading', { name: 'A faster parser' })).toBeVisible();
  await expectAccessible(page, 'the program page');

  // apply: profile, project, answers; a draft first, then an invalid answer shown at its field, then submit
  await page.getByRole('link', { name: 'Apply', exact: true }).click();
  await expect(page.getByRole('heading', { name: `Apply to ${programName}` })).toBeVisible();
  await page.getByLabel('Name', { exact: false }).first().fill('Ada Applicant');
  await page.getByLabel(/^Email/).fill('ada.applicant@example.org');
  await page.getByLabel(/Country of residence/).fill('IN');
  await page.getByRole('radio', { name: /A faster parser/ }).check();
  await page.getByLabel(/Why do you want to work/).fill('I like parsers and I want to make them faster.');
  await page.getByLabel(/Your GitHub profile/).fill('not a link');
  await page.getByRole('radio', { name: '20-30' }).check();
  await expectAccessible(page, 'the application form');
  await page.getByRole('button', { name: 'Save draft' }).click();
  const github = page.getByLabel(/Your GitHub profile/);
  await expect(github).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('must be a URL, e.g. https://github.com/you')).toBeVisible();
  await expectAccessible(page, 'the application form with an error');
  await github.fill('https://github.com/ada-applicant');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.getByText(/Draft saved/)).toBeVisible();
  // saved as you go: an edit is written with the version read (If-Match)
  const autosave = page.waitForResponse(
    (r) => r.request().method() === 'PATCH' && r.url().endsWith('/content'),
  );
  await page
    .getByLabel(/Why do you want to work/)
    .fill('I like parsers and I want to make them much faster.');
  expect((await autosave).status()).toBe(200);
  await expect(page.getByText(/Draft saved/)).toBeVisible();
  await page.getByRole('button', { name: 'Submit application' }).click();

  // the application: submitted, with its timeline and tasks
  await expect(page).toHaveURL(/\/applications\/[0-9a-f-]{36}$/);
  await expect(page.getByText('Submitted', { exact: true })).toBeVisible();
  await expect(page.getByRole('list', { name: 'What happened and what comes next' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Open a first pull request' })).toBeVisible();
  await page.getByRole('button', { name: /Mark as done.*Attend the intro call/ }).click();
  await expect(page.getByRole('button', { name: /Mark as done.*Attend the intro call/ })).toHaveCount(0);
  await page.getByLabel('Link').first().fill('https://github.com/compilers/parser/pull/1');
  await page.getByRole('button', { name: /Hand in.*Open a first pull request/ }).click();
  await expect(page.getByText('Waiting for review')).toBeVisible();
  await expectAccessible(page, 'the application page');
  await page.getByRole('link', { name: 'My applications' }).click();
  await expect(page.getByRole('link', { name: programId })).toBeVisible();
  await expectAccessible(page, 'my applications');

  // the mentor of the program sees the applicant, reads the answers and accepts the task
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, 'Mentor', 'mentor-ada', programId);
  await expect(page.getByRole('heading', { name: 'Applicants' })).toBeVisible();
  await expect(page.getByRole('link', { name: mentee })).toBeVisible();
  await expectAccessible(page, 'applicants');
  await page.getByRole('link', { name: mentee }).click();
  await expect(page.getByText('I like parsers and I want to make them much faster.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'https://github.com/compilers/parser/pull/1' })).toBeVisible();
  await page.getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(page.getByText('accepted', { exact: true })).toBeVisible();
  await page.getByRole('radio', { name: '4' }).first().check();
  await page.getByRole('radio', { name: '5' }).nth(1).check();
  await page.getByRole('button', { name: 'Save rating' }).click();
  await expect(page.getByText('Your average: 4.5')).toBeVisible();
  await expectAccessible(page, 'the application review page');
});
