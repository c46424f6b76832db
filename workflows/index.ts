export { declinePendingWorkflow } from './decline-pending.js';
export { menteeWorkflow } from './mentee.js';
export { resendEmailWorkflow } from './resend-email.js';
