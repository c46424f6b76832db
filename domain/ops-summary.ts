import type { ProgramRules } from './program.js';
import type { PinnedTermRules } from './term.js';

/** An instant as ops read it in the UI: `2027-02-23 18:00 UTC`. */
export const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The one-line summary the Temporal UI lists for a mentee's workflow; ids only, no personal data. */
export const workflowSummary = (rules: ProgramRules): string =>
  `Mentee in ${rules.name} ${rules.term} (${rules.programId})`;

/** The program guide pinned into the workflow at start (the UI's static details), in markdown. */
export function programGuide(rules: ProgramRules): string {
  const { stipend } = rules;
  return [
    `**${rules.name}, ${rules.term}** (\`${rules.programId}\`)`,
    '',
    `- Review window closes ${when(rules.reviewClosesAt)}${rules.prerequisites.length > 0 ? `; prerequisites: ${rules.prerequisites.map((p) => p.id).join(', ')}` : ''}`,
    `- Selection by ${when(rules.selectionDeadline)}`,
    `- Onboarding by ${when(rules.onboardingDeadline)}: ${rules.onboardingSteps.map((s) => s.id).join(', ') || 'nothing'}`,
    `- Term ${when(rules.termStartsAt)} to ${when(rules.termEndsAt)}; completion by ${when(rules.completionDeadline)}`,
    ...rules.evaluations.map((e) => `- Evaluation ${e.number} due ${when(e.dueAt)}`),
    `- Stipend ${(stipend.totalCents / 100).toFixed(2)} ${stipend.currency}: ${stipend.installments
      .map((i) => `${i.percent}% after evaluation ${i.afterEvaluation}`)
      .join(', ')}`,
    `- Missed evaluation: ${rules.missedEvaluation.outcome === 'fail' ? `fails after ${rules.missedEvaluation.graceDays} days of grace` : 'keep waiting'}`,
    ...(rules.stipendApproval?.mode === 'admin'
      ? [
          `- Stipend installments wait for the admin's approval (reminder after ${rules.stipendApproval.remindAfterDays} days, ops alerted after ${rules.stipendApproval.alertOpsAfterDays})`,
        ]
      : []),
    ...(rules.evaluationPolicy
      ? [
          `- Mentee's own evaluations: ${rules.evaluationPolicy.menteeEvaluation} when missing${rules.evaluationPolicy.passMinimumRating ? `; a pass needs ratings of at least ${rules.evaluationPolicy.passMinimumRating}` : ''}`,
        ]
      : []),
    ...termGuide(rules.termRules),
  ].join('\n');
}

/** The rules of the term that span applications, as pinned when the mentee applied. */
function termGuide(t: PinnedTermRules | undefined): string[] {
  if (!t) return [];
  const limits = [
    t.slots !== null ? `${t.slots} slots in this program` : 'no slot limit',
    t.menteesPerMentor !== null ? `${t.menteesPerMentor} mentees per mentor` : null,
  ].filter(Boolean);
  if (t.termId === null) return [`- No term of an organization; ${limits.join(', ')}`];
  return [
    `- Term \`${t.termId}\` (${t.name}, ${t.organization}): at most ${t.maxOpenApplications} open applications and ${t.maxAcceptances} acceptance${t.maxAcceptances === 1 ? '' : 's'} at a time per person${t.oncePerPerson ? ', once per person in the organization' : ''}; ${limits.join(', ')}`,
    t.announcementAt
      ? `- Results announced ${when(t.announcementAt)}; onboarding due ${t.onboardingDaysAfterAnnouncement} days after the applicant is told`
      : '- Results told as soon as decided',
  ];
}
