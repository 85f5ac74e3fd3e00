// The Models view in the real editor, on the workspace's own mlflow.db (written by MLflow,
// served by the local server the extension starts): register a run's model from the
// Experiments view, set and move @champion, tag, describe, stage, compare, open the source
// run, filter, delete a version and the model — each through the view's commands, each
// checked in the view the user sees and in the server's own answer.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { ExperimentsNode, RunNode } from '../../src/experiments/tree';
import type { MlflowServerSource } from '../../src/experiments/core/sources';
import type { ModelsNode, VersionNode } from '../../src/registry/tree';
import { Commands, WebviewPanels } from '../../src/vscode/ids';
import { answer, capturePanels, eventually, extension, pick, workspaceFolder } from './helpers';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const MODEL = 'iris sgd — editor';
const tabOpen = (viewType: string): boolean => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));

describe('model registry (editor)', function () {
  this.timeout(180_000);
  let restore: () => void = () => undefined;
  let storePath = '';
  afterEach(() => restore());
  after(async () => {
    if (storePath) await vscode.commands.executeCommand(Commands.experimentsStopServer, { local: { store: { path: storePath } } });
  });

  /** The versions of MODEL in the Models view, as the view shows them (label and description). */
  async function shown(): Promise<Array<{ node: VersionNode; label: string; description: string }>> {
    const { modelsTree } = await extension();
    const roots = await modelsTree.getChildren();
    const source = roots.find((r) => r.kind === 'source' && r.source.kind === 'server');
    if (!source) return [];
    const model = (await modelsTree.getChildren(source)).find((n) => n.kind === 'model' && n.entry.model.name === MODEL);
    if (!model) return [];
    return (await modelsTree.getChildren(model))
      .filter((n): n is VersionNode => n.kind === 'version')
      .map((node) => {
        const item = modelsTree.getTreeItem(node);
        return { node, label: String(item.label), description: String(item.description ?? '') };
      });
  }

  async function modelRun(): Promise<RunNode> {
    const { experimentsTree } = await extension();
    const roots = await experimentsTree.getChildren();
    const offer = roots.find((n): n is Extract<ExperimentsNode, { kind: 'offer' }> => n.kind === 'offer');
    if (offer) {
      storePath = offer.store.path;
      const a = answer({ showInformationMessage: [undefined] });
      await vscode.commands.executeCommand(Commands.experimentsStartServer, { store: offer.store });
      a.restore();
    }
    const served = (await experimentsTree.getChildren()).find((n): n is Extract<ExperimentsNode, { kind: 'source' }> => n.kind === 'source' && !!n.local);
    assert.ok(served, 'the workspace’s mlflow.db is served');
    storePath = served.local!.store.path;
    const client = (served.source as MlflowServerSource).client;
    for (const exp of await experimentsTree.getChildren(served)) {
      for (const r of await experimentsTree.getChildren(exp)) {
        if (r.kind === 'run' && (await client.loggedModelIds(r.run.id)).length) return r;
      }
    }
    throw new Error('no run with a logged model in mlflow.db');
  }

  it('the Models view offers the workspace’s mlflow.db, then shows its (empty) registry once served', async () => {
    const { modelsTree } = await extension();
    await vscode.commands.executeCommand(Commands.registryShow);
    await modelRun();
    const roots = (await eventually(async () => {
      const r = await modelsTree.getChildren();
      return r.some((n) => n.kind === 'source') ? r : undefined;
    }, 'the served registry'))!;
    const source = roots.find((n): n is Extract<ModelsNode, { kind: 'source' }> => n.kind === 'source')!;
    assert.equal(modelsTree.getTreeItem(source).description, 'MLflow');
  });

  it('registers a run’s model from the Experiments view as v1 of a new model, and sets @champion', async () => {
    const run = await modelRun();
    const a = answer({ showQuickPick: [pick('New registered model')], showInputBox: [MODEL, 'champion'], showInformationMessage: [(_m: string, setAlias: string) => setAlias] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryRegisterRunModel, run);
    assert.match(a.asked.find((q) => q.method === 'showInformationMessage')!.text, new RegExp(`as ${MODEL} v1\\.`));
    const versions = (await eventually(async () => ((await shown())[0]?.description.includes('@champion') ? shown() : undefined), '@champion on v1'))!;
    assert.deepEqual(versions.map((v) => v.label), ['v1']);
  });

  it('registers a second version from the run details panel and moves @champion to it after asking', async () => {
    const run = await modelRun();
    const [details] = await capturePanels(() => vscode.commands.executeCommand(Commands.experimentsRunDetails, run));
    const state = (await eventually(() => details!.posted.find((m) => m.type === 'state'), 'the run details', 30_000)) as unknown as { state: { canRegister?: boolean } };
    assert.equal(state.state.canRegister, true, 'the panel offers Register Model…');
    let a = answer({ showQuickPick: [pick(MODEL)], showInformationMessage: [undefined] });
    restore = a.restore;
    await details!.send({ type: 'register' });
    await eventually(() => a.asked.some((q) => q.method === 'showInformationMessage'), 'the registration');
    a.restore();
    details!.panel.dispose();
    const [v2] = (await eventually(async () => ((await shown()).length === 2 ? shown() : undefined), 'v2 in the view'))!;
    assert.equal(v2!.label, 'v2');
    a = answer({ showInputBox: ['champion'], showWarningMessage: [(_m: string, _o: unknown, move: string) => move] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registrySetAlias, v2!.node);
    assert.match(a.asked.find((q) => q.method === 'showWarningMessage')!.text, /@champion points at v1 .* Move it to v2\?/);
    const after = (await eventually(async () => ((await shown())[0]?.description.includes('@champion') ? shown() : undefined), '@champion on v2'))!;
    assert.ok(!after[1]!.description.includes('@champion'), 'and no longer on v1');
    const { registry } = await extension();
    const source = (await registry.serverSources())[0]!;
    assert.equal((await source.registry.versionByAlias(MODEL, 'champion')).version, '2', 'the server agrees');
  });

  it('New Model API from a version: the form is filled with models:/…@champion and the logged signature’s inputs', async () => {
    const [v2] = await shown();
    const a = answer({ showQuickPick: [pick('@champion')] });
    restore = a.restore;
    const panels = await capturePanels(() => vscode.commands.executeCommand(Commands.registryScaffoldFromVersion, v2!.node));
    a.restore();
    const wizard = panels.find((p) => p.panel.viewType.endsWith(WebviewPanels.scaffoldWizard));
    assert.ok(wizard, 'the New Model API form opened');
    const init = (await eventually(() => wizard.posted.find((m) => m.type === 'init'), 'the form’s first state', 30_000)) as unknown as { init: { draft: { source: string; mlflowUri: string; featuresText: string } } };
    // The sample logs its model with infer_signature(X_test, …): a float64 tensor of 4 columns.
    assert.deepEqual([init.init.draft.source, init.init.draft.mlflowUri, init.init.draft.featuresText], ['mlflow', `models:/${MODEL}@champion`, 'x0:float, x1:float, x2:float, x3:float']);
    wizard.panel.dispose();
  });

  it('copies a version’s URI, tags, describes and stages it; filters the view', async () => {
    const { registry, modelsTree } = await extension();
    const [v2] = await shown();
    // The browser's clipboard needs the workbench focused (the last test's webviews had it).
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.focusSideBar');
    let a = answer({ showQuickPick: [pick('@champion')] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryCopyUri, v2!.node);
    assert.equal(await vscode.env.clipboard.readText(), `models:/${MODEL}@champion`);
    a.restore();
    a = answer({ showInputBox: ['team=fraude', 'primera versión buena'] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registrySetTag, v2!.node);
    await vscode.commands.executeCommand(Commands.registryEditDescription, v2!.node);
    a.restore();
    const source = (await registry.serverSources())[0]!;
    const read = await source.registry.version(MODEL, '2');
    assert.deepEqual([read.tags.team, read.description], ['fraude', 'primera versión buena']);

    a = answer({ showQuickPick: [pick('Staging')] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryTransitionStage, (await shown())[0]!.node);
    a.restore();
    await eventually(async () => (await shown())[0]!.description.includes('Staging'), 'Staging in the view');
    const [withTag] = await shown();
    a = answer({ showQuickPick: [pick('team')] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryRemoveTag, withTag!.node);
    a.restore();
    assert.equal((await source.registry.version(MODEL, '2')).tags.team, undefined);


    a = answer({ showInputBox: ['no-such-model'] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryFilter);
    const root = (await modelsTree.getChildren()).find((n) => n.kind === 'source')!;
    const filtered = await modelsTree.getChildren(root);
    assert.equal(filtered.length, 1);
    assert.match(filtered[0]!.kind === 'message' ? filtered[0]!.text : '', /No model matches "no-such-model"/);
    await vscode.commands.executeCommand(Commands.registryClearFilter);
    assert.ok((await modelsTree.getChildren(root)).some((n) => n.kind === 'model' && n.entry.model.name === MODEL));
  });

  it('opens a version’s source run and compares two versions’ runs', async () => {
    const versions = await shown();
    await vscode.commands.executeCommand(Commands.registryOpenRun, versions[0]!.node);
    await eventually(() => tabOpen(WebviewPanels.runDetails), 'the run details');
    await vscode.commands.executeCommand(Commands.registryCompareVersions, versions[0]!.node, versions.map((v) => v.node));
    await eventually(() => tabOpen(WebviewPanels.compare), 'the compare panel');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Deploy This Version with no project serving the model offers to make one (dismissed: nothing made); after a rollback to v1 it offers to move @champion back (dismissed: kept)', async () => {
    const versions = await shown();
    const v1 = versions.find((v) => v.label === 'v1')!;
    const before = (vscode.workspace.workspaceFolders ?? []).length;
    let a = answer({ showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryDeployVersion, v1.node);
    a.restore();
    assert.match(a.asked[0]?.text ?? '', new RegExp(`No model API in this workspace serves ${MODEL}\\. Create one from ${MODEL} v1, then deploy it\\?`));
    assert.ok(!tabOpen(WebviewPanels.scaffoldWizard), 'dismissed: no form opened');
    assert.equal((vscode.workspace.workspaceFolders ?? []).length, before);

    // What Roll Back… runs after rolling back to a revision that served v1 (@champion), while @champion is on v2.
    a = answer({ showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryOfferAliasBack, { name: MODEL, version: '1', alias: 'champion' });
    a.restore();
    assert.match(a.asked[0]?.text ?? '', new RegExp(`Rolled back to ${MODEL} v1, but @champion still points at v2`));
    const { registry } = await extension();
    assert.equal((await (await registry.serverSources())[0]!.registry.versionByAlias(MODEL, 'champion')).version, '2', 'dismissed: the alias stays');
  });

  it('removes the alias, deletes v2 and then the model, each after a confirmation naming it', async () => {
    const { registry } = await extension();
    let a = answer({ showWarningMessage: [(_m: string, _o: unknown, ok: string) => ok] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryRemoveAlias, (await shown())[0]!.node);
    assert.match(a.asked[0]!.text, /Remove @champion from .* v2\?/);
    a.restore();
    await eventually(async () => !(await shown())[0]!.description.includes('@champion'), '@champion gone');

    a = answer({ showWarningMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryDeleteVersion, (await shown())[0]!.node);
    a.restore();
    assert.equal((await shown()).length, 2, 'dismissing the confirmation deletes nothing');

    a = answer({ showWarningMessage: [(_m: string, _o: unknown, ok: string) => ok] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryDeleteVersion, (await shown())[0]!.node);
    a.restore();
    await eventually(async () => (await shown()).length === 1, 'v2 deleted');

    const { modelsTree } = await extension();
    const root = (await modelsTree.getChildren()).find((n) => n.kind === 'source')!;
    const model = (await modelsTree.getChildren(root)).find((n) => n.kind === 'model' && n.entry.model.name === MODEL)!;
    a = answer({ showWarningMessage: [(_m: string, o: { detail: string }, ok: string) => (assert.match(o.detail, /Its versions go with it: v1\./), ok)] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.registryDeleteModel, model);
    a.restore();
    await vscode.commands.executeCommand(Commands.registryRefresh);
    await eventually(async () => (await shown()).length === 0, 'the model deleted');
    assert.ok(!(await (await registry.serverSources())[0]!.registry.list()).some((e) => e.model.name === MODEL));
  });
  it('shows the GTO registry a DVC repository’s git tags hold, follows a new tag, and copies GTO’s own names', async () => {
    const repo = path.join(workspaceFolder().fsPath, 'iris-dvc');
    const git = (...args: string[]): string => execFileSync('git', ['-c', 'user.email=ana@example.com', '-c', 'user.name=Ana', ...args], { cwd: repo, encoding: 'utf8' });
    // The tags as `gto register` / `gto assign` write them (the integration tier checks them against gto itself).
    git('tag', '-a', 'iris-sgd@v0.1.0', '-m', 'Registering artifact iris-sgd version v0.1.0');
    git('tag', '-a', 'iris-sgd#prod#1', '-m', 'Assigning stage prod to artifact iris-sgd version v0.1.0');
    try {
      const { modelsTree } = await extension();
      await vscode.commands.executeCommand(Commands.registryRefresh);
      const gtoSource = async () => (await modelsTree.getChildren()).find((n) => n.kind === 'source' && n.source.kind === 'gto');
      const source = (await eventually(gtoSource, 'the GTO source'))!;
      assert.match(String(modelsTree.getTreeItem(source).label), /iris-dvc \(GTO\)/);
      assert.match(String(modelsTree.getTreeItem(source).description), /GTO/);
      const versionsShown = async (): Promise<string[]> => {
        const s = await gtoSource();
        if (!s) return [];
        const model = (await modelsTree.getChildren(s)).find((n) => n.kind === 'model' && n.entry.model.name === 'iris-sgd');
        if (!model) return [];
        return (await modelsTree.getChildren(model)).map((n) => `${String(modelsTree.getTreeItem(n).label)} ${String(modelsTree.getTreeItem(n).description ?? '')}`);
      };
      assert.match((await versionsShown())[0] ?? '', /^v0\.1\.0 #prod/);
      // A version registered and promoted later (a teammate's pushed tags): the watcher, not a refresh, brings it.
      git('commit', '--allow-empty', '-qm', 'retrained');
      git('tag', '-a', 'iris-sgd@v0.2.0', '-m', 'Registering artifact iris-sgd version v0.2.0');
      git('tag', '-a', 'iris-sgd#prod#2', '-m', 'Assigning stage prod to artifact iris-sgd version v0.2.0');
      const shownNow = await eventually(async () => {
        const v = await versionsShown();
        return v.length === 2 && /^v0\.2\.0 #prod/.test(v[0]!) ? v : undefined;
      }, 'v0.2.0 in #prod', 30_000);
      assert.doesNotMatch(shownNow![1]!, /#prod/);
      const s = (await gtoSource())!;
      const model = (await modelsTree.getChildren(s)).find((n) => n.kind === 'model')!;
      const v2 = (await modelsTree.getChildren(model))[0]!;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.focusSideBar');
      let a = answer({ showQuickPick: [pick('iris-sgd#prod')] });
      restore = a.restore;
      await vscode.commands.executeCommand(Commands.registryCopyUri, v2);
      a.restore();
      assert.equal(await vscode.env.clipboard.readText(), 'iris-sgd#prod');
      // Read-only: an action that would change it says how to, instead.
      a = answer({ showErrorMessage: [undefined] });
      restore = a.restore;
      await vscode.commands.executeCommand(Commands.registrySetTag, v2);
      await eventually(() => a.asked.length > 0 || undefined, 'the refusal shown');
      a.restore();
      assert.match(a.asked[0]!.text, /gto register, gto assign/);
    } finally {
      for (const t of ['iris-sgd@v0.1.0', 'iris-sgd#prod#1', 'iris-sgd@v0.2.0', 'iris-sgd#prod#2']) execFileSync('git', ['tag', '-d', t], { cwd: repo, stdio: 'ignore' });
    }
  });
});
