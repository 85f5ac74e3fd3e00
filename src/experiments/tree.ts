import * as vscode from 'vscode';
import path from 'node:path';
import { ErrorCode, errorMessage, hasCode } from '../common/errors';
import { Commands, Settings, Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { LocalStore } from './core/mlflow/server';
import type { LocalMlflowServer } from './core/mlflow/server';
import type { Experiment, Run } from './core/model';
import { age, keyMetric } from './core/model';
import type { ExperimentSource } from './core/sources';
import type { ExperimentSources } from './service';
import { escapeMd } from '../vscode/markdown';
import { messageItem, mlflowOfferItem } from '../vscode/treeItems';

export type ExperimentsNode =
  | { readonly kind: 'source'; readonly source: ExperimentSource; readonly local?: LocalMlflowServer }
  | { readonly kind: 'offer'; readonly store: LocalStore }
  | { readonly kind: 'message'; readonly text: string; readonly error?: boolean; readonly command?: vscode.Command; readonly parent?: ExperimentsNode; readonly detail?: string }
  | { readonly kind: 'experiment'; readonly source: ExperimentSource; readonly experiment: Experiment }
  | { readonly kind: 'run'; readonly source: ExperimentSource; readonly experiment: Experiment; readonly run: Run; readonly children: readonly Run[] }
  /** `count` when the tree knows the total (a store larger than the tree's page: unknown). */
  | { readonly kind: 'more'; readonly source: ExperimentSource; readonly experiment: Experiment; readonly count?: number };

export type RunNode = Extract<ExperimentsNode, { kind: 'run' }>;

/** Runs shown under an experiment in the tree; the table shows all of them. */
const TREE_RUN_LIMIT = 200;
/** How many of an experiment's newest runs the tree reads (its top 200 and their nested runs among them). */
const TREE_PAGE = 500;


/**
 * Experiments: sources (the configured MLflow server, each workspace folder's mlruns/
 * file store and DVC repository, and a local server the user started on mlflow.db) →
 * experiments → runs with status, key metric and age. Sources are found when the view is
 * first shown; DVC and file-store changes refresh it through debounced file watchers.
 */
export class ExperimentsTree extends Disposable implements vscode.TreeDataProvider<ExperimentsNode> {
  private readonly changed = this.register(new vscode.EventEmitter<ExperimentsNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ExperimentsNode>;

  constructor(
    private readonly sources: ExperimentSources,
    private readonly log: ComponentLogger,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(Views.experiments, { treeDataProvider: this, showCollapseAll: true, canSelectMany: true }));
    this.register(sources.onDidChange(() => this.changed.fire(undefined)));
    // One source changed on disk: only its subtree is read again.
    this.register(
      sources.onDidChangeSource((source) => {
        void sources.roots().then((roots) => {
          const node = roots.find((n) => n.kind === 'source' && n.source.id === source.id);
          if (node) this.changed.fire(node);
        });
      }),
    );
  }

  // ---- TreeDataProvider ---------------------------------------------------------
  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    if (!node) return this.sources.roots();
    try {
      switch (node.kind) {
        case 'source': {
          const exps = await node.source.experiments();
          this.sources.rememberExperiments(node.source, exps);
          const out: ExperimentsNode[] = exps.map((experiment) => ({ kind: 'experiment', source: node.source, experiment }));
          out.push(...problemRows(node.source.problems.map((p) => `${path.basename(path.dirname(p.path))}: ${p.message}`), node));
          if (out.length === 0) out.push({ kind: 'message', text: vscode.l10n.t('No experiments yet.'), parent: node });
          return out;
        }
        case 'experiment': {
          // The newest runs only (a store may hold 100,000): the rest are in the runs table.
          const page = node.source.kind === 'dvc' ? undefined : TREE_PAGE;
          const runs = await node.source.runs([node.experiment.id], { orderBy: ['attributes.start_time DESC'], ...(page ? { limit: page } : {}) });
          const ids = new Set(runs.map((r) => r.id));
          const top = runs.filter((r) => !r.parentId || !ids.has(r.parentId) || node.source.kind === 'dvc');
          const out: ExperimentsNode[] = top.slice(0, TREE_RUN_LIMIT).map((run) => ({ kind: 'run', source: node.source, experiment: node.experiment, run, children: node.source.kind === 'dvc' ? [] : runs.filter((r) => r.parentId === run.id) }));
          if (top.length > TREE_RUN_LIMIT || (page !== undefined && runs.length >= page)) out.push({ kind: 'more', source: node.source, experiment: node.experiment, ...(page !== undefined && runs.length >= page ? {} : { count: runs.length }) });
          out.push(...problemRows(node.source.problems.map((p) => `${p.path}: ${p.message}`), node));
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
      case 'offer':
        return mlflowOfferItem(node.store, vscode.l10n.t('start a local MLflow server to browse it'), node);
      case 'message':
        return messageItem(node);
      case 'experiment': {
        const item = new vscode.TreeItem(node.experiment.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `exp:${node.source.id}:${node.experiment.id}`;
        item.description = node.source.kind === 'dvc' ? (node.experiment.id === 'workspace' ? '' : node.experiment.id.slice(0, 7)) : `#${node.experiment.id}`;
        item.iconPath = new vscode.ThemeIcon('beaker');
        item.contextValue = `mlops.experiment.${node.source.kind}`;
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(node.count !== undefined ? vscode.l10n.t('All {0} runs in the table…', node.count) : vscode.l10n.t('All runs in the table…'), vscode.TreeItemCollapsibleState.None);
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


/**
 * What could not be read, as rows: one row each for a few, one summary row (the first ones
 * in its tooltip) for many — a store with hundreds of folders without meta.yaml shows one
 * line, not hundreds.
 */
function problemRows(lines: readonly string[], parent: ExperimentsNode): ExperimentsNode[] {
  if (lines.length <= 3) return lines.map((text) => ({ kind: 'message', error: true, text, parent }));
  return [
    {
      kind: 'message',
      error: true,
      text: vscode.l10n.t('{0} folders could not be read (the first: {1})', lines.length, lines[0]!),
      detail: [...lines.slice(0, 20), ...(lines.length > 20 ? [vscode.l10n.t('and {0} more', lines.length - 20)] : [])].join('\n'),
      parent,
    },
  ];
}
