import * as vscode from 'vscode';
import path from 'node:path';
import { Commands } from './ids';

/** A row that says something (a problem, an empty listing), with a command when there is a next step. */
export function messageItem(m: { readonly text: string; readonly error?: boolean; readonly detail?: string; readonly command?: vscode.Command }): vscode.TreeItem {
  const item = new vscode.TreeItem(m.text, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(m.error ? 'warning' : 'info');
  item.tooltip = m.detail ?? m.text;
  if (m.command) item.command = m.command;
  return item;
}

/** A workspace mlflow.db no server serves yet: clicking it starts the local server (`node` is the command's argument). */
export function mlflowOfferItem(store: { readonly path: string }, description: string, node: unknown): vscode.TreeItem {
  const item = new vscode.TreeItem(`${path.basename(path.dirname(store.path))}/${path.basename(store.path)}`, vscode.TreeItemCollapsibleState.None);
  item.tooltip = store.path;
  item.description = description;
  item.iconPath = new vscode.ThemeIcon('play-circle');
  item.contextValue = 'mlops.mlflowOffer';
  item.command = { command: Commands.experimentsStartServer, title: vscode.l10n.t('Start Local MLflow Server'), arguments: [node] };
  return item;
}
