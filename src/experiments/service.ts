import * as vscode from 'vscode';
import path from 'node:path';
import { ContextKeys, Settings } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { MlflowAuth } from './core/mlflow/client';
import { authFromEnv, trackingUri } from './core/mlflow/client';
import type { LocalStore } from './core/mlflow/server';
import { LocalMlflowServer, findLocalStores, storeFromUri } from './core/mlflow/server';
import type { Experiment } from './core/model';
import type { ExperimentSource } from './core/sources';
import { findDvcRepos } from './core/dvc/client';
import { DvcSource, MlflowFilesSource, MlflowServerSource } from './core/sources';
import type { ExperimentsNode } from './tree';
import { toolFor } from '../common/python';
import { onDidChangeSelectedPython, pythonEnvFor } from '../vscode/python';

const SECRET_PREFIX = 'mlops.mlflow.auth:';

/** What the Experiments view shows at its root: a source, an mlflow.db offered to serve, or a message. */
export type SourceEntry = Extract<ExperimentsNode, { kind: 'source' | 'offer' | 'message' }>;

/** How to run a Python tool: `python -m tool` when mlops.python.path is set, else the tool from the PATH. */
export function toolCommand(tool: 'mlflow' | 'dvc'): string[] {
  const python = vscode.workspace.getConfiguration().get<string>(Settings.pythonPath, '').trim();
  return python ? [python, '-m', tool] : [tool];
}

/**
 * The experiments feature's one service: the sources (the configured MLflow server, each
 * workspace folder's mlruns/ file store and DVC repositories, and the local servers the user
 * started on mlflow.db), their file watchers (debounced), MLflow credentials in secret
 * storage, and the server processes. The Experiments view, the panels and the commands use it.
 */
export class ExperimentSources extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** The list of sources may have changed: read it again. */
  readonly onDidChange = this.changed.event;
  private readonly sourceChanged = this.register(new vscode.EventEmitter<ExperimentSource>());
  /** A source's runs may have changed (a file watcher fired, or a DVC command ran). */
  readonly onDidChangeSource = this.sourceChanged.event;
  private sources: Promise<SourceEntry[]> | undefined;
  private readonly servers = new Map<string, LocalMlflowServer>();
  private readonly watchers: vscode.Disposable[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly experimentNames = new Map<string, string>();
  private followingPython = false;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly storageDir: vscode.Uri,
    readonly log: ComponentLogger,
  ) {
    super();
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
    this.changed.fire();
  }

  /** The root entries, found on first use. */
  roots(): Promise<SourceEntry[]> {
    this.sources ??= this.discover();
    return this.sources;
  }

  async allSources(): Promise<ExperimentSource[]> {
    return (await this.roots()).flatMap((n) => (n.kind === 'source' ? [n.source] : []));
  }

  /** Remembers a source's experiment names (the panels show them by name). */
  rememberExperiments(source: ExperimentSource, experiments: readonly Experiment[]): void {
    for (const e of experiments) this.experimentNames.set(`${source.id}\u0000${e.id}`, e.name);
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
    return authFromEnv(process.env, uri);
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
    const env = await pythonEnvFor(vscode.Uri.file(path.dirname(store.path)));
    const { command } = toolFor('mlflow', env, toolCommand('mlflow'));
    this.log.info(`mlflow server for ${store.path}: ${command.join(' ')} (${env.label})`);
    // A database of an older MLflow is served from a copy: the server would upgrade it in place.
    let copy: { db: string; reason: string } | undefined;
    if (store.kind === 'sqlite') {
      const { planServe, readSchema } = await import('./core/mlflow/schema');
      const plan = await planServe(await readSchema(command, store.path, token), store.path, this.storageDir.fsPath);
      if (plan.copy) {
        copy = { db: plan.db, reason: plan.copy.reason };
        this.log.info(`${plan.copy.reason} (${plan.copy.refreshed ? 'copied now' : 'the copy is current'}: ${plan.db})`);
      }
    }
    const server = await LocalMlflowServer.start({ command, store, logFile, ...(copy ? { copy } : {}), ...(token ? { token } : {}) });
    if (copy) this.watchOriginal(store, server);
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

  /** A served copy follows its original: when mlflow.db changes (a run logged, a git checkout), the copy is made again and served. */
  private watchOriginal(store: LocalStore, server: LocalMlflowServer): void {
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(store.path)), path.basename(store.path)));
    let timer: NodeJS.Timeout | undefined;
    const again = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (this.servers.get(store.path) !== server) return;
        this.log.info(`${store.path} changed: serving a fresh copy`);
        void this.stopServer(store.path).then(() => this.startServer(store)).catch((err: unknown) => this.log.warn(`could not serve ${store.path} again: ${String(err)}`));
      }, 1500);
    };
    w.onDidChange(again);
    w.onDidCreate(again);
    server.onExit(() => {
      clearTimeout(timer);
      w.dispose();
    });
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
  private async discover(): Promise<SourceEntry[]> {
    this.watchers.splice(0).forEach((w) => w.dispose());
    // Another interpreter selected in the Python extension: DVC's stages run there from now on (asked on first use, not at activation).
    if (!this.followingPython) {
      this.followingPython = true;
      void onDidChangeSelectedPython(() => this.refresh()).then((d) => d && this.register(d));
    }
    const nodes: SourceEntry[] = [];
    const uri = this.trackingUri();
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
    // The tracking URI may name a local store (sqlite:///mlflow.db, file:///…/mlruns): shown as the workspace's are.
    const named = uri ? storeFromUri(uri, base) : undefined;
    if (uri && /^https?:\/\//.test(uri)) nodes.push({ kind: 'source', source: new MlflowServerSource(uri, await this.auth(uri)) });
    else if (uri && !named && uri !== 'databricks') nodes.push({ kind: 'message', error: true, text: vscode.l10n.t('{0} is not an MLflow tracking URI the extension can show (http://, https://, sqlite:/// or file:///).', uri) });
    const seen = new Set<string>();
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ name: f.name, dir: f.uri.fsPath }));
    const stores = async (dir: string): Promise<LocalStore[]> => (await findLocalStores(dir)).filter((s) => !seen.has(s.path) && seen.add(s.path));
    if (named && !folders.some((f) => !path.relative(f.dir, named.path).startsWith('..'))) folders.unshift({ name: path.basename(path.dirname(named.path)), dir: path.dirname(named.path) });
    for (const folder of folders) {
      const dir = folder.dir;
      const found = await stores(dir);
      if (named && path.dirname(named.path) === dir && !found.some((s) => s.path === named.path)) found.unshift(named);
      for (const store of found) {
        const name = `${folder.name}/${path.relative(dir, store.path).split(path.sep).join('/')}`;
        if (store.kind === 'files') {
          nodes.push({ kind: 'source', source: new MlflowFilesSource(store.path, name, (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)) });
          this.watch(vscode.Uri.file(path.dirname(store.path)), 'mlruns/**/meta.yaml', `mlruns:${store.path}`);
        } else {
          const server = this.servers.get(store.path);
          if (server?.running) nodes.push({ kind: 'source', source: new MlflowServerSource(server.url, undefined, `${name}${server.copy ? ` ${vscode.l10n.t('(a copy)')}` : ''} · ${server.url.replace('http://', '')}`), local: server });
          else nodes.push({ kind: 'offer', store });
        }
      }
      for (const repo of await findDvcRepos(dir)) {
        const label = repo === dir ? folder.name : `${folder.name}/${path.relative(dir, repo).split(path.sep).join('/')}`;
        // DVC and the pipeline's stages run in the project's Python (its .venv, or the one selected in the Python extension).
        const env = await pythonEnvFor(vscode.Uri.file(repo));
        const dvc = toolFor('dvc', env, toolCommand('dvc'));
        this.log.info(`${label}: dvc runs as ${dvc.command.join(' ')}; its stages in ${env.label}`);
        nodes.push({ kind: 'source', source: new DvcSource(repo, { ...dvc, envLabel: env.label }, `${label} (DVC)`) });
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
    this.sourceChanged.fire(node.source);
  }

  /** Tells the view and open tables that a source changed (after a DVC command, say). */
  touched(source: ExperimentSource): void {
    void this.sourceDidChange(source.id);
  }


}
