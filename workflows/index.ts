export { menteeWorkflow } from './mentee.js';
export { resendEmailWorkflow } from './resend-email.js';
