import { Client, Connection } from '@temporalio/client';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, serverEndpoints } from '../config/index.js';
import { connect } from '../db/index.js';
import type { Recipient } from '../domain/emails.js';
import type { Actor } from '../domain/messages.js';
import { ProblemError } from '../domain/problems.js';
import { withDueDates } from '../mentees/programs.js';
import { configuredKeyring, privateClientOptions } from '../privacy/clients.js';
import {
  applyProgramSchedule,
  extend,
  type OpsDeps,
  promoteBuild,
  refusedEmails,
  resendEmail,
  retryPayment,
  terminate,
} from './index.js';

// `npm run ops -- <command>`: repairs on running mentees, against DATABASE_URL and TEMPORAL_ADDRESS, or the
// servers `npm start` embeds when those are unset. Exit code 0: done; 1: error; 2: done, but a mentee said no.

interface GlobalOptions {
  json?: boolean;
  as: string;
}

const program = new Command('ops')
  .description('Repair and bulk operations on mentee workflows; every command is safe to run twice')
  .option('--json', 'print the result as JSON')
  .option('--as <userId>', 'who runs this, for the audit trail', process.env.USER || 'ops-cli')
  .showHelpAfterError();

/** Runs one operation with connections that are closed afterwards, and prints its result. */
async function run<R>(
  operation: (deps: OpsDeps, by: Actor) => Promise<R>,
  describe: (result: R) => string,
  refused: (result: R) => boolean = () => false,
) {
  const options = program.opts<GlobalOptions>();
  const config = loadConfig();
  const { databaseUrl, temporalAddress } = serverEndpoints(config);
  const sql = connect(databaseUrl, { max: 4 });
  let connection: Connection | undefined;
  try {
    // connects on the first call: a command that reads only PostgreSQL (refused-emails) needs no Temporal server
    connection = Connection.lazy({ address: temporalAddress, connectTimeout: '5 seconds' });
    const temporal = new Client({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      ...privateClientOptions(configuredKeyring(config), sql),
    });
    const result = await operation(
      { sql, temporal, taskQueue: config.TEMPORAL_TASK_QUEUE },
      { userId: options.as, role: 'ops' },
    );
    process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${describe(result)}\n`);
    process.exitCode = refused(result) ? 2 : 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (options.json) {
      const status = error instanceof ProblemError ? error.status : null;
      process.stdout.write(`${JSON.stringify({ error: message, status }, null, 2)}\n`);
    } else {
      process.stderr.write(`ops: ${message}\n`);
    }
    process.exitCode = 1;
  } finally {
    await connection?.close();
    await sql.end();
  }
}

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number');
  return n;
};
const instant = (value: string) => {
  if (Number.isNaN(Date.parse(value)) || !/T.*(Z|[+-]\d\d:\d\d)$/.test(value)) {
    throw new InvalidArgumentError('an ISO 8601 instant with a zone, e.g. 2027-03-01T18:00:00Z');
  }
  return value;
};
const evaluationDate = (value: string, previous: Record<number, string> = {}) => {
  const [, n, at] = /^(\d)=(.+)$/.exec(value) ?? [];
  if (!n || !at) throw new InvalidArgumentError('<number>=<instant>, e.g. 4=2027-03-01T18:00:00Z');
  return { ...previous, [Number(n)]: instant(at) };
};
const seconds = new Option('--wait <seconds>', 'how long to wait for the outcome')
  .argParser(positiveInt)
  .default(30);

program
  .command('retry-payment')
  .description("pay a stipend installment the provider rejected, after fixing the mentee's payment details")
  .argument('<applicationId>')
  .addOption(seconds)
  .action((applicationId: string, options: { wait: number }) =>
    run(
      (deps, by) => retryPayment(deps, applicationId, by, { waitMs: options.wait * 1000 }),
      (r) =>
        ({
          'nothing-to-retry': `Nothing to retry for ${r.applicationId}: no rejected payment is waiting.`,
          paid: `Installment ${r.installment} of ${r.applicationId} is paid (reference ${r.reference}).${r.duplicate ? ' (It had been retried already.)' : ''}`,
          rejected: `Installment ${r.installment} of ${r.applicationId} was rejected again: ${r.reason}. Fix the details and retry.`,
          pending: `Installment ${r.installment ?? '?'} of ${r.applicationId} is being paid; check again with: npm run ops -- retry-payment ${r.applicationId}`,
        })[r.outcome],
      (r) => r.outcome === 'rejected',
    ),
  );

program
  .command('extend')
  .description("extend one mentee's term; every later deadline moves with it")
  .argument('<applicationId>')
  .requiredOption('--days <days>', 'days to add', positiveInt)
  .requiredOption('--reason <text>', 'why, for the audit trail and the emails')
  .option('--request-id <id>', 'to extend again with the same days and reason (default: derived from them)')
  .action((applicationId: string, options: { days: number; reason: string; requestId?: string }) =>
    run(
      (deps, by) => extend(deps, applicationId, options, by),
      (r) =>
        `${r.duplicate ? 'Already extended by this request' : `Extended by ${options.days} days`}: ${r.applicationId} now ends ${r.termEndsAt} (${r.extensionDays} days of extension in all).`,
    ),
  );

program
  .command('terminate')
  .description("end one mentee's participation")
  .argument('<applicationId>')
  .requiredOption('--reason <text>', 'why, for the audit trail and the emails')
  .action((applicationId: string, options: { reason: string }) =>
    run(
      (deps, by) => terminate(deps, applicationId, options.reason, by),
      (r) => `${r.applicationId} is ${r.stage}${r.duplicate ? ' (it already was)' : ''}.`,
    ),
  );

program
  .command('program-schedule')
  .description(
    "change a program's schedule and apply it to every running mentee of the program (keeping their extensions)",
  )
  .argument('<programId>')
  .option(
    '--evaluation <n=instant>',
    'a new due date, e.g. 4=2027-03-01T18:00:00Z (repeatable)',
    evaluationDate,
  )
  .option('--term-ends-at <instant>', 'the new end of the term', instant)
  .option('--completion-grace-days <days>', 'days after the term end to finish the requirements', positiveInt)
  .action(
    (
      programId: string,
      options: { evaluation?: Record<number, string>; termEndsAt?: string; completionGraceDays?: number },
    ) =>
      run(
        async (deps, by) => {
          if (!options.evaluation && !options.termEndsAt && options.completionGraceDays === undefined) {
            throw new ProblemError(
              422,
              'validation',
              'Nothing to change: give --evaluation, --term-ends-at or --completion-grace-days',
            );
          }
          const dueAt = options.evaluation;
          return applyProgramSchedule(
            deps,
            programId,
            (current) => ({
              ...(dueAt && { evaluations: withDueDates(current, dueAt) }),
              ...(options.termEndsAt && { termEndsAt: options.termEndsAt }),
              ...(options.completionGraceDays !== undefined && {
                completionGraceDays: options.completionGraceDays,
              }),
            }),
            by,
          );
        },
        (r) =>
          [
            `Program ${r.programId}: evaluations due ${r.evaluations.map((e) => `${e.number}=${e.dueAt}`).join(', ')}; term ends ${r.termEndsAt}.`,
            `  changed:   ${r.changed.length}${list(r.changed)}`,
            `  unchanged: ${r.unchanged.length}${list(r.unchanged)}`,
            `  refused:   ${r.refused.length}${r.refused.map((x) => `\n    ${x.id} (${x.stage}): ${x.reason}`).join('')}`,
            ...(r.failed.length
              ? [
                  `  failed:    ${r.failed.length} (run again)${r.failed.map((x) => `\n    ${x.id}: ${x.reason}`).join('')}`,
                ]
              : []),
          ].join('\n'),
        (r) => r.refused.length > 0 || r.failed.length > 0,
      ),
  );

program
  .command('resend-email')
  .description("send one of a mentee's emails again (e.g. letter-of-completion), once per request id")
  .argument('<applicationId>')
  .argument('<email>', 'the email kind, or its idempotency key')
  .addOption(
    new Option('--to <recipient>', 'when the kind went to several').choices(['mentee', 'mentor', 'admin']),
  )
  .option(
    '--request-id <id>',
    'one resend per id (default: one per UTC day)',
    new Date().toISOString().slice(0, 10),
  )
  .addOption(seconds)
  .action(
    (applicationId: string, email: string, options: { to?: Recipient; requestId: string; wait: number }) =>
      run(
        (deps, by) =>
          resendEmail(deps, applicationId, { email, to: options.to, requestId: options.requestId }, by, {
            waitMs: options.wait * 1000,
          }),
        (r) =>
          r.duplicate
            ? `Already sent again for request ${options.requestId}: ${r.kind} to the ${r.to} (${r.idempotencyKey}); use another --request-id to send it once more.`
            : `${r.state === 'sent' ? 'Sent' : 'Sending'} ${r.kind} to the ${r.to} again (${r.idempotencyKey}).`,
      ),
  );

program
  .command('refused-emails')
  .description(
    'list the emails the provider refused for good that nobody has received since (ended mentees too)',
  )
  .action(() =>
    run(
      (deps) => refusedEmails(deps),
      (emails) =>
        emails.length === 0
          ? 'No refused email is owed.'
          : emails
              .map(
                (e) =>
                  `${e.refusedAt}  ${e.applicationId}  ${e.kind} to the ${e.to ?? 'recipient'}: ${e.refusedReason}\n    npm run ops -- resend-email ${e.applicationId} ${e.originalKey}`,
              )
              .join('\n'),
    ),
  );

program
  .command('promote-build')
  .description(
    'make a worker build current (Worker Versioning): new mentees start on it, running ones move to it at their next step',
  )
  .argument('<buildId>', "the build's WORKER_BUILD_ID; its workers must be running")
  .addOption(seconds)
  .action((buildId: string, options: { wait: number }) =>
    run(
      (deps, by) =>
        promoteBuild(deps.temporal, loadConfig().WORKER_DEPLOYMENT_NAME, buildId, {
          waitMs: options.wait * 1000,
          identity: by.userId,
        }),
      (r) =>
        `${r.buildId} is the current build of ${r.deploymentName}${r.previousBuildId ? ` (was ${r.previousBuildId}); stop ${r.previousBuildId}'s workers once its in-flight tasks are done` : ''}.`,
    ),
  );

const list = (ids: string[]) => (ids.length ? `\n    ${ids.join('\n    ')}` : '');

await program.parseAsync();
