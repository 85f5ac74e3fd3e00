import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { CancelledError } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';
import { samplePayloadOf } from './core/payload';

/**
 * The body a smoke test POSTs to /predict: the first of `dirs` with a sample payload (the
 * marker's, else sample-payload.json; see core/payload.ts), else a JSON file the user picks.
 */
export async function samplePayloadFrom(dirs: readonly string[]): Promise<unknown> {
  for (const dir of dirs) {
    const payload = await samplePayloadOf(dir);
    if (payload !== undefined) return payload;
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
