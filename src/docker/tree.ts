import * as vscode from 'vscode';
import { UserFacingError } from '../common/errors';
import { Commands, ContextKeys, Settings, StorageKeys, Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { ContainerSummary, DockerClient, ImageSummary } from './core/client';
import { MANAGED_LABEL, groupByImage, splitTag } from './core/model';
import type { EngineState } from './core/watcher';
import { EngineWatcher } from './core/watcher';

export type DockerNode =
  | { readonly kind: 'down'; readonly message: string }
  | { readonly kind: 'image'; readonly image: ImageSummary; readonly containers: readonly ContainerSummary[] }
  | { readonly kind: 'container'; readonly container: ContainerSummary; readonly image?: ImageSummary }
  | { readonly kind: 'empty'; readonly showAll: boolean };

/**
 * Images & Containers: the images this extension built (by label; a toggle shows all
 * tagged images) and their containers. One engine connection, opened when the view is
 * first shown (never at activation), refreshed from the engine's event stream.
 */
export class DockerTree extends Disposable implements vscode.TreeDataProvider<DockerNode> {
  private readonly changed = this.register(new vscode.EventEmitter<DockerNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<DockerNode>;
  private readonly watcher: EngineWatcher;
  private showAll: boolean;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly log: ComponentLogger,
  ) {
    super();
    this.showAll = memento.get<boolean>(StorageKeys.dockerShowAll, false);
    void vscode.commands.executeCommand('setContext', ContextKeys.dockerShowAll, this.showAll);
    this.watcher = new EngineWatcher({
      connect: () => this.connect(),
      onChange: () => this.changed.fire(undefined),
      onState: (s) => this.onState(s),
    });
    this.register({ dispose: () => this.watcher.dispose() });
    this.view = this.register(vscode.window.createTreeView(Views.docker, { treeDataProvider: this, showCollapseAll: true }));
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(Settings.dockerHost)) this.reconnect();
      }),
    );
  }

  private async connect(): Promise<DockerClient> {
    const { DockerClient } = await import('./core/client');
    const host = vscode.workspace.getConfiguration().get<string>(Settings.dockerHost, '');
    return DockerClient.connect(process.env, host);
  }

  private onState(s: EngineState): void {
    if (s.kind === 'connected') this.log.info(`connected to ${s.client.where}: ${s.version.podman ? 'Podman' : 'Docker'} ${s.version.version} (API ${s.version.apiVersion})`);
    if (s.kind === 'down') this.log.warn(`engine unavailable: ${s.error.message}`);
    this.view.message = s.kind === 'down' ? s.error.message : undefined;
  }

  /** The connected engine, or the reason there is none, said so that the user can act on it. */
  async client(): Promise<DockerClient> {
    const s = await this.watcher.ready();
    if (s.kind === 'connected') return s.client;
    if (s.kind === 'down') throw s.error;
    throw new UserFacingError(vscode.l10n.t('The Docker engine is not connected yet.'));
  }

  refresh(): void {
    if (this.watcher.current.kind === 'down') this.watcher.reconnectNow();
    this.changed.fire(undefined);
  }

  private reconnect(): void {
    // A changed mlops.docker.host: drop the connection; the loop reconnects to the new one.
    this.watcher.restart();
    this.changed.fire(undefined);
  }

  get showingAll(): boolean {
    return this.showAll;
  }

  async setShowAll(value: boolean): Promise<void> {
    this.showAll = value;
    await this.memento.update(StorageKeys.dockerShowAll, value);
    await vscode.commands.executeCommand('setContext', ContextKeys.dockerShowAll, value);
    this.changed.fire(undefined);
  }

  async getChildren(node?: DockerNode): Promise<DockerNode[]> {
    if (node) return node.kind === 'image' ? node.containers.map((c) => ({ kind: 'container', container: c, image: node.image })) : [];
    const s = await this.watcher.ready();
    if (s.kind !== 'connected') return [{ kind: 'down', message: s.kind === 'down' ? s.error.message : '' }];
    try {
      const [images, containers] = await Promise.all([s.client.images(this.showAll ? undefined : MANAGED_LABEL), s.client.containers()]);
      const { groups, loose } = groupByImage(images, containers, this.showAll);
      const nodes: DockerNode[] = [...groups.map((g) => ({ kind: 'image' as const, image: g.image, containers: g.containers })), ...loose.map((c) => ({ kind: 'container' as const, container: c }))];
      return nodes.length ? nodes : [{ kind: 'empty', showAll: this.showAll }];
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
