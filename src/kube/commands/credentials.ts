// Registry credentials, kept in the editor's secret storage.
import * as vscode from 'vscode';
import { Commands } from '../../vscode/ids';
import type { KubeCommandContext } from './shared';

export function registerCredentialCommands(ctx: KubeCommandContext): void {
  const { registry, service, credentials } = ctx;
  registry.register(Commands.kubernetesSetRegistryCredentials, async () => {
    const current = service.settings().registry;
    const host = await vscode.window.showInputBox({ title: vscode.l10n.t('Registry (host[:port])'), value: current, validateInput: (v) => (/^[^\s/]+(\/\S*)?$/.test(v) ? undefined : vscode.l10n.t('A registry host, e.g. ghcr.io or localhost:5000')) });
    if (!host) return;
    const username = await vscode.window.showInputBox({ title: vscode.l10n.t('User name for {0}', host) });
    if (!username) return;
    const password = await vscode.window.showInputBox({ title: vscode.l10n.t('Password or token for {0}', host), password: true });
    if (!password) return;
    await credentials.store(host, { username, password });
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved the credentials for {0} in the editor\'s secret storage.', host));
  });

}
