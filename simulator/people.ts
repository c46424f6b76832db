import type { createApp } from '../api/app.js';
import { mintToken } from '../api/auth.js';
import { APPLICATION_TASK, hasApplicationForm, type Program } from '../domain/program.js';
import type { UserRole } from '../domain/status.js';
import type { Action, PlannedApplication } from './plan.js';
import { SIM_AUTH, type SimulationSystem } from './system.js';

/** One answer of the API, kept for the report: what was asked, and how it was answered. */
export interface Answer {
  key: string;
  /** The action, or what a person did beside it: a reviewer's decision on a task, a rating. */
  kind: Action['kind'] | 'review-task' | 'rate';
  at: number;
  status: number;
  detail?: string;
}

/**
 * The people of the cohort acting through the real API in-process (`app.request`), each with their own token
 * (minted once per person): mentees apply and do their part, mentors select and evaluate, the program admin
 * onboards, extends and terminates, ops retry payments. The payee's bank is the payment provider's fake.
 */
/** A proposal or a task's file, as applicants upload them. */
const SAMPLE_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export function cohortPeople(
  system: Pick<SimulationSystem, 'app' | 'payments'>,
  termId: string | null,
  /** The programs as stored (their forms, tasks, projects and rating criteria). */
  programs: ReadonlyMap<string, Program> = new Map(),
) {
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

  async function upload(app: ReturnType<typeof createApp>, auth: string, name: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(SAMPLE_PDF)], { type: 'application/pdf' }), name);
    const response = await app.request('/files', {
      method: 'POST',
      headers: { authorization: auth },
      body: form,
    });
    if (response.status !== 201)
      throw new Error(`upload ${name}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  /** An answer beside the planned one (a review, a rating), kept for the report's workload. */
  function record(a: PlannedApplication, kind: Answer['kind'], at: number, status: number) {
    if (status >= 500) throw new Error(`${kind} for ${a.key}: ${status}`);
    answers.push({ key: a.key, kind, at, status });
  }

  // GSoC-style programs: the admin's ranking grows as the mentors' choices come in, and each time the admin selects
  // the top N of it (those already selected answer as duplicates); steps that select run one at a time
  const rankings = new Map<string, string[]>();
  async function selectByRank(a: PlannedApplication) {
    const { app } = system;
    const ranking = [...(rankings.get(a.programId) ?? []), a.applicationId!];
    const auth = await admin(a.programId);
    const ranked = await request(app, 'PUT', `/programs/${a.programId}/ranking`, auth, {
      applicationIds: ranking,
    });
    if (ranked.status !== 200) return ranked;
    const top = await request(app, 'POST', `/programs/${a.programId}/select-top`, auth, {
      count: ranking.length,
    });
    if (top.status !== 200) return top;
    const report = top.body as {
      selected: { applicationId: string; mentorId: string }[];
      refused: { applicationId: string; detail: string }[];
    };
    const mine = report.selected.find((s) => s.applicationId === a.applicationId);
    if (mine) {
      rankings.set(a.programId, ranking);
      a.mentorId = mine.mentorId; // the committed mentor select-top gave the mentee evaluates them
      return { status: 200, body: report };
    }
    const refusal = report.refused.find((r) => r.applicationId === a.applicationId);
    return { status: 409, body: { detail: refusal?.detail ?? 'not reached by select-top' } };
  }

  /** Does `action` for application `a` at simulated instant `at`; a refusal (4xx) is an answer, not an error. */
  async function act(a: PlannedApplication, action: Action, at: number): Promise<Answer> {
    const { app } = system;
    const path = `/applications/${a.applicationId}`;
    const mentee = () => token(a.personId, 'mentee');
    const mentor = () => token(a.mentorId!, 'mentor', [a.programId]);
    const program = programs.get(a.programId);
    const form = program && hasApplicationForm(program) ? program : undefined;
    // a reviewer of the program: a mentor committed to the application's project, else its admin
    const reviewer = async () => {
      const committed = program?.projects.find((p) => p.id === a.projectId)?.mentors[0]?.id;
      return committed ? token(committed, 'mentor', [a.programId]) : admin(a.programId);
    };
    // the mentor who selects rates the application first, on each of the program's criteria
    const rate = async (by: string, score: number) => {
      if (!form) return;
      const scores = Object.fromEntries(form.ratingCriteria.map((c) => [c.id, score]));
      record(a, 'rate', at, (await request(app, 'PUT', `${path}/rating`, by, { scores })).status);
    };
    let result: { status: number; body: unknown };
    switch (action.kind) {
      case 'apply': {
        // a program with a form: a draft with the project, the answers and a proposal, submitted as a task later
        const content = form && {
          projectIds: [a.projectId!],
          answers: Object.fromEntries(
            form.questions.map((q) => [
              q.id,
              q.kind === 'url'
                ? `https://example.org/${a.personId}`
                : (q.choices?.[0] ?? `Answer of ${a.personId}`),
            ]),
          ),
          ...(form.proposal !== 'none' && {
            proposalFileId: await upload(app, await mentee(), 'proposal.pdf'),
          }),
        };
        result = await request(app, 'POST', `/programs/${a.programId}/applications`, await mentee(), {
          mentee: { name: `Mentee ${a.personId}`, email: `${a.personId}@example.org`, country: a.country },
          motivation: 'I want to contribute to open source.',
          ...content,
        });
        if (result.status === 201) a.applicationId = (result.body as { id: string }).id;
        break;
      }
      case 'prerequisite': {
        const task = program?.prerequisites.find((t) => t.id === action.id);
        if (action.id === APPLICATION_TASK.id) {
          result = await request(app, 'POST', `${path}/submit`, await mentee());
        } else if (!task || (task.kind === 'confirmation' && !task.review)) {
          result = await request(app, 'POST', `${path}/prerequisites/${action.id}/complete`, await mentee());
        } else {
          const submission =
            task.kind === 'text'
              ? { text: `What ${a.personId} did` }
              : task.kind === 'link'
                ? { url: `https://github.com/example/repo/pull/${a.personIndex}` }
                : task.kind === 'file'
                  ? { fileId: await upload(app, await mentee(), `${task.id}.pdf`) }
                  : {};
          result = await request(
            app,
            'POST',
            `${path}/tasks/${task.id}/submission`,
            await mentee(),
            submission,
          );
          if (result.status === 200 && task.review) {
            const review = { decision: 'accept' };
            record(
              a,
              'review-task',
              at,
              (await request(app, 'POST', `${path}/tasks/${task.id}/review`, await reviewer(), review))
                .status,
            );
          }
        }
        break;
      }
      case 'select':
        await rate(await mentor(), 4);
        result = action.projectId
          ? await selectByRank(a)
          : await request(app, 'POST', `${path}/selection`, await mentor(), {
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
