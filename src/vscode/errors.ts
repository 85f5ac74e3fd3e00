import * as vscode from 'vscode';
import { isCancellation } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';
import { Commands } from './ids';
import type { ComponentLogger } from './logger';

/** What showError writes to. */
export type ErrorLog = Pick<ComponentLogger, 'info' | 'error' | 'debug'>;

/** A button of this toast only, run here (show an output channel, open a log). */
export interface LocalAction {
  readonly label: string;
  readonly run: () => unknown;
}

export interface ShowErrorOptions {
  /** What was being done, for the log line (a command id, "build of …"). */
  readonly context: string;
  /** The toast's text from the error's message (e.g. "Deploy failed: {0}"). */
  readonly message?: (message: string) => string;
  /** Buttons before the error's own actions and "Show Log". */
  readonly actions?: readonly LocalAction[];
}

/**
 * The one way an error reaches the user: logged with its context, stack and detail, shown
 * with the error's own actions (a UserFacingError's buttons, such as "Open Settings") and
 * "Show Log"; a user's cancellation ends quietly. The command wrapper, the webview message
 * handlers, the build and the deploy all end here.
 */
export async function showError(err: unknown, log: ErrorLog, opts: ShowErrorOptions): Promise<void> {
  if (isCancellation(err) || err instanceof vscode.CancellationError) {
    log.info(`${opts.context}: cancelled by the user`);
    return;
  }
  log.error(`${opts.context} failed: ${errorMessage(err)}`);
  if (err instanceof Error && err.stack) log.debug(err.stack);
  if (err instanceof UserFacingError && err.detail) log.error(err.detail);
  const base = err instanceof UserFacingError ? err.message : vscode.l10n.t('MLOps: {0}', errorMessage(err));
  const message = opts.message ? opts.message(base) : base;
  const own = err instanceof UserFacingError ? err.actions : [];
  const showLog = vscode.l10n.t('Show Log');
  const labels = [...(opts.actions ?? []).map((a) => a.label), ...own.map((a) => a.label), showLog];
  const choice = await vscode.window.showErrorMessage(message, ...labels);
  if (choice === undefined) return;
  const local = opts.actions?.find((a) => a.label === choice);
  if (local) return void (await local.run());
  const action = own.find((a) => a.label === choice);
  if (action) return void (await vscode.commands.executeCommand(action.command, ...(action.args ?? [])));
  if (choice === showLog) await vscode.commands.executeCommand(Commands.showLog);
}

/** Wraps a webview message handler (or any editor callback) so its errors go through showError, not nowhere. */
export function guarded<A extends unknown[]>(log: ErrorLog, context: string, handler: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await handler(...args);
    } catch (err) {
      void showError(err, log, { context });
    }
  };
}
