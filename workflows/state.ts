import type {
  Actor,
  Decision,
  EvaluationStatus,
  EvaluationSubmission,
  InstallmentStatus,
  MenteeStatus,
  NextStep,
} from '../domain/messages.js';
import type { ProgramRules } from '../domain/program.js';
import { type MenteeVisibility, NEEDS_ATTENTION } from '../domain/search-attributes.js';
import { FINAL_STAGES, type Stage } from '../domain/stages.js';
import type { MenteeEvaluationStatus, Recommendation } from '../domain/status.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const SYSTEM: Actor = { userId: 'workflow', role: 'system' };

/** A withdrawal or termination asked for by a message; the workflow ends the mentorship with it. */
export interface ExitRequest {
  stage: 'withdrawn' | 'terminated';
  by: Actor;
  reason: string;
}

/** The deadlines that move together when an admin extends the term. */
export interface Schedule {
  selectionDeadline: string;
  onboardingDeadline: string;
  termStartsAt: string;
  termEndsAt: string;
  completionDeadline: string;
  evaluations: { number: number; opensAt: string; remindAt: string | null; dueAt: string }[];
}

/** Everything one mentee's workflow knows; pure data and derived views, no Temporal calls. */
export class MenteeState {
  stage: Stage = 'in_review';
  outcomeReason: string | null = null;
  schedule: Schedule;
  scheduleVersion = 0;
  readonly prerequisitesDone = new Set<string>();
  selection: {
    decision: 'select' | 'decline';
    mentorId: string | null;
    projectTitle: string | null;
    reason: string | null;
    decidedAt: string;
  } | null = null;
  phoneCallRecordedAt: string | null = null;
  readonly onboardingDone = new Set<string>();
  readonly participationDone = new Set<string>();
  readonly evaluations = new Map<number, EvaluationSubmission & { submittedAt: string }>();
  readonly overdue = new Set<number>();
  readonly missed = new Set<number>();
  /** The mentee's own evaluations of their mentor and the program, by evaluation number. */
  readonly menteeEvaluations = new Map<number, MenteeEvaluationStatus>();
  /** Evaluations an admin re-opened (once each), and the one the lifecycle must go back to. */
  readonly reopened = new Set<number>();
  reopenRequest: number | null = null;
  /** Installments whose approval has waited past the program's alert. */
  readonly approvalOverdue = new Set<number>();
  /** Emails the provider refused for good, by idempotency key, until ops send them again. */
  readonly refusedEmails = new Set<string>();
  installments: InstallmentStatus[];
  feedback: { rating: number; comments: string; submittedAt: string } | null = null;
  extensionDays = 0;
  certificateCode: string | null = null;
  readonly decisions: Decision[] = [];
  /** set by the withdraw/terminate handlers */
  exit: ExitRequest | null = null;
  /** requestIds of extensions granted, so a re-sent request extends once */
  readonly extensionRequests = new Set<string>();
  /** The term's seat for this applicant is taken (a selection was granted) and not given back. */
  acceptanceHeld = false;
  /** A selection is being checked against the term's rules; a second one waits for it. */
  claiming = false;
  /** When the applicant was told the selection result (at once, or on the term's announcement day). */
  resultToldAt: string | null = null;
  /** Other programs of the term that selected the same applicant. */
  readonly conflicts: MenteeStatus['conflicts'] = [];

  constructor(
    readonly applicationId: string,
    readonly rules: ProgramRules,
  ) {
    this.schedule = {
      selectionDeadline: rules.selectionDeadline,
      onboardingDeadline: rules.onboardingDeadline,
      termStartsAt: rules.termStartsAt,
      termEndsAt: rules.termEndsAt,
      completionDeadline: rules.completionDeadline,
      evaluations: rules.evaluations.map((e) => ({ ...e })),
    };
    this.installments = rules.stipend.installments.map((i) => ({
      number: i.number,
      afterEvaluation: i.afterEvaluation,
      amountCents: null,
      currency: rules.stipend.currency,
      state: 'scheduled',
      paidAt: null,
    }));
  }

  record(action: string, by: Actor, detail: string | null = null): void {
    this.decisions.push({ action, by, at: new Date().toISOString(), detail });
  }

  openPrerequisites() {
    return this.rules.prerequisites.filter((p) => !this.prerequisitesDone.has(p.id));
  }
  openOnboardingSteps() {
    return this.rules.onboardingSteps.filter((s) => !this.onboardingDone.has(s.id));
  }
  openParticipation() {
    return this.rules.participation.filter((p) => !this.participationDone.has(p.id));
  }
  completionRequirementsMet(): boolean {
    return this.openParticipation().length === 0 && this.feedback !== null;
  }
  evaluation(number: number) {
    return this.schedule.evaluations[number - 1]!;
  }
  /** The term's announcement instant, if results wait for one. */
  announcementAt(): string | null {
    return this.rules.termRules?.announcementAt ?? null;
  }
  /** A decision was made and waits for the announcement before the applicant hears it. */
  resultPending(): boolean {
    const at = this.announcementAt();
    return (
      this.selection !== null && this.resultToldAt === null && at !== null && Date.now() < Date.parse(at)
    );
  }
  /** Onboarding is due a number of days after the applicant is told, where the term announces results. */
  onboardingFromAnnouncement(): void {
    const days = this.rules.termRules?.onboardingDaysAfterAnnouncement;
    const announcementAt = this.announcementAt();
    if (!announcementAt || days === undefined || !this.selection) return;
    // told on the announcement instant, or when decided if that came later
    const toldAt = Math.max(Date.parse(announcementAt), Date.parse(this.selection.decidedAt));
    this.schedule = { ...this.schedule, onboardingDeadline: new Date(toldAt + days * DAY_MS).toISOString() };
    this.scheduleVersion++;
  }
  /** Records a selection conflict once per other application. */
  addConflict(conflict: MenteeStatus['conflicts'][number]): boolean {
    if (this.conflicts.some((c) => c.applicationId === conflict.applicationId)) return false;
    this.conflicts.push(conflict);
    return true;
  }

  /** The first evaluation without a result: the only one a mentor may submit. */
  currentEvaluation(): number | null {
    const pending = this.schedule.evaluations.find(
      (e) => !this.evaluations.has(e.number) && !this.missed.has(e.number),
    );
    return pending?.number ?? null;
  }
  graceEndsAt(number: number): string | null {
    const { outcome, graceDays } = this.rules.missedEvaluation;
    return outcome === 'fail' ? shift(this.evaluation(number).dueAt, graceDays) : null;
  }

  /** What the mentor's evaluation decides; evaluations sent before recommendations existed: their outcome. */
  evaluationResult(number: number): Recommendation | 'fail' {
    const submitted = this.evaluations.get(number)!;
    return submitted.recommendation ?? (submitted.outcome === 'pass' ? 'pass' : 'fail');
  }

  /**
   * The mentor recommended extending: evaluation `number` is evaluated again `days` later, and every later
   * evaluation and the term end move with it. The first submission stays in the audit trail.
   */
  extendEvaluation(number: number, days: number): void {
    const s = this.schedule;
    const move = (instant: string) => shift(instant, days);
    this.schedule = {
      ...s,
      termEndsAt: move(s.termEndsAt),
      completionDeadline: move(s.completionDeadline),
      evaluations: s.evaluations.map((e) =>
        e.number < number
          ? e
          : {
              ...e,
              opensAt: move(e.opensAt),
              remindAt: e.remindAt && move(e.remindAt),
              dueAt: move(e.dueAt),
            },
      ),
    };
    this.evaluations.delete(number);
    this.overdue.delete(number);
    this.extensionDays += days;
    this.scheduleVersion++;
  }

  /** Takes back evaluation `number`'s result; the mentor has at least `days` to submit it again. */
  reopenEvaluation(number: number, days: number, now: number): void {
    this.evaluations.delete(number);
    this.overdue.delete(number);
    this.reopened.add(number);
    this.reopenRequest = number;
    const installment = this.installments.find((i) => i.afterEvaluation === number);
    if (installment && (installment.state === 'awaiting-approval' || installment.state === 'declined')) {
      installment.state = 'scheduled';
      installment.earnedAt = null;
    }
    const s = this.schedule;
    this.schedule = {
      ...s,
      evaluations: s.evaluations.map((e) => {
        if (e.number !== number || Date.parse(e.dueAt) >= now + days * DAY_MS) return e;
        const dueAt = new Date(now + days * DAY_MS).toISOString();
        return { ...e, dueAt, remindAt: e.remindAt && shift(dueAt, -2) };
      }),
    };
    this.scheduleVersion++;
  }

  /** Moves every deadline still ahead by `days`; those already passed stay where they were. */
  extend(days: number, now: number): void {
    const later = (instant: string) => (Date.parse(instant) > now ? shift(instant, days) : instant);
    const s = this.schedule;
    this.schedule = {
      selectionDeadline: later(s.selectionDeadline),
      onboardingDeadline: later(s.onboardingDeadline),
      termStartsAt: later(s.termStartsAt),
      termEndsAt: later(s.termEndsAt),
      completionDeadline: later(s.completionDeadline),
      evaluations: s.evaluations.map((e) =>
        this.evaluations.has(e.number)
          ? e
          : {
              ...e,
              opensAt: later(e.opensAt),
              remindAt: e.remindAt && later(e.remindAt),
              dueAt: later(e.dueAt),
            },
      ),
    };
    this.extensionDays += days;
    this.scheduleVersion++;
  }

  /** Takes the later evaluation dates and term end of newer program rules, keeping this mentee's extension. */
  adoptSchedule(rules: ProgramRules): boolean {
    const ours = (instant: string) => shift(instant, this.extensionDays);
    const s = this.schedule;
    const next: Schedule = {
      ...s,
      termEndsAt: ours(rules.termEndsAt),
      completionDeadline: ours(rules.completionDeadline),
      evaluations: s.evaluations.map((e) => {
        const theirs = rules.evaluations.find((r) => r.number === e.number);
        if (!theirs || this.evaluations.has(e.number) || this.missed.has(e.number)) return e;
        return {
          ...e,
          opensAt: ours(theirs.opensAt),
          remindAt: theirs.remindAt && ours(theirs.remindAt),
          dueAt: ours(theirs.dueAt),
        };
      }),
    };
    if (JSON.stringify(next) === JSON.stringify(s)) return false;
    this.schedule = next;
    this.scheduleVersion++;
    return true;
  }

  status(version: number): MenteeStatus {
    return {
      applicationId: this.applicationId,
      programId: this.rules.programId,
      stage: this.stage,
      version,
      reviewClosesAt: this.rules.reviewClosesAt,
      prerequisites: split(this.rules.prerequisites, this.prerequisitesDone),
      selection:
        this.selection?.decision === 'select'
          ? {
              mentorId: this.selection.mentorId!,
              projectTitle: this.selection.projectTitle!,
              decidedAt: this.selection.decidedAt,
              phoneCallRecordedAt: this.phoneCallRecordedAt,
            }
          : null,
      onboarding: {
        deadline: this.schedule.onboardingDeadline,
        ...split(this.rules.onboardingSteps, this.onboardingDone),
      },
      participation: split(this.rules.participation, this.participationDone),
      evaluations: this.schedule.evaluations.map((e) => this.evaluationStatus(e.number)),
      stipend: this.installments.map((i) => ({ ...i })),
      feedbackSubmitted: this.feedback !== null,
      extensionDays: this.extensionDays,
      termEndsAt: this.schedule.termEndsAt,
      selectionDeadline: this.schedule.selectionDeadline,
      termStartsAt: this.schedule.termStartsAt,
      certificateCode: this.certificateCode,
      next: this.next(),
      outcomeReason: this.outcomeReason,
      decisions: [...this.decisions],
      announcement: this.rules.termRules?.announcementAt
        ? { at: this.rules.termRules.announcementAt, announced: this.resultToldAt !== null }
        : null,
      conflicts: this.conflicts.map((c) => ({ ...c })),
      updatedAt: new Date().toISOString(),
    };
  }

  private evaluationStatus(number: number): EvaluationStatus {
    const { opensAt, dueAt } = this.evaluation(number);
    const submitted = this.evaluations.get(number);
    const state: EvaluationStatus['state'] = submitted
      ? submitted.outcome === 'pass'
        ? 'passed'
        : 'failed'
      : this.missed.has(number)
        ? 'missed'
        : this.overdue.has(number)
          ? 'overdue'
          : Date.now() >= Date.parse(opensAt)
            ? 'open'
            : 'upcoming';
    return {
      number,
      opensAt,
      dueAt,
      state,
      submittedAt: submitted?.submittedAt ?? null,
      ratings: submitted?.ratings ?? null,
      outcome: submitted?.outcome ?? null,
      recommendation: submitted?.recommendation ?? null,
      menteeEvaluation: this.menteeEvaluations.get(number) ?? null,
    };
  }

  /** Why ops should look at this mentee now, sorted: the NeedsAttention search attribute. */
  needsAttention(): string[] {
    const overdue =
      !FINAL_STAGES.has(this.stage) &&
      [...this.overdue].some((n) => !this.evaluations.has(n) && !this.missed.has(n));
    const paymentFailed = this.installments.some((i) => i.state === 'payment-failed');
    const approvalOverdue = this.installments.some(
      (i) => i.state === 'awaiting-approval' && this.approvalOverdue.has(i.number),
    );
    return [
      ...(overdue ? [NEEDS_ATTENTION.evaluationOverdue] : []),
      ...(paymentFailed ? [NEEDS_ATTENTION.paymentFailed] : []),
      ...(approvalOverdue ? [NEEDS_ATTENTION.approvalOverdue] : []),
      ...(this.refusedEmails.size > 0 ? [NEEDS_ATTENTION.emailRefused] : []),
    ].sort();
  }

  /** What the search attributes show: where the mentee is, what is due next, what is done, what is wrong. */
  visibility(): MenteeVisibility {
    return {
      stage: this.stage,
      programId: this.rules.programId,
      term: this.rules.term,
      // the program's next deadline, which a payment waiting for ops does not move
      nextDeadline: this.next()?.deadline ?? null,
      evaluationsPassed: [...this.evaluations.values()].filter((e) => e.outcome === 'pass').length,
      installmentsPaid: this.installments.filter((i) => i.state === 'paid').length,
      needsAttention: this.needsAttention(),
    };
  }

  /** The next step with who must act; `timer` is the durable wait the workflow sleeps on now. */
  nextStep(timer: NextStep['timer']): NextStep {
    const next = this.next();
    const needsAttention = this.needsAttention();
    const base = { stage: this.stage, timer, needsAttention };
    const failed = this.installments.find((i) => i.state === 'payment-failed');
    if (failed) {
      const what = `Ops fix the payee's details and retry stipend installment ${failed.number}`;
      return { ...base, what, deadline: null, waitingFor: 'ops' };
    }
    if (!next) return { ...base, what: null, deadline: null, waitingFor: 'nobody' };
    return { ...base, ...next, waitingFor: this.waitingFor() };
  }

  private waitingFor(): NextStep['waitingFor'] {
    if (this.stage === 'in_review') return this.openPrerequisites().length > 0 ? 'mentee' : 'nobody';
    if (this.stage === 'awaiting_selection') return this.resultPending() ? 'nobody' : 'mentor';
    if (this.stage === 'active' && this.currentEvaluation() !== null) return 'mentor';
    return 'mentee';
  }

  /** What happens next and by when: the answer to "where is this mentee stuck?". */
  next(): MenteeStatus['next'] {
    switch (this.stage) {
      case 'in_review': {
        const open = this.openPrerequisites();
        return {
          what:
            open.length > 0
              ? `Applicant completes prerequisites: ${open.map((p) => p.id).join(', ')}`
              : 'Review window closes',
          deadline: this.rules.reviewClosesAt,
        };
      }
      case 'awaiting_selection':
        if (this.resultPending()) {
          return { what: 'The term announces selection results', deadline: this.announcementAt() };
        }
        return {
          what: 'A mentor or admin selects or declines the applicant',
          deadline: this.schedule.selectionDeadline,
        };
      case 'onboarding':
        return {
          what: `Mentee completes onboarding: ${this.openOnboardingSteps()
            .map((s) => s.id)
            .join(', ')}`,
          deadline: this.schedule.onboardingDeadline,
        };
      case 'active': {
        const current = this.currentEvaluation();
        if (current !== null) {
          const overdue = this.overdue.has(current);
          return {
            what: `Mentor submits evaluation ${current}${overdue ? ' (overdue)' : ''}`,
            deadline: overdue ? this.graceEndsAt(current) : this.evaluation(current).dueAt,
          };
        }
        const open = [
          ...this.openParticipation().map((p) => p.id),
          ...(this.feedback ? [] : ['feedback-survey']),
        ];
        return {
          what: `Mentee completes: ${open.join(', ') || 'nothing left'}`,
          deadline: this.schedule.completionDeadline,
        };
      }
      default:
        return null;
    }
  }
}

function split(items: { id: string }[], done: Set<string>) {
  return {
    done: items.filter((i) => done.has(i.id)).map((i) => i.id),
    open: items.filter((i) => !done.has(i.id)).map((i) => i.id),
  };
}

export const shift = (instant: string, days: number) =>
  new Date(Date.parse(instant) + days * DAY_MS).toISOString();
