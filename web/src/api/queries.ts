import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { ApiError, api, unwrap } from './client';
import type { ProgramDefinition } from './program';
import type { paths } from './schema';

type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;
export type ProgramSearch = Query<'/programs'>;
export type ApplicantFilters = Query<'/programs/{programId}/applications'>;

/** Every query key, from one factory: invalidating a prefix refreshes what depends on it. */
export const keys = {
  programs: (search: ProgramSearch) => ['programs', 'list', search] as const,
  program: (id: string) => ['programs', 'one', id] as const,
  profile: () => ['me', 'profile'] as const,
  myApplications: () => ['me', 'applications'] as const,
  application: (id: string) => ['applications', id] as const,
  part: (id: string, part: 'content' | 'tasks' | 'contributions' | 'stipend' | 'review') =>
    ['applications', id, part] as const,
  applicants: (programId: string, filters: ApplicantFilters) =>
    ['programs', programId, 'applications', filters] as const,
  stageCounts: (programId: string) => ['programs', programId, 'stage-counts'] as const,
  mentees: (mentorId: string) => ['mentors', mentorId, 'mentees'] as const,
  evaluationsDue: (programId?: string) => ['evaluations', 'due', programId ?? null] as const,
  installments: (state: string, programId?: string) => ['installments', state, programId ?? null] as const,
  batches: () => ['finance', 'batches'] as const,
  certificate: (code: string) => ['certificates', code] as const,
};

const path = <T extends Record<string, string>>(p: T) => ({ params: { path: p } });

export const programsQuery = (search: ProgramSearch) =>
  queryOptions({
    queryKey: keys.programs(search),
    queryFn: ({ signal }) => unwrap(api().GET('/programs', { params: { query: search }, signal })),
    placeholderData: keepPreviousData,
  });

export const programQuery = (programId: string) =>
  queryOptions({
    queryKey: keys.program(programId),
    queryFn: async ({ signal }) => {
      const view = await unwrap(api().GET('/programs/{programId}', { ...path({ programId }), signal }));
      return { ...view, definition: view.definition as unknown as ProgramDefinition };
    },
    staleTime: 60_000,
  });

/** The caller's profile; null before they have written one (404). */
export const profileQuery = () =>
  queryOptions({
    queryKey: keys.profile(),
    queryFn: async ({ signal }) => {
      try {
        return await unwrap(api().GET('/me/profile', { signal }));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });

export const myApplicationsQuery = () =>
  queryOptions({
    queryKey: keys.myApplications(),
    queryFn: ({ signal }) =>
      unwrap(
        api().GET('/me/applications', { params: { query: { sort: '-createdAt', limit: 100 } }, signal }),
      ),
  });

export const applicationQuery = (applicationId: string) =>
  queryOptions({
    queryKey: keys.application(applicationId),
    queryFn: ({ signal }) =>
      unwrap(api().GET('/applications/{applicationId}', { ...path({ applicationId }), signal })),
  });

export const contentQuery = (applicationId: string) =>
  queryOptions({
    queryKey: keys.part(applicationId, 'content'),
    queryFn: ({ signal }) =>
      unwrap(api().GET('/applications/{applicationId}/content', { ...path({ applicationId }), signal })),
  });

export const tasksQuery = (applicationId: string) =>
  queryOptions({
    queryKey: keys.part(applicationId, 'tasks'),
    queryFn: ({ signal }) =>
      unwrap(api().GET('/applications/{applicationId}/tasks', { ...path({ applicationId }), signal })),
  });

export const contributionsQuery = (applicationId: string) =>
  queryOptions({
    queryKey: keys.part(applicationId, 'contributions'),
    queryFn: ({ signal }) =>
      unwrap(
        api().GET('/applications/{applicationId}/contributions', { ...path({ applicationId }), signal }),
      ),
  });

export const stipendQuery = (applicationId: string) =>
  queryOptions({
    queryKey: keys.part(applicationId, 'stipend'),
    queryFn: ({ signal }) =>
      unwrap(api().GET('/applications/{applicationId}/stipend', { ...path({ applicationId }), signal })),
  });

export const reviewQuery = (applicationId: string) =>
  queryOptions({
    queryKey: keys.part(applicationId, 'review'),
    queryFn: ({ signal }) =>
      unwrap(api().GET('/applications/{applicationId}/review', { ...path({ applicationId }), signal })),
  });

export const applicantsQuery = (programId: string, filters: ApplicantFilters) =>
  queryOptions({
    queryKey: keys.applicants(programId, filters),
    queryFn: ({ signal }) =>
      unwrap(
        api().GET('/programs/{programId}/applications', {
          params: { path: { programId }, query: filters },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

export const stageCountsQuery = (programId: string) =>
  queryOptions({
    queryKey: keys.stageCounts(programId),
    queryFn: ({ signal }) =>
      unwrap(api().GET('/programs/{programId}/stage-counts', { ...path({ programId }), signal })),
  });

export const menteesQuery = (mentorId: string) =>
  queryOptions({
    queryKey: keys.mentees(mentorId),
    queryFn: ({ signal }) =>
      unwrap(
        api().GET('/mentors/{mentorId}/mentees', {
          params: { path: { mentorId }, query: { limit: 200, sort: '-updatedAt' } },
          signal,
        }),
      ),
  });

/** Evaluations not yet submitted, due from four weeks ago to eight weeks ahead. */
export const evaluationsDueQuery = (programId?: string) =>
  queryOptions({
    queryKey: keys.evaluationsDue(programId),
    queryFn: ({ signal }) => {
      const day = 86_400_000;
      const from = new Date(Date.now() - 28 * day).toISOString();
      const to = new Date(Date.now() + 56 * day).toISOString();
      return unwrap(
        api().GET('/evaluations/due', {
          params: { query: { from, to, limit: 200, ...(programId ? { programId } : {}) } },
          signal,
        }),
      );
    },
  });

export type InstallmentState = NonNullable<Query<'/stipend-installments'>['state']>;
export const installmentsQuery = (state: InstallmentState, programId?: string) =>
  queryOptions({
    queryKey: keys.installments(state, programId),
    queryFn: ({ signal }) =>
      unwrap(
        api().GET('/stipend-installments', {
          params: { query: { state, limit: 200, ...(programId ? { programId } : {}) } },
          signal,
        }),
      ),
  });

export const batchesQuery = () =>
  queryOptions({
    queryKey: keys.batches(),
    queryFn: ({ signal }) => unwrap(api().GET('/finance/batches', { signal })),
  });

export const certificateQuery = (code: string) =>
  queryOptions({
    queryKey: keys.certificate(code),
    queryFn: ({ signal }) => unwrap(api().GET('/certificates/{code}', { ...path({ code }), signal })),
    retry: false,
  });
