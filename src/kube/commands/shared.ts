// What the Kubernetes command files share: the services they act through, and how a
// command finds the workload it is about.
import * as vscode from 'vscode';
import { CancelledError } from '../../common/cancellation';
import { UserFacingError } from '../../common/errors';
import type { DockerService } from '../../docker/service';
import type { ModelApiIndex } from '../../scaffold/index';
import type { CommandRegistry } from '../../vscode/commands';
import type { ComponentLogger } from '../../vscode/logger';
import type { KubeClient } from '../core/client';
import { summarizeDeployment } from '../core/model';
import type { RegistryCredentials } from '../credentials';
import type { KubeService } from '../service';
import type { KubeNode } from '../tree';

export type WorkloadNode = Extract<KubeNode, { kind: 'workload' }>;
export type WorkloadRef = { readonly namespace: string; readonly name: string; readonly project?: string };

export interface KubeCommandContext {
  readonly registry: CommandRegistry;
  readonly service: KubeService;
  readonly docker: DockerService;
  readonly modelApis: ModelApiIndex;
  readonly context: vscode.ExtensionContext;
  readonly credentials: RegistryCredentials;
  readonly log: ComponentLogger;
  /** The cluster changed: the tree, the status bar and open deployment panels read it again. */
  readonly changed: () => void;
}

/** The workload a tree action was invoked on, or one the user picks from the target namespace. */
export async function workloadFor(node: KubeNode | undefined, client: KubeClient, service: KubeService): Promise<WorkloadRef> {
  if (node?.kind === 'workload' || node?.kind === 'pod') return node.workload;
  const list = (await client.managedDeploymentsEverywhere(service.namespaceFor(client))).map(summarizeDeployment);
  if (list.length === 0) throw new UserFacingError(vscode.l10n.t('Nothing deployed by MLOps Workbench in context {0} yet: use "Containerize and Deploy" first.', client.context));
  if (list.length === 1) return list[0]!;
  const pick = await vscode.window.showQuickPick(list.map((w) => ({ label: w.name, description: `${w.namespace} · ${w.ready}/${w.desired}${w.modelVersion ? ` · ${w.modelVersion}` : ''}`, w })), { title: vscode.l10n.t('Which deployment?') });
  if (!pick) throw new CancelledError();
  return pick.w;
}

/** Waits, with a cancellable progress, until the workload's new revision is available. */
/** Waits for the rollout with a cancellable notification; the revision that then serves. */
export async function watchRollout(client: KubeClient, service: KubeService, w: WorkloadRef, title: string): Promise<number> {
  const timeoutMs = service.settings().rolloutTimeoutSeconds * 1000;
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    client.waitForRollout(w.namespace, w.name, { timeoutMs, token, onProgress: (p) => progress.report({ message: vscode.l10n.t('{0}/{1} ready · {2}', p.ready, p.desired, p.pods) }) }),
  );
}
