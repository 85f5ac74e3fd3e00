// Syllabus commands, run in the real editor on the real service.
import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { allTopics } from '../../src/syllabus/core/parser';
import { Commands, Settings } from '../../src/vscode/ids';
import { answer, eventually, extension, workspaceFolder } from './helpers';

describe('syllabus commands (editor)', () => {
  let restore: () => void = () => undefined;
  afterEach(() => restore());

  it('Reset Progress asks first; No keeps the progress, Reset returns every topic to the file’s own state', async () => {
    const ext = await extension();
    const { model } = await ext.syllabus.get();
    const topic = allTopics(model.syllabus).find((t) => !model.isDone(t.key))!;
    await ext.syllabus.setDone([{ key: topic.key, done: true }]);
    assert.equal((await ext.syllabus.get()).model.isDone(topic.key), true);

    let a = answer({ showWarningMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.syllabusResetProgress);
    assert.match(a.asked[0]!.text, /Reset your progress/);
    assert.equal((await ext.syllabus.get()).model.isDone(topic.key), true, 'dismissing kept the progress');
    a.restore();

    a = answer({ showWarningMessage: [(_m: string, _o: unknown, reset: string) => reset] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.syllabusResetProgress);
    await eventually(async () => !(await ext.syllabus.get()).model.isDone(topic.key), 'the topic to be to do again');
  });

  it('Refresh reloads, Show Problems says every line was read, Open Overview opens the panel', async () => {
    const ext = await extension();
    await vscode.commands.executeCommand(Commands.syllabusRefresh);
    assert.ok((await ext.syllabus.get()).model.syllabus.modules.length > 3);
    const a = answer({ showInformationMessage: [undefined] });
    restore = a.restore;
    await vscode.commands.executeCommand(Commands.syllabusShowProblems);
    assert.deepEqual(a.asked.map((q) => q.text), ['Every line of the syllabus was read.']);
    await vscode.commands.executeCommand(Commands.syllabusOpenOverview);
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && /syllabus/i.test(t.input.viewType)), 'the overview tab');
  });

  it('Choose a Syllabus lists the built-in syllabi and a workspace file; picking one switches to it', async () => {
    const ext = await extension();
    let offered: string[] = [];
    const a = answer({
      showQuickPick: [
        async (items: Thenable<vscode.QuickPickItem[]> | vscode.QuickPickItem[]) => {
          const list = await items;
          offered = list.map((i) => i.label);
          return list.find((i) => i.description !== 'current' && i.kind !== vscode.QuickPickItemKind.Separator && !i.label.startsWith('$(file)'));
        },
      ],
    });
    restore = a.restore;
    const before = (await ext.syllabus.get()).model.title;
    await vscode.commands.executeCommand(Commands.syllabusChoose);
    assert.ok(offered.some((l) => l.includes('Use a Markdown File')), offered.join(' | '));
    await eventually(async () => (await ext.syllabus.get()).model.title !== before, 'another syllabus');
  });

  it('a syllabus file of many megabytes is not parsed: the user is told why, and the built-in syllabus shows', async () => {
    const ext = await extension();
    const big = path.join(workspaceFolder().fsPath, 'huge-syllabus.md');
    writeFileSync(big, `# Module\n${'- [ ] topic\n'.repeat(500_000)}`);
    const a = answer({ showWarningMessage: [undefined] });
    restore = a.restore;
    try {
      await vscode.workspace.getConfiguration().update(Settings.syllabusPath, big, vscode.ConfigurationTarget.Workspace);
      await eventually(() => a.asked.some((q) => /larger than 4 MB/.test(q.text)), 'the warning');
      assert.equal((await ext.syllabus.get()).source.kind, 'builtin');
    } finally {
      await vscode.workspace.getConfiguration().update(Settings.syllabusPath, undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(big, { force: true });
    }
  });
});
