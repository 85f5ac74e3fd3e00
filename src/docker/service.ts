import * as vscode from 'vscode';
import { UserFacingError } from '../common/errors';
import { ContextKeys, Settings, StorageKeys } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { DockerClient } from './core/client';
import type { EngineState } from './core/watcher';
import { EngineWatcher } from './core/watcher';

/**
 * The Docker feature's one service: the engine connection (opened on first use, never at
 * activation, reconnected when mlops.docker.host changes), its event stream, and the
 * Images & Containers view's filter. The tree, the commands and the deploy use it; none of
 * them goes through the tree.
 */
export class DockerService extends Disposable {
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** The engine's images or containers changed, or the connection did. */
  readonly onDidChange = this.changed.event;
  private readonly stateChanged = this.register(new vscode.EventEmitter<EngineState>());
  readonly onDidChangeState = this.stateChanged.event;
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
      onChange: () => this.changed.fire(),
      onState: (s) => this.onState(s),
    });
    this.register({ dispose: () => this.watcher.dispose() });
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // A changed mlops.docker.host: drop the connection; the loop reconnects to the new one.
        if (e.affectsConfiguration(Settings.dockerHost)) {
          this.watcher.restart();
          this.changed.fire();
        }
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
    this.stateChanged.fire(s);
  }

  /** The connection as it stands once the first attempt has ended. */
  state(): Promise<EngineState> {
    return this.watcher.ready();
  }

  /** The connected engine, or the reason there is none, said so that the user can act on it. */
  async client(): Promise<DockerClient> {
    const s = await this.watcher.ready();
    if (s.kind === 'connected') return s.client;
    if (s.kind === 'down') throw s.error;
    throw new UserFacingError(vscode.l10n.t('The Docker engine is not connected yet.'));
  }

  /** Reads again; retries at once when the engine was down. */
  refresh(): void {
    if (this.watcher.current.kind === 'down') this.watcher.reconnectNow();
    this.changed.fire();
  }

  get showingAll(): boolean {
    return this.showAll;
  }

  async setShowAll(value: boolean): Promise<void> {
    this.showAll = value;
    await this.memento.update(StorageKeys.dockerShowAll, value);
    await vscode.commands.executeCommand('setContext', ContextKeys.dockerShowAll, value);
    this.changed.fire();
  }
}
