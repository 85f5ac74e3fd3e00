import * as vscode from 'vscode';
import path from 'node:path';
import { ErrorCode, errorMessage, hasCode } from '../common/errors';
import { Commands, ContextKeys, Settings, Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { MlflowAuth } from './core/mlflow/client';
import { authFromEnv, trackingUri } from './core/mlflow/client';
import type { LocalStore } from './core/mlflow/server';
import { LocalMlflowServer, findLocalStores } from './core/mlflow/server';
import type { Experiment, Run } from './core/model';
import { age, keyMetric } from './core/model';
import type { ExperimentSource } from './core/sources';
import { findDvcRepos } from './core/dvc/client';
import { DvcSource, MlflowFilesSource, MlflowServerSource } from './core/sources';

export type ExperimentsNode =
  | { readonly kind: 'source'; readonly source: ExperimentSource; readonly local?: LocalMlflowServer }
  | { readonly kind: 'offer'; readonly store: LocalStore }
  | { readonly kind: 'message'; readonly text: string; readonly error?: boolean; readonly command?: vscode.Command; readonly parent?: ExperimentsNode }
  | { readonly kind: 'experiment'; readonly source: ExperimentSource; readonly experiment: Experiment }
  | { readonly kind: 'run'; readonly source: ExperimentSource; readonly experiment: Experiment; readonly run: Run; readonly children: readonly Run[] }
  | { readonly kind: 'more'; readonly source: ExperimentSource; readonly experiment: Experiment; readonly count: number };

export type RunNode = Extract<ExperimentsNode, { kind: 'run' }>;

/** Runs shown under an experiment in the tree; the table shows all of them. */
const TREE_RUN_LIMIT = 200;
const SECRET_PREFIX = 'mlops.mlflow.auth:';

/** How to run a Python tool: `python -m tool` when mlops.python.path is set, else the tool from the PATH. */
export function toolCommand(tool: 'mlflow' | 'dvc'): string[] {
  const python = vscode.workspace.getConfiguration().get<string>(Settings.pythonPath, '').trim();
  return python ? [python, '-m', tool] : [tool];
}

/**
 * Experiments: sources (the configured MLflow server, each workspace folder's mlruns/
 * file store and DVC repository, and a local server the user started on mlflow.db) →
 * experiments → runs with status, key metric and age. Sources are found when the view is
 * first shown; DVC and file-store changes refresh it through debounced file watchers.
 */
export class ExperimentsTree extends Disposable implements vscode.TreeDataProvider<ExperimentsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ExperimentsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sourceChanged = this.register(new vscode.EventEmitter<ExperimentSource>());
  /** A source's runs may have changed (a file watcher fired, or a DVC command ran). */
  readonly onDidChangeSource = this.sourceChanged.event;
  readonly view: vscode.TreeView<ExperimentsNode>;
  private sources: Promise<ExperimentsNode[]> | undefined;
  private readonly servers = new Map<string, LocalMlflowServer>();
  private readonly watchers: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly experimentNames = new Map<string, string>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly storageDir: vscode.Uri,
    readonly log: ComponentLogger,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(Views.experiments, { treeDataProvider: this, showCollapseAll: true, canSelectMany: true }));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(Settings.mlflowTrackingUri) || e.affectsConfiguration(Settings.pythonPath) || e.affectsConfiguration(Settings.experimentsKeyMetric)) this.refresh();
      }),
    );
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
    this.register(this.secrets.onDidChange((e) => e.key.startsWith(SECRET_PREFIX) && this.refresh()));
    this.register({
      dispose: () => {
        this.watchers.splice(0).forEach((w) => w.dispose());
        this.timers.forEach((t) => clearTimeout(t));
        for (const s of this.servers.values()) void s.stop();
        this.servers.clear();
      },
    });
  }

  refresh(): void {
    this.sources = undefined;
    this.changed.fire(undefined);
  }

  experimentName(source: ExperimentSource, id: string): string {
    return this.experimentNames.get(`${source.id}\u0000${id}`) ?? id;
  }

  // ---- credentials ----------------------------------------------------------------
  async auth(uri: string): Promise<MlflowAuth | undefined> {
    const stored = await this.secrets.get(SECRET_PREFIX + uri);
    if (stored) {
      try {
        return JSON.parse(stored) as MlflowAuth;
      } catch {
        this.log.warn(`stored MLflow credentials for ${uri} are unreadable; ignoring them`);
      }
    }
    return authFromEnv(process.env);
  }

  async storeAuth(uri: string, auth: MlflowAuth | undefined): Promise<void> {
    if (auth) await this.secrets.store(SECRET_PREFIX + uri, JSON.stringify(auth));
    else await this.secrets.delete(SECRET_PREFIX + uri);
  }

  trackingUri(): string | undefined {
    return trackingUri(vscode.workspace.getConfiguration().get<string>(Settings.mlflowTrackingUri, ''), process.env);
  }

  // ---- local servers --------------------------------------------------------------
  async startServer(store: LocalStore, token?: vscode.CancellationToken): Promise<LocalMlflowServer> {
    const existing = this.servers.get(store.path);
    if (existing?.running) return existing;
    await vscode.workspace.fs.createDirectory(this.storageDir);
    const logFile = path.join(this.storageDir.fsPath, `mlflow-server-${path.basename(path.dirname(store.path))}.log`);
    const server = await LocalMlflowServer.start({ command: toolCommand('mlflow'), store, logFile, ...(token ? { token } : {}) });
    this.log.info(`started mlflow server for ${store.path} at ${server.url} (pid ${server.pid}, log ${logFile})`);
    this.servers.set(store.path, server);
    server.onExit((code) => {
      if (this.servers.get(store.path) !== server) return;
      this.servers.delete(store.path);
      this.log.warn(`mlflow server for ${store.path} exited (${code})`);
      this.refresh();
    });
    this.refresh();
    return server;
  }

  async stopServer(storePath: string): Promise<void> {
    const server = this.servers.get(storePath);
    this.servers.delete(storePath);
    await server?.stop();
    this.refresh();
  }

  serverFor(storePath: string): LocalMlflowServer | undefined {
    return this.servers.get(storePath);
  }

  // ---- discovery ------------------------------------------------------------------
  private async discover(): Promise<ExperimentsNode[]> {
    this.watchers.splice(0).forEach((w) => w.dispose());
    const nodes: ExperimentsNode[] = [];
    const uri = this.trackingUri();
    if (uri && /^https?:\/\//.test(uri)) nodes.push({ kind: 'source', source: new MlflowServerSource(uri, await this.auth(uri)) });
    else if (uri && !uri.startsWith('file:') && !uri.startsWith('sqlite:') && uri !== 'databricks')
      {nodes.push({ kind: 'message', error: true, text: vscode.l10n.t('{0} is not an MLflow server address (http:// or https://).', uri) });}
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const dir = folder.uri.fsPath;
      for (const store of await findLocalStores(dir)) {
        if (store.kind === 'files') {
          nodes.push({ kind: 'source', source: new MlflowFilesSource(store.path, `${folder.name}/mlruns`) });
          this.watch(folder, 'mlruns/**/meta.yaml', `mlruns:${store.path}`);
        } else {
          const server = this.servers.get(store.path);
          if (server?.running) nodes.push({ kind: 'source', source: new MlflowServerSource(server.url, undefined, `${folder.name}/mlflow.db · ${server.url.replace('http://', '')}`), local: server });
          else nodes.push({ kind: 'offer', store });
        }
      }
      for (const repo of await findDvcRepos(dir)) {
        const label = repo === dir ? folder.name : `${folder.name}/${path.relative(dir, repo).split(path.sep).join('/')}`;
        nodes.push({ kind: 'source', source: new DvcSource(repo, { command: toolCommand('dvc') }, `${label} (DVC)`) });
        this.watch(vscode.Uri.file(repo), '{dvc.lock,dvc.yaml,params.yaml,**/params.yaml,**/metrics.json,**/*.metrics.json,.git/HEAD,.git/refs/heads/**,.git/refs/exps/**}', `dvc:${repo}`);
      }
    }
    void vscode.commands.executeCommand('setContext', ContextKeys.experimentsEmpty, nodes.length === 0);
    return nodes;
  }

  /** A debounced watcher: bursts of file events (a DVC run writes many) refresh once. */
  private watch(base: vscode.WorkspaceFolder | vscode.Uri, glob: string, sourceId: string): void {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(base, glob));
    const fire = (): void => {
      clearTimeout(this.timers.get(sourceId));
      this.timers.set(
        sourceId,
        setTimeout(() => {
          this.timers.delete(sourceId);
          void this.sourceDidChange(sourceId);
        }, 800),
      );
    };
    w.onDidChange(fire);
    w.onDidCreate(fire);
    w.onDidDelete(fire);
    this.watchers.push(w);
  }

  private async sourceDidChange(sourceId: string): Promise<void> {
    const nodes = await (this.sources ?? Promise.resolve([]));
    const node = nodes.find((n): n is Extract<ExperimentsNode, { kind: 'source' }> => n.kind === 'source' && n.source.id === sourceId);
    if (!node) return;
    node.source.invalidate?.();
    this.log.info(`${node.source.label} changed on disk; refreshing`);
    this.changed.fire(node);
    this.sourceChanged.fire(node.source);
  }

  /** Tells the tree and open tables that a source changed (after a DVC command, say). */
  touched(source: ExperimentSource): void {
    void this.sourceDidChange(source.id);
  }

  async allSources(): Promise<ExperimentSource[]> {
    this.sources ??= this.discover();
    return (await this.sources).flatMap((n) => (n.kind === 'source' ? [n.source] : []));
  }

  // ---- TreeDataProvider ---------------------------------------------------------
  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    if (!node) {
      this.sources ??= this.discover();
      return this.sources;
    }
    try {
      switch (node.kind) {
        case 'source': {
          const exps = await node.source.experiments();
          for (const e of exps) this.experimentNames.set(`${node.source.id}\u0000${e.id}`, e.name);
          const out: ExperimentsNode[] = exps.map((experiment) => ({ kind: 'experiment', source: node.source, experiment }));
          for (const p of node.source.problems) out.push({ kind: 'message', error: true, text: `${path.basename(path.dirname(p.path))}: ${p.message}`, parent: node });
          if (out.length === 0) out.push({ kind: 'message', text: vscode.l10n.t('No experiments yet.'), parent: node });
          return out;
        }
        case 'experiment': {
          const runs = await node.source.runs([node.experiment.id], { orderBy: ['attributes.start_time DESC'] });
          const ids = new Set(runs.map((r) => r.id));
          const top = runs.filter((r) => !r.parentId || !ids.has(r.parentId) || node.source.kind === 'dvc');
          const out: ExperimentsNode[] = top.slice(0, TREE_RUN_LIMIT).map((run) => ({ kind: 'run', source: node.source, experiment: node.experiment, run, children: node.source.kind === 'dvc' ? [] : runs.filter((r) => r.parentId === run.id) }));
          if (top.length > TREE_RUN_LIMIT) out.push({ kind: 'more', source: node.source, experiment: node.experiment, count: runs.length });
          if (node.source.problems.length) out.push(...node.source.problems.map((p) => ({ kind: 'message' as const, error: true, text: `${p.path}: ${p.message}`, parent: node })));
          if (out.length === 0) out.push({ kind: 'message', text: vscode.l10n.t('No runs yet.'), parent: node });
          return out;
        }
        case 'run':
          return node.children.map((run) => ({ kind: 'run', source: node.source, experiment: node.experiment, run, children: [] }));
        default:
          return [];
      }
    } catch (err) {
      this.log.warn(`${node.kind}: ${errorMessage(err)}`);
      const is401 = hasCode(err, ErrorCode.unauthorized);
      return [
        {
          kind: 'message',
          error: true,
          text: errorMessage(err),
          parent: node,
          ...(is401 ? { command: { command: Commands.experimentsSignIn, title: vscode.l10n.t('Sign in to MLflow…') } } : {}),
        },
      ];
    }
  }

  getParent(node: ExperimentsNode): ExperimentsNode | undefined {
    if (node.kind === 'message') return node.parent;
    return undefined;
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    const preferred = vscode.workspace.getConfiguration().get<string>(Settings.experimentsKeyMetric, '') || undefined;
    switch (node.kind) {
      case 'source': {
        const item = new vscode.TreeItem(node.source.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `source:${node.source.id}`;
        item.description = node.source.kind === 'mlflow-files' ? vscode.l10n.t('file store') : node.source.kind === 'dvc' ? 'DVC' : 'MLflow';
        item.tooltip = node.source.location;
        item.iconPath = new vscode.ThemeIcon(node.source.kind === 'dvc' ? 'git-branch' : node.source.kind === 'mlflow-files' ? 'folder-library' : 'server');
        item.contextValue = `mlops.source.${node.source.kind}${node.local ? '.local' : ''}`;
        return item;
      }
      case 'offer': {
        const item = new vscode.TreeItem(`${path.basename(path.dirname(node.store.path))}/mlflow.db`, vscode.TreeItemCollapsibleState.None);
        item.description = vscode.l10n.t('start a local MLflow server to browse it');
        item.iconPath = new vscode.ThemeIcon('play-circle');
        item.contextValue = 'mlops.mlflowOffer';
        item.command = { command: Commands.experimentsStartServer, title: vscode.l10n.t('Start Local MLflow Server'), arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        item.tooltip = node.text;
        if (node.command) item.command = node.command;
        return item;
      }
      case 'experiment': {
        const item = new vscode.TreeItem(node.experiment.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `exp:${node.source.id}:${node.experiment.id}`;
        item.description = node.source.kind === 'dvc' ? (node.experiment.id === 'workspace' ? '' : node.experiment.id.slice(0, 7)) : `#${node.experiment.id}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = `mlops.experiment.${node.source.kind}`;
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('All {0} runs in the table…', node.count), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('table');
        item.command = { command: Commands.experimentsOpenTable, title: vscode.l10n.t('Open Runs Table'), arguments: [node] };
        return item;
      }
      case 'run': {
        const r = node.run;
        const item = new vscode.TreeItem(r.name, node.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `run:${node.source.id}:${r.id}`;
        const km = keyMetric(r, preferred);
        const parts = [km ? `${km.key}=${Number(km.value.toPrecision(4))}` : undefined, r.startTime ? age(r.startTime, Date.now()) : undefined].filter(Boolean);
        item.description = parts.join(' · ');
        item.iconPath = statusIcon(r.status);
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${escapeMd(r.name)}** — ${r.status}\n\n`);
        md.appendMarkdown(`${vscode.l10n.t('Run id')}: \`${r.id}\`\n\n`);
        const metrics = Object.entries(r.metrics).slice(0, 8);
        if (metrics.length) md.appendMarkdown(metrics.map(([k, v]) => `- ${escapeMd(k)}: ${v}`).join('\n') + '\n\n');
        const params = Object.entries(r.params).slice(0, 8);
        if (params.length) md.appendMarkdown(params.map(([k, v]) => `- ${escapeMd(k)} = ${escapeMd(v)}`).join('\n'));
        item.tooltip = md;
        item.contextValue = `mlops.run.${node.source.kind}${r.gitCommit ? '.git' : ''}`;
        item.command = { command: Commands.experimentsRunDetails, title: vscode.l10n.t('Show Run Details'), arguments: [node] };
        return item;
      }
    }
  }
}

function statusIcon(status: Run['status']): vscode.ThemeIcon {
  switch (status) {
    case 'FINISHED':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'FAILED':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'RUNNING':
      return new vscode.ThemeIcon('sync~spin');
    case 'KILLED':
      return new vscode.ThemeIcon('circle-slash');
    case 'QUEUED':
    case 'SCHEDULED':
      return new vscode.ThemeIcon('clock');
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
