import * as vscode from 'vscode';
import { UserFacingError } from '../common/errors';
import { Commands, Settings } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import type { KubeClient } from './core/client';
import type { DeploySettings } from '../deploy/core/deploy';
import type { DeliverySetting } from '../deploy/core/delivery';
import { summarizeDeployment } from './core/model';
import type { Forward } from './core/portforward';
import { PortForwards } from './core/portforward';

/**
 * The editor's side of Kubernetes: one client for the current context (client-node is
 * loaded on first use, never at activation), the managed port-forwards (all stopped with
 * the window), the deploy settings, and the status bar item naming the context and
 * namespace (read from the kubeconfig text, so it costs no client load).
 */
export class KubeService extends Disposable {
  private loaded: Promise<KubeClient> | undefined;
  readonly forwards = new PortForwards();
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  /** The context, namespace or the cluster's workloads changed: views refresh. */
  readonly onDidChange = this.changed.event;
  private readonly status: vscode.StatusBarItem;

  constructor(private readonly log: ComponentLogger) {
    super();
    this.register({ dispose: () => void this.forwards.dispose() });
    this.register(this.forwards.onDidChange(() => this.changed.fire()));
    this.status = this.register(vscode.window.createStatusBarItem('mlops.kubernetes.context', vscode.StatusBarAlignment.Left, 10));
    this.status.name = vscode.l10n.t('MLOps: Kubernetes Context');
    this.status.command = Commands.kubernetesSwitchContext;
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(Settings.kubernetesNamespace)) this.fireChanged();
      }),
    );
    void this.updateStatus();
  }

  /** The client of the current context; a missing or unreadable kubeconfig is said plainly. */
  client(): Promise<KubeClient> {
    if (!this.loaded) {
      const loading = import('./core/client').then(({ KubeClient }) => KubeClient.load());
      // A failed load is tried again next time (unless a reload has already replaced it).
      loading.catch(() => this.loaded === loading && (this.loaded = undefined));
      this.loaded = loading;
    }
    return this.loaded;
  }

  /** Forgets the client (a switched context, an edited kubeconfig): the next call reads it again. */
  reload(): void {
    this.loaded = undefined;
    this.fireChanged();
  }

  fireChanged(): void {
    this.changed.fire();
    void this.updateStatus();
  }

  /** Where deploys go: the setting, else the context's namespace. */
  namespaceFor(client: KubeClient): string {
    return this.configuredNamespace() || client.namespace;
  }

  /**
   * mlops.kubernetes.namespace is one value per window (its scope is `window`): the tree,
   * the status bar and every deploy read it here, so they cannot name different namespaces.
   */
  private configuredNamespace(): string {
    return vscode.workspace.getConfiguration().get<string>(Settings.kubernetesNamespace, '');
  }

  settings(folder?: vscode.Uri): DeploySettings {
    const c = vscode.workspace.getConfiguration(undefined, folder);
    const baseImage = c.get<string>(Settings.dockerBaseImage, '');
    const namespace = this.configuredNamespace();
    return {
      ...(namespace ? { namespace } : {}),
      imageDelivery: c.get<DeliverySetting>(Settings.kubernetesImageDelivery, 'auto'),
      registry: c.get<string>(Settings.kubernetesRegistry, 'localhost:5000'),
      containerdAddress: c.get<string>(Settings.kubernetesContainerdAddress, '/run/containerd/containerd.sock'),
      rolloutTimeoutSeconds: Math.max(10, c.get<number>(Settings.kubernetesRolloutTimeoutSeconds, 300)),
      ...(baseImage ? { baseImage } : {}),
    };
  }

  /** The open forward to a Ready pod of the Deployment's current revision, or a new one (`localPort` 0: any free port). */
  async forwardTo(namespace: string, name: string, localPort = 0): Promise<Forward> {
    const client = await this.client();
    const dep = await client.deployment(namespace, name);
    if (!dep) throw new UserFacingError(vscode.l10n.t('Deployment {0} is not in namespace {1} of context {2}.', name, namespace, client.context));
    const ready = (await client.readyPods(namespace, dep)).map((p) => p.metadata!.name!);
    const open = this.forwards.list().find((f) => f.context === client.context && f.namespace === namespace && ready.includes(f.pod) && (localPort === 0 || f.localPort === localPort));
    if (open) return open;
    if (!ready[0]) throw new UserFacingError(vscode.l10n.t('{0} has no Ready pod to forward to yet. Open its deployment view to see why.', name));
    await this.forwards.stopOwned(client.context, namespace, name, ready);
    return this.forwards.start(client, namespace, ready[0], summarizeDeployment(dep).port ?? 8000, localPort, name);
  }

  private async updateStatus(): Promise<void> {
    try {
      const { KubeClient } = await import('./core/client');
      const peek = await KubeClient.peek();
      if (!peek) {
        this.status.hide();
        return;
      }
      const namespace = this.configuredNamespace() || peek.namespace;
      this.status.text = `$(cloud) ${peek.context}/${namespace}`;
      this.status.tooltip = vscode.l10n.t('Kubernetes context {0}, namespace {1}: where MLOps Workbench deploys. Click to switch.', peek.context, namespace);
      this.status.show();
    } catch (err) {
      this.log.warn(`could not read the kubeconfig for the status bar: ${String(err)}`);
      this.status.hide();
    }
  }
}
