import * as vscode from 'vscode';
import type { ModelApiIndex } from '../scaffold/index';
import { Commands } from '../vscode/ids';

/** A "Deploy" button in the status bar while the workspace has a model API. */
export function deployStatusItem(modelApis: ModelApiIndex): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('mlops.deploy', vscode.StatusBarAlignment.Left, 9);
  item.name = vscode.l10n.t('MLOps: Containerize and Deploy');
  item.text = `$(rocket) ${vscode.l10n.t('Deploy')}`;
  item.tooltip = vscode.l10n.t('Containerize and deploy a model API to the current Kubernetes context');
  item.command = Commands.deployContainerizeAndDeploy;
  const update = (): void => {
    void modelApis.list().then(
      (list) => (list.length ? item.show() : item.hide()),
      () => item.hide(),
    );
  };
  const sub = modelApis.onDidChange(update);
  // Right after activation: this first list() also sets the Explorer's Model API folders context key.
  const timer = setTimeout(update, 0);
  return {
    dispose: () => {
      clearTimeout(timer);
      sub.dispose();
      item.dispose();
    },
  };
}
