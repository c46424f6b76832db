import type { Sql } from '../db/index.js';
import type { SendEmailInput } from '../domain/emails.js';
import type { MenteeStatus } from '../domain/messages.js';
import { sendEmail } from './email.js';
import type { Mailer } from './mailers/mailer.js';
import { writeStatus } from './read-model.js';

export interface ActivityDeps {
  sql: Sql;
  mailer: Mailer;
  emailFrom: string;
}

/** The worker's activities, built over their dependencies so tests hand in real servers or fakes. */
export function createActivities({ sql, mailer, emailFrom }: ActivityDeps) {
  return {
    async recordStatus(status: MenteeStatus): Promise<void> {
      await writeStatus(sql, status);
    },
    async sendEmail(input: SendEmailInput): Promise<{ sent: boolean }> {
      return sendEmail({ sql, mailer, from: emailFrom }, input);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
