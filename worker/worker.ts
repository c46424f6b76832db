import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Duration } from '@temporalio/common';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Activities } from '../activities/index.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const REHEARSAL_PATH = fileURLToPath(new URL('../workflows/rehearsal.ts', import.meta.url));
/**
 * The workflow bundle `npm run build` writes next to the compiled code (dist/workflow-bundle.js): a compiled
 * worker loads it instead of bundling the workflows with webpack on every start. From source (tsx) there is none.
 */
export const PREBUILT_WORKFLOW_BUNDLE = import.meta.url.endsWith('.js')
  ? fileURLToPath(new URL('../workflow-bundle.js', import.meta.url))
  : undefined;

/**
 * How the workflow bundle is built, from source and by `npm run build`. The workflow modules are preloaded: evaluated
 * once in the worker's shared V8 context instead of once for every mentee the worker creates (bench/workflow-cache.ts).
 * The SDK freezes what they export; they must keep no per-mentee state at module scope: only activity proxies,
 * message definitions, handler tables, classes and constants.
 * A rehearsal bundle (the cohort simulator's) also preloads workflows/rehearsal.ts: no stack traces in workflows.
 */
export const workflowBundleOptions = (
  workflowsPath = WORKFLOWS_PATH,
  { rehearsal = false }: { rehearsal?: boolean } = {},
) => ({
  workflowsPath,
  preloadModules: rehearsal ? [REHEARSAL_PATH, workflowsPath] : [workflowsPath],
});

/** Bundles the workflow code once; tests share one bundle across workers. */
export function bundleWorkflows(options: { rehearsal?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    ...workflowBundleOptions(WORKFLOWS_PATH, options),
    logger: silentBundlerLogger,
  });
}

export function createMenteeWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  workflowBundle?: WorkflowBundleWithSourceMap;
  stickyQueueScheduleToStartTimeout?: Duration;
}): Promise<Worker> {
  const { workflowBundle, ...rest } = options;
  const prebuilt =
    PREBUILT_WORKFLOW_BUNDLE && existsSync(PREBUILT_WORKFLOW_BUNDLE) ? PREBUILT_WORKFLOW_BUNDLE : null;
  return Worker.create({
    ...rest,
    ...(workflowBundle
      ? { workflowBundle }
      : prebuilt
        ? { workflowBundle: { codePath: prebuilt } }
        : { workflowsPath: WORKFLOWS_PATH }),
  });
}

const noop = () => {};
const silentBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
