/** Repair and bulk operations ops run on mentees, shared by the `npm run ops` CLI and the admin API. */
export type { OpsDeps } from './deps.js';
export { type RefusedEmail, ResendEmailResult, refusedEmails, resendEmail } from './emails.js';
export { ExtendResult, extend, TerminateResult, terminate } from './mentees.js';
export { RetryPaymentResult, retryPayment } from './payments.js';
export { applyProgramSchedule, ProgramScheduleResult } from './program-schedule.js';
export { type PromoteBuildResult, promoteBuild } from './rollout.js';
