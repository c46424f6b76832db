import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { condition, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { NextStep } from '../domain/messages.js';
import { when } from '../domain/ops-summary.js';
import { menteeSearchAttributes } from '../domain/search-attributes.js';
import { FINAL_STAGES } from '../domain/stages.js';
import type { MenteeState } from './state.js';

/** The one place that updates what ops see in the Temporal UI, once per burst of changes. */
export function keepOpsViewCurrent(
  m: MenteeState,
  version: () => number,
  timer: () => NextStep['timer'],
): void {
  void (async () => {
    let shown: [number, NextStep['timer']] = [0, null];
    for (;;) {
      await condition(() => shown[0] !== version() || shown[1] !== timer());
      shown = [version(), timer()];
      showToOps(m, timer());
    }
  })();
}

/**
 * What ops see of one mentee in the Temporal UI: the search attributes (only those that changed are
 * upserted, so history grows by one event per change at most) and the markdown "current details".
 */
export function showToOps(m: MenteeState, timer: NextStep['timer']): void {
  const current = workflowInfo().typedSearchAttributes;
  const changed = menteeSearchAttributes(m.visibility()).filter(
    (pair) => !sameValue(current.get(pair.key), pair.value),
  );
  if (changed.length > 0) upsertSearchAttributes(changed);
  setCurrentDetails(currentDetails(m, m.nextStep(timer)));
}

function sameValue(was: unknown, now: SearchAttributeUpdatePair['value']): boolean {
  if (now === null) return was === undefined || was === null || (Array.isArray(was) && was.length === 0);
  if (now instanceof Date) return was instanceof Date && was.getTime() === now.getTime();
  if (Array.isArray(now)) return Array.isArray(was) && was.join('\n') === now.join('\n');
  return was === now;
}

/** Markdown for the UI's "Current Details": the stage, the step awaited and its deadline, progress, problems. */
export function currentDetails(m: MenteeState, step: NextStep): string {
  const lines = [`**Stage:** ${m.stage}${m.outcomeReason ? ` — ${m.outcomeReason}` : ''}`];
  if (step.what) {
    const by = step.deadline ? ` — by ${when(step.deadline)}` : '';
    lines.push(`**Next:** ${step.what}${by} (waiting for: ${step.waitingFor})`);
  }
  if (step.timer) lines.push(`**Timer:** ${step.timer.summary} at ${when(step.timer.firesAt)}`);
  if (step.needsAttention.length > 0) lines.push(`**Needs attention:** ${step.needsAttention.join(', ')}`);
  const count = (done: number, all: number, open: string[]) =>
    `${done} of ${all} done${open.length > 0 && !FINAL_STAGES.has(m.stage) ? ` (open: ${open.join(', ')})` : ''}`;
  const { rules } = m;
  const evaluations = m.schedule.evaluations.map((e) => {
    const result = m.evaluations.get(e.number)?.outcome;
    const state = result ?? (m.missed.has(e.number) ? 'missed' : m.overdue.has(e.number) ? 'overdue' : null);
    return state ? `${e.number} ${state}` : `${e.number} due ${when(e.dueAt)}`;
  });
  const progress = [
    `- Prerequisites: ${count(
      m.prerequisitesDone.size,
      rules.prerequisites.length,
      m.openPrerequisites().map((p) => p.id),
    )}`,
    `- Onboarding: ${count(
      m.onboardingDone.size,
      rules.onboardingSteps.length,
      m.openOnboardingSteps().map((s) => s.id),
    )}`,
    `- Evaluations: ${evaluations.join('; ')}`,
    `- Stipend: ${m.installments.map((i) => `${i.number} ${i.state}`).join('; ')}`,
    `- Participation: ${count(
      m.participationDone.size,
      rules.participation.length,
      m.openParticipation().map((p) => p.id),
    )}`,
    `- Feedback survey: ${m.feedback ? 'submitted' : 'not yet'}`,
  ];
  if (m.extensionDays > 0)
    progress.push(`- Extended by ${m.extensionDays} days; term ends ${when(m.schedule.termEndsAt)}`);
  // paragraphs, since a single newline is no line break in markdown
  return `${lines.join('\n\n')}\n\n${progress.join('\n')}`;
}
