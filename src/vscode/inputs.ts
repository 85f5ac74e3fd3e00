import * as vscode from 'vscode';

/** `validateInput` for an input box that asks for a TCP port. */
export function validatePort(value: string): string | undefined {
  return /^\d+$/.test(value) && Number(value) > 0 && Number(value) < 65536 ? undefined : vscode.l10n.t('A port number, 1 to 65535');
}
