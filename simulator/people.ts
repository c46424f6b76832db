import type { createApp } from '../api/app.js';
import { mintToken } from '../api/auth.js';
import type { UserRole } from '../domain/status.js';
import type { Action, PlannedApplication } from './plan.js';
import { SIM_AUTH, type SimulationSystem } from './system.js';

/** One answer of the API, kept for the report: what was asked, and how it was answered. */
export interface Answer {
  key: string;
  kind: Action['kind'];
  at: number;
  status: number;
  detail?: string;
}

/**
 * The people of the cohort acting through the real API in-process (`app.request`), each with their own token
 * (minted once per person): mentees apply and do their part, mentors select and evaluate, the program admin
 * onboards, extends and terminates, ops retry payments. The payee's bank is the payment provider's fake.
 */
export function cohortPeople(system: Pick<SimulationSystem, 'app' | 'payments'>, termId: string | null) {
  const tokens = new Map<string, Promise<string>>();
  const token = (userId: string, role: UserRole, programs: string[] = []) => {
    const id = `${role}/${userId}/${programs.join(',')}`;
    let minted = tokens.get(id);
    if (!minted) {
      minted = mintToken({ userId, role, programs }, SIM_AUTH, '30d').then((t) => `Bearer ${t}`);
      tokens.set(id, minted);
    }
    return minted;
  };
  const admin = (programId: string) =>
    token(`admin-${programId}`, 'admin', [programId, ...(termId ? [termId] : [])]);
  const answers: Answer[] = [];

  async function request(
    app: ReturnType<typeof createApp>,
    method: string,
    path: string,
    auth: string,
    body?: unknown,
  ) {
    const response = await app.request(path, {
      method,
      headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: the API's answers are read field by field
    const parsed: any =
      text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { status: response.status, body: parsed };
  }

  /** Does `action` for application `a` at simulated instant `at`; a refusal (4xx) is an answer, not an error. */
  async function act(a: PlannedApplication, action: Action, at: number): Promise<Answer> {
    const { app } = system;
    const path = `/applications/${a.applicationId}`;
    const mentee = () => token(a.personId, 'mentee');
    const mentor = () => token(a.mentorId!, 'mentor', [a.programId]);
    let result: { status: number; body: unknown };
    switch (action.kind) {
      case 'apply': {
        result = await request(app, 'POST', `/programs/${a.programId}/applications`, await mentee(), {
          mentee: { name: `Mentee ${a.personId}`, email: `${a.personId}@example.org`, country: a.country },
          motivation: 'I want to contribute to open source.',
        });
        if (result.status === 201) a.applicationId = (result.body as { id: string }).id;
        break;
      }
      case 'prerequisite':
        result = await request(app, 'POST', `${path}/prerequisites/${action.id}/complete`, await mentee());
        break;
      case 'select':
        result = await request(app, 'POST', `${path}/selection`, await mentor(), {
          decision: 'select',
          mentor: { id: a.mentorId, name: `Mentor ${a.mentorId}`, email: `${a.mentorId}@example.org` },
          projectTitle: action.projectTitle,
        });
        break;
      case 'decline':
        result = await request(app, 'POST', `${path}/selection`, await admin(a.programId), {
          decision: 'decline',
          reason: 'Other applicants fit the project better.',
        });
        break;
      case 'phone-call':
        result = await request(app, 'POST', `${path}/phone-calls`, await admin(a.programId), {
          note: 'Told them the result by phone.',
        });
        break;
      case 'onboarding':
        result = await request(
          app,
          'POST',
          `${path}/onboarding/${action.step}/complete`,
          await admin(a.programId),
        );
        break;
      case 'progress':
        result = await request(app, 'POST', `${path}/progress/${action.item}/complete`, await mentee());
        break;
      case 'evaluate': {
        const pass = action.outcome === 'pass';
        result = await request(app, 'POST', `${path}/evaluations/${action.n}`, await mentor(), {
          ratings: {
            tasksAndMilestones: pass ? 4 : 2,
            engagement: pass ? 5 : 2,
            progressAgainstPlan: pass ? 4 : 1,
          },
          comments: pass ? 'Steady progress against the plan.' : 'No progress against the plan.',
          outcome: action.outcome,
        });
        break;
      }
      case 'survey':
        result = await request(app, 'POST', `${path}/feedback-survey`, await mentee(), {
          rating: 5,
          comments: 'Thanks to my mentor.',
        });
        break;
      case 'extend':
        result = await request(app, 'POST', `${path}/extensions`, await admin(a.programId), {
          days: action.days,
          reason: 'Exams, approved by the program admin',
        });
        break;
      case 'withdraw':
        result = await request(app, 'POST', `${path}/withdraw`, await mentee(), {
          reason: 'Took a full-time job',
        });
        break;
      case 'terminate':
        result = await request(app, 'POST', `${path}/terminate`, await admin(a.programId), {
          reason: 'Stopped responding to the mentor',
        });
        break;
      case 'retry-payment':
        result = await request(
          app,
          'POST',
          `/admin${path}/retry-payment`,
          await token('ops-simulator', 'ops'),
        );
        break;
      case 'approve-installment':
        result = await request(
          app,
          'POST',
          `${path}/stipend/${action.installment}/approval`,
          await admin(a.programId),
          { decision: 'approve' },
        );
        break;
      case 'reject-payee':
        system.payments.rejectPayee(a.personId, 'The bank account is closed');
        result = { status: 0, body: undefined };
        break;
      case 'fix-payee':
        system.payments.fixPayee(a.personId);
        result = { status: 0, body: undefined };
        break;
    }
    if (result.status >= 500) {
      throw new Error(`${action.kind} for ${a.key}: ${result.status} ${JSON.stringify(result.body)}`);
    }
    const answer: Answer = { key: a.key, kind: action.kind, at, status: result.status };
    if (result.status >= 400) answer.detail = (result.body as { detail?: string })?.detail ?? '';
    answers.push(answer);
    return answer;
  }

  return { act, answers, token, admin };
}
