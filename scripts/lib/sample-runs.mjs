// The sample workspace's MLflow runs are made by running its training for real
// (sample-workspace/experiments/log_runs.py) into <workspace>/mlruns, the first time,
// with the Python tools test/env/python.sh installs into the cache. Never fatal: without
// Python the workspace opens without runs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
