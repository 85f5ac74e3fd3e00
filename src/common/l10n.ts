// Localised text for editor-free code. `@vscode/l10n` runs in plain Node; in the editor,
// activate() hands it the same bundle `vscode.l10n` uses (l10n/bundle.l10n.<lang>.json),
// so core modules and editor glue translate from one file. Under mocha with no bundle
// loaded, `t` returns the English text with its placeholders filled.
import * as l10n from '@vscode/l10n';
import type { ErrorAction } from './errors';

/**
 * The localised `message` with `{0}`, `{1}`… replaced by `args`, each turned into text as a
 * template literal would (so `undefined` and `null` read as before the text was localised).
 */
export function t(message: string, ...args: unknown[]): string {
  return l10n.t(message, ...args.map((a) => (typeof a === 'number' || typeof a === 'boolean' ? a : String(a))));
}

/** Loads a bundle's contents (from `vscode.l10n.bundle`), or a bundle file (tests). */
export function loadBundle(source: { contents: Record<string, string> } | { fsPath: string }): void {
  if ('fsPath' in source) l10n.config({ fsPath: source.fsPath });
  else l10n.config({ contents: source.contents });
}

/** "Open Settings" on a setting: a button an error offers when a setting is the fix. */
export function openSettingAction(setting: string): ErrorAction {
  return { label: t('Open Settings'), command: 'workbench.action.openSettings', args: [setting] };
}
