import { afterAll, describe, expect, inject, it } from 'vitest';
import { canonicalDigest } from '../simulator/digest.js';
import { loadPrograms, loadScenario } from '../simulator/files.js';
import { type SimulationRun, simulate } from '../simulator/simulate.js';
import { type SimulationSystem, startSimulationSystem } from '../simulator/system.js';

// The shipped term: three programs with overlapping applicants, one acceptance per person, announcement day.
const TERM_FILE = 'examples/programs/lfx-term-three-programs.json';
const MENTEES = 60;

let system: SimulationSystem;
let run: SimulationRun;
afterAll(() => system?.stop());

describe('a simulated term of three programs', () => {
  it('keeps the term rules across programs: one acceptance per person, results on announcement day', {
    timeout: 600_000,
  }, async () => {
    system = await startSimulationSystem({
      postgresServerUrl: inject('postgresServerUrl'),
      testServerPath: inject('temporalTestServerPath'),
    });
    const files = await loadPrograms(TERM_FILE);
    const scenario = await loadScenario(undefined);
    run = await system.run(() => simulate(system, files, scenario, { mentees: MENTEES, seed: 3 }));
    expect(run.broken).toEqual([]);

    // people applied to several programs of the term, none to more than the term allows
    const perPerson = await system.sql<{ menteeId: string; n: number }[]>`
      SELECT mentee_id AS "menteeId", count(*)::int AS n FROM applications GROUP BY mentee_id`;
    expect(perPerson).toHaveLength(MENTEES);
    expect(perPerson.some((p) => p.n > 1)).toBe(true);
    expect(Math.max(...perPerson.map((p) => p.n))).toBeLessThanOrEqual(3);

    // nobody holds two seats, nobody got past onboarding in two programs
    const seats = await system.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM acceptances WHERE released_at IS NULL GROUP BY mentee_id HAVING count(*) > 1`;
    expect(seats).toEqual([]);
    const twice = await system.sql<{ menteeId: string }[]>`
      SELECT mentee_id AS "menteeId" FROM applications
      WHERE stage IN ('onboarding', 'active', 'completed')
      GROUP BY mentee_id HAVING count(*) > 1`;
    expect(twice).toEqual([]);
    // someone selected twice kept one program and was withdrawn from the other by the term
    const [autoWithdrawn] = await system.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM applications
      WHERE stage = 'withdrawn' AND status->>'outcomeReason' LIKE 'accepted into %'`;
    const [completed] = await system.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM applications WHERE stage = 'completed'`;
    expect(completed!.n).toBeGreaterThan(0);

    // no applicant heard a result before announcement day; those decided earlier heard it then
    const announcedAt = Date.parse(files.term!.announcementAt!) + run.shiftMs;
    const results = [...system.edge.emails].filter(([key]) =>
      /\/(selected|declined|not-selected)\/mentee$/.test(key),
    );
    expect(results.length).toBeGreaterThan(0);
    expect(results.filter(([, at]) => at < announcedAt)).toEqual([]);
    // (an email's instant is the server's clock while its workflow task runs: the announcement timer plus a moment)
    expect(results.filter(([, at]) => at - announcedAt < 60_000).length).toBeGreaterThan(0);
    // the digest the same seed must repeat names another application (a selection conflict's email) by its plan key,
    // never by its random id: an email as the conflict sends it, about two planned applications
    const [a, b] = run.plan.applications.filter((p) => p.applicationId);
    const [row] = await system.sql<{ workflowId: string }[]>`
      SELECT workflow_id AS "workflowId" FROM applications WHERE id = ${a!.applicationId!}`;
    await system.sql`
      INSERT INTO emails (idempotency_key, application_id, kind, recipient, subject, provider)
      VALUES (${`${row!.workflowId}/selection-conflict-${b!.applicationId}/admin`}, ${a!.applicationId!},
              'selection-conflict', 'admin@example.org', 'A conflict', 'outbox')`;
    const { outcomes } = await canonicalDigest(system, run);
    expect(outcomes.find((o) => o.key === a!.key)!.emails).toContain(`selection-conflict-${b!.key}/admin`);
    expect(JSON.stringify(outcomes)).not.toMatch(
      /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
    );
    console.log(
      `term of ${MENTEES} people: ${perPerson.filter((p) => p.n > 1).length} applied more than once, ` +
        `${autoWithdrawn!.n} withdrawn on acceptance elsewhere, ${results.length} results told, ${completed!.n} completed`,
    );
  });
});
