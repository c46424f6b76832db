import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DataConverter, Duration } from '@temporalio/common';
import {
  bundleWorkflowCode,
  type NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import { FAILURE_CONVERTER_PATH } from '../privacy/payload-codec.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const REHEARSAL_PATH = fileURLToPath(new URL('../workflows/rehearsal.ts', import.meta.url));
/** Whether this module runs compiled (dist/, `npm run build`) rather than from source under tsx. */
const COMPILED = import.meta.url.endsWith('.js');
/**
 * The workflow bundle `npm run build` writes next to the compiled code (dist/workflow-bundle.js): a compiled
 * worker loads it instead of bundling the workflows with webpack on every start. From source (tsx) there is none.
 */
export const PREBUILT_WORKFLOW_BUNDLE = COMPILED
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
  // failures leave the sandbox with their message and stack in a payload, which the codec encrypts
  failureConverterPath: FAILURE_CONVERTER_PATH,
});

interface BundleOptions {
  rehearsal?: boolean;
  /** Another workflow module than the mentee's (the bench's bare baseline). */
  workflowsPath?: string;
}

/** Bundles the workflow code once; tests share one bundle across workers. */
export function bundleWorkflows({
  workflowsPath = WORKFLOWS_PATH,
  ...options
}: BundleOptions = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    ...workflowBundleOptions(workflowsPath, options),
    logger: silentBundlerLogger,
  });
}

/**
 * The same bundle, built in a child process (worker/bundle-workflows.ts). Bundling leaves the process that does it
 * about 80-110 MiB more RSS that it never gives back (webpack's allocations): a worker that must stay small, like
 * the cohort simulator's, takes its bundle from a child.
 */
export async function bundleWorkflowsApart(
  options: BundleOptions = {},
): Promise<WorkflowBundleWithSourceMap> {
  const script = fileURLToPath(new URL(`./bundle-workflows.${COMPILED ? 'js' : 'ts'}`, import.meta.url));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...(COMPILED ? [] : ['--import', 'tsx']), script, JSON.stringify(options)],
    // from the project's root, where `tsx` resolves; a bundle is about 2 MB of JSON
    { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8', maxBuffer: 256 * 2 ** 20 },
  );
  return JSON.parse(stdout) as WorkflowBundleWithSourceMap;
}

export function createMenteeWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  workflowBundle?: WorkflowBundleWithSourceMap;
  stickyQueueScheduleToStartTimeout?: Duration;
  /** The encrypting converter (privacy/payload-codec.ts); every worker of the system has it. */
  dataConverter?: DataConverter;
  /** Worker Versioning: the deployment and this build's id; without it the worker is unversioned. */
  deployment?: WorkerDeployment | undefined;
}): Promise<Worker> {
  const { workflowBundle, deployment, ...rest } = options;
  const prebuilt =
    PREBUILT_WORKFLOW_BUNDLE && existsSync(PREBUILT_WORKFLOW_BUNDLE) ? PREBUILT_WORKFLOW_BUNDLE : null;
  return Worker.create({
    ...rest,
    ...(deployment && { workerDeploymentOptions: versionedAs(deployment) }),
    ...(workflowBundle
      ? { workflowBundle }
      : prebuilt
        ? { workflowBundle: { codePath: prebuilt } }
        : { workflowsPath: WORKFLOWS_PATH }),
  });
}

export interface WorkerDeployment {
  name: string;
  buildId: string;
}

/**
 * A mentee lives for months, longer than any build: pinning each to the build it started on would keep every
 * build's workers running for a whole term. So mentees upgrade to each new current build at their next step
 * (AUTO_UPGRADE), and a change that alters what a running mentee does is guarded with `patched()`; the routing
 * keeps a mentee that a new build has touched away from the old build's workers for the rest of the rollout.
 */
export const versionedAs = (deployment: WorkerDeployment) =>
  ({
    version: { deploymentName: deployment.name, buildId: deployment.buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  }) as const;

const noop = () => {};
const silentBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
