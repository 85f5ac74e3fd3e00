// Port-forwards, and opening what they lead to.
import * as vscode from 'vscode';
import { UserFacingError } from '../../common/errors';
import { PortInUseError } from '../../common/net';
import { Commands } from '../../vscode/ids';
import { validatePort } from '../../vscode/inputs';
import { summarizeDeployment } from '../core/model';
import type { Forward } from '../core/portforward';
import type { KubeNode } from '../tree';
import type { KubeCommandContext } from './shared';
import { workloadFor } from './shared';

export function registerForwardCommands(ctx: KubeCommandContext): void {
  const { registry, service } = ctx;
  registry.register(Commands.kubernetesPortForward, async (node?: KubeNode) => {
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    const dep = await client.deployment(w.namespace, w.name);
    const remote = (dep && summarizeDeployment(dep).port) ?? 8000;
    const text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Forward to {0}: local port', w.name),
      prompt: vscode.l10n.t('On 127.0.0.1 only, to port {0} of a Ready pod. Stopped when you say so or when the window closes.', remote),
      value: String(remote),
      validateInput: validatePort,
    });
    if (text === undefined) return;
    let forward: Forward;
    try {
      forward = await service.forwardTo(w.namespace, w.name, Number(text));
    } catch (err) {
      if (!(err instanceof PortInUseError)) throw err;
      const free = err.nextFree;
      const use = free === undefined ? undefined : vscode.l10n.t('Use {0}', free);
      const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Port {0} on 127.0.0.1 is already in use.', text), ...(use ? [use] : []));
      if (free === undefined || choice !== use) return;
      forward = await service.forwardTo(w.namespace, w.name, free);
    }
    const docs = vscode.l10n.t('Open API Docs');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Forwarding {0} to {1}:{2}.', forward.url, forward.pod, forward.remotePort), docs);
    if (choice === docs) await vscode.env.openExternal(vscode.Uri.parse(`${forward.url}/docs`));
  });
  registry.register(Commands.kubernetesStopPortForward, async (node?: KubeNode) => {
    let id = node?.kind === 'forward' ? node.forward.id : undefined;
    if (!id) {
      const list = service.forwards.list();
      if (list.length === 0) throw new UserFacingError(vscode.l10n.t('No port-forward is open.'));
      const pick = await vscode.window.showQuickPick(list.map((f) => ({ label: f.url, description: `${f.namespace}/${f.pod}:${f.remotePort}`, id: f.id })), { title: vscode.l10n.t('Stop which port-forward?') });
      id = pick?.id;
    }
    if (id) await service.forwards.stop(id);
  });

  const endpointOf = async (node: KubeNode | undefined): Promise<Forward> => {
    if (node?.kind === 'forward') return node.forward;
    const client = await service.client();
    const w = await workloadFor(node, client, service);
    return service.forwardTo(w.namespace, w.name);
  };
  registry.register(Commands.kubernetesOpenEndpoint, async (node?: KubeNode) => {
    await vscode.env.openExternal(vscode.Uri.parse((await endpointOf(node)).url));
  });
  registry.register(Commands.kubernetesOpenDocs, async (node?: KubeNode) => {
    await vscode.env.openExternal(vscode.Uri.parse(`${(await endpointOf(node)).url}/docs`));
  });

}
