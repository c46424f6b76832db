/**
 * `tsx worker/bundle-workflows.ts '{"rehearsal":true}'`: prints the workflow bundle (code and source map) as JSON,
 * for bundleWorkflowsApart (worker/worker.ts), so that webpack's memory stays out of the process that runs the worker.
 */
import { bundleWorkflows } from './worker.js';

const bundle = await bundleWorkflows(JSON.parse(process.argv[2] ?? '{}'));
// exit once the pipe has taken it all: webpack may leave handles open
process.stdout.write(JSON.stringify(bundle), () => process.exit(0));
