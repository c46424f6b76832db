export { menteeWorkflow } from './mentee.js';
