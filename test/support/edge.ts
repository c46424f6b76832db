import { Client } from '@temporalio/client';
import { createActivities } from '../../activities/index.js';
import { createResendMailer } from '../../activities/mailers/resend.js';
import { createFinanceLedgerProvider } from '../../activities/payments/provider.js';
import type { FileStore } from '../../applications/files.js';
import type { Sql } from '../../db/index.js';
import { privateClientOptions } from '../../privacy/clients.js';
import { PersonalTexts } from '../../privacy/personal-texts.js';
import { fakePaymentProvider } from './fake-payments.js';
import type { FakeResend } from './fake-resend.js';
import { TEST_KEYRING } from './keyring.js';

export const EMAIL_FROM = 'Mentorship <mentorship@example.org>';
export const PUBLIC_BASE_URL = 'https://mentorship.example.org';

/** The real activities, with fakes only at the edge: Resend (reached by the real SDK) and the payment provider. */
export function activitiesAtTheEdge(
  sql: Sql,
  resend: FakeResend,
  temporal?: Client,
  { financeLedger = false, files }: { financeLedger?: boolean; files?: FileStore } = {},
) {
  const payments = fakePaymentProvider();
  const activities = createActivities({
    sql,
    mailer: createResendMailer({ apiKey: resend.apiKey, baseUrl: resend.baseUrl }),
    // the finance ledger is our own: finance and the bank, at the edge, work on its batches through the API
    payments: financeLedger ? createFinanceLedgerProvider(sql) : payments.provider,
    emailFrom: EMAIL_FROM,
    publicBaseUrl: PUBLIC_BASE_URL,
    // the worker's own client seals what bulk decisions send; texts open what the read model and emails show
    ...(temporal && {
      temporal: new Client({
        connection: temporal.connection,
        namespace: 'default',
        ...privateClientOptions(TEST_KEYRING, sql),
      }),
    }),
    texts: new PersonalTexts(sql, TEST_KEYRING),
    ...(files && { files }),
  });
  return { activities, payments };
}
