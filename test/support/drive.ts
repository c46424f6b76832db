import { expect } from 'vitest';
import type { ProgramInput } from '../../domain/program.js';
import { DAYS, HOURS, PREREQUISITES, programFixture, SCHEDULE } from './programs.js';
import type { ApiResponse, TestSystem } from './system.js';

/** Drives mentees through the API the way the frontend would, moving the test server's clock between steps. */
export function driver(system: TestSystem) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    expectStatus = 200,
  ): Promise<ApiResponse> => {
    const response = await system.call(method, path, body);
    expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(expectStatus);
    return response;
  };
  const skipTo = (at: number) => system.skipTo(at);

  return {
    call,
    skipTo,
    async newProgram(overrides: Partial<ProgramInput> = {}) {
      const program = programFixture(await system.env.currentTimeMs(), overrides);
      await call('POST', '/programs', program, 201);
      const closes = Date.parse(program.applicationsCloseAt);
      return { program, closes, dueAt: (n: number) => closes + SCHEDULE.evaluations[n - 1]! };
    },
    async apply(programId: string, menteeId: string, country = 'DE') {
      const response = await call(
        'POST',
        `/programs/${programId}/applications`,
        { mentee: { id: menteeId, name: `Name of ${menteeId}`, email: `${menteeId}@example.org`, country } },
        201,
      );
      return response.body.id as string;
    },
    async completePrerequisites(applicationId: string) {
      for (const p of PREREQUISITES)
        await call('POST', `/applications/${applicationId}/prerequisites/${p.id}/complete`);
    },
    /** From in_review to active; the clock must be before the review closes. */
    async makeActive(
      applicationId: string,
      closes: number,
      mentorId = `mentor-of-${applicationId.slice(0, 8)}`,
    ) {
      await this.completePrerequisites(applicationId);
      await skipTo(closes + SCHEDULE.reviewClosesAt + HOURS);
      await this.select(applicationId, mentorId);
      for (const step of ['contract', 'tax-form', 'payment-details']) {
        await call('POST', `/applications/${applicationId}/onboarding/${step}/complete`);
      }
      return mentorId;
    },
    select(applicationId: string, mentorId: string) {
      return call('POST', `/applications/${applicationId}/selection`, {
        decision: 'select',
        mentor: { id: mentorId, name: `Mentor ${mentorId}`, email: `${mentorId}@example.org` },
        projectTitle: 'Faster builds',
      });
    },
    evaluate(
      applicationId: string,
      n: number,
      mentorId: string,
      outcome: 'pass' | 'fail' = 'pass',
      expectStatus = 200,
    ) {
      return call(
        'POST',
        `/applications/${applicationId}/evaluations/${n}`,
        {
          mentorId,
          ratings: { tasksAndMilestones: 4, engagement: 4, progressAgainstPlan: 4 },
          comments: 'Good work',
          outcome,
        },
        expectStatus,
      );
    },
    async finishParticipation(applicationId: string) {
      for (const item of ['project-plan', 'starter-docs', 'milestone-1', 'milestone-2']) {
        await call('POST', `/applications/${applicationId}/progress/${item}/complete`);
      }
      await call('POST', `/applications/${applicationId}/feedback-survey`, { rating: 5, comments: 'Thanks' });
    },
  };
}

export { DAYS, HOURS };
