import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError } from '../common/errors';
import type { LocalStore } from '../experiments/core/mlflow/server';
import type { MlflowFilesSource, MlflowServerSource } from '../experiments/core/sources';
import type { ExperimentSources } from '../experiments/service';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { FileStoreProblem } from '../experiments/core/mlflow/fileStore';
import { FileRegistry, hasFileRegistry } from './core/fileRegistry';
import { GtoRegistry, hasGtoTags, readGitTags } from './core/gtoRegistry';
import type { ModelEntry } from './core/mlflowRegistry';
import { MlflowRegistry } from './core/mlflowRegistry';

/** A place models are registered: an MLflow server (the configured one, or a local server on a workspace mlflow.db), or a file store's models/. */
export type RegistrySource =
  | { readonly kind: 'server'; readonly id: string; readonly label: string; readonly registry: MlflowRegistry; readonly runs: MlflowServerSource; readonly readOnly?: string; readonly storeDir?: string }
  | { readonly kind: 'files'; readonly id: string; readonly label: string; readonly registry: FileRegistry; readonly runs: MlflowFilesSource; readonly readOnly: string }
  /** DVC's GTO: a git repository's tags. */
  | { readonly kind: 'gto'; readonly id: string; readonly label: string; readonly registry: GtoRegistry; readonly repo: string; readonly readOnly: string };

/** The Models view's roots: registries, and mlflow.db files a local server could serve. */
export type RegistryRoot = { readonly kind: 'source'; readonly source: RegistrySource } | { readonly kind: 'offer'; readonly store: LocalStore };

export interface RegistryListing {
  readonly entries: readonly ModelEntry[];
  readonly problems: readonly FileStoreProblem[];
}

/**
 * The model registry feature's one service: the registries of the experiment sources (each
 * MLflow server's, each file store's models/ folder), their listings (read once, again after
 * an action or a change on disk) and the actions, which go to the server's REST API.
 */
export class RegistryService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<RegistrySource | undefined>());
  /** A source's models changed (undefined: the list of sources may have too). */
  readonly onDidChange = this.changed.event;
  private readonly listings = new Map<string, Promise<RegistryListing>>();
  private readonly watchers = new Map<string, vscode.Disposable>();
  private roots: Promise<RegistryRoot[]> | undefined;

  constructor(
    private readonly experiments: ExperimentSources,
    readonly log: ComponentLogger,
  ) {
    super();
    this.register(
      experiments.onDidChange(() => {
        this.roots = undefined;
        this.listings.clear();
        this.changed.fire(undefined);
      }),
    );
    this.register({ dispose: () => this.watchers.forEach((w) => w.dispose()) });
  }

  refresh(): void {
    this.experiments.refresh();
  }

  sources(): Promise<RegistryRoot[]> {
    this.roots ??= this.discover();
    return this.roots;
  }

  private async discover(): Promise<RegistryRoot[]> {
    const out: RegistryRoot[] = [];
    const watched = new Set<string>();
    for (const node of await this.experiments.roots()) {
      if (node.kind === 'offer') {
        out.push({ kind: 'offer', store: node.store });
      } else if (node.kind === 'source' && node.source.kind === 'mlflow-server') {
        const runs = node.source as MlflowServerSource;
        const copy = node.local?.copy;
        out.push({
          kind: 'source',
          source: {
            kind: 'server',
            id: runs.id,
            label: runs.label,
            registry: new MlflowRegistry(runs.client),
            runs,
            // A local server on a workspace store: relative artifact paths (MLflow 1.x) are that folder's.
            ...(node.local ? { storeDir: path.dirname(node.local.store.path) } : {}),
            ...(copy ? { readOnly: vscode.l10n.t('This server serves a copy of {0} (an older MLflow database), so changes would be lost. Upgrade the database with the MLflow that wrote it, or use a server of your own.', path.basename(node.local!.store.path)) } : {}),
          },
        });
      } else if (node.kind === 'source' && node.source.kind === 'mlflow-files') {
        const runs = node.source as MlflowFilesSource;
        const root = runs.location;
        if (!(await hasFileRegistry(root))) continue;
        const source: RegistrySource = {
          kind: 'files',
          id: runs.id,
          label: runs.label,
          registry: new FileRegistry(root),
          runs,
          readOnly: vscode.l10n.t('A file store’s registry is shown as MLflow wrote it; change it with MLflow (mlflow.MlflowClient with this folder as its registry URI), or serve it with mlflow server.'),
        };
        out.push({ kind: 'source', source });
        watched.add(root);
        this.watch(source, root);
      }
    }
    // GTO registries: the git repositories of the workspace folders and of the DVC sources, when their tags register artifacts.
    const repos = new Set<string>([...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)]);
    for (const node of await this.experiments.roots()) if (node.kind === 'source' && node.source.kind === 'dvc') repos.add((node.source as { location: string }).location);
    for (const repo of repos) {
      if (!(await stat(path.join(repo, '.git')).catch(() => undefined))) continue;
      const tags = await readGitTags(repo).catch((err: unknown) => {
        this.log.warn(`GTO: tags of ${repo} not read: ${String(err)}`);
        return [];
      });
      if (!hasGtoTags(tags)) continue;
      const source: RegistrySource = {
        kind: 'gto',
        id: `gto:${repo}`,
        label: `${path.basename(repo)} (GTO)`,
        registry: new GtoRegistry(repo),
        repo,
        readOnly: vscode.l10n.t('GTO keeps its registry in git tags: register versions and assign stages with gto (gto register, gto assign) and push the tags; this view follows them.'),
      };
      out.push({ kind: 'source', source });
      watched.add(repo);
      this.watch(source, repo, '{.git/refs/tags/**,.git/packed-refs,dvc.yaml,artifacts.yaml}');
    }
    for (const [root, w] of this.watchers) {
      if (watched.has(root)) continue;
      w.dispose();
      this.watchers.delete(root);
    }
    return out;
  }

  /** A file store's models/ folder, watched (debounced): its view follows what MLflow writes. */
  private watch(source: RegistrySource, root: string, pattern = 'models/**'): void {
    this.watchers.get(root)?.dispose();
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), pattern));
    let timer: NodeJS.Timeout | undefined;
    const fire = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => this.touched(source), 800);
    };
    w.onDidChange(fire);
    w.onDidCreate(fire);
    w.onDidDelete(fire);
    this.watchers.set(root, { dispose: () => (clearTimeout(timer), w.dispose()) });
  }

  /** A source's models and versions, read once until it changes. */
  listing(source: RegistrySource): Promise<RegistryListing> {
    let p = this.listings.get(source.id);
    if (!p) {
      p = source.kind === 'server' ? source.registry.list().then((entries) => ({ entries, problems: [] })) : source.registry.list();
      // A failure is not kept: the next look asks again.
      p.catch(() => this.listings.delete(source.id));
      this.listings.set(source.id, p);
    }
    return p;
  }

  /** The source changed (an action ran, a file changed): its listing is read again. */
  touched(source: RegistrySource): void {
    this.listings.delete(source.id);
    this.changed.fire(source);
  }

  /** The server registry of `source`, refused with the reason when it cannot be changed from here. */
  writable(source: RegistrySource): MlflowRegistry {
    if (source.kind !== 'server' || source.readOnly) throw new UserFacingError(source.readOnly ?? vscode.l10n.t('This registry cannot be changed from here.'));
    return source.registry;
  }

  /** Runs an action on a source's registry, then reads it again (also after a failure: it may have half happened). */
  async act<T>(source: RegistrySource, what: string, action: (registry: MlflowRegistry) => Promise<T>): Promise<T> {
    const registry = this.writable(source);
    this.log.info(`${source.label}: ${what}`);
    try {
      return await action(registry);
    } finally {
      this.touched(source);
    }
  }

  /** Every server registry (for commands run from the palette or from a run). */
  async serverSources(): Promise<Array<Extract<RegistrySource, { kind: 'server' }>>> {
    return (await this.sources()).flatMap((r) => (r.kind === 'source' && r.source.kind === 'server' ? [r.source] : []));
  }
}
