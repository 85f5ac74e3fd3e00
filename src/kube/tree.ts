import * as vscode from 'vscode';
import { errorMessage } from '../common/errors';
import { Commands, Views } from '../vscode/ids';
import { Disposable } from '../vscode/lifecycle';
import type { ComponentLogger } from '../vscode/logger';
import { CLUSTER_KIND_NAMES, detectCluster } from './core/detect';
import type { PodSummary, WorkloadSummary } from './core/model';
import { groupByNamespace, summarizeDeployment, summarizePod } from './core/model';
import type { Forward } from './core/portforward';
import type { KubeService } from './service';
import { servedText } from '../registry/core/model';
import { escapeMd } from '../vscode/markdown';

export type KubeNode =
  | { readonly kind: 'problem'; readonly message: string }
  | { readonly kind: 'context'; readonly context: string; readonly server: string; readonly clusterKind: string }
  | { readonly kind: 'namespace'; readonly context: string; readonly namespace: string; readonly workloads: readonly WorkloadSummary[]; readonly target: boolean }
  | { readonly kind: 'workload'; readonly context: string; readonly workload: WorkloadSummary }
  | { readonly kind: 'pod'; readonly context: string; readonly workload: WorkloadSummary; readonly pod: PodSummary }
  | { readonly kind: 'forwards'; readonly forwards: readonly Forward[] }
  | { readonly kind: 'forward'; readonly forward: Forward };

/**
 * Kubernetes: the current context → namespaces → the workloads the extension deployed (by
 * label) → their pods, and the active port-forwards. Read when shown, refreshed after
 * every action and deploy; nothing polls.
 */
export class KubernetesTree extends Disposable implements vscode.TreeDataProvider<KubeNode> {
  private readonly changed = this.register(new vscode.EventEmitter<KubeNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<KubeNode>;

  constructor(
    private readonly service: KubeService,
    private readonly log: ComponentLogger,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(Views.kubernetes, { treeDataProvider: this, showCollapseAll: true }));
    this.register(service.onDidChange(() => this.changed.fire(undefined)));
  }

  async getChildren(node?: KubeNode): Promise<KubeNode[]> {
    try {
      if (!node) return await this.roots();
      if (node.kind === 'namespace') return node.workloads.map((workload) => ({ kind: 'workload', context: node.context, workload }));
      if (node.kind === 'forwards') return node.forwards.map((forward) => ({ kind: 'forward', forward }));
      if (node.kind === 'context') return await this.namespaces(node.context);
      if (node.kind === 'workload') {
        const client = await this.service.client();
        const dep = await client.deployment(node.workload.namespace, node.workload.name);
        if (!dep) return [];
        return (await client.pods(node.workload.namespace, dep)).map((p) => ({ kind: 'pod', context: node.context, workload: node.workload, pod: summarizePod(p) }));
      }
      return [];
    } catch (err) {
      this.log.warn(`kubernetes tree: ${errorMessage(err)}`);
      return [{ kind: 'problem', message: errorMessage(err) }];
    }
  }

  private async roots(): Promise<KubeNode[]> {
    const client = await this.service.client();
    const facts = await client.facts();
    const detection = detectCluster(facts);
    const forwards = this.service.forwards.list();
    return [
      { kind: 'context', context: client.context, server: client.server, clusterKind: CLUSTER_KIND_NAMES[detection.kind] },
      ...(forwards.length ? [{ kind: 'forwards' as const, forwards }] : []),
    ];
  }

  private async namespaces(context: string): Promise<KubeNode[]> {
    const client = await this.service.client();
    const target = this.service.namespaceFor(client);
    const workloads = (await client.managedDeploymentsEverywhere(target)).map(summarizeDeployment);
    return groupByNamespace(workloads, target).map((g) => ({ kind: 'namespace', context, namespace: g.namespace, workloads: g.workloads, target: g.namespace === target }));
  }

  getTreeItem(node: KubeNode): vscode.TreeItem {
    const None = vscode.TreeItemCollapsibleState.None;
    switch (node.kind) {
      case 'problem': {
        const item = new vscode.TreeItem(vscode.l10n.t('Cluster not reachable'), None);
        item.description = vscode.l10n.t('click to retry');
        item.tooltip = node.message;
        item.iconPath = new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsWarningIcon.foreground'));
        item.command = { command: Commands.kubernetesRefresh, title: vscode.l10n.t('Retry') };
        return item;
      }
      case 'context': {
        const item = new vscode.TreeItem(node.context, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `context:${node.context}`;
        item.description = node.clusterKind;
        item.tooltip = new vscode.MarkdownString(`**${node.context}** · ${node.clusterKind}\n\n\`${node.server}\``);
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.contextValue = 'kubeContext';
        return item;
      }
      case 'namespace': {
        const item = new vscode.TreeItem(node.namespace, node.workloads.length ? vscode.TreeItemCollapsibleState.Expanded : None);
        // A new id once something is deployed there, so the namespace opens (the tree keeps the collapsed state per id).
        item.id = `ns:${node.context}/${node.namespace}${node.workloads.length ? '' : ':empty'}`;
        item.description = [node.target ? vscode.l10n.t('deploys go here') : '', node.workloads.length ? '' : vscode.l10n.t('nothing deployed yet')].filter(Boolean).join(' · ');
        item.iconPath = new vscode.ThemeIcon('symbol-namespace');
        item.contextValue = node.target ? 'kubeNamespace target' : 'kubeNamespace';
        return item;
      }
      case 'workload': {
        const w = node.workload;
        const item = new vscode.TreeItem(w.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `workload:${node.context}/${w.namespace}/${w.name}`;
        // A registered version says which (name, version, alias); otherwise the project's model version.
        const model = w.served ? vscode.l10n.t('serving {0}', servedText(w.served)) : w.modelVersion ? vscode.l10n.t('model {0}', w.modelVersion) : '';
        item.description = [`${w.ready}/${w.desired}`, model, vscode.l10n.t('rev {0}', w.revision)].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(
          [
            `**${w.name}** · ${w.namespace}`,
            `\`${w.image}\``,
            w.served ? vscode.l10n.t('Serving {0} from the model registry', escapeMd(servedText(w.served))) : '',
            w.modelVersion ? vscode.l10n.t('Model version: {0}', w.modelVersion) : '',
            w.gitCommit ? vscode.l10n.t('Git commit: {0}', w.gitCommit) : '',
            w.mlflowRunId ? vscode.l10n.t('MLflow run: {0}', w.mlflowRunId) : '',
            w.message ?? '',
          ]
            .filter(Boolean)
            .join('\n\n'),
        );
        const color = w.state === 'available' ? 'testing.iconPassed' : w.state === 'failing' ? 'testing.iconFailed' : w.state === 'progressing' ? 'problemsWarningIcon.foreground' : undefined;
        item.iconPath = new vscode.ThemeIcon(w.state === 'progressing' ? 'loading~spin' : 'server-process', color ? new vscode.ThemeColor(color) : undefined);
        item.command = { command: Commands.kubernetesOpenDeployment, title: vscode.l10n.t('Open Deployment'), arguments: [node] };
        item.contextValue = `kubeWorkload ${w.state}${w.ready > 0 ? ' serving' : ''}`;
        return item;
      }
      case 'pod': {
        const p = node.pod;
        const item = new vscode.TreeItem(p.name, None);
        item.id = `pod:${node.context}/${node.workload.namespace}/${p.name}`;
        item.description = [p.status, p.restarts ? vscode.l10n.t('{0} restarts', p.restarts) : '', p.modelVersion ? vscode.l10n.t('model {0}', p.modelVersion) : ''].filter(Boolean).join(' · ');
        item.tooltip = [p.name, p.ip ?? '', p.status].filter(Boolean).join('\n');
        const bad = /BackOff|Err|Invalid|Failed|OOMKilled/.test(p.status);
        item.iconPath = new vscode.ThemeIcon(p.ready ? 'vm-running' : 'vm-outline', p.ready ? new vscode.ThemeColor('testing.iconPassed') : bad ? new vscode.ThemeColor('testing.iconFailed') : undefined);
        item.contextValue = `kubePod${p.ready ? ' ready' : ''}`;
        return item;
      }
      case 'forwards': {
        const item = new vscode.TreeItem(vscode.l10n.t('Port Forwards'), vscode.TreeItemCollapsibleState.Expanded);
        item.id = 'forwards';
        item.description = String(node.forwards.length);
        item.iconPath = new vscode.ThemeIcon('plug');
        return item;
      }
      case 'forward': {
        const f = node.forward;
        const item = new vscode.TreeItem(`127.0.0.1:${f.localPort} → ${f.pod}:${f.remotePort}`, None);
        item.id = `forward:${f.id}`;
        item.description = `${f.context}/${f.namespace}`;
        item.tooltip = f.url;
        item.iconPath = new vscode.ThemeIcon('arrow-swap');
        item.contextValue = 'kubeForward';
        item.command = { command: Commands.kubernetesOpenEndpoint, title: vscode.l10n.t('Open Endpoint'), arguments: [node] };
        return item;
      }
    }
  }
}
