import * as vscode from 'vscode';
import { Commands, Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ModelApiProject } from './core/projects';
import type { ModelApiIndex } from './index';

/** The Model APIs view: a view of the ModelApiIndex, nothing more. */
export class ModelApisTree extends Disposable implements vscode.TreeDataProvider<ModelApiProject> {
  private readonly changed = this.register(new vscode.EventEmitter<undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly index: ModelApiIndex) {
    super();
    this.register(vscode.window.createTreeView(Views.modelApis, { treeDataProvider: this, showCollapseAll: false }));
    this.register(index.onDidChange(() => this.changed.fire(undefined)));
  }

  getChildren(element?: ModelApiProject): Promise<ModelApiProject[]> | ModelApiProject[] {
    return element ? [] : this.index.list();
  }
  getTreeItem(p: ModelApiProject): vscode.TreeItem {
    const item = new vscode.TreeItem(p.name, vscode.TreeItemCollapsibleState.None);
    item.id = p.dir;
    const fw = p.framework === 'fastapi' ? 'FastAPI' : p.framework === 'flask' ? 'Flask' : '?';
    item.description = [fw, p.port !== undefined ? `:${p.port}` : undefined, p.scaffolded ? undefined : vscode.l10n.t('not scaffolded')].filter(Boolean).join(' · ');
    item.tooltip = new vscode.MarkdownString(
      [`**${p.name}**`, `\`${p.dir}\``, p.modelLabel ? vscode.l10n.t('Model: {0}', p.modelLabel) : '', p.problem ? `$(warning) ${p.problem}` : ''].filter(Boolean).join('\n\n'),
      true,
    );
    item.iconPath = new vscode.ThemeIcon(p.problem ? 'warning' : 'server-process');
    item.resourceUri = vscode.Uri.file(p.dir);
    item.contextValue = p.scaffolded ? 'modelApi scaffolded' : 'modelApi';
    item.command = { command: Commands.modelApisOpen, title: vscode.l10n.t('Open'), arguments: [p] };
    return item;
  }
}
