/**
 * `npm run build`: compiles the TypeScript that runs in production to `dist/` (esbuild, one file per source
 * file; `npm run check` does the type checking) and prebuilds the workflow bundle into
 * `dist/workflow-bundle.js`, so a worker starts without tsx or webpack. `--if-stale` skips the build when
 * `dist/` is newer than every source file (what `npm start`, `npm run worker` and `npm run api` do first).
 */
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
/**
 * What the API, the worker, the ops CLI and `npm start` load: every source folder tsconfig.json names, except
 * the tests, the benchmarks, the simulator and the chaos experiment, which keep running from source.
 */
const SOURCE_DIRS = (
  JSON.parse(await readFile(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] }
).include.filter((dir) => !/[*?]/.test(dir) && !['test', 'bench', 'simulator', 'chaos'].includes(dir));
/** Files the compiled code reads next to itself. */
const ASSETS = [/^db\/migrations\/.*\.sql$/, /^scripts\/temporal-test-server\/pom\.xml$/];
const STAMP = path.join(DIST, '.build-info.json');
/** worker/worker.ts loads it from there (`../workflow-bundle.js` of the compiled worker). */
const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
}

async function isStale(inputs: string[]): Promise<boolean> {
  const built = await stat(STAMP).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  for (const file of inputs) if ((await stat(path.join(ROOT, file))).mtimeMs > built) return true;
  return false;
}

const files = (await Promise.all(SOURCE_DIRS.map(filesUnder))).flat().sort();
const sources = files.filter(
  (file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts') && file !== 'scripts/build.ts',
);
const assets = files.filter((file) => ASSETS.some((pattern) => pattern.test(file)));
const inputs = [...sources, ...assets, 'package-lock.json', 'tsconfig.json'];

if (process.argv.includes('--if-stale') && !(await isStale(inputs))) process.exit(0);

// Loaded only when building: a fresh dist/ costs `npm start` nothing but the check above.
const [{ build }, { bundleWorkflowCode }, { workflowBundleOptions }] = await Promise.all([
  import('esbuild'),
  import('@temporalio/worker'),
  import('../worker/worker.js'),
]);
const started = performance.now();
await rm(DIST, { recursive: true, force: true });
await build({
  entryPoints: sources.map((file) => path.join(ROOT, file)),
  outdir: DIST,
  outbase: ROOT,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const asset of assets) {
  await mkdir(path.dirname(path.join(DIST, asset)), { recursive: true });
  await copyFile(path.join(ROOT, asset), path.join(DIST, asset));
}
const compiledMs = performance.now() - started;

// The same bundle Worker.create would build from workflowsPath on every start.
const { code } = await bundleWorkflowCode({
  ...workflowBundleOptions(path.join(ROOT, 'workflows/index.ts')),
  logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
});
await writeFile(path.join(DIST, WORKFLOW_BUNDLE_FILE), code);
await writeFile(
  STAMP,
  `${JSON.stringify({ builtAt: new Date().toISOString(), files: sources.length }, null, 2)}\n`,
);
console.log(
  `dist/: ${sources.length} files compiled in ${Math.round(compiledMs)} ms, workflow bundle ${(code.length / 1024).toFixed(0)} KiB, ${Math.round(performance.now() - started)} ms in all`,
);
