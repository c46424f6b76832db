/** Test data through the API only, as the console's users would make it: a program with a form and tasks. */

const DAY = 86_400_000;

export async function devToken(apiUrl: string, role: string, userId: string, programs: string[] = []) {
  const response = await fetch(`${apiUrl}/dev/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role, userId, programs }),
  });
  if (!response.ok) throw new Error(`dev sign-in: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export function programDefinition(id: string, name = 'Open Source Compilers', now = Date.now()) {
  const at = (days: number) => new Date(now + days * DAY).toISOString();
  return {
    id,
    name,
    term: '2027 Term 1',
    adminEmail: 'admins@example.org',
    adminTimeZone: 'Europe/Berlin',
    applicationsCloseAt: at(10),
    reviewWindowDays: 14,
    selectionDeadline: at(26),
    onboardingDeadline: at(30),
    termStartsAt: at(32),
    termEndsAt: at(116),
    description:
      '## Work on a real compiler\nMentees join the **parser** and **code generation** teams for twelve weeks.\n\n- weekly calls with your mentor\n- a stipend in two installments',
    skills: ['rust', 'compilers'],
    projects: [
      {
        id: 'faster-parser',
        title: 'A faster parser',
        description: 'Profile and speed up the incremental parser.',
        skills: ['rust'],
        mentors: [{ id: 'mentor-ada', name: 'Ada Lovelace', email: 'ada@example.org' }],
        slots: 2,
      },
      {
        id: 'better-errors',
        title: 'Better error messages',
        description: 'Make type errors explain themselves.',
        skills: ['rust', 'ux'],
        mentors: [{ id: 'mentor-grace', name: 'Grace Hopper', email: 'grace@example.org' }],
      },
    ],
    questions: [
      { id: 'why', prompt: 'Why do you want to work on this project?', kind: 'long-text', required: true },
      { id: 'github', prompt: 'Your GitHub profile', kind: 'url', required: true },
      {
        id: 'hours',
        prompt: 'Hours a week you can give',
        kind: 'choice',
        choices: ['10-20', '20-30', '30-40'],
        required: true,
      },
    ],
    proposal: 'optional',
    prerequisites: [
      { id: 'intro-call', title: 'Attend the intro call', kind: 'confirmation' },
      { id: 'first-pr', title: 'Open a first pull request', kind: 'link', review: true },
    ],
    ratingCriteria: [
      { id: 'skills', title: 'Technical skills' },
      { id: 'motivation', title: 'Motivation' },
    ],
    evaluations: [{ dueAt: at(53) }, { dueAt: at(74) }, { dueAt: at(95) }, { dueAt: at(116) }],
    stipend: { total: 6000, currency: 'USD', countryAdjustments: { IN: 60 } },
  };
}

export async function seedProgram(apiUrl: string, id: string, name?: string) {
  const token = await devToken(apiUrl, 'admin', 'admin-e2e', [id]);
  const response = await fetch(`${apiUrl}/programs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(programDefinition(id, name)),
  });
  if (response.status !== 201 && response.status !== 409) {
    throw new Error(`create program: ${response.status} ${await response.text()}`);
  }
  return id;
}
