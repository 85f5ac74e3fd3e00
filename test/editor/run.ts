// The editor tier: mocha inside the extension host of a real VS Code (code-server), with
// the packaged extension installed. The tests (test/editor/*.test.ts) are bundled into the
// installed extension's own folder, so the `vscode` they import is the extension's API
// object: stubbing `window.showQuickPick` there answers the extension's own questions.
// A small runner extension (test/editor/runner) starts mocha once the window is up; this
// script opens that window in headless Chromium, waits for mocha's JSON report and
// prints it as mocha's spec reporter would (scripts/test.mjs reads the counts).
// `MLOPS_EDITOR_GREP=text` runs only the tests whose title has that text.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
type CodeServerLib = typeof import('../../scripts/lib/code-server.mjs', { with: { 'resolution-mode': 'import' } });
type PackageLib = typeof import('../../scripts/package.mjs', { with: { 'resolution-mode': 'import' } });
type SampleRunsLib = typeof import('../../scripts/lib/sample-runs.mjs', { with: { 'resolution-mode': 'import' } });
type KubeClusterLib = typeof import('../../scripts/lib/kube-cluster.mjs', { with: { 'resolution-mode': 'import' } });

const root = path.resolve(__dirname, '..', '..');
const EXTENSION_ID = 'mlops-workbench.mlops-workbench';
const TIMEOUT_MS = 20 * 60_000;

interface MochaJsonTest {
  title: string;
  fullTitle: string;
  duration?: number;
  err?: { message?: string; stack?: string };
}
interface MochaJson {
  stats: { passes: number; failures: number; pending: number };
  tests: MochaJsonTest[];
  failures: MochaJsonTest[];
  passes: MochaJsonTest[];
  pending: MochaJsonTest[];
}

/** A test-only extension of test/editor/<folder> as a VSIX: the runner, or the Python extension's stand-in. */
function packageRunner(outDir: string, folder = 'runner', name = 'mlops-editor-tests'): string {
  const src = path.join(root, 'test', 'editor', folder);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-editor-runner-'));
  cpSync(src, dir, { recursive: true });
  writeFileSync(path.join(dir, 'LICENSE'), readFileSync(path.join(root, 'LICENSE')));
  writeFileSync(path.join(dir, 'README.md'), 'A test-only extension of the MLOps Workbench editor tier.\n');
  const vsix = path.join(outDir, `${name}.vsix`);
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(dir, { recursive: true, force: true });
  return vsix;
}

async function bundleTests(outDir: string): Promise<string[]> {
  const dir = path.join(root, 'test', 'editor');
  const entries = readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort().map((f) => path.join(dir, f));
  await esbuild.build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return entries.map((e) => path.join(outDir, path.basename(e).replace(/\.ts$/, '.js')));
}

function printReport(report: MochaJson): void {
  let suite = '';
  for (const t of report.tests) {
    const parent = t.fullTitle.slice(0, t.fullTitle.length - t.title.length).trim();
    if (parent !== suite) {
      console.log(`\n  ${parent}`);
      suite = parent;
    }
    const failed = report.failures.some((f) => f.fullTitle === t.fullTitle);
    const pending = report.pending.some((f) => f.fullTitle === t.fullTitle);
    console.log(`    ${failed ? '✗' : pending ? '-' : '✔'} ${t.title}${t.duration && t.duration > 75 ? ` (${t.duration}ms)` : ''}`);
  }
  console.log(`\n  ${report.stats.passes} passing`);
  if (report.stats.pending) console.log(`  ${report.stats.pending} pending`);
  if (report.stats.failures) {
    console.log(`  ${report.stats.failures} failing\n`);
    report.failures.forEach((f, i) => console.log(`  ${i + 1}) ${f.fullTitle}:\n     ${(f.err?.stack ?? f.err?.message ?? '').split('\n').join('\n     ')}\n`));
  }
}

async function main(): Promise<number> {
  const lib = (await import('../../scripts/lib/code-server.mjs')) as CodeServerLib;
  const pkg = (await import('../../scripts/package.mjs')) as PackageLib;
  const samples = (await import('../../scripts/lib/sample-runs.mjs')) as SampleRunsLib;
  const work = mkdtempSync(path.join(os.tmpdir(), 'mlops-editor-'));
  const vsix = process.env.MLOPS_VSIX || pkg.packageVsix({ quiet: true });
  const runnerVsix = packageRunner(work);
  // The Python extension cannot be installed here: a stand-in with its environments API.
  const pythonVsix = packageRunner(work, 'fake-python', 'ms-python-stand-in');
  const bundles = path.join(work, 'bundles');
  const tests = await bundleTests(bundles);
  const entry = lib.ensureCodeServer();
  const python = samples.toolsPython();
  if (!python) throw new Error('no Python with MLflow and DVC could be set up (see test/env/python.sh)');

  // A copy of the sample workspace: the tests change it (progress, scaffolds, DVC
  // experiments) as a user would. Its stores are real: an mlruns/ file store and an
  // mlflow.db written by MLflow itself, and the sample's git + DVC repository.
  if (!samples.ensureSampleDvc(path.join(root, 'sample-workspace'), python)) throw new Error('the sample DVC experiments could not be made (see the warning above)');
  const workspace = path.join(work, 'sample-workspace');
  cpSync(path.join(root, 'sample-workspace'), workspace, { recursive: true, filter: (src) => path.basename(src) !== 'mlruns' });
  if (!samples.ensureSampleRuns(workspace, python)) throw new Error('the sample MLflow runs could not be logged (see the warning above)');
  execFileSync(python, [path.join(workspace, 'experiments', 'log_runs.py')], { cwd: workspace, env: { ...process.env, MLFLOW_TRACKING_URI: `sqlite:///${path.join(workspace, 'mlflow.db')}` }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
  // A real Docker engine and the local Python base image (no registry can be pulled from here).
  const baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  // The test cluster (test/env/kube-cluster.sh), as a user's shell exports KUBECONFIG.
  const kube = (await import('../../scripts/lib/kube-cluster.mjs') as KubeClusterLib).kubeCluster('up');
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'mlops.python.path': python, 'mlops.docker.baseImage': baseImage, 'mlops.kubernetes.registry': kube.REGISTRY }, null, 2),
  );

  const plan = {
    mocha: path.join(root, 'node_modules', 'mocha'),
    files: [] as string[],
    report: path.join(work, 'report.json'),
    done: path.join(work, 'done.json'),
    timeout: 120_000,
    grep: process.env.MLOPS_EDITOR_GREP,
  };
  const planFile = path.join(work, 'plan.json');
  const server = await lib.startCodeServer({
    entry,
    vsix,
    extraVsix: [runnerVsix, pythonVsix],
    folder: workspace,
    env: { MLOPS_EDITOR_TESTS: planFile, KUBECONFIG: kube.KUBECONFIG! },
    // Where this machine's containerd listens is a machine setting (a workspace cannot set it).
    settings: { 'mlops.kubernetes.containerdAddress': kube.CONTAINERD_ADDRESS },
    logFile: path.join(work, 'code-server.log'),
    beforeStart: ({ extensionsDir }) => {
      const installed = readdirSync(extensionsDir).find((d) => d.startsWith(`${EXTENSION_ID}-`));
      if (!installed) throw new Error(`${EXTENSION_ID} is not installed in ${extensionsDir}`);
      const target = path.join(extensionsDir, installed, 'editor-tests');
      cpSync(bundles, target, { recursive: true });
      plan.files = tests.map((t) => path.join(target, path.basename(t)));
      writeFileSync(planFile, JSON.stringify(plan));
    },
  });
  const browser = await chromium.launch({ executablePath: lib.chromiumPath, args: lib.chromiumArgs, headless: true });
  try {
    // The editor's clipboard is the browser's in code-server: let the page use it.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(server.url);
    const deadline = Date.now() + TIMEOUT_MS;
    while (!existsSync(plan.done)) {
      if (Date.now() > deadline) throw new Error(`the editor tests did not finish within ${TIMEOUT_MS / 60_000} min; code-server log: ${path.join(work, 'code-server.log')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const done = JSON.parse(readFileSync(plan.done, 'utf8')) as { error?: string; invoked: string[] };
    if (done.error) {
      console.log(`  the editor tests could not run:\n${done.error}`);
      return 1;
    }
    const report = JSON.parse(readFileSync(plan.report, 'utf8')) as MochaJson;
    printReport(report);
    // Which contributed commands no editor test ran.
    const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const never = manifest.contributes.commands.map((c) => c.command).filter((c) => !done.invoked.includes(c));
    writeFileSync(path.join(root, 'test-results', 'editor-commands-not-run.json'), JSON.stringify(never, null, 1));
    console.log(`  commands run by the editor tier: ${done.invoked.length} of ${manifest.contributes.commands.length}${never.length ? `; no test ran: ${never.join(', ')}` : ''}`);
    // Every contributed command is run by some test (a subset run with MLOPS_EDITOR_GREP is exempt).
    if (never.length && !plan.grep) {
      console.log(`  ${never.length} contributed commands were run by no test: add an editor test for each`);
      return 1;
    }
    return report.stats.failures > 0 ? 1 : 0;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
    (await import('../../scripts/lib/kube-cluster.mjs') as KubeClusterLib).kubeCluster('down');
    if (!process.env.MLOPS_KEEP_EDITOR_WORK) rmSync(work, { recursive: true, force: true });
  }
}

mkdirSync(path.join(root, 'test-results'), { recursive: true });
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    console.log('\n  0 passing\n  1 failing');
    process.exit(1);
  },
);
