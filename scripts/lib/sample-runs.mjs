// The sample workspace's MLflow runs and DVC experiments are made by running its training
// for real, the first time, with the Python tools test/env/python.sh installs into the
// cache: sample-workspace/experiments/log_runs.py into <workspace>/mlruns, and the DVC
// pipeline in sample-workspace/experiments/dvc copied into <workspace>/iris-dvc (a git +
// DVC repository of its own, gitignored here) and run with `dvc exp run`. Never fatal:
// without Python the workspace opens without them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

/** The cached venv's python (installs it the first time), or undefined when it cannot be made. */
export function toolsPython() {
  try {
    return execFileSync('bash', [path.join(root, 'test', 'env', 'python.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
  } catch (err) {
    console.warn(`[sample] no Python tools (${err.message.split('\n')[0]}); the sample workspace has no MLflow runs`);
    return undefined;
  }
}

/** Logs the sample runs into `<workspace>/mlruns` unless it is already there. */
export function ensureSampleRuns(workspace, python = toolsPython()) {
  if (existsSync(path.join(workspace, 'mlruns'))) return true;
  if (!python) return false;
  try {
    execFileSync(python, [path.join(workspace, 'experiments', 'log_runs.py')], {
      cwd: workspace,
      env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', MLFLOW_TRACKING_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    return true;
  } catch (err) {
    console.warn(`[sample] logging the sample MLflow runs failed: ${String(err.stderr ?? err.message).trim().split('\n').slice(-2).join(' ')}`);
    return false;
  }
}

/** The DVC experiments the sample shows: the baseline plus these parameter sets. */
const DVC_EXPERIMENTS = [
  ['train.alpha=0.0001', 'train.learning_rate=optimal'],
  ['train.alpha=0.01', 'train.learning_rate=adaptive'],
  ['train.alpha=0.1', 'train.learning_rate=invscaling'],
];

/**
 * Makes `<workspace>/iris-dvc` from the committed pipeline (again when that changes):
 * git init, dvc init, the baseline reproduced and committed, then real `dvc exp run`s.
 */
export function ensureSampleDvc(workspace, python = toolsPython()) {
  const src = path.join(workspace, 'experiments', 'dvc');
  const dir = path.join(workspace, 'iris-dvc');
  const hash = createHash('sha256');
  for (const f of readdirSync(src).sort()) hash.update(f).update(readFileSync(path.join(src, f)));
  const digest = hash.digest('hex').slice(0, 16);
  const marker = path.join(dir, '.git', 'mlops-sample');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === digest) return true;
  if (!python) return false;
  const bin = path.dirname(python);
  const env = {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    DVC_NO_ANALYTICS: '1',
    GIT_AUTHOR_NAME: 'MLOps Workbench sample',
    GIT_AUTHOR_EMAIL: 'sample@localhost',
    GIT_COMMITTER_NAME: 'MLOps Workbench sample',
    GIT_COMMITTER_EMAIL: 'sample@localhost',
  };
  const sh = (cmd, args) => execFileSync(cmd, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
  const dvc = (...args) => sh(python, ['-m', 'dvc', ...args]);
  try {
    rmSync(dir, { recursive: true, force: true });
    cpSync(src, dir, { recursive: true });
    writeFileSync(path.join(dir, '.gitignore'), '/.venv/\n');
    sh('git', ['init', '-q', '-b', 'main']);
    dvc('init', '-q');
    dvc('repro', '-q');
    sh('git', ['add', '-A']);
    sh('git', ['commit', '-q', '-m', 'Baseline: SGD on iris (alpha 0.001, optimal)']);
    for (const set of DVC_EXPERIMENTS) dvc('exp', 'run', '-q', ...set.flatMap((p) => ['-S', p]));
    writeFileSync(marker, digest);
    return true;
  } catch (err) {
    console.warn(`[sample] the sample DVC experiments failed: ${String(err.stderr ?? err.message).trim().split('\n').slice(-2).join(' ')}`);
    return false;
  }
}
