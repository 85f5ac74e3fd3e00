// One-click containerize and deploy in a real VS Code, on the real test cluster
// (test/env/kube-cluster.sh) with the real Docker engine: the sample project's inline
// action builds, delivers, applies, rolls out, port-forwards and smoke-tests, asking first
// to create the missing namespace; the Kubernetes tree shows the workload; the deployment
// panel sends a request through the port-forward and shows the response and its latency;
// the CodeLens above the Dockerfile redeploys the unchanged project without a new rollout.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { KubeClient } from '../../src/kube/core/client';
import { deleteNamespaceAndWait } from '../integration/helpers/kube';
import { SHOP, writeShopApi } from '../helpers/userProjects';
import { BASE_IMAGE, collapseOtherPanes, kubeCoordinates, openMlopsContainer, paneStates, restorePanes, root, runCommand, screenshot, session, waitForToast, webviewFrame } from './harness';

const pane = (page: Page, title: string) => page.locator(`.sidebar .pane:has(> .pane-header[aria-label^="${title}"])`);
const NAMESPACE = `mlops-e2e-${Date.now().toString(36)}`;

describe('one-click deploy in a real VS Code, to a real cluster', function () {
  this.timeout(15 * 60_000);
  let kube: Record<string, string> = {};
  let client: KubeClient | undefined;
  let panes: Map<string, boolean> | undefined;

  before(async function () {
    this.timeout(45 * 60_000);
    kube = await kubeCoordinates('up');
    client = await KubeClient.load({ env: { ...process.env, KUBECONFIG: kube.KUBECONFIG! } });
    const baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    assert.equal(baseImage, BASE_IMAGE);
    // Deploys go to a namespace that does not exist yet: the extension must ask to create it.
    const { workspace } = session();
    const file = path.join(workspace, '.vscode', 'settings.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), 'mlops.kubernetes.namespace': NAMESPACE }, null, 2));
  });

  after(async function () {
    this.timeout(5 * 60_000);
    const { page, workspace } = session();
    // The side bar as the tests that follow expect it: every pane open, no editor left.
    if (panes) await restorePanes(page, panes).catch(() => undefined);
    await runCommand(page, 'View: Close All Editors').catch(() => undefined);
    const file = path.join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    delete settings['mlops.kubernetes.namespace'];
    writeFileSync(file, JSON.stringify(settings, null, 2));
    if (client) await deleteNamespaceAndWait(client, NAMESPACE);
    // The deploy's images (the docker test that follows builds its own).
    rmSync(path.join(workspace, SHOP.folder), { recursive: true, force: true });
    const images = ['iris-api', SHOP.folder].flatMap((r) => execFileSync('docker', ['images', '--filter', `reference=${r}`, '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).split('\n').filter(Boolean));
    if (images.length) execFileSync('docker', ['rmi', '-f', ...images], { stdio: 'ignore' });
    await kubeCoordinates('down');
  });

  it('deploys the sample API with one click: build, delivery, rollout, port-forward and a passing smoke test shown in the UI', async () => {
    const { page } = session();
    await openMlopsContainer(page);
    panes = await paneStates(page);
    // The tree may have tried the cluster before it was up.
    const kubePane = pane(page, 'Kubernetes');
    await kubePane.locator('.pane-header').hover();
    await kubePane.locator('.action-label[aria-label="Refresh Kubernetes"]').click();

    const apiRow = pane(page, 'Model APIs').locator('.monaco-list-row', { hasText: 'iris-api' }).first();
    await apiRow.waitFor({ timeout: 30_000 });
    await apiRow.hover();
    await apiRow.locator('.action-label[aria-label="Containerize and Deploy"]').click();

    // The namespace is missing: asked first, then created.
    const dialog = page.locator('.monaco-dialog-box', { hasText: `Namespace ${NAMESPACE} does not exist` });
    await dialog.waitFor({ timeout: 5 * 60_000 });
    await dialog.locator('.monaco-button', { hasText: 'Create Namespace' }).click();

    // One progress, step by step, then the smoke test's result.
    const done = await waitForToast(page, /Smoke test passed: \/predict 200/, /Deploy failed/, 10 * 60_000);
    const text = (await done.textContent()) ?? '';
    assert.match(text, new RegExp(`Deployed iris-api revision 1 to .*/${NAMESPACE}`));
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    assert.ok(url, text);
    // The port-forward the toast names really reaches the API.
    const r = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: readFileSync(path.join(session().workspace, 'iris-api', 'sample-payload.json'), 'utf8') });
    assert.equal(r.status, 200);

    // On the cluster: the Deployment, ready, annotated with the model version and image id.
    const dep = (await client!.deployment(NAMESPACE, 'iris-api'))!;
    assert.equal(dep.status?.readyReplicas, 1);
    assert.equal(dep.spec?.template?.metadata?.annotations?.['mlops.workbench/model-version'], '0.1.0');
    assert.match(dep.spec?.template?.metadata?.annotations?.['mlops.workbench/image-id'] ?? '', /^sha256:/);
    assert.equal(dep.metadata?.labels?.['app.kubernetes.io/managed-by'], 'mlops-workbench');

    // The Kubernetes tree shows it under the namespace, with its model version.
    await collapseOtherPanes(page, 'Kubernetes');
    const workload = kubePane.locator('.monaco-list-row[aria-label^="iris-api"]').first();
    await workload.waitFor({ timeout: 30_000 });
    assert.match((await workload.textContent()) ?? '', /1\/1 · model 0\.1\.0 · rev 1/);
    await kubePane.locator(`.monaco-list-row[aria-label^="${NAMESPACE}"]`).first().waitFor();
    // The managed port-forward is listed.
    assert.match((await kubePane.locator('.monaco-list-row', { hasText: /127\.0\.0\.1:\d+ → iris-api-/ }).first().textContent()) ?? '', new RegExp(url.replace('http://', '').replace(/\./g, '\\.')));
    await screenshot(page, 'deploy-smoke-test-passed');

    // The toast's "Open Deployment": the panel, and a live request through the port-forward.
    await done.locator('.monaco-button', { hasText: 'Open Deployment' }).click();
    const frame = await webviewFrame(page, 'Deployment: iris-api');
    await frame.locator('h1', { hasText: 'iris-api' }).waitFor({ timeout: 30_000 });
    await frame.locator('tr[data-revision="1"]', { hasText: '0.1.0' }).waitFor({ timeout: 30_000 });
    await frame.locator('#send').click();
    await frame.locator('#response', { hasText: 'Status 200' }).waitFor({ timeout: 60_000 });
    assert.match((await frame.locator('#response').textContent()) ?? '', /Latency: \d+(\.\d)? ms[\s\S]*predictions/);
    await screenshot(page, 'deployment-panel');
  });

  it('redeploys from the CodeLens above the Dockerfile: the unchanged project makes no new rollout', async () => {
    const { page } = session();
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input[role="combobox"]');
    await input.waitFor();
    await input.fill('iris-api/Dockerfile');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Dockerfile' }).first().waitFor({ timeout: 15_000 });
    await input.press('Enter');
    const lens = page.locator('.codelens-decoration a', { hasText: 'Containerize and Deploy' }).first();
    await lens.waitFor({ timeout: 30_000 });
    await lens.click();
    await waitForToast(page, /iris-api is unchanged: revision 1 keeps serving/, /Deploy failed/, 10 * 60_000);
    assert.equal((await client!.deployment(NAMESPACE, 'iris-api'))?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  });

  it('deploys a user’s own FastAPI app with one click: its lowercase dockerfile and root manifests, the Docker Hub image replaced by the local build, smoke-tested from its OpenAPI schema', async () => {
    const { page, workspace } = session();
    const app = writeShopApi(workspace, BASE_IMAGE);
    await openMlopsContainer(page, { waitForRows: false });
    // The Model APIs view, open (the test above left the Kubernetes one alone).
    const header = page.locator('.sidebar .pane-header[aria-label^="Model APIs"]').first();
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
    const apiRow = pane(page, 'Model APIs').locator('.monaco-list-row', { hasText: SHOP.folder }).first();
    // A folder that appears whole (copied or cloned in) may reach the file watcher as the folder
    // alone, without its Dockerfile's own event: then the view's Refresh, as a user would press it.
    if (!(await apiRow.waitFor({ timeout: 15_000 }).then(() => true, () => false))) {
      await runCommand(page, 'MLOps: Refresh Model APIs');
      await apiRow.waitFor({ timeout: 60_000 });
    }
    await apiRow.hover();
    await apiRow.locator('.action-label[aria-label="Containerize and Deploy"]').click();
    await waitForToast(page, new RegExp(`Deployed ${SHOP.deployment} revision 1 to .*/${NAMESPACE}.*Smoke test passed: /predict 200`), /Deploy failed|check failed/, 10 * 60_000);
    const dep = (await client!.deployment(NAMESPACE, SHOP.deployment))!;
    assert.equal(dep.status?.readyReplicas, 1);
    assert.match(dep.spec!.template.spec!.containers[0]!.image!, /shop_api_2024:/, 'the local build, not the Docker Hub image its manifest names');
    assert.match(readFileSync(path.join(app, 'deployment.yaml'), 'utf8'), new RegExp(`image: ${SHOP.hubImage}`), 'its manifest as it was');
    await screenshot(page, 'deploy-users-own-app');
  });
});

