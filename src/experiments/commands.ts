import * as vscode from 'vscode';
import path from 'node:path';
import { UserFacingError } from '../common/errors';
import { showError } from '../vscode/errors';
import { isCancellation } from '../common/cancellation';
import { isCommitId } from '../common/urls';
import type { Feature } from '../scaffold/core/model';
import { featuresFromSignature } from '../scaffold/core/model';
import type { ScaffoldWizard } from '../scaffold/wizard';
import type { CommandRegistry } from '../vscode/commands';
import { Commands, Settings } from '../vscode/ids';
import type { ComponentLogger } from '../vscode/logger';
import type { LocalStore } from './core/mlflow/server';
import { findLocalStores } from './core/mlflow/server';
import type { PanelHooks, RunRef } from './panels/index';
import { RunsTable, registerExperimentSerializers, showCompare, showDetails } from './panels/index';
import { findRunModel } from './core/runModel';
import type { DvcSource, ExperimentSource } from './core/sources';
import type { ExperimentSources } from './service';
import type { ExperimentsNode, ExperimentsTree, RunNode } from './tree';

const GIT_SCHEME = 'mlops-git';

function isRunRef(x: unknown): x is RunRef {
  return typeof x === 'object' && x !== null && 'run' in x && 'source' in x;
}

/** The runs a command is about: the tree's selection (when the clicked row is part of it), else the clicked row. */
function runsOf(tree: ExperimentsTree, node: unknown, nodes: unknown): RunRef[] {
  const list = Array.isArray(nodes) && nodes.length ? nodes : node ? [node] : tree.view.selection;
  return (list as unknown[]).filter(isRunRef).map((n) => ({ source: n.source, run: n.run }));
}

function dvcOf(node: unknown): DvcSource {
  const src = (node as { source?: ExperimentSource })?.source;
  if (src?.kind !== 'dvc') throw new UserFacingError(vscode.l10n.t('Choose a DVC experiment in the Experiments view first.'));
  return src as DvcSource;
}

export function registerExperimentsCommands(registry: CommandRegistry, sources: ExperimentSources, tree: ExperimentsTree, context: vscode.ExtensionContext, wizard: ScaffoldWizard, log: ComponentLogger): vscode.Disposable {
  const extensionUri = context.extensionUri;
  const storage = context.globalStorageUri;
  const scaffold = (modelUri: string, runName?: string, features?: readonly Feature[]): void => {
    const projectName = (runName ?? 'model-api')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40);
    wizard.show({ mlflowUri: modelUri, projectName: /^[a-z]/.test(projectName) ? `${projectName}-api` : 'model-api', ...(features ? { features } : {}) });
  };
  const compare = (refs: RunRef[]): void => {
    if (refs.length < 2) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Select two or more runs to compare (Ctrl/Cmd+click in the Experiments view, or tick them in the runs table).'));
      return;
    }
    showCompare(extensionUri, sources, refs, hooks);
  };
  const hooks: PanelHooks = { compare, scaffold, storage, log };
  const serializers = registerExperimentSerializers(extensionUri, sources, hooks);

  registry.register(Commands.experimentsRefresh, () => sources.refresh());

  registry.register(Commands.experimentsOpenTable, async (node?: ExperimentsNode) => {
    let source: ExperimentSource | undefined;
    let experiments = [] as Parameters<typeof RunsTable.show>[3];
    if (node && (node.kind === 'experiment' || node.kind === 'more')) {
      source = node.source;
      experiments = [node.experiment];
    } else if (node?.kind === 'source') {
      source = node.source;
      experiments = await source.experiments();
    } else {
      const all = await sources.allSources();
      if (all.length === 0) throw new UserFacingError(vscode.l10n.t('No experiment source: set mlops.mlflow.trackingUri, or open a folder with mlruns/, mlflow.db or a DVC repository.'));
      const pick = all.length === 1 ? all[0] : (await vscode.window.showQuickPick(all.map((s) => ({ label: s.label, description: s.location, s })), { title: vscode.l10n.t('Open the runs of…') }))?.s;
      if (!pick) return;
      source = pick;
      const exps = await source.experiments();
      const chosen = await vscode.window.showQuickPick(
        exps.map((e) => ({ label: e.name, description: e.id, picked: true, e })),
        { canPickMany: true, title: vscode.l10n.t('Experiments to show') },
      );
      if (!chosen?.length) return;
      experiments = chosen.map((c) => c.e);
    }
    if (experiments.length === 0) throw new UserFacingError(vscode.l10n.t('{0} has no experiments yet.', source.label));
    RunsTable.show(extensionUri, sources, source, experiments, compare);
  });

  registry.register(Commands.experimentsCompare, (node?: unknown, nodes?: unknown) => compare(runsOf(tree, node, nodes)));

  registry.register(Commands.experimentsRunDetails, async (node?: unknown) => {
    const ref = runsOf(tree, node, undefined)[0];
    if (!ref) throw new UserFacingError(vscode.l10n.t('Choose a run in the Experiments view first.'));
    await showDetails(extensionUri, sources, ref, hooks);
  });

  registry.register(Commands.experimentsCopyRunId, async (node?: unknown) => {
    const ref = runsOf(tree, node, undefined)[0];
    if (!ref) return;
    await vscode.env.clipboard.writeText(ref.run.id);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', ref.run.id), 3000);
  });

  registry.register(Commands.experimentsScaffoldFromRun, async (node?: unknown) => {
    const ref = runsOf(tree, node, undefined)[0];
    if (!ref) throw new UserFacingError(vscode.l10n.t('Choose a run in the Experiments view first.'));
    const model = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Looking for the model of {0}', ref.run.name) }, () => findRunModel(ref.source, ref.run));
    if (!model) throw new UserFacingError(vscode.l10n.t('Run {0} logged no MLflow model (no LoggedModel, and no folder with an MLmodel file among its artifacts).', ref.run.name));
    scaffold(model.uri, ref.run.name, featuresFromSignature(model.inputs));
  });

  // ---- git ------------------------------------------------------------------------
  const gitContent = new Map<string, string>();
  const provider = vscode.workspace.registerTextDocumentContentProvider(GIT_SCHEME, { provideTextDocumentContent: (uri) => gitContent.get(uri.toString()) ?? '' });
  const repoFor = (ref: RunRef): string => {
    const folder = ref.source.kind === 'dvc' ? ref.source.location : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '');
    if (!folder) throw new UserFacingError(vscode.l10n.t('Open the run’s repository as a workspace folder first.'));
    return folder;
  };
  /** The chosen run, its recorded commit, and simple-git on its repository (loaded on first use). */
  const gitOfRun = async (node: unknown): Promise<{ ref: RunRef; commit: string; git: import('simple-git').SimpleGit }> => {
    const ref = runsOf(tree, node, undefined)[0];
    const commit = ref?.run.gitCommit;
    if (!ref || !commit) throw new UserFacingError(vscode.l10n.t('This run has no git commit recorded.'));
    // The tag comes from whoever logged the run: only a commit id reaches git, never an option such as --output=….
    if (!isCommitId(commit)) throw new UserFacingError(vscode.l10n.t('The run’s recorded commit "{0}" is not a git commit id; git was not run.', String(commit).slice(0, 80)));
    const { simpleGit } = await import('simple-git');
    return { ref, commit, git: simpleGit(repoFor(ref)) };
  };

  registry.register(Commands.experimentsGitDiff, async (node?: unknown) => {
    const { ref, commit, git } = await gitOfRun(node);
    const root = (await git.revparse(['--show-toplevel'])).trim();
    const names = (await git.diff(['--name-only', '--end-of-options', commit])).split('\n').filter(Boolean);
    if (names.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The working tree is the same as commit {0}.', commit.slice(0, 7)));
      return;
    }
    const pick = await vscode.window.showQuickPick(names.map((n) => ({ label: n })), { title: vscode.l10n.t('Files changed since {0} ({1})', commit.slice(0, 7), ref.run.name) });
    if (!pick) return;
    let before = '';
    try {
      before = await git.show([`${commit}:${pick.label}`]);
    } catch {
      // the file did not exist at that commit
    }
    const left = vscode.Uri.from({ scheme: GIT_SCHEME, path: `/${pick.label}`, query: commit });
    gitContent.set(left.toString(), before);
    await vscode.commands.executeCommand('vscode.diff', left, vscode.Uri.file(path.join(root, pick.label)), `${pick.label} (${commit.slice(0, 7)} ↔ ${vscode.l10n.t('working tree')})`);
  });

  registry.register(Commands.experimentsGitCheckout, async (node?: unknown) => {
    const { ref, commit, git } = await gitOfRun(node);
    const status = await git.status();
    if (!status.isClean()) throw new UserFacingError(vscode.l10n.t('The working tree has uncommitted changes ({0} files): commit or stash them first, so nothing is lost.', status.files.length));
    const ok = vscode.l10n.t('Check Out');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Check out commit {0} of run {1}? The repository will be on a detached HEAD (return with "git switch -").', commit.slice(0, 7), ref.run.name), { modal: true }, ok);
    if (answer !== ok) return;
    await git.raw(['checkout', '--detach', commit]);
    void vscode.window.showInformationMessage(vscode.l10n.t('Checked out {0}.', commit.slice(0, 7)));
  });

  // ---- DVC ------------------------------------------------------------------------
  const dvcTask = async (source: DvcSource, title: string, args: string[]): Promise<string> => {
    const out = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => source.exec(args, token));
    log.info(`dvc ${args.join(' ')}:\n${out}`);
    sources.touched(source);
    return out;
  };

  registry.register(Commands.experimentsDvcRun, async (node?: unknown) => {
    let source: DvcSource | undefined;
    try {
      source = dvcOf(node);
    } catch {
      const all = (await sources.allSources()).filter((s): s is DvcSource => s.kind === 'dvc');
      source = all.length === 1 ? all[0] : (await vscode.window.showQuickPick(all.map((s) => ({ label: s.label, s }))))?.s;
    }
    if (!source) throw new UserFacingError(vscode.l10n.t('No DVC repository in the workspace (a folder with .dvc/).'));
    const params = await vscode.window.showInputBox({
      title: vscode.l10n.t('Run a DVC experiment'),
      prompt: vscode.l10n.t('Parameters to set, space-separated (e.g. train.lr=0.05 train.depth=4); empty runs with params.yaml as it is.'),
      validateInput: (v) => (v.trim() && !v.trim().split(/\s+/).every((p) => /^[^=\s]+=\S*$/.test(p)) ? vscode.l10n.t('Use key=value pairs separated by spaces.') : undefined),
    });
    if (params === undefined) return;
    const name = await vscode.window.showInputBox({ title: vscode.l10n.t('Experiment name (optional)'), validateInput: (v) => (v && !/^[A-Za-z0-9][\w.-]*$/.test(v) ? vscode.l10n.t('Letters, digits, dots, dashes and underscores.') : undefined) });
    if (name === undefined) return;
    const args = ['exp', 'run', ...params.trim().split(/\s+/).filter(Boolean).flatMap((p) => ['-S', p]), ...(name ? ['-n', name] : [])];
    // DVC rewrites params.yaml for -S, and leaves it so when the run fails or is cancelled.
    const { changedParams, restoreParams, snapshotParams } = await import('./core/dvc/params');
    const before = await snapshotParams(source.location, args);
    try {
      await dvcTask(source, vscode.l10n.t('dvc exp run {0}', params), args);
    } catch (err) {
      const changed = await changedParams(source.location, before);
      if (!changed.length) throw err;
      const files = changed.join(', ');
      const restore = vscode.l10n.t('Restore {0}', files);
      const cancelled = err instanceof vscode.CancellationError || isCancellation(err);
      log.warn(`dvc exp run left ${files} changed`);
      void showError(cancelled ? new UserFacingError(vscode.l10n.t('The experiment was cancelled.')) : err, log, {
        context: `dvc ${args.join(' ')}`,
        message: (m) => vscode.l10n.t('{0} DVC left {1} with the experiment\'s values (and its own formatting): restore it as it was before?', m, files),
        actions: [
          {
            label: restore,
            run: async () => {
              await restoreParams(source.location, before, changed);
              sources.touched(source);
              void vscode.window.showInformationMessage(vscode.l10n.t('{0} is as it was before the experiment.', files));
            },
          },
        ],
      });
      return;
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('DVC experiment finished.'));
  });

  registry.register(Commands.experimentsDvcApply, async (node?: RunNode) => {
    const source = dvcOf(node);
    const name = node!.run.name;
    const ok = vscode.l10n.t('Apply');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Apply experiment {0} to the workspace? Its params, metrics and outputs replace the workspace’s (DVC keeps the experiment).', name), { modal: true }, ok);
    if (answer !== ok) return;
    await dvcTask(source, vscode.l10n.t('dvc exp apply {0}', name), ['exp', 'apply', name]);
  });

  registry.register(Commands.experimentsDvcBranch, async (node?: RunNode) => {
    const source = dvcOf(node);
    const name = node!.run.name;
    const branch = await vscode.window.showInputBox({ title: vscode.l10n.t('Branch from experiment {0}', name), value: `${name}-branch`, validateInput: (v) => (/^[\w./-]+$/.test(v) ? undefined : vscode.l10n.t('Not a valid branch name.')) });
    if (!branch) return;
    await dvcTask(source, vscode.l10n.t('dvc exp branch {0} {1}', name, branch), ['exp', 'branch', name, branch]);
    void vscode.window.showInformationMessage(vscode.l10n.t('Branch {0} created from {1}.', branch, name));
  });

  // ---- MLflow server, credentials -----------------------------------------------------
  registry.register(Commands.experimentsSetTrackingUri, async () => {
    const current = vscode.workspace.getConfiguration().get<string>(Settings.mlflowTrackingUri, '');
    const uri = await vscode.window.showInputBox({
      title: vscode.l10n.t('MLflow tracking server'),
      value: current || 'http://127.0.0.1:5000',
      prompt: vscode.l10n.t('The address of an MLflow server, or a local store: sqlite:///mlflow.db, file:///path/to/mlruns (saved in the workspace settings).'),
      validateInput: (v) => (v === '' || /^(?:https?:\/\/\S+|sqlite:\/\/\/\S+|file:\/\/\S+)$/.test(v) ? undefined : vscode.l10n.t('An http:// or https:// address, or sqlite:/// or file:/// for a local store.')),
    });
    if (uri === undefined) return;
    await vscode.workspace.getConfiguration().update(Settings.mlflowTrackingUri, uri || undefined, vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
  });

  registry.register(Commands.experimentsSignIn, async () => {
    const uri = sources.trackingUri();
    if (!uri || !/^https?:/.test(uri)) throw new UserFacingError(vscode.l10n.t('Set the MLflow server first (mlops.mlflow.trackingUri).'));
    const kind = await vscode.window.showQuickPick(
      [
        { label: vscode.l10n.t('Username and password'), auth: 'basic' as const },
        { label: vscode.l10n.t('Access token'), auth: 'bearer' as const },
      ],
      { title: vscode.l10n.t('Sign in to {0}', uri) },
    );
    if (!kind) return;
    if (kind.auth === 'bearer') {
      const token = await vscode.window.showInputBox({ title: vscode.l10n.t('Access token for {0}', uri), password: true, ignoreFocusOut: true });
      if (!token) return;
      await sources.storeAuth(uri, { kind: 'bearer', token });
    } else {
      const username = await vscode.window.showInputBox({ title: vscode.l10n.t('Username for {0}', uri), ignoreFocusOut: true });
      if (!username) return;
      const password = await vscode.window.showInputBox({ title: vscode.l10n.t('Password for {0}', username), password: true, ignoreFocusOut: true });
      if (password === undefined) return;
      await sources.storeAuth(uri, { kind: 'basic', username, password });
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('Credentials for {0} saved in the editor’s secret storage.', uri));
    sources.refresh();
  });

  registry.register(Commands.experimentsSignOut, async () => {
    const uri = sources.trackingUri();
    if (!uri) return;
    await sources.storeAuth(uri, undefined);
    sources.refresh();
  });

  registry.register(Commands.experimentsStartServer, async (node?: { store?: LocalStore }) => {
    let store = node?.store;
    if (!store) {
      const all = (await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => findLocalStores(f.uri.fsPath)))).flat().filter((s) => s.kind === 'sqlite');
      store = all.length <= 1 ? all[0] : (await vscode.window.showQuickPick(all.map((s) => ({ label: s.path, s }))))?.s;
    }
    if (!store) throw new UserFacingError(vscode.l10n.t('No mlflow.db in the workspace folders.'));
    const s = store;
    const server = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Starting mlflow server on {0}', path.basename(s.path)), cancellable: true }, (_p, token) => sources.startServer(s, token));
    const open = vscode.l10n.t('Open MLflow UI');
    const serving = vscode.l10n.t('MLflow is serving {0} at {1}; it stops when the window closes.', path.basename(s.path), server.url);
    void vscode.window.showInformationMessage(server.copy ? `${serving} ${server.copy.reason}` : serving, open).then((c) => {
      if (c === open) void vscode.env.openExternal(vscode.Uri.parse(server.url));
    });
  });

  registry.register(Commands.experimentsStopServer, async (node?: { source?: ExperimentSource; local?: { store: LocalStore } }) => {
    const storePath = node?.local?.store.path;
    if (storePath) await sources.stopServer(storePath);
  });

  return vscode.Disposable.from(provider, ...serializers);
}
