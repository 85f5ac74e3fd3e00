// Projects users bring, in a real VS Code: a DVC repository whose pipeline needs a package
// only its own .venv has (the window's Python setting points at another Python, with DVC),
// and a committed mlflow.db written by an older MLflow (2.9, in its own venv). The
// experiment runs in the project's environment and appears with its metric; the old store
// is browsed through a copy, and its repository's `git status` is clean afterwards.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { OLD_STORE_SCRIPT, writeDvcProjectWithVenv } from '../helpers/userProjects';
import { answerInputBox, answerQuickPick, collapseOtherPanes, expandRow, openMlopsContainer, paneStates, restorePanes, root, runCommand, screenshot, session, waitForToast } from './harness';

type SampleRunsLib = typeof import('../../scripts/lib/sample-runs.mjs', { with: { 'resolution-mode': 'import' } });
const pane = (page: Page, title: string) => page.locator(`.sidebar .pane:has(> .pane-header[aria-label^="${title}"])`);

describe('users’ own projects in a real VS Code', function () {
  this.timeout(8 * 60_000);
  const made: string[] = [];

  after(async () => {
    const { page } = session();
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    if (panes) await restorePanes(page, panes).catch(() => undefined);
    // The stores go, and the view with them (the server on the copy is stopped by Refresh's rediscovery or the window's close).
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
    await runCommand(page, 'MLOps: Refresh Experiments').catch(() => undefined);
  });

  let panes: Map<string, boolean> | undefined;
  async function showExperiments(page: Page): Promise<void> {
    await openMlopsContainer(page, { waitForRows: false });
    panes ??= await paneStates(page);
    const header = page.locator('.sidebar .pane-header[aria-label^="Experiments"]').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    // The Experiments tree alone, with the height to draw its rows (a tree draws only the rows in view).
    await collapseOtherPanes(page, 'Experiments');
    await runCommand(page, 'MLOps: Refresh Experiments');
    const view = pane(page, 'Experiments');
    for (const name of ['sample-workspace/mlruns', 'sample-workspace/iris-dvc (DVC)']) {
      const row = view.locator('.monaco-list-row', { hasText: name }).first();
      await row.waitFor({ timeout: 60_000 });
      if ((await row.getAttribute('aria-expanded')) === 'true') await row.locator('.monaco-tl-twistie').click();
    }
  }

  it('Run DVC Experiment runs the pipeline in the project’s own .venv, and the experiment appears with its metric', async () => {
    const { page, workspace } = session();
    const samples = (await import('../../scripts/lib/sample-runs.mjs')) as SampleRunsLib;
    const repo = path.join(workspace, 'shop-dvc');
    made.push(repo);
    const python = samples.toolsPython();
    assert.ok(python, 'the tools Python');
    writeDvcProjectWithVenv(repo, [python, '-m', 'dvc']);
    await showExperiments(page);
    const view = pane(page, 'Experiments');
    await view.locator('.monaco-list-row', { hasText: 'shop-dvc (DVC)' }).first().waitFor({ timeout: 60_000 });

    await runCommand(page, 'MLOps: Run DVC Experiment…');
    await answerQuickPick(page, 'shop-dvc');
    await answerInputBox(page, 'Run a DVC experiment', 'train.alpha=3');
    await answerInputBox(page, 'Experiment name (optional)', 'venv-alpha');
    await waitForToast(page, 'DVC experiment finished.', /failed|needs the module/, 3 * 60_000);

    // In the tree: the baseline commit, and under it the experiment with its metric.
    const source = view.locator('.monaco-list-row', { hasText: 'shop-dvc (DVC)' }).first();
    if ((await source.getAttribute('aria-expanded')) !== 'true') await expandRow(source);
    const baseline = view.locator('.monaco-list-row[aria-level="2"]').filter({ has: page.locator('.label-name', { hasText: /^(main|master)$/ }) }).first();
    await baseline.waitFor({ timeout: 60_000 });
    await expandRow(baseline);
    const exp = view.locator('.monaco-list-row[aria-level="3"]', { hasText: 'venv-alpha' }).first();
    await exp.waitFor({ timeout: 60_000 });
    assert.match((await exp.textContent()) ?? '', /rmse=0\.25/);
    await screenshot(page, 'dvc-experiment-in-project-venv');
    await source.locator('.monaco-tl-twistie').click();
  });

  it('a committed mlflow.db of MLflow 2.9 is browsed through a copy: its runs listed, git status clean afterwards', async () => {
    const { page, workspace } = session();
    const oldPython = execFileSync('bash', [path.join(root, 'test', 'env', 'python-mlflow-release.sh'), '2.9.2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    const repo = path.join(workspace, 'legacy-tracking');
    made.push(repo);
    execFileSync('mkdir', ['-p', repo]);
    execFileSync(oldPython, ['-c', OLD_STORE_SCRIPT], { cwd: repo, env: { ...process.env, MLFLOW_TRACKING_URI: '' }, stdio: 'ignore' });
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=t@localhost', '-c', 'user.name=t', ...args], { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'runs of MLflow 2.9');

    await showExperiments(page);
    const view = pane(page, 'Experiments');
    const offer = view.locator('.monaco-list-row', { hasText: 'legacy-tracking/mlflow.db' }).first();
    await offer.waitFor({ timeout: 60_000 });
    await offer.click();
    const toast = await waitForToast(page, /MLflow is serving mlflow\.db at http:\/\/127\.0\.0\.1:\d+/, /failed|stopped|not installed/, 3 * 60_000);
    assert.match((await toast.textContent()) ?? '', /written by an older MLflow .* A copy is served instead; the original stays as it is\./);
    const source = view.locator('.monaco-list-row', { hasText: /legacy-tracking\/mlflow\.db \(a copy\)/ }).first();
    await source.waitFor({ timeout: 60_000 });
    const churn = view.locator('.monaco-list-row[aria-level="2"]').filter({ has: page.locator('.label-name', { hasText: /^churn$/ }) }).first();
    await churn.waitFor({ timeout: 60_000 });
    await expandRow(churn);
    await view.locator('.monaco-list-row[aria-level="3"]', { hasText: 'logreg-C1.0' }).first().waitFor({ timeout: 60_000 });
    await view.locator('.monaco-list-row[aria-level="3"]', { hasText: 'logreg-C0.1' }).first().waitFor({ timeout: 10_000 });
    await screenshot(page, 'older-mlflow-db-browsed-from-a-copy');

    // Stopped from the view; the repository is as it was committed.
    await source.hover();
    await source.locator('.action-label[aria-label="Stop Local MLflow Server"]').click();
    await view.locator('.monaco-list-row', { hasText: 'legacy-tracking/mlflow.db' }).filter({ hasText: 'start a local MLflow server' }).first().waitFor({ timeout: 60_000 });
    assert.equal(git('status', '--porcelain', '--ignored'), '');
  });
});
