// The Model APIs index in the real editor, on the sample workspace.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../../src/vscode/ids';
import { eventually, extension, workspaceFolder } from './helpers';

describe('model APIs (editor)', () => {
  it('finds the sample workspace’s API, and Refresh finds it again', async () => {
    const ext = await extension();
    const dir = path.join(workspaceFolder().fsPath, 'iris-api');
    assert.ok((await ext.modelApis.list()).some((p) => p.dir === dir));
    await vscode.commands.executeCommand(Commands.modelApisRefresh);
    assert.ok((await ext.modelApis.list()).some((p) => p.dir === dir));
  });

  it('Open shows the project’s app', async () => {
    const ext = await extension();
    const project = (await ext.modelApis.list()).find((p) => p.dir.endsWith(`${path.sep}iris-api`))!;
    await vscode.commands.executeCommand(Commands.modelApisOpen, project);
    await eventually(() => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath.startsWith(project.dir)), 'a file of the project open');
  });
});
