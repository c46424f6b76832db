/** Repair and bulk operations ops run on mentees, shared by the `npm run ops` CLI and the admin API. */
export { type OpsDeps, REQUEST_ID } from './deps.js';
export { type ResendEmailResult, resendEmail } from './emails.js';
export { type ExtendResult, extend, terminate } from './mentees.js';
export { type RetryPaymentResult, retryPayment } from './payments.js';
export { applyProgramSchedule, type ProgramScheduleResult } from './program-schedule.js';
