import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { type APIRequestContext, type Browser, expect, type Page, test } from '@playwright/test';
import { devToken, programDefinition } from './seed';

/**
 * A whole term through the browser by its roles, on the rehearsal (scripts/rehearsal.ts: the real API, worker and
 * PostgreSQL on Temporal's time-skipping server), each role in a browser context of its own. The test moves the
 * simulated clock through the rehearsal's control (POST /rehearsal/clock); the browsers keep the real time (their
 * tokens expire in real time), so the mentor reaches the later evaluations from the mentee's page.
 */

const DAY = 86_400_000;
const run = Date.now().toString(36);
const programId = `term-${run}`;
const programName = `Compilers term ${run}`;
const mentee = `mentee-${run}`;
const mentor = 'mentor-ada';
const admin = `admin-${run}`;

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

/** A browser context of its own for one person (its own session), signed in through the development page. */
async function signedIn(browser: Browser, baseURL: string, role: string, userId: string, programs?: string) {
  const context = await browser.newContext({ baseURL, timezoneId: 'Asia/Kolkata', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto('/sign-in');
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  await page.getByRole('radio', { name: new RegExp(`^${role}`, 'i') }).check();
  await page.getByRole('textbox', { name: /User id/ }).fill(userId);
  if (programs) await page.getByRole('textbox', { name: 'Programs' }).fill(programs);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  return page;
}

async function clockNow(request: APIRequestContext): Promise<number> {
  const response = await request.get('/rehearsal/clock');
  expect(response.ok()).toBe(true);
  return Date.parse(((await response.json()) as { now: string }).now);
}

/** Moves the simulated clock to `at` (or a little past it: the rehearsal steps over timers due right then). */
async function skipTo(request: APIRequestContext, at: number): Promise<number> {
  const response = await request.post('/rehearsal/clock', { data: { to: new Date(at).toISOString() } });
  expect(response.ok(), await response.text()).toBe(true);
  const now = Date.parse(((await response.json()) as { now: string }).now);
  expect(now).toBeGreaterThanOrEqual(at);
  return now;
}

test('a whole term: apply, review, select, onboard, evaluate, pay, the Letter of Completion', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(900_000);
  const base = baseURL!;
  const apiUrl = `${base}/api`;

  // the program's admin creates the program (setup through the API): installments wait for the admin's approval
  const start = await clockNow(request);
  const definition = {
    ...programDefinition(programId, programName, start),
    stipendApproval: { mode: 'admin' },
    evaluationPolicy: { menteeEvaluation: 'ignore' },
  };
  const token = await devToken(apiUrl, 'admin', admin, [programId]);
  const created = await request.post(`${apiUrl}/programs`, {
    headers: { authorization: `Bearer ${token}` },
    data: definition,
  });
  expect(created.status(), await created.text()).toBe(201);
  const closes = Date.parse(definition.applicationsCloseAt);
  const dueAt = definition.evaluations.map((e) => Date.parse(e.dueAt));

  // ── the mentee finds the program and applies ──
  const menteePage = await signedIn(browser, base, 'Mentee', mentee);
  await expect(menteePage.getByRole('heading', { name: 'My applications' })).toBeVisible();
  await expectAccessible(menteePage, 'my applications (empty)');
  await menteePage.getByRole('link', { name: 'Find programs' }).first().click();
  await menteePage.getByRole('searchbox', { name: 'Search' }).fill(run);
  await menteePage.getByRole('button', { name: 'Search' }).click();
  await expect(menteePage).toHaveURL(new RegExp(`q=${run}`));
  await expectAccessible(menteePage, 'find programs');
  await menteePage.getByRole('link', { name: programName, exact: true }).click();
  await expect(menteePage.getByRole('heading', { name: 'A faster parser' })).toBeVisible();
  await expectAccessible(menteePage, 'the program page');
  await menteePage.getByRole('link', { name: 'Apply', exact: true }).click();
  await expect(menteePage.getByRole('heading', { name: `Apply to ${programName}` })).toBeVisible();
  await menteePage.getByLabel('Name', { exact: false }).first().fill('Ada Applicant');
  await menteePage.getByLabel(/^Email/).fill('ada.applicant@example.org');
  await menteePage.getByLabel(/Country of residence/).fill('IN');
  await menteePage.getByRole('radio', { name: /A faster parser/ }).check();
  await menteePage
    .getByLabel(/Why do you want to work/)
    .fill('I like parsers and I want to make them faster.');
  await menteePage.getByLabel(/Your GitHub profile/).fill('https://github.com/ada-applicant');
  await menteePage.getByRole('radio', { name: '20-30' }).check();
  await expectAccessible(menteePage, 'the application form');
  await menteePage.getByRole('button', { name: 'Save draft' }).click();
  await expect(menteePage.getByText(/Draft saved/)).toBeVisible();
  await menteePage.getByRole('button', { name: 'Submit application' }).click();
  await expect(menteePage).toHaveURL(/\/applications\/[0-9a-f-]{36}$/);
  const applicationUrl = new URL(menteePage.url()).pathname;

  // the prerequisites: a confirmation and a link the mentor reviews
  await menteePage.getByRole('button', { name: /Mark as done.*Attend the intro call/ }).click();
  await expect(menteePage.getByRole('button', { name: /Mark as done.*Attend the intro call/ })).toHaveCount(
    0,
  );
  await menteePage.getByLabel('Link').first().fill('https://github.com/compilers/parser/pull/7');
  await menteePage.getByRole('button', { name: /Hand in.*Open a first pull request/ }).click();
  await expect(menteePage.getByText('Waiting for review')).toBeVisible();
  await expectAccessible(menteePage, 'the application page (in review)');

  // ── the mentor reviews: reads the answers, accepts the task, rates ──
  const mentorPage = await signedIn(browser, base, 'Mentor', mentor, programId);
  await mentorPage.goto(`/review?program=${programId}`);
  await expect(mentorPage.getByRole('heading', { name: 'Applicants' })).toBeVisible();
  await expect(mentorPage.getByRole('link', { name: mentee })).toBeVisible();
  await expectAccessible(mentorPage, 'applicants');
  await mentorPage.getByRole('link', { name: mentee }).click();
  await expect(mentorPage.getByText('I like parsers and I want to make them faster.')).toBeVisible();
  await mentorPage.getByRole('button', { name: 'Accept', exact: true }).click();
  await expect(mentorPage.getByText('accepted', { exact: true })).toBeVisible();
  await mentorPage.getByRole('radio', { name: '5' }).first().check();
  await mentorPage.getByRole('radio', { name: '4' }).nth(1).check();
  await mentorPage.getByRole('button', { name: 'Save rating' }).click();
  await expect(mentorPage.getByText('Your average: 4.5')).toBeVisible();
  await expectAccessible(mentorPage, 'the application review page');
  const reviewUrl = new URL(mentorPage.url()).pathname;

  // ── time skips past the review window; the mentor selects ──
  await skipTo(request, closes + 14 * DAY + 3_600_000);
  await mentorPage.goto(`/review?program=${programId}&stage=awaiting_selection`);
  await expect(mentorPage.getByRole('link', { name: mentee })).toBeVisible();
  await mentorPage.getByRole('link', { name: mentee }).click();
  const decision = mentorPage.getByRole('form', { name: 'Select the applicant' });
  await expect(decision.getByLabel(/Project title/)).toHaveValue('A faster parser');
  // the program's public definition names its mentors without their addresses: the mentor gives theirs
  await decision.getByLabel(/Mentor's name/).fill('Ada Lovelace');
  await decision.getByLabel(/Mentor's email/).fill('ada@example.org');
  await expectAccessible(mentorPage, 'the decision');
  await decision.getByRole('button', { name: 'Select', exact: true }).click();
  const selection = mentorPage.getByRole('region', { name: 'Selection' });
  await expect(selection.getByText(/Selected for/)).toBeVisible({ timeout: 30_000 });
  await expect(selection).toContainText('A faster parser');

  await menteePage.reload();
  await expect(menteePage.getByRole('region', { name: 'Selection' })).toContainText('A faster parser');
  await expect(menteePage.getByRole('region', { name: 'Onboarding' })).toBeVisible();
  await expectAccessible(menteePage, 'the application page (onboarding)');

  // ── the admin confirms onboarding on the application's page ──
  const adminPage = await signedIn(browser, base, 'Program admin', admin, programId);
  await expect(adminPage.getByRole('region', { name: programId })).toBeVisible();
  await expectAccessible(adminPage, 'the admin home');
  await adminPage.goto(`/review?program=${programId}&stage=onboarding`);
  await adminPage.getByRole('link', { name: mentee }).click();
  const onboarding = adminPage.getByRole('region', { name: 'Onboarding' });
  await expect(onboarding).toBeVisible();
  await expectAccessible(adminPage, 'the application page (admin, onboarding)');
  const confirms = onboarding.getByRole('button', { name: /^Confirm/ });
  await expect(confirms).toHaveCount(3);
  for (const left of [2, 1, 0]) {
    await confirms.first().click();
    await expect(confirms).toHaveCount(left, { timeout: 30_000 });
  }
  await expect(adminPage.getByText('Active', { exact: true }).first()).toBeVisible();

  // the mentee agrees the project plan
  await menteePage.reload();
  await expect(menteePage.getByText('Active', { exact: true }).first()).toBeVisible();
  const work = menteePage.getByRole('region', { name: 'Project work' });
  await work.getByRole('button', { name: /Mark done.*Agree the project plan/ }).click();
  await expect(work.getByRole('button', { name: /Mark done.*Agree the project plan/ })).toHaveCount(0);
  await expectAccessible(menteePage, 'the application page (active)');

  // ── time skips to each evaluation; the mentor evaluates; the admin approves the installments ──
  for (const [index, due] of dueAt.entries()) {
    const n = index + 1;
    await skipTo(request, due - 3 * DAY);
    if (n === 4) {
      // before the final evaluation: the mentee's project work and the feedback survey
      await menteePage.reload();
      const items = menteePage.getByRole('region', { name: 'Project work' });
      for (const item of ['Starter task', 'Milestone 1', 'Milestone 2']) {
        await items.getByRole('button', { name: new RegExp(`Mark done.*${item}`) }).click();
        await expect(items.getByRole('button', { name: new RegExp(`Mark done.*${item}`) })).toHaveCount(0);
      }
      const survey = menteePage.getByRole('region', { name: 'Feedback survey' });
      await survey
        .getByRole('group', { name: /How was the program/ })
        .getByRole('radio', { name: '5' })
        .check();
      await survey.getByLabel('Comments').fill('Thank you, it was a great term.');
      await expectAccessible(menteePage, 'the feedback survey');
      await survey.getByRole('button', { name: 'Send the survey' }).click();
      await expect(survey).toHaveCount(0);
    }
    if (n === 1) {
      // the first is within the list's weeks of the browser's (real) time: from "Evaluations due"
      await mentorPage.goto('/evaluations');
      await expect(mentorPage.getByRole('heading', { name: 'Evaluations due' })).toBeVisible();
      await expectAccessible(mentorPage, 'evaluations due');
      await mentorPage.getByRole('link', { name: `Evaluate ${mentee}, evaluation 1` }).click();
    } else {
      // the later ones from the mentee's page (My mentees)
      await mentorPage.goto('/mentees');
      await expect(mentorPage.getByRole('link', { name: mentee })).toBeVisible();
      if (n === 2) await expectAccessible(mentorPage, 'my mentees');
      await mentorPage.getByRole('link', { name: mentee }).click();
      const evaluations = mentorPage.getByRole('region', { name: 'Evaluations' });
      await expect(evaluations).toBeVisible();
      if (n === 2) await expectAccessible(mentorPage, 'the mentee page (mentor)');
      await evaluations.getByRole('link', { name: `Evaluate (evaluation ${n})` }).click();
    }
    await expect(mentorPage.getByRole('heading', { name: `Evaluation ${n} of ${mentee}` })).toBeVisible();
    for (const [criterion, rating] of [
      ['Tasks and milestones', '5'],
      ['Engagement', '4'],
      ['Progress against the plan', '4'],
    ] as const) {
      await mentorPage.getByRole('group', { name: criterion }).getByRole('radio', { name: rating }).check();
    }
    await mentorPage.getByRole('radio', { name: /^Pass/ }).check();
    await mentorPage.getByLabel('Comments').fill(`Evaluation ${n}: on track`);
    if (n === 1) await expectAccessible(mentorPage, 'the evaluation form');
    await mentorPage.getByRole('button', { name: 'Send evaluation' }).click();
    await expect(mentorPage).toHaveURL(/\/evaluations$/, { timeout: 60_000 });

    if (n === 2 || n === 4) {
      // the earned installment waits for the admin's approval
      const installment = n / 2;
      await adminPage.goto('/admin');
      const approvals = adminPage.getByRole('region', { name: 'Installments awaiting approval' });
      const approve = approvals.getByRole('button', { name: `Approve ${mentee} #${installment}` });
      await expect(async () => {
        await adminPage.reload();
        await expect(approve).toBeVisible({ timeout: 2_000 });
      }).toPass({ timeout: 60_000 });
      if (n === 2) await expectAccessible(adminPage, 'installments awaiting approval');
      await approve.click();
      await expect(approve).toHaveCount(0, { timeout: 30_000 });
    }
  }

  // ── the mentee: completed, both installments paid, the Letter of Completion ──
  await menteePage.goto(applicationUrl);
  const stipend = menteePage.getByRole('region', { name: 'Stipend' });
  await expect(async () => {
    await menteePage.reload();
    await expect(menteePage.getByText('Completed', { exact: true }).first()).toBeVisible({ timeout: 2_000 });
    await expect(stipend.getByText('paid', { exact: true })).toHaveCount(2, { timeout: 2_000 });
  }).toPass({ timeout: 120_000 });
  await expect(stipend).toContainText(/1,800/);
  const letter = menteePage.getByRole('region', { name: 'Letter of Completion' });
  await expect(letter).toBeVisible();
  await expectAccessible(menteePage, 'the application page (completed)');
  const downloading = menteePage.waitForEvent('download');
  await letter.getByRole('link', { name: 'Download the letter (PDF)' }).click();
  const download = await downloading;
  const pdf = await readFile((await download.path())!);
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(pdf.length).toBeGreaterThan(1000);

  // the verification link: anyone can open it, no sign-in
  const link = (await letter.locator('code').textContent())!;
  expect(link).toMatch(/\/certificates\/[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  const visitor = await browser.newContext({ baseURL: base, timezoneId: 'Asia/Kolkata' });
  const verification = await visitor.newPage();
  await verification.goto(link);
  await expect(verification.getByText('Genuine: issued by the program.')).toBeVisible();
  await expect(verification.getByRole('region', { name: 'Verified certificate' })).toContainText(
    'Ada Applicant',
  );
  await expect(verification.getByRole('region', { name: 'Verified certificate' })).toContainText(
    'A faster parser',
  );
  await expectAccessible(verification, 'the verification page');

  // the mentor sees the evaluations passed on the mentee's page
  await mentorPage.goto(reviewUrl);
  await expect(mentorPage.getByRole('region', { name: 'Evaluations' }).getByText('passed')).toHaveCount(4);
  await expectAccessible(mentorPage, 'the mentee page (completed)');
  for (const context of browser.contexts()) await context.close();
});
