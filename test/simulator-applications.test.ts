/**
 * The cohort simulator on a program with an application form (the shipped GSoC-style file): applicants write
 * drafts with a proposal, submit them as the application task and hand in a task mentors review; the mentor who
 * selects rates first and names a mentor committed to the project; the report counts the reviews.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { menteeWorkflowId } from '../domain/ids.js';
import { loadPrograms, loadScenario } from '../simulator/files.js';
import { buildReport } from '../simulator/report-data.js';
import { type SimulationRun, simulate } from '../simulator/simulate.js';
import { type SimulationSystem, startSimulationSystem } from '../simulator/system.js';

const FILE = 'examples/programs/gsoc-style-3-evaluations.json';
const MENTEES = 30;

let system: SimulationSystem;
let run: SimulationRun;
afterAll(() => system?.stop());

describe('a simulated GSoC-style program with a form, projects and reviewed tasks', () => {
  it('submits, reviews and rates through the API, and ends every applicant as the rules say', {
    timeout: 600_000,
  }, async () => {
    system = await startSimulationSystem({
      postgresServerUrl: inject('postgresServerUrl'),
      testServerPath: inject('temporalTestServerPath'),
    });
    const files = await loadPrograms(FILE);
    const scenario = await loadScenario(undefined);
    run = await system.run(() => simulate(system, files, scenario, { mentees: MENTEES, seed: 11 }));
    expect(run.broken).toEqual([]);

    // every applicant's own steps were taken as planned: applied, submitted, handed in; reviews and ratings too
    const refused = run.answers.filter(
      (a) => ['apply', 'prerequisite', 'review-task', 'rate', 'select'].includes(a.kind) && a.status >= 400,
    );
    expect(refused).toEqual([]);
    // nobody acted out of turn: the mentor select-top gave each mentee is the one who evaluates them
    expect(run.answers.filter((a) => a.status === 403)).toEqual([]);
    const count = (kind: string) => run.answers.filter((a) => a.kind === kind).length;
    expect(count('evaluate')).toBeGreaterThan(0);
    expect(count('review-task')).toBeGreaterThan(0);
    expect(count('rate')).toBe(count('select'));

    // those who submitted and handed in everything went on; the others were not accepted, naming what was missing
    const rows = await system.sql<
      { id: string; menteeId: string; stage: string; reason: string | null; submitted: Date | null }[]
    >`
      SELECT a.id, a.mentee_id AS "menteeId", a.stage, a.status->>'outcomeReason' AS reason, c.submitted_at AS submitted
      FROM applications a JOIN application_content c ON c.application_id = a.id`;
    expect(rows).toHaveLength(run.plan.applications.length);
    for (const application of run.plan.applications) {
      const row = rows.find((r) => r.id === application.applicationId)!;
      const complete = ['early', 'late'].includes(application.intent.prerequisites);
      if (complete) expect(row.stage, application.key).not.toBe('not_accepted');
      else {
        expect(row.stage, application.key).toBe('not_accepted');
        expect(row.reason).toMatch(/^Prerequisites not completed: /);
        if (!row.submitted) expect(row.reason).toContain('application');
      }
    }
    // the admin selected by rank: a ranking that grew with each choice, the top N of it selected each time
    const [ranked] = await system.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM applications WHERE rank IS NOT NULL`;
    expect(ranked!.n).toBe(count('select'));
    // each selected mentee's mentor is committed to the project their application names
    const selected = await system.sql<{ mentorId: string; projectId: string; projectIds: string[] }[]>`
      SELECT a.mentor_id AS "mentorId", a.project_id AS "projectId", c.project_ids AS "projectIds"
      FROM applications a JOIN application_content c ON c.application_id = a.id WHERE a.project_id IS NOT NULL`;
    expect(selected.length).toBe(count('select'));
    const program = files.programs[0]!.program;
    for (const s of selected) {
      expect(s.projectIds).toEqual([s.projectId]);
      const committed = program.projects?.find((p) => p.id === s.projectId)?.mentors?.map((m) => m.id);
      expect(committed).toContain(s.mentorId);
    }

    // the report counts the mentors' reviews and ratings
    const report = await buildReport(system, run, {
      seed: 11,
      scenario: scenario.name,
      mentees: MENTEES,
      termId: null,
    });
    const total = (series: number[] | undefined) => (series ?? []).reduce((s, n) => s + n, 0);
    expect(total(report.workload.mentor['task reviews'])).toBe(count('review-task'));
    expect(total(report.workload.mentor.ratings)).toBe(count('rate'));

    // the answers stay out of every history
    for (const application of run.plan.applications.slice(0, 8)) {
      const history = JSON.stringify(
        await system.env.client.workflow
          .getHandle(menteeWorkflowId(application.applicationId!))
          .fetchHistory(),
      );
      expect(history).not.toContain('Answer of');
      expect(history).not.toContain('proposal.pdf');
    }
  });
});
