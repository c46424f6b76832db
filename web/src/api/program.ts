/**
 * A program's definition as GET /programs/{programId} returns it. The OpenAPI document declares `definition` as
 * an open object, so its fields are typed here by hand from domain/program.ts (ProgramInput); only what the
 * console reads.
 */
export interface ProgramDefinition {
  id: string;
  name: string;
  term: string;
  description?: string;
  skills?: string[];
  applicationsOpenAt?: string;
  applicationsCloseAt: string;
  selectionDeadline: string;
  onboardingDeadline: string;
  termStartsAt: string;
  termEndsAt: string;
  projects?: {
    id: string;
    title: string;
    description?: string;
    skills?: string[];
    mentors?: { id: string; name: string }[];
    slots?: number;
  }[];
  projectsPerApplication?: number;
  questions?: Question[];
  proposal?: 'none' | 'optional' | 'required';
  ratingCriteria?: { id: string; title: string }[];
  prerequisites?: {
    id: string;
    title: string;
    kind?: 'confirmation' | 'text' | 'link' | 'file';
    review?: boolean;
  }[];
  onboardingSteps?: { id: string; title: string }[];
  participation?: { id: string; title: string; kind: string }[];
  evaluations?: { dueAt: string }[];
  stipend?: { currency?: string; total: number };
  evaluationPolicy?: { passMinimumRating?: number | null; menteeEvaluation?: string };
  maxExtensionDays?: number;
}

export interface Question {
  id: string;
  prompt: string;
  kind: 'short-text' | 'long-text' | 'url' | 'choice';
  choices?: string[];
  required?: boolean;
  maxLength?: number;
}

export const answerLimit = (q: Question) =>
  q.maxLength ?? (q.kind === 'long-text' ? 10_000 : q.kind === 'url' ? 2000 : 200);

/** Titles of checklist items by id (prerequisites, onboarding steps, participation items). */
export function titles(definition: ProgramDefinition | undefined): Record<string, string> {
  const items = [
    ...(definition?.prerequisites ?? []),
    ...(definition?.onboardingSteps ?? []),
    ...(definition?.participation ?? []),
    { id: 'application', title: 'Submit the application' },
  ];
  return Object.fromEntries(items.map((i) => [i.id, i.title]));
}
