import type { QueryClient } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  redirect,
} from '@tanstack/react-router';
import { getSession, type Role } from './auth/session';
import { Layout, NotFound } from './components/Layout';
import type { ConsoleConfig } from './config';

export interface RouterContext {
  queryClient: QueryClient;
  config: ConsoleConfig;
}

/** Search params: strings kept only when non-empty, so the URL holds exactly the filters in use. */
const text = (value: unknown) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const oneOf = <T extends string>(values: readonly T[], value: unknown) =>
  values.includes(value as T) ? (value as T) : undefined;

/** Where each role starts. */
export const HOME: Record<Role, '/applications' | '/review' | '/admin' | '/finance'> = {
  mentee: '/applications',
  mentor: '/review',
  admin: '/admin',
  ops: '/finance',
};

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Layout,
  notFoundComponent: NotFound,
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (search: Record<string, unknown>): { redirect?: string | undefined } => ({
    redirect: text(search.redirect),
  }),
  component: lazyRouteComponent(() => import('./auth/SignInPage'), 'SignInPage'),
});

const callbackRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/auth/callback',
  component: lazyRouteComponent(() => import('./auth/SignInPage'), 'OidcCallback'),
});

const certificateRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/certificates/$code',
  component: lazyRouteComponent(() => import('./features/applications/CertificatePage'), 'CertificatePage'),
});

/** Signed-in pages: without a session, to the sign-in page and back here afterwards. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'signed-in',
  beforeLoad: ({ location }) => {
    if (!getSession()) throw redirect({ to: '/sign-in', search: { redirect: location.href } });
  },
});

/** A guard on the route: only these roles (the API would refuse the others anyway). */
const only =
  (...roles: Role[]) =>
  () => {
    const session = getSession();
    if (session && !roles.includes(session.role)) throw redirect({ to: HOME[session.role] });
  };

const indexRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/',
  beforeLoad: () => {
    const session = getSession();
    throw redirect({ to: session ? HOME[session.role] : '/sign-in' });
  },
});

export const PROGRAM_STATUSES = ['open', 'upcoming', 'closed'] as const;
export interface ProgramSearchParams {
  q?: string | undefined;
  status?: (typeof PROGRAM_STATUSES)[number] | undefined;
  skill?: string | undefined;
  organization?: string | undefined;
  term?: string | undefined;
  cursor?: string | undefined;
}
const programsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/programs',
  validateSearch: (s: Record<string, unknown>): ProgramSearchParams => ({
    q: text(s.q),
    status: oneOf(PROGRAM_STATUSES, s.status),
    skill: text(s.skill),
    organization: text(s.organization),
    term: text(s.term),
    cursor: text(s.cursor),
  }),
  component: lazyRouteComponent(() => import('./features/programs/FindPrograms'), 'FindPrograms'),
});

const programRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/programs/$programId',
  component: lazyRouteComponent(() => import('./features/programs/ProgramPage'), 'ProgramPage'),
});

const applyRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/programs/$programId/apply',
  beforeLoad: only('mentee'),
  component: lazyRouteComponent(() => import('./features/programs/ApplyPage'), 'ApplyPage'),
});

const myApplicationsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/applications',
  beforeLoad: only('mentee'),
  component: lazyRouteComponent(() => import('./features/applications/MyApplications'), 'MyApplications'),
});

const applicationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/applications/$applicationId',
  beforeLoad: only('mentee'),
  component: lazyRouteComponent(() => import('./features/applications/ApplicationPage'), 'ApplicationPage'),
});

const calendarRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/calendar',
  component: lazyRouteComponent(() => import('./features/applications/CalendarPage'), 'CalendarPage'),
});

export const APPLICANT_SORTS = [
  'createdAt',
  '-createdAt',
  'updatedAt',
  '-updatedAt',
  'rating',
  '-rating',
  'rank',
] as const;
export const STAGE_NAMES = [
  'in_review',
  'not_accepted',
  'awaiting_selection',
  'declined',
  'not_selected',
  'onboarding',
  'offer_lapsed',
  'active',
  'completed',
  'terminated',
  'withdrawn',
] as const;
const yesNo = (value: unknown) => oneOf(['true', 'false'] as const, String(value ?? ''));
export interface ApplicantSearchParams {
  program?: string | undefined;
  stage?: string | undefined;
  sort?: (typeof APPLICANT_SORTS)[number] | undefined;
  complete?: 'true' | 'false' | undefined;
  project?: string | undefined;
  ratedByMe?: 'true' | 'false' | undefined;
  flagged?: 'true' | 'false' | undefined;
  cursor?: string | undefined;
}
const reviewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/review',
  beforeLoad: only('mentor', 'admin', 'ops'),
  validateSearch: (s: Record<string, unknown>): ApplicantSearchParams => {
    const stages = text(s.stage)
      ?.split(',')
      .filter((x) => (STAGE_NAMES as readonly string[]).includes(x));
    return {
      program: text(s.program),
      stage: stages?.length ? stages.join(',') : undefined,
      sort: oneOf(APPLICANT_SORTS, s.sort),
      complete: yesNo(s.complete),
      project: text(s.project),
      ratedByMe: yesNo(s.ratedByMe),
      flagged: yesNo(s.flagged),
      cursor: text(s.cursor),
    };
  },
  component: lazyRouteComponent(() => import('./features/reviews/Applicants'), 'Applicants'),
});

const reviewApplicationRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/review/$applicationId',
  beforeLoad: only('mentor', 'admin', 'ops'),
  // what the applicants list knows, for mentors who may not read the application's status (only its own mentor may)
  validateSearch: (
    s: Record<string, unknown>,
  ): { program?: string | undefined; mentee?: string | undefined } => ({
    program: text(s.program),
    mentee: text(s.mentee),
  }),
  component: lazyRouteComponent(() => import('./features/reviews/ReviewApplication'), 'ReviewApplication'),
});

const menteesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/mentees',
  beforeLoad: only('mentor'),
  component: lazyRouteComponent(() => import('./features/reviews/Mentees'), 'Mentees'),
});

const evaluationsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/evaluations',
  beforeLoad: only('mentor', 'admin', 'ops'),
  component: lazyRouteComponent(() => import('./features/reviews/EvaluationsDue'), 'EvaluationsDue'),
});

const evaluationFormRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/evaluations/$applicationId/$number',
  beforeLoad: only('mentor'),
  component: lazyRouteComponent(() => import('./features/reviews/EvaluationForm'), 'EvaluationForm'),
});

/** Program ids in the URL (comma-separated slugs), e.g. the programs ops look at. */
const programIds = (value: unknown) => {
  const ids = text(value)
    ?.split(',')
    .map((x) => x.trim())
    .filter((x) => /^[a-z0-9][a-z0-9-]*$/.test(x));
  return ids?.length ? [...new Set(ids)].join(',') : undefined;
};

const adminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin',
  beforeLoad: only('admin', 'ops'),
  validateSearch: (s: Record<string, unknown>): { programs?: string | undefined } => ({
    programs: programIds(s.programs),
  }),
  component: lazyRouteComponent(() => import('./features/admin/AdminHome'), 'AdminHome'),
});

const termsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin/terms',
  beforeLoad: only('admin', 'ops'),
  validateSearch: (s: Record<string, unknown>): { term?: string | undefined } => ({ term: text(s.term) }),
  component: lazyRouteComponent(() => import('./features/admin/TermsPage'), 'TermsPage'),
});

const newProgramRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin/programs/new',
  beforeLoad: only('admin', 'ops'),
  validateSearch: (s: Record<string, unknown>): { termId?: string | undefined } => ({
    termId: text(s.termId),
  }),
  component: lazyRouteComponent(() => import('./features/admin/ProgramForm'), 'NewProgramPage'),
});

export const PROGRAM_SECTIONS = [
  'pipeline',
  'schedule',
  'ranking',
  'conflicts',
  'certificates',
  'decline',
] as const;
export interface ProgramAdminSearch {
  section?: (typeof PROGRAM_SECTIONS)[number] | undefined;
  /** The requestId of a decline-all-pending run whose report is shown. */
  run?: string | undefined;
}
const programAdminRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/admin/programs/$programId',
  beforeLoad: only('admin', 'ops'),
  validateSearch: (s: Record<string, unknown>): ProgramAdminSearch => ({
    section: oneOf(PROGRAM_SECTIONS, s.section),
    run: text(s.run),
  }),
  component: lazyRouteComponent(() => import('./features/admin/ProgramAdmin'), 'ProgramAdmin'),
});

export const ATTENTION_KINDS = ['payment-failed', 'approval-overdue', 'evaluation-overdue'] as const;
export interface AttentionSearch {
  program?: string | undefined;
  kind?: (typeof ATTENTION_KINDS)[number] | undefined;
  /** The application whose repairs are open. */
  app?: string | undefined;
}
const attentionRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/attention',
  beforeLoad: only('admin', 'ops'),
  validateSearch: (s: Record<string, unknown>): AttentionSearch => ({
    program: programIds(s.program)?.split(',')[0],
    kind: oneOf(ATTENTION_KINDS, s.kind),
    app: text(s.app),
  }),
  component: lazyRouteComponent(() => import('./features/ops/NeedsAttention'), 'NeedsAttention'),
});

const financeRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/finance',
  beforeLoad: only('ops'),
  component: lazyRouteComponent(() => import('./features/finance/FinancePage'), 'FinancePage'),
});

const routeTree = rootRoute.addChildren([
  signInRoute,
  callbackRoute,
  certificateRoute,
  appRoute.addChildren([
    indexRoute,
    programsRoute,
    programRoute,
    applyRoute,
    myApplicationsRoute,
    applicationRoute,
    calendarRoute,
    reviewRoute,
    reviewApplicationRoute,
    menteesRoute,
    evaluationsRoute,
    evaluationFormRoute,
    adminRoute,
    termsRoute,
    newProgramRoute,
    programAdminRoute,
    attentionRoute,
    financeRoute,
  ]),
]);

export function makeRouter(context: RouterContext) {
  return createRouter({
    routeTree,
    context,
    defaultPreload: 'intent',
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}
