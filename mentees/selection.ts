import type { Sql } from '../db/index.js';
import { conflict, validationProblem } from '../domain/problems.js';
import type { Program } from '../domain/program.js';
import { DEFAULT_TIME_ZONE } from '../domain/time-zones.js';

export type Project = Program['projects'][number];

/** The mentor a selection names, kept for their emails and calendar (a known mentor keeps their time zone). */
export async function recordMentor(
  sql: Sql,
  mentor: { id: string; name: string; email: string; timeZone?: string | undefined },
): Promise<void> {
  await sql`
    INSERT INTO mentors (id, name, email, time_zone)
    VALUES (${mentor.id}, ${mentor.name}, ${mentor.email}, ${mentor.timeZone ?? DEFAULT_TIME_ZONE})
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
      time_zone = coalesce(${mentor.timeZone ?? null}, mentors.time_zone), updated_at = now()`;
}

/** Applications holding one of a project's seats: selected, and not gone before the term (lapsed, declined). */
const HOLDS_SEAT = ['awaiting_selection', 'onboarding', 'active', 'completed'];

/**
 * The project a selection is for, checked against the program: where it has projects, the selection names one
 * the application is for, and a mentor committed to it (Outreachy and GSoC: no intern without a committed mentor).
 */
export async function projectOfSelection(
  sql: Sql,
  program: Program,
  applicationId: string,
  projectId: string | undefined,
  mentorId: string,
): Promise<Project | undefined> {
  if (program.projects.length === 0) return undefined;
  if (projectId === undefined) {
    throw validationProblem([
      { path: ['projectId'], message: `program ${program.id} selects for one of its projects` },
    ]);
  }
  const project = program.projects.find((p) => p.id === projectId);
  if (!project)
    throw validationProblem([{ path: ['projectId'], message: `the program has no project "${projectId}"` }]);
  const [content] = await sql<{ projectIds: string[] }[]>`
    SELECT project_ids AS "projectIds" FROM application_content WHERE application_id = ${applicationId}`;
  if (!content?.projectIds.includes(projectId)) {
    throw conflict('project-not-applied', `Application ${applicationId} is not for project ${projectId}`, {
      projectIds: content?.projectIds ?? [],
    });
  }
  if (!project.mentors.some((m) => m.id === mentorId)) {
    throw conflict(
      'mentor-not-committed',
      `Mentor ${mentorId} is not committed to project ${projectId}; its mentors are ${project.mentors.map((m) => m.id).join(', ') || 'none yet'}`,
      { committed: project.mentors.map((m) => m.id) },
    );
  }
  return project;
}

/**
 * Sends a selection for a project with a seat limit while holding the project's lock (on a connection of its own,
 * so API processes take turns): its held seats are counted first, and the project is recorded on success.
 */
export async function withProjectSeat<T>(
  sql: Sql,
  programId: string,
  project: Project | undefined,
  applicationId: string,
  send: () => Promise<T>,
): Promise<T> {
  if (!project) return send();
  const connection = await sql.reserve();
  const lock = `project-seat/${programId}/${project.id}`;
  try {
    await connection`SELECT pg_advisory_lock(hashtextextended(${lock}, 0))`;
    if (project.slots !== undefined) {
      const [held] = await connection<{ n: number }[]>`
        SELECT count(*)::int AS n FROM applications
        WHERE program_id = ${programId} AND project_id = ${project.id} AND id <> ${applicationId}
          AND stage IN ${connection(HOLDS_SEAT)}`;
      if ((held?.n ?? 0) >= project.slots) {
        throw conflict('project-full', `Project ${project.id} has taken its ${project.slots} mentee(s)`, {
          rule: 'projectSlots',
          limit: project.slots,
        });
      }
    }
    const result = await send();
    await connection`UPDATE applications SET project_id = ${project.id} WHERE id = ${applicationId}`;
    return result;
  } finally {
    await connection`SELECT pg_advisory_unlock(hashtextextended(${lock}, 0))`.catch(() => {});
    connection.release();
  }
}
