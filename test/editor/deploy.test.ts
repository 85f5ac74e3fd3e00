// Deploy and the Kubernetes commands in the real editor, on the real test cluster with the
// real Docker engine: one-click deploy of the sample project into a new namespace, then
// every action on the workload, ending with a delete that leaves alone what is not ours.
import { strict as assert } from 'node:assert';
import { mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { KubeObject } from '../../src/deploy/core/manifests';
import { summarizeDeployment } from '../../src/kube/core/model';
import type { KubeNode } from '../../src/kube/tree';
import { DeploymentPanel } from '../../src/kube/panel';
import { Commands, EXTENSION_ID, Settings, WebviewPanels } from '../../src/vscode/ids';
import { answer, capturePanels, eventually, extension, within, workspaceFolder } from './helpers';

const NAMESPACE = `mlops-editor-${Date.now().toString(36)}`;
const NAME = 'iris-api';
const button = (label: RegExp) => (_m: string, ...rest: unknown[]): unknown => rest.find((b) => typeof b === 'string' && label.test(b));

describe('deploy and kubernetes commands on a real cluster (editor)', function () {
  this.timeout(15 * 60_000);
  let restore: () => void = () => undefined;
  afterEach(() => restore());
  let apiDir: string;

  const kube = async () => (await extension()).kube.client();
  const workload = async (): Promise<KubeNode> => {
    const client = await kube();
    const dep = await client.deployment(NAMESPACE, NAME);
    assert.ok(dep, `${NAME} is deployed in ${NAMESPACE}`);
    return { kind: 'workload', context: client.context, workload: summarizeDeployment(dep) };
  };

  before(async () => {
    apiDir = path.join(workspaceFolder().fsPath, 'iris-api');
    await vscode.workspace.getConfiguration().update(Settings.kubernetesNamespace, NAMESPACE, vscode.ConfigurationTarget.Workspace);
  });

  after(async function () {
    this.timeout(5 * 60_000);
    await vscode.workspace.getConfiguration().update(Settings.kubernetesNamespace, undefined, vscode.ConfigurationTarget.Workspace);
    const client = await kube();
    await client.deleteObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }]).catch(() => undefined);
    for (const f of (await extension()).kube.forwards.list()) await (await extension()).kube.forwards.stop(f.id);
  });

  it('Containerize and Deploy asks to create the namespace, then builds, delivers, rolls out and smoke-tests; a second click meanwhile starts nothing', async () => {
    const a = answer({ showWarningMessage: [button(/^Create Namespace$/)], showInformationMessage: [undefined, undefined] });
    restore = a.restore;
    const first = vscode.commands.executeCommand(Commands.deployContainerizeAndDeploy, vscode.Uri.file(apiDir));
    // A second click while it builds (the CodeLens and the status bar both offer it) starts nothing.
    await new Promise((r) => setTimeout(r, 300));
    await vscode.commands.executeCommand(Commands.deployContainerizeAndDeploy, vscode.Uri.file(apiDir));
    assert.ok(a.asked.some((q) => new RegExp(`A deploy of iris-api to .*/${NAMESPACE} is already running`).test(q.text)), a.asked.map((q) => q.text).join(' | '));
    await first;
    const errors = a.asked.filter((q) => q.method === 'showErrorMessage');
    assert.deepEqual(errors, [], errors.map((e) => e.text).join(' | '));
    // The namespace is asked about before the build (a refusal then costs no build).
    assert.ok(a.asked.some((q) => new RegExp(`Namespace ${NAMESPACE} does not exist`).test(q.text)), a.asked.map((q) => q.text).join(' | '));
    assert.match(a.asked.at(-1)!.text, new RegExp(`Deployed ${NAME} revision 1 to .*/${NAMESPACE}`));
    await vscode.commands.executeCommand(Commands.deployShowOutput);
    await vscode.commands.executeCommand(Commands.kubernetesRefresh);
    assert.equal((await workload()).kind, 'workload');
  });

  it('a user\'s project with a huge context: Deploy asks what a build asks, before anything else; dismissed, nothing is built or asked of the cluster', async () => {
    const dir = path.join(workspaceFolder().fsPath, 'huge_deploy');
    mkdirSync(path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), 'ARG BASE_IMAGE=python:3.12-slim\nFROM ${BASE_IMAGE}\nCOPY app.py .\nCMD ["python3", "app.py"]\n');
    writeFileSync(path.join(dir, 'app.py'), 'print(1)\n');
    writeFileSync(path.join(dir, 'data', 'big.bin'), '');
    truncateSync(path.join(dir, 'data', 'big.bin'), 120 * 1024 * 1024);
    try {
      const a = answer({ showWarningMessage: [undefined] });
      restore = a.restore;
      await vscode.commands.executeCommand(Commands.deployContainerizeAndDeploy, vscode.Uri.file(dir));
      assert.equal(a.asked.length, 1, a.asked.map((q) => q.text).join(' | '));
      assert.match(a.asked[0]!.text, /The build context of huge_deploy is 120\.\d MB/);
      assert.ok(a.asked[0]!.options.includes('Deploy Anyway'), a.asked[0]!.options.join(', '));
      const images = await (await (await extension()).docker.client()).images();
      assert.ok(!images.some((i) => i.tags.some((t) => t.startsWith('huge_deploy:'))), 'nothing built');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Open Deployment, Follow Logs, Smoke Test, Open Endpoint and Open Docs act on the workload', async () => {
    const node = await workload();
    await vscode.commands.executeCommand(Commands.kubernetesOpenDeployment, node);
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(WebviewPanels.deployment)), 'the deployment panel');

    await vscode.commands.executeCommand(Commands.kubernetesFollowLogs, node);
    const terminal = await eventually(() => vscode.window.terminals.find((t) => t.name.startsWith(`Logs: ${NAME}-`)), 'the logs terminal');
    terminal!.dispose();

    const a = answer({ showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesSmokeTest, node);
    assert.match(a.asked.at(-1)!.text, /^Smoke test passed: \/predict 200/);

    // The editor's env is frozen (openExternal cannot be stubbed): the browser really opens
    // them; each command must finish without an error, through a forward that answers.
    const before = a.asked.length;
    await within(30_000, 'Open Endpoint', () => vscode.commands.executeCommand(Commands.kubernetesOpenEndpoint, node));
    await within(30_000, 'Open Docs', () => vscode.commands.executeCommand(Commands.kubernetesOpenDocs, node));
    assert.deepEqual(a.asked.slice(before).filter((q) => q.method === 'showErrorMessage'), []);
    const forward = (await extension()).kube.forwards.list().find((f) => f.namespace === NAMESPACE)!;
    assert.equal((await fetch(`${forward.url}/docs`)).status, 200);
  });

  it('Port Forward on a chosen port, and Stop Port Forward', async () => {
    const ext = await extension();
    const node = await workload();
    for (const f of ext.kube.forwards.list()) await ext.kube.forwards.stop(f.id);
    const a = answer({ showInputBox: ['18791'], showInformationMessage: [undefined], showWarningMessage: [button(/^Use \d+$/)] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesPortForward, node);
    const forward = ext.kube.forwards.list().find((f) => f.namespace === NAMESPACE);
    assert.ok(forward, 'a forward');
    assert.equal((await fetch(`${forward.url}/health`)).status, 200);
    await vscode.commands.executeCommand(Commands.kubernetesStopPortForward, { kind: 'forward', forward } satisfies KubeNode);
    assert.equal(ext.kube.forwards.list().some((f) => f.id === forward.id), false);
  });

  it('Scale to 2 and back, Restart makes a new revision, Rollback (picked) serves the first again', async () => {
    const client = await kube();
    let a = answer({ showInputBox: ['2'] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesScale, await workload());
    await eventually(async () => (await client.deployment(NAMESPACE, NAME))?.spec?.replicas === 2, 'two replicas');
    a.restore();
    a = answer({ showInputBox: ['1'] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesScale, await workload());
    await eventually(async () => (await client.deployment(NAMESPACE, NAME))?.spec?.replicas === 1, 'one replica');
    a.restore();

    await vscode.commands.executeCommand(Commands.kubernetesRestart, await workload());
    const history = await client.history(NAMESPACE, NAME);
    assert.equal(history.find((r) => r.current)?.revision, 2, JSON.stringify(history.map((r) => [r.revision, r.current])));

    a = answer({ showQuickPick: [async (items: Thenable<{ label: string }[]> | { label: string }[]) => (await items).find((i) => i.label === 'Revision 1')], showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesRollback, await workload());
    assert.match(a.asked.at(-1)!.text, new RegExp(`^${NAME} serves revision 1 again`));
    assert.equal((await client.history(NAMESPACE, NAME)).find((r) => r.current)?.revision, 3, 'a rollback is a new revision with the old template');
  });

  it('Deployment panel: a slow read from before a rollback never replaces the newer one; a burst of reloads is one read', async () => {
    const ext = await extension();
    const real = await kube();
    const revisions = (await real.history(NAMESPACE, NAME)).length;
    assert.ok(revisions >= 2, `${revisions} revisions`);
    // The service as the panel sees it, with a client whose first history read is slow and
    // stale (the revision list as it was before the rollback).
    let reads = 0;
    let slowOnce = true;
    const client = Object.create(real) as typeof real;
    client.history = async (ns: string, name: string) => {
      reads++;
      const now = await real.history(ns, name);
      if (!slowOnce) return now;
      slowOnce = false;
      await new Promise((r) => setTimeout(r, 1500));
      return now.slice(0, 1);
    };
    const service = Object.create(ext.kube) as typeof ext.kube;
    service.client = async () => client;
    const ref = { context: real.context, namespace: NAMESPACE, name: NAME };
    const [view] = await capturePanels(() => DeploymentPanel.show(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, service, ref, ext.logger.for('test')));
    try {
      type State = { type: string; state?: { revisions: unknown[] } };
      const states = (): State[] => (view!.posted as State[]).filter((m) => m.type === 'state');
      // The page's ready starts the slow read; a refresh right after starts a fast one.
      await eventually(() => reads >= 1, 'the first read');
      await view!.send({ type: 'refresh' });
      await new Promise((r) => setTimeout(r, 2000));
      assert.ok(states().length >= 1);
      for (const s of states()) assert.equal(s.state?.revisions.length, revisions, 'no state with the stale revision list was posted');
      // Five reasons to reload within moments (an action, its change event, refreshAll): one read.
      const before = reads;
      for (let i = 0; i < 5; i++) DeploymentPanel.refreshAll();
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(reads - before, 1, `${reads - before} reads for one burst`);
    } finally {
      view?.panel.dispose();
    }
  });

  it('Switch Namespace and Switch Context offer the cluster’s namespaces and the kubeconfig’s contexts', async () => {
    const client = await kube();
    let a = answer({ showQuickPick: [async (items: Thenable<{ label: string }[]> | { label: string }[]) => (await items).find((i) => i.label.endsWith(NAMESPACE))] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesSwitchNamespace);
    assert.ok(a.asked[0]!.options.some((o) => o.endsWith('default')), a.asked[0]!.options.join(', '));
    assert.equal(vscode.workspace.getConfiguration().get(Settings.kubernetesNamespace), NAMESPACE);
    a.restore();
    a = answer({ showQuickPick: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesSwitchContext);
    assert.ok(a.asked[0]!.options.some((o) => o.includes(client.context)), a.asked[0]!.options.join(', '));
  });

  it('Delete asks first and removes only what the extension made: a same-named HPA of someone else stays', async () => {
    const client = await kube();
    const theirs: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: NAME, namespace: NAMESPACE, labels: { team: 'other' } },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'something-else' }, minReplicas: 1, maxReplicas: 2 },
    };
    await client.apply([theirs]);
    let a = answer({ showWarningMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesDelete, await workload());
    assert.ok(await client.deployment(NAMESPACE, NAME), 'dismissing kept it');
    assert.match(a.asked[0]!.options.join(' '), /Delete/);
    a.restore();
    a = answer({ showWarningMessage: [button(/^Delete$/)] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.kubernetesDelete, await workload());
    await eventually(async () => !(await client.deployment(NAMESPACE, NAME)), 'the Deployment gone');
    assert.equal(await client.read({ apiVersion: 'v1', kind: 'Service', metadata: { name: NAME, namespace: NAMESPACE } }), undefined, 'our Service gone');
    assert.ok(await client.read(theirs), 'their HPA stays');
  });
});
