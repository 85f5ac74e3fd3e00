import * as vscode from 'vscode';
import { Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { CommandRegistry } from '../vscode/commands';
import { linkForTopic } from './core/actions';
import type { Module, Topic } from './core/parser';
import type { SyllabusService } from './service';
import { escapeMd } from '../vscode/markdown';

type Node = { readonly kind: 'module'; readonly module: Module } | { readonly kind: 'topic'; readonly topic: Topic };

/** Modules with done/total and hours; topics as native checkboxes, grouped by indentation. */
export class SyllabusTree extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this.register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Node>;

  constructor(
    private readonly service: SyllabusService,
    private readonly commands: CommandRegistry,
  ) {
    super();
    this.view = this.register(
      vscode.window.createTreeView(Views.syllabus, { treeDataProvider: this, manageCheckboxStateManually: true, showCollapseAll: true }),
    );
    this.register(
      this.view.onDidChangeCheckboxState((e) => {
        const changes = e.items.flatMap(([node, state]) =>
          node.kind === 'topic' ? [{ key: node.topic.key, done: state === vscode.TreeItemCheckboxState.Checked }] : [],
        );
        void this.service.setDone(changes);
      }),
    );
    this.register(service.onDidChange(() => this.refresh()));
  }

  private refresh(): void {
    const current = this.service.peek();
    if (current) {
      const t = current.model.totals();
      this.view.description = `${t.done}/${t.total}`;
      this.view.message = current.model.title;
    }
    this.changed.fire(undefined);
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const { model } = await this.service.get();
      return model.syllabus.modules.map((module) => ({ kind: 'module', module }));
    }
    const topics = node.kind === 'module' ? node.module.topics : node.topic.children;
    return topics.map((topic) => ({ kind: 'topic', topic }));
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const current = this.service.peek();
    const model = current?.model;
    const scope = current ? current.source.uri.toString() : '';
    if (node.kind === 'module') {
      const m = node.module;
      const counts = model ? model.countsFor(m) : { done: 0, total: 0 };
      const item = new vscode.TreeItem(m.title || vscode.l10n.t('Other topics'), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `${scope}#module:${m.key}`;
      item.description =
        m.hours !== undefined ? vscode.l10n.t('{0}/{1} · {2} h', counts.done, counts.total, m.hours) : `${counts.done}/${counts.total}`;
      item.iconPath = new vscode.ThemeIcon(counts.done === counts.total && counts.total > 0 ? 'pass-filled' : 'book');
      item.contextValue = 'module';
      const tip = new vscode.MarkdownString();
      tip.appendMarkdown(`**${escapeMd(m.title)}**\n\n`);
      if (m.description) tip.appendMarkdown(`${escapeMd(m.description)}\n\n`);
      tip.appendMarkdown(vscode.l10n.t('{0} of {1} topics done', counts.done, counts.total));
      item.tooltip = tip;
      item.accessibilityInformation = { label: `${m.title}, ${vscode.l10n.t('{0} of {1} topics done', counts.done, counts.total)}` };
      return item;
    }
    const t = node.topic;
    const done = model?.isDone(t.key) ?? t.doneInSource;
    const item = new vscode.TreeItem(
      t.text,
      t.children.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `${scope}#topic:${t.key}`;
    item.checkboxState = {
      state: done ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked,
      tooltip: done ? vscode.l10n.t('Done: click to mark as to do') : vscode.l10n.t('To do: click to mark as done'),
    };
    const link = linkForTopic(t.text, (c) => this.commands.has(c));
    // Menus show a topic's inline action by matching `link:<feature>` in its context value.
    item.contextValue = link ? `topic link:${link.feature}` : 'topic';
    item.tooltip = t.text;
    return item;
  }

  getParent(): undefined {
    return undefined;
  }
}
