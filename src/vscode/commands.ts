import * as vscode from 'vscode';
import { UserFacingError } from '../common/errors';
import { showError } from './errors';
import type { CommandId } from './ids';
import { TRUSTED_ONLY } from './ids';
import type { Logger } from './logger';

/**
 * The one way commands are registered: every handler's error is logged with the
 * command id and shown with a "Show Log" action; a user's cancellation ends quietly.
 * The registry also remembers which commands exist, so features can link to each
 * other only when the target is really there.
 */
export class CommandRegistry implements vscode.Disposable {
  private readonly registered = new Set<string>();
  /** Commands run since activation (the editor tier lists those no test ran). */
  readonly invoked = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly logger: Logger) {}

  register(id: CommandId, handler: (...args: never[]) => unknown): void {
    const log = this.logger.for('commands');
    this.registered.add(id);
    this.disposables.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        this.invoked.add(id);
        try {
          if (TRUSTED_ONLY.has(id) && !vscode.workspace.isTrusted) {
            throw new UserFacingError(vscode.l10n.t('This runs code from the workspace, which is not trusted. Trust the workspace to use it.'), undefined, {
              actions: [{ label: vscode.l10n.t('Manage Workspace Trust'), command: 'workbench.trust.manage' }],
            });
          }
          return await (handler as (...a: unknown[]) => unknown)(...args);
        } catch (err) {
          // Not awaited: the toast stays up while the command returns.
          void showError(err, log, { context: id });
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
