import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type FileStore, postgresFileStore } from '../applications/files.js';
import type { Sql } from '../db/index.js';
import { writeStatus } from '../db/read-model.js';
import type { EmailOutcome, SendEmailInput } from '../domain/emails.js';
import type { MenteeStatus } from '../domain/messages.js';
import type { ProgramRules } from '../domain/program.js';
import type { PersonalTexts } from '../privacy/personal-texts.js';
import { declineApplications, listPendingSelections } from './bulk-decisions.js';
import { issueLetterOfCompletion, type LetterRequest } from './certificates.js';
import { sendEmail } from './email.js';
import type { Mailer } from './mailers/mailer.js';
import type { PaymentProvider } from './payments/provider.js';
import {
  eraseStep,
  type PrivacyDeps,
  purgeUnselectedContent,
  withdrawUndecidedApplications,
} from './privacy.js';
import { type InstallmentToPay, payInstallment, planStipend } from './stipend.js';
import { claimAcceptance, otherOpenApplications, releaseAcceptance } from './term-rules.js';

export interface ActivityDeps {
  sql: Sql;
  mailer: Mailer;
  payments: PaymentProvider;
  emailFrom: string;
  /** Base of links in emails and on certificates (the API's public URL). */
  publicBaseUrl: string;
  /** For activities that send messages to mentee workflows (bulk decisions). */
  temporal?: Client;
  /** Opens the sealed texts of a status or an email (privacy/personal-texts.ts); absent, they stay sealed. */
  texts?: PersonalTexts;
  /** Where uploaded files are (an erasure deletes a person's); default: PostgreSQL. */
  files?: FileStore;
}

/** The worker's activities, built over their dependencies so tests hand in real servers or edge fakes. */
export function createActivities(deps: ActivityDeps) {
  return heartbeating(activitiesOver(deps), ['declineApplications']);
}

const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Each activity heartbeats every second while it runs, so the server notices a worker that died within the
 * activity's heartbeatTimeout (seconds) and retries it elsewhere, instead of waiting out its start-to-close
 * timeout. `own` heartbeat themselves, with progress details a retry resumes from.
 */
function heartbeating<A extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: A,
  own: (keyof A)[],
): A {
  const wrapped = Object.entries(activities).map(([name, run]) => {
    if (own.includes(name)) return [name, run];
    return [
      name,
      async (...args: never[]) => {
        const context = Context.current();
        // a local activity runs inside its workflow task, whose timeout notices a dead worker already
        if (context.info.isLocal) return run(...args);
        const beat = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
        try {
          return await run(...args);
        } finally {
          clearInterval(beat);
        }
      },
    ];
  });
  return Object.fromEntries(wrapped) as A;
}

function activitiesOver(deps: ActivityDeps) {
  const { sql } = deps;
  const privacyDeps = (): PrivacyDeps => {
    if (!deps.temporal || !deps.texts) {
      throw ApplicationFailure.nonRetryable(
        'This worker was started without a Temporal client or keyring',
        'NoClient',
      );
    }
    return { sql, files: deps.files ?? postgresFileStore, texts: deps.texts, temporal: deps.temporal };
  };
  return {
    async recordStatus(status: MenteeStatus): Promise<void> {
      await writeStatus(sql, deps.texts ? await deps.texts.open(status) : status);
    },
    async sendEmail(input: SendEmailInput): Promise<EmailOutcome> {
      return sendEmail(
        {
          sql,
          mailer: deps.mailer,
          from: deps.emailFrom,
          publicBaseUrl: deps.publicBaseUrl,
          texts: deps.texts,
        },
        input,
      );
    },
    async planStipend(input: { applicationId: string; stipend: ProgramRules['stipend'] }) {
      return planStipend(sql, input.applicationId, input.stipend);
    },
    async payStipendInstallment(installment: InstallmentToPay) {
      return payInstallment(
        { sql, provider: deps.payments },
        installment,
        Context.current().cancellationSignal,
      );
    },
    async claimAcceptance(input: { applicationId: string; mentorId: string }) {
      return claimAcceptance(sql, input);
    },
    async releaseAcceptance(input: { applicationId: string; reason: string }) {
      return releaseAcceptance(sql, input);
    },
    async otherOpenApplications(input: { applicationId: string }) {
      return otherOpenApplications(sql, input);
    },
    async listPendingSelections(input: { programId: string }) {
      return listPendingSelections(sql, input);
    },
    async declineApplications(input: Parameters<typeof declineApplications>[1]) {
      if (!deps.temporal) {
        throw ApplicationFailure.nonRetryable(
          'This worker was started without a Temporal client',
          'NoClient',
        );
      }
      return declineApplications({ sql, temporal: deps.temporal }, input);
    },
    async withdrawUndecidedApplications(input: { personId: string }) {
      return withdrawUndecidedApplications(privacyDeps(), input.personId);
    },
    async eraseStep(input: Parameters<typeof eraseStep>[1]) {
      return eraseStep(privacyDeps(), input);
    },
    async purgeUnselectedContent(input: { programId: string; now: number }) {
      return purgeUnselectedContent(
        { sql, files: deps.files ?? postgresFileStore },
        input.programId,
        input.now,
      );
    },
    async issueLetterOfCompletion(request: LetterRequest) {
      return issueLetterOfCompletion({ sql, publicBaseUrl: deps.publicBaseUrl }, request);
    },
  };
}

export type Activities = ReturnType<typeof activitiesOver>;
