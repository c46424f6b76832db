import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createActivities } from '../activities/index.js';
import { createMailer } from '../activities/mailers/index.js';
import { createFinanceLedgerProvider } from '../activities/payments/provider.js';
import { configuredFileStore } from '../applications/s3-store.js';
import { type Config, publicBaseUrl } from '../config/index.js';
import { connect } from '../db/index.js';
import { configuredKeyring, privateClientOptions } from '../privacy/clients.js';
import { encryptedDataConverter } from '../privacy/payload-codec.js';
import { PersonalTexts } from '../privacy/personal-texts.js';
import { createMenteeWorker } from './worker.js';

/** Connects to Temporal and Postgres and polls the task queue until `stop()`. */
export async function startWorker(
  config: Config,
  endpoints: { databaseUrl: string; temporalAddress: string },
  log: Logger,
  /** Off only for the bench that measures what encryption costs (bench/codec-cost.ts). */
  { encryption = true }: { encryption?: boolean } = {},
) {
  const keyring = configuredKeyring(config);
  const sql = connect(endpoints.databaseUrl);
  const connection = await NativeConnection.connect({ address: endpoints.temporalAddress });
  // activities that message mentee workflows (bulk decisions) use a client of their own
  const clientConnection = await Connection.connect({ address: endpoints.temporalAddress });
  const temporal = new Client({
    connection: clientConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    ...(encryption && privateClientOptions(keyring, sql)),
  });
  const worker = await createMenteeWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    stickyQueueScheduleToStartTimeout: `${config.WORKER_STICKY_TIMEOUT_SECONDS}s`,
    deployment: config.WORKER_BUILD_ID
      ? { name: config.WORKER_DEPLOYMENT_NAME, buildId: config.WORKER_BUILD_ID }
      : undefined,
    ...(encryption && { dataConverter: encryptedDataConverter(keyring) }),
    activities: createActivities({
      texts: new PersonalTexts(sql, keyring),
      files: configuredFileStore(config),
      sql,
      mailer: createMailer(config, log),
      payments: createFinanceLedgerProvider(sql),
      emailFrom: config.EMAIL_FROM,
      publicBaseUrl: publicBaseUrl(config),
      temporal,
    }),
  });
  const running = worker.run();
  log.info(
    { taskQueue: config.TEMPORAL_TASK_QUEUE, mailer: config.RESEND_API_KEY ? 'resend' : 'outbox' },
    'worker polling',
  );
  return {
    running,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
      await clientConnection.close();
      await sql.end();
    },
  };
}
