// Experiments commands in the real editor, on real stores in the workspace: an mlruns/
// file store and an mlflow.db written by MLflow, and a git + DVC repository with real
// experiments (test/editor/run.ts makes them).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentsNode, RunNode } from '../../src/experiments/tree';
import { Commands, Settings, WebviewPanels } from '../../src/vscode/ids';
import { answer, eventually, extension, workspaceFolder } from './helpers';

type Tree = Awaited<ReturnType<typeof extension>>['experimentsTree'];

async function sourceNode(tree: Tree, match: (n: ExperimentsNode) => boolean): Promise<ExperimentsNode> {
  const roots = await tree.getChildren();
  const found = roots.find(match);
  if (!found) throw new Error(`no such source among ${roots.map((r) => r.kind + ':' + ('source' in r ? r.source.label : '')).join(', ')}`);
  return found;
}

async function runNodes(tree: Tree, source: ExperimentsNode): Promise<RunNode[]> {
  const out: RunNode[] = [];
  for (const exp of await tree.getChildren(source)) {
    if (exp.kind !== 'experiment') continue;
    for (const r of await tree.getChildren(exp)) if (r.kind === 'run') out.push(r);
  }
  return out;
}

const tabOpen = (viewType: string): boolean => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));
const isFiles = (n: ExperimentsNode): boolean => n.kind === 'source' && n.source.kind === 'mlflow-files';
const isDvc = (n: ExperimentsNode): boolean => n.kind === 'source' && n.source.kind === 'dvc';

describe('experiments commands (editor)', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it('Refresh lists the workspace’s file store, its mlflow.db (offered to serve) and the DVC repository', async () => {
    const { experimentsTree } = await extension();
    await vscode.commands.executeCommand(Commands.experimentsRefresh);
    const roots = await experimentsTree.getChildren();
    assert.ok(roots.some(isFiles), 'mlruns/');
    assert.ok(roots.some((n) => n.kind === 'offer' && n.store.path.endsWith('mlflow.db')), 'mlflow.db');
    assert.ok(roots.some(isDvc), 'iris-dvc');
  });

  it('Open Table, Run Details and Compare open their panels; Compare asks for two runs', async () => {
    const { experimentsTree } = await extension();
    const files = await sourceNode(experimentsTree, isFiles);
    const [exp] = (await experimentsTree.getChildren(files)).filter((n) => n.kind === 'experiment');
    await vscode.commands.executeCommand(Commands.experimentsOpenTable, exp);
    await eventually(() => tabOpen(WebviewPanels.runsTable), 'the runs table');
    const runs = await runNodes(experimentsTree, files);
    assert.ok(runs.length >= 2, `${runs.length} runs`);
    await vscode.commands.executeCommand(Commands.experimentsRunDetails, runs[0]);
    await eventually(() => tabOpen(WebviewPanels.runDetails), 'the run details');
    const a = answer({ showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsCompare, runs[0], [runs[0]]);
    assert.match(a.asked[0]!.text, /Select two or more runs/);
    await vscode.commands.executeCommand(Commands.experimentsCompare, runs[0], runs.slice(0, 3));
    await eventually(() => tabOpen(WebviewPanels.compare), 'the compare view');
  });

  it('a store with many run folders that cannot be read shows one summary row, not one per folder', async () => {
    const { experimentsTree } = await extension();
    const files = await sourceNode(experimentsTree, isFiles);
    const exp = (await experimentsTree.getChildren(files)).find((n) => n.kind === 'experiment');
    assert.ok(exp && exp.kind === 'experiment');
    const dir = path.join(workspaceFolder().fsPath, 'mlruns', exp.experiment.id);
    const made = Array.from({ length: 6 }, (_, i) => path.join(dir, `not-a-run-${i}`));
    for (const d of made) mkdirSync(path.join(d, 'params'), { recursive: true });
    try {
      const messages = (await experimentsTree.getChildren(exp)).filter((n) => n.kind === 'message');
      assert.equal(messages.length, 1, messages.map((m) => (m.kind === 'message' ? m.text : '')).join(' | '));
      assert.match(messages[0]!.kind === 'message' ? messages[0]!.text : '', /^\d+ folders could not be read \(the first: .*meta\.yaml is missing\)$/);
    } finally {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    }
  });

  it('Copy Run ID puts the id on the clipboard; Scaffold from Run opens the wizard on the run’s model', async () => {
    const { experimentsTree } = await extension();
    const runs = await runNodes(experimentsTree, await sourceNode(experimentsTree, isFiles));
    await vscode.commands.executeCommand(Commands.experimentsCopyRunId, runs[0]);
    assert.equal(await vscode.env.clipboard.readText(), runs[0]!.run.id);
    // The sweep logged the best run's model: find that run.
    // MLflow 3 keeps logged models beside the runs (mlruns/<experiment>/models/m-*/meta.yaml).
    const exp = runs[0]!.run.experimentId;
    const modelsDir = path.join(workspaceFolder().fsPath, 'mlruns', exp, 'models');
    const owners = readdirSync(modelsDir).map((m) => /source_run_id: (\w+)/.exec(readFileSync(path.join(modelsDir, m, 'meta.yaml'), 'utf8'))?.[1]);
    const withModel = runs.find((r) => owners.includes(r.run.id));
    assert.ok(withModel, 'a run with a logged model');
    await vscode.commands.executeCommand(Commands.experimentsScaffoldFromRun, withModel);
    await eventually(() => tabOpen(WebviewPanels.scaffoldWizard), 'the New Model API wizard');
  });

  it('Set MLflow Server, Sign In (token) and Sign Out: the setting and the secret are what was typed', async () => {
    const { experiments } = await extension();
    const uri = 'http://127.0.0.1:9';
    let a = answer({ showInputBox: [uri] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsSetTrackingUri);
    try {
      await eventually(() => experiments.trackingUri() === uri, 'the tracking URI');
      a.restore();
      a = answer({ showQuickPick: [async (items: Thenable<{ label: string }[]> | { label: string }[]) => (await items).find((i) => /token/i.test(i.label))], showInputBox: ['tok-42'], showInformationMessage: [undefined] });
      restore = a.restore;
      await vscode.commands.executeCommand(Commands.experimentsSignIn);
      assert.deepEqual(await experiments.auth(uri), { kind: 'bearer', token: 'tok-42' });
      await vscode.commands.executeCommand(Commands.experimentsSignOut);
      assert.equal(await experiments.auth(uri), undefined);
    } finally {
      await vscode.workspace.getConfiguration().update(Settings.mlflowTrackingUri, undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('Start MLflow Server serves the workspace’s mlflow.db on loopback; Stop ends it', async () => {
    const { experiments, experimentsTree } = await extension();
    const offer = await sourceNode(experimentsTree, (n) => n.kind === 'offer');
    assert.equal(offer.kind, 'offer');
    const store = (offer as Extract<ExperimentsNode, { kind: 'offer' }>).store;
    const a = answer({ showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsStartServer, { store });
    const server = experiments.serverFor(store.path);
    assert.ok(server?.running, 'a server runs');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    assert.match(a.asked[0]!.text, /MLflow is serving mlflow\.db/);
    await vscode.commands.executeCommand(Commands.experimentsStopServer, { local: { store } });
    assert.equal(experiments.serverFor(store.path), undefined);
    assert.equal(server.running, false);
  });

  it('DVC: Run Experiment with a changed param, Apply it, see the diff against its commit, and a checkout refused over local changes', async function () {
    this.timeout(300_000);
    const { experimentsTree } = await extension();
    const dvc = await sourceNode(experimentsTree, isDvc);
    const repo = (dvc as Extract<ExperimentsNode, { kind: 'source' }>).source.location;
    let a = answer({ showInputBox: ['train.alpha=0.05', 'editor-alpha'], showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsDvcRun, dvc);
    assert.deepEqual(a.asked.map((q) => `${q.method}${q.method === 'showErrorMessage' ? `: ${q.text}` : ''}`), ['showInputBox', 'showInputBox', 'showInformationMessage']);
    const run = (await eventually(async () => (await runNodes(experimentsTree, await sourceNode(experimentsTree, isDvc))).find((r) => r.run.name === 'editor-alpha'), 'the new experiment in the tree', 30_000))!;
    assert.equal(run.run.params['train.alpha'], '0.05');
    assert.ok(Object.keys(run.run.metrics).length > 0, 'with its metrics');
    a.restore();

    a = answer({ showWarningMessage: [(_m: string, _o: unknown, ok: string) => ok] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsDvcApply, run);
    assert.match(readFileSync(path.join(repo, 'params.yaml'), 'utf8'), /alpha: 0\.05/);
    a.restore();

    a = answer({ showInputBox: ['editor-alpha-branch'], showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsDvcBranch, run);
    assert.match(a.asked.at(-1)!.text, /Branch editor-alpha-branch created/);
    a.restore();

    // The baseline's commit: the applied experiment's params differ from it.
    const baseline = (await runNodes(experimentsTree, await sourceNode(experimentsTree, isDvc))).find((r) => r.run.id !== 'workspace' && !r.run.parentId && r.run.gitCommit)!;
    a = answer({ showQuickPick: [async (items: Thenable<{ label: string }[]> | { label: string }[]) => (await items).find((i) => i.label === 'params.yaml')] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsGitDiff, baseline);
    assert.ok(a.asked[0]!.options.includes('params.yaml'), a.asked[0]!.options.join(', '));
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.fsPath.endsWith('params.yaml')), 'the diff editor');
    a.restore();

    a = answer({ showErrorMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsGitCheckout, baseline);
    await eventually(() => a.asked.length > 0, 'the refusal');
    assert.match(a.asked[0]!.text, /uncommitted changes/);
  });

  it('DVC runs its stages in the interpreter selected in the Python extension (its API, through a stand-in); selecting none goes back to mlops.python.path', async function () {
    this.timeout(300_000);
    const { experimentsTree } = await extension();
    // An interpreter with none of the pipeline's packages, as a user may select by mistake.
    const venv = mkdtempSync(path.join(os.tmpdir(), 'mlops-selected-venv-'));
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
    const selected = path.join(venv, 'bin', 'python');
    try {
      await vscode.commands.executeCommand('mlopsTestPython.select', selected);
      const dvc = await sourceNode(experimentsTree, isDvc);
      const repo = (dvc as Extract<ExperimentsNode, { kind: 'source' }>).source.location;
      const before = readFileSync(path.join(repo, 'params.yaml'), 'utf8');
      const a = answer({ showInputBox: ['train.alpha=0.02', ''], showErrorMessage: [(_m: string, ...labels: string[]) => labels.find((l) => l.startsWith('Restore'))] });
      restore = a.restore;
      await vscode.commands.executeCommand(Commands.experimentsDvcRun, dvc);
      const error = await eventually(() => a.asked.find((q) => q.method === 'showErrorMessage'), 'the failure');
      assert.ok(error!.text.includes(`which ${selected} (selected in the Python extension) does not have`), error!.text);
      await eventually(() => readFileSync(path.join(repo, 'params.yaml'), 'utf8') === before, 'params.yaml as it was');
    } finally {
      await vscode.commands.executeCommand('mlopsTestPython.select', '');
      rmSync(venv, { recursive: true, force: true });
    }
  });

  it('DVC: a failed experiment says that it left params.yaml rewritten, and Restore puts it back as it was', async function () {
    this.timeout(300_000);
    const { experimentsTree } = await extension();
    const dvc = await sourceNode(experimentsTree, isDvc);
    const repo = (dvc as Extract<ExperimentsNode, { kind: 'source' }>).source.location;
    const file = path.join(repo, 'params.yaml');
    const before = readFileSync(file, 'utf8');
    const a = answer({ showInputBox: ['train.epochs=oops', ''], showErrorMessage: [(_m: string, ...labels: string[]) => labels.find((l) => l.startsWith('Restore'))] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.experimentsDvcRun, dvc);
    const error = await eventually(() => a.asked.find((q) => q.method === 'showErrorMessage'), 'the failure');
    assert.match(error!.text, /DVC left params\.yaml with the experiment's values/);
    assert.ok(error!.options.includes('Restore params.yaml'), error!.options.join(', '));
    await eventually(() => readFileSync(file, 'utf8') === before, 'params.yaml as it was');
  });

});
