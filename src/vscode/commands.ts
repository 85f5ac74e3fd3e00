import * as vscode from 'vscode';
import { isCancellation } from '../common/cancellation';
import { UserFacingError, errorMessage } from '../common/errors';
import type { CommandId } from './ids';
import { Commands } from './ids';
import type { Logger } from './logger';

/**
 * The one way commands are registered: every handler's error is logged with the
 * command id and shown with a "Show Log" action; a user's cancellation ends quietly.
 * The registry also remembers which commands exist, so features can link to each
 * other only when the target is really there.
 */
export class CommandRegistry implements vscode.Disposable {
  private readonly registered = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly logger: Logger) {}

  register(id: CommandId, handler: (...args: never[]) => unknown): void {
    const log = this.logger.for('commands');
    this.registered.add(id);
    this.disposables.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await (handler as (...a: unknown[]) => unknown)(...args);
        } catch (err) {
          if (isCancellation(err) || err instanceof vscode.CancellationError) {
            log.info(`${id}: cancelled by the user`);
            return undefined;
          }
          log.error(`${id} failed: ${errorMessage(err)}`);
          if (err instanceof Error && err.stack) log.debug(err.stack);
          if (err instanceof UserFacingError && err.detail) log.error(err.detail);
          const message = err instanceof UserFacingError ? err.message : vscode.l10n.t('MLOps: {0}', errorMessage(err));
          const showLog = vscode.l10n.t('Show Log');
          void vscode.window.showErrorMessage(message, showLog).then((choice) => {
            if (choice === showLog) void vscode.commands.executeCommand(Commands.showLog);
          });
          return undefined;
        }
      }),
    );
  }

  has(id: string): boolean {
    return this.registered.has(id);
  }

  get ids(): ReadonlySet<string> {
    return this.registered;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
