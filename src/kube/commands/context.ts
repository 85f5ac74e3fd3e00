// Refresh, and where deploys go: the context and the namespace.
import * as vscode from 'vscode';
import { errorMessage } from '../../common/errors';
import { Commands, Settings } from '../../vscode/ids';
import type { KubeCommandContext } from './shared';

export function registerContextCommands(ctx: KubeCommandContext): void {
  const { registry, service, log } = ctx;
  registry.register(Commands.kubernetesRefresh, () => service.reload());
  registry.register(Commands.kubernetesSwitchContext, async () => {
    const client = await service.client();
    type Item = vscode.QuickPickItem & { context?: string; namespace?: true };
    const items: Item[] = [
      ...client.contexts().map((c) => ({ label: `${c.current ? '$(check) ' : ''}${c.name}`, description: c.server, detail: vscode.l10n.t('namespace {0} · user {1}', c.namespace, c.user), context: c.name })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: `$(symbol-namespace) ${vscode.l10n.t('Switch Namespace…')}`, description: service.namespaceFor(client), namespace: true },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Kubernetes context to deploy to (sets the current context, as kubectl config use-context does)') });
    if (!pick) return;
    if (pick.namespace) return vscode.commands.executeCommand(Commands.kubernetesSwitchNamespace);
    if (!pick.context || pick.context === client.context) return;
    await client.useContext(pick.context);
    log.info(`current context is now ${pick.context}`);
    service.reload();
  });
  registry.register(Commands.kubernetesSwitchNamespace, async () => {
    const client = await service.client();
    const current = service.namespaceFor(client);
    let name: string | undefined;
    try {
      const list = await client.namespaces();
      const pick = await vscode.window.showQuickPick(
        list.map((n) => ({ label: `${n === current ? '$(check) ' : ''}${n}`, ns: n })),
        { title: vscode.l10n.t('Namespace to deploy to in {0} (saved in the mlops.kubernetes.namespace setting)', client.context) },
      );
      name = pick?.ns;
    } catch (err) {
      // RBAC may hide the list; the name can still be typed.
      log.warn(`cannot list namespaces: ${errorMessage(err)}`);
      name = await vscode.window.showInputBox({ title: vscode.l10n.t('Namespace to deploy to in {0}', client.context), value: current, validateInput: (v) => (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(v) ? undefined : vscode.l10n.t('Lowercase letters, digits and "-"')) });
    }
    if (!name) return;
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await vscode.workspace.getConfiguration().update(Settings.kubernetesNamespace, name === client.namespace ? undefined : name, target);
    service.fireChanged();
  });

}
