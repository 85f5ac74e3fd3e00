import * as vscode from 'vscode';
import path from 'node:path';
import { ErrorCode, errorMessage, hasCode } from '../common/errors';
import type { LocalStore } from '../experiments/core/mlflow/server';
import { age } from '../experiments/core/model';
import { Commands, ContextKeys, Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { ModelEntry } from './core/mlflowRegistry';
import type { ModelVersion } from './core/model';
import { matches, modelUri, versionText } from './core/model';
import type { RegistrySource, RegistryService } from './service';
import { escapeMd } from '../vscode/markdown';
import { messageItem, mlflowOfferItem } from '../vscode/treeItems';

export type ModelsNode =
  | { readonly kind: 'source'; readonly source: RegistrySource }
  | { readonly kind: 'offer'; readonly store: LocalStore }
  | { readonly kind: 'model'; readonly source: RegistrySource; readonly entry: ModelEntry }
  | { readonly kind: 'version'; readonly source: RegistrySource; readonly entry: ModelEntry; readonly version: ModelVersion }
  | { readonly kind: 'message'; readonly text: string; readonly error?: boolean; readonly command?: vscode.Command; readonly parent?: ModelsNode; readonly detail?: string };

export type VersionNode = Extract<ModelsNode, { kind: 'version' }>;
export type ModelNode = Extract<ModelsNode, { kind: 'model' }>;

/** How a source's version labels read: MLflow's aliases "@champion", GTO's stages "#prod". */
function aliasMark(source: RegistrySource): string {
  return source.kind === 'gto' ? '#' : '@';
}

/** A stage worth showing (MLflow 3 reports "None" for every version). */
export function stageOf(v: ModelVersion): string | undefined {
  return v.stage && v.stage !== 'None' ? v.stage : undefined;
}

/**
 * Models: registries (each MLflow server's, each file store's models/) → registered models
 * (latest version, aliases) → versions (aliases, stage, status, source run, age). A filter
 * (name, description, tag or alias) narrows the models; the view follows each action and,
 * for file stores, what MLflow writes on disk.
 */
export class ModelsTree extends Disposable implements vscode.TreeDataProvider<ModelsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ModelsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ModelsNode>;
  private text = '';

  constructor(
    private readonly registry: RegistryService,
    private readonly log: ComponentLogger,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(Views.models, { treeDataProvider: this, showCollapseAll: true, canSelectMany: true }));
    this.register(
      registry.onDidChange((source) => {
        if (!source) return this.changed.fire(undefined);
        void registry.sources().then((roots) => this.changed.fire(roots.find((r) => r.kind === 'source' && r.source.id === source.id)));
      }),
    );
  }

  get filter(): string {
    return this.text;
  }

  setFilter(text: string): void {
    this.text = text.trim();
    this.view.description = this.text ? vscode.l10n.t('filtered: {0}', this.text) : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.registryFiltered, this.text !== '');
    this.changed.fire(undefined);
  }

  async getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    if (!node) {
      const roots = await this.registry.sources();
      return roots.length ? roots : [{ kind: 'message', text: vscode.l10n.t('No model registry: set mlops.mlflow.trackingUri to an MLflow server, or open a folder with mlflow.db or mlruns/.') }];
    }
    try {
      switch (node.kind) {
        case 'source': {
          const { entries, problems } = await this.registry.listing(node.source);
          const shown = entries.filter((e) => matches(e.model, this.text));
          const out: ModelsNode[] = shown.map((entry) => ({ kind: 'model', source: node.source, entry }));
          for (const p of problems.slice(0, 3)) out.push({ kind: 'message', error: true, text: `${path.basename(path.dirname(p.path))}: ${p.message}`, parent: node, detail: p.path });
          if (problems.length > 3) out.push({ kind: 'message', error: true, text: vscode.l10n.t('and {0} more', problems.length - 3), parent: node, detail: problems.map((p) => `${p.path}: ${p.message}`).slice(0, 20).join('\n') });
          if (shown.length === 0 && entries.length > 0) out.unshift({ kind: 'message', text: vscode.l10n.t('No model matches "{0}".', this.text), parent: node, command: { command: Commands.registryClearFilter, title: vscode.l10n.t('Clear Filter') } });
          else if (entries.length === 0) out.unshift({ kind: 'message', text: vscode.l10n.t('No registered models yet: register a run’s model from the Experiments view.'), parent: node });
          return out;
        }
        case 'model':
          if (node.entry.versions.length === 0) return [{ kind: 'message', text: vscode.l10n.t('No versions.'), parent: node }];
          return node.entry.versions.map((version) => ({ kind: 'version', source: node.source, entry: node.entry, version }));
        default:
          return [];
      }
    } catch (err) {
      this.log.warn(`${node.kind}: ${errorMessage(err)}`);
      return [
        {
          kind: 'message',
          error: true,
          text: errorMessage(err),
          parent: node,
          ...(hasCode(err, ErrorCode.unauthorized) ? { command: { command: Commands.experimentsSignIn, title: vscode.l10n.t('Sign in to MLflow…') } } : {}),
        },
      ];
    }
  }

  getParent(node: ModelsNode): ModelsNode | undefined {
    if (node.kind === 'message') return node.parent;
    return undefined;
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'source': {
        const item = new vscode.TreeItem(node.source.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `registry:${node.source.id}`;
        item.description = node.source.kind === 'gto' ? vscode.l10n.t('GTO git tags (read-only)') : node.source.kind === 'files' ? vscode.l10n.t('file store (read-only)') : node.source.readOnly ? vscode.l10n.t('MLflow (read-only)') : 'MLflow';
        const where = node.source.kind === 'gto' ? node.source.repo : node.source.runs.location;
        item.tooltip = node.source.readOnly ? `${where}\n\n${node.source.readOnly}` : where;
        item.iconPath = new vscode.ThemeIcon(node.source.kind === 'gto' ? 'git-commit' : node.source.kind === 'files' ? 'folder-library' : 'server');
        item.contextValue = `mlops.registry.source.${node.source.kind}`;
        return item;
      }
      case 'offer':
        return mlflowOfferItem(node.store, vscode.l10n.t('start a local MLflow server to see its models'), node);
      case 'message':
        return messageItem(node);
      case 'model': {
        const { model, versions } = node.entry;
        const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `registry:${node.source.id}:${model.name}`;
        const latest = versions[0];
        const mark = aliasMark(node.source);
        const aliases = Object.entries(model.aliases).map(([a, v]) => `${mark}${a}→${versionText(v)}`);
        item.description = [latest ? versionText(latest.version) : vscode.l10n.t('no versions'), ...aliases].join(' · ');
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${escapeMd(model.name)}**\n\n`);
        if (model.description) md.appendMarkdown(`${escapeMd(model.description)}\n\n`);
        md.appendMarkdown(`${vscode.l10n.t('{0} versions', versions.length)}${aliases.length ? ` · ${aliases.map(escapeMd).join(', ')}` : ''}\n\n`);
        const tags = Object.entries(model.tags).filter(([k]) => !k.startsWith('mlflow.'));
        if (tags.length) md.appendMarkdown(tags.slice(0, 10).map(([k, v]) => `- ${escapeMd(k)} = ${escapeMd(v)}`).join('\n'));
        item.tooltip = md;
        item.iconPath = new vscode.ThemeIcon('package');
        item.contextValue = `mlops.registry.model.${node.source.kind === 'server' && !node.source.readOnly ? 'writable' : 'readonly'}`;
        return item;
      }
      case 'version': {
        const v = node.version;
        const mark = aliasMark(node.source);
        const item = new vscode.TreeItem(versionText(v.version), vscode.TreeItemCollapsibleState.None);
        item.id = `registry:${node.source.id}:${v.name}:${v.version}`;
        const stage = stageOf(v);
        item.description = [...v.aliases.map((a) => `${mark}${a}`), stage, v.status && v.status !== 'READY' ? v.status : undefined, v.created ? age(v.created, Date.now()) : undefined].filter(Boolean).join(' · ');
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**${escapeMd(v.name)} ${escapeMd(versionText(v.version))}**${v.aliases.length ? ` — ${v.aliases.map((a) => `${mark}${escapeMd(a)}`).join(' ')}` : ''}\n\n`);
        // GTO names a version by its tag; MLflow by its model URI.
        md.appendMarkdown(`\`${node.source.kind === 'gto' ? `${v.name}@${v.version}` : modelUri(v.name, { version: v.version })}\`\n\n`);
        if (v.description) md.appendMarkdown(`${escapeMd(v.description)}\n\n`);
        const rows: Array<[string, string | undefined]> = [
          [vscode.l10n.t('Status'), v.status ? `${v.status}${v.statusMessage ? ` (${v.statusMessage})` : ''}` : undefined],
          [vscode.l10n.t('Stage'), stage],
          [vscode.l10n.t('Source run'), v.runId],
          [vscode.l10n.t('Logged model'), v.modelId],
          [vscode.l10n.t('Source'), v.source],
          [vscode.l10n.t('Created'), v.created ? new Date(v.created).toISOString().replace('T', ' ').slice(0, 19) : undefined],
        ];
        md.appendMarkdown(
          rows
            .filter(([, x]) => x)
            .map(([k, x]) => `- ${k}: ${escapeMd(x!)}`)
            .join('\n'),
        );
        const tags = Object.entries(v.tags).filter(([k]) => !k.startsWith('mlflow.'));
        if (tags.length) md.appendMarkdown(`\n\n${tags.slice(0, 10).map(([k, x]) => `- ${escapeMd(k)} = ${escapeMd(x)}`).join('\n')}`);
        item.tooltip = md;
        item.iconPath = new vscode.ThemeIcon(v.aliases.length ? 'tag' : v.status === 'FAILED_REGISTRATION' ? 'error' : 'versions');
        const writable = node.source.kind === 'server' && !node.source.readOnly;
        item.contextValue = ['mlops.registry.version', writable ? 'writable' : 'readonly', v.aliases.length ? 'aliased' : '', v.runId ? 'run' : ''].filter(Boolean).join('.');
        return item;
      }
    }
  }
}
