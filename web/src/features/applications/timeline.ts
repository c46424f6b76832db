import type { Schemas } from '../../api/client';
import type { TimelineEvent } from '../../components/Timeline';

type Status = Schemas['ApplicationStatus'];

const STAGE_WORDS: Record<string, string> = {
  in_review: 'In review',
  not_accepted: 'Not accepted',
  awaiting_selection: 'Accepted for selection',
  declined: 'Declined',
  not_selected: 'Not selected',
  onboarding: 'Onboarding',
  offer_lapsed: 'Offer lapsed',
  active: 'Mentorship started',
  completed: 'Completed',
  terminated: 'Terminated',
  withdrawn: 'Withdrew',
};

/** The audit trail's actions (`stage:active`, `evaluation:2:pass`, `stipend:1:paid`, ...) in words. */
function label(action: string, titles: Record<string, string>): string {
  const [kind, a, b] = action.split(':');
  switch (kind) {
    case 'stage':
      return STAGE_WORDS[a ?? ''] ?? `Stage: ${a}`;
    case 'evaluation':
      return `Evaluation ${a}: ${b === 'pass' ? 'passed' : b === 'fail' ? 'failed' : b}`;
    case 'mentee-evaluation':
      return `Your evaluation ${a} sent`;
    case 'stipend':
      return `Stipend installment ${a}: ${(b ?? '').replace(/-/g, ' ')}`;
    case 'prerequisite':
    case 'onboarding':
    case 'progress':
      return `${titles[a ?? ''] ?? a} done`;
    case 'selected':
      return 'Selected';
    case 'declined':
      return 'Declined by the mentor';
    case 'told-by-phone':
      return 'Told the result by phone';
    case 'feedback-survey':
      return 'Feedback survey sent';
    case 'extended':
      return 'Term extended';
    case 'schedule-adopted':
      return "Program's new dates adopted";
    case 'selection-conflict':
      return 'Selected by another program too';
    default:
      return action.replace(/[-_:]/g, ' ');
  }
}

/** What happened (the audit trail) and the deadlines still ahead, in time order. */
export function applicationTimeline(
  status: Status,
  titles: Record<string, string>,
  extra: { submittedAt?: string | null | undefined; tasks?: Schemas['Task'][] | undefined } = {},
): TimelineEvent[] {
  const now = Date.now();
  const past: TimelineEvent[] = status.decisions.map((d, n) => ({
    key: `d${n}`,
    at: d.at,
    title: label(d.action, titles),
    detail: [d.detail, d.by.role !== 'system' ? `by ${d.by.userId} (${d.by.role})` : null]
      .filter(Boolean)
      .join(' · '),
    state: 'done',
  }));
  for (const task of extra.tasks ?? []) {
    if (task.id === 'application') continue;
    if (task.submission)
      past.push({
        key: `t-${task.id}`,
        at: task.submission.submittedAt,
        title: `Handed in: ${task.title}`,
        state: 'done',
      });
    if (task.reviewedAt && task.state !== 'submitted') {
      const accepted = task.state === 'accepted';
      past.push({
        key: `r-${task.id}`,
        at: task.reviewedAt,
        title: `${accepted ? 'Accepted' : 'Changes requested'}: ${task.title}`,
        detail: task.reviewComment ?? undefined,
        state: accepted ? 'done' : 'failed',
      });
    }
  }
  if (extra.submittedAt)
    past.push({ key: 'submitted', at: extra.submittedAt, title: 'Application submitted', state: 'done' });
  const open = ![
    'not_accepted',
    'declined',
    'not_selected',
    'offer_lapsed',
    'completed',
    'terminated',
    'withdrawn',
  ].includes(status.stage);
  const ahead: { at: string | undefined; title: string }[] = open
    ? [
        ...(status.stage === 'in_review' ? [{ at: status.reviewClosesAt, title: 'Review closes' }] : []),
        ...(['in_review', 'awaiting_selection'].includes(status.stage)
          ? [{ at: status.selectionDeadline, title: 'Selection deadline' }]
          : []),
        ...(status.stage === 'onboarding'
          ? [{ at: status.onboarding.deadline, title: 'Onboarding deadline' }]
          : []),
        ...status.evaluations
          .filter((e) => e.state === 'upcoming' || e.state === 'open')
          .map((e) => ({ at: e.dueAt, title: `Evaluation ${e.number} due` })),
        { at: status.termEndsAt, title: 'Term ends' },
      ]
    : [];
  const upcoming: TimelineEvent[] = ahead
    .filter((e): e is { at: string; title: string } => Boolean(e.at) && Date.parse(e.at!) > now)
    .map((e, n) => ({ key: `u${n}`, at: e.at, title: e.title, state: 'upcoming' }));
  return [...past, ...upcoming].sort((a, b) => Date.parse(a.at ?? '') - Date.parse(b.at ?? ''));
}
