/**
 * Applications people can judge, across a term of three programs (GSoC-, Outreachy- and LFX-like): profiles,
 * drafts edited with If-Match, proposals and task files (PDF), task submissions sent back and resubmitted,
 * contributions, ratings by several mentors, the applicant list, ranking and "select the top N" against project
 * seats and a mentor limit. Every outcome is asserted: who was accepted, who not and why, selected, refused and why.
 */
import { parse } from 'csv-parse/sync';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../api/app.js';
import { menteeWorkflowId } from '../domain/ids.js';
import { statusQuery } from '../domain/messages.js';
import { bearer, TEST_AUTH } from './support/auth.js';
import { eventually } from './support/eventually.js';
import { DAYS, HOURS, programFixture } from './support/programs.js';
import { type ApiResponse, testSystemForFile } from './support/system.js';

const system = testSystemForFile();

/** The people of the term; every one applies to one or two programs. */
const PEOPLE = Number(process.env.JUDGING_PEOPLE ?? 200);
const person = (i: number) => `ap${String(i).padStart(3, '0')}`;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

type Who = Parameters<typeof bearer>[0];
const mentee = (id: string): Who => ({ userId: id, role: 'mentee' });
const mentor = (id: string, programs: string[]): Who => ({ userId: id, role: 'mentor', programs });
const admin = (programs: string[]): Who => ({ userId: 'admin-1', role: 'admin', programs });

async function as(
  who: Who,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse & { headers?: never }> {
  return system.call(method, path, body, { ...(await bearer(who)), ...headers });
}
async function ok(who: Who, method: string, path: string, body?: unknown, expected = 200, headers = {}) {
  const response = await as(who, method, path, body, headers);
  expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(expected);
  return response.body;
}
async function upload(who: Who, bytes: Buffer, name = 'file.pdf') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), name);
  const response = await system.app.request('/files', {
    method: 'POST',
    body: form,
    headers: await bearer(who),
  });
  return { status: response.status, body: (await response.json()) as { id: string; type?: string } };
}

const mentorOf = (id: string) => ({ id, name: `Mentor ${id}`, email: `${id}@example.org` });

describe('a term of three programs whose applications mentors judge', () => {
  it('takes profiles, drafts, files, tasks and reviews, and selects the top N by rank within every rule', {
    timeout: 900_000,
  }, async () => {
    const now = await system.env.currentTimeMs();
    const termId = `judged-${now % 1_000_000}`;
    const ops: Who = { userId: 'ops-1', role: 'ops' };
    await ok(
      ops,
      'POST',
      '/terms',
      {
        id: termId,
        organization: 'Judged Org',
        name: 'Judged term',
        maxOpenApplications: 3,
        maxAcceptances: 1,
        menteesPerMentor: 2,
      },
      201,
    );
    const base = (key: string) =>
      programFixture(now, { id: `${termId}-${key}`, name: `Program ${key}`, termId });
    const gsoc = {
      ...base('gsoc'),
      description: '## Google Summer of Code style\nProposals per project idea.',
      skills: ['go'],
      slots: 5,
      projects: [
        {
          id: 'sched',
          title: 'Scheduler plugins',
          skills: ['go', 'kubernetes'],
          mentors: [mentorOf('ada'), mentorOf('bob')],
          slots: 3,
        },
        { id: 'docs', title: 'Docs site', skills: ['markdown'], mentors: [mentorOf('cy')] },
      ],
      questions: [
        { id: 'why', prompt: 'Why this project?', kind: 'long-text', maxLength: 300 },
        {
          id: 'level',
          prompt: 'Your level',
          kind: 'choice',
          choices: ['beginner', 'intermediate', 'advanced'],
        },
        { id: 'site', prompt: 'A website', kind: 'url', required: false },
      ],
      proposal: 'required',
      ratingCriteria: [
        { id: 'skills', title: 'Skills' },
        { id: 'proposal', title: 'Proposal' },
      ],
      prerequisites: [
        { id: 'cover', title: 'Cover letter', kind: 'file', review: true },
        { id: 'pr', title: 'A first pull request', kind: 'link', review: true },
        { id: 'call', title: 'Attend the intro call' },
      ],
    };
    const outreachy = {
      ...base('outreachy'),
      description: 'Contributions first, then a final application.',
      projects: [{ id: 'net', title: 'Network stack', skills: ['c'], mentors: [mentorOf('dee')] }],
      questions: [{ id: 'essay', prompt: 'Tell us about yourself', kind: 'long-text' }],
      prerequisites: [{ id: 'task', title: 'Contribution task', kind: 'text', review: true }],
    };
    const lfx = {
      ...base('lfx'),
      skills: ['kubernetes'],
      projects: [{ id: 'k8s', title: 'Kubernetes docs', mentors: [mentorOf('eve'), mentorOf('fay')] }],
      prerequisites: [{ id: 'resume', title: 'Upload your résumé', kind: 'file' }],
    };
    for (const program of [gsoc, outreachy, lfx]) await ok(ops, 'POST', '/programs', program, 201);
    const G = gsoc.id;
    const O = outreachy.id;
    const L = lfx.id;

    // programs to find: open now, by skill and free text, with their projects and mentors by name only
    const open = await ok(mentee(person(0)), 'GET', `/programs?status=open&term=${termId}`);
    expect(open.items.map((p: { id: string }) => p.id).sort()).toEqual([G, L, O].sort());
    const bySkill = await ok(mentee(person(0)), 'GET', `/programs?skill=KUBERNETES&term=${termId}`);
    expect(bySkill.items.map((p: { id: string }) => p.id).sort()).toEqual([G, L].sort());
    const byText = await ok(mentee(person(0)), 'GET', `/programs?q=network%20stack&term=${termId}`);
    expect(byText.items.map((p: { id: string }) => p.id)).toEqual([O]);
    expect(byText.items[0].projects[0].mentors).toEqual([{ id: 'dee', name: 'Mentor dee' }]);
    const paged = await ok(mentee(person(0)), 'GET', `/programs?term=${termId}&limit=2`);
    const rest = await ok(
      mentee(person(0)),
      'GET',
      `/programs?term=${termId}&limit=2&cursor=${paged.nextCursor}`,
    );
    expect([...paged.items, ...rest.items].map((p: { id: string }) => p.id).sort()).toEqual([G, L, O].sort());
    expect(JSON.stringify((await ok(mentee(person(0)), 'GET', `/programs/${G}`)).definition)).not.toContain(
      'ada@example.org',
    );

    // who applies where: 0-79 to G, 60-139 to O, 120-199 to L (two overlaps of 20)
    const people = Array.from({ length: PEOPLE }, (_, i) => person(i));
    const programsOf = (i: number) => [
      ...(i < 80 ? [G] : []),
      ...(i >= 60 && i < 140 ? [O] : []),
      ...(i >= 120 ? [L] : []),
    ];
    // what each does: 9s never submit, 8s leave G's pull request sent back, 7s never hand in O's task
    const fate = (i: number) =>
      i % 10 === 9 ? 'draft' : i % 10 === 8 ? 'sent-back' : i % 10 === 7 ? 'no-task' : 'complete';
    const app: Record<string, Record<string, string>> = {};
    for (const [i, p] of people.entries()) {
      const resume = await upload(mentee(p), PDF, `${p}-resume.pdf`);
      expect(resume.status).toBe(201);
      await ok(mentee(p), 'PUT', '/me/profile', {
        name: `Applicant ${p}`,
        email: `${p}@example.org`,
        country: 'DE',
        timeZone: 'Europe/Berlin',
        pronouns: 'they/them',
        skills: ['go'],
        links: { forge: `https://github.com/${p}` },
        resumeFileId: resume.body.id,
      });
      app[p] = {};
      for (const programId of programsOf(i)) {
        const project = programId === G ? (i % 3 === 0 ? 'docs' : 'sched') : programId === O ? 'net' : 'k8s';
        // a draft: the profile gives the details, the answers come later
        const created = await ok(
          mentee(p),
          'POST',
          `/programs/${programId}/applications`,
          { projectIds: [project] },
          201,
        );
        app[p]![programId] = created.id;
      }
    }

    // drafts edited with the version read; the applicant then submits and hands in the tasks
    for (const [i, p] of people.entries()) {
      for (const [programId, id] of Object.entries(app[p]!)) {
        const read = await as(mentee(p), 'GET', `/applications/${id}/content`);
        expect(read.body.state).toBe('draft');
        const answers =
          programId === G
            ? {
                why: `Because ${p} likes schedulers`,
                level: ['beginner', 'intermediate', 'advanced'][i % 3]!,
              }
            : programId === O
              ? { essay: `I am ${p}` }
              : {};
        const proposal =
          programId === G ? (await upload(mentee(p), PDF, `${p}-proposal.pdf`)).body.id : undefined;
        await ok(
          mentee(p),
          'PATCH',
          `/applications/${id}/content`,
          { answers, ...(proposal && { proposalFileId: proposal }) },
          200,
          {
            'if-match': `"${read.body.version}"`,
          },
        );
        if (fate(i) !== 'draft') {
          expect((await ok(mentee(p), 'POST', `/applications/${id}/submit`)).state).toBe('submitted');
        }
        if (programId === G) {
          const cover = await upload(mentee(p), PDF, `${p}-cover.pdf`);
          await ok(mentee(p), 'POST', `/applications/${id}/tasks/cover/submission`, {
            fileId: cover.body.id,
          });
          await ok(mentee(p), 'POST', `/applications/${id}/tasks/pr/submission`, {
            url: `https://github.com/org/repo/pull/${i}`,
          });
          await ok(mentee(p), 'POST', `/applications/${id}/prerequisites/call/complete`);
        } else if (programId === O) {
          if (fate(i) !== 'no-task')
            await ok(mentee(p), 'POST', `/applications/${id}/tasks/task/submission`, {
              text: `Patch by ${p}`,
            });
          await ok(
            mentee(p),
            'POST',
            `/applications/${id}/contributions`,
            {
              url: `https://github.com/net/pull/${i}`,
              description: 'A fix',
              date: '2027-01-12',
              projectId: 'net',
            },
            201,
          );
        } else {
          const file = await upload(mentee(p), PDF, `${p}-cv.pdf`);
          const task = await ok(mentee(p), 'POST', `/applications/${id}/tasks/resume/submission`, {
            fileId: file.body.id,
          });
          expect(task.state).toBe('accepted'); // no review: complete when handed in
        }
      }
    }

    // reviewers: G's cover letters accepted, pull requests of every 4th sent back (8s never come back)
    const gMentor = mentor('ada', [G]);
    for (const [i, p] of people.entries()) {
      const id = app[p]![G];
      if (!id) continue;
      await ok(gMentor, 'POST', `/applications/${id}/tasks/cover/review`, { decision: 'accept' });
      if (fate(i) === 'sent-back' || i % 4 === 0) {
        const back = await ok(gMentor, 'POST', `/applications/${id}/tasks/pr/review`, {
          decision: 'request-changes',
          comment: 'Please add a test',
        });
        expect(back.state).toBe('changes-requested');
        const seen = await ok(mentee(p), 'GET', `/applications/${id}/tasks`);
        expect(seen.tasks.find((t: { id: string }) => t.id === 'pr')).toMatchObject({
          state: 'changes-requested',
          reviewComment: 'Please add a test',
        });
        // the applicant hears by email; the comment stays on their page, out of the email and its workflow
        const told = await eventually(
          async () =>
            system.resend
              .emails()
              .filter((e) =>
                e.idempotencyKey?.startsWith(`${menteeWorkflowId(id)}/task-changes-requested/pr/`),
              ),
          (emails) => emails.length === 1,
          'the changes-requested email',
        );
        expect(told[0]!.html).toContain('A first pull request');
        expect(told[0]!.html).not.toContain('Please add a test');
        if (fate(i) === 'sent-back') continue;
        await ok(mentee(p), 'POST', `/applications/${id}/tasks/pr/submission`, {
          url: `https://github.com/org/repo/pull/${i}0`,
        });
      }
      const accepted = await ok(gMentor, 'POST', `/applications/${id}/tasks/pr/review`, {
        decision: 'accept',
      });
      expect(accepted).toMatchObject({ state: 'accepted' });
    }
    for (const p of people) {
      const id = app[p]![O];
      if (!id) continue;
      const tasks = (await ok(mentor('dee', [O]), 'GET', `/applications/${id}/tasks`)).tasks;
      if (tasks[0].state === 'submitted')
        await ok(mentor('dee', [O]), 'POST', `/applications/${id}/tasks/task/review`, { decision: 'accept' });
    }

    // review closes: who is accepted into selection, who not and why
    await system.skipTo(Date.parse(gsoc.applicationsCloseAt) + 14 * DAYS + HOURS);
    const stage = async (id: string) =>
      (await system.env.client.workflow.getHandle(menteeWorkflowId(id)).query(statusQuery)).stage;
    const expectedStage = (i: number, programId: string) => {
      const f = fate(i);
      if (f === 'draft' || (programId === G && f === 'sent-back') || (programId === O && f === 'no-task'))
        return 'not_accepted';
      return 'awaiting_selection';
    };
    for (const [i, p] of people.entries()) {
      for (const [programId, id] of Object.entries(app[p]!)) {
        expect(await stage(id), `${p} in ${programId}`).toBe(expectedStage(i, programId));
      }
    }
    // the "not accepted" email names what was missing
    const reason = async (id: string) =>
      (await system.sql`SELECT status->>'outcomeReason' AS r FROM applications WHERE id = ${id}`)[0]?.r;
    expect(await reason(app[person(9)]![G]!)).toMatch(/application/);
    expect(await reason(app[person(8)]![G]!)).toMatch(/\bpr\b/);
    expect(await reason(app[person(67)]![O]!)).toMatch(/\btask\b/);

    // ratings by two mentors of G; the applicant list sorts by them and filters as reviewers ask
    const gIds = people.flatMap((p, i) => (app[p]![G] ? [{ p, i, id: app[p]![G]! }] : []));
    // ap064, who also applied to O, is everyone's favourite: G selects them first, and O then cannot
    const FAVOURITE = 64;
    for (const { i, id } of gIds) {
      await ok(mentor('ada', [G]), 'PUT', `/applications/${id}/rating`, {
        scores:
          i === FAVOURITE ? { skills: 5, proposal: 5 } : { skills: (i % 5) + 1, proposal: ((i * 3) % 5) + 1 },
      });
      if (i % 2 === 0)
        await ok(mentor('bob', [G]), 'PUT', `/applications/${id}/rating`, {
          scores: i === FAVOURITE ? { skills: 5, proposal: 5 } : { skills: ((i + 2) % 5) + 1, proposal: 3 },
        });
    }
    const averageOf = (i: number) => {
      if (i === FAVOURITE) return 5;
      const ada = ((i % 5) + 1 + ((i * 3) % 5) + 1) / 2;
      return i % 2 === 0 ? (ada + (((i + 2) % 5) + 1 + 3) / 2) / 2 : ada;
    };
    const view = await ok(mentor('bob', [G]), 'GET', `/applications/${gIds[0]!.id}/review`);
    expect(view.others).toEqual({ average: 1, count: 1 }); // ada's 1 and 1
    expect(view.mine.scores).toEqual({ skills: 3, proposal: 3 });
    await ok(mentor('bob', [G]), 'PUT', `/applications/${gIds[1]!.id}/flag`, {
      reason: 'Same essay as another applicant',
    });
    await ok(
      mentor('bob', [G]),
      'POST',
      `/applications/${gIds[1]!.id}/notes`,
      { note: 'Check the essay' },
      201,
    );
    expect((await ok(mentor('ada', [G]), 'GET', `/applications/${gIds[1]!.id}/review`)).notes).toEqual([]);
    const list = async (query: string) => {
      const items: {
        id: string;
        review: { ratingAverage: number | null; flags: number };
        complete: boolean;
        otherApplications: { programId: string }[];
      }[] = [];
      let cursor = '';
      do {
        const page = await ok(
          mentor('ada', [G]),
          'GET',
          `/programs/${G}/applications?limit=37&${query}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        items.push(...page.items);
        cursor = page.nextCursor ?? '';
      } while (cursor);
      return items;
    };
    const byRating = await list('sort=-rating');
    expect(byRating.map((r) => r.review.ratingAverage)).toEqual(
      [...gIds].map(({ i }) => averageOf(i)).sort((a, b) => b - a),
    );
    const completeOnes = await list('complete=true');
    expect(completeOnes.length).toBe(
      gIds.filter(({ i }) => expectedStage(i, G) === 'awaiting_selection').length,
    );
    expect((await list('flagged=true')).map((r) => r.id)).toEqual([gIds[1]!.id]);
    expect((await list('project=docs')).length).toBe(gIds.filter(({ i }) => i % 3 === 0).length);
    const overlap = byRating.find((r) => r.id === app[person(61)]![G]);
    expect(overlap?.otherApplications.map((o) => o.programId)).toEqual([O]);
    // the applicant sees none of it
    const own = await ok(mentee(person(61)), 'GET', '/me/applications');
    expect(JSON.stringify(own)).not.toContain('ratingAverage');
    expect((await as(mentee(person(61)), 'GET', `/applications/${app[person(61)]![G]}/review`)).status).toBe(
      403,
    );

    // the status document and the export carry what is new
    const statusOf0 = await ok(mentee(person(0)), 'GET', `/applications/${app[person(0)]![G]}`);
    expect(statusOf0.form).toMatchObject({ state: 'submitted', projectIds: ['docs'] });
    expect(statusOf0.tasks).toEqual([
      { id: 'cover', state: 'accepted' },
      { id: 'pr', state: 'accepted' },
    ]);
    const exported = await as(mentor('ada', [G]), 'GET', `/programs/${G}/applications/export`);
    const rows = parse(exported.body as string, { columns: true }) as Record<string, string>[];
    const row0 = rows.find((r) => r.applicationId === app[person(0)]![G])!;
    expect(row0).toMatchObject({ projectIds: 'docs', tasksAccepted: 'cover pr', ratingCount: '2' });
    expect(Number(row0.ratingAverage)).toBe(averageOf(0));
    expect(rows.find((r) => r.applicationId === app[person(9)]![G])!.submittedAt).toBe('');

    // ranking and "select the top N": G ranks its selectable applicants by rating, best first
    const selectable = byRating.filter((r) => r.complete).map((r) => r.id);
    await ok(admin([G]), 'PUT', `/programs/${G}/ranking`, { applicationIds: selectable });
    const report = await ok(admin([G]), 'POST', `/programs/${G}/select-top`, { count: 8 });
    // a model of the rules: G's 5 slots; sched has 3 seats (ada, bob: 2 each), docs one mentor (cy: 2)
    const seats = { sched: 3, docs: Infinity };
    const load: Record<string, number> = { ada: 0, bob: 0, cy: 0 };
    const expected = { selected: [] as string[], refused: [] as string[] };
    for (const id of selectable) {
      if (expected.selected.length >= 8) break;
      const i = gIds.find((g) => g.id === id)!.i;
      const project = i % 3 === 0 ? 'docs' : 'sched';
      const mentors = project === 'docs' ? ['cy'] : ['ada', 'bob'];
      const free = mentors.find((m) => load[m]! < 2);
      if (expected.selected.length >= 5 || seats[project] === 0 || !free) {
        expected.refused.push(id);
        continue;
      }
      seats[project]--;
      load[free]!++;
      expected.selected.push(id);
    }
    expect(expected.selected).toHaveLength(5); // the program's slots
    expect(expected.refused.length).toBeGreaterThan(0);
    expect(report.selected.map((s: { applicationId: string }) => s.applicationId)).toEqual(expected.selected);
    expect(report.refused.map((r: { applicationId: string }) => r.applicationId)).toEqual(expected.refused);
    for (const refusal of report.refused) expect(refusal.type).toMatch(/capacity-reached|project-full/);
    for (const s of report.selected)
      expect(s.mentorId).toMatch(s.projectId === 'docs' ? /^cy$/ : /^(ada|bob)$/);

    // O selects after G: a person G selected is refused by the term's one-acceptance rule, the rest selected
    const oSelectable = people
      .filter((p, i) => app[p]![O] && expectedStage(i, O) === 'awaiting_selection')
      .map((p) => app[p]![O]!);
    await ok(admin([O]), 'PUT', `/programs/${O}/ranking`, { applicationIds: oSelectable });
    const oReport = await ok(admin([O]), 'POST', `/programs/${O}/select-top`, { count: 3 });
    const selectedByG = new Set(expected.selected.map((id) => gIds.find((g) => g.id === id)!.p));
    // O's list runs in person order: the first two not selected by G take dee's two places, then capacity
    const oExpected = oSelectable.map((id) => people.find((p) => app[p]![O] === id)!);
    const free = oExpected.filter((p) => !selectedByG.has(p));
    expect(oReport.selected.map((x: { applicationId: string }) => x.applicationId)).toEqual(
      free.slice(0, 2).map((p) => app[p]![O]),
    );
    for (const refusal of oReport.refused) {
      const who = people.find((p) => app[p]![O] === refusal.applicationId)!;
      expect(refusal.type, who).toBe(selectedByG.has(who) ? 'selection-conflict' : 'capacity-reached');
    }
    // every applicant G selected is refused by O, the term allowing one acceptance
    expect(oReport.refused.filter((r: { type: string }) => r.type === 'selection-conflict').length).toBe(
      oExpected.filter((p) => selectedByG.has(p)).length,
    );
    expect(selectedByG.has(person(FAVOURITE))).toBe(true);
    expect(oExpected).toContain(person(FAVOURITE));

    // a selection must name a mentor committed to the project (409), for a project the application is for
    const lId = app[person(150)]![L]!;
    const notCommitted = await as(admin([L]), 'POST', `/applications/${lId}/selection`, {
      decision: 'select',
      mentor: mentorOf('ada'),
      projectTitle: 'x',
      projectId: 'k8s',
    });
    expect(notCommitted.status).toBe(409);
    expect(notCommitted.body.type).toBe('urn:mentorship:problem:mentor-not-committed');
    const selected = await ok(admin([L]), 'POST', `/applications/${lId}/selection`, {
      decision: 'select',
      mentor: mentorOf('eve'),
      projectTitle: 'ignored: the project names it',
      projectId: 'k8s',
    });
    expect(selected.application.selection.projectTitle).toBe('Kubernetes docs');

    // no essay, note, file name or review comment in any workflow history
    const secrets = [
      'likes schedulers',
      'Please add a test',
      'Check the essay',
      '-proposal.pdf',
      'Same essay',
      'Patch by',
    ];
    for (const id of [...gIds.slice(0, 10).map((g) => g.id), app[person(70)]![O]!]) {
      const history = JSON.stringify(
        await system.env.client.workflow.getHandle(menteeWorkflowId(id)).fetchHistory(),
      );
      for (const secret of secrets) expect(history, `${id} history holds "${secret}"`).not.toContain(secret);
    }
  });
});

describe('bad input on the applicant side', () => {
  it('answers each with a clear 4xx, and nothing half-written stays behind', {
    timeout: 300_000,
  }, async () => {
    const now = await system.env.currentTimeMs();
    const program = {
      ...programFixture(now, { id: `bad-${now % 1_000_000}` }),
      projects: [{ id: 'p1', title: 'P1', mentors: [mentorOf('m1')] }],
      questions: [{ id: 'why', prompt: 'Why?', kind: 'short-text', maxLength: 20 }],
      prerequisites: [{ id: 'pr', title: 'A pull request', kind: 'link', review: true }],
    };
    await ok({ userId: 'ops-1', role: 'ops' }, 'POST', '/programs', program, 201);
    const me = mentee('bad-1');
    const details = { name: 'Bad Input', email: 'bad@example.org' };

    const tooLong = await as(me, 'POST', `/programs/${program.id}/applications`, {
      mentee: details,
      projectIds: ['p1'],
      answers: { why: 'x'.repeat(21) },
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.errors).toEqual([{ path: 'answers.why', message: 'at most 20 characters (got 21)' }]);
    const missing = await as(me, 'POST', `/programs/${program.id}/applications`, {
      mentee: details,
      projectIds: ['p1'],
      submit: true,
    });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['answers.why']);
    expect(await system.sql`SELECT 1 FROM applications WHERE mentee_id = 'bad-1'`).toHaveLength(0);

    const { id } = await ok(
      me,
      'POST',
      `/programs/${program.id}/applications`,
      { mentee: details, projectIds: ['p1'] },
      201,
    );
    const edit = (version: string | undefined, body: unknown) =>
      as(
        me,
        'PATCH',
        `/applications/${id}/content`,
        body,
        version === undefined ? {} : { 'if-match': version },
      );
    expect((await edit(undefined, { answers: { why: 'a' } })).status).toBe(428);
    expect((await edit('"1"', { answers: { why: 'first' } })).status).toBe(200);
    const stale = await edit('"1"', { answers: { why: 'second' } });
    expect(stale.status).toBe(412);
    expect(stale.body.version).toBe(2);
    expect((await ok(me, 'GET', `/applications/${id}/content`)).answers).toEqual({ why: 'first' });
    expect((await edit('"2"', { projectIds: ['nope'] })).status).toBe(422);

    // after the close every edit is refused, naming the deadline
    const later = createApp({
      sql: system.sql,
      temporal: system.env.client,
      taskQueue: system.taskQueue,
      log: pino({ level: 'silent' }),
      auth: TEST_AUTH,
      now: () => Date.parse(program.applicationsCloseAt) + 1,
    });
    const closed = await later.request(`/applications/${id}/content`, {
      method: 'PATCH',
      headers: { ...(await bearer(me)), 'content-type': 'application/json', 'if-match': '"2"' },
      body: JSON.stringify({ answers: { why: 'late' } }),
    });
    expect(closed.status).toBe(409);
    expect(((await closed.json()) as { detail: string }).detail).toContain(
      new Date(program.applicationsCloseAt).toISOString(),
    );

    // files: PDF by its bytes, within the limit
    expect((await upload(me, Buffer.from('<html>not a pdf</html>'), 'fake.pdf')).status).toBe(415);
    const big = Buffer.concat([PDF, Buffer.alloc(5 * 1024 * 1024)]);
    expect((await upload(me, big, 'big.pdf')).status).toBe(413);
    const mine = await upload(me, PDF, 'mine.pdf');
    const download = await system.app.request(`/files/${mine.body.id}`, { headers: await bearer(me) });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''mine.pdf");
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
    const stranger = await system.app.request(`/files/${mine.body.id}`, {
      headers: await bearer(mentee('other')),
    });
    expect(stranger.status).toBe(403);

    // tasks: a review of a task not submitted, a rating or review by someone not of the program
    const review = await as(mentor('m1', [program.id]), 'POST', `/applications/${id}/tasks/pr/review`, {
      decision: 'accept',
    });
    expect(review.status).toBe(409);
    expect(review.body.type).toBe('urn:mentorship:problem:task-not-submitted');
    expect(
      (await as(mentor('m9', ['elsewhere']), 'PUT', `/applications/${id}/rating`, { scores: { overall: 3 } }))
        .status,
    ).toBe(403);
    expect(
      (
        await as(mentor('m9', ['elsewhere']), 'POST', `/applications/${id}/tasks/pr/review`, {
          decision: 'accept',
        })
      ).status,
    ).toBe(403);
    expect(
      (await as(mentor('m1', [program.id]), 'PUT', `/applications/${id}/rating`, { scores: { overall: 6 } }))
        .status,
    ).toBe(422);
    const bypass = await as(me, 'POST', `/applications/${id}/prerequisites/pr/complete`);
    expect(bypass.status).toBe(409);
    expect(bypass.body.type).toBe('urn:mentorship:problem:task-needs-submission');
    const wrongKind = await as(me, 'POST', `/applications/${id}/tasks/pr/submission`, { text: 'not a link' });
    expect(wrongKind.status).toBe(422);
    expect(await system.sql`SELECT 1 FROM task_submissions WHERE application_id = ${id}`).toHaveLength(0);
  });
});
