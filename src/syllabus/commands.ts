import * as vscode from 'vscode';
import type { CommandRegistry } from '../vscode/commands';
import { Commands, Settings } from '../vscode/ids';
import { BUILTIN_SYLLABI } from './core/catalog';
import { parseSyllabus } from './core/parser';
import type { SyllabusOverview } from './panel';
import type { SyllabusService } from './service';

export function registerSyllabusCommands(
  registry: CommandRegistry,
  service: SyllabusService,
  overview: SyllabusOverview,
  extensionUri: vscode.Uri,
): void {
  registry.register(Commands.syllabusOpenOverview, () => overview.show());

  registry.register(Commands.syllabusRefresh, () => service.reload());

  registry.register(Commands.syllabusResetProgress, async () => {
    const { model } = await service.get();
    const reset = vscode.l10n.t('Reset Progress');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('Reset your progress on "{0}"? Every topic goes back to the state the syllabus itself marks.', model.title),
      { modal: true },
      reset,
    );
    if (answer === reset) await service.resetProgress();
  });

  registry.register(Commands.syllabusChoose, async () => {
    type Pick = vscode.QuickPickItem & { action: () => Promise<void> };
    const current = await service.get();
    const items: Pick[] = [];
    for (const b of BUILTIN_SYLLABI) {
      const uri = vscode.Uri.joinPath(extensionUri, 'media', 'syllabi', b.file);
      const parsed = parseSyllabus(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      const isCurrent = current.source.kind === 'builtin' && current.source.builtin.id === b.id;
      items.push({
        label: parsed.title ?? b.id,
        description: isCurrent ? vscode.l10n.t('current') : undefined,
        detail: vscode.l10n.t('{0} modules', parsed.modules.length),
        action: async () => {
          const config = vscode.workspace.getConfiguration();
          if (config.get<string>(Settings.syllabusPath)) {
            const clear = vscode.l10n.t('Use Built-in Syllabus');
            const ok = await vscode.window.showInformationMessage(
              vscode.l10n.t('The setting {0} points at your own syllabus file. Clear it to use a built-in syllabus?', Settings.syllabusPath),
              { modal: true },
              clear,
            );
            if (ok !== clear) return;
            await clearSetting(config);
          }
          await service.selectBuiltin(b.id);
        },
      });
    }
    items.push({ label: '', kind: vscode.QuickPickItemKind.Separator, action: async () => undefined });
    items.push({
      label: `$(file) ${vscode.l10n.t('Use a Markdown File from the Workspace…')}`,
      detail: vscode.l10n.t('Same format: "#" headings are modules, "- [ ]" or ☑️ topics to do, "- [x]" or ✅ done'),
      action: async () => {
        const folder = vscode.workspace.workspaceFolders?.[0];
        const picked = await vscode.window.showOpenDialog({
          canSelectMany: false,
          defaultUri: folder?.uri,
          filters: { Markdown: ['md', 'markdown', 'txt'] },
          openLabel: vscode.l10n.t('Use as Syllabus'),
        });
        if (!picked?.[0]) return;
        const rel = folder && picked[0].fsPath.startsWith(folder.uri.fsPath + '/') ? picked[0].fsPath.slice(folder.uri.fsPath.length + 1) : picked[0].fsPath;
        await vscode.workspace
          .getConfiguration()
          .update(Settings.syllabusPath, rel, folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
      },
    });
    const choice = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Choose a Syllabus'), matchOnDetail: true });
    await choice?.action();
  });

  registry.register(Commands.syllabusShowProblems, async () => {
    const { source, model } = await service.get();
    if (model.syllabus.problems.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Every line of the syllabus was read.'));
      return;
    }
    if (source.kind === 'file') {
      await vscode.window.showTextDocument(source.uri);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    } else {
      await vscode.commands.executeCommand(Commands.showLog);
    }
  });
}

async function clearSetting(config: vscode.WorkspaceConfiguration): Promise<void> {
  const inspect = config.inspect<string>(Settings.syllabusPath);
  if (inspect?.workspaceFolderValue !== undefined) await config.update(Settings.syllabusPath, undefined, vscode.ConfigurationTarget.WorkspaceFolder);
  if (inspect?.workspaceValue !== undefined) await config.update(Settings.syllabusPath, undefined, vscode.ConfigurationTarget.Workspace);
  if (inspect?.globalValue !== undefined) await config.update(Settings.syllabusPath, undefined, vscode.ConfigurationTarget.Global);
}
