import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';
import { expandRow, openMlopsContainer, runCommand, screenshot, session, webviewFrame } from './harness';

const pane = (page: Page, title: string) => page.locator(`.sidebar .pane:has(> .pane-header[aria-label^="${title}"])`);

/** Opens a side-bar view's pane when it is collapsed (the container has several views). */
async function expandPane(page: Page, title: string): Promise<void> {
  const header = page.locator(`.sidebar .pane-header[aria-label^="${title}"]`).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

describe('Experiments in a real VS Code, on the sample workspace’s real MLflow runs', function () {
  this.timeout(5 * 60_000);

  after(async () => {
    // Leave the window as the other tests expect it: the Experiments pane collapsed, no editors.
    const { page } = session();
    const header = page.locator('.sidebar .pane-header[aria-label^="Experiments"]').first();
    if ((await header.getAttribute('aria-expanded').catch(() => null)) === 'true') await header.click();
    await runCommand(page, 'View: Close All Editors');
  });

  it('shows the runs in the tree, opens the table, selects 3 runs and compares them in charts', async () => {
    const { page } = session();
    await openMlopsContainer(page);
    await expandPane(page, 'Experiments');
    const view = pane(page, 'Experiments');

    // Source (the workspace's mlruns/ file store, read without a server) → experiment → runs.
    const source = view.locator('.monaco-list-row', { hasText: 'mlruns' }).first();
    await source.waitFor({ timeout: 60_000 });
    const experiment = view.locator('.monaco-list-row', { hasText: 'iris-sgd' }).first();
    await experiment.waitFor({ timeout: 30_000 });
    await expandRow(experiment);
    const run = view.locator('.monaco-list-row', { hasText: 'sgd α=' }).first();
    await run.waitFor({ timeout: 30_000 });
    // Each run shows its key metric and age.
    assert.match((await run.textContent()) ?? '', /accuracy=[\d.]+ · \d+ (s|min) ago/);

    // The table, from the experiment's inline action.
    await experiment.hover();
    await experiment.locator('.action-label[aria-label="Open Runs Table"]').click();
    const table = await webviewFrame(page, 'Runs: iris-sgd');
    await table.locator('.row').first().waitFor({ timeout: 30_000 });
    assert.match((await table.locator('.status').textContent()) ?? '', /12 runs/);

    // Sort by accuracy (click its header), filter with MLflow's syntax (applied locally on a file store).
    await table.locator('.cell.head[data-column="metrics.accuracy"]').click();
    await table.locator('.cell.head.desc[data-column="metrics.accuracy"]').waitFor();
    await table.locator('vscode-textfield.filter input').fill("params.learning_rate = 'adaptive'");
    await table.locator('vscode-textfield.filter input').press('Enter');
    await table.locator('.status', { hasText: /4 runs · filtered here/ }).waitFor({ timeout: 30_000 });

    // Select three runs and compare.
    const boxes = table.locator('.row input[type="checkbox"]');
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();
    const compareBtn = table.locator('vscode-button.compare');
    await table.locator('vscode-button.compare', { hasText: 'Compare (3)' }).waitFor();
    await compareBtn.click();

    const compare = await webviewFrame(page, 'Compare 3 runs');
    // Metric-by-step lines drawn from each run's history, parallel coordinates and a scatter.
    await compare.locator('body[data-history-metric="accuracy"]').waitFor({ timeout: 60_000 });
    assert.equal(await compare.locator('.chart canvas').count() >= 3, true, 'three charts drawn on canvas');
    assert.equal(await compare.locator('body').getAttribute('data-compared-runs'), '3');
    // The diff table has a column per run and marks params that differ.
    assert.equal(await compare.locator('table.diff tr').first().locator('th').count(), 4);
    await compare.locator('table.diff tr.differs', { hasText: 'alpha' }).first().waitFor();
    await page.waitForTimeout(500);
    await screenshot(page, 'experiments-compare');
  });

  it('shows the sample’s DVC experiments (a repository in a subfolder) and their table', async () => {
    const { page } = session();
    await runCommand(page, 'View: Close All Editors');
    const view = pane(page, 'Experiments');
    // Fold the MLflow source away, so the list has room for the DVC one.
    const mlruns = view.locator('.monaco-list-row', { hasText: 'mlruns' }).first();
    if ((await mlruns.getAttribute('aria-expanded')) === 'true') await mlruns.locator('.monaco-tl-twistie').click();
    // The iris-dvc repository: `dvc exp show` run through mlops.python.path.
    const source = view.locator('.monaco-list-row', { hasText: 'iris-dvc (DVC)' }).first();
    await source.waitFor({ timeout: 60_000 });
    await expandRow(source);
    const main = view.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^main$/ }) }).first();
    await main.waitFor({ timeout: 60_000 });
    await expandRow(main);
    // Its experiments, each with its accuracy (the pane is short: the table counts them).
    await view.locator('.monaco-list-row[aria-level="3"]', { hasText: /accuracy=(0\.\d+|1) · / }).first().waitFor({ timeout: 30_000 });
    await main.hover();
    await main.locator('.action-label[aria-label="Open Runs Table"]').click();
    const table = await webviewFrame(page, 'Runs: main');
    await table.locator('.status', { hasText: /4 runs/ }).waitFor({ timeout: 60_000 });
    await table.locator('.cell.head[data-column="params.train.alpha"]').waitFor();
    assert.equal(await table.locator('.row').count(), 4, 'four rows: the baseline and three experiments');
  });
});
