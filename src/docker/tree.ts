import * as vscode from 'vscode';
import { Commands, Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ContainerSummary, ImageSummary } from './core/client';
import { MANAGED_LABEL, groupByImage, splitTag } from './core/model';
import type { DockerService } from './service';

export type DockerNode =
  | { readonly kind: 'down'; readonly message: string }
  | { readonly kind: 'image'; readonly image: ImageSummary; readonly containers: readonly ContainerSummary[] }
  | { readonly kind: 'container'; readonly container: ContainerSummary; readonly image?: ImageSummary }
  | { readonly kind: 'empty'; readonly showAll: boolean };

/**
 * Images & Containers: the images this extension built (by label; a toggle shows all
 * tagged images) and their containers. A view of the DockerService: it refreshes on the
 * service's changes (the engine's event stream), and owns nothing else.
 */
export class DockerTree extends Disposable implements vscode.TreeDataProvider<DockerNode> {
  private readonly changed = this.register(new vscode.EventEmitter<DockerNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<DockerNode>;

  constructor(private readonly service: DockerService) {
    super();
    this.view = this.register(vscode.window.createTreeView(Views.docker, { treeDataProvider: this, showCollapseAll: true }));
    this.register(service.onDidChange(() => this.changed.fire(undefined)));
    this.register(service.onDidChangeState((s) => (this.view.message = s.kind === 'down' ? s.error.message : undefined)));
  }

  async getChildren(node?: DockerNode): Promise<DockerNode[]> {
    if (node) return node.kind === 'image' ? node.containers.map((c) => ({ kind: 'container', container: c, image: node.image })) : [];
    const s = await this.service.state();
    if (s.kind !== 'connected') return [{ kind: 'down', message: s.kind === 'down' ? s.error.message : '' }];
    const showAll = this.service.showingAll;
    try {
      const [images, containers] = await Promise.all([s.client.images(showAll ? undefined : MANAGED_LABEL), s.client.containers()]);
      const { groups, loose } = groupByImage(images, containers, showAll);
      const nodes: DockerNode[] = [...groups.map((g) => ({ kind: 'image' as const, image: g.image, containers: g.containers })), ...loose.map((c) => ({ kind: 'container' as const, container: c }))];
      return nodes.length ? nodes : [{ kind: 'empty', showAll }];
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return [{ kind: 'down', message }];
    }
  }

  getTreeItem(node: DockerNode): vscode.TreeItem {
    switch (node.kind) {
      case 'down': {
        const item = new vscode.TreeItem(vscode.l10n.t('Docker engine not reachable'), vscode.TreeItemCollapsibleState.None);
        item.description = vscode.l10n.t('click to retry');
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.command = { command: Commands.dockerRefresh, title: vscode.l10n.t('Retry') };
        item.contextValue = 'dockerDown';
        return item;
      }
      case 'empty': {
        const item = new vscode.TreeItem(node.showAll ? vscode.l10n.t('No tagged images') : vscode.l10n.t('No images built by MLOps Workbench yet'), vscode.TreeItemCollapsibleState.None);
        item.description = vscode.l10n.t('Build one from a Model API');
        item.command = { command: Commands.dockerBuild, title: vscode.l10n.t('Build Image') };
        item.iconPath = new vscode.ThemeIcon('info');
        return item;
      }
      case 'image': {
        const { image, containers } = node;
        const [repo] = splitTag(image.tags[0] ?? image.id);
        const running = containers.filter((c) => c.state === 'running').length;
        const item = new vscode.TreeItem(repo, containers.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = `image:${image.id}`;
        item.description = image.tags.map((t) => (splitTag(t)[0] === repo ? splitTag(t)[1] : t)).join(', ');
        item.tooltip = new vscode.MarkdownString(
          [
            image.tags.map((t) => `\`${t}\``).join('  \n'),
            `${image.id.slice(7, 19)} · ${formatBytes(image.size)} · ${image.created.toLocaleString()}`,
            image.labels['org.opencontainers.image.revision'] ? vscode.l10n.t('Revision: {0}', image.labels['org.opencontainers.image.revision']) : '',
            running ? vscode.l10n.t('{0} running', running) : '',
          ]
            .filter(Boolean)
            .join('\n\n'),
        );
        item.iconPath = new vscode.ThemeIcon('package', running ? new vscode.ThemeColor('testing.iconPassed') : undefined);
        item.contextValue = image.labels['mlops.workbench/managed'] === 'true' ? 'dockerImage managed' : 'dockerImage';
        return item;
      }
      case 'container': {
        const c = node.container;
        const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.None);
        item.id = `container:${c.id}`;
        const ports = c.ports.map((p) => `${p.ip && p.ip !== '0.0.0.0' ? p.ip : 'localhost'}:${p.host}→${p.container}`).join(', ');
        item.description = [c.status, ports].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString([`**${c.name}**`, `\`${c.image}\``, c.status, ports].filter(Boolean).join('\n\n'));
        item.iconPath = new vscode.ThemeIcon(
          c.state === 'running' ? 'vm-running' : 'vm-outline',
          c.state === 'running' ? new vscode.ThemeColor('testing.iconPassed') : c.state === 'exited' && !/Exited \(0\)/.test(c.status) ? new vscode.ThemeColor('testing.iconFailed') : undefined,
        );
        item.contextValue = `dockerContainer ${c.state}${c.ports.length ? ' published' : ''}`;
        return item;
      }
    }
  }
}

function formatBytes(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;
}
