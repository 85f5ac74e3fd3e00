import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';

/**
 * The body a smoke test POSTs to /predict: the first of `dirs` with a sample-payload.json
 * (what the scaffold writes), else a JSON file the user picks.
 */
export async function samplePayloadFrom(dirs: readonly string[]): Promise<unknown> {
  for (const dir of dirs) {
    const file = path.join(dir, 'sample-payload.json');
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new UserFacingError(vscode.l10n.t('{0} is not valid JSON: {1}', file, errorMessage(err)));
    }
  }
  const picked = await vscode.window.showOpenDialog({ title: vscode.l10n.t('Choose the JSON body to POST to /predict'), filters: { JSON: ['json'] }, canSelectMany: false });
  if (!picked?.[0]) throw new CancelledError();
  const file = picked[0].fsPath;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (err) {
    throw new UserFacingError(vscode.l10n.t('{0} is not valid JSON: {1}', file, errorMessage(err)));
  }
}
