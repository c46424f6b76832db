import type { ProgramRules } from './program.js';

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
  ].join('\n');
}
