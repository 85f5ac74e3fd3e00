import * as vscode from 'vscode';
import path from 'node:path';
import { CancelledError } from '../common/cancellation';
import { Commands } from '../vscode/ids';
import type { ComponentLogger } from '../vscode/logger';
import type { ScaffoldOptions } from './core/model';
import type { FileStatus, PlannedFile } from './core/render';
import type { ModelApiIndex } from './index';

/** Ends the flow quietly when the user closes a step. */
export function required<T>(value: T | undefined): T {
  if (value === undefined) throw new CancelledError();
  return value;
}

const STATUS_ICON: Record<FileStatus, string> = { new: '$(new-file)', unchanged: '$(check)', conflict: '$(warning)' };

/**
 * Shows the plan, asks about every file that would replace one of the user's, writes
 * the rest, offers git init, and opens the app. Shared by the wizard and the keyboard flow.
 */
export async function createProject(extensionUri: vscode.Uri, modelApis: ModelApiIndex, log: ComponentLogger, dir: string, options: ScaffoldOptions): Promise<void> {
  // Loaded on first use, so activation does not pay for the template engine or git.
  const [{ planProject }, { loadTemplates }, { inspectPlan, writePlan }, { initAndCommit, isInsideRepository }] = await Promise.all([
    import('./core/render'),
    import('./core/templates'),
    import('./core/write'),
    import('../git/core/client'),
  ]);
  const templates = await loadTemplates(vscode.Uri.joinPath(extensionUri, 'media', 'templates', 'model-api').fsPath);
  const plan = await inspectPlan(dir, planProject(options, templates));
  const statusLabel: Record<FileStatus, string> = { new: vscode.l10n.t('new'), unchanged: vscode.l10n.t('unchanged'), conflict: vscode.l10n.t('exists and differs') };
  const create = vscode.l10n.t('Create the Project');
  const confirm = await vscode.window.showQuickPick(
    [
      { label: `$(rocket) ${create}`, description: vscode.l10n.t('{0} files in {1}', plan.filter((f) => f.status !== 'unchanged').length, dir), create: true },
      { label: '', kind: vscode.QuickPickItemKind.Separator, create: false },
      ...plan.map((f) => ({ label: `${STATUS_ICON[f.status]} ${f.path}`, description: statusLabel[f.status], create: false })),
    ],
    { title: vscode.l10n.t('The plan: {0}', options.projectName), ignoreFocusOut: true },
  );
  if (!confirm?.create) throw new CancelledError();

  const decisions = new Map<string, 'write' | 'skip'>();
  const conflicts = plan.filter((f) => f.status === 'conflict');
  if (conflicts.length > 0) await decideConflicts(dir, conflicts, decisions);

  const skipped: string[] = [];
  const written = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating {0}…', options.projectName), cancellable: true },
    (_, token) => writePlan(dir, plan, (f) => decisions.get(f.path) ?? 'skip', token, (p, why) => skipped.push(`${p} (${why})`)),
  );
  log.info(`scaffolded ${options.framework} project ${dir}: wrote ${written.length} files`);
  if (skipped.length) {
    log.warn(`left as they are: ${skipped.join(', ')}`);
    void vscode.window.showWarningMessage(vscode.l10n.t('{0} files were left as they are: a link, a folder leading outside the project, or a file created after you saw the plan ({1}).', skipped.length, skipped.slice(0, 5).join(', ')));
  }
  modelApis.refresh();

  if (written.length > 0 && !(await isInsideRepository(dir))) {
    const init = vscode.l10n.t('Initialize Git');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('{0} is not in a Git repository. Initialize one and commit the generated files?', options.projectName),
      init,
      vscode.l10n.t('Not Now'),
    );
    if (choice === init) {
      const sha = await initAndCommit(dir, written, `Scaffold ${options.projectName} (${options.framework}) with MLOps Workbench`);
      log.info(`git init in ${dir}; first commit ${sha}`);
    }
  }
  const main = vscode.Uri.file(path.join(dir, 'app', 'main.py'));
  await vscode.window.showTextDocument(main, { preview: false }).then(undefined, () => undefined);
  const runTests = vscode.l10n.t('Run Its Tests');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Created {0}: {1} files written.', options.projectName, written.length), runTests)
    .then((c) => c === runTests && vscode.commands.executeCommand(Commands.modelApisRunTests, { dir, name: options.projectName, framework: options.framework, scaffolded: true }));
}

async function decideConflicts(dir: string, conflicts: ReadonlyArray<PlannedFile>, decisions: Map<string, 'write' | 'skip'>): Promise<void> {
  const overwriteAll = vscode.l10n.t('Overwrite All');
  const skipAll = vscode.l10n.t('Keep Mine');
  const review = vscode.l10n.t('Review Each…');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} files exist already and differ from the generated ones: {1}', conflicts.length, conflicts.map((c) => c.path).join(', ')),
    { modal: true },
    skipAll,
    review,
    overwriteAll,
  );
  if (choice === undefined) throw new CancelledError();
  if (choice !== review) {
    for (const c of conflicts) decisions.set(c.path, choice === overwriteAll ? 'write' : 'skip');
    return;
  }
  for (const c of conflicts) {
    for (;;) {
      const pick = required(
        await vscode.window.showQuickPick(
          [
            { label: vscode.l10n.t('Keep mine'), value: 'skip' as const },
            { label: vscode.l10n.t('Overwrite'), value: 'write' as const },
            { label: vscode.l10n.t('Show the difference'), value: 'diff' as const },
          ],
          { title: c.path, ignoreFocusOut: true },
        ),
      ).value;
      if (pick !== 'diff') {
        decisions.set(c.path, pick);
        break;
      }
      if (c.content === undefined) continue;
      const generated = await vscode.workspace.openTextDocument({ content: c.content });
      await vscode.commands.executeCommand('vscode.diff', vscode.Uri.file(path.join(dir, c.path)), generated.uri, vscode.l10n.t('{0}: yours ↔ generated', c.path));
    }
  }
}
