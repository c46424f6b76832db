/**
 * The bench's bare baseline: the mentee lifecycle's timers, Updates and activities with no work in them (no
 * Postgres, no rendering, no API), so the simulator's cost can be put next to what Temporal itself costs.
 * Workflow code: bundled on its own by bench/simulator.ts.
 */
import {
  CancellationScope,
  condition,
  defineUpdate,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ProgramRules } from '../domain/program.js';

export interface BareMessage {
  kind: string;
  id?: string;
  n?: number;
  outcome?: 'pass' | 'fail';
  days?: number;
}
export const bareMessageUpdate = defineUpdate<{ duplicate: boolean }, [BareMessage]>('bareMessage');

export interface BareActivities {
  noop(what: string): Promise<void>;
}
const { noop } = proxyActivities<BareActivities>({ startToCloseTimeout: '1 minute' });
const { noop: record } = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

const DAY = 24 * 60 * 60 * 1000;

export async function bareMenteeWorkflow(rules: ProgramRules): Promise<string> {
  const done = new Set<string>();
  let selection: 'select' | 'decline' | null = null;
  const evaluations = new Map<number, 'pass' | 'fail'>();
  let shift = 0;
  let version = 0;
  let exit: string | null = null;
  let stage = 'in_review';
  const scope = new CancellationScope();

  setHandler(bareMessageUpdate, async (m) => {
    if (m.kind === 'select' || m.kind === 'decline') selection = m.kind;
    else if (m.kind === 'evaluate') evaluations.set(m.n!, m.outcome!);
    else if (m.kind === 'extend') {
      shift += m.days! * DAY;
      version++;
      await noop('email mentee: term extended');
    } else if (m.kind === 'withdraw' || m.kind === 'terminate') {
      exit ??= m.kind;
      scope.cancel();
    } else done.add(`${m.kind}:${m.id ?? ''}`);
    await record('status');
    return { duplicate: false };
  });

  const at = (iso: string, moves = true) => Date.parse(iso) + (moves ? shift : 0);
  /** Waits until `deadline` (moved by extensions) unless `ready` holds first; true if it did. */
  const until = async (deadline: () => number, ready: () => boolean = () => false) => {
    for (;;) {
      if (ready()) return true;
      const ms = deadline() - Date.now();
      if (ms <= 0) return false;
      const v = version;
      await condition(() => ready() || version !== v, ms);
      if (ready()) return true;
      if (version === v) return false;
    }
  };
  const moveTo = async (next: string) => {
    stage = next;
    await record(stage);
  };
  const lifecycle = async () => {
    await moveTo('in_review');
    await noop('email: application received');
    const prerequisitesDone = () => rules.prerequisites.every((p) => done.has(`prerequisite:${p.id}`));
    if (
      rules.reviewReminderAt &&
      !(await until(() => at(rules.reviewReminderAt!, false))) &&
      !prerequisitesDone()
    ) {
      await noop('email: review reminder');
    }
    await until(() => at(rules.reviewClosesAt, false));
    if (!prerequisitesDone()) return moveTo('not_accepted').then(() => noop('email: not accepted'));
    await moveTo('awaiting_selection');
    if (
      !(await until(
        () => at(rules.selectionDeadline),
        () => selection !== null,
      ))
    ) {
      return moveTo('not_selected').then(() => noop('email: not selected'));
    }
    if (selection === 'decline') return moveTo('declined').then(() => noop('email: declined'));
    await moveTo('onboarding');
    await noop('email: selected');
    const onboarded = () => rules.onboardingSteps.every((s) => done.has(`onboarding:${s.id}`));
    if (!(await until(() => at(rules.onboardingDeadline), onboarded))) {
      await moveTo('offer_lapsed');
      return Promise.all([noop('email mentee: lapsed'), noop('email admin: lapsed')]);
    }
    await noop('plan stipend');
    await moveTo('active');
    await noop('email: onboarding complete');
    for (const e of rules.evaluations) {
      const submitted = () => evaluations.has(e.number);
      if (!(await until(() => at(e.remindAt ?? e.dueAt), submitted))) await noop('email mentor: reminder');
      if (!(await until(() => at(e.dueAt), submitted))) {
        await noop('email admin: overdue');
        const grace = rules.missedEvaluation.graceDays * DAY;
        if (!(await until(() => at(e.dueAt) + grace, submitted))) return 'missed';
      }
      const outcome = evaluations.get(e.number)!;
      if (outcome === 'pass' && rules.stipend.installments.some((i) => i.afterEvaluation === e.number)) {
        await noop('pay installment');
        await noop('email: installment paid');
      }
      if (outcome === 'fail') return 'failed';
    }
    const complete = () =>
      rules.participation.every((p) => done.has(`progress:${p.id}`)) && done.has('survey:');
    if (!(await until(() => at(rules.completionDeadline), complete))) return 'incomplete';
    await noop('render letter');
    await moveTo('completed');
    await noop('email: letter of completion');
    return 'completed';
  };
  let result: unknown;
  try {
    result = await scope.run(lifecycle);
  } catch (error) {
    if (!(exit && isCancellation(error))) throw error;
  }
  if (exit || result === 'missed' || result === 'failed' || result === 'incomplete') {
    await moveTo(exit === 'withdraw' ? 'withdrawn' : 'terminated');
    await Promise.all([noop('email mentee: ended'), noop('email mentor: ended'), noop('email admin: ended')]);
  }
  return stage;
}
