import type { ApplicationDatesRow } from '../db/read-model.js';
import type { ProgramRules } from '../domain/program.js';
import { FINAL_STAGES, type Stage } from '../domain/stages.js';
import { formatInstant } from '../domain/time-zones.js';

/** One deadline in someone's calendar: an instant, named so its reader knows what is due. */
export interface CalendarEntry {
  /** Stable across every change of the date, e.g. `<applicationId>/evaluation/2@mentorship`. */
  uid: string;
  at: string;
  summary: string;
  description: string;
  /** It applies only if the applicant is selected. */
  tentative: boolean;
}

const uid = (...parts: (string | number)[]) => `${parts.join('/')}@mentorship`;
const UNDECIDED = new Set<Stage>(['in_review', 'awaiting_selection']);
/** Applications that ended before or instead of the term: their dates no longer concern anyone. */
const endedEarly = (stage: Stage) => FINAL_STAGES.has(stage) && stage !== 'completed';

function entry(
  id: string,
  at: string,
  summary: string,
  timeZone: string,
  options: { tentative?: boolean; note?: string } = {},
): CalendarEntry {
  const lines = [`${summary}: ${formatInstant(at, timeZone)}.`];
  if (options.tentative) lines.push('Only if you are selected.');
  if (options.note) lines.push(options.note);
  return { uid: id, at, summary, description: lines.join('\n'), tentative: options.tentative ?? false };
}

/** A mentee's deadlines, from each application's status document; those after selection are tentative until then. */
export function menteeEntries(applications: ApplicationDatesRow[], timeZone: string): CalendarEntry[] {
  return applications
    .filter((a) => !endedEarly(a.stage))
    .flatMap((a) => {
      const program = a.programName;
      const ifSelected = { tentative: UNDECIDED.has(a.stage) };
      return [
        entry(uid(a.applicationId, 'review-closes'), a.reviewClosesAt, `${program}: review closes`, timeZone),
        entry(
          uid(a.applicationId, 'selection-deadline'),
          a.selectionDeadline,
          `${program}: selection deadline`,
          timeZone,
        ),
        entry(
          uid(a.applicationId, 'onboarding-deadline'),
          a.onboardingDeadline,
          `${program}: onboarding steps due`,
          timeZone,
          ifSelected,
        ),
        entry(
          uid(a.applicationId, 'term-starts'),
          a.termStartsAt,
          `${program}: term starts`,
          timeZone,
          ifSelected,
        ),
        ...a.evaluations.map((e) =>
          entry(
            uid(a.applicationId, 'evaluation', e.number),
            e.dueAt,
            `${program}: evaluation ${e.number} due`,
            timeZone,
            ifSelected,
          ),
        ),
        entry(uid(a.applicationId, 'term-ends'), a.termEndsAt, `${program}: term ends`, timeZone, ifSelected),
      ];
    });
}

/** The evaluations a mentor owes their mentees (the same events as in each mentee's calendar). */
export function mentorEntries(applications: ApplicationDatesRow[], timeZone: string): CalendarEntry[] {
  return applications.flatMap((a) =>
    a.evaluations.map((e) =>
      entry(
        uid(a.applicationId, 'evaluation', e.number),
        e.dueAt,
        `Evaluation ${e.number} of ${a.menteeName} due (${a.programName})`,
        timeZone,
        e.submittedAt ? { note: `Submitted (${e.outcome ?? e.state}).` } : {},
      ),
    ),
  );
}

/** A program's dates for its admins, from the rules new applicants pin. */
export function programEntries(
  programs: { id: string; rules: ProgramRules; timeZone: string }[],
): CalendarEntry[] {
  return programs.flatMap(({ id, rules, timeZone }) => {
    const name = `${rules.name} (${rules.term})`;
    const dated = (key: string, at: string, what: string) =>
      entry(uid('program', id, key), at, `${name}: ${what}`, timeZone);
    return [
      dated('applications-close', rules.applicationsCloseAt, 'applications close'),
      dated('review-closes', rules.reviewClosesAt, 'review closes'),
      dated('selection-deadline', rules.selectionDeadline, 'selection deadline'),
      dated('onboarding-deadline', rules.onboardingDeadline, 'onboarding deadline'),
      dated('term-starts', rules.termStartsAt, 'term starts'),
      ...rules.evaluations.map((e) => dated(`evaluation/${e.number}`, e.dueAt, `evaluation ${e.number} due`)),
      dated('term-ends', rules.termEndsAt, 'term ends'),
      dated('completion-deadline', rules.completionDeadline, 'completion deadline'),
    ];
  });
}
