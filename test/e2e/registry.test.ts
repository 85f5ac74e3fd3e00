// From the model registry to the cluster in a real VS Code: the sample's runs logged to a
// real `mlflow server` (its own artifact proxy, as `mlflow server` runs by default), the best
// run's model registered from the Experiments view, @champion set, then Deploy This Version…
// on the Models view: a project scaffolded from models:/…@champion, the version downloaded
// into it, built, delivered and rolled out on the real test cluster. v2 registered, the alias
// moved, the offered redeploy accepted; then a rollback to v1, and the alias moved back.
// Each step checked in the UI, in MLflow's answers and in the cluster.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { MlflowClient } from '../../src/experiments/core/mlflow/client';
import { KubeClient } from '../../src/kube/core/client';
import { SERVED_HISTORY, parseServedHistory } from '../../src/kube/core/servedHistory';
import { MlflowRegistry } from '../../src/registry/core/mlflowRegistry';
import { servedFrom } from '../../src/registry/core/model';
import { deleteNamespaceAndWait } from '../integration/helpers/kube';
import type { Server } from '../integration/helpers/processes';
import { run, startMlflowServer, venvPython } from '../integration/helpers/processes';
import { BASE_IMAGE, answerInputBox, answerQuickPick, clickNotificationButton, collapseOtherPanes, expandRow, kubeCoordinates, openMlopsContainer, paneStates, restorePanes, root, runCommand, screenshot, session, waitForToast, webviewFrame } from './harness';

const pane = (page: Page, title: string) => page.locator(`.sidebar .pane:has(> .pane-header[aria-label^="${title}"])`);
const NAMESPACE = `mlops-e2e-reg-${Date.now().toString(36)}`;
const MODEL = 'iris-e2e';
const PROJECT = 'iris-e2e-api';

async function expandPane(page: Page, title: string): Promise<void> {
  const header = page.locator(`.sidebar .pane-header[aria-label^="${title}"]`).first();
  await header.waitFor({ timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

/** Right-clicks a tree row and picks an item of its context menu. */
async function contextMenu(page: Page, row: Locator, item: string): Promise<void> {
  await row.click({ button: 'right' });
  const entry = page.locator('.monaco-menu .action-item .action-label', { hasText: item }).first();
  await entry.waitFor({ timeout: 15_000 });
  await entry.click();
}

describe('model registry → one-click deploy → alias move → rollback, in a real VS Code on a real cluster', function () {
  this.timeout(20 * 60_000);
  let kube: Record<string, string> = {};
  let client: KubeClient | undefined;
  let mlflow: Server | undefined;
  let registry: MlflowRegistry;
  let bestRun = '';
  let panes: Map<string, boolean> | undefined;

  before(async function () {
    this.timeout(45 * 60_000);
    kube = await kubeCoordinates('up');
    client = await KubeClient.load({ env: { ...process.env, KUBECONFIG: kube.KUBECONFIG! } });
    const baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    assert.equal(baseImage, BASE_IMAGE);
    // A team's MLflow server, and the sample's runs logged to it as its README says.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mlops-e2e-mlflow-'));
    mlflow = await startMlflowServer(dir, undefined, { proxied: true });
    const { workspace } = session();
    const r = await run(venvPython(), [path.join(workspace, 'experiments', 'log_runs.py')], { cwd: workspace, env: { MLFLOW_TRACKING_URI: mlflow.url }, timeoutMs: 300_000 });
    assert.equal(r.code, 0, r.out);
    bestRun = /best ([0-9a-f]{32})/.exec(r.out)![1]!;
    registry = new MlflowRegistry(new MlflowClient(mlflow.url));
    const file = path.join(workspace, '.vscode', 'settings.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), 'mlops.mlflow.trackingUri': mlflow.url, 'mlops.kubernetes.namespace': NAMESPACE }, null, 2));
  });

  after(async function () {
    this.timeout(5 * 60_000);
    const { page, workspace } = session();
    if (panes) await restorePanes(page, panes).catch(() => undefined);
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    const file = path.join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete settings['mlops.mlflow.trackingUri'];
    delete settings['mlops.kubernetes.namespace'];
    writeFileSync(file, JSON.stringify(settings, null, 2));
    if (client) await deleteNamespaceAndWait(client, NAMESPACE);
    rmSync(path.join(workspace, PROJECT), { recursive: true, force: true });
    const images = execFileSync('docker', ['images', '--filter', `reference=${PROJECT}`, '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    if (images.length) execFileSync('docker', ['rmi', '-f', ...images], { stdio: 'ignore' });
    await mlflow?.stop();
    await kubeCoordinates('down');
  });

  /** What the Deployment's pods serve, as the cluster records it. */
  const servedNow = async (): Promise<ReturnType<typeof servedFrom>> => servedFrom((await client!.deployment(NAMESPACE, PROJECT))?.spec?.template?.metadata?.annotations);

  /** The workload's row in the Kubernetes view, once it says `text`. */
  async function workloadSays(page: Page, text: RegExp): Promise<Locator> {
    await collapseOtherPanes(page, 'Kubernetes');
    await expandPane(page, 'Kubernetes');
    const view = pane(page, 'Kubernetes');
    const row = view.locator(`.monaco-list-row[aria-label^="${PROJECT}"]`, { hasText: text }).first();
    const deadline = Date.now() + 60_000;
    while (!(await row.isVisible())) {
      if (Date.now() > deadline) throw new Error(`the Kubernetes view does not show ${text}: ${await view.locator(`.monaco-list-row[aria-label^="${PROJECT}"]`).first().textContent().catch(() => '(no row)')}`);
      await view.locator('.pane-header').hover();
      await view.locator('.action-label[aria-label="Refresh Kubernetes"]').click();
      await page.waitForTimeout(2000);
    }
    return row;
  }

  /** The version row of MODEL in the Models view. */
  async function versionRow(page: Page, version: string): Promise<Locator> {
    await collapseOtherPanes(page, 'Models');
    await expandPane(page, 'Models');
    const view = pane(page, 'Models');
    const source = view.locator('.monaco-list-row', { hasText: mlflow!.url.replace('http://', '') }).first();
    await source.waitFor({ timeout: 60_000 });
    await expandRow(source);
    const model = view.locator(`.monaco-list-row[aria-label^="${MODEL}"]`).first();
    await model.waitFor({ timeout: 30_000 });
    await expandRow(model);
    const row = view.locator(`.monaco-list-row[aria-level="3"][aria-label^="v${version}"]`).first();
    await row.waitFor({ timeout: 30_000 });
    return row;
  }

  it('registers the best sample run’s model from the Experiments view and sets @champion', async () => {
    const { page } = session();
    await openMlopsContainer(page);
    panes = await paneStates(page);
    await expandPane(page, 'Experiments');
    await collapseOtherPanes(page, 'Experiments');
    const view = pane(page, 'Experiments');
    const source = view.locator('.monaco-list-row', { hasText: mlflow!.url.replace('http://', '') }).first();
    await source.waitFor({ timeout: 60_000 });
    // Only the server: the workspace's own mlruns folded away.
    const mlruns = view.locator('.monaco-list-row', { hasText: 'mlruns' }).first();
    if ((await mlruns.getAttribute('aria-expanded').catch(() => null)) === 'true') await mlruns.locator('.monaco-tl-twistie').click();
    await expandRow(source);
    const experiment = view.locator('.monaco-list-row[aria-level="2"]', { hasText: 'iris-sgd' }).first();
    await expandRow(experiment);
    const runName = (await new MlflowClient(mlflow!.url).run(bestRun)).name;
    const runRow = view.locator('.monaco-list-row[aria-level="3"]', { hasText: runName }).first();
    await runRow.waitFor({ timeout: 30_000 });
    await contextMenu(page, runRow, 'Register Model…');
    await answerQuickPick(page, 'New registered model', 'Register the model of');
    await answerInputBox(page, 'Name of the new registered model', MODEL);
    await clickNotificationButton(page, `as ${MODEL} v1`, 'Set Alias…');
    await answerInputBox(page, `Alias for ${MODEL} v1`, 'champion');
    await page.locator('.statusbar', { hasText: `@champion → ${MODEL} v1` }).waitFor({ timeout: 30_000 });
    assert.equal((await registry.versionByAlias(MODEL, 'champion')).version, '1');
    const v1 = await versionRow(page, '1');
    assert.match((await v1.textContent()) ?? '', /@champion/);
  });

  it('deploys v1 with one click: a project scaffolded from models:/…@champion, the version downloaded into it, rolled out, serving “v1 (@champion)”', async () => {
    const { page, workspace } = session();
    const v1 = await versionRow(page, '1');
    await v1.hover();
    await v1.locator('.action-label[aria-label="Deploy This Version…"]').click();
    // No project serves the model yet: offered to make one, then to deploy it.
    const dialog = page.locator('.monaco-dialog-box', { hasText: `No model API in this workspace serves ${MODEL}` });
    await dialog.waitFor({ timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: 'New Model API…' }).click();
    await answerQuickPick(page, `models:/${MODEL}@champion`, `Serve ${MODEL} v1 as`);
    const form = await webviewFrame(page, 'New Model API');
    const name = form.locator('vscode-textfield#projectName');
    await name.waitFor({ timeout: 30_000 });
    assert.equal(await name.evaluate((e) => (e as HTMLInputElement).value), PROJECT);
    // The features come from the logged signature (four float columns), not typed.
    assert.match(await form.locator('vscode-textarea#features').evaluate((e) => (e as HTMLTextAreaElement).value), /x0:float, x1:float, x2:float, x3:float/);
    await form.locator('vscode-button#create').click();
    await answerQuickPick(page, 'Create the Project', `The plan: ${PROJECT}`);
    await clickNotificationButton(page, 'is not in a Git repository', 'Not Now');
    // The deploy goes on by itself: the namespace is new, so it asks first.
    const ns = page.locator('.monaco-dialog-box', { hasText: `Namespace ${NAMESPACE} does not exist` });
    await ns.waitFor({ timeout: 10 * 60_000 });
    await ns.locator('.monaco-button', { hasText: 'Create Namespace' }).click();
    await waitForToast(page, new RegExp(`Deployed ${PROJECT} revision 1 .*Smoke test passed: /predict 200`), /Deploy failed|check failed/, 15 * 60_000);
    const record = JSON.parse(readFileSync(path.join(workspace, PROJECT, 'model', 'registered.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual([record.name, record.version, record.alias], [MODEL, '1', 'champion']);
    assert.ok(existsSync(path.join(workspace, PROJECT, 'model', 'MLmodel')));
    assert.deepEqual(await servedNow(), { name: MODEL, version: '1', alias: 'champion' });
    const row = await workloadSays(page, new RegExp(`serving ${MODEL} v1 \\(@champion\\)`));
    assert.match((await row.textContent()) ?? '', /1\/1/);
    await screenshot(page, 'registry-deployed-v1');
  });

  it('registers v2, moves @champion to it, accepts the redeploy offered, and serves v2', async () => {
    const { page } = session();
    await collapseOtherPanes(page, 'Experiments');
    await expandPane(page, 'Experiments');
    const view = pane(page, 'Experiments');
    const runName = (await new MlflowClient(mlflow!.url).run(bestRun)).name;
    const runRow = view.locator('.monaco-list-row[aria-level="3"]', { hasText: runName }).first();
    await runRow.waitFor({ timeout: 30_000 });
    await contextMenu(page, runRow, 'Register Model…');
    await answerQuickPick(page, MODEL, 'Register the model of');
    await clickNotificationButton(page, `as ${MODEL} v2`, 'Set Alias…');
    await answerInputBox(page, `Alias for ${MODEL} v2`, 'champion');
    const move = page.locator('.monaco-dialog-box', { hasText: `@champion points at v1 of ${MODEL}. Move it to v2?` });
    await move.waitFor({ timeout: 30_000 });
    await move.locator('.monaco-button', { hasText: 'Move @champion' }).click();
    // What serves @champion from the cluster still serves v1: a redeploy is offered.
    await clickNotificationButton(page, `@champion now points at ${MODEL} v2`, 'Redeploy with v2');
    await waitForToast(page, new RegExp(`Deployed ${PROJECT} revision 2 .*Smoke test passed: /predict 200`), /Deploy failed|check failed/, 15 * 60_000);
    assert.equal((await registry.versionByAlias(MODEL, 'champion')).version, '2');
    assert.deepEqual(await servedNow(), { name: MODEL, version: '2', alias: 'champion' });
    await workloadSays(page, new RegExp(`serving ${MODEL} v2 \\(@champion\\)`));
    await screenshot(page, 'registry-redeployed-v2');
  });

  it('rolls back to the revision serving v1, offers to move @champion back, and the deployment panel shows the serving history', async () => {
    const { page } = session();
    const row = await workloadSays(page, /v2 \(@champion\)/);
    await contextMenu(page, row, 'Roll Back…');
    // The revisions say which registered version each served.
    await answerQuickPick(page, `serving ${MODEL} v1 (@champion)`, `Roll ${PROJECT} back to which revision?`);
    await waitForToast(page, new RegExp(`${PROJECT} serves revision 1 again \\(serving ${MODEL} v1 \\(@champion\\)\\)`), /failed|error/i, 5 * 60_000);
    assert.deepEqual(await servedNow(), { name: MODEL, version: '1', alias: 'champion' });
    await clickNotificationButton(page, `Rolled back to ${MODEL} v1, but @champion still points at v2`, 'Move @champion to v1');
    const deadline = Date.now() + 30_000;
    while ((await registry.versionByAlias(MODEL, 'champion')).version !== '1') {
      if (Date.now() > deadline) throw new Error('@champion was not moved back to v1');
      await page.waitForTimeout(500);
    }
    const back = await workloadSays(page, new RegExp(`serving ${MODEL} v1 \\(@champion\\)`));
    // The history on the Deployment: v1, then v2, then v1 again.
    const history = parseServedHistory((await client!.deployment(NAMESPACE, PROJECT))?.metadata?.annotations?.[SERVED_HISTORY]);
    assert.deepEqual(history.map((e) => e.served?.version), ['1', '2', '1']);
    await contextMenu(page, back, 'Open Deployment');
    const frame = await webviewFrame(page, `Deployment: ${PROJECT}`);
    const timeline = frame.locator('table.timeline');
    await timeline.waitFor({ timeout: 30_000 });
    const rows = await timeline.locator('tr[data-served-revision]').allTextContents();
    assert.equal(rows.length, 3, rows.join(' | '));
    assert.match(rows[0]!, new RegExp(`${MODEL} v1 \\(@champion\\).*now`));
    assert.match(rows[1]!, new RegExp(`${MODEL} v2 \\(@champion\\)`));
    assert.match(rows[2]!, new RegExp(`${MODEL} v1 \\(@champion\\)`));
    await screenshot(page, 'registry-rollback-history');
  });
});
