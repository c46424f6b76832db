import { ApplicationFailure } from '@temporalio/common';
import { condition, getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type * as activities from '../activities/index.js';
import {
  type Actor,
  acceptedElsewhereSignal,
  type SelectionConflict,
  selectionConflictSignal,
  TermRejections,
} from '../domain/messages.js';
import { RETRY_UNTIL_HEALED } from './activity-options.js';
import type { MenteeEmails } from './mentee-emails.js';
import type { MenteeState } from './state.js';

const { claimAcceptance, releaseAcceptance, otherOpenApplications } =
  proxyActivities<activities.Activities>(RETRY_UNTIL_HEALED);

/**
 * The applicant's seat in the term: claimed in Postgres when a program selects them (one acceptance per person,
 * the program's slots, the mentor's limit), given back when the acceptance ends before the term starts, and
 * the reason their other applications in the term end once they have onboarded here.
 */
export class TermSeat {
  constructor(
    private readonly m: MenteeState,
    private readonly emails: MenteeEmails,
    private readonly changed: () => void,
  ) {}

  /** Workflows started before terms existed follow no term rules (their recorded histories stay as they are). */
  get governed(): boolean {
    return this.m.rules.termRules !== undefined;
  }

  /**
   * Takes the seat for a selection, or fails the selection's Update with the rule that refused it (a 409).
   * Nothing to wait for (undefined) where no term rules apply, so older workflows' commands stay as recorded.
   */
  claim(mentorId: string, by: Actor): Promise<void> | undefined {
    return this.governed ? this.claimInTerm(mentorId, by) : undefined;
  }

  private async claimInTerm(mentorId: string, by: Actor): Promise<void> {
    const { m } = this;
    if (m.claiming) await condition(() => !m.claiming);
    if (m.acceptanceHeld || m.selection) return;
    m.claiming = true;
    const answer = await claimAcceptance
      .executeWithOptions({ summary: 'Claim a seat in the term' }, [
        { applicationId: m.applicationId, mentorId },
      ])
      .finally(() => {
        m.claiming = false;
      });
    if (answer.granted) {
      m.acceptanceHeld = true;
      return;
    }
    if (answer.holder) {
      const other = { programId: answer.holder.programId, applicationId: answer.holder.applicationId };
      this.conflict({ side: 'selector', other }, by, answer.detail);
      const mine = { programId: m.rules.programId, applicationId: m.applicationId };
      // the holder's program hears it from its own workflow; a holder that has ended meanwhile has nothing to add
      await getExternalWorkflowHandle(answer.holder.workflowId)
        .signal(selectionConflictSignal, { side: 'holder', other: mine })
        .catch(() => undefined);
    }
    throw ApplicationFailure.create({
      message: answer.detail,
      type: answer.holder ? TermRejections.selectionConflict : TermRejections.capacity,
      nonRetryable: true,
      details: [{ rule: answer.rule, limit: answer.limit }],
    });
  }

  /** Another program of the term selected the same applicant: shown to admins, emailed to this program's admin. */
  conflict(conflict: SelectionConflict, by: Actor, detail: string): void {
    const { m } = this;
    if (!m.addConflict({ side: conflict.side, ...conflict.other, at: new Date().toISOString() })) return;
    m.record('selection-conflict', by, detail);
    this.emails.sendInBackground(
      'admin',
      { kind: 'selection-conflict', side: conflict.side, other: conflict.other },
      `selection-conflict-${conflict.other.applicationId}`,
    );
    this.changed();
  }

  /** True while a seat is held or being claimed: only then is there anything to give back. */
  get held(): boolean {
    return this.m.acceptanceHeld || this.m.claiming;
  }

  /** Gives the seat back when the acceptance ends before the term starts; afterwards it stays taken. */
  async release(reason: string): Promise<void> {
    const { m } = this;
    if (m.claiming) await condition(() => !m.claiming);
    if (!m.acceptanceHeld || Date.now() >= Date.parse(m.schedule.termStartsAt)) return;
    await releaseAcceptance.executeWithOptions({ summary: 'Give the seat in the term back' }, [
      { applicationId: m.applicationId, reason },
    ]);
    m.acceptanceHeld = false;
  }

  /** Onboarded here: the applicant's other open applications in the term end as withdrawn. */
  async withdrawOthers(): Promise<void> {
    const { programName, others } = await otherOpenApplications.executeWithOptions(
      { summary: 'Find the applicant’s other applications in the term' },
      [{ applicationId: this.m.applicationId }],
    );
    await Promise.all(
      others.map((other) =>
        getExternalWorkflowHandle(other.workflowId)
          .signal(acceptedElsewhereSignal, { programId: this.m.rules.programId, programName })
          .catch(() => undefined),
      ),
    );
  }
}
