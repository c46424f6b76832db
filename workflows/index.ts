export { contentRetentionWorkflow } from './content-retention.js';
export { declinePendingWorkflow } from './decline-pending.js';
export { erasureWorkflow } from './erasure.js';
export { menteeWorkflow } from './mentee.js';
export { noticeEmailWorkflow } from './notice-email.js';
export { resendEmailWorkflow } from './resend-email.js';
